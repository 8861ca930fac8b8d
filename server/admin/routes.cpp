#include "server/admin/routes.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <chrono>
#include <variant>

#include "server/admin/answers_route.hpp"
#include "server/admin/dashboard.hpp"
#include "server/admin/events.hpp"
#include "server/admin/fixture_routes.hpp"
#include "server/admin/metrics.hpp"
#include "server/admin/queries_route.hpp"
#include "server/admin/request_checks.hpp"
#include "server/admin/timeout.hpp"
#include "server/control/control.hpp"
#include "server/log.hpp"

namespace r53::server {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using http::status;

json::object observation_json(const health::Observation& o) {
    auto t = std::chrono::duration<double>(o.checked_at.time_since_epoch()).count();
    return {{"region", o.region},
            {"checker", o.checker},
            {"checker_ip", o.checker_ip},
            {"status", o.status},
            {"checked_at", t},
            {"latency", o.latency_seconds ? json::value(*o.latency_seconds) : json::value(nullptr)},
            {"healthy", o.healthy},
            {"last_probe_ok", o.last_probe_ok},
            {"consecutive_successes", o.consecutive_successes},
            {"consecutive_failures", o.consecutive_failures}};
}

json::object check_json(const health::CheckStatus& s, bool with_observations) {
    json::object o{{"id", s.id},
                   {"type", s.type},
                   {"status", s.healthy ? "healthy" : "unhealthy"},
                   {"healthy", s.healthy},
                   {"measured_healthy", s.measured_healthy},
                   {"forced", s.forced ? json::value(*s.forced ? "healthy" : "unhealthy")
                                       : json::value(nullptr)},
                   {"percentage_healthy", s.percentage_healthy},
                   {"transitions", s.transitions},
                   {"has_data", s.has_data}};
    if (!s.user_state.empty()) o["state"] = s.user_state;
    o["last_failure"] =
        s.last_failure ? json::value(observation_json(*s.last_failure)) : json::value(nullptr);
    if (with_observations) {
        json::array obs;
        for (const auto& ob : s.observations) obs.push_back(observation_json(ob));
        o["observations"] = std::move(obs);
    }
    return o;
}

HttpResponse no_such_check(const std::string& id) {
    return json_error(status::not_found, "NoSuchHealthCheck",
                      "no health check \"" + id + "\" (GET /v1/health-checks lists them)");
}

HttpResponse handle_override(Control& control, const RouteRequest& r, const std::string& id) {
    auto method = r.raw.method();
    if (method != http::verb::put && method != http::verb::delete_)
        return method_not_allowed(r, "PUT, DELETE");
    if (auto bad = unknown_parameter(r, {})) return std::move(*bad);
    if (method == http::verb::delete_) {
        if (!control.force_health(id, std::nullopt)) return no_such_check(id);
        log(LogLevel::Info, "override", "override cleared", {{"check", id}});
        return json_response(status::ok, check_json(*control.health_status(id), false));
    }
    auto body = body_object(r, {"status"}, R"({"status": "unhealthy"})");
    if (auto* bad = std::get_if<HttpResponse>(&body)) return std::move(*bad);
    auto* st = std::get<json::object>(body).if_contains("status");
    if (!st || !st->is_string() || (st->as_string() != "healthy" && st->as_string() != "unhealthy"))
        return json_error(status::bad_request, "BadStatus",
                          "\"status\" must be \"healthy\" or \"unhealthy\"");
    bool healthy = st->as_string() == "healthy";
    if (!control.force_health(id, healthy)) return no_such_check(id);
    log(LogLevel::Info, "override", "health forced",
        {{"check", id}, {"status", healthy ? "healthy" : "unhealthy"}});
    return json_response(status::ok, check_json(*control.health_status(id), false));
}

HttpResponse handle_state(Control& control, const RouteRequest& r, const std::string& id) {
    if (r.raw.method() != http::verb::put) return method_not_allowed(r, "PUT");
    if (auto bad = unknown_parameter(r, {})) return std::move(*bad);
    auto body = body_object(r, {"state"}, R"({"state": "ALARM"})");
    if (auto* bad = std::get_if<HttpResponse>(&body)) return std::move(*bad);
    auto* st = std::get<json::object>(body).if_contains("state");
    if (!st || !st->is_string())
        return json_error(status::bad_request, "BadState", "\"state\" must be a string");
    if (!control.health_status(id)) return no_such_check(id);
    auto err = control.set_health_state(id, std::string(st->as_string()));
    if (!err.empty()) return json_error(status::bad_request, "BadState", err);
    return json_response(status::ok, check_json(*control.health_status(id), false));
}

// A checker index as the body or the query gives it: a non-negative integer.
std::optional<int> checker_index(const json::value& v) {
    if (!v.is_int64() && !v.is_uint64()) return std::nullopt;
    auto n = v.to_number<int64_t>();
    if (n < 0 || n > 1'000'000) return std::nullopt;
    return static_cast<int>(n);
}

HttpResponse handle_inject(Control& control, const RouteRequest& r, const std::string& id) {
    if (r.raw.method() != http::verb::put && r.raw.method() != http::verb::delete_)
        return method_not_allowed(r, "PUT, DELETE");
    std::string region;
    int checker = -1;
    std::optional<health::InjectedResult> result;
    const auto bad_checker = [] {
        return json_error(status::bad_request, "BadChecker",
                          "\"checker\" must be a checker's index (0, 1, ...)");
    };
    if (r.raw.method() == http::verb::put) {
        if (auto bad = unknown_parameter(r, {})) return std::move(*bad);
        auto body = body_object(r, {"region", "checker", "result"},
                                R"({"region": "us-east-1", "result": "timeout"})");
        if (auto* bad = std::get_if<HttpResponse>(&body)) return std::move(*bad);
        const auto& o = std::get<json::object>(body);
        if (auto* v = o.if_contains("region")) {
            if (!v->is_string())
                return json_error(status::bad_request, "BadRegion", "\"region\" must be a string");
            region = v->as_string();
        }
        if (auto* v = o.if_contains("checker")) {
            auto index = checker_index(*v);
            if (!index) return bad_checker();
            checker = *index;
        }
        auto* res = o.if_contains("result");
        std::string text = res && res->is_string() ? std::string(res->as_string()) : "";
        if (text == "healthy")
            result = health::InjectedResult::Healthy;
        else if (text == "unhealthy")
            result = health::InjectedResult::Unhealthy;
        else if (text == "timeout")
            result = health::InjectedResult::Timeout;
        else
            return json_error(status::bad_request, "BadResult",
                              "\"result\" must be healthy, unhealthy or timeout");
    } else {
        if (auto bad = unknown_parameter(r, {"region", "checker"})) return std::move(*bad);
        region = r.query.count("region") ? r.query.at("region") : "";
        if (auto c = r.query.find("checker"); c != r.query.end()) {
            const auto& text = c->second;
            auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), checker);
            if (ec != std::errc() || end != text.data() + text.size() || checker < 0)
                return bad_checker();
        }
    }
    if (!control.health_status(id)) return no_such_check(id);
    if (!control.inject_result(id, region, checker, result))
        return json_error(status::not_found, "NoSuchChecker",
                          "health check \"" + id + "\" has no checker in region \"" + region +
                              "\"" +
                              (checker >= 0 ? " with index " + std::to_string(checker) : ""));
    return json_response(status::ok, check_json(*control.health_status(id), true));
}

