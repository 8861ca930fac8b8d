// The health state the query path reads: one flat slot per check, in Config::health_checks order.
// Pure data, no Asio, so the resolver can include it (design §4 rule 4).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

namespace r53::health {

inline constexpr uint32_t kNoHealthCheck = UINT32_MAX;  // a record without HealthCheckId

struct HealthTable {
    uint64_t config_generation = 0;  // the Config layout these slots belong to
    std::vector<uint8_t> healthy;    // final verdict (after Disabled, Inverted, overrides)

    // No health check = always healthy (semantics §2.2).
    bool is_healthy(uint32_t index) const noexcept {
        return index == kNoHealthCheck || index >= healthy.size() || healthy[index] != 0;
    }
};

using HealthTablePtr = std::shared_ptr<const HealthTable>;

}  // namespace r53::health
