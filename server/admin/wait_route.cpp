#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cctype>
#include <chrono>
#include <set>
#include <sstream>
#include <variant>

#include "server/admin/fixture_routes.hpp"
#include "server/admin/request_checks.hpp"
#include "server/admin/timeout.hpp"
#include "server/control/control.hpp"

namespace r53::server {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using http::status;

constexpr auto kDefaultTimeout = std::chrono::seconds(30);
// Reading the published snapshot is cheap; 5 ms keeps a wait's extra latency below a DNS
// round trip on a loaded machine.
constexpr auto kPollInterval = std::chrono::milliseconds(5);

struct AnswerWait {
    std::string name, type, client;
    std::set<std::string> expected;  // compared without a trailing dot
    std::chrono::milliseconds timeout{kDefaultTimeout};
};

std::string upper(std::string text) {
    for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return text;
}

// "app.example.com." and "app.example.com" are the same name to a test.
std::string comparable(std::string value) {
    if (value.size() > 1 && value.back() == '.') value.pop_back();
    return value;
}

// The values of the asked type in explain()'s "owner TTL IN TYPE value" lines: what `dig +short`
// prints for the final answer, without the CNAMEs that led there.
std::vector<std::string> values_of(const std::vector<std::string>& lines, const std::string& type) {
    std::vector<std::string> values;
    for (const auto& line : lines) {
        std::istringstream in(line);
        std::string owner, ttl, klass, rtype;
        if (!(in >> owner >> ttl >> klass >> rtype) || upper(rtype) != type) continue;
        std::string value;
        std::getline(in >> std::ws, value);
        values.push_back(value);
    }
    return values;
}

std::set<std::string> comparable_set(const std::vector<std::string>& values) {
    std::set<std::string> out;
    for (const auto& v : values) out.insert(comparable(v));
    return out;
}

// Returns the error text of an unusable request, or empty.
std::string parse_wait(const std::string& body, AnswerWait& out) {
    boost::system::error_code ec;
    auto parsed = json::parse(body, ec);
    if (ec || !parsed.is_object()) return "body must be a JSON object";
    const auto& o = parsed.as_object();
    auto text = [&](const char* key, std::string& to, bool required) -> bool {
        auto* v = o.if_contains(key);
        if (!v) return !required;
        if (!v->is_string()) return false;
        to = std::string(v->as_string());
        return !required || !to.empty();
    };
    if (!text("name", out.name, true)) return "\"name\" must be a non-empty string";
    out.type = "A";
    if (!text("type", out.type, false)) return "\"type\" must be a string";
    out.type = upper(out.type);
    if (!text("client", out.client, false)) return "\"client\" must be an address string";
    auto* expected = o.if_contains("expected");
    if (!expected || !expected->is_array()) return "\"expected\" must be an array of values";
    for (const auto& v : expected->as_array()) {
        if (!v.is_string()) return "\"expected\" must be an array of values";
        out.expected.insert(comparable(std::string(v.as_string())));
    }
    if (auto* t = o.if_contains("timeout")) {
        std::optional<std::chrono::milliseconds> timeout;
        if (t->is_string()) timeout = parse_timeout(std::string(t->as_string()));
        if (t->is_number()) timeout = timeout_from_seconds(t->to_number<double>());
        if (!timeout) return "\"timeout\" must be seconds (0-86400) or a text like 5s or 250ms";
        out.timeout = *timeout;
    }
    return {};
}

json::array strings(const std::vector<std::string>& values) {
    json::array a;
    for (const auto& v : values) a.push_back(json::string(v));
    return a;
}

json::object reply_body(const AnswerWait& wait, const resolver::ExplainResult& e,
                        const std::vector<std::string>& values, bool matched) {
    return {{"matched", matched},         {"name", wait.name}, {"type", wait.type},
            {"client", e.client},         {"rcode", e.rcode},  {"values", strings(values)},
            {"answer", strings(e.answer)}};
}

}  // namespace

asio::awaitable<HttpResponse> handle_wait_for_answer(Control& control, const RouteRequest& r) {
    auto checked = body_object(r, {"name", "type", "client", "expected", "timeout"},
                               R"({"name": "app.example.com", "expected": ["127.0.0.12"]})");
    if (auto* bad = std::get_if<HttpResponse>(&checked)) co_return std::move(*bad);
    AnswerWait wait;
    if (auto error = parse_wait(r.raw.body(), wait); !error.empty())
        co_return json_error(status::bad_request, "BadJson", error);
    const auto deadline = std::chrono::steady_clock::now() + wait.timeout;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
        auto e = control.explain(wait.name, wait.type, wait.client);
        if (!e.ok) co_return json_error(status::bad_request, "BadRequest", e.error);
        auto values = values_of(e.answer, wait.type);
        if (comparable_set(values) == wait.expected)
            co_return json_response(status::ok, reply_body(wait, e, values, true));
        auto now = std::chrono::steady_clock::now();
        if (now >= deadline) {
            auto body = reply_body(wait, e, values, false);
            body["error"] = {{"code", "Timeout"},
                             {"message", "the answer was not the expected one before the timeout"}};
            co_return json_response(status::request_timeout, body);
        }
        timer.expires_after(
            std::min<std::chrono::steady_clock::duration>(kPollInterval, deadline - now));
        co_await timer.async_wait(asio::use_awaitable);
    }
}

}  // namespace r53::server
