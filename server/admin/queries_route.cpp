#include "server/admin/queries_route.hpp"

#include <charconv>
#include <cmath>
#include <ctime>
#include <optional>

#include "server/admin/request_checks.hpp"
#include "server/control/control.hpp"

namespace r53::server {
namespace {

namespace json = boost::json;
using http::status;

constexpr size_t kMaxLimit = 100'000;

// Unix seconds ("1513152962.13") or ISO 8601 UTC ("2017-12-13T08:16:02.130Z", fraction optional).
std::optional<int64_t> parse_since(const std::string& text) {
    double seconds = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (ec == std::errc() && end == text.data() + text.size() && std::isfinite(seconds) &&
        seconds >= 0 && seconds < 1e11)
        return static_cast<int64_t>(seconds * 1e9);
    std::tm tm{};
    const char* rest = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
    if (!rest) return std::nullopt;
    double fraction = 0;
    if (*rest == '.') {
        const char* start = rest;
        ++rest;
        while (*rest >= '0' && *rest <= '9') ++rest;
        fraction = std::strtod(std::string(start, rest).c_str(), nullptr);
    }
    if (std::string(rest) != "Z") return std::nullopt;
    const std::time_t t = timegm(&tm);
    if (t < 0) return std::nullopt;
    return static_cast<int64_t>(t) * 1'000'000'000 + static_cast<int64_t>(fraction * 1e9);
}

json::object record_json(const QueryRecord& r) {
    // Route 53's fields first, in its order; `time` (unix seconds) is for `since`.
    return {{"version", kQueryLogVersion},
            {"query_timestamp", r.timestamp},
            {"hosted_zone_id", r.hosted_zone_id},
            {"query_name", r.query_name},
            {"query_type", r.query_type},
            {"response_code", r.response_code},
            {"protocol", r.protocol},
            {"edge_location", r.edge_location},
            {"resolver_ip", r.resolver_ip},
            {"edns_client_subnet", r.edns_client_subnet},
            {"time", static_cast<double>(r.time_ns) / 1e9}};
}

}  // namespace

HttpResponse handle_queries(Control& control, const RouteRequest& r) {
    if (r.raw.method() != http::verb::get) return method_not_allowed(r, "GET");
    if (auto bad = unknown_parameter(r, {"name", "type", "since", "limit"})) return std::move(*bad);
    QueryFilter filter;
    if (auto it = r.query.find("name"); it != r.query.end()) filter.name = it->second;
    if (auto it = r.query.find("type"); it != r.query.end()) filter.type = it->second;
    if (auto it = r.query.find("since"); it != r.query.end() && !it->second.empty()) {
        auto since = parse_since(it->second);
        if (!since)
            return json_error(status::bad_request, "BadSince",
                              "since must be unix seconds or 2017-12-13T08:16:02.130Z");
        filter.since_ns = *since;
    }
    if (auto it = r.query.find("limit"); it != r.query.end()) {
        size_t limit = 0;
        const auto& v = it->second;
        auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), limit);
        if (ec != std::errc() || end != v.data() + v.size() || limit == 0 || limit > kMaxLimit)
            return json_error(status::bad_request, "BadLimit", "limit must be 1-100000");
        filter.limit = limit;
    }
    auto records = control.recent_queries(filter);
    if (!records)
        return json_error(status::conflict, "QueryLogOff",
                          "query logging is off (--query-log-buffer 0)");
    json::array out;
    for (const auto& record : *records) out.push_back(record_json(record));
    return json_response(status::ok, {{"count", out.size()}, {"queries", std::move(out)}});
}

}  // namespace r53::server
