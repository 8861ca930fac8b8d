// local.latency: the latency order a test can steer (semantics §2.3 Latency, §2.4 client
// location, §8 point 15): the table itself, then latency routing and explain over it.
#include <gtest/gtest.h>

#include "resolver/latency_table.hpp"
#include "resolver_test_util.hpp"

namespace r53::resolver::test {
namespace {

config::LatencyPreference prefer(std::optional<std::string> client,
                                 std::vector<std::string> regions) {
    config::LatencyPreference p;
    p.client = std::move(client);
    p.regions = std::move(regions);
    return p;
}

std::string matched(const LatencyTable& table, const std::string& client) {
    const LatencyTable::Entry* e = table.match(client_address(client));
    return e ? e->client_text + " " + e->regions_text : "none";
}

// ---------------------------------------------------------------- the table

TEST(LatencyTable, LongestPrefixWins) {
    LatencyTable t({prefer("203.0.0.0/8", {"us-east-1"}),
                    prefer("203.0.113.0/24", {"eu-west-1", "us-east-1"}),
                    prefer("203.0.113.128/25", {"ap-southeast-1"})});
    EXPECT_EQ(matched(t, "203.0.113.7"), "203.0.113.0/24 [eu-west-1, us-east-1]");
    EXPECT_EQ(matched(t, "203.0.113.200"), "203.0.113.128/25 [ap-southeast-1]");
    EXPECT_EQ(matched(t, "203.9.9.9"), "203.0.0.0/8 [us-east-1]");
    EXPECT_EQ(matched(t, "198.51.100.1"), "none");
}

TEST(LatencyTable, Ipv6AndBareAddresses) {
    LatencyTable t({prefer("2001:db8::/32", {"ap-southeast-1"}),
                    prefer("2001:db8:1::7", {"eu-west-1"}), prefer("127.0.0.2", {"us-west-2"})});
    EXPECT_EQ(matched(t, "2001:db8:ffff::1"), "2001:db8::/32 [ap-southeast-1]");
    EXPECT_EQ(matched(t, "2001:db8:1::7"), "2001:db8:1::7 [eu-west-1]");
    EXPECT_EQ(matched(t, "127.0.0.2"), "127.0.0.2 [us-west-2]");
    EXPECT_EQ(matched(t, "127.0.0.3"), "none");
    EXPECT_EQ(matched(t, "::ffff:127.0.0.2"), "none") << "an IPv6 client never matches IPv4";
}

TEST(LatencyTable, EcsPrefixShorterThanTheBlockDoesNotMatch) {  // §2.3 IP-based rule, §2.4
    LatencyTable t({prefer("203.0.113.0/24", {"eu-west-1"})});
    EXPECT_EQ(matched(t, "203.0.113.0/24"), "203.0.113.0/24 [eu-west-1]");
    EXPECT_EQ(matched(t, "203.0.113.64/26"), "203.0.113.0/24 [eu-west-1]");
    EXPECT_EQ(matched(t, "203.0.0.0/16"), "none");
}

TEST(LatencyTable, DefaultCatchesEveryOtherClientIncludingUnknown) {
    LatencyTable t({prefer("203.0.113.0/24", {"eu-west-1"}),
                    prefer(std::nullopt, {"us-east-1", "eu-west-1"})});
    EXPECT_EQ(matched(t, "198.51.100.1"), "default [us-east-1, eu-west-1]");
    EXPECT_EQ(matched(t, "2001:db8::1"), "default [us-east-1, eu-west-1]");
    EXPECT_EQ(matched(t, ""), "default [us-east-1, eu-west-1]") << "no address at all";
    EXPECT_EQ(matched(t, "203.0.113.9"), "203.0.113.0/24 [eu-west-1]");
}

TEST(LatencyTable, WithoutEntriesNothingMatches) {
    LatencyTable t;
    EXPECT_TRUE(t.empty());
    EXPECT_EQ(matched(t, "203.0.113.7"), "none");
}

TEST(LatencyTable, RankIsThePositionInTheList) {
    LatencyTable t({prefer(std::nullopt, {"eu-west-1", "us-east-1"})});
    const auto& e = *t.match({});
    EXPECT_EQ(LatencyTable::rank(e, "eu-west-1"), 0);
    EXPECT_EQ(LatencyTable::rank(e, "us-east-1"), 1);
    EXPECT_EQ(LatencyTable::rank(e, "ap-south-1"), -1);
}

// ---------------------------------------------------------------- latency routing over it

class SteeredLatency : public ::testing::Test {
  protected:
    void SetUp() override {
        for (auto [region, ip] : {std::pair{"us-east-1", "10.0.0.1"},
                                  {"eu-west-1", "10.0.0.2"},
                                  {"ap-southeast-1", "10.0.0.3"},
                                  {"eu-central-1", "10.0.0.4"}}) {
            auto r = rrset("lat.example.com.", "A", 60, {ip});
            r.set_identifier = region;
            r.region = region;
            r.health_check_id = std::string("hc-") + region;
            f.check(*r.health_check_id);
            f.add(r);
        }
        auto& table = f.config.local.latency;
        table.push_back(prefer("203.0.113.0/24", {"ap-southeast-1", "us-east-1"}));
        table.push_back(prefer("2001:db8::/32", {"eu-west-1"}));
        // London by location: distance ranks eu-west-1, then eu-central-1, us-east-1, Singapore.
        config::ClientPrefix london;
        london.cidr = "192.0.2.0/24";
        london.region = "eu-west-2";
        f.config.local.client_locations.push_back(london);
        ASSERT_TRUE(f.build()) << f.diagnostics_text();
    }
    std::string ask(const std::string& client) {
        return f.query("lat.example.com.", A, client).values().at(0);
    }
    Fixture f;
};

TEST_F(SteeredLatency, TheFirstListedRegionWinsOverDistance) {
    EXPECT_EQ(ask("203.0.113.7"), "10.0.0.3");     // ap-southeast-1, listed first
    EXPECT_EQ(ask("203.0.113.0/24"), "10.0.0.3");  // as an ECS prefix too
    EXPECT_EQ(ask("2001:db8::53"), "10.0.0.2");    // eu-west-1
    EXPECT_EQ(ask("192.0.2.10"), "10.0.0.2");      // no entry: distance from London, as before
}

TEST_F(SteeredLatency, UnhealthyRegionFallsDownTheListThenByDistance) {
    f.set_health("hc-ap-southeast-1", false);
    EXPECT_EQ(ask("203.0.113.7"), "10.0.0.1");  // us-east-1, second in the list
    f.set_health("hc-us-east-1", false);
    // The list is used up: the rest by distance from the client's position (us-east-1 when
    // nothing locates it, §2.4) - eu-west-1 (Dublin) before eu-central-1 (Frankfurt).
    EXPECT_EQ(ask("203.0.113.7"), "10.0.0.2");
    f.set_health("hc-eu-west-1", false);
    EXPECT_EQ(ask("203.0.113.7"), "10.0.0.4");
    f.set_health("hc-eu-central-1", false);
    EXPECT_EQ(ask("203.0.113.7"), "10.0.0.3") << "all unhealthy: the first listed (fail-open)";
}

TEST_F(SteeredLatency, DefaultEntryAppliesToUnmatchedClients) {
    f.config.local.latency.push_back(prefer(std::nullopt, {"eu-central-1"}));
    ASSERT_TRUE(f.build()) << f.diagnostics_text();
    EXPECT_EQ(ask("192.0.2.10"), "10.0.0.4");   // London would be eu-west-1 by distance
    EXPECT_EQ(ask(""), "10.0.0.4");             // no client address at all
    EXPECT_EQ(ask("203.0.113.7"), "10.0.0.3");  // its own entry still wins
}

TEST_F(SteeredLatency, ExplainNamesTheEntryAndTheChoice) {
    auto trace = f.query("lat.example.com.", A, "203.0.113.7", true).trace;
    EXPECT_NE(std::find(trace.begin(), trace.end(),
                        "latency: client 203.0.113.7 matched 203.0.113.0/24 -> [ap-southeast-1, "
                        "us-east-1]; chose ap-southeast-1"),
              trace.end())
        << ::testing::PrintToString(trace);

    f.set_health("hc-ap-southeast-1", false);
    f.set_health("hc-us-east-1", false);
    trace = f.query("lat.example.com.", A, "203.0.113.0/24", true).trace;
    EXPECT_NE(std::find(trace.begin(), trace.end(),
                        "latency: client 203.0.113.0/24 matched 203.0.113.0/24 -> "
                        "[ap-southeast-1, us-east-1]; chose eu-west-1 (not in the list: by "
                        "distance)"),
              trace.end())
        << ::testing::PrintToString(trace);

    trace = f.query("lat.example.com.", A, "192.0.2.10", true).trace;
    EXPECT_NE(std::find(trace.begin(), trace.end(),
                        "latency: client 192.0.2.10 matched no local.latency entry; chose "
                        "eu-west-1 by distance"),
              trace.end())
        << ::testing::PrintToString(trace);
}

TEST_F(SteeredLatency, EcsScopeIsTheClientPrefix) {  // §2.4: the answer depends on the client
    EXPECT_EQ(f.query("lat.example.com.", A, "203.0.113.0/24").ecs_scope, 24);
}

}  // namespace
}  // namespace r53::resolver::test
