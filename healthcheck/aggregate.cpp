#include "healthcheck/aggregate.hpp"

namespace r53::health {

bool fleet_healthy(int healthy_checkers, int total_checkers) {
    if (total_checkers <= 0) return true;
    // Integer form of healthy / total > 0.18, exact at the boundary.
    return static_cast<long>(healthy_checkers) * 100 > static_cast<long>(total_checkers) * 18;
}

bool apply_modifiers(bool measured, bool disabled, bool inverted) {
    bool verdict = disabled ? true : measured;
    return inverted ? !verdict : verdict;
}

bool calculated_healthy(int healthy_children, int child_count, int health_threshold) {
    if (health_threshold <= 0) return true;
    if (health_threshold > child_count) return false;
    return healthy_children >= health_threshold;
}

bool cloudwatch_healthy(const std::string& state,
                        std::optional<config::InsufficientDataHealthStatus> insufficient,
                        std::optional<bool> last_known) {
    if (state == "OK") return true;
    if (state == "ALARM") return false;
    using config::InsufficientDataHealthStatus;
    switch (insufficient.value_or(InsufficientDataHealthStatus::LastKnownStatus)) {
        case InsufficientDataHealthStatus::Healthy:
            return true;
        case InsufficientDataHealthStatus::Unhealthy:
            return false;
        case InsufficientDataHealthStatus::LastKnownStatus:
            return last_known.value_or(true);
    }
    return true;
}

bool recovery_control_healthy(const std::string& state) {
    return state != "OFF";
}

}  // namespace r53::health
