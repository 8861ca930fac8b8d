// Approximate positions of the AWS regions. Route 53 ranks latency records by measured latency,
// which is not available locally: the simulator ranks by great-circle distance between regions
// instead (Gap, §2.3 Latency), and geoproximity uses the same positions for AWSRegion (§2.3).
#pragma once

#include <optional>
#include <string_view>

#include "config/model.hpp"

namespace r53::resolver {

std::optional<config::Coordinates> region_position(std::string_view region) noexcept;

// A LocalZoneGroup ("us-east-1-bos-1") is placed at its parent region (Gap).
std::optional<config::Coordinates> local_zone_group_position(std::string_view group) noexcept;

// Great-circle distance in kilometres.
double distance_km(const config::Coordinates& a, const config::Coordinates& b) noexcept;

// Where a client with no location data is assumed to be: TestDNSAnswer's default resolver
// region (§2.4), us-east-1.
inline constexpr std::string_view kDefaultClientRegion = "us-east-1";

}  // namespace r53::resolver
