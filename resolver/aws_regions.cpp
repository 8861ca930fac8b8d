#include "resolver/aws_regions.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace r53::resolver {
namespace {

struct RegionPosition {
    std::string_view name;
    double latitude, longitude;
};

// City-level positions of the latency regions (§2.1 Region enum).
constexpr std::array<RegionPosition, 39> kRegions{{
    {"us-east-1", 38.9, -77.4},      {"us-east-2", 40.0, -83.0},
    {"us-west-1", 37.4, -121.9},     {"us-west-2", 45.8, -119.7},
    {"ca-central-1", 45.5, -73.6},   {"ca-west-1", 51.0, -114.1},
    {"mx-central-1", 20.6, -100.4},  {"sa-east-1", -23.5, -46.6},
    {"eu-west-1", 53.3, -6.3},       {"eu-west-2", 51.5, -0.1},
    {"eu-west-3", 48.9, 2.4},        {"eu-central-1", 50.1, 8.7},
    {"eu-central-2", 47.4, 8.5},     {"eu-north-1", 59.3, 18.1},
    {"eu-south-1", 45.5, 9.2},       {"eu-south-2", 41.6, -0.9},
    {"il-central-1", 32.1, 34.8},    {"me-south-1", 26.1, 50.6},
    {"me-central-1", 25.2, 55.3},    {"af-south-1", -33.9, 18.4},
    {"ap-east-1", 22.3, 114.2},      {"ap-south-1", 19.1, 72.9},
    {"ap-south-2", 17.4, 78.5},      {"ap-northeast-1", 35.7, 139.7},
    {"ap-northeast-2", 37.6, 127.0}, {"ap-northeast-3", 34.7, 135.5},
    {"ap-southeast-1", 1.3, 103.8},  {"ap-southeast-2", -33.9, 151.2},
    {"ap-southeast-3", -6.2, 106.8}, {"ap-southeast-4", -37.8, 145.0},
    {"ap-southeast-5", 3.1, 101.7},  {"ap-southeast-7", 13.8, 100.5},
    {"ap-east-2", 25.0, 121.5},      {"cn-north-1", 39.9, 116.4},
    {"cn-northwest-1", 37.5, 105.2}, {"us-gov-west-1", 45.6, -121.2},
    {"us-gov-east-1", 40.0, -83.0},  {"eusc-de-east-1", 52.4, 13.1},
    {"ap-northeast-4", 43.1, 141.4},
}};

}  // namespace

std::optional<config::Coordinates> region_position(std::string_view region) noexcept {
    for (const auto& r : kRegions)
        if (r.name == region) return config::Coordinates{r.latitude, r.longitude};
    return std::nullopt;
}

std::optional<config::Coordinates> local_zone_group_position(std::string_view group) noexcept {
    for (const auto& r : kRegions)
        if (group.size() > r.name.size() && group.substr(0, r.name.size()) == r.name &&
            group[r.name.size()] == '-')
            return config::Coordinates{r.latitude, r.longitude};
    return std::nullopt;
}

double distance_km(const config::Coordinates& a, const config::Coordinates& b) noexcept {
    constexpr double kRadians = 3.14159265358979323846 / 180.0;
    constexpr double kEarthRadiusKm = 6371.0;
    double dlat = (b.latitude - a.latitude) * kRadians;
    double dlon = (b.longitude - a.longitude) * kRadians;
    double h = std::sin(dlat / 2) * std::sin(dlat / 2) +
               std::cos(a.latitude * kRadians) * std::cos(b.latitude * kRadians) *
                   std::sin(dlon / 2) * std::sin(dlon / 2);
    return 2 * kEarthRadiusKm * std::asin(std::sqrt(std::min(1.0, h)));
}

}  // namespace r53::resolver
