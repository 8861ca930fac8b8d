// The per-checker FailureThreshold state machine (semantics §1.4 pt 2, §7 "One checker flips")
// and the pure verdict rules above it (§1.4 pts 3, 5-7, §1.1).
#include <gtest/gtest.h>

#include <string>

#include "healthcheck/aggregate.hpp"
#include "healthcheck/threshold.hpp"

namespace r53::health {
namespace {

// A fake clock: result i arrives at tick i; the table says at which tick the verdict flips.
struct ThresholdCase {
    const char* name;
    int threshold;
    const char* results;   // '+' success, '-' failure, one per tick
    const char* verdicts;  // 'H'/'U' after each tick
};

TEST(HealthThreshold, FlipsOnlyAfterThresholdConsecutiveOppositeResults) {
    const ThresholdCase cases[] = {
        {"starts healthy, successes keep it", 3, "+++", "HHH"},
        {"flips on the third failure", 3, "---", "HHU"},
        {"an interrupted run does not flip", 3, "--+--+--", "HHHHHHHH"},
        {"recovery is symmetric", 3, "---+++", "HHUUUH"},
        {"a failure interrupts recovery", 3, "---++-+++", "HHUUUUUUH"},
        {"threshold 1 follows every result", 1, "-+-+", "UHUH"},
        {"threshold 10", 10, "---------+----------", "HHHHHHHHHHHHHHHHHHHU"},
        {"out of range threshold clamps to 1", 0, "-", "U"},
    };
    for (const auto& c : cases) {
        Threshold t(c.threshold);
        std::string seen;
        for (const char* r = c.results; *r; ++r) {
            t.feed(*r == '+');
            seen += t.healthy() ? 'H' : 'U';
        }
        EXPECT_EQ(seen, c.verdicts) << c.name;
    }
}

TEST(HealthThreshold, ReportsTransitionsAndRuns) {
    Threshold t(2);
    EXPECT_EQ(t.feed(false), Transition::None);
    EXPECT_EQ(t.consecutive_failures(), 1);
    EXPECT_EQ(t.feed(false), Transition::BecameUnhealthy);
    EXPECT_EQ(t.feed(false), Transition::None);
    EXPECT_EQ(t.consecutive_failures(), 3);
    EXPECT_EQ(t.feed(true), Transition::None);
    EXPECT_EQ(t.consecutive_failures(), 0);
    EXPECT_EQ(t.consecutive_successes(), 1);
    EXPECT_EQ(t.feed(true), Transition::BecameHealthy);
}

// §1.4 pt 3: healthy iff > 18 % of checkers are healthy.
TEST(HealthAggregate, FleetThresholdIsStrictlyAbove18Percent) {
    struct Case {
        int healthy, total;
        bool expected;
    };
    for (const Case& c :
         {Case{3, 16, true}, Case{2, 16, false}, Case{0, 16, false}, Case{16, 16, true},
          Case{1, 1, true}, Case{0, 1, false}, Case{9, 50, false},  // exactly 18 %
          Case{10, 50, true}, Case{1, 6, false}, Case{2, 6, true}}) {
        EXPECT_EQ(fleet_healthy(c.healthy, c.total), c.expected) << c.healthy << "/" << c.total;
    }
}

// §1.4 pt 6: measured -> Disabled forces healthy -> Inverted flips.
TEST(HealthAggregate, ModifierOrder) {
    struct Case {
        bool measured, disabled, inverted, expected;
    };
    for (const Case& c : {Case{true, false, false, true}, Case{false, false, false, false},
                          Case{false, true, false, true}, Case{true, false, true, false},
                          Case{false, false, true, true}, Case{false, true, true, false},
                          Case{true, true, true, false}}) {
        EXPECT_EQ(apply_modifiers(c.measured, c.disabled, c.inverted), c.expected)
            << c.measured << c.disabled << c.inverted;
    }
}

// §1.4 pt 7.
TEST(HealthAggregate, CalculatedThreshold) {
    EXPECT_TRUE(calculated_healthy(0, 3, 0));   // 0 -> always healthy
    EXPECT_FALSE(calculated_healthy(3, 3, 4));  // > children -> always unhealthy
    EXPECT_TRUE(calculated_healthy(2, 3, 2));
    EXPECT_FALSE(calculated_healthy(1, 3, 2));
    EXPECT_TRUE(calculated_healthy(3, 3, 3));  // AND
    EXPECT_TRUE(calculated_healthy(1, 3, 1));  // OR
    EXPECT_FALSE(calculated_healthy(0, 3, 1));
}

// §1.1 CLOUDWATCH_METRIC and §1.2 InsufficientDataHealthStatus (no history -> healthy).
TEST(HealthAggregate, CloudWatchStates) {
    using S = config::InsufficientDataHealthStatus;
    EXPECT_TRUE(cloudwatch_healthy("OK", S::Unhealthy, false));
    EXPECT_FALSE(cloudwatch_healthy("ALARM", S::Healthy, true));
    EXPECT_TRUE(cloudwatch_healthy("INSUFFICIENT_DATA", S::Healthy, false));
    EXPECT_FALSE(cloudwatch_healthy("INSUFFICIENT_DATA", S::Unhealthy, true));
    EXPECT_FALSE(cloudwatch_healthy("INSUFFICIENT_DATA", S::LastKnownStatus, false));
    EXPECT_TRUE(cloudwatch_healthy("INSUFFICIENT_DATA", S::LastKnownStatus, true));
    EXPECT_TRUE(cloudwatch_healthy("INSUFFICIENT_DATA", S::LastKnownStatus, std::nullopt));
    EXPECT_TRUE(cloudwatch_healthy("INSUFFICIENT_DATA", std::nullopt, std::nullopt));
    EXPECT_TRUE(recovery_control_healthy("ON"));
    EXPECT_FALSE(recovery_control_healthy("OFF"));
}

}  // namespace
}  // namespace r53::health
