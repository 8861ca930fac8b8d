// One probe fleet for several replicas (healthcheck/engine.hpp): an engine that does not probe
// keeps its schedule but sends nothing and follows the prober's shared checker states; the newest
// observation wins; an engine that takes over probing continues from the shared state, so a
// check that was unhealthy does not flip back to "healthy until data" (semantics §1.4 pt 5).
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

config::ConfigPtr one_checker(uint16_t port) {
    auto hc = http_check("hc", port);
    hc.config.request_interval = 30;
    hc.config.failure_threshold = 2;
    auto config = std::const_pointer_cast<config::Config>(make_config({hc}));
    config->local.fleet.single_checker = true;
    return config;
}

struct Replica {
    Recorder recorder;
    Engine engine{EngineOptions{}, recorder.publisher(), recorder.logger()};
    explicit Replica(const config::ConfigPtr& config, bool probing) {
        engine.set_probing(probing);
        engine.apply(config, 1);
        engine.start();
    }
    ~Replica() { engine.stop(); }
    bool healthy() { return engine.status("hc")->healthy; }
};

TEST(HealthFleetShare, OnlyTheProberProbesAndTheOtherFollowsItsShares) {
    TestServer server(Script{http_response(503, "Service Unavailable")});
    auto config = one_checker(server.port());
    Replica prober(config, true), follower(config, false);
    for (auto by : {0s, 30s}) {
        ASSERT_TRUE(follower.engine.advance_clock(by));
        ASSERT_TRUE(prober.engine.advance_clock(by));
    }
    EXPECT_EQ(server.requests().size(), 2u);  // the prober's two probes, none from the follower
    EXPECT_FALSE(prober.healthy());
    EXPECT_TRUE(follower.healthy());
    EXPECT_FALSE(follower.engine.status("hc")->has_data);

    follower.engine.import_shares(prober.engine.export_shares());
    auto status = follower.engine.status("hc");  // queued behind the import on the engine thread
    EXPECT_FALSE(status->healthy);
    EXPECT_TRUE(status->has_data);
    ASSERT_EQ(status->observations.size(), 1u);
    EXPECT_EQ(status->observations[0].consecutive_failures, 2);
    EXPECT_EQ(status->observations[0].status, prober.engine.status("hc")->observations[0].status);
    ASSERT_NE(follower.recorder.last(), nullptr);  // published at once, not at the next advance
    EXPECT_FALSE(follower.recorder.last()->is_healthy(0));
    EXPECT_EQ(server.requests().size(), 2u);
}

TEST(HealthFleetShare, TakingOverContinuesFromTheSharedStateWithoutAFalseFlip) {
    TestServer server(Script{http_response(503, "Service Unavailable")});
    auto config = one_checker(server.port());
    Replica prober(config, true), heir(config, false);
    for (auto by : {0s, 30s}) {
        ASSERT_TRUE(heir.engine.advance_clock(by));
        ASSERT_TRUE(prober.engine.advance_clock(by));
    }
    heir.engine.import_shares(prober.engine.export_shares());
    ASSERT_FALSE(heir.healthy());
    auto transitions = heir.engine.status("hc")->transitions;

    heir.engine.set_probing(true);  // the prober is gone
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(heir.engine.advance_clock(30s));
    EXPECT_EQ(server.requests().size(), 5u);
    EXPECT_FALSE(heir.healthy());
    EXPECT_EQ(heir.engine.status("hc")->transitions, transitions);
    EXPECT_EQ(heir.engine.status("hc")->observations[0].consecutive_failures, 5);

    // Recovery still takes exactly FailureThreshold successes.
    server.set_script(Script{http_response(200, "OK")});
    ASSERT_TRUE(heir.engine.advance_clock(30s));
    EXPECT_FALSE(heir.healthy());
    ASSERT_TRUE(heir.engine.advance_clock(30s));
    EXPECT_TRUE(heir.healthy());
}

TEST(HealthFleetShare, TheNewestObservationWins) {
    TestServer server(Script{http_response(200, "OK")});
    Replica local(one_checker(server.port()), true);
    ASSERT_TRUE(local.engine.advance_clock(0s));  // its own probe: healthy, with data
    ASSERT_TRUE(local.engine.advance_clock(30s));

    CheckShare stale{"hc", {CheckerShare{}}};
    auto& checker = stale.checkers[0];
    auto seen = local.engine.status("hc")->observations.at(0);
    checker.region = seen.region;
    checker.checker = seen.checker;
    checker.healthy = false;
    checker.failures = 2;
    checker.has_data = true;
    checker.last_probe_ok = false;
    checker.status = "Failure: HTTP Status Code 503, Service Unavailable.";
    checker.checked_at = seen.checked_at - 1h;
    local.engine.set_probing(false);
    local.engine.import_shares({stale});
    EXPECT_TRUE(local.healthy());  // older than what this replica saw itself

    checker.checked_at = seen.checked_at + 1s;
    local.engine.import_shares({stale});
    EXPECT_FALSE(local.healthy());

    // While probing, shares are kept but not applied; they apply once probing stops.
    CheckShare recovered = stale;
    recovered.checkers[0].healthy = true;
    recovered.checkers[0].failures = 0;
    recovered.checkers[0].successes = 2;
    recovered.checkers[0].last_probe_ok = true;
    recovered.checkers[0].checked_at = seen.checked_at + 2s;
    local.engine.set_probing(true);
    local.engine.import_shares({recovered});
    EXPECT_FALSE(local.healthy());
    local.engine.set_probing(false);
    EXPECT_TRUE(local.healthy());
}

TEST(HealthFleetShare, UnknownChecksAndCheckersAreIgnored) {
    TestServer server(Script{http_response(200, "OK")});
    Replica follower(one_checker(server.port()), false);
    CheckShare other{"hc-elsewhere", {CheckerShare{"us-east-1", 0, false, 0, 3, true}}};
    CheckShare wrong_slot{"hc", {CheckerShare{"xx-nowhere-1", 7, false, 0, 3, true}}};
    follower.engine.import_shares({other, wrong_slot});
    EXPECT_TRUE(follower.healthy());
    EXPECT_FALSE(follower.engine.status("hc")->has_data);
}

}  // namespace
}  // namespace r53::health
