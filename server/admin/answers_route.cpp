#include "server/admin/answers_route.hpp"

#include <map>
#include <set>
#include <sstream>

#include "server/admin/request_checks.hpp"
#include "server/control/control.hpp"

namespace r53::server {
namespace {

namespace json = boost::json;
using http::status;

constexpr size_t kMaxGroups = 500;  // each costs one explain(); the page shows the first ones
constexpr int kMaxAliasDepth = 8;

using GroupKey = std::pair<std::string, std::string>;          // owner, type
using Chosen = std::set<std::pair<std::string, std::string>>;  // "owner type", label

std::string rdata_of(const std::string& line) {  // "a. 60 IN A 192.0.2.1" -> "192.0.2.1"
    std::istringstream in(line);
    std::string token;
    for (int i = 0; i < 4 && (in >> token); ++i) {
    }
    std::string rest;
    std::getline(in >> std::ws, rest);
    return rest;
}

const char* policy_name(config::RoutingPolicy p) {
    switch (p) {
        case config::RoutingPolicy::Simple:
            return "simple";
        case config::RoutingPolicy::Weighted:
            return "weighted";
        case config::RoutingPolicy::Latency:
            return "latency";
        case config::RoutingPolicy::Failover:
            return "failover";
        case config::RoutingPolicy::Geolocation:
            return "geolocation";
        case config::RoutingPolicy::MultiValue:
            return "multivalue";
        case config::RoutingPolicy::Geoproximity:
            return "geoproximity";
        case config::RoutingPolicy::IpBased:
            return "ip-based";
    }
    return "simple";
}

// The routing fields of a record, with AWS's names.
json::object routing_of(const config::ResourceRecordSet& r) {
    json::object o;
    if (r.failover)
        o["Failover"] = *r.failover == config::FailoverRole::Primary ? "PRIMARY" : "SECONDARY";
    if (r.weight) o["Weight"] = *r.weight;
    if (r.region) o["Region"] = *r.region;
    if (r.multi_value_answer) o["MultiValueAnswer"] = *r.multi_value_answer;
    if (r.geo_location) {
        json::object g;
        if (r.geo_location->continent_code) g["ContinentCode"] = *r.geo_location->continent_code;
        if (r.geo_location->country_code) g["CountryCode"] = *r.geo_location->country_code;
        if (r.geo_location->subdivision_code)
            g["SubdivisionCode"] = *r.geo_location->subdivision_code;
        o["GeoLocation"] = std::move(g);
    }
    if (r.geo_proximity_location) {
        json::object g;
        const auto& p = *r.geo_proximity_location;
        if (p.aws_region) g["AWSRegion"] = *p.aws_region;
        if (p.local_zone_group) g["LocalZoneGroup"] = *p.local_zone_group;
        if (p.coordinates)
            g["Coordinates"] = {{"Latitude", p.coordinates->latitude},
                                {"Longitude", p.coordinates->longitude}};
        if (p.bias) g["Bias"] = p.bias;
        o["GeoProximityLocation"] = std::move(g);
    }
    if (r.cidr_routing_config)
        o["CidrRoutingConfig"] = {{"CollectionId", r.cidr_routing_config->collection_id},
                                  {"LocationName", r.cidr_routing_config->location_name}};
    return o;
}

struct TreeBuilder {
    const config::Config& config;
    const std::map<std::string, bool>& healthy;  // check id -> verdict as DNS sees it
    const Chosen& chosen;

    json::value health_of(const std::optional<std::string>& id) const {
        if (!id) return nullptr;
        auto it = healthy.find(*id);
        return it == healthy.end() ? json::value(nullptr) : json::value(it->second);
    }

    const config::HostedZone* zone_of(const std::string& name) const {
        const config::HostedZone* best = nullptr;
        for (const auto& z : config.zones) {
            const bool below =
                name == z.name || (name.size() > z.name.size() && name.ends_with("." + z.name));
            if (below && (!best || z.name.size() > best->name.size())) best = &z;
        }
        return best;
    }

