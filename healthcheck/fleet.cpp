#include "healthcheck/fleet.hpp"

#include <algorithm>
#include <map>
#include <random>

namespace r53::health {
namespace {

// Route 53 health checker ranges (ip-ranges.json, service ROUTE53_HEALTHCHECKS), two /26 per
// region; the stand-ins are taken from their first addresses.
struct RegionRanges {
    const char* first;
    const char* second;
};

const std::map<std::string, RegionRanges>& checker_ranges() {
    static const std::map<std::string, RegionRanges> ranges = {
        {"us-east-1", {"54.243.31.", "107.23.255."}},
        {"us-west-1", {"54.183.255.", "54.241.32."}},
        {"us-west-2", {"54.244.52.", "54.245.168."}},
        {"eu-west-1", {"54.228.16.", "176.34.159."}},
        {"ap-southeast-1", {"54.251.31.", "54.255.254."}},
        {"ap-southeast-2", {"54.252.79.", "54.252.254."}},
        {"ap-northeast-1", {"54.248.220.", "54.250.253."}},
        {"sa-east-1", {"54.232.40.", "177.71.207."}},
    };
    return ranges;
}

// Base host offsets of the /26 blocks above, so stand-ins stay inside the real ranges.
int block_base(const std::string& prefix) {
    static const std::map<std::string, int> bases = {
        {"54.243.31.", 192}, {"107.23.255.", 0},   {"54.183.255.", 128}, {"54.241.32.", 64},
        {"54.244.52.", 192}, {"54.245.168.", 0},   {"54.228.16.", 0},    {"176.34.159.", 192},
        {"54.251.31.", 128}, {"54.255.254.", 192}, {"54.252.79.", 128},  {"54.252.254.", 192},
        {"54.248.220.", 0},  {"54.250.253.", 192}, {"54.232.40.", 64},   {"177.71.207.", 128},
    };
    auto it = bases.find(prefix);
    return it == bases.end() ? 0 : it->second;
}

}  // namespace

std::string stand_in_checker_ip(const std::string& region, int index) {
    auto it = checker_ranges().find(region);
    if (it == checker_ranges().end()) return "192.0.2." + std::to_string(1 + index % 250);
    std::string prefix = index % 2 == 0 ? it->second.first : it->second.second;
    int host = block_base(prefix) + 1 + (index / 2) % 62;
    return prefix + std::to_string(host);
}

std::vector<CheckerSlot> fleet_layout(const config::HealthCheck& check,
                                      const config::FleetSettings& fleet) {
    const auto& regions =
        check.config.regions.empty() ? all_checker_regions() : check.config.regions;
    int per_region = fleet.single_checker ? 1 : std::max(1, fleet.checkers_per_region);
    std::vector<CheckerSlot> slots;
    if (fleet.single_checker) {
        slots.push_back({regions.front(), 0, stand_in_checker_ip(regions.front(), 0), 0});
        return slots;
    }
    const size_t n = regions.size() * per_region;
    for (size_t r = 0; r < regions.size(); ++r) {
        for (int k = 0; k < per_region; ++k) {
            // Even spread, regions interleaved: a region's checkers start apart, like
            // uncoordinated real checkers.
            double fraction = static_cast<double>(k * regions.size() + r) / n;
            slots.push_back({regions[r], k, stand_in_checker_ip(regions[r], k), fraction});
        }
    }
    if (!fleet.seed) {
        std::random_device device;
        std::mt19937_64 rng(device());
        std::uniform_real_distribution<double> spread(0.0, 1.0);
        for (auto& slot : slots) slot.start_fraction = spread(rng);
    }
    return slots;
}

}  // namespace r53::health
