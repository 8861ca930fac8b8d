// The probe engine: runs every health check's virtual checker fleet on one io_context thread and
// publishes an immutable HealthTable as soon as a verdict changes (results that complete together
// are published together).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "healthcheck/health_table.hpp"

namespace r53::health {

// One checker's latest observation, in Route 53's wording (semantics §1.5).
struct Observation {
    std::string region;
    int checker = 0;  // index within the region
    std::string
        checker_ip;      // a stand-in address per virtual checker, as GetHealthCheckStatus shows
    std::string status;  // "Success: HTTP Status Code 200, OK" / "Failure: Connection timed out..."
    std::chrono::system_clock::time_point checked_at{};
    std::optional<double> latency_seconds;  // the last probe's duration; none when injected
    bool healthy = true;  // this checker's verdict after its own FailureThreshold hysteresis
    bool last_probe_ok = true;
    int consecutive_successes = 0;
    int consecutive_failures = 0;
};

// Probe results of one check since it started, for metrics.
enum class ProbeResultKind : uint8_t {
    Success,
    HttpStatus,
    Timeout,
    Refused,
    Tls,
    Dns,
    Other,
    Count
};
inline constexpr const char* kProbeResultKindNames[] = {
    "success", "http_status", "timeout", "refused", "tls", "dns", "other"};
inline constexpr double kProbeDurationBounds[] = {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 4, 10};

struct ProbeStats {
    std::array<uint64_t, static_cast<size_t>(ProbeResultKind::Count)> by_result{};
    // Non-cumulative: bucket i counts durations <= kProbeDurationBounds[i] above the previous
    // bound; the last slot is above every bound.
    std::array<uint64_t, std::size(kProbeDurationBounds) + 1> duration_buckets{};
    double duration_seconds_sum = 0;
};

struct CheckStatus {
    std::string id;
    std::string type;              // "HTTPS", ...
    bool healthy = true;           // final verdict as DNS sees it
    bool measured_healthy = true;  // before Disabled/Inverted/override
    std::optional<bool> forced;    // set by an override
    double percentage_healthy = 100.0;
    std::vector<Observation> observations;
    std::optional<Observation> last_failure;
    uint64_t transitions = 0;
    bool has_data = false;   // at least one probe completed (for /readyz)
    std::string user_state;  // CLOUDWATCH_METRIC alarm state / RECOVERY_CONTROL on-off
    ProbeStats probes;
};

// Forces one checker's probe results without touching the endpoint (partitions, §1.4).
enum class InjectedResult { Healthy, Unhealthy, Timeout };

// One checker's state as the replica that probes shares it with the others (replicas with one
// probe fleet, docs/architecture.md).
struct CheckerShare {
    std::string region;
    int checker = 0;
    bool healthy = true;  // after FailureThreshold
    int successes = 0;    // the current run of identical results
    int failures = 0;
    bool has_data = false;
    bool last_probe_ok = true;
    std::string status;
    std::chrono::system_clock::time_point checked_at{};
};

struct CheckShare {
    std::string id;
    std::vector<CheckerShare> checkers;
};

// The engine's clock follows Config::local.clock; nothing else is tunable today.
struct EngineOptions {};

class Engine {
  public:
    using Publish = std::function<void(HealthTablePtr)>;
    using TransitionLog = std::function<void(const std::string& line)>;

    Engine(EngineOptions options, Publish publish, TransitionLog log);
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    void start();  // spawns the engine thread
    void stop();   // cancels every probe, joins the thread; idempotent

    // Installs a new config (first load or reload). Checks whose id and config are unchanged keep
    // their checker state. Returns the table for the new layout at once (so the caller can publish
    // zones and health together); later changes arrive through Publish. `installed`, if given,
    // gets that table on the engine's thread before any later Publish: a caller that swaps its
    // layout there needs no lock that a Publish would wait on while it waits for the engine.
    HealthTablePtr apply(const config::ConfigPtr& config, uint64_t generation,
                         const std::function<void(HealthTablePtr)>& installed = {});

    // Overrides: nullopt returns the check to its probes. False if the id is unknown.
    bool set_override(const std::string& id, std::optional<bool> healthy);
    // CLOUDWATCH_METRIC: "OK"|"ALARM"|"INSUFFICIENT_DATA"; RECOVERY_CONTROL: "ON"|"OFF".
    // Returns an error text, or empty on success.
    std::string set_user_state(const std::string& id, const std::string& state);
    // region empty = every region; checker < 0 = every checker in the region(s); result nullopt
    // clears the injection.
    bool inject(const std::string& id, const std::string& region, int checker,
                std::optional<InjectedResult> result);

    // Manual clock only: moves time forward, firing every due probe in order. Returns once the
    // probes due in that span have completed and the table is published. False if not manual.
    bool advance_clock(std::chrono::duration<double> by);
    // Engine time since the clock was made (the first config, or a reload that changed the clock
    // settings): the manual clock's time, else the elapsed real time divided by the time scale,
    // so it counts the seconds Route 53 would have seen.
    std::chrono::duration<double> clock_now() const;

    // One probe fleet for several replicas: while not probing, checkers keep their schedule but
    // send nothing, and their states come from import_shares(). Probing is on by default.
    void set_probing(bool probing);
    // The checker states of every probed check.
    std::vector<CheckShare> export_shares() const;
    // Takes the prober's checker states (unknown checks and checkers are ignored) and publishes
    // at once if a verdict changed; returns without waiting. While probing they are only kept:
    // a check installed later, or the engine once it stops probing, starts from them.
    void import_shares(std::vector<CheckShare> shares);

    std::vector<CheckStatus> statuses() const;
    std::optional<CheckStatus> status(const std::string& id) const;

    // Monotonic count of published verdict changes; lets waiters poll cheaply.
    uint64_t version() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace r53::health
