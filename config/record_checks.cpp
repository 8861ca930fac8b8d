#include "config/record_checks.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>

#include "config/geo_names.hpp"
#include "config/suggest.hpp"
#include "config/yaml_util.hpp"

namespace r53::config {

namespace {

constexpr std::array<const char*, 7> kContinents = {"AF", "AN", "AS", "EU", "OC", "NA", "SA"};
// §2.3: ISO codes Route 53 does not support for geolocation.
constexpr std::array<const char*, 4> kUnsupportedCountries = {"BV", "CX", "EH", "HM"};

bool listed(const auto& values, const std::string& v) {
    return std::any_of(values.begin(), values.end(), [&](const char* s) { return v == s; });
}

bool upper_alnum(const std::string& s, size_t min, size_t max) {
    return s.size() >= min && s.size() <= max && std::all_of(s.begin(), s.end(), [](char c) {
               return std::isupper(static_cast<unsigned char>(c)) ||
                      std::isdigit(static_cast<unsigned char>(c));
           });
}

bool is_uuid(const std::string& s) {
    if (s.size() != 36) return false;
    for (size_t i = 0; i < s.size(); ++i) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash != (s[i] == '-')) return false;
        if (!dash && !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
    }
    return true;
}

// " (did you mean GB, United Kingdom?)" when the code written is a place's name, or "UK".
std::string code_hint(const std::vector<GeoName>& names, const std::string& written) {
    auto same = [](std::string_view a, std::string_view b) {
        if (a.size() != b.size()) return false;
        for (size_t i = 0; i < a.size(); ++i)
            if (std::tolower(static_cast<unsigned char>(a[i])) !=
                std::tolower(static_cast<unsigned char>(b[i])))
                return false;
        return true;
    };
    if (same(written, "UK")) return " (did you mean GB, United Kingdom?)";
    for (const auto& n : names)
        if (same(written, n.name) || (same(written, n.code) && written != n.code))
            return std::string(" (did you mean ") + n.code + ", " + n.name + "?)";
    std::vector<std::string> full_names;
    for (const auto& n : names) full_names.push_back(n.name);
    if (written.size() > 3)
        if (auto meant = nearest(written, full_names))
            for (const auto& n : names)
                if (*meant == n.name)
                    return std::string(" (did you mean ") + n.code + ", " + n.name + "?)";
    return "";
}

void geo_location(const GeoLocation& g, const std::string& label, std::vector<Problem>& out) {
    if (g.continent_code.has_value() == g.country_code.has_value())
        out.push_back({kInvalidInput,
                       "Invalid request: Expected exactly one of [ContinentCode, CountryCode] in "
                       "GeoLocation in Change with " +
                           label});
    const char* unsupported = "NoSuchGeoLocation";
    const std::string prefix =
        "Amazon Route 53 doesn't support the specified geographic location: ";
    if (g.continent_code && !listed(kContinents, *g.continent_code))
        out.push_back({unsupported, prefix + "ContinentCode=" + *g.continent_code +
                                        " (one of AF, AN, AS, EU, OC, NA, SA)" +
                                        code_hint(continent_names(), *g.continent_code)});
    if (g.country_code && *g.country_code != "*" &&
        (!upper_alnum(*g.country_code, 2, 2) || listed(kUnsupportedCountries, *g.country_code) ||
         !name_of(country_names(), *g.country_code)))
        out.push_back({unsupported, prefix + "CountryCode=" + *g.country_code +
                                        code_hint(country_names(), *g.country_code)});
    if (g.subdivision_code) {
        if (g.country_code != "US")
            out.push_back({kInvalidInput,
                           "Invalid request: SubdivisionCode requires CountryCode US in Change "
                           "with " +
                               label});
        else if (!upper_alnum(*g.subdivision_code, 1, 3))
            out.push_back(
                {unsupported, prefix + "CountryCode=US, SubdivisionCode=" + *g.subdivision_code});
    }
}

void geo_proximity(const GeoProximityLocation& g, const std::string& label,
                   std::vector<Problem>& out) {
    int given = (g.aws_region ? 1 : 0) + (g.local_zone_group ? 1 : 0) + (g.coordinates ? 1 : 0);
    if (given != 1)
        out.push_back({kInvalidInput,
                       "Invalid request: Expected exactly one of [AWSRegion, LocalZoneGroup, "
                       "Coordinates] in GeoProximityLocation in Change with " +
                           label});
    if (g.bias < -99 || g.bias > 99)
        out.push_back({kInvalidInput,
                       "Invalid request: Bias must be between -99 and 99 in Change with " + label});
    if (g.coordinates) {
        double lat = g.coordinates->latitude, lon = g.coordinates->longitude;
        if (std::abs(lat) > 90 || std::abs(lon) > 180)
            out.push_back({kInvalidInput,
                           "Invalid request: Coordinates out of range (Latitude -90..90, Longitude "
                           "-180..180) in Change with " +
                               label});
        auto two_decimals = [](double v) { return std::abs(v * 100 - std::round(v * 100)) < 1e-6; };
        if (!two_decimals(lat) || !two_decimals(lon))
            out.push_back({kInvalidInput,
                           "Invalid request: Coordinates take at most 2 decimal places in Change "
                           "with " +
                               label});
    }
}

void cidr_routing(const CidrRoutingConfig& c, const std::vector<CidrCollection>* collections,
                  std::vector<Problem>& out) {
    bool name_ok = !c.location_name.empty() && c.location_name.size() <= 16 &&
                   std::all_of(c.location_name.begin(), c.location_name.end(), [](char ch) {
                       return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' ||
                              ch == '-' || ch == '*';
                   });
    if (!name_ok)
        out.push_back(
            {kInvalidInput, constraint_message(c.location_name, "cidrRoutingConfig.locationName",
                                               "Member must satisfy regular expression pattern: "
                                               "[0-9A-Za-z_\\-\\*]+ and length 1-16")});
    if (!is_uuid(c.collection_id))
        out.push_back(
            {kInvalidInput,
             constraint_message(c.collection_id, "cidrRoutingConfig.collectionId",
                                "Member must satisfy regular expression pattern: "
                                "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{"
                                "12}")});
    const CidrCollection* found = nullptr;
    if (collections)
        for (const auto& col : *collections)
            if (col.id == c.collection_id) found = &col;
    if (!found)
        out.push_back({"NoSuchCidrCollectionException",
                       "The CIDR collection you specified, " + c.collection_id +
                           ", doesn't exist (declare it under local.cidr_collections)"});
    else if (c.location_name != "*" && !found->locations.count(c.location_name))
        out.push_back({"NoSuchCidrLocationException",
                       "The CIDR collection location you specified, " + c.location_name +
                           ", doesn't exist in collection " + c.collection_id});
}

}  // namespace

std::vector<Problem> routing_field_problems(const ResourceRecordSet& r, const std::string& label,
                                            const std::vector<CidrCollection>* collections) {
    std::vector<Problem> out;
    if (r.geo_location) geo_location(*r.geo_location, label, out);
    if (r.geo_proximity_location) geo_proximity(*r.geo_proximity_location, label, out);
    if (r.cidr_routing_config) cidr_routing(*r.cidr_routing_config, collections, out);
    return out;
}

std::optional<std::string> dns_name_problem(const std::string& name) {
    auto fatal = [&](const char* what) {
        return std::string("FATAL problem: ") + what + " encountered with '" + name + "'";
    };
    if (name.size() > 255) return fatal("DomainNameTooLong (Domain name is too long)");
    if (name == ".") return std::nullopt;
    size_t start = 0;
    while (start < name.size()) {
        size_t dot = name.find('.', start);
        if (dot == std::string::npos) dot = name.size();
        if (dot == start) return fatal("DomainLabelEmpty (Domain label is empty)");
        if (dot - start > 63) return fatal("DomainLabelTooLong (Domain label is too long)");
        start = dot + 1;
    }
    return std::nullopt;
}

}  // namespace r53::config