asio::awaitable<HttpResponse> handle_wait(Control& control, const RouteRequest& r) {
    if (auto bad = unknown_parameter(r, {"check", "status", "timeout"})) co_return std::move(*bad);
    auto check = r.query.find("check");
    auto want = r.query.find("status");
    if (check == r.query.end() || want == r.query.end() ||
        (want->second != "healthy" && want->second != "unhealthy"))
        co_return json_error(status::bad_request, "BadRequest",
                             "need check=ID and status=healthy|unhealthy");
    auto timeout = parse_timeout(r.query.count("timeout") ? r.query.at("timeout") : "30s");
    if (!timeout)
        co_return json_error(status::bad_request, "BadTimeout",
                             "timeout must be like 5s, 250ms or 2m (at most a day)");
    bool want_healthy = want->second == "healthy";
    auto deadline = std::chrono::steady_clock::now() + *timeout;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
        auto s = control.health_status(check->second);
        if (!s) co_return no_such_check(check->second);
        if (s->healthy == want_healthy) co_return json_response(status::ok, check_json(*s, false));
        if (std::chrono::steady_clock::now() >= deadline) {
            // The error, beside the check's last state: what a test prints when it fails.
            json::object o = check_json(*s, false);
            o["error"] = {{"code", "Timeout"},
                          {"message", "health check \"" + check->second + "\" was not " +
                                          want->second + " before the timeout"}};
            co_return json_response(status::request_timeout, o);
        }
        // Polling the engine's published state is cheap, and keeps waiting off the engine thread.
        timer.expires_after(std::chrono::milliseconds(5));
        co_await timer.async_wait(asio::use_awaitable);
    }
}

