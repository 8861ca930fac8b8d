// HealthCheckConfig: the aws CLI's client-side checks, then Route 53's server-side ones (§1.2).

#include <algorithm>
#include <array>

#include "config/ip_prefix.hpp"
#include "config/parse.hpp"
#include "config/suggest.hpp"
#include "config/yaml_util.hpp"

namespace r53::config {

namespace {

const std::vector<std::string> kFields = {"IPAddress",
                                          "Port",
                                          "Type",
                                          "ResourcePath",
                                          "FullyQualifiedDomainName",
                                          "SearchString",
                                          "RequestInterval",
                                          "FailureThreshold",
                                          "MeasureLatency",
                                          "Inverted",
                                          "Disabled",
                                          "HealthThreshold",
                                          "ChildHealthChecks",
                                          "EnableSNI",
                                          "Regions",
                                          "AlarmIdentifier",
                                          "InsufficientDataHealthStatus",
                                          "RoutingControlArn"};

}  // namespace

const std::vector<std::string>& health_check_config_fields() {
    return kFields;
}

namespace {

constexpr std::array<const char*, 8> kCheckerRegions = {
    "us-east-1",      "us-west-1",      "us-west-2",      "eu-west-1",
    "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1"};

struct TypeName {
    const char* name;
    HealthCheckType type;
};
constexpr std::array<TypeName, 8> kTypes = {
    {{"HTTP", HealthCheckType::HTTP},
     {"HTTPS", HealthCheckType::HTTPS},
     {"HTTP_STR_MATCH", HealthCheckType::HTTP_STR_MATCH},
     {"HTTPS_STR_MATCH", HealthCheckType::HTTPS_STR_MATCH},
     {"TCP", HealthCheckType::TCP},
     {"CALCULATED", HealthCheckType::CALCULATED},
     {"CLOUDWATCH_METRIC", HealthCheckType::CLOUDWATCH_METRIC},
     {"RECOVERY_CONTROL", HealthCheckType::RECOVERY_CONTROL}}};

bool is_http(HealthCheckType t) {
    return t == HealthCheckType::HTTP || t == HealthCheckType::HTTP_STR_MATCH;
}
bool is_https(HealthCheckType t) {
    return t == HealthCheckType::HTTPS || t == HealthCheckType::HTTPS_STR_MATCH;
}
bool is_str_match(HealthCheckType t) {
    return t == HealthCheckType::HTTP_STR_MATCH || t == HealthCheckType::HTTPS_STR_MATCH;
}
bool probes_endpoint(HealthCheckType t) {
    return is_http(t) || is_https(t) || t == HealthCheckType::TCP;
}

bool valid_ip(const std::string& s) {
    return parse_ip_prefix(s, PrefixForm::AddressOnly).has_value();
}

class Checker {
  public:
    Checker(MapReader& m, const ParseContext& ctx) : m_(m), ctx_(ctx) {}

    // botocore: values below `min` are rejected before anything is sent.
    void min_value(const std::string& key, std::optional<int64_t> v, int64_t min) {
        if (v && *v < min) {
            ok = false;
            ctx_.error(m_.node(key), kParamValidation,
                       "Invalid value for parameter " + m_.field_path(key) + ", value: " +
                           std::to_string(*v) + ", valid min value: " + std::to_string(min));
        }
    }
    // The server enforces `max`.
    void max_value(const std::string& key, std::optional<int64_t> v, int64_t max) {
        if (v && *v > max) {
            ok = false;
            ctx_.error(m_.node(key), kInvalidInput,
                       constraint_message(
                           std::to_string(*v), server_path(m_.field_path(key)),
                           "Member must have value less than or equal to " + std::to_string(max)));
        }
    }
    void max_length(const std::string& key, const std::optional<std::string>& v, size_t max) {
        if (v && v->size() > max) {
            ok = false;
            ctx_.error(m_.node(key), kInvalidInput,
                       constraint_message(
                           *v, server_path(m_.field_path(key)),
                           "Member must have length less than or equal to " + std::to_string(max)));
        }
    }
    void invalid(const std::string& key, const std::string& message) {
        ok = false;
        ctx_.error(m_.has(key) ? m_.node(key) : m_.self(), kInvalidInput, message);
    }

