// Routing of /2013-04-01/ and what every operation shares: bodies, errors, publishing, ChangeInfo.
#include "server/route53_api/api.hpp"

#include "server/control/control.hpp"
#include "server/route53_api/internal.hpp"
#include "server/route53_api/xml.hpp"
#include "server/store/store.hpp"

namespace r53::server {

namespace route53 {
namespace json = boost::json;

std::optional<std::string> Request::query(const std::string& key) const {
    auto it = route.query.find(key);
    if (it == route.query.end()) return std::nullopt;
    return it->second;
}

std::string Request::location(const std::string& rest) const {
    std::string host(route.raw[http::field::host]);
    if (host.empty()) host = control.admin_endpoint();
    return "http://" + host + "/2013-04-01/" + rest;
}

std::optional<YAML::Node> read_body(const Request& rq, HttpResponse& error) {
    std::string root, problem;
    auto node = parse_xml_request(rq.route.raw.body(), root, problem);
    if (!node)
        error = aws_error(http::status::bad_request, "MalformedInput",
                          "Could not parse the request body as XML: " + problem, rq.version());
    return node;
}

Mutation::Mutation(Request& rq)
    : rq_(rq), lock_(rq.control.store().write_mutex()), view_(rq.control.store().view()) {}

std::optional<ZoneEntry> Mutation::zone(const std::string& id, HttpResponse& error) const {
    auto zone = view_.zone(id);
    if (!zone) error = no_such_zone(id, rq_.version());
    return zone;
}

std::optional<CheckEntry> Mutation::check(const std::string& id, HttpResponse& error) const {
    auto check = view_.check(id);
    if (!check) error = no_such_check(id, rq_.version());
    return check;
}

HttpResponse invalid_input(const std::string& message, unsigned version) {
    return aws_error(http::status::bad_request, "InvalidInput", message, version);
}

HttpResponse no_such_zone(const std::string& id, unsigned version) {
    return aws_error(http::status::not_found, "NoSuchHostedZone",
                     "No hosted zone found with ID: " + id, version);
}

HttpResponse no_such_check(const std::string& id, unsigned version) {
    return aws_error(http::status::not_found, "NoSuchHealthCheck",
                     "A health check with id " + id + " does not exist.", version);
}

HttpResponse diagnostics_error(const config::Diagnostics& ds, unsigned version) {
    std::vector<const config::Diagnostic*> errors;
    for (const auto& d : ds)
        if (d.severity == config::Severity::Error) errors.push_back(&d);
    if (errors.empty()) return invalid_input("Invalid request", version);
    for (const auto* d : errors)
        if (d->code == "InvalidInput" || d->code == "ParamValidation")
            return invalid_input(d->message, version);
    for (const auto* d : errors)
        if (d->code != "InvalidChangeBatch")
            return aws_error(
                d->code.starts_with("NoSuch") ? http::status::not_found : http::status::bad_request,
                d->code, d->message, version);
    std::string joined = "[";
    for (size_t i = 0; i < errors.size(); ++i) {
        if (i) joined += ", ";
        joined += errors[i]->message;
    }
    return aws_error(http::status::bad_request, "InvalidChangeBatch", joined + "]", version);
}

std::optional<HttpResponse> publish(Request& rq, const StatePtr& previous, StatePtr next) {
    auto& store = rq.control.store();
    auto committed = store.commit(previous, next);
    using Status = CommitResult::Status;
    if (committed.status == Status::Conflict)
        // §4 "rate / concurrency": another replica changed what this batch was validated on.
        return aws_error(http::status::bad_request, "PriorRequestNotComplete",
                         "The request was rejected because Route 53 was still processing a "
                         "prior request.",
                         rq.version());
    if (committed.status == Status::Unavailable)
        return aws_error(http::status::service_unavailable, "ServiceUnavailable",
                         "The service is unavailable: " + committed.message +
                             ". Nothing was changed; retry later.",
                         rq.version());
    if (committed.status == Status::Failed)
        return aws_error(http::status::internal_server_error, "InternalFailure",
                         "the change could not be stored: " + committed.message, rq.version());
    config::Diagnostics ds;
    if (rq.control.republish(ds)) return std::nullopt;
    store.commit(next, previous);
    config::Diagnostics again;
    rq.control.republish(again);
    if (!config::has_errors(ds))
        return aws_error(http::status::internal_server_error, "InternalFailure",
                         "the change could not be served", rq.version());
    return diagnostics_error(ds, rq.version());
}

ChangeEntry record_change(State& state, const std::string& comment) {
    constexpr size_t kKeptChanges = 10000;  // GetChange of older ids answers NoSuchChange
    if (state.changes.size() >= kKeptChanges) {
        auto oldest = state.changes.begin();
        for (auto it = state.changes.begin(); it != state.changes.end(); ++it)
            if (it->second.submitted_at < oldest->second.submitted_at) oldest = it;
        state.changes.erase(oldest);
    }
    ChangeEntry c;
    do {
        c.id = random_id('C', 20);
    } while (state.changes.count(c.id));
    c.submitted_at = unix_now();
    c.comment = comment;
    state.changes[c.id] = c;
    return c;
}

json::object change_info(const Request& rq, const ChangeEntry& change, bool just_submitted) {
    double delay = rq.control.store().insync_delay();
    bool insync = !just_submitted && unix_now() - change.submitted_at >= delay &&
                  rq.control.store().applied_everywhere(change);
    json::object o{{"Id", "/change/" + change.id},
                   {"Status", insync ? "INSYNC" : "PENDING"},
                   {"SubmittedAt", iso8601(change.submitted_at)}};
    if (!change.comment.empty()) o["Comment"] = change.comment;
    return o;
}

std::string scalar(const YAML::Node& map, const char* key) {
    if (!map.IsMap()) return {};
    YAML::Node v = map[key];
    return v.IsDefined() && v.IsScalar() ? v.Scalar() : std::string();
}

json::value node_json(const YAML::Node& node) {
    if (node.IsMap()) {
        json::object o;
        for (const auto& kv : node) o[kv.first.Scalar()] = node_json(kv.second);
        return o;
    }
    if (node.IsSequence()) {
        json::array a;
        for (const auto& item : node) a.push_back(node_json(item));
        return a;
    }
    if (node.IsScalar()) return json::value(node.Scalar());
    return nullptr;
}

std::optional<size_t> max_items(const Request& rq, size_t fallback, size_t cap,
                                HttpResponse& error) {
    auto text = rq.query("maxitems");
    if (!text) return fallback;
    size_t n = 0;
    bool ok = !text->empty() && text->size() < 10;
    for (char c : *text) ok = ok && c >= '0' && c <= '9';
    if (ok) n = std::stoul(*text);
    if (!ok || n == 0) {
        error = invalid_input("1 validation error detected: Value '" + *text +
                                  "' at 'maxItems' failed to satisfy constraint: Member must be a "
                                  "positive integer",
                              rq.version());
        return std::nullopt;
    }
    return std::min(n, cap);
}

HttpResponse unknown_operation(const Request& rq) {
    return aws_error(http::status::bad_request, "InvalidAction",
                     "Unrecognized operation: " + std::string(rq.route.raw.method_string()) + " " +
                         rq.route.path,
                     rq.version());
}

namespace {

HttpResponse get_dnssec(Request& rq) {
    auto view = rq.control.store().view();
    if (!view.zone(rq.segments[1])) return no_such_zone(rq.segments[1], rq.version());
    return xml_reply(http::status::ok, "GetDNSSECResponse",
                     {{"Status", json::object{{"ServeSignature", "NOT_SIGNING"}}},
                      {"KeySigningKeys", json::array{}}},
                     rq.version());
}

HttpResponse checker_ip_ranges(Request& rq) {
    // Where GetHealthCheckStatus's stand-in checker addresses come from (documentation ranges).
    return xml_reply(
        http::status::ok, "GetCheckerIpRangesResponse",
        {{"CheckerIpRanges", json::array{"192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"}}},
        rq.version());
}

}  // namespace

}  // namespace route53

HttpResponse handle_route53_request(Control& control, const RouteRequest& request) {
    using namespace route53;
    Request rq{control, request, {}};
    std::string rest = request.path.substr(std::string("/2013-04-01/").size());
    size_t start = 0;
    while (start <= rest.size()) {
        size_t slash = rest.find('/', start);
        if (slash == std::string::npos) slash = rest.size();
        if (slash > start) rq.segments.push_back(rest.substr(start, slash - start));
        start = slash + 1;
    }
    const auto& s = rq.segments;
    const auto m = rq.method();
    try {
        if (!s.empty()) {
            const std::string& head = s[0];
            if (head == "hostedzone" && s.size() == 3 && s[2] == "rrset")
                return handle_record_request(rq);
            if (head == "hostedzone" && s.size() == 3 && s[2] == "dnssec" && m == http::verb::get)
                return get_dnssec(rq);
            if ((head == "hostedzone" && s.size() <= 2) || head == "hostedzonesbyname" ||
                head == "hostedzonecount" || (head == "change" && s.size() == 2))
                return handle_zone_request(rq);
            if (head == "healthcheck" || head == "healthcheckcount")
                return handle_health_request(rq);
            if (head == "tags") return handle_tag_request(rq);
            if (head == "testdnsanswer" && s.size() == 1 && m == http::verb::get)
                return handle_test_dns_answer(rq);
            if (head == "checkeripranges" && s.size() == 1 && m == http::verb::get)
                return checker_ip_ranges(rq);
        }
    } catch (const std::exception& e) {
        return aws_error(http::status::internal_server_error, "InternalFailure", e.what(),
                         rq.version());
    }
    return unknown_operation(rq);
}

}  // namespace r53::server
