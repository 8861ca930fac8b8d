// The admin routes against a fake Control: what each endpoint asks of the application and how
// it answers, with no App, engine or listener behind it.
#include "server/admin/routes.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <map>

#include "server/control/control.hpp"

namespace r53::server {
namespace {

class FakeControl final : public Control {
  public:
    std::map<std::string, health::CheckStatus> checks;
    std::vector<std::pair<std::string, std::optional<bool>>> forced;
    std::vector<double> advanced;
    bool manual = true;
    bool is_ready = false;
    int reloads = 0;
    ReloadCounters counters;
    QueryCountersSnapshot queries;

    bool ready() const override { return is_ready; }
    std::string admin_endpoint() const override { return "127.0.0.1:8053"; }
    config::ConfigPtr config() const override { return nullptr; }
    const ReloadCounters& reload_counters() const override { return counters; }
    QueryCountersSnapshot query_counters() const override { return queries; }
    ReloadOutcome reload() override {
        ++reloads;
        ReloadOutcome out;
        out.ok = false;
        config::Diagnostic d;
        d.code = "InvalidInput";
        d.message = "bad thing";
        out.diagnostics.push_back(d);
        return out;
    }
    resolver::ExplainResult explain(const std::string& name, const std::string&,
                                    const std::string&) const override {
        resolver::ExplainResult e;
        e.ok = name == "app.example.com";
        e.error = "not served";
        e.rcode = "NOERROR";
        e.answer = {"app.example.com. 60 IN A 192.0.2.1"};
        return e;
    }
    std::vector<health::CheckStatus> health_statuses() const override {
        std::vector<health::CheckStatus> out;
        for (const auto& [id, s] : checks) out.push_back(s);
        return out;
    }
    std::optional<health::CheckStatus> health_status(const std::string& id) const override {
        auto it = checks.find(id);
        if (it == checks.end()) return std::nullopt;
        return it->second;
    }
    bool force_health(const std::string& id, std::optional<bool> healthy) override {
        if (!checks.count(id)) return false;
        forced.emplace_back(id, healthy);
        checks[id].forced = healthy;
        if (healthy) checks[id].healthy = *healthy;
        return true;
    }
    std::string set_health_state(const std::string&, const std::string& state) override {
        return state == "ALARM" || state == "OK" ? "" : "unknown state " + state;
    }
    bool inject_result(const std::string& id, const std::string&, int,
                       std::optional<health::InjectedResult>) override {
        return checks.count(id) > 0;
    }
    bool advance_clock(double seconds) override {
        if (!manual) return false;
        advanced.push_back(seconds);
        return true;
    }
    Store& store() override { throw std::logic_error("the admin routes never use the store"); }
    bool republish(config::Diagnostics&) override { return true; }
};

struct Reply {
    unsigned status = 0;
    boost::json::value body;
    std::string text;
};

Reply call(FakeControl& control, http::verb method, const std::string& path,
           const std::string& body = "", std::map<std::string, std::string> query = {}) {
    HttpRequest raw{method, path, 11};
    raw.body() = body;
    raw.prepare_payload();
    RouteRequest route{raw, path, std::move(query)};
    boost::asio::io_context io;
    Reply reply;
    boost::asio::co_spawn(io, handle_admin_request(control, route),
                          [&](std::exception_ptr e, HttpResponse res) {
                              ASSERT_FALSE(e);
                              reply.status = res.result_int();
                              reply.text = res.body();
                          });
    io.run();
    boost::system::error_code ec;
    reply.body = boost::json::parse(reply.text, ec);
    return reply;
}

health::CheckStatus check(const std::string& id) {
    health::CheckStatus s;
    s.id = id;
    s.type = "HTTP";
    return s;
}

std::string error_code(const Reply& r) {
    return std::string(r.body.at("error").at("code").as_string());
}

TEST(AdminRoutes, ForceHealthGoesThroughControl) {
    FakeControl control;
    control.checks["hc-primary"] = check("hc-primary");
    auto r = call(control, http::verb::put, "/v1/health-checks/hc-primary/override",
                  R"({"status": "unhealthy"})");
    EXPECT_EQ(r.status, 200u);
    ASSERT_EQ(control.forced.size(), 1u);
    EXPECT_EQ(control.forced[0].second, std::optional<bool>(false));
    EXPECT_EQ(r.body.at("forced").as_string(), "unhealthy");

    r = call(control, http::verb::delete_, "/v1/health-checks/hc-primary/override");
    EXPECT_EQ(r.status, 200u);
    ASSERT_EQ(control.forced.size(), 2u);
    EXPECT_FALSE(control.forced[1].second);
}

TEST(AdminRoutes, UnknownCheckIs404InTheErrorShape) {
    FakeControl control;
    auto r = call(control, http::verb::put, "/v1/health-checks/nope/override",
                  R"({"status": "healthy"})");
    EXPECT_EQ(r.status, 404u);
    EXPECT_EQ(error_code(r), "NoSuchHealthCheck");
    EXPECT_TRUE(control.forced.empty());
}

TEST(AdminRoutes, BadOverrideBodyIsRefusedBeforeControlIsAsked) {
    FakeControl control;
    control.checks["hc"] = check("hc");
    auto r = call(control, http::verb::put, "/v1/health-checks/hc/override", R"({"status": 1})");
    EXPECT_EQ(r.status, 400u);
    EXPECT_EQ(error_code(r), "BadStatus");
    EXPECT_TRUE(control.forced.empty());
}

TEST(AdminRoutes, ClockAdvanceNeedsTheManualClock) {
    FakeControl control;
    auto r = call(control, http::verb::post, "/v1/clock/advance", R"({"seconds": 30})");
    EXPECT_EQ(r.status, 200u);
    ASSERT_EQ(control.advanced.size(), 1u);
    EXPECT_EQ(control.advanced[0], 30);

    control.manual = false;
    r = call(control, http::verb::post, "/v1/clock/advance", R"({"seconds": 30})");
    EXPECT_EQ(r.status, 409u);
    EXPECT_EQ(error_code(r), "NotManualClock");

    r = call(control, http::verb::post, "/v1/clock/advance", R"({"seconds": 7200})");
    EXPECT_EQ(r.status, 400u);
    EXPECT_EQ(control.advanced.size(), 1u);
}

TEST(AdminRoutes, ReadyzFollowsControl) {
    FakeControl control;
    EXPECT_EQ(call(control, http::verb::get, "/readyz").status, 503u);
    control.is_ready = true;
    EXPECT_EQ(call(control, http::verb::get, "/readyz").status, 200u);
}

TEST(AdminRoutes, FailedReloadListsTheErrors) {
    FakeControl control;
    auto r = call(control, http::verb::post, "/v1/reload");
    EXPECT_EQ(r.status, 422u);
    EXPECT_EQ(control.reloads, 1);
    ASSERT_EQ(r.body.at("errors").as_array().size(), 1u);
    EXPECT_NE(std::string(r.body.at("errors").at(0).as_string()).find("bad thing"),
              std::string::npos);
}

TEST(AdminRoutes, MetricsRenderTheCountersControlGives) {
    FakeControl control;
    control.queries.by_transport[0] = 41;
    control.checks["hc"] = check("hc");
    control.checks["hc"].healthy = false;
    auto r = call(control, http::verb::get, "/metrics");
    EXPECT_EQ(r.status, 200u);
    EXPECT_NE(r.text.find("r53sim_dns_queries_by_transport_total{transport=\"udp\"} 41"),
              std::string::npos)
        << r.text;
    EXPECT_NE(r.text.find("r53sim_health_check_status{health_check_id=\"hc\",type=\"HTTP\"} 0"),
              std::string::npos);
}

TEST(AdminRoutes, ExplainErrorsAreBadRequests) {
    FakeControl control;
    auto ok = call(control, http::verb::get, "/v1/explain", "", {{"name", "app.example.com"}});
    EXPECT_EQ(ok.status, 200u);
    EXPECT_EQ(ok.body.at("answer").at(0).as_string(), "app.example.com. 60 IN A 192.0.2.1");
    auto bad = call(control, http::verb::get, "/v1/explain", "", {{"name", "other.test"}});
    EXPECT_EQ(bad.status, 400u);
}

TEST(AdminRoutes, UnknownPathAndWrongMethod) {
    FakeControl control;
    auto r = call(control, http::verb::get, "/v1/nothing");
    EXPECT_EQ(r.status, 404u);
    EXPECT_EQ(error_code(r), "NoSuchRoute");
    r = call(control, http::verb::post, "/healthz");
    EXPECT_EQ(r.status, 405u);
}

}  // namespace
}  // namespace r53::server
