// The manual clock's schedule with real probes against a loopback server (semantics §1.4 pts 1-2,
// §8 pt 29; the contract is in healthcheck/clock.hpp): the first probe is due at start +
// start_fraction x interval, every later one exactly one interval after the previous was due,
// and advance_clock returns with every due probe completed and the table published.
#include <gtest/gtest.h>

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

// Unseeded on purpose: jitter is what a seeded fleet would hide.
config::ConfigPtr unseeded(config::HealthCheck hc, bool single_checker) {
    auto config = std::const_pointer_cast<config::Config>(make_config({hc}));
    config->local.fleet.seed.reset();
    config->local.fleet.single_checker = single_checker;
    return config;
}

config::HealthCheck failing_check(uint16_t port, int threshold) {
    auto hc = http_check("hc-down", port);
    hc.config.request_interval = 30;
    hc.config.failure_threshold = threshold;
    return hc;
}

int failures(const Engine& engine) {
    return engine.status("hc-down")->observations.at(0).consecutive_failures;
}

// One checker, first probe due at 0: advance(0) runs it alone; each advance of one interval then
// runs exactly one more, and the verdict flips on exactly the FailureThreshold-th failure.
TEST(HealthManualClock, OneProbePerIntervalAndTheFlipAtTheThreshold) {
    TestServer server(Script{http_response(503, "Service Unavailable")});
    Recorder recorder;
    Engine engine(EngineOptions{}, recorder.publisher(), recorder.logger());
    engine.start();
    engine.apply(unseeded(failing_check(server.port(), 3), true), 1);
    EXPECT_TRUE(server.requests().empty());  // nothing runs until time moves

    ASSERT_TRUE(engine.advance_clock(0s));
    EXPECT_EQ(server.requests().size(), 1u);
    EXPECT_EQ(failures(engine), 1);
    EXPECT_TRUE(engine.status("hc-down")->healthy);

    ASSERT_TRUE(engine.advance_clock(30s));
    EXPECT_EQ(server.requests().size(), 2u);
    EXPECT_EQ(failures(engine), 2);
    EXPECT_TRUE(engine.status("hc-down")->healthy);
    EXPECT_TRUE(recorder.log().empty());

    ASSERT_TRUE(engine.advance_clock(30s));
    EXPECT_EQ(server.requests().size(), 3u);
    EXPECT_EQ(failures(engine), 3);
    EXPECT_FALSE(engine.status("hc-down")->healthy);
    // Published before advance_clock returned: the name servers already see it.
    ASSERT_NE(recorder.last(), nullptr);
    EXPECT_FALSE(recorder.last()->is_healthy(0));
    ASSERT_EQ(recorder.log().size(), 1u);

    for (int k = 4; k <= 10; ++k) {
        ASSERT_TRUE(engine.advance_clock(30s));
        EXPECT_EQ(server.requests().size(), static_cast<size_t>(k));
        EXPECT_EQ(failures(engine), k);
    }
    engine.stop();
}

// Without advance(0) first, the first advance of one interval runs the probe due at 0 and the
// one due at the target itself; a span short of the next due instant runs nothing.
TEST(HealthManualClock, TheTargetInstantIsIncludedAndPartialSpansAddUp) {
    TestServer server(Script{http_response(503, "Service Unavailable")});
    Engine engine(EngineOptions{}, nullptr, nullptr);
    engine.start();
    engine.apply(unseeded(failing_check(server.port(), 2), true), 1);

    ASSERT_TRUE(engine.advance_clock(30s));  // probes due at 0 and at 30
    EXPECT_EQ(server.requests().size(), 2u);
    EXPECT_EQ(failures(engine), 2);
    EXPECT_FALSE(engine.status("hc-down")->healthy);

    ASSERT_TRUE(engine.advance_clock(20s));  // now 50: the next is due at 60
    EXPECT_EQ(server.requests().size(), 2u);
    ASSERT_TRUE(engine.advance_clock(10s));
    EXPECT_EQ(server.requests().size(), 3u);
    ASSERT_TRUE(engine.advance_clock(0s));  // 60 already ran
    EXPECT_EQ(server.requests().size(), 3u);
    ASSERT_TRUE(engine.advance_clock(90s));  // 90, 120, 150
    EXPECT_EQ(server.requests().size(), 6u);
    EXPECT_EQ(failures(engine), 6);
    engine.stop();
}

// The whole unseeded fleet (random start fractions): after the first interval every checker
// has probed, and each further advance of one interval probes every checker exactly once.
TEST(HealthManualClock, EveryCheckerOncePerInterval) {
    TestServer server(Script{http_response(503, "Service Unavailable")});
    Engine engine(EngineOptions{}, nullptr, nullptr);
    engine.start();
    auto hc = failing_check(server.port(), 3);
    hc.config.regions = {"us-east-1", "eu-west-1", "ap-southeast-2"};
    engine.apply(unseeded(hc, false), 1);

    ASSERT_TRUE(engine.advance_clock(30s));
    const size_t checkers = engine.status("hc-down")->observations.size();
    ASSERT_EQ(checkers, 6u);
    const size_t after_first = server.requests().size();
    EXPECT_GE(after_first, checkers);
    EXPECT_LE(after_first, 2 * checkers);  // a checker whose first probe is due at 0 ran twice
    for (size_t k = 1; k <= 4; ++k) {
        ASSERT_TRUE(engine.advance_clock(30s));
        EXPECT_EQ(server.requests().size(), after_first + k * checkers);
        int total = 0;
        const auto status = engine.status("hc-down");
        for (const auto& o : status->observations) {
            total += o.consecutive_failures;
        }
        EXPECT_EQ(static_cast<size_t>(total), after_first + k * checkers);
    }
    engine.stop();
}

// GET /v1/clock reads this: manual time is exactly the sum of the advances, from 0.
TEST(HealthManualClock, ClockNowIsTheSumOfTheAdvances) {
    TestServer server(Script{http_response(200, "OK")});
    Engine engine(EngineOptions{}, nullptr, nullptr);
    engine.start();
    engine.apply(unseeded(failing_check(server.port(), 3), true), 1);
    EXPECT_EQ(engine.clock_now().count(), 0.0);
    ASSERT_TRUE(engine.advance_clock(30s));
    EXPECT_EQ(engine.clock_now().count(), 30.0);
    ASSERT_TRUE(engine.advance_clock(std::chrono::duration<double>(2.5)));
    EXPECT_EQ(engine.clock_now().count(), 32.5);
    // A reload with the same clock settings keeps the clock.
    engine.apply(unseeded(failing_check(server.port(), 2), true), 2);
    EXPECT_EQ(engine.clock_now().count(), 32.5);
    engine.stop();
}

}  // namespace
}  // namespace r53::health
