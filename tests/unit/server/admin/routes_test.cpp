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
    ClockReading clock_reading;
    config::ConfigPtr served;
    // explain() answers `answer`, or `later_answer` from its `switch_after`-th call on.
    std::vector<std::string> answer = {"app.example.com. 60 IN A 192.0.2.1"};
    std::vector<std::string> later_answer;
    int switch_after = -1;
    mutable int explains = 0;
    mutable std::string asked_type, asked_client;

    bool ready() const override { return is_ready; }
    std::string admin_endpoint() const override { return "127.0.0.1:8053"; }
    config::ConfigPtr config() const override { return served; }
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
    resolver::ExplainResult explain(const std::string& name, const std::string& type,
                                    const std::string& client) const override {
        asked_type = type;
        asked_client = client;
        resolver::ExplainResult e;
        e.ok = name == "app.example.com";
        e.error = "not served";
        e.rcode = "NOERROR";
        e.client = "198.51.100.7";
        ++explains;
        e.answer = switch_after >= 0 && explains >= switch_after ? later_answer : answer;
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
        if (healthy == false && !later_answer.empty()) answer = later_answer;  // a failover
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
        clock_reading.now_seconds += seconds;
        return true;
    }
    ClockReading clock() const override { return clock_reading; }
    Store& store() override { throw std::logic_error("the admin routes never use the store"); }
    bool republish(config::Diagnostics&) override { return true; }
};

struct Reply {
    unsigned status = 0;
    boost::json::value body;
    std::string text;
};

// One request in flight on `io`; `reply` is filled in when it completes.
struct Pending {
    HttpRequest raw;
    RouteRequest route;
    Reply reply;
    bool done = false;

    Pending(boost::asio::io_context& io, FakeControl& control, http::verb method,
            const std::string& path, const std::string& body,
            std::map<std::string, std::string> query)
        : raw{method, path, 11}, route{raw, path, std::move(query)} {
        raw.body() = body;
        raw.prepare_payload();
        boost::asio::co_spawn(io, handle_admin_request(control, route),
                              [this](std::exception_ptr e, HttpResponse res) {
                                  ASSERT_FALSE(e);
                                  reply.status = res.result_int();
                                  reply.text = res.body();
                                  boost::system::error_code ec;
                                  reply.body = boost::json::parse(reply.text, ec);
                                  done = true;
                              });
    }
};

