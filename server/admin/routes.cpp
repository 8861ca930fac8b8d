#include "server/admin/routes.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <chrono>

#include "server/admin/answers_route.hpp"
#include "server/admin/dashboard.hpp"
#include "server/admin/events.hpp"
#include "server/admin/fixture_routes.hpp"
#include "server/admin/metrics.hpp"
#include "server/admin/queries_route.hpp"
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

std::optional<json::value> parse_body(const HttpRequest& req) {
    boost::system::error_code ec;
    auto v = json::parse(req.body(), ec);
    if (ec) return std::nullopt;
    return v;
}

HttpResponse method_not_allowed(const char* allow) {
    auto res = json_error(status::method_not_allowed, "MethodNotAllowed",
                          std::string("allowed: ") + allow);
    res.set(http::field::allow, allow);
    return res;
}

HttpResponse handle_override(Control& control, const RouteRequest& r, const std::string& id) {
    auto method = r.raw.method();
    if (method == http::verb::delete_) {
        if (!control.force_health(id, std::nullopt))
            return json_error(status::not_found, "NoSuchHealthCheck", "no health check " + id);
        log(LogLevel::Info, "override", "override cleared", {{"check", id}});
        return json_response(status::ok, check_json(*control.health_status(id), false));
    }
    if (method != http::verb::put) return method_not_allowed("PUT, DELETE");
    auto body = parse_body(r.raw);
    if (!body || !body->is_object())
        return json_error(status::bad_request, "BadJson", "body must be a JSON object");
    auto* st = body->as_object().if_contains("status");
    if (!st || !st->is_string() || (st->as_string() != "healthy" && st->as_string() != "unhealthy"))
        return json_error(status::bad_request, "BadStatus",
                          "\"status\" must be \"healthy\" or \"unhealthy\"");
    bool healthy = st->as_string() == "healthy";
    if (!control.force_health(id, healthy))
        return json_error(status::not_found, "NoSuchHealthCheck", "no health check " + id);
    log(LogLevel::Info, "override", "health forced",
        {{"check", id}, {"status", healthy ? "healthy" : "unhealthy"}});
    return json_response(status::ok, check_json(*control.health_status(id), false));
}

HttpResponse handle_state(Control& control, const RouteRequest& r, const std::string& id) {
    if (r.raw.method() != http::verb::put) return method_not_allowed("PUT");
    auto body = parse_body(r.raw);
    auto* st = body && body->is_object() ? body->as_object().if_contains("state") : nullptr;
    if (!st || !st->is_string())
        return json_error(status::bad_request, "BadJson", "body must be {\"state\": \"...\"}");
    if (!control.health_status(id))
        return json_error(status::not_found, "NoSuchHealthCheck", "no health check " + id);
    auto err = control.set_health_state(id, std::string(st->as_string()));
    if (!err.empty()) return json_error(status::bad_request, "BadState", err);
    return json_response(status::ok, check_json(*control.health_status(id), false));
}

HttpResponse handle_inject(Control& control, const RouteRequest& r, const std::string& id) {
    if (r.raw.method() != http::verb::put && r.raw.method() != http::verb::delete_)
        return method_not_allowed("PUT, DELETE");
    std::string region;
    int checker = -1;
    std::optional<health::InjectedResult> result;
    if (r.raw.method() == http::verb::put) {
        auto body = parse_body(r.raw);
        if (!body || !body->is_object())
            return json_error(status::bad_request, "BadJson", "body must be a JSON object");
        const auto& o = body->as_object();
        if (auto* v = o.if_contains("region"); v && v->is_string()) region = v->as_string();
        if (auto* v = o.if_contains("checker"); v && v->is_int64())
            checker = static_cast<int>(v->as_int64());
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
        region = r.query.count("region") ? r.query.at("region") : "";
        if (auto c = r.query.find("checker"); c != r.query.end()) {
            const auto& text = c->second;
            auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), checker);
            if (ec != std::errc() || end != text.data() + text.size() || checker < 0)
                return json_error(status::bad_request, "BadChecker", "checker must be an index");
        }
    }
    if (!control.inject_result(id, region, checker, result))
        return json_error(status::not_found, "NoSuchHealthCheck",
                          "no health check " + id + " (or no such region/checker)");
    return json_response(status::ok, check_json(*control.health_status(id), true));
}

asio::awaitable<HttpResponse> handle_wait(Control& control, const RouteRequest& r) {
    auto check = r.query.find("check");
    auto want = r.query.find("status");
    if (check == r.query.end() || want == r.query.end() ||
        (want->second != "healthy" && want->second != "unhealthy"))
        co_return json_error(status::bad_request, "BadRequest",
                             "need check=ID and status=healthy|unhealthy");
    auto timeout = parse_timeout(r.query.count("timeout") ? r.query.at("timeout") : "30s");
    if (!timeout)
        co_return json_error(status::bad_request, "BadTimeout", "timeout like 5s or 250ms");
    bool want_healthy = want->second == "healthy";
    auto deadline = std::chrono::steady_clock::now() + *timeout;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
        auto s = control.health_status(check->second);
        if (!s)
            co_return json_error(status::not_found, "NoSuchHealthCheck",
                                 "no health check " + check->second);
        if (s->healthy == want_healthy) co_return json_response(status::ok, check_json(*s, false));
        if (std::chrono::steady_clock::now() >= deadline) {
            json::object o = check_json(*s, false);
            o["error"] = {{"code", "Timeout"}, {"message", "state not reached before the timeout"}};
            co_return json_response(status::request_timeout, o);
        }
        // Polling the engine's published state is cheap, and keeps waiting off the engine thread.
        timer.expires_after(std::chrono::milliseconds(5));
        co_await timer.async_wait(asio::use_awaitable);
    }
}

