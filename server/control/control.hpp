// The one interface through which the admin API and the Route 53 REST API reach the running
// application. App (server/app.hpp) implements it; handler tests use a fake. Keeping it narrow is
// the point: a handler that needs something new adds one operation here, not a reach into App.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/diagnostic.hpp"
#include "config/model.hpp"
#include "healthcheck/engine.hpp"
#include "resolver/explain.hpp"
#include "server/control/event_feed.hpp"
#include "server/dns/query_counters.hpp"
#include "server/dns/query_log_record.hpp"

namespace r53::server {

class Store;

struct ReloadOutcome {
    bool ok = false;
    config::Diagnostics diagnostics;
    uint64_t config_generation = 0;
};

// What GET /v1/clock reports: how the probe engine's time runs and where it is.
struct ClockReading {
    config::ClockMode mode = config::ClockMode::Real;
    double scale = 1.0;        // factor applied to AWS intervals and timeouts (Scaled only)
    double now_seconds = 0.0;  // engine seconds since the clock started, as Route 53 counts them
};

struct ReloadCounters {
    std::atomic<uint64_t> reloads{0};
    std::atomic<uint64_t> reload_failures{0};
    std::atomic<double> last_reload_success_time{0};
};

class Control {
  public:
    virtual ~Control() = default;

    // Status.
    virtual bool ready() const = 0;
    virtual std::string admin_endpoint() const = 0;
    virtual config::ConfigPtr config() const = 0;
    virtual const ReloadCounters& reload_counters() const = 0;
    virtual QueryCountersSnapshot query_counters() const = 0;

    // Config and routing.
    virtual ReloadOutcome reload() = 0;
    virtual resolver::ExplainResult explain(const std::string& name, const std::string& type,
                                            const std::string& client) const = 0;

    // Health. Each returns false (or an error text) for an unknown check.
    virtual std::vector<health::CheckStatus> health_statuses() const = 0;
    virtual std::optional<health::CheckStatus> health_status(const std::string& id) const = 0;
    virtual bool force_health(const std::string& id, std::optional<bool> healthy) = 0;
    virtual std::string set_health_state(const std::string& id, const std::string& state) = 0;
    virtual bool inject_result(const std::string& id, const std::string& region, int checker,
                               std::optional<health::InjectedResult> result) = 0;
    // False when the clock is not manual.
    virtual bool advance_clock(double seconds) = 0;
    virtual ClockReading clock() const = 0;

    // The query log's in-memory rings (GET /v1/queries); nullopt when query logging is off.
    virtual std::optional<std::vector<QueryRecord>> recent_queries(const QueryFilter&) const {
        return std::nullopt;
    }
    // The query-log file's counts; nullopt when no file is written.
    virtual std::optional<QueryLogStats> query_log_stats() const { return std::nullopt; }

    // Serving snapshots not yet freed (the current one and replaced ones a DNS worker may still
    // hold); nullopt when not known.
    virtual std::optional<size_t> snapshots_live() const { return std::nullopt; }

    // Health transitions, publishes and answer changes (GET /v1/events); null when there is none.
    virtual EventFeed* events() { return nullptr; }

    // The Route 53 API's objects. After committing a change to the store, republish() serves it.
    virtual Store& store() = 0;
    virtual bool republish(config::Diagnostics& diagnostics) = 0;
};

}  // namespace r53::server