Reply call(FakeControl& control, http::verb method, const std::string& path,
           const std::string& body = "", std::map<std::string, std::string> query = {}) {
    boost::asio::io_context io;
    Pending pending(io, control, method, path, body, std::move(query));
    io.run();
    return pending.reply;
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

TEST(AdminRoutes, UnknownFieldsAndParametersAreRefusedBeforeControlIsAsked) {
    FakeControl control;
    control.checks["hc"] = check("hc");
    auto r = call(control, http::verb::put, "/v1/health-checks/hc/override",
                  R"({"status": "unhealthy", "for": "10m"})");
    EXPECT_EQ(r.status, 400u);
    EXPECT_EQ(error_code(r), "UnknownField");
    r = call(control, http::verb::put, "/v1/health-checks/hc/override",
             R"({"status": "unhealthy"})", {{"force", "1"}});
    EXPECT_EQ(r.status, 400u);
    EXPECT_EQ(error_code(r), "UnknownParameter");
    EXPECT_TRUE(control.forced.empty());
    r = call(control, http::verb::post, "/v1/clock/advance", R"({"seconds": 1, "unit": "s"})");
    EXPECT_EQ(error_code(r), "UnknownField");
    EXPECT_TRUE(control.advanced.empty());
}

TEST(AdminRoutes, AnInjectCheckerThatIsNotAnIndexIsRefusedNotAppliedToAll) {
    FakeControl control;
    control.checks["hc"] = check("hc");
    for (const char* body : {R"({"region": "us-east-1", "checker": "0", "result": "timeout"})",
                             R"({"region": "us-east-1", "checker": -1, "result": "timeout"})",
                             R"({"region": "us-east-1", "checker": 0.5, "result": "timeout"})"}) {
        auto r = call(control, http::verb::put, "/v1/health-checks/hc/inject", body);
        EXPECT_EQ(r.status, 400u) << body;
        EXPECT_EQ(error_code(r), "BadChecker") << body;
    }
}

TEST(AdminRoutes, WrongMethodNamesTheAllowedOnesInTheHeaderAndMessage) {
    FakeControl control;
    boost::asio::io_context io;
    HttpRequest raw{http::verb::post, "/v1/zones", 11};
    RouteRequest route{raw, "/v1/zones", {}};
    HttpResponse res;
    boost::asio::co_spawn(io, handle_admin_request(control, route),
                          [&](std::exception_ptr, HttpResponse r) { res = std::move(r); });
    io.run();
    EXPECT_EQ(res.result_int(), 405u);
    EXPECT_EQ(res[http::field::allow], "GET");
    EXPECT_EQ(boost::json::parse(res.body()).at("error").at("message").as_string(),
              "POST is not allowed on /v1/zones; allowed: GET");
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
    auto not_ready = call(control, http::verb::get, "/readyz");
    EXPECT_EQ(not_ready.status, 503u);
    EXPECT_EQ(error_code(not_ready), "NotReady");
    control.is_ready = true;
    EXPECT_EQ(call(control, http::verb::get, "/readyz").status, 200u);
}

TEST(AdminRoutes, FailedReloadListsTheErrors) {
    FakeControl control;
    auto r = call(control, http::verb::post, "/v1/reload");
    EXPECT_EQ(r.status, 422u);
    EXPECT_EQ(error_code(r), "InvalidConfiguration");
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

TEST(AdminRoutes, ClockReportsModeTimeAndScale) {
    FakeControl control;
    control.clock_reading.mode = config::ClockMode::Manual;
    ASSERT_EQ(call(control, http::verb::post, "/v1/clock/advance", R"({"seconds": 30})").status,
              200u);
    auto r = call(control, http::verb::get, "/v1/clock");
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.body.at("mode").as_string(), "manual");
    EXPECT_EQ(r.body.at("now").to_number<double>(), 30.0);
    EXPECT_EQ(r.body.at("scale").to_number<double>(), 1.0);

    control.clock_reading = {config::ClockMode::Scaled, 0.1, 12.5};
    r = call(control, http::verb::get, "/v1/clock");
    EXPECT_EQ(r.body.at("mode").as_string(), "scaled");
    EXPECT_EQ(r.body.at("scale").to_number<double>(), 0.1);
    EXPECT_EQ(r.body.at("now").to_number<double>(), 12.5);
    EXPECT_EQ(call(control, http::verb::post, "/v1/clock").status, 405u);
}

TEST(AdminRoutes, ZonesListEveryServedZoneWithItsRecordSetCount) {
    FakeControl control;
    auto r = call(control, http::verb::get, "/v1/zones");
    EXPECT_EQ(r.status, 200u);
    EXPECT_TRUE(r.body.at("zones").as_array().empty());  // nothing served yet

    auto config = std::make_shared<config::Config>();
    config::HostedZone example, other;
    example.id = "Z1EXAMPLE";
    example.name = "example.com.";
    example.record_sets.resize(4);
    other.id = "Z2OTHER";
    other.name = "other.test.";
    other.record_sets.resize(2);
    config->zones = {example, other};
    control.served = config;
    r = call(control, http::verb::get, "/v1/zones");
    const auto& zones = r.body.at("zones").as_array();
    ASSERT_EQ(zones.size(), 2u);
    EXPECT_EQ(zones[0].at("id").as_string(), "Z1EXAMPLE");
    EXPECT_EQ(zones[0].at("name").as_string(), "example.com.");
    EXPECT_EQ(zones[0].at("record_set_count").to_number<int>(), 4);
    EXPECT_EQ(zones[1].at("name").as_string(), "other.test.");
    EXPECT_EQ(zones[1].at("record_set_count").to_number<int>(), 2);
}

// The final values of the asked type count, reached through a CNAME, trailing dots aside.
TEST(AdminRoutes, WaitForAnswerReturnsOnceTheRoutingCoreAnswersTheExpectedValues) {
    FakeControl control;
    control.later_answer = {"app.example.com. 60 IN CNAME eu.example.com.",
                            "eu.example.com. 60 IN A 192.0.2.2"};
    control.switch_after = 3;
    auto r = call(control, http::verb::post, "/v1/wait",
                  R"({"name": "app.example.com", "type": "a", "client": "198.51.100.7",
                      "expected": ["192.0.2.2"], "timeout": 10})");
    EXPECT_EQ(r.status, 200u) << r.text;
    EXPECT_TRUE(r.body.at("matched").as_bool());
    EXPECT_GE(control.explains, 3);  // polled until the answer changed
    EXPECT_EQ(control.asked_type, "A");
    EXPECT_EQ(control.asked_client, "198.51.100.7");
    ASSERT_EQ(r.body.at("values").as_array().size(), 1u);
    EXPECT_EQ(r.body.at("values").at(0).as_string(), "192.0.2.2");
    EXPECT_EQ(r.body.at("answer").as_array().size(), 2u);
    EXPECT_EQ(r.body.at("rcode").as_string(), "NOERROR");

    r = call(control, http::verb::post, "/v1/wait",
             R"({"name": "app.example.com", "type": "CNAME", "expected": ["eu.example.com"]})");
    EXPECT_EQ(r.status, 200u) << r.text;
    EXPECT_EQ(r.body.at("values").at(0).as_string(), "eu.example.com.");
}

