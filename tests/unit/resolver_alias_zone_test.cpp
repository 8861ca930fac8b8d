// Alias targets honour HostedZoneId (semantics §3): an alias whose HostedZoneId names another
// served zone resolves in that zone; one whose id names no zone holding the name is refused with
// Route 53's text (§3 "Obs errors"). AWS service ids resolve at their local stand-ins (§8.17).
#include "resolver_test_util.hpp"

namespace r53::resolver::test {
namespace {

config::ResourceRecordSet alias_in(const std::string& name, const std::string& zone_id,
                                   const std::string& target, bool eth) {
    auto r = alias(name, "A", target, eth);
    r.alias_target->hosted_zone_id = zone_id;
    return r;
}

class CrossZone : public ::testing::Test {
  protected:
    void SetUp() override {
        f.zone("example.com.", "ZAPP");
        f.zone("example.net.", "ZSHARED");
        f.check("hc-shared");
        auto shared = rrset("lb.example.net.", "A", 30, {"10.9.0.1"});
        shared.set_identifier = "primary";
        shared.failover = config::FailoverRole::Primary;
        shared.health_check_id = "hc-shared";
        f.add(shared, "example.net.");
        auto backup = rrset("lb.example.net.", "A", 30, {"10.9.0.2"});
        backup.set_identifier = "secondary";
        backup.failover = config::FailoverRole::Secondary;
        f.add(backup, "example.net.");
    }
    Fixture f;
};

TEST_F(CrossZone, AliasResolvesInTheZoneItsHostedZoneIdNames) {
    f.add(alias_in("www.example.com.", "ZSHARED", "lb.example.net.", true));
    ASSERT_TRUE(f.build()) << f.diagnostics_text();
    auto r = f.query("www.example.com.", A, "", true);
    EXPECT_EQ(r.answer, std::vector<std::string>{"www.example.com. A 10.9.0.1"});
    EXPECT_EQ(ttl_of(r.raw_answer.at(0)), "30");  // the target record's TTL (§3)
    EXPECT_NE(std::find(r.trace.begin(), r.trace.end(),
                        "alias to lb.example.net. A (failover, EvaluateTargetHealth=true)"),
              r.trace.end())
        << ::testing::PrintToString(r.trace);
    f.set_health("hc-shared", false);  // the other zone's policy still decides
    EXPECT_EQ(f.query("www.example.com.").values(), std::vector<std::string>{"10.9.0.2"});
}

TEST_F(CrossZone, HostedZoneIdOfAZoneNotHoldingTheNameIsRefused) {
    f.add(alias_in("www.example.com.", "ZAPP", "lb.example.net.", true));
    EXPECT_FALSE(f.build());
    EXPECT_NE(f.diagnostics_text().find(
                  "InvalidChangeBatch: [Tried to create an alias that targets lb.example.net., "
                  "type A in zone ZAPP, but the alias target name does not lie within the target "
                  "zone]"),
              std::string::npos)
        << f.diagnostics_text();
}

TEST_F(CrossZone, HostedZoneIdOfNoServedZoneFindsNoTarget) {
    f.add(alias_in("www.example.com.", "ZNOWHERE", "lb.example.net.", true));
    EXPECT_FALSE(f.build());
    EXPECT_NE(f.diagnostics_text().find("Tried to create an alias that targets lb.example.net., "
                                        "type A in zone ZNOWHERE, but that target was not found]"),
              std::string::npos)
        << f.diagnostics_text();
}

TEST_F(CrossZone, AwsServiceZoneIdsStillReachTheirLocalStandIns) {  // §8.17
    config::AwsAliasTarget cloudfront;
    cloudfront.dns_name = "d111111abcdef8.cloudfront.net.";
    cloudfront.a = {"10.8.0.1"};
    f.config.local.alias_targets.push_back(cloudfront);
    f.add(alias_in("cdn.example.com.", "Z2FDTNDATAQYW2", "d111111abcdef8.cloudfront.net.", false));
    ASSERT_TRUE(f.build()) << f.diagnostics_text();
    EXPECT_EQ(f.query("cdn.example.com.").values(), std::vector<std::string>{"10.8.0.1"});
}

TEST_F(CrossZone, CyclesAcrossZonesAreRefused) {
    f.add(alias_in("a.example.com.", "ZSHARED", "b.example.net.", false));
    f.add(alias_in("b.example.net.", "ZAPP", "a.example.com.", false), "example.net.");
    EXPECT_FALSE(f.build());
    EXPECT_NE(f.diagnostics_text().find("alias cycle"), std::string::npos) << f.diagnostics_text();
}

}  // namespace
}  // namespace r53::resolver::test
