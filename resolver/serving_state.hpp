// The one immutable snapshot a query reads: config, zones built from it, and health for its layout.
#pragma once

#include <cstdint>
#include <memory>

#include "config/model.hpp"
#include "healthcheck/health_table.hpp"

namespace r53::resolver {

class ZoneSet;

struct ServingState {
    uint64_t generation = 0;  // bumps on every publish (health or config)
    uint64_t config_generation = 0;
    config::ConfigPtr config;
    std::shared_ptr<const ZoneSet> zones;
    health::HealthTablePtr health;
};

using ServingStatePtr = std::shared_ptr<const ServingState>;

}  // namespace r53::resolver