TEST(AdminRoutes, WaitForAnswerTimesOutWithTheLastAnswer) {
    FakeControl control;
    auto r = call(control, http::verb::post, "/v1/wait",
                  R"({"name": "app.example.com", "expected": ["192.0.2.9"], "timeout": "20ms"})");
    EXPECT_EQ(r.status, 408u);
    EXPECT_EQ(error_code(r), "Timeout");
    EXPECT_FALSE(r.body.at("matched").as_bool());
    ASSERT_EQ(r.body.at("values").as_array().size(), 1u);
    EXPECT_EQ(r.body.at("values").at(0).as_string(), "192.0.2.1");

    // An empty expected set is an answer too: no values of that type, here never reached.
    r = call(control, http::verb::post, "/v1/wait",
             R"({"name": "app.example.com", "expected": [], "timeout": 0})");
    EXPECT_EQ(r.status, 408u);
}

// One io thread: the override that makes the answer can only run if the wait yields it.
TEST(AdminRoutes, WaitForAnswerLetsOtherRequestsRunMeanwhile) {
    FakeControl control;
    control.checks["hc-primary"] = check("hc-primary");
    control.later_answer = {"app.example.com. 60 IN A 192.0.2.2"};
    boost::asio::io_context io;
    Pending wait(io, control, http::verb::post, "/v1/wait",
                 R"({"name": "app.example.com", "expected": ["192.0.2.2"], "timeout": "5s"})", {});
    Pending force(io, control, http::verb::put, "/v1/health-checks/hc-primary/override",
                  R"({"status": "unhealthy"})", {});
    io.run();
    ASSERT_TRUE(wait.done && force.done);
    EXPECT_EQ(force.reply.status, 200u);
    EXPECT_EQ(wait.reply.status, 200u) << wait.reply.text;
    EXPECT_TRUE(wait.reply.body.at("matched").as_bool());
}

TEST(AdminRoutes, WaitForAnswerRefusesUnusableRequests) {
    FakeControl control;
    for (const char* body :
         {R"({"name": "app.example.com"})", R"({"name": "app.example.com", "expected": [1]})",
          R"({"expected": ["192.0.2.1"]})",
          R"({"name": "app.example.com", "expected": [], "timeout": -1})",
          R"({"name": "app.example.com", "expected": [], "timeout": "5h"})", "[1, 2]",
          "not json"}) {
        auto r = call(control, http::verb::post, "/v1/wait", body);
        EXPECT_EQ(r.status, 400u) << body;
        EXPECT_EQ(error_code(r), "BadJson") << body;
    }
    EXPECT_EQ(control.explains, 0);
    auto r =
        call(control, http::verb::post, "/v1/wait", R"({"name": "other.test", "expected": []})");
    EXPECT_EQ(r.status, 400u);
    EXPECT_EQ(error_code(r), "BadRequest");
    EXPECT_EQ(call(control, http::verb::put, "/v1/wait").status, 405u);
}

}  // namespace
}  // namespace r53::server