HttpResponse handle_explain(Control& control, const RouteRequest& r) {
    auto name = r.query.find("name");
    if (name == r.query.end() || name->second.empty())
        return json_error(status::bad_request, "BadRequest", "need name=...");
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
    json::object body{{"ok", out.ok}, {"errors", errors}, {"warnings", warnings}};
    if (out.ok) body["generation"] = out.config_generation;
    return json_response(out.ok ? status::ok : status::unprocessable_entity, body);
}

HttpResponse handle_advance(Control& control, const RouteRequest& r) {
    auto body = parse_body(r.raw);
    auto* sec = body && body->is_object() ? body->as_object().if_contains("seconds") : nullptr;
    if (!sec || !sec->is_number())
        return json_error(status::bad_request, "BadJson", "body must be {\"seconds\": N}");
    double seconds = sec->to_number<double>();
    // Bounded: the clock walks every probe due in the span while this request waits (40000 s
    // took over 10 s with two checks), and a huge span would overflow the clock's integer ticks.
    constexpr double kMaxAdvanceSeconds = 3600;
    if (!(seconds >= 0 && seconds <= kMaxAdvanceSeconds))
        return json_error(status::bad_request, "BadSeconds", "seconds must be 0-3600");
    if (!control.advance_clock(seconds))
        return json_error(status::conflict, "NotManualClock",
                          "the clock is not manual (start with --manual-clock)");
    return json_response(status::ok, {{"advanced", seconds}});
}

}  // namespace

asio::awaitable<HttpResponse> handle_admin_request(Control& control, const RouteRequest& r) {
    const auto method = r.raw.method();
    const std::string& p = r.path;
    auto only = [&](http::verb v, const char* allow) { return method == v ? nullptr : allow; };

    if (p == "/healthz") {
        if (auto a = only(http::verb::get, "GET")) co_return method_not_allowed(a);
        co_return json_response(status::ok, {{"status", "ok"}});
    }
    if (p == "/readyz") {
        if (auto a = only(http::verb::get, "GET")) co_return method_not_allowed(a);
        bool ready = control.ready();
        co_return json_response(ready ? status::ok : status::service_unavailable,
                                {{"ready", ready}});
    }
    if (p == "/metrics") {
        if (auto a = only(http::verb::get, "GET")) co_return method_not_allowed(a);
        HttpResponse res{status::ok, 11};
        res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
        res.body() = render_metrics(control);
        co_return res;
    }
    if (p == "/v1/health-checks") {
        if (auto a = only(http::verb::get, "GET")) co_return method_not_allowed(a);
        json::array all;
        for (const auto& s : control.health_statuses()) all.push_back(check_json(s, true));
        co_return json_response(status::ok, {{"health_checks", all}});
    }
    constexpr std::string_view kChecks = "/v1/health-checks/";
    if (p.starts_with(kChecks)) {
        std::string rest = p.substr(kChecks.size());
        auto slash = rest.find('/');
        std::string id = rest.substr(0, slash);
        std::string sub = slash == std::string::npos ? "" : rest.substr(slash + 1);
        if (sub == "override") co_return handle_override(control, r, id);
        if (sub == "state") co_return handle_state(control, r, id);
        if (sub == "inject") co_return handle_inject(control, r, id);
        if (!sub.empty()) co_return json_error(status::not_found, "NoSuchRoute", "no route " + p);
        if (auto a = only(http::verb::get, "GET")) co_return method_not_allowed(a);
        auto s = control.health_status(id);
        if (!s)
            co_return json_error(status::not_found, "NoSuchHealthCheck", "no health check " + id);
        co_return json_response(status::ok, check_json(*s, true));
    }
    if (p == "/v1/explain") {
        if (auto a = only(http::verb::get, "GET")) co_return method_not_allowed(a);
        co_return handle_explain(control, r);
    }
    if (p == "/v1/wait") {
        // GET waits for a health check's status, POST for a DNS answer.
        if (method == http::verb::post) co_return co_await handle_wait_for_answer(control, r);
        if (auto a = only(http::verb::get, "GET, POST")) co_return method_not_allowed(a);
        co_return co_await handle_wait(control, r);
    }
    if (p == "/v1/clock") {
        if (auto a = only(http::verb::get, "GET")) co_return method_not_allowed(a);
        co_return handle_clock(control);
    }
    if (p == "/v1/zones") {
        if (auto a = only(http::verb::get, "GET")) co_return method_not_allowed(a);
        co_return handle_zones(control);
    }
    if (p == "/v1/queries") co_return handle_queries(control, r);
    if (p == "/v1/answers") co_return handle_answers(control, r);
    if (p == "/v1/events") co_return co_await handle_events(control, r);
    if (p == "/v1/events/history") co_return handle_event_history(control, r);
    if (p == "/v1/reload") {
        if (auto a = only(http::verb::post, "POST")) co_return method_not_allowed(a);
        co_return handle_reload(control);
    }
    if (p == "/v1/clock/advance") {
        if (auto a = only(http::verb::post, "POST")) co_return method_not_allowed(a);
        co_return handle_advance(control, r);
    }
    if (auto page = handle_dashboard(r)) co_return std::move(*page);
    co_return json_error(status::not_found, "NoSuchRoute", "no route " + p);
}

}  // namespace r53::server
