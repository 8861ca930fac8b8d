// Turns snapshot publishes into "answer" events: after each publish, the answer a client at the
// default location gets for every record group whose answer can move (failover, health checks,
// aliases, location-based routing), compared with the previous publish. Off the query path:
// it runs explain() on the publishing thread, for a bounded number of groups.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "resolver/serving_state.hpp"
#include "server/control/event_feed.hpp"

namespace r53::server {

class AnswerWatch {
  public:
    static constexpr size_t kMaxGroups = 256;

    // Publishes one "answer" event per group whose answer changed since the last update; the
    // first update only records. Older generations than the last seen are ignored.
    void update(const resolver::ServingState& state, EventFeed& feed);

  private:
    struct Seen {
        std::string rcode;
        std::vector<std::string> values;  // sorted rdata of the answer section
        bool operator==(const Seen&) const = default;
    };
    std::mutex mutex_;
    uint64_t generation_ = 0;
    bool first_ = true;
    std::map<std::pair<std::string, std::string>, Seen> answers_;
};

// "health check hc-1 HEALTHY -> UNHEALTHY (override)" (the engine's transition line) as the
// JSON object of a "health" event; empty if the line is not one.
std::string health_event_data(const std::string& transition_line);

}  // namespace r53::server
