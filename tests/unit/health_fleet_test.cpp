// The virtual fleet on the manual clock (semantics §1.4 pts 1-3, §7 "Aggregate flips",
// §8 pts 7-8, 29, 31-32), partitions through fault injection.
#include <gtest/gtest.h>

#include <set>

#include "health_engine_support.hpp"

namespace r53::health {
namespace {

using namespace std::chrono_literals;
using testing::http_check;
using testing::make_config;
using testing::Recorder;

class HealthFleet : public ::testing::Test {
  protected:
    void SetUp() override { engine.start(); }
    Recorder recorder;
    Engine engine{EngineOptions{}, recorder.publisher(), recorder.logger()};
};

// 8 regions x 2 checkers, seeded: checker j first probes at j/16 of the 10 s interval, so each
// 0.625 s step fires exactly one checker, round robin.
constexpr auto kStep = std::chrono::duration<double>(10.0 / 16);

TEST_F(HealthFleet, FlipsExactlyWhenMoreThan82PercentOfCheckersSawThresholdFailures) {
    auto config = make_config({http_check("hc-1")});
    auto table = engine.apply(config, 1);
    ASSERT_TRUE(table->is_healthy(0));  // §1.4 pt 5: new check healthy
    ASSERT_TRUE(engine.inject("hc-1", "", -1, InjectedResult::Unhealthy));

    ASSERT_TRUE(engine.advance_clock(0s));  // fire 1: checker 0 at t = 0
    int fires = 1;
    // Checker j sees its 3rd failure at fire 32 + j + 1; 14 of 16 (87.5 % > 82 %) at fire 46,
    // 13 of 16 (81.25 %) at fire 45 is not enough.
    while (fires < 45) {
        auto s = engine.status("hc-1");
        ASSERT_TRUE(s->healthy) << "flipped early at fire " << fires;
        ASSERT_TRUE(engine.advance_clock(kStep));
        ++fires;
    }
    auto before = engine.status("hc-1");
    EXPECT_TRUE(before->healthy);
    EXPECT_DOUBLE_EQ(before->percentage_healthy, 100.0 * 3 / 16);
    ASSERT_TRUE(engine.advance_clock(kStep));  // fire 46
    auto after = engine.status("hc-1");
    EXPECT_FALSE(after->healthy);
    EXPECT_DOUBLE_EQ(after->percentage_healthy, 100.0 * 2 / 16);
    // advance_clock returns only after the table is published (§8 pt 29).
    ASSERT_TRUE(recorder.last());
    EXPECT_FALSE(recorder.last()->is_healthy(0));
    EXPECT_EQ(recorder.last()->config_generation, 1u);

    auto log = recorder.log();
    ASSERT_EQ(log.size(), 1u);
    EXPECT_EQ(log[0].rfind("health check hc-1 HEALTHY -> UNHEALTHY (3 of 3 failures; ", 0), 0u)
        << log[0];
    EXPECT_NE(log[0].find("last: Failure: HTTP Status Code 503"), std::string::npos) << log[0];

    // Symmetric recovery (§7): checkers 14 and 15 never reached 3 failures and are still healthy;
    // checker 0 gets its 3rd success at the 35th fire, making 3 of 16 (18.75 % > 18 %).
    ASSERT_TRUE(engine.inject("hc-1", "", -1, InjectedResult::Healthy));
    for (int i = 1; i < 35; ++i) {
        ASSERT_TRUE(engine.advance_clock(kStep));
        ASSERT_FALSE(engine.status("hc-1")->healthy) << "recovered early at fire " << i;
    }
    ASSERT_TRUE(engine.advance_clock(kStep));
    EXPECT_TRUE(engine.status("hc-1")->healthy);
    EXPECT_TRUE(recorder.last()->is_healthy(0));
    EXPECT_EQ(engine.status("hc-1")->transitions, 2u);
    EXPECT_EQ(
        recorder.log().back().rfind("health check hc-1 UNHEALTHY -> HEALTHY (3 of 3 successes", 0),
        0u);
}

// §1.4 pt 3: an aggregate guards against partial partitions.
TEST_F(HealthFleet, PartitionSeenByTwoOfEightRegionsDoesNotFlipSevenDoes) {
    engine.apply(make_config({http_check("hc-1")}), 1);
    engine.inject("hc-1", "", -1, InjectedResult::Healthy);
    engine.inject("hc-1", "ap-southeast-1", -1, InjectedResult::Timeout);
    engine.inject("hc-1", "sa-east-1", -1, InjectedResult::Unhealthy);
    ASSERT_TRUE(engine.advance_clock(60s));
    auto two = engine.status("hc-1");
    EXPECT_TRUE(two->healthy);
    EXPECT_DOUBLE_EQ(two->percentage_healthy, 75.0);

    engine.inject("hc-1", "", -1, InjectedResult::Unhealthy);
    engine.inject("hc-1", "us-east-1", -1, std::nullopt);
    engine.inject("hc-1", "us-east-1", -1, InjectedResult::Healthy);
    ASSERT_TRUE(engine.advance_clock(60s));
    auto seven = engine.status("hc-1");
    EXPECT_FALSE(seven->healthy);
    EXPECT_DOUBLE_EQ(seven->percentage_healthy, 12.5);
    EXPECT_FALSE(recorder.last()->is_healthy(0));

    engine.inject("hc-1", "", -1, InjectedResult::Healthy);
    ASSERT_TRUE(engine.advance_clock(60s));
    EXPECT_TRUE(engine.status("hc-1")->healthy);
}

// §1.5: one observation per checker, region and a stand-in checker IP each.
TEST_F(HealthFleet, ObservationsPerChecker) {
    engine.apply(make_config({http_check("hc-1")}), 1);
    EXPECT_FALSE(engine.status("hc-1")->has_data);
    engine.inject("hc-1", "", -1, InjectedResult::Healthy);
    engine.inject("hc-1", "eu-west-1", 1, InjectedResult::Timeout);
    ASSERT_TRUE(engine.advance_clock(10s));
    auto s = engine.status("hc-1");
    EXPECT_TRUE(s->has_data);
    ASSERT_EQ(s->observations.size(), 16u);
    std::set<std::string> regions, ips;
    for (const auto& o : s->observations) {
        regions.insert(o.region);
        ips.insert(o.checker_ip);
        bool timed_out = o.region == "eu-west-1" && o.checker == 1;
        EXPECT_EQ(o.last_probe_ok, !timed_out) << o.region << o.checker;
        EXPECT_EQ(o.status.rfind(timed_out ? "Failure: Connection timed out." : "Success: ", 0), 0u)
            << o.status;
    }
    EXPECT_EQ(regions.size(), 8u);
    EXPECT_EQ(ips.size(), 16u);
    ASSERT_TRUE(s->last_failure);
    EXPECT_EQ(s->last_failure->region, "eu-west-1");
    EXPECT_FALSE(engine.inject("hc-1", "no-such-region", -1, InjectedResult::Healthy));
    EXPECT_FALSE(engine.inject("hc-unknown", "", -1, InjectedResult::Healthy));
}

// §1.2 Regions and §8 pt 7 fleet size.
TEST_F(HealthFleet, FleetSizeFollowsRegionsAndSettings) {
    auto hc = http_check("hc-1");
    hc.config.regions = {"us-east-1", "us-west-2", "eu-west-1"};
    auto config = make_config({hc});
    std::const_pointer_cast<config::Config>(config)->local.fleet.checkers_per_region = 3;
    engine.apply(config, 1);
    engine.inject("hc-1", "", -1, InjectedResult::Healthy);
    ASSERT_TRUE(engine.advance_clock(10s));
    EXPECT_EQ(engine.status("hc-1")->observations.size(), 9u);

    auto single = make_config({hc});
    std::const_pointer_cast<config::Config>(single)->local.fleet.single_checker = true;
    engine.apply(single, 2);
    engine.inject("hc-1", "", -1, InjectedResult::Unhealthy);
    ASSERT_TRUE(engine.advance_clock(25s));  // probes at 0, 10, 20
    auto s = engine.status("hc-1");
    EXPECT_EQ(s->observations.size(), 1u);
    EXPECT_FALSE(s->healthy);
}

// Reload keeps the state of checks whose id, config and local settings are unchanged.
TEST_F(HealthFleet, ApplyKeepsUnchangedChecksAndResetsChangedOnes) {
    engine.apply(make_config({http_check("hc-b")}), 1);
    engine.inject("hc-b", "", -1, InjectedResult::Unhealthy);
    ASSERT_TRUE(engine.advance_clock(30s));
    ASSERT_FALSE(engine.status("hc-b")->healthy);

    // A new check sorting first shifts hc-b to slot 1; its state survives.
    auto table = engine.apply(make_config({http_check("hc-a"), http_check("hc-b")}), 2);
    EXPECT_EQ(table->config_generation, 2u);
    ASSERT_EQ(table->healthy.size(), 2u);
    EXPECT_TRUE(table->is_healthy(0));
    EXPECT_FALSE(table->is_healthy(1));

    auto changed = http_check("hc-b");
    changed.config.failure_threshold = 2;
    table = engine.apply(make_config({http_check("hc-a"), changed}), 3);
    EXPECT_TRUE(table->is_healthy(1));  // a changed check starts over as new
    EXPECT_FALSE(engine.status("hc-b")->has_data);

    auto local_changed = changed;
    local_changed.local.response_timeout = config::Seconds(0.4);
    engine.inject("hc-b", "", -1, InjectedResult::Unhealthy);
    ASSERT_TRUE(engine.advance_clock(30s));
    ASSERT_FALSE(engine.status("hc-b")->healthy);
    table = engine.apply(make_config({local_changed}), 4);
    ASSERT_EQ(table->healthy.size(), 1u);
    EXPECT_TRUE(table->is_healthy(0));
    EXPECT_FALSE(engine.status("hc-a"));
}

TEST(HealthClock, AdvanceNeedsTheManualClock) {
    Engine engine(EngineOptions{}, nullptr, nullptr);
    engine.start();
    auto hc = http_check("hc-1");
    engine.apply(make_config({hc}, config::ClockMode::Real), 1);
    EXPECT_FALSE(engine.advance_clock(1s));
    engine.stop();
    engine.stop();  // idempotent
}

}  // namespace
}  // namespace r53::health
