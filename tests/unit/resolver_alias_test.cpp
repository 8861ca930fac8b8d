// Alias records: semantics §3 (ETH, TTL, same-zone trees, AWS targets) and §8 point 17.
#include "resolver_test_util.hpp"

namespace r53::resolver::test {
namespace {

config::ResourceRecordSet with_policy(config::ResourceRecordSet r, const std::string& id) {
    r.set_identifier = id;
    return r;
}

// ---------------------------------------------------------------- latency -> weighted (§3, S6)

class LatencyOverWeighted : public ::testing::Test {
  protected:
    void make(bool eth_eu = true) {
        for (auto [group, ip1, ip2] :
             {std::tuple{"use", "10.0.1.1", "10.0.1.2"}, {"euw", "10.0.2.1", "10.0.2.2"}}) {
            std::string name = std::string(group) + ".example.com.";
            f.check(std::string("hc-") + group + "-1");
            f.check(std::string("hc-") + group + "-2");
            f.add(weighted(name, "1", 50, ip1, std::string("hc-") + group + "-1"));
            f.add(weighted(name, "2", 50, ip2, std::string("hc-") + group + "-2"));
            for (auto& r : f.zone().record_sets) r.ttl = 45;
        }
        auto us = with_policy(alias("app.example.com.", "A", "use.example.com.", true), "us");
        us.region = "us-east-1";
        auto eu = with_policy(alias("app.example.com.", "A", "euw.example.com.", eth_eu), "eu");
        eu.region = "eu-west-1";
        f.add(us);
        f.add(eu);
        config::ClientPrefix london;
        london.cidr = "192.0.2.0/24";
        london.region = "eu-west-2";
        f.config.local.client_locations.push_back(london);
    }
    std::set<std::string> answers(int n = 200) {
        std::set<std::string> seen;
        for (int i = 0; i < n; ++i)
            for (const auto& v : f.query("app.example.com.", A, "192.0.2.1").values())
                seen.insert(v);
        return seen;
    }
    Fixture f;
};

TEST_F(LatencyOverWeighted, AnswersFromTheClosestRegionsWeightedGroup) {
    make();
    ASSERT_TRUE(f.build()) << f.diagnostics_text();
    EXPECT_EQ(answers(), (std::set<std::string>{"10.0.2.1", "10.0.2.2"}));
    auto r = f.query("app.example.com.", A, "192.0.2.0/24");
    ASSERT_EQ(r.answer.size(), 1u);
    EXPECT_EQ(r.answer[0].substr(0, 18), "app.example.com. A");  // queried owner, alias type
    EXPECT_EQ(ttl_of(r.raw_answer[0]), "45");                    // the target's TTL
    EXPECT_EQ(r.ecs_scope, 24);
}

TEST_F(LatencyOverWeighted, OneUnhealthyRecordStaysInsideTheRegion) {
    make();
    ASSERT_TRUE(f.build());
    f.set_health("hc-euw-1", false);
    EXPECT_EQ(answers(), std::set<std::string>{"10.0.2.2"});
}

TEST_F(LatencyOverWeighted, RegionWhoseRecordsAllFailIsAbandoned) {
    make();
    ASSERT_TRUE(f.build());
    f.set_health("hc-euw-1", false);
    f.set_health("hc-euw-2", false);
    EXPECT_EQ(answers(), (std::set<std::string>{"10.0.1.1", "10.0.1.2"}));
}

TEST_F(LatencyOverWeighted, EverythingUnhealthyFailsOpenAtEveryLevel) {
    make();
    ASSERT_TRUE(f.build());
    for (auto id : {"hc-euw-1", "hc-euw-2", "hc-use-1", "hc-use-2"}) f.set_health(id, false);
    EXPECT_EQ(answers(), (std::set<std::string>{"10.0.2.1", "10.0.2.2"}));
    auto r = f.query("app.example.com.", A, "192.0.2.1", true);
    bool fail_open = false;
    for (const auto& s : r.trace)
        fail_open |=
            s.find("all unhealthy: treating all as healthy (fail-open)") != std::string::npos;
    EXPECT_TRUE(fail_open);
}

TEST_F(LatencyOverWeighted, WithoutEvaluateTargetHealthTheBranchIsAlwaysHealthy) {
    make(false);
    ASSERT_TRUE(f.build()) << f.diagnostics_text();
    f.set_health("hc-euw-1", false);
    f.set_health("hc-euw-2", false);
    EXPECT_EQ(answers(), (std::set<std::string>{"10.0.2.1", "10.0.2.2"}));
}

// ---------------------------------------------------------------- failover of aliases (§3)

class FailoverOfAliases : public ::testing::Test {
  protected:
    void SetUp() override {
        for (auto [group, ip] : {std::pair{"blue", "10.0.3."}, {"green", "10.0.4."}}) {
            for (int i = 1; i <= 2; ++i) {
                std::string id = std::string(group) + std::to_string(i);
                f.check("hc-" + id);
                f.add(weighted(std::string(group) + ".example.com.", id, 10, ip + std::to_string(i),
                               "hc-" + id));
            }
        }
        f.check("hc-primary-alias");
        auto p = with_policy(alias("svc.example.com.", "A", "blue.example.com.", true), "P");
        p.failover = config::FailoverRole::Primary;
        p.health_check_id = "hc-primary-alias";
        auto s = with_policy(alias("svc.example.com.", "A", "green.example.com.", true), "S");
        s.failover = config::FailoverRole::Secondary;
        f.add(p);
        f.add(s);
        ASSERT_TRUE(f.build()) << f.diagnostics_text();
    }
    std::set<std::string> answers() {
        std::set<std::string> seen;
        for (int i = 0; i < 100; ++i)
            for (const auto& v : f.query("svc.example.com.").values()) seen.insert(v);
        return seen;
    }
    Fixture f;
};

TEST_F(FailoverOfAliases, Table) {
    struct Row {
        std::vector<std::string> down;
        std::set<std::string> expected;
    } rows[] = {
        {{}, {"10.0.3.1", "10.0.3.2"}},
        {{"hc-blue1"}, {"10.0.3.2"}},
        {{"hc-blue1", "hc-blue2"}, {"10.0.4.1", "10.0.4.2"}},  // primary target all unhealthy
        {{"hc-primary-alias"}, {"10.0.4.1", "10.0.4.2"}},      // HC on alias AND ETH: both
        {{"hc-blue1", "hc-blue2", "hc-green1"}, {"10.0.4.2"}},
        // Both sides unhealthy: the primary, its weighted group failing open.
        {{"hc-blue1", "hc-blue2", "hc-green1", "hc-green2"}, {"10.0.3.1", "10.0.3.2"}},
    };
    for (const auto& row : rows) {
        for (const auto& [id, ok] : f.health) f.health[id] = true;
        for (const auto& id : row.down) f.health[id] = false;
        f.publish_health();
        EXPECT_EQ(answers(), row.expected) << ::testing::PrintToString(row.down);
    }
}

// ---------------------------------------------------------------- geolocation default -> failover

TEST(GeolocationDefaultToFailover, DefaultBranchFollowsTheFailoverPair) {
    Fixture f;
    f.check("hc-de");
    f.check("hc-p");
    f.check("hc-s");
    auto de = with_policy(rrset("geo.example.com.", "A", 60, {"10.0.5.1"}), "de");
    de.geo_location = config::GeoLocation{std::nullopt, "DE", std::nullopt};
    de.health_check_id = "hc-de";
    auto def = with_policy(alias("geo.example.com.", "A", "fo.example.com.", true), "default");
    def.geo_location = config::GeoLocation{std::nullopt, "*", std::nullopt};
    f.add(de);
    f.add(def);
    for (auto [id, role, ip] : {std::tuple{"p", config::FailoverRole::Primary, "10.0.6.1"},
                                {"s", config::FailoverRole::Secondary, "10.0.6.2"}}) {
        auto r = with_policy(rrset("fo.example.com.", "A", 60, {ip}), id);
        r.failover = role;
        r.health_check_id = std::string("hc-") + id;
        f.add(r);
    }
    config::ClientPrefix germany, japan;
    germany.cidr = "192.0.2.0/24";
    germany.continent_code = "EU";
    germany.country_code = "DE";
    japan.cidr = "198.51.100.0/24";
    japan.continent_code = "AS";
    japan.country_code = "JP";
    f.config.local.client_locations = {germany, japan};
    ASSERT_TRUE(f.build()) << f.diagnostics_text();

    struct Row {
        std::vector<std::string> down;
        std::string client, expected;
    } rows[] = {
        {{}, "192.0.2.1", "10.0.5.1"},
        {{}, "198.51.100.1", "10.0.6.1"},
        {{"hc-p"}, "198.51.100.1", "10.0.6.2"},
        {{"hc-de"}, "192.0.2.1", "10.0.6.1"},  // DE unhealthy -> default -> primary
        {{"hc-de", "hc-p"}, "192.0.2.1", "10.0.6.2"},
        {{"hc-de", "hc-p", "hc-s"}, "192.0.2.1", "10.0.5.1"},  // all down: smallest area
        {{"hc-p", "hc-s"}, "198.51.100.1", "10.0.6.1"},        // fail-open twice: primary
    };
    for (const auto& row : rows) {
        for (const auto& [id, ok] : f.health) f.health[id] = true;
        for (const auto& id : row.down) f.health[id] = false;
        f.publish_health();
        EXPECT_EQ(f.query("geo.example.com.", A, row.client).values(),
                  std::vector<std::string>{row.expected})
            << row.client << " " << ::testing::PrintToString(row.down);
    }
}

// ---------------------------------------------------------------- AWS targets (§3, §8 point 17)

class AwsTargets : public ::testing::Test {
  protected:
    void SetUp() override {
        f.check("hc-alb");
        config::AwsAliasTarget alb;
        alb.dns_name = "dualstack.my-alb-1.us-east-1.elb.amazonaws.com.";
        alb.a = {"203.0.113.10", "203.0.113.11"};
        alb.aaaa = {"2001:db8::10"};
        alb.health_check_id = "hc-alb";
        config::AwsAliasTarget cdn;
        cdn.dns_name = "d111111abcdef8.cloudfront.net.";
        cdn.a = {"203.0.113.20"};
        cdn.healthy = false;
        cdn.ttl = 300;
        f.config.local.alias_targets = {alb, cdn};
        f.add(alias("example.com.", "A", "dualstack.my-alb-1.us-east-1.elb.amazonaws.com.", true));
        f.add(
            alias("example.com.", "AAAA", "dualstack.my-alb-1.us-east-1.elb.amazonaws.com.", true));
        auto p = with_policy(alias("web.example.com.", "A", alb.dns_name, true), "P");
        p.failover = config::FailoverRole::Primary;
        auto s = with_policy(alias("web.example.com.", "A", cdn.dns_name, false), "S");
        s.failover = config::FailoverRole::Secondary;
        f.add(p);
        f.add(s);
        f.add(alias("cdn.example.com.", "A", cdn.dns_name, false));
        ASSERT_TRUE(f.build()) << f.diagnostics_text();
    }
    Fixture f;
};

TEST_F(AwsTargets, ApexAliasAnswersTheTargetsAddressesWithItsTtl) {
    auto a = f.query("example.com.", A);
    EXPECT_EQ(a.sorted_answer(), (std::vector<std::string>{"example.com. A 203.0.113.10",
                                                           "example.com. A 203.0.113.11"}));
    EXPECT_EQ(ttl_of(a.raw_answer[0]), "60");  // ELB's own TTL (§3)
    EXPECT_EQ(f.query("example.com.", AAAA).answer,
              std::vector<std::string>{"example.com. AAAA 2001:db8::10"});
    EXPECT_EQ(ttl_of(f.query("cdn.example.com.").raw_answer[0]), "300");
}

TEST_F(AwsTargets, AliasAnswersOnlyItsOwnType) {  // §3 "answers only its own type"
    auto r = f.query("cdn.example.com.", AAAA);
    EXPECT_EQ(r.rcode, Rcode::NoError);
    EXPECT_TRUE(r.answer.empty());
}

TEST_F(AwsTargets, TargetHealthDrivesFailoverWithEvaluateTargetHealth) {
    EXPECT_EQ(f.query("web.example.com.").values(),
              (std::vector<std::string>{"203.0.113.10", "203.0.113.11"}));
    f.set_health("hc-alb", false);
    // The secondary's fixed health is false, but ETH=false makes its branch healthy.
    EXPECT_EQ(f.query("web.example.com.").values(), std::vector<std::string>{"203.0.113.20"});
}

// ---------------------------------------------------------------- same-zone simple target

TEST(SameZoneAlias, UsesTheTargetTtlAndTheQueriedName) {
    Fixture f;
    f.add(rrset("target.example.com.", "A", 123, {"10.0.7.1"}));
    f.add(alias("example.com.", "A", "target.example.com.", false));
    f.add(alias("chain.example.com.", "A", "example.com.", true));
    ASSERT_TRUE(f.build()) << f.diagnostics_text();
    for (const char* name : {"example.com.", "chain.example.com."}) {
        auto r = f.query(name);
        EXPECT_EQ(r.answer, std::vector<std::string>{std::string(name) + " A 10.0.7.1"});
        EXPECT_EQ(ttl_of(r.raw_answer[0]), "123");
    }
}

TEST(AliasDepth, ChainsLongerThanTheLimitGiveNoAnswer) {  // cycles are refused at load
    Fixture f;
    f.add(rrset("t.example.com.", "A", 60, {"10.0.8.1"}));
    // h1 -> t, h2 -> h1, ..., h9 -> h8: hN needs N alias hops.
    for (int i = 1; i <= 9; ++i)
        f.add(alias("h" + std::to_string(i) + ".example.com.", "A",
                    i == 1 ? "t.example.com." : "h" + std::to_string(i - 1) + ".example.com.",
                    false));
    ASSERT_TRUE(f.build()) << f.diagnostics_text();
    EXPECT_EQ(f.query("h8.example.com.").values(), std::vector<std::string>{"10.0.8.1"});
    auto r = f.query("h9.example.com.", A, "", true);
    EXPECT_EQ(r.rcode, Rcode::NoError);
    EXPECT_TRUE(r.answer.empty());
    bool noted = false;
    for (const auto& step : r.trace) noted |= step.find("alias depth limit") != std::string::npos;
    EXPECT_TRUE(noted);
}

}  // namespace
}  // namespace r53::resolver::test
