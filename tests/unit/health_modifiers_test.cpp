// Disabled, Inverted, CALCULATED, CLOUDWATCH_METRIC, RECOVERY_CONTROL and overrides through the
// engine (semantics §1.1, §1.2, §1.4 pts 5-7, §8 pts 1, 9-10, 31).
#include <gtest/gtest.h>

#include "health_engine_support.hpp"

namespace r53::health {
namespace {

using namespace std::chrono_literals;
using testing::calculated_check;
using testing::cloudwatch_check;
using testing::http_check;
using testing::make_config;
using testing::Recorder;

class HealthModifiers : public ::testing::Test {
  protected:
    void SetUp() override { engine.start(); }
    bool healthy(const std::string& id) { return engine.status(id)->healthy; }
    Recorder recorder;
    Engine engine{EngineOptions{}, recorder.publisher(), recorder.logger()};
};

// §1.4 pt 5: new checks are healthy, inverted new checks unhealthy.
TEST_F(HealthModifiers, NewChecksBeforeData) {
    auto inverted = http_check("hc-inv");
    inverted.config.inverted = true;
    auto table = engine.apply(make_config({http_check("hc-new"), inverted}), 1);
    auto config = make_config({http_check("hc-new"), inverted});
    EXPECT_FALSE(table->is_healthy(*config->health_index("hc-inv")));
    EXPECT_TRUE(table->is_healthy(*config->health_index("hc-new")));
}

// §1.4 pt 6: measured -> Disabled -> Inverted, on a failing fleet.
TEST_F(HealthModifiers, DisabledAndInvertedOnAFailingCheck) {
    struct Case {
        const char* id;
        bool disabled, inverted, expected;
    };
    const Case cases[] = {{"hc-plain", false, false, false},
                          {"hc-disabled", true, false, true},
                          {"hc-inverted", false, true, true},
                          {"hc-disabled-inverted", true, true, false}};
    std::vector<config::HealthCheck> checks;
    for (const auto& c : cases) {
        auto hc = http_check(c.id);
        hc.config.disabled = c.disabled;
        hc.config.inverted = c.inverted;
        checks.push_back(hc);
    }
    engine.apply(make_config(checks), 1);
    for (const auto& c : cases) engine.inject(c.id, "", -1, InjectedResult::Unhealthy);
    ASSERT_TRUE(engine.advance_clock(30s));
    for (const auto& c : cases) {
        EXPECT_EQ(healthy(c.id), c.expected) << c.id;
    }
    // Disabled stops probing (§1.2): no observations at all.
    EXPECT_FALSE(engine.status("hc-disabled")->has_data);
    EXPECT_TRUE(engine.status("hc-disabled")->observations.empty());
}

// §1.4 pt 7 and pt 6's last sentence.
TEST_F(HealthModifiers, CalculatedOverChildren) {
    auto ok = cloudwatch_check("c-ok", "OK");
    auto alarm = cloudwatch_check("c-alarm", "ALARM");
    auto disabled = cloudwatch_check("c-disabled", "ALARM");
    disabled.config.disabled = true;
    auto disabled_inverted = cloudwatch_check("c-disabled-inverted", "ALARM");
    disabled_inverted.config.disabled = true;
    disabled_inverted.config.inverted = true;
    struct Case {
        const char* id;
        std::vector<std::string> children;
        int threshold;
        bool inverted;
        bool expected;
    };
    const Case cases[] = {
        {"p-and", {"c-ok", "c-alarm"}, 2, false, false},
        {"p-or", {"c-ok", "c-alarm"}, 1, false, true},
        {"p-zero", {"c-alarm"}, 0, false, true},    // 0 -> always healthy
        {"p-too-high", {"c-ok"}, 2, false, false},  // > children -> unhealthy
        {"p-disabled-child", {"c-ok", "c-disabled"}, 2, false, true},
        {"p-disabled-inverted-child", {"c-ok", "c-disabled-inverted"}, 2, false, false},
        {"p-inverted", {"c-ok", "c-alarm"}, 2, true, true},
    };
    std::vector<config::HealthCheck> checks = {ok, alarm, disabled, disabled_inverted};
    for (const auto& c : cases) {
        auto p = calculated_check(c.id, c.children, c.threshold);
        p.config.inverted = c.inverted;
        checks.push_back(p);
    }
    engine.apply(make_config(checks), 1);
    for (const auto& c : cases) EXPECT_EQ(healthy(c.id), c.expected) << c.id;

    // A child changing state moves its parents at once, and the table is published.
    ASSERT_EQ(engine.set_user_state("c-alarm", "OK"), "");
    EXPECT_TRUE(healthy("p-and"));
    EXPECT_FALSE(healthy("p-inverted"));
    auto config = make_config(checks);
    EXPECT_TRUE(recorder.last()->is_healthy(*config->health_index("p-and")));
    EXPECT_DOUBLE_EQ(engine.status("p-and")->percentage_healthy, 100.0);
}

// §1.1 CLOUDWATCH_METRIC, §1.2 InsufficientDataHealthStatus.
TEST_F(HealthModifiers, CloudWatchMetricStates) {
    auto last_known = cloudwatch_check("cw-last", "");
    auto unhealthy_on_missing = cloudwatch_check("cw-unhealthy", "INSUFFICIENT_DATA");
    unhealthy_on_missing.config.insufficient_data_health_status =
        config::InsufficientDataHealthStatus::Unhealthy;
    engine.apply(make_config({last_known, unhealthy_on_missing}), 1);
    EXPECT_TRUE(healthy("cw-last"));  // no history -> healthy
    EXPECT_FALSE(healthy("cw-unhealthy"));
    EXPECT_EQ(engine.status("cw-unhealthy")->user_state, "INSUFFICIENT_DATA");

    ASSERT_EQ(engine.set_user_state("cw-last", "ALARM"), "");
    EXPECT_FALSE(healthy("cw-last"));
    ASSERT_EQ(engine.set_user_state("cw-last", "INSUFFICIENT_DATA"), "");
    EXPECT_FALSE(healthy("cw-last"));  // last known: ALARM
    ASSERT_EQ(engine.set_user_state("cw-last", "OK"), "");
    ASSERT_EQ(engine.set_user_state("cw-last", "INSUFFICIENT_DATA"), "");
    EXPECT_TRUE(healthy("cw-last"));

    EXPECT_NE(engine.set_user_state("cw-last", "ON"), "");
    EXPECT_NE(engine.set_user_state("nope", "OK"), "");
    engine.apply(make_config({http_check("hc-http")}), 2);
    EXPECT_NE(engine.set_user_state("hc-http", "OK"), "");
}

TEST_F(HealthModifiers, RecoveryControlOnOff) {
    config::HealthCheck rc;
    rc.id = "rc-1";
    rc.config.type = config::HealthCheckType::RECOVERY_CONTROL;
    rc.config.routing_control_arn =
        "arn:aws:route53-recovery-control::1:controlpanel/x/routingcontrol/y";
    rc.local.initial_state = "OFF";
    auto table = engine.apply(make_config({rc}), 1);
    EXPECT_FALSE(table->is_healthy(0));
    ASSERT_EQ(engine.set_user_state("rc-1", "ON"), "");
    EXPECT_TRUE(recorder.last()->is_healthy(0));
    EXPECT_NE(engine.set_user_state("rc-1", "OK"), "");
}

// §8 pt 31: an override publishes before returning; the measured state is still tracked.
TEST_F(HealthModifiers, OverridePublishesSynchronously) {
    engine.apply(make_config({http_check("hc-1")}), 1);
    engine.inject("hc-1", "", -1, InjectedResult::Healthy);
    ASSERT_TRUE(engine.set_override("hc-1", false));
    ASSERT_TRUE(recorder.last());
    EXPECT_FALSE(recorder.last()->is_healthy(0));
    auto s = engine.status("hc-1");
    EXPECT_FALSE(s->healthy);
    EXPECT_TRUE(s->measured_healthy);
    EXPECT_EQ(s->forced, false);
    EXPECT_NE(recorder.log().back().find("HEALTHY -> UNHEALTHY (override)"), std::string::npos);

    ASSERT_TRUE(engine.advance_clock(30s));
    EXPECT_FALSE(healthy("hc-1"));  // probes do not undo an override
    const auto published = engine.version();
    ASSERT_TRUE(engine.set_override("hc-1", std::nullopt));
    EXPECT_GT(engine.version(), published);
    EXPECT_TRUE(recorder.last()->is_healthy(0));
    EXPECT_FALSE(engine.set_override("nope", true));
}

}  // namespace
}  // namespace r53::health