HttpResponse handle_explain(Control& control, const RouteRequest& r) {
    if (auto bad = unknown_parameter(r, {"name", "type", "client"})) return std::move(*bad);
    auto name = r.query.find("name");
    if (name == r.query.end() || name->second.empty())
        return json_error(status::bad_request, "BadRequest", "need name=... (and type=, client=)");
    std::string type = r.query.count("type") ? r.query.at("type") : "A";
    std::string client = r.query.count("client") ? r.query.at("client") : "";
    auto e = control.explain(name->second, type, client);
    if (!e.ok) return json_error(status::bad_request, "BadRequest", e.error);
    auto arr = [](const std::vector<std::string>& v) {
        json::array a;
        for (const auto& s : v) a.push_back(json::string(s));
        return a;
    };
    return json_response(status::ok, {{"name", name->second},
                                      {"type", type},
                                      {"client", e.client},
                                      {"rcode", e.rcode},
                                      {"authoritative", e.authoritative},
                                      {"answer", arr(e.answer)},
                                      {"authority", arr(e.authority)},
                                      {"additional", arr(e.additional)},
                                      {"trace", arr(e.trace)}});
}

HttpResponse handle_reload(Control& control) {
    auto out = control.reload();
    json::array errors, warnings;
    for (const auto& d : out.diagnostics)
        (d.severity == config::Severity::Error ? errors : warnings)
            .push_back(json::string(config::format(d)));
    json::object body{{"ok", out.ok}};
    if (!out.ok) {
        // The first error in the one error shape; every error and warning in the lists beside.
        std::string first =
            errors.empty() ? "the config was refused" : errors[0].as_string().c_str();
        if (errors.size() > 1) first += " (and " + std::to_string(errors.size() - 1) + " more)";
        body["error"] = {{"code", "InvalidConfiguration"},
                         {"message", "reload refused, the old config keeps serving: " + first}};
    }
    body["errors"] = std::move(errors);
    body["warnings"] = std::move(warnings);
    if (out.ok) body["generation"] = out.config_generation;
    return json_response(out.ok ? status::ok : status::unprocessable_entity, body);
}

HttpResponse handle_advance(Control& control, const RouteRequest& r) {
    auto body = body_object(r, {"seconds"}, R"({"seconds": 30})");
    if (auto* bad = std::get_if<HttpResponse>(&body)) return std::move(*bad);
    auto* sec = std::get<json::object>(body).if_contains("seconds");
    // Bounded: the clock walks every probe due in the span while this request waits (40000 s
    // took over 10 s with two checks), and a huge span would overflow the clock's integer ticks.
    constexpr double kMaxAdvanceSeconds = 3600;
    double seconds = sec && sec->is_number() ? sec->to_number<double>() : -1;
    if (!(seconds >= 0 && seconds <= kMaxAdvanceSeconds))
        return json_error(status::bad_request, "BadSeconds",
                          "\"seconds\" must be a number from 0 to 3600");
    if (!control.advance_clock(seconds))
        return json_error(status::conflict, "NotManualClock",
                          "the clock is not manual (start with --manual-clock)");
    return json_response(status::ok, {{"advanced", seconds}});
}

}  // namespace

