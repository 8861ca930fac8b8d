#include "healthcheck/runtime.hpp"

#include <boost/asio/cancellation_type.hpp>

#include "healthcheck/aggregate.hpp"

namespace r53::health {
namespace {

using config::HealthCheckType;

const char* word(bool healthy) {
    return healthy ? "HEALTHY" : "UNHEALTHY";
}

std::pair<int, int> healthy_children(const CheckRuntime& check,
                                     const std::vector<std::shared_ptr<CheckRuntime>>& checks,
                                     const config::Config& config) {
    int healthy = 0;
    int count = 0;
    for (const auto& child_id : check.check.config.child_health_checks) {
        ++count;
        auto index = config.health_index(child_id);
        // A missing child (rejected at load) counts unhealthy rather than failing open.
        if (index && *index < checks.size() && checks[*index]->verdict) ++healthy;
    }
    return {healthy, count};
}

}  // namespace

void CheckerState::stop() {
    alive = false;
    cancel.emit(boost::asio::cancellation_type::all);
    if (sleeper) sleeper->cancel();
}

int CheckRuntime::healthy_checkers() const {
    int healthy = 0;
    for (const auto& c : checkers) healthy += c->threshold.healthy() ? 1 : 0;
    return healthy;
}

void CheckRuntime::stop() {
    for (auto& c : checkers) c->stop();
}

bool record_outcome(CheckRuntime& check, CheckerState& checker, const ProbeOutcome& outcome) {
    checker.threshold.feed(outcome.ok);
    checker.has_data = true;
    auto& o = checker.observation;
    o.status = outcome.status;
    o.checked_at = std::chrono::system_clock::now();
    o.last_probe_ok = outcome.ok;
    o.healthy = checker.threshold.healthy();
    o.consecutive_successes = checker.threshold.consecutive_successes();
    o.consecutive_failures = checker.threshold.consecutive_failures();
    if (!outcome.ok) check.last_failure = o;

    const bool was_measured = check.measured;
    const bool had_data = check.has_data;
    check.has_data = true;
    int healthy = check.healthy_checkers();
    int total = static_cast<int>(check.checkers.size());
    check.measured = fleet_healthy(healthy, total);
    if (check.measured != was_measured) {
        int run = outcome.ok ? o.consecutive_successes : o.consecutive_failures;
        check.reason =
            std::to_string(run) + " of " + std::to_string(checker.threshold.threshold()) +
            (outcome.ok ? " successes" : " failures") + "; " + std::to_string(healthy) + " of " +
            std::to_string(total) + " checkers healthy; last: " + outcome.status;
    }
    return check.measured != was_measured || !had_data;
}

namespace {

// The outcome texts are Route 53's (§1.5); their wording tells the kind of failure.
ProbeResultKind classify(const ProbeOutcome& outcome) {
    if (outcome.ok) return ProbeResultKind::Success;
    const std::string& s = outcome.status;
    if (s.find("HTTP Status Code") != std::string::npos) return ProbeResultKind::HttpStatus;
    if (s.find("timed out") != std::string::npos) return ProbeResultKind::Timeout;
    if (s.find("refused") != std::string::npos) return ProbeResultKind::Refused;
    if (s.find("TLS") != std::string::npos || s.find("SSL") != std::string::npos)
        return ProbeResultKind::Tls;
    if (s.find("DNS") != std::string::npos) return ProbeResultKind::Dns;
    return ProbeResultKind::Other;
}

}  // namespace

void record_probe_stats(CheckRuntime& check, const ProbeOutcome& outcome, double seconds) {
    ++check.probes.by_result[static_cast<size_t>(classify(outcome))];
    size_t bucket = 0;
    while (bucket < std::size(kProbeDurationBounds) && seconds > kProbeDurationBounds[bucket])
        ++bucket;
    ++check.probes.duration_buckets[bucket];
    check.probes.duration_seconds_sum += seconds;
}

std::string apply_user_state(CheckRuntime& check, const std::string& state) {
    const auto type = check.check.config.type;
    if (type == HealthCheckType::CLOUDWATCH_METRIC) {
        if (state != "OK" && state != "ALARM" && state != "INSUFFICIENT_DATA") {
            return "invalid CLOUDWATCH_METRIC state '" + state +
                   "' (expected OK, ALARM or INSUFFICIENT_DATA)";
        }
        check.user_state = state;
        bool measured = cloudwatch_healthy(
            state, check.check.config.insufficient_data_health_status, check.last_known);
        if (state != "INSUFFICIENT_DATA") check.last_known = measured;
        check.measured = measured;
        check.has_data = true;
        check.reason = "alarm state " + state;
        return {};
    }
    if (type == HealthCheckType::RECOVERY_CONTROL) {
        if (state != "ON" && state != "OFF") {
            return "invalid RECOVERY_CONTROL state '" + state + "' (expected ON or OFF)";
        }
        check.user_state = state;
        check.measured = recovery_control_healthy(state);
        check.has_data = true;
        check.reason = "routing control " + state;
        return {};
    }
    return "health check " + check.check.id + " is " + type_name(type) +
           ", not CLOUDWATCH_METRIC or RECOVERY_CONTROL";
}

bool recompute_verdicts(std::vector<std::shared_ptr<CheckRuntime>>& checks,
                        const config::Config& config,
                        const std::function<void(const std::string&)>& log, CheckRuntime* only,
                        const std::vector<std::shared_ptr<CheckRuntime>>* calculated) {
    bool changed = false;
    auto settle = [&](CheckRuntime& c) {
        const auto& hc = c.check.config;
        bool verdict = c.forced ? *c.forced : apply_modifiers(c.measured, hc.disabled, hc.inverted);
        if (verdict == c.verdict) return;
        std::string why = c.forced ? "override" : c.reason;
        if (!c.forced && hc.disabled) why = "disabled";
        if (log) {
            log("health check " + c.check.id + " " + word(c.verdict) + " -> " + word(verdict) +
                " (" + why + ")");
        }
        c.verdict = verdict;
        ++c.transitions;
        changed = true;
    };
    if (only) {
        if (only->check.config.type != HealthCheckType::CALCULATED) settle(*only);
    } else {
        for (auto& c : checks) {
            if (c->check.config.type != HealthCheckType::CALCULATED) settle(*c);
        }
    }
    // Children may not be CALCULATED (§8 pt 10), so one pass over the parents suffices.
    for (auto& c : calculated ? *calculated : checks) {
        if (c->check.config.type != HealthCheckType::CALCULATED) continue;
        auto [healthy, count] = healthy_children(*c, checks, config);
        int threshold = c->check.config.health_threshold.value_or(count);
        bool measured = calculated_healthy(healthy, count, threshold);
        if (measured != c->measured) {
            c->reason = std::to_string(healthy) + " of " + std::to_string(count) +
                        " children healthy, threshold " + std::to_string(threshold);
        }
        c->measured = measured;
        c->has_data = true;
        settle(*c);
    }
    return changed;
}

CheckStatus status_of(const CheckRuntime& check,
                      const std::vector<std::shared_ptr<CheckRuntime>>& checks,
                      const config::Config& config) {
    CheckStatus s;
    s.id = check.check.id;
    s.type = type_name(check.check.config.type);
    s.healthy = check.verdict;
    s.measured_healthy = check.measured;
    s.forced = check.forced;
    s.transitions = check.transitions;
    s.last_failure = check.last_failure;
    s.has_data = check.has_data;
    s.user_state = check.user_state;
    s.probes = check.probes;
    if (check.check.config.type == HealthCheckType::CALCULATED) {
        auto [healthy, count] = healthy_children(check, checks, config);
        s.percentage_healthy = count ? 100.0 * healthy / count : 100.0;
    } else if (!check.checkers.empty()) {
        s.percentage_healthy = 100.0 * check.healthy_checkers() / check.checkers.size();
    }
    for (const auto& c : check.checkers) {
        if (c->has_data) s.observations.push_back(c->observation);
    }
    return s;
}

std::string type_name(HealthCheckType type) {
    switch (type) {
        case HealthCheckType::HTTP:
            return "HTTP";
        case HealthCheckType::HTTPS:
            return "HTTPS";
        case HealthCheckType::HTTP_STR_MATCH:
            return "HTTP_STR_MATCH";
        case HealthCheckType::HTTPS_STR_MATCH:
            return "HTTPS_STR_MATCH";
        case HealthCheckType::TCP:
            return "TCP";
        case HealthCheckType::CALCULATED:
            return "CALCULATED";
        case HealthCheckType::CLOUDWATCH_METRIC:
            return "CLOUDWATCH_METRIC";
        case HealthCheckType::RECOVERY_CONTROL:
            return "RECOVERY_CONTROL";
    }
    return "UNKNOWN";
}

ProbeOutcome injected_outcome(InjectedResult result, const ProbePlan& plan) {
    std::string ip = plan.ip.value_or("0.0.0.0");
    switch (result) {
        case InjectedResult::Healthy:
            return {true, plan.type == HealthCheckType::TCP
                              ? "Success: TCP connection established. Resolved IP: " + ip
                              : outcome_text::http_status(true, 200, "OK", ip)};
        case InjectedResult::Unhealthy:
            return {false, plan.type == HealthCheckType::TCP
                               ? outcome_text::connection_refused(ip)
                               : outcome_text::http_status(false, 503, "Service Unavailable", ip)};
        case InjectedResult::Timeout:
            return {false, outcome_text::connection_timed_out(ip)};
    }
    return {false, "Failure: injected"};
}

}  // namespace r53::health
