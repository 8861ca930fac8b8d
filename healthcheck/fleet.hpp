// The virtual checker fleet of one check (semantics §1.4 points 1 and 4, §8 point 7): regions x
// checkers per region, each with its own start offset inside the first interval.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/model.hpp"

namespace r53::health {

inline const std::vector<std::string>& all_checker_regions() {
    static const std::vector<std::string> regions = {
        "us-east-1",      "us-west-1",      "us-west-2",      "eu-west-1",
        "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1"};
    return regions;
}

struct CheckerSlot {
    std::string region;
    int index_in_region = 0;
    std::string checker_ip;     // stand-in address from the region's published checker ranges
    double start_fraction = 0;  // first probe at start_fraction x interval
};

// One slot per virtual checker. Regions empty means all eight; fleet.single_checker gives one.
// With fleet.seed the spread is even and reproducible; without it, start offsets are random.
std::vector<CheckerSlot> fleet_layout(const config::HealthCheck& check,
                                      const config::FleetSettings& fleet);

// A stand-in checker IP for checker `index` of `region` (GetHealthCheckStatus shows one per
// observation); unknown regions map into 192.0.2.0/24.
std::string stand_in_checker_ip(const std::string& region, int index);

}  // namespace r53::health
