// Per-check live state inside the engine: the checker fleet and the verdicts derived from it.
// Engine-thread only; no locking.
#pragma once

#include <boost/asio/cancellation_signal.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "healthcheck/clock.hpp"
#include "healthcheck/engine.hpp"
#include "healthcheck/fleet.hpp"
#include "healthcheck/probe.hpp"
#include "healthcheck/target.hpp"
#include "healthcheck/threshold.hpp"

namespace r53::health {

struct CheckerState {
    CheckerState(CheckerSlot s, int failure_threshold)
        : slot(std::move(s)), threshold(failure_threshold) {}
    CheckerSlot slot;
    Threshold threshold;
    Observation observation;
    bool has_data = false;
    std::optional<InjectedResult> injected;
    std::unique_ptr<Sleeper> sleeper;
    boost::asio::cancellation_signal cancel;
    bool alive = true;

    void stop();
};

struct CheckRuntime {
    config::HealthCheck check;
    uint32_t index = 0;  // slot in the current HealthTable
    ProbePlan plan;
    Duration interval{};
    std::vector<std::shared_ptr<CheckerState>> checkers;

    bool measured = true;  // §1.4 pt 5: healthy until data
    bool verdict = true;   // after Disabled, Inverted, override
    bool has_data = false;
    std::optional<bool> forced;
    std::string user_state;
    std::optional<bool> last_known;  // CLOUDWATCH_METRIC: verdict of the last OK/ALARM
    uint64_t transitions = 0;
    std::optional<Observation> last_failure;
    std::string reason;  // why `measured` last changed, for the transition log
    ProbeStats probes;

    int healthy_checkers() const;
    void stop();
};

// Updates the checker from one probe result and the check's measured verdict (§1.4 pts 2-3).
// Returns true if the measured verdict or has_data changed.
bool record_outcome(CheckRuntime& check, CheckerState& checker, const ProbeOutcome& outcome);

// Counts one real probe (not an injected result) for metrics.
void record_probe_stats(CheckRuntime& check, const ProbeOutcome& outcome, double seconds);

// Applies a CLOUDWATCH_METRIC / RECOVERY_CONTROL state; returns an error text or empty.
std::string apply_user_state(CheckRuntime& check, const std::string& state);

// Recomputes final verdicts of all checks (CALCULATED after the others, §1.4 pts 6-7). Calls
// `log` once per check whose final verdict changed; returns true if any changed. With `only`,
// just that check and the CALCULATED ones are settled (one probe result changes one check);
// `calculated`, when given, lists the CALCULATED ones in `checks` order, so that a probe result
// costs O(CALCULATED checks) rather than a pass over every check.
bool recompute_verdicts(std::vector<std::shared_ptr<CheckRuntime>>& checks,
                        const config::Config& config,
                        const std::function<void(const std::string&)>& log,
                        CheckRuntime* only = nullptr,
                        const std::vector<std::shared_ptr<CheckRuntime>>* calculated = nullptr);

CheckStatus status_of(const CheckRuntime& check,
                      const std::vector<std::shared_ptr<CheckRuntime>>& checks,
                      const config::Config& config);

std::string type_name(config::HealthCheckType type);
ProbeOutcome injected_outcome(InjectedResult result, const ProbePlan& plan);

}  // namespace r53::health