    bool ok = true;

  private:
    MapReader& m_;
    const ParseContext& ctx_;
};

std::string type_name(HealthCheckType t) {
    for (const auto& tn : kTypes)
        if (tn.type == t) return tn.name;
    return "?";
}

}  // namespace

std::optional<HealthCheckConfig> parse_health_check_config(const YAML::Node& input,
                                                           const ParseContext& ctx,
                                                           LocalCheckSettings* local) {
    // Nodes built from the shorthand have no mark: report them at the string's line.
    ParseContext inner = ctx;
    if (input.IsScalar() && input.Mark().line >= 0)
        inner.fallback_line = input.Mark().line + 1 + ctx.line_offset;
    YAML::Node node = input;
    if (input.IsScalar()) {
        auto parsed = parse_cli_shorthand(input.Scalar(), inner);
        if (!parsed) return std::nullopt;
        node.reset(*parsed);  // reset: operator= would write through to `input`
    }
    std::vector<std::string> handled;
    if (ctx.lenient) handled.push_back("RequestTimeout");
    MapReader m(node, inner, "HealthCheckConfig", kFields, FieldStyle::Aws, handled);
    if (!m.is_map()) return std::nullopt;
    Checker check(m, inner);

    if (ctx.lenient && m.has("RequestTimeout")) {
        auto seconds = scalar_to_double(m.node("RequestTimeout"));
        std::string how = "ignored";
        if (seconds && local) {
            local->response_timeout = Seconds(*seconds);
            how = "used as local.response_timeout = " + m.node("RequestTimeout").Scalar() + "s";
        }
        inner.warning(m.node("RequestTimeout"), kParamValidation,
                      "Unknown parameter in HealthCheckConfig: \"RequestTimeout\" (not a Route 53 "
                      "field; timeouts are fixed at 4 s connect, 2 s response); " +
                          how);
    }

    HealthCheckConfig c;
    auto type = m.string("Type", true);
    bool type_ok = false;
    if (type) {
        for (const auto& tn : kTypes)
            if (*type == tn.name) {
                c.type = tn.type;
                type_ok = true;
            }
    }
    auto ip = m.string("IPAddress");
    auto port = m.integer("Port");
    auto path = m.string("ResourcePath");
    auto fqdn = m.string("FullyQualifiedDomainName");
    auto search = m.string("SearchString");
    auto interval = m.integer("RequestInterval");
    auto threshold = m.integer("FailureThreshold");
    auto measure = m.boolean("MeasureLatency");
    auto inverted = m.boolean("Inverted");
    auto disabled = m.boolean("Disabled");
    auto health_threshold = m.integer("HealthThreshold");
    auto children = m.string_list("ChildHealthChecks");
    auto sni = m.boolean("EnableSNI");
    auto regions = m.string_list("Regions");
    auto insufficient = m.string("InsufficientDataHealthStatus");
    auto arn = m.string("RoutingControlArn");
    if (m.has("AlarmIdentifier")) {
        MapReader a(m.node("AlarmIdentifier"), inner, "HealthCheckConfig.AlarmIdentifier",
                    {"Region", "Name"}, FieldStyle::Aws);
        auto region = a.string("Region", true);
        auto name = a.string("Name", true);
        if (a.ok())
            c.alarm_identifier = AlarmIdentifier{*region, *name};
        else
            check.ok = false;
    }

    // Client side (botocore validate.py): minimums and list lengths.
    check.min_value("Port", port, 1);
    check.min_value("RequestInterval", interval, 10);
    check.min_value("FailureThreshold", threshold, 1);
    check.min_value("HealthThreshold", health_threshold, 0);
    if (regions && regions->size() < 3) {
        std::string text = "Invalid length for parameter HealthCheckConfig.Regions, value: " +
                           std::to_string(regions->size()) + ", valid min length: 3";
        if (ctx.lenient) {
            inner.warning(m.node("Regions"), kParamValidation,
                          text + "; kept as given: only " + std::to_string(regions->size()) +
                              " checker region(s) probe this endpoint");
        } else {
            check.ok = false;
            inner.error(m.node("Regions"), kParamValidation, text);
        }
    }
    if (arn && arn->empty()) {
        check.ok = false;
        inner.error(m.node("RoutingControlArn"), kParamValidation,
                    "Invalid length for parameter HealthCheckConfig.RoutingControlArn, value: 0, "
                    "valid min length: 1");
    }

    // Server side (InvalidInput).
    if (type && !type_ok)
        check.invalid("Type",
                      constraint_message(*type, "healthCheckConfig.type",
                                         "Member must satisfy enum value set: [HTTP, "
                                         "HTTPS, HTTP_STR_MATCH, HTTPS_STR_MATCH, TCP, "
                                         "CALCULATED, CLOUDWATCH_METRIC, RECOVERY_CONTROL]"));
    check.max_value("Port", port, 65535);
    check.max_value("RequestInterval", interval, 30);
    check.max_value("FailureThreshold", threshold, 10);
    check.max_value("HealthThreshold", health_threshold, 256);
    check.max_length("ResourcePath", path, 255);
    check.max_length("FullyQualifiedDomainName", fqdn, 255);
    check.max_length("SearchString", search, 255);
    check.max_length("IPAddress", ip, 45);
    check.max_length("RoutingControlArn", arn, 255);
    if (children && children->size() > 256)
        check.invalid("ChildHealthChecks",
                      constraint_message(std::to_string(children->size()) + " items",
                                         "healthCheckConfig.childHealthChecks",
                                         "Member must have length less than or equal to 256"));
    if (regions) {
        if (regions->size() > 64)
            check.invalid("Regions", constraint_message(std::to_string(regions->size()) + " items",
                                                        "healthCheckConfig.regions",
                                                        "Member must have length less than or "
                                                        "equal to 64"));
        for (const auto& r : *regions)
            if (std::find_if(kCheckerRegions.begin(), kCheckerRegions.end(),
                             [&](const char* s) { return r == s; }) == kCheckerRegions.end())
                check.invalid("Regions",
                              constraint_message(r, "healthCheckConfig.regions.member",
                                                 "Member must satisfy enum value set: [us-east-1, "
                                                 "us-west-1, us-west-2, eu-west-1, ap-southeast-1, "
                                                 "ap-southeast-2, ap-northeast-1, sa-east-1]") +
                                  did_you_mean(r, std::vector<std::string>(kCheckerRegions.begin(),
                                                                           kCheckerRegions.end())));
        for (size_t i = 0; i < regions->size(); ++i)
            for (size_t j = 0; j < i; ++j)
                if ((*regions)[i] == (*regions)[j])
                    check.invalid("Regions", "Invalid parameter: Regions lists '" + (*regions)[i] +
                                                 "' more than once");
    }
    if (ip && !valid_ip(*ip))
        check.invalid("IPAddress",
                      "Invalid IP address: '" + *ip + "' is not a valid IPv4 or IPv6 address");
    std::string range;
    if (ip && ctx.aws_refusals)
        if (auto address = parse_ip_prefix(*ip, PrefixForm::AddressOnly);
            address && is_special_purpose(*address, &range))
            inner.warning(m.node("IPAddress"), kInvalidInput,
                          "Route 53 would refuse IPAddress " + *ip + ", a " + range +
                              " address: Route 53 can't check the health of endpoints for which "
                              "the IP address is in local, private, non-routable, or multicast "
                              "ranges (RFC 5735, RFC 6598, RFC 5156). r53sim probes it (§8.30).");
    if (insufficient && *insufficient != "Healthy" && *insufficient != "Unhealthy" &&
        *insufficient != "LastKnownStatus")
        check.invalid(
            "InsufficientDataHealthStatus",
            constraint_message(*insufficient, "healthCheckConfig.insufficientDataHealthStatus",
                               "Member must satisfy enum value set: [Healthy, "
                               "Unhealthy, LastKnownStatus]"));
    if (type_ok) {
        const std::string t = type_name(c.type);
        if (probes_endpoint(c.type) && !ip && !fqdn)
            check.invalid("Type", "A health check of type " + t +
                                      " requires IPAddress or FullyQualifiedDomainName");
        if (c.type == HealthCheckType::TCP && !port)
            check.invalid("Type", "A health check of type TCP requires Port");
        if (is_str_match(c.type) && !search)
            check.invalid("Type", "A health check of type " + t + " requires SearchString");
        if (!is_str_match(c.type) && search)
            check.invalid("SearchString",
                          "SearchString is only allowed for health checks of "
                          "type HTTP_STR_MATCH or HTTPS_STR_MATCH, not " +
                              t);
        if (!probes_endpoint(c.type))
            for (const char* key :
                 {"IPAddress", "Port", "ResourcePath", "FullyQualifiedDomainName", "EnableSNI"})
                if (m.has(key))
                    check.invalid(key, std::string(key) +
                                           " is not allowed for health checks of "
                                           "type " +
                                           t);
        if (c.type != HealthCheckType::CALCULATED && (children || health_threshold))
            check.invalid(children ? "ChildHealthChecks" : "HealthThreshold",
                          "ChildHealthChecks and HealthThreshold are only allowed for health "
                          "checks of type CALCULATED");
        if (c.type == HealthCheckType::CALCULATED && !health_threshold)
            check.invalid("Type", "A health check of type CALCULATED requires HealthThreshold");
        if (c.type == HealthCheckType::CLOUDWATCH_METRIC && !c.alarm_identifier)
            check.invalid("Type",
                          "A health check of type CLOUDWATCH_METRIC requires AlarmIdentifier");
        if (c.type == HealthCheckType::RECOVERY_CONTROL && !arn)
            check.invalid("Type",
                          "A health check of type RECOVERY_CONTROL requires RoutingControlArn");
        if (c.type == HealthCheckType::RECOVERY_CONTROL && (interval || threshold))
            check.invalid(interval ? "RequestInterval" : "FailureThreshold",
                          "RequestInterval and FailureThreshold are not allowed for health checks "
                          "of type RECOVERY_CONTROL");
    }
    if (!check.ok || !m.ok() || !type_ok) return std::nullopt;

    c.ip_address = ip;
    c.port = port ? std::optional<int>(static_cast<int>(*port)) : std::nullopt;
    if (!c.port && is_http(c.type)) c.port = 80;  // Gap §1.2: the console's defaults
    if (!c.port && is_https(c.type)) c.port = 443;
    c.resource_path = path;
    c.fully_qualified_domain_name = fqdn;
    c.search_string = search;
    c.request_interval = static_cast<int>(interval.value_or(30));
    c.failure_threshold = static_cast<int>(threshold.value_or(3));
    c.measure_latency = measure.value_or(false);
    c.inverted = inverted.value_or(false);
    c.disabled = disabled.value_or(false);
    if (health_threshold) c.health_threshold = static_cast<int>(*health_threshold);
    if (children) c.child_health_checks = *children;
    c.enable_sni = sni.value_or(is_https(c.type));
    if (regions)
        c.regions = *regions;
    else
        c.regions.assign(kCheckerRegions.begin(), kCheckerRegions.end());
    if (insufficient) {
        c.insufficient_data_health_status =
            *insufficient == "Healthy"     ? InsufficientDataHealthStatus::Healthy
            : *insufficient == "Unhealthy" ? InsufficientDataHealthStatus::Unhealthy
                                           : InsufficientDataHealthStatus::LastKnownStatus;
    }
    c.routing_control_arn = arn;
    return c;
}

}  // namespace r53::config
