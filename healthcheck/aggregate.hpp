// Pure verdict rules above one checker (semantics §1.4 points 3, 5, 6, 7 and §1.1).
#pragma once

#include <optional>
#include <string>

#include "config/model.hpp"

namespace r53::health {

// §1.4 pt 3: healthy iff more than 18 % of the checkers say healthy.
bool fleet_healthy(int healthy_checkers, int total_checkers);

// §1.4 pt 6: measured -> Disabled forces healthy -> Inverted flips.
bool apply_modifiers(bool measured, bool disabled, bool inverted);

// §1.4 pt 7: healthy iff #healthy children >= HealthThreshold; 0 is always healthy, a threshold
// above the child count always unhealthy.
bool calculated_healthy(int healthy_children, int child_count, int health_threshold);

// §1.1 CLOUDWATCH_METRIC: "OK" | "ALARM" | "INSUFFICIENT_DATA". `last_known` is the verdict of the
// last OK/ALARM state, nullopt when there was none (then LastKnownStatus means healthy, §1.2).
bool cloudwatch_healthy(const std::string& state,
                        std::optional<config::InsufficientDataHealthStatus> insufficient,
                        std::optional<bool> last_known);

// §1.1 RECOVERY_CONTROL: "ON" healthy, "OFF" unhealthy; no state yet is a new check (healthy).
bool recovery_control_healthy(const std::string& state);

}  // namespace r53::health
