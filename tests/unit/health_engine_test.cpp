// The engine with real probes against loopback servers: real, scaled and manual clocks
// (semantics §1.4, §7, §8 pts 28-29), transition log, publication, clean stop.
#include <gtest/gtest.h>

#include <functional>
#include <thread>

#include "health_engine_support.hpp"
#include "health_test_server.hpp"

namespace r53::health {
namespace {

using namespace std::chrono_literals;
using testing::http_check;
using testing::http_response;
using testing::make_config;
using testing::Recorder;
using testing::Script;
using testing::TestServer;

// Polls `done` until it holds or the deadline passes (no fixed sleeps standing in for checks).
bool eventually(const std::function<bool()>& done, std::chrono::seconds limit = 10s) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (done()) return true;
        std::this_thread::sleep_for(5ms);
    }
    return done();
}

config::ConfigPtr fast_single(config::HealthCheck hc) {
    hc.local.interval = config::Seconds(0.05);
    auto config = make_config({hc}, config::ClockMode::Real);
    std::const_pointer_cast<config::Config>(config)->local.fleet.single_checker = true;
    return config;
}

TEST(HealthEngine, RealProbesFlipPublishAndLogBothWays) {
    TestServer server(Script{http_response(200, "OK")});
    Recorder recorder;
    Engine engine(EngineOptions{}, recorder.publisher(), recorder.logger());
    engine.start();
    auto hc = http_check("hc-web", server.port());
    hc.config.failure_threshold = 2;
    engine.apply(fast_single(hc), 7);
    ASSERT_TRUE(eventually([&] { return engine.status("hc-web")->has_data; }));
    EXPECT_TRUE(engine.status("hc-web")->healthy);
    EXPECT_EQ(engine.status("hc-web")->observations.at(0).status,
              "Success: HTTP Status Code 200, OK. Resolved IP: 127.0.0.1");

    server.set_script(Script{http_response(503, "Service Unavailable")});
    ASSERT_TRUE(eventually([&] {
        auto t = recorder.last();
        return t && !t->is_healthy(0);
    }));
    EXPECT_EQ(recorder.last()->config_generation, 7u);
    EXPECT_FALSE(engine.status("hc-web")->healthy);
    auto log = recorder.log();
    ASSERT_FALSE(log.empty());
    EXPECT_EQ(log.back().rfind("health check hc-web HEALTHY -> UNHEALTHY (2 of 2 failures; ", 0),
              0u)
        << log.back();
    EXPECT_NE(log.back().find("last: Failure: HTTP Status Code 503, Service Unavailable. "
                              "Resolved IP: 127.0.0.1"),
              std::string::npos)
        << log.back();

    server.set_script(Script{http_response(200, "OK")});
    ASSERT_TRUE(eventually([&] { return recorder.last()->is_healthy(0); }));
    EXPECT_EQ(recorder.log().back().rfind("health check hc-web UNHEALTHY -> HEALTHY", 0), 0u);
    engine.stop();
}

// §1.3: the FQDN is reached through local.endpoints every interval.
TEST(HealthEngine, ScaledClockAndEndpointMapping) {
    TestServer server(Script{http_response(200, "OK")});
    Engine engine(EngineOptions{}, nullptr, nullptr);
    engine.start();
    auto hc = http_check("hc-fqdn", 443);
    hc.config.type = config::HealthCheckType::HTTP;
    hc.config.ip_address.reset();
    hc.config.fully_qualified_domain_name = "www.example.com";
    hc.config.request_interval = 10;  // x 0.01 = 100 ms
    hc.local = {};                    // scaled AWS timeouts: 40 ms connect, 20 ms status
    auto config = make_config({hc}, config::ClockMode::Scaled);
    auto mutable_config = std::const_pointer_cast<config::Config>(config);
    mutable_config->local.clock.scale = 0.01;
    mutable_config->local.endpoints.push_back(
        {"www.example.com", 443, "127.0.0.1", server.port(), {}});
    engine.apply(config, 1);
    // Two cycles of the whole fleet: every checker probed at least twice.
    ASSERT_TRUE(eventually([&] { return server.requests().size() >= 32; }));
    auto s = engine.status("hc-fqdn");
    EXPECT_TRUE(s->healthy);
    EXPECT_EQ(s->observations.size(), 16u);
    EXPECT_NE(server.requests().front().find("Host: www.example.com:443\r\n"), std::string::npos);
    engine.stop();
}

