// Names of the places a geolocation record routes to, as AWS words them in its errors:
// "routing to [continent = (NA, North America)]".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace r53::config {

struct GeoName {
    const char* code;
    const char* name;
};

const std::vector<GeoName>& continent_names();  // the seven Route 53 continent codes
const std::vector<GeoName>& country_names();    // ISO 3166-1 alpha-2 (generated)
const std::vector<GeoName>& us_state_names();   // ISO 3166-2 US-XX without "US-" (generated)

std::optional<std::string> name_of(const std::vector<GeoName>& names, std::string_view code);

}  // namespace r53::config
