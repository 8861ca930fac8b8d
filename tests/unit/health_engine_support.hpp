// Builds configs and an engine whose publications tests can inspect.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "healthcheck/engine.hpp"

namespace r53::health::testing {

inline config::HealthCheck http_check(const std::string& id, int port = 9) {
    config::HealthCheck hc;
    hc.id = id;
    hc.config.type = config::HealthCheckType::HTTP;
    hc.config.ip_address = "127.0.0.1";
    hc.config.port = port;
    hc.config.request_interval = 10;
    hc.config.failure_threshold = 3;
    hc.local.connect_timeout = config::Seconds(0.3);
    hc.local.response_timeout = config::Seconds(0.3);
    return hc;
}

inline config::HealthCheck cloudwatch_check(const std::string& id, const std::string& state) {
    config::HealthCheck hc;
    hc.id = id;
    hc.config.type = config::HealthCheckType::CLOUDWATCH_METRIC;
    hc.config.alarm_identifier = config::AlarmIdentifier{"us-east-1", "alarm-" + id};
    if (!state.empty()) hc.local.initial_state = state;
    return hc;
}

inline config::HealthCheck calculated_check(const std::string& id,
                                            std::vector<std::string> children, int threshold) {
    config::HealthCheck hc;
    hc.id = id;
    hc.config.type = config::HealthCheckType::CALCULATED;
    hc.config.child_health_checks = std::move(children);
    hc.config.health_threshold = threshold;
    return hc;
}

inline config::ConfigPtr make_config(std::vector<config::HealthCheck> checks,
                                     config::ClockMode mode = config::ClockMode::Manual) {
    auto c = std::make_shared<config::Config>();
    std::sort(checks.begin(), checks.end(),
              [](const auto& a, const auto& b) { return a.id < b.id; });
    c->health_checks = std::move(checks);
    c->local.clock.mode = mode;
    c->local.fleet.seed = 42;
    return c;
}

// Records every publication and transition line.
struct Recorder {
    mutable std::mutex mutex;
    std::vector<HealthTablePtr> tables;
    std::vector<std::string> lines;

    Engine::Publish publisher() {
        return [this](HealthTablePtr t) {
            std::lock_guard lock(mutex);
            tables.push_back(std::move(t));
        };
    }
    Engine::TransitionLog logger() {
        return [this](const std::string& line) {
            std::lock_guard lock(mutex);
            lines.push_back(line);
        };
    }
    HealthTablePtr last() const {
        std::lock_guard lock(mutex);
        return tables.empty() ? nullptr : tables.back();
    }
    std::vector<std::string> log() const {
        std::lock_guard lock(mutex);
        return lines;
    }
};

}  // namespace r53::health::testing
