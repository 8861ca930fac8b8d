// Health checks (semantics §1.2, §1.5, §6): Create/Get/List/Update/Delete/Count and the status
// APIs, validated by the config module exactly as HealthCheckConfig in a config file.
#include <algorithm>

#include "config/parse.hpp"
#include "server/control/control.hpp"
#include "server/route53_api/internal.hpp"
#include "server/route53_api/xml.hpp"
#include "server/store/shapes.hpp"
#include "server/store/store.hpp"

namespace r53::server::route53 {
namespace json = boost::json;

namespace {

json::object health_check_json(const CheckEntry& e) {
    return json::object{{"Id", e.check.id},
                        {"CallerReference", e.check.caller_reference.value_or(e.check.id)},
                        {"HealthCheckConfig", health_check_config_json(e.check.config)},
                        {"HealthCheckVersion", e.version}};
}

std::optional<config::HealthCheckConfig> parse_config(const YAML::Node& node,
                                                      config::Diagnostics& ds) {
    config::ParseContext ctx;
    ctx.file = "HealthCheckConfig";
    ctx.diagnostics = &ds;
    auto parsed = config::parse_health_check_config(node, ctx);
    if (config::has_errors(ds)) return std::nullopt;
    if (!parsed) ds.push_back({{}, "InvalidInput", "Invalid HealthCheckConfig", {}});
    return parsed;
}

// CALCULATED children must exist and must not be CALCULATED themselves (§8 point 10).
std::optional<HttpResponse> check_children(const Request& rq, const View& view,
                                           const config::HealthCheckConfig& c) {
    for (const auto& child : c.child_health_checks) {
        auto found = view.check(child);
        if (!found) return no_such_check(child, rq.version());
        if (found->check.config.type == config::HealthCheckType::CALCULATED)
            return invalid_input("Invalid parameter: the child health check " + child +
                                     " is a CALCULATED health check; calculated health checks "
                                     "cannot be children",
                                 rq.version());
    }
    return std::nullopt;
}

HttpResponse reply_check(const Request& rq, http::status status, const char* root,
                         const CheckEntry& e) {
    return xml_reply(status, root, {{"HealthCheck", health_check_json(e)}}, rq.version());
}

HttpResponse create_check(Request& rq) {
    HttpResponse error;
    auto body = read_body(rq, error);
    if (!body) return error;
    std::string reference = scalar(*body, "CallerReference");
    if (reference.empty())
        return invalid_input(
            "1 validation error detected: Value null at 'callerReference' failed "
            "to satisfy constraint: Member must not be null",
            rq.version());
    if (reference.size() > 64)
        return invalid_input("1 validation error detected: Value '" + reference +
                                 "' at 'callerReference' failed to satisfy constraint: Member "
                                 "must have length less than or equal to 64",
                             rq.version());
    YAML::Node node = (*body)["HealthCheckConfig"];
    if (!node.IsDefined() || !node.IsMap())
        return invalid_input(
            "1 validation error detected: Value null at 'healthCheckConfig' "
            "failed to satisfy constraint: Member must not be null",
            rq.version());
    config::Diagnostics ds;
    auto parsed = parse_config(node, ds);
    if (!parsed) return diagnostics_error(ds, rq.version());

    Mutation mutation(rq);
    const View& view = mutation.view();
    if (auto it = view.state->check_references.find(reference);
        it != view.state->check_references.end()) {
        auto existing = view.check(it->second);
        if (existing &&
            health_check_config_json(existing->check.config) == health_check_config_json(*parsed)) {
            auto res =
                reply_check(rq, http::status::created, "CreateHealthCheckResponse", *existing);
            res.set(http::field::location, rq.location("healthcheck/" + existing->check.id));
            return res;
        }
        return aws_error(http::status::conflict, "HealthCheckAlreadyExists",
                         "A health check with the specified CallerReference already exists, and "
                         "its configuration is different or it has been deleted.",
                         rq.version());
    }
    if (auto bad = check_children(rq, view, *parsed)) return *bad;
    CheckEntry entry;
    do {
        entry.check.id = random_uuid();
    } while (view.check(entry.check.id));
    entry.check.caller_reference = reference;
    entry.check.config = *parsed;
    entry.check.where.file = "route53-api";
    auto next = mutation.next();
    next->checks[entry.check.id] = entry;
    next->check_references[reference] = entry.check.id;
    if (auto failed = mutation.publish(next)) return *failed;
    auto res = reply_check(rq, http::status::created, "CreateHealthCheckResponse", entry);
    res.set(http::field::location, rq.location("healthcheck/" + entry.check.id));
    return res;
}

HttpResponse update_check(Request& rq, const std::string& id) {
    HttpResponse error;
    auto body = read_body(rq, error);
    if (!body) return error;
    Mutation mutation(rq);
    const View& view = mutation.view();
    auto entry = mutation.check(id, error);
    if (!entry) return error;

    static const std::vector<std::string> kMutable = {
        "IPAddress",       "Port",
        "ResourcePath",    "FullyQualifiedDomainName",
        "SearchString",    "FailureThreshold",
        "Inverted",        "Disabled",
        "HealthThreshold", "ChildHealthChecks",
        "EnableSNI",       "Regions",
        "AlarmIdentifier", "InsufficientDataHealthStatus"};
    static const std::vector<std::string> kResettable = {
        "ChildHealthChecks", "FullyQualifiedDomainName", "Regions", "ResourcePath"};
    json::object merged = health_check_config_json(entry->check.config);
    for (const auto& kv : *body) {
        std::string key = kv.first.Scalar();
        if (key == "HealthCheckVersion" || key == "ResetElements") continue;
        if (std::find(kMutable.begin(), kMutable.end(), key) == kMutable.end())
            return invalid_input(
                key == "Type" || key == "RequestInterval" || key == "MeasureLatency" ||
                        key == "RoutingControlArn"
                    ? "Invalid request: " + key +
                          " cannot be changed after a health check is created"
                    : "Unknown parameter in UpdateHealthCheckRequest: \"" + key + "\"",
                rq.version());
        merged[key] = node_json(kv.second);
    }
    if (YAML::Node resets = (*body)["ResetElements"]; resets.IsDefined()) {
        for (const auto& item : resets) {
            std::string element = item.IsScalar() ? item.Scalar() : "";
            if (std::find(kResettable.begin(), kResettable.end(), element) == kResettable.end())
                return invalid_input("1 validation error detected: Value '" + element +
                                         "' at 'resetElements.member' failed to satisfy "
                                         "constraint: Member must satisfy enum value set: "
                                         "[ChildHealthChecks, FullyQualifiedDomainName, Regions, "
                                         "ResourcePath]",
                                     rq.version());
            merged.erase(element);
        }
    }
    if (std::string v = scalar(*body, "HealthCheckVersion"); !v.empty()) {
        if (v != std::to_string(entry->version))
            return aws_error(http::status::conflict, "HealthCheckVersionMismatch",
                             "The value of HealthCheckVersion in the request doesn't match the "
                             "value of HealthCheckVersion in the health check.",
                             rq.version());
    }
    config::Diagnostics ds;
    auto parsed = health_check_config_from_json(merged, ds);
    if (!parsed || config::has_errors(ds)) return diagnostics_error(ds, rq.version());
    if (auto bad = check_children(rq, view, *parsed)) return *bad;
    if (std::find(parsed->child_health_checks.begin(), parsed->child_health_checks.end(), id) !=
        parsed->child_health_checks.end())
        return invalid_input("Invalid parameter: a health check cannot be its own child",
                             rq.version());
    entry->check.config = *parsed;
    ++entry->version;
    auto next = mutation.next();
    next->checks[id] = *entry;
    if (auto failed = mutation.publish(next)) return *failed;
    return reply_check(rq, http::status::ok, "UpdateHealthCheckResponse", *entry);
}

HttpResponse delete_check(Request& rq, const std::string& id) {
    HttpResponse error;
    Mutation mutation(rq);
    auto entry = mutation.check(id, error);
    if (!entry) return error;
    auto next = mutation.next();
    next->checks.erase(id);
    if (entry->from_file) next->deleted_checks.insert(id);
    next->tags.erase("healthcheck/" + id);
    if (auto failed = mutation.publish(next)) return *failed;
    return empty_reply(http::status::ok, "DeleteHealthCheckResponse", rq.version());
}

json::object observation_json(const health::Observation& o) {
    return json::object{{"Region", o.region},
                        {"IPAddress", o.checker_ip},
                        {"StatusReport", json::object{{"Status", o.status},
                                                      {"CheckedTime", iso8601(o.checked_at)}}}};
}

HttpResponse check_status(Request& rq, const std::string& id, bool failures_only) {
    if (!rq.control.store().view().check(id)) return no_such_check(id, rq.version());
    auto status = rq.control.health_status(id);
    json::array out;
    if (status) {
        for (const auto& o : status->observations) {
            if (o.status.empty() || o.checked_at.time_since_epoch().count() == 0) continue;
            if (failures_only && o.last_probe_ok) continue;
            out.push_back(observation_json(o));
        }
        // The engine keeps the latest failure even after the checker has recovered.
        if (failures_only && status->last_failure) {
            const auto& f = *status->last_failure;
            bool listed = std::any_of(status->observations.begin(), status->observations.end(),
                                      [&](const health::Observation& o) {
                                          return !o.last_probe_ok && o.region == f.region &&
                                                 o.checker == f.checker;
                                      });
            if (!listed) out.push_back(observation_json(f));
        }
    }
    return xml_reply(
        http::status::ok,
        failures_only ? "GetHealthCheckLastFailureReasonResponse" : "GetHealthCheckStatusResponse",
        {{"HealthCheckObservations", std::move(out)}}, rq.version());
}

HttpResponse list_checks(Request& rq) {
    HttpResponse error;
    auto limit = max_items(rq, 100, 1000, error);
    if (!limit) return error;
    auto checks = rq.control.store().view().checks();
    auto body = marker_page(
        rq, checks, *limit, "HealthChecks", [](const auto& c) { return c.check.id; },
        [](const auto& c) { return health_check_json(c); });
    return xml_reply(http::status::ok, "ListHealthChecksResponse", body, rq.version());
}

}  // namespace

HttpResponse handle_health_request(Request& rq) {
    const auto& s = rq.segments;
    const auto m = rq.method();
    if (s[0] == "healthcheckcount" && s.size() == 1 && m == http::verb::get) {
        auto count = static_cast<int64_t>(rq.control.store().view().checks().size());
        return xml_reply(http::status::ok, "GetHealthCheckCountResponse",
                         {{"HealthCheckCount", count}}, rq.version());
    }
    if (s[0] != "healthcheck") return unknown_operation(rq);
    if (s.size() == 1) {
        if (m == http::verb::post) return create_check(rq);
        if (m == http::verb::get) return list_checks(rq);
    } else if (s.size() == 2) {
        if (m == http::verb::get) {
            auto entry = rq.control.store().view().check(s[1]);
            if (!entry) return no_such_check(s[1], rq.version());
            return reply_check(rq, http::status::ok, "GetHealthCheckResponse", *entry);
        }
        if (m == http::verb::post) return update_check(rq, s[1]);
        if (m == http::verb::delete_) return delete_check(rq, s[1]);
    } else if (s.size() == 3 && m == http::verb::get) {
        if (s[2] == "status") return check_status(rq, s[1], false);
        if (s[2] == "lastfailurereason") return check_status(rq, s[1], true);
    }
    return unknown_operation(rq);
}

}  // namespace r53::server::route53