    json::array nodes(const config::HostedZone& zone, const std::string& name,
                      const std::string& type, int depth) const {
        json::array out;
        for (const auto& r : zone.record_sets) {
            if (r.name != name || r.type != type) continue;
            const std::string label = r.set_identifier.value_or("(simple)");
            json::object n{{"label", label},
                           {"routing", routing_of(r)},
                           {"chosen", chosen.count({name + " " + type, label}) > 0}};
            if (r.set_identifier) n["set_identifier"] = *r.set_identifier;
            if (r.health_check_id) n["health_check_id"] = *r.health_check_id;
            n["healthy"] = health_of(r.health_check_id);
            if (r.alias_target) {
                const auto& a = *r.alias_target;
                json::object alias{{"dns_name", a.dns_name},
                                   {"hosted_zone_id", a.hosted_zone_id},
                                   {"evaluate_target_health", a.evaluate_target_health}};
                const config::HostedZone* target = zone_of(a.dns_name);
                if (target && target->id == zone.id && depth < kMaxAliasDepth) {
                    alias["target"] = "record";
                    n["children"] = nodes(*target, a.dns_name, type, depth + 1);
                } else {
                    alias["target"] = "aws";
                    for (const auto& t : config.local.alias_targets) {
                        std::string dns = t.dns_name;
                        if (!dns.ends_with(".")) dns += ".";
                        if (dns != a.dns_name) continue;
                        json::array values;
                        for (const auto& v : type == "AAAA" ? t.aaaa : t.a)
                            values.push_back(json::string(v));
                        alias["values"] = std::move(values);
                        if (t.health_check_id) {
                            alias["health_check_id"] = *t.health_check_id;
                            alias["healthy"] = health_of(t.health_check_id);
                        }
                    }
                }
                n["alias"] = std::move(alias);
            } else {
                json::array values;
                for (const auto& v : r.resource_records) values.push_back(json::string(v));
                n["values"] = std::move(values);
            }
            if (r.ttl) n["ttl"] = *r.ttl;
            out.push_back(std::move(n));
        }
        return out;
    }
};

json::array client_choices(const config::Config& config) {
    json::array out;
    const std::string fallback = config.local.default_client_address.value_or("127.0.0.1");
    out.push_back({{"address", fallback}, {"label", "default client (" + fallback + ")"}});
    for (const auto& p : config.local.client_locations) {
        std::string address = p.cidr.substr(0, p.cidr.find('/'));
        std::string label;
        for (const auto* part :
             {&p.continent_code, &p.country_code, &p.subdivision_code, &p.region})
            if (*part) label += (label.empty() ? "" : " ") + **part;
        out.push_back({{"address", address},
                       {"label", label.empty() ? p.cidr : label + " (" + p.cidr + ")"}});
    }
    // local.latency clients: the dashboard can show the answer from each one's point of view.
    for (const auto& p : config.local.latency) {
        if (!p.client) continue;
        std::string regions;
        for (const auto& r : p.regions) regions += (regions.empty() ? "" : ", ") + r;
        out.push_back({{"address", p.client->substr(0, p.client->find('/'))},
                       {"label", "latency [" + regions + "] (" + *p.client + ")"}});
    }
    return out;
}

const char* clock_mode(config::ClockMode m) {
    switch (m) {
        case config::ClockMode::Manual:
            return "manual";
        case config::ClockMode::Scaled:
            return "scaled";
        case config::ClockMode::Real:
            return "real";
    }
    return "real";
}

}  // namespace

std::vector<std::pair<std::string, std::string>> chosen_in_trace(
    const std::vector<std::string>& trace) {
    std::vector<std::pair<std::string, std::string>> out;
    std::vector<std::string> groups;  // the record group being decided, innermost last
    auto group_of = [](const std::string& line, size_t prefix) {
        // "record group app.example.com. A (failover, 2 records)" -> "app.example.com. A"
        const auto paren = line.find(" (", prefix);
        return line.substr(prefix, paren == std::string::npos ? std::string::npos : paren - prefix);
    };
    for (const auto& raw : trace) {
        const std::string line = raw.substr(std::min(raw.find_first_not_of(' '), raw.size()));
        if (line.starts_with("record group ")) {
            groups.assign(1, group_of(line, 13));
        } else if (line.starts_with("alias to ") && !line.starts_with("alias to AWS target")) {
            groups.push_back(group_of(line, 9));
        } else if (line.starts_with("alias target ") || line.starts_with("alias depth limit")) {
            if (groups.size() > 1) groups.pop_back();  // that alias branch gave nothing
        } else if (line.starts_with("chose '") && !groups.empty()) {
            const auto end = line.find('\'', 7);
            out.emplace_back(groups.back(), line.substr(7, end - 7));
            if (groups.size() > 1) groups.pop_back();  // the alias group is decided
        }
    }
    return out;
}

HttpResponse handle_answers(Control& control, const RouteRequest& r) {
    if (r.raw.method() != http::verb::get) return method_not_allowed(r, "GET");
    if (auto bad = unknown_parameter(r, {"client"})) return std::move(*bad);
    auto config = control.config();
    if (!config) return json_error(status::service_unavailable, "NotServing", "no config yet");
    const std::string client = r.query.count("client") ? r.query.at("client") : "";
    std::map<std::string, bool> healthy;
    for (const auto& s : control.health_statuses()) healthy[s.id] = s.healthy;

    json::array zones;
    size_t groups = 0;
    bool truncated = false;
    std::string client_used;
    for (const auto& zone : config->zones) {
        json::array out;
        std::set<GroupKey> seen;
        for (const auto& rs : zone.record_sets) {
            if (!seen.insert({rs.name, rs.type}).second) continue;
            if (++groups > kMaxGroups) {
                truncated = true;
                break;
            }
            auto e = control.explain(rs.name, rs.type, client);
            if (!e.ok) return json_error(status::bad_request, "BadRequest", e.error);
            client_used = e.client;
            Chosen chosen;
            const std::string key = rs.name + " " + rs.type;
            bool decided = false;
            for (auto& c : chosen_in_trace(e.trace)) {
                decided = decided || c.first == key;
                chosen.insert(std::move(c));
            }
            // A simple group has no choice to trace: its one record is the answer, if any.
            if (!decided && !e.answer.empty() && !rs.set_identifier)
                chosen.insert({key, "(simple)"});
            TreeBuilder tree{*config, healthy, chosen};
            json::array answer, trace;
            for (const auto& line : e.answer) answer.push_back(json::string(rdata_of(line)));
            for (const auto& line : e.trace) trace.push_back(json::string(line));
            out.push_back({{"name", rs.name},
                           {"type", rs.type},
                           {"policy", policy_name(config::policy_of(rs))},
                           {"rcode", e.rcode},
                           {"answer", std::move(answer)},
                           {"trace", std::move(trace)},
                           {"records", tree.nodes(zone, rs.name, rs.type, 0)}});
        }
        zones.push_back({{"id", zone.id}, {"name", zone.name}, {"record_sets", std::move(out)}});
        if (truncated) break;
    }
    json::object clock{{"mode", clock_mode(config->local.clock.mode)}};
    if (config->local.clock.mode == config::ClockMode::Scaled)
        clock["scale"] = config->local.clock.scale;
    return json_response(status::ok, {{"client", client_used},
                                      {"clients", client_choices(*config)},
                                      {"clock", std::move(clock)},
                                      {"truncated", truncated},
                                      {"zones", std::move(zones)}});
}

}  // namespace r53::server
