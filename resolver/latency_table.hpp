// local.latency compiled: client prefix -> the latency regions it prefers, best first. Route 53
// ranks regions by the latency it measures to the client (semantics §2.3); locally a test states
// that order instead of leaving it to distance. Built at load, matched without allocating.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "resolver/client_location.hpp"
#include "resolver/question.hpp"

namespace r53::resolver {

class LatencyTable {
  public:
    struct Entry {
        std::optional<Cidr> client;  // nullopt: the default entry
        std::string client_text;     // "203.0.113.0/24", or "default"
        std::vector<std::string> regions;
        std::string regions_text;  // "[eu-west-1, us-east-1]", for traces
    };

    // Entries with an unparsable client are skipped: config validation has reported them.
    explicit LatencyTable(const std::vector<config::LatencyPreference>& preferences = {});

    // The longest prefix containing the client (§2.3 IP-based rule: a client prefix shorter than
    // the block does not match), else the default entry, else nullptr: distance ranks regions.
    const Entry* match(const ClientAddress& client) const noexcept;

    // Position of `region` in the entry's list, or -1 when it is not listed.
    static int rank(const Entry& entry, const std::string& region) noexcept;

    bool empty() const noexcept { return entries_.empty() && !default_; }

  private:
    std::vector<Entry> entries_;  // longest prefix first
    std::optional<Entry> default_;
};

}  // namespace r53::resolver
