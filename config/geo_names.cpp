#include "config/geo_names.hpp"

namespace r53::config {

const std::vector<GeoName>& continent_names() {
    static const std::vector<GeoName> names = {
        {"AF", "Africa"},  {"AN", "Antarctica"},    {"AS", "Asia"},          {"EU", "Europe"},
        {"OC", "Oceania"}, {"NA", "North America"}, {"SA", "South America"},
    };
    return names;
}

std::optional<std::string> name_of(const std::vector<GeoName>& names, std::string_view code) {
    for (const auto& n : names)
        if (code == n.code) return std::string(n.name);
    return std::nullopt;
}

}  // namespace r53::config