asio::awaitable<HttpResponse> handle_admin_request(Control& control, const RouteRequest& r) {
    const auto method = r.raw.method();
    const std::string& p = r.path;
    // The method and query a route without a body takes: the 405 or 400 to answer, or null.
    auto refuse = [&](http::verb v, const char* allow,
                      Names params = {}) -> std::optional<HttpResponse> {
        if (method != v) return method_not_allowed(r, allow);
        return unknown_parameter(r, params);
    };

    if (p == "/healthz") {
        if (auto bad = refuse(http::verb::get, "GET")) co_return std::move(*bad);
        co_return json_response(status::ok, {{"status", "ok"}});
    }
    if (p == "/readyz") {
        if (auto bad = refuse(http::verb::get, "GET")) co_return std::move(*bad);
        if (control.ready()) co_return json_response(status::ok, {{"ready", true}});
        json::object body = json_error_body(
            "NotReady",
            "not ready yet: the listeners are starting or a health check has no first result");
        body["ready"] = false;
        co_return json_response(status::service_unavailable, body);
    }
    if (p == "/metrics") {
        // No query check: Prometheus scrape configs may add parameters of their own.
        if (method != http::verb::get) co_return method_not_allowed(r, "GET");
        HttpResponse res{status::ok, 11};
        res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
        res.body() = render_metrics(control);
        co_return res;
    }
    if (p == "/v1/health-checks") {
        if (auto bad = refuse(http::verb::get, "GET")) co_return std::move(*bad);
        json::array all;
        for (const auto& s : control.health_statuses()) all.push_back(check_json(s, true));
        co_return json_response(status::ok, {{"health_checks", all}});
    }
    constexpr std::string_view kChecks = "/v1/health-checks/";
    if (p.starts_with(kChecks) && p.size() > kChecks.size()) {
        std::string rest = p.substr(kChecks.size());
        auto slash = rest.find('/');
        std::string id = rest.substr(0, slash);
        std::string sub = slash == std::string::npos ? "" : rest.substr(slash + 1);
        if (sub == "override") co_return handle_override(control, r, id);
        if (sub == "state") co_return handle_state(control, r, id);
        if (sub == "inject") co_return handle_inject(control, r, id);
        if (!sub.empty() || id.empty())
            co_return json_error(status::not_found, "NoSuchRoute", "no route " + p);
        if (auto bad = refuse(http::verb::get, "GET")) co_return std::move(*bad);
        auto s = control.health_status(id);
        if (!s) co_return no_such_check(id);
        co_return json_response(status::ok, check_json(*s, true));
    }
    if (p == "/v1/explain") {
        if (method != http::verb::get) co_return method_not_allowed(r, "GET");
        co_return handle_explain(control, r);
    }
    if (p == "/v1/wait") {
        // GET waits for a health check's status, POST for a DNS answer.
        if (method == http::verb::post) {
            if (auto bad = unknown_parameter(r, {})) co_return std::move(*bad);
            co_return co_await handle_wait_for_answer(control, r);
        }
        if (method != http::verb::get) co_return method_not_allowed(r, "GET, POST");
        co_return co_await handle_wait(control, r);
    }
    if (p == "/v1/clock") {
        if (auto bad = refuse(http::verb::get, "GET")) co_return std::move(*bad);
        co_return handle_clock(control);
    }
    if (p == "/v1/zones") {
        if (auto bad = refuse(http::verb::get, "GET")) co_return std::move(*bad);
        co_return handle_zones(control);
    }
    if (p == "/v1/queries") co_return handle_queries(control, r);
    if (p == "/v1/answers") co_return handle_answers(control, r);
    if (p == "/v1/events") co_return co_await handle_events(control, r);
    if (p == "/v1/events/history") co_return handle_event_history(control, r);
    if (p == "/v1/reload") {
        if (auto bad = refuse(http::verb::post, "POST")) co_return std::move(*bad);
        co_return handle_reload(control);
    }
    if (p == "/v1/clock/advance") {
        if (auto bad = refuse(http::verb::post, "POST")) co_return std::move(*bad);
        co_return handle_advance(control, r);
    }
    if (auto page = handle_dashboard(r)) co_return std::move(*page);
    co_return json_error(status::not_found, "NoSuchRoute", "no route " + p);
}

}  // namespace r53::server