// §8 pt 29: advance_clock returns once the real probes due in the span have completed.
TEST(HealthEngine, ManualClockWaitsForRealProbes) {
    TestServer server(Script{http_response(200, "OK")});
    TestServer silent(Script{.never_answer = true});
    Engine engine(EngineOptions{}, nullptr, nullptr);
    engine.start();
    auto slow = http_check("hc-silent", silent.port());
    slow.local.response_timeout = config::Seconds(0.05);
    // Probes due at different instants run one after another: keep the silent fleet small.
    slow.config.regions = {"us-east-1", "eu-west-1", "ap-southeast-2"};
    engine.apply(make_config({http_check("hc-ok", server.port()), slow}), 1);
    EXPECT_TRUE(server.requests().empty());  // nothing runs until time moves

    ASSERT_TRUE(engine.advance_clock(std::chrono::duration<double>(9.99)));
    EXPECT_EQ(server.requests().size(), 16u);  // each of 16 checkers once, all finished
    auto ok = engine.status("hc-ok");
    ASSERT_EQ(ok->observations.size(), 16u);
    for (const auto& o : ok->observations) EXPECT_TRUE(o.last_probe_ok) << o.status;
    auto timed_out = engine.status("hc-silent");
    ASSERT_EQ(timed_out->observations.size(), 6u);
    for (const auto& o : timed_out->observations) {
        EXPECT_EQ(o.status.rfind("Failure: Timed out waiting for the HTTP status", 0), 0u);
    }
    ASSERT_TRUE(engine.advance_clock(20s));
    EXPECT_FALSE(engine.status("hc-silent")->healthy);  // 3 of 3 failures everywhere
    EXPECT_EQ(server.requests().size(), 48u);
    engine.stop();
}

// Every probe step has a deadline and stop() cancels the ones in flight: the sockets close.
TEST(HealthEngine, StopCancelsProbesInFlight) {
    TestServer silent(Script{.never_answer = true});
    Engine engine(EngineOptions{}, nullptr, nullptr);
    engine.start();
    auto hc = http_check("hc-hang", silent.port());
    hc.local.response_timeout = config::Seconds(600);
    auto config = make_config({hc}, config::ClockMode::Real);
    std::const_pointer_cast<config::Config>(config)->local.fleet.checkers_per_region = 1;
    hc.local.interval = config::Seconds(0.01);
    std::const_pointer_cast<config::Config>(config)->health_checks[0] = hc;
    engine.apply(config, 1);
    ASSERT_TRUE(eventually([&] { return silent.connections() == 8; }));
    engine.stop();
    EXPECT_TRUE(eventually([&] { return silent.closed_by_client() == 8; }));
    EXPECT_FALSE(engine.status("hc-hang")->has_data);
}

// Reload from another thread while probes run; removed checks stop probing.
TEST(HealthEngine, ApplyFromAnotherThreadWhileProbing) {
    TestServer server(Script{http_response(200, "OK")});
    Engine engine(EngineOptions{}, nullptr, nullptr);
    engine.start();
    std::vector<config::HealthCheck> checks;
    for (int i = 0; i < 50; ++i) {
        auto hc = http_check("hc-" + std::to_string(100 + i), server.port());
        hc.local.interval = config::Seconds(0.02);
        checks.push_back(hc);
    }
    for (uint64_t generation = 1; generation <= 5; ++generation) {
        auto subset = checks;
        subset.resize(10 * generation);
        auto table = engine.apply(make_config(subset, config::ClockMode::Real), generation);
        EXPECT_EQ(table->healthy.size(), subset.size());
        EXPECT_EQ(table->config_generation, generation);
        EXPECT_EQ(engine.statuses().size(), subset.size());
    }
    ASSERT_TRUE(eventually([&] {
        for (const auto& s : engine.statuses()) {
            if (!s.has_data) return false;
        }
        return true;
    }));
    engine.apply(make_config({}, config::ClockMode::Real), 6);
    EXPECT_TRUE(engine.statuses().empty());
    engine.stop();
}

}  // namespace
}  // namespace r53::health
