#include "server/store/shapes.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <vector>

#include "config/parse.hpp"

namespace r53::server::route53 {
namespace json = boost::json;

namespace {

std::string number_text(double d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.10g", d);
    return buf;
}

bool probes_endpoint(config::HealthCheckType t) {
    using T = config::HealthCheckType;
    return t == T::HTTP || t == T::HTTPS || t == T::HTTP_STR_MATCH || t == T::HTTPS_STR_MATCH ||
           t == T::TCP;
}

YAML::Node to_yaml(const json::value& v) {
    switch (v.kind()) {
        case json::kind::object: {
            YAML::Node map(YAML::NodeType::Map);
            for (const auto& [k, child] : v.as_object()) map[std::string(k)] = to_yaml(child);
            return map;
        }
        case json::kind::array: {
            YAML::Node seq(YAML::NodeType::Sequence);
            for (const auto& child : v.as_array()) seq.push_back(to_yaml(child));
            return seq;
        }
        case json::kind::string:
            return YAML::Node(std::string(v.as_string()));
        case json::kind::bool_:
            return YAML::Node(std::string(v.as_bool() ? "true" : "false"));
        case json::kind::null:
            return YAML::Node();
        default:
            return YAML::Node(json::serialize(v));
    }
}

}  // namespace

std::string health_check_type_name(config::HealthCheckType t) {
    using T = config::HealthCheckType;
    switch (t) {
        case T::HTTP:
            return "HTTP";
        case T::HTTPS:
            return "HTTPS";
        case T::HTTP_STR_MATCH:
            return "HTTP_STR_MATCH";
        case T::HTTPS_STR_MATCH:
            return "HTTPS_STR_MATCH";
        case T::TCP:
            return "TCP";
        case T::CALCULATED:
            return "CALCULATED";
        case T::CLOUDWATCH_METRIC:
            return "CLOUDWATCH_METRIC";
        case T::RECOVERY_CONTROL:
            return "RECOVERY_CONTROL";
    }
    return "HTTP";
}

json::object record_set_json(const config::ResourceRecordSet& r) {
    json::object o;
    o["Name"] = r.name;
    o["Type"] = r.type;
    if (r.set_identifier) o["SetIdentifier"] = *r.set_identifier;
    if (r.weight) o["Weight"] = *r.weight;
    if (r.region) o["Region"] = *r.region;
    if (r.geo_location) {
        json::object g;
        if (r.geo_location->continent_code) g["ContinentCode"] = *r.geo_location->continent_code;
        if (r.geo_location->country_code) g["CountryCode"] = *r.geo_location->country_code;
        if (r.geo_location->subdivision_code)
            g["SubdivisionCode"] = *r.geo_location->subdivision_code;
        o["GeoLocation"] = std::move(g);
    }
    if (r.failover)
        o["Failover"] = *r.failover == config::FailoverRole::Primary ? "PRIMARY" : "SECONDARY";
    if (r.multi_value_answer) o["MultiValueAnswer"] = *r.multi_value_answer;
    if (r.ttl) o["TTL"] = *r.ttl;
    if (!r.alias_target) {
        json::array values;
        for (const auto& v : r.resource_records) values.push_back(json::object{{"Value", v}});
        o["ResourceRecords"] = std::move(values);
    } else {
        o["AliasTarget"] =
            json::object{{"HostedZoneId", r.alias_target->hosted_zone_id},
                         {"DNSName", r.alias_target->dns_name},
                         {"EvaluateTargetHealth", r.alias_target->evaluate_target_health}};
    }
    if (r.health_check_id) o["HealthCheckId"] = *r.health_check_id;
    if (r.cidr_routing_config)
        o["CidrRoutingConfig"] =
            json::object{{"CollectionId", r.cidr_routing_config->collection_id},
                         {"LocationName", r.cidr_routing_config->location_name}};
    if (r.geo_proximity_location) {
        const auto& g = *r.geo_proximity_location;
        json::object p;
        if (g.aws_region) p["AWSRegion"] = *g.aws_region;
        if (g.local_zone_group) p["LocalZoneGroup"] = *g.local_zone_group;
        if (g.coordinates)
            p["Coordinates"] = json::object{{"Latitude", number_text(g.coordinates->latitude)},
                                            {"Longitude", number_text(g.coordinates->longitude)}};
        p["Bias"] = g.bias;
        o["GeoProximityLocation"] = std::move(p);
    }
    return o;
}

json::object health_check_config_json(const config::HealthCheckConfig& c) {
    using T = config::HealthCheckType;
    json::object o;
    const bool endpoint = probes_endpoint(c.type);
    if (c.ip_address) o["IPAddress"] = *c.ip_address;
    if (endpoint && c.port) o["Port"] = *c.port;
    o["Type"] = health_check_type_name(c.type);
    if (c.resource_path) o["ResourcePath"] = *c.resource_path;
    if (c.fully_qualified_domain_name)
        o["FullyQualifiedDomainName"] = *c.fully_qualified_domain_name;
    if (c.search_string) o["SearchString"] = *c.search_string;
    if (c.type != T::RECOVERY_CONTROL) {
        o["RequestInterval"] = c.request_interval;
        o["FailureThreshold"] = c.failure_threshold;
    }
    o["MeasureLatency"] = c.measure_latency;
    o["Inverted"] = c.inverted;
    o["Disabled"] = c.disabled;
    if (c.health_threshold) o["HealthThreshold"] = *c.health_threshold;
    if (c.type == T::CALCULATED) {
        json::array children;
        for (const auto& id : c.child_health_checks) children.push_back(json::value(id));
        o["ChildHealthChecks"] = std::move(children);
    }
    if (endpoint) o["EnableSNI"] = c.enable_sni;
    if (endpoint) {
        json::array regions;
        for (const auto& r : c.regions) regions.push_back(json::value(r));
        o["Regions"] = std::move(regions);
    }
    if (c.alarm_identifier)
        o["AlarmIdentifier"] = json::object{{"Region", c.alarm_identifier->region},
                                            {"Name", c.alarm_identifier->name}};
    if (c.insufficient_data_health_status) {
        using I = config::InsufficientDataHealthStatus;
        auto s = *c.insufficient_data_health_status;
        o["InsufficientDataHealthStatus"] = s == I::Healthy     ? "Healthy"
                                            : s == I::Unhealthy ? "Unhealthy"
                                                                : "LastKnownStatus";
    }
    if (c.routing_control_arn) o["RoutingControlArn"] = *c.routing_control_arn;
    return o;
}

std::optional<config::ResourceRecordSet> record_set_from_json(const json::value& v,
                                                              config::Diagnostics& diagnostics) {
    config::ParseContext ctx;
    ctx.file = "route53-state";
    ctx.diagnostics = &diagnostics;
    return config::parse_resource_record_set(to_yaml(v), ctx);
}

std::optional<config::HealthCheckConfig> health_check_config_from_json(
    const json::value& v, config::Diagnostics& diagnostics) {
    config::ParseContext ctx;
    ctx.file = "route53-state";
    ctx.diagnostics = &diagnostics;
    return config::parse_health_check_config(to_yaml(v), ctx);
}

std::string reversed_labels(const std::string& name) {
    std::vector<std::string> labels;
    size_t start = 0;
    while (start < name.size()) {
        size_t dot = name.find('.', start);
        if (dot == std::string::npos) dot = name.size();
        labels.push_back(name.substr(start, dot - start));
        start = dot + 1;
    }
    std::string out;
    for (auto it = labels.rbegin(); it != labels.rend(); ++it) {
        if (!out.empty()) out += '\x01';  // below every name character, so parents sort first
        out += *it;
    }
    return out;
}

}  // namespace r53::server::route53
