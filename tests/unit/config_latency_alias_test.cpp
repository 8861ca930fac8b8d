// local.latency (semantics §2.3 Latency, §8 point 15) and aliases whose HostedZoneId names
// another served zone (§3, "Obs errors"): what loads, and every error with its exact text and line.
#include <gtest/gtest.h>

#include "config/change_batch.hpp"
#include "config/parse.hpp"
#include "config_test_util.hpp"

namespace r53::config {
namespace {

using testing::dump;
using testing::has_diagnostic;

// ---------------------------------------------------------------- local.latency

TEST(LatencyTable, LoadsInOrderWithTheDefault) {
    LoadResult r = load_config_text(
        "local:\n"
        "  latency:\n"
        "    - {client: 203.0.113.0/24, regions: [eu-west-1, us-east-1]}\n"
        "    - {client: '2001:db8::/32', regions: [ap-southeast-1]}\n"
        "    - {client: 127.0.0.2, regions: us-west-2}\n"
        "    - {client: default, regions: [us-east-1, eu-west-1]}\n",
        "l.yaml");
    ASSERT_NE(r.config, nullptr) << dump(r.diagnostics);
    const auto& t = r.config->local.latency;
    ASSERT_EQ(t.size(), 4u);
    EXPECT_EQ(t[0].client, "203.0.113.0/24");
    EXPECT_EQ(t[0].regions, (std::vector<std::string>{"eu-west-1", "us-east-1"}));
    EXPECT_EQ(t[1].client, "2001:db8::/32");
    EXPECT_EQ(t[2].client, "127.0.0.2");
    EXPECT_EQ(t[2].regions, std::vector<std::string>{"us-west-2"});
    EXPECT_FALSE(t[3].client) << "the default entry";
    EXPECT_EQ(t[3].where.line, 6);
}

struct LatencyErrorCase {
    const char* what;
    const char* entries;  // the lines under `latency:`, from line 3
    const char* message;
    int line;
};

class LatencyError : public ::testing::TestWithParam<LatencyErrorCase> {};

TEST_P(LatencyError, NamesTheEntryAndLine) {
    const auto& c = GetParam();
    LoadResult r = load_config_text(std::string("local:\n  latency:\n") + c.entries, "l.yaml");
    EXPECT_EQ(r.config, nullptr);
    ASSERT_FALSE(r.diagnostics.empty());
    EXPECT_TRUE(has_diagnostic(r.diagnostics, "InvalidConfig", c.message, c.line));
    // The first line `r53sim check` prints is this error.
    EXPECT_EQ(format(r.diagnostics[0]),
              "l.yaml:" + std::to_string(c.line) + ": error: InvalidConfig: " + c.message);
}

INSTANTIATE_TEST_SUITE_P(
    Config, LatencyError,
    ::testing::Values(
        LatencyErrorCase{"prefix length past 32",
                         "    - {client: 203.0.113.0/33, regions: [eu-west-1]}\n",
                         "invalid CIDR in local.latency[0].client: '203.0.113.0/33' has an "
                         "invalid prefix length (0-32 for IPv4)",
                         3},
        LatencyErrorCase{"host bits past the prefix",
                         "    - {client: 203.0.113.7/24, regions: [eu-west-1]}\n",
                         "invalid CIDR in local.latency[0].client: '203.0.113.7/24' has host bits "
                         "set past /24 (the block is 203.0.113.0/24)",
                         3},
        LatencyErrorCase{"not an address", "    - {client: office, regions: [eu-west-1]}\n",
                         "invalid CIDR in local.latency[0].client: 'office' is not an IP address "
                         "(expected ADDRESS/LENGTH, an address, or default)",
                         3},
        LatencyErrorCase{"default misspelt", "    - {client: defualt, regions: [eu-west-1]}\n",
                         "invalid CIDR in local.latency[0].client: 'defualt' is not an IP address "
                         "(did you mean 'default'?)",
                         3},
        LatencyErrorCase{"unknown region with a suggestion",
                         "    - client: 203.0.113.0/24\n      regions:\n        - us-east-1\n"
                         "        - eu-wset-1\n",
                         "unknown latency region 'eu-wset-1' in local.latency[0].regions (did you "
                         "mean 'eu-west-1'?)",
                         6},
        LatencyErrorCase{"region listed twice",
                         "    - {client: 203.0.113.0/24, regions: [eu-west-1, eu-west-1]}\n",
                         "region eu-west-1 is listed twice in local.latency[0].regions", 3},
        LatencyErrorCase{"no region", "    - {client: 203.0.113.0/24, regions: []}\n",
                         "local.latency[0].regions needs at least one latency region", 3},
        LatencyErrorCase{"same block twice, written differently",
                         "    - {client: '2001:db8::/32', regions: [eu-west-1]}\n"
                         "    - {client: '2001:0db8:0::/32', regions: [us-east-1]}\n",
                         "client 2001:db8::/32 is listed twice in local.latency (first at line 3)",
                         4},
        LatencyErrorCase{"two defaults",
                         "    - {client: default, regions: [eu-west-1]}\n"
                         "    - {client: default, regions: [us-east-1]}\n",
                         "the default is listed twice in local.latency (first at line 3)", 4},
        LatencyErrorCase{"unknown key", "    - {cidr: 203.0.113.0/24, regions: [eu-west-1]}\n",
                         "unknown key 'cidr' in local.latency[0] (expected one of: client, "
                         "regions)",
                         3}));

// ---------------------------------------------------------------- aliases across zones (§3)

// Zone example.com (ZAPP) holds the alias on line 5; zone example.net (ZSHARED) its target.
std::string two_zones(const std::string& alias_zone_id, const std::string& alias_name) {
    return "hosted_zones:\n"            // 1
           "  - Name: example.com\n"    // 2
           "    Id: ZAPP\n"             // 3
           "    ResourceRecordSets:\n"  // 4
           "      - {Name: www.example.com, Type: A, AliasTarget: {HostedZoneId: " +
           alias_zone_id + ", DNSName: " + alias_name +
           ", EvaluateTargetHealth: true}}\n"  // 5
           "  - Name: example.net\n"           // 6
           "    Id: ZSHARED\n"                 // 7
           "    ResourceRecordSets:\n"         // 8
           "      - {Name: lb.example.net, Type: A, TTL: 30, ResourceRecords: [{Value: "
           "192.0.2.1}]}\n";  // 9
}

TEST(CrossZoneAlias, LoadsWhenTheTargetIsInTheZoneItsHostedZoneIdNames) {
    LoadResult r = load_config_text(two_zones("ZSHARED", "lb.example.net"), "z.yaml");
    ASSERT_NE(r.config, nullptr) << dump(r.diagnostics);
}

TEST(CrossZoneAlias, OwnZoneIdForANameInAnotherZone) {
    LoadResult r = load_config_text(two_zones("ZAPP", "lb.example.net"), "z.yaml");
    EXPECT_EQ(r.config, nullptr);
    ASSERT_EQ(r.diagnostics.size(), 1u) << dump(r.diagnostics);
    EXPECT_EQ(format(r.diagnostics[0]),
              "z.yaml:5: error: InvalidChangeBatch: Tried to create an alias that targets "
              "lb.example.net., type A in zone ZAPP, but the alias target name does not lie "
              "within the target zone (lb.example.net. lies in zone example.net., HostedZoneId "
              "ZSHARED)");
}

TEST(CrossZoneAlias, HostedZoneIdOfNoZone) {
    LoadResult r = load_config_text(two_zones("ZBOGUS", "lb.example.net"), "z.yaml");
    EXPECT_TRUE(has_diagnostic(r.diagnostics, "InvalidChangeBatch",
                               "Tried to create an alias that targets lb.example.net., type A in "
                               "zone ZBOGUS, but the alias target name does not lie within the "
                               "target zone (lb.example.net. lies in zone example.net., "
                               "HostedZoneId ZSHARED)",
                               5));
}

TEST(CrossZoneAlias, TargetMissingInTheOtherZone) {
    LoadResult r = load_config_text(two_zones("ZSHARED", "nothere.example.net"), "z.yaml");
    EXPECT_TRUE(has_diagnostic(r.diagnostics, "InvalidChangeBatch",
                               "Tried to create an alias that targets nothere.example.net., type A "
                               "in zone ZSHARED, but that target was not found",
                               5));
}

TEST(CrossZoneAlias, NameOutsideTheZoneItsIdNames) {
    LoadResult r = load_config_text(two_zones("ZSHARED", "www.example.org"), "z.yaml");
    EXPECT_TRUE(has_diagnostic(r.diagnostics, "InvalidChangeBatch",
                               "Tried to create an alias that targets www.example.org., type A in "
                               "zone ZSHARED, but the alias target name does not lie within the "
                               "target zone",
                               5));
}

TEST(CrossZoneAlias, NoKnockOnErrorWhenTheTargetZoneIsBroken) {  // issue 15 item 1
    std::string text = two_zones("ZSHARED", "lb.example.net");
    text.replace(text.find("192.0.2.1"), 9, "1.2.3");  // the target record's RDATA is bad
    LoadResult r = load_config_text(text, "z.yaml");
    ASSERT_EQ(r.diagnostics.size(), 1u) << dump(r.diagnostics);
    EXPECT_NE(r.diagnostics[0].message.find("ARRDATAIllegalIPv4Address"), std::string::npos);
}

TEST(CrossZoneAlias, ChangeBatchAgainstTheServedZones) {  // the REST API's path
    HostedZone app{"ZAPP", "example.com.", {}, {}};
    HostedZone shared{"ZSHARED", "example.net.", {}, {}};
    ResourceRecordSet lb;
    lb.name = "lb.example.net.";
    lb.type = "A";
    lb.ttl = 30;
    lb.resource_records = {"192.0.2.1"};
    shared.record_sets.push_back(lb);
    std::vector<const HostedZone*> others{&shared};
    ChangeContext ctx;
    ctx.other_zones = &others;

    auto batch = [](const std::string& zone_id) {
        Diagnostics ds;
        ParseContext pc;
        pc.file = "ChangeResourceRecordSetsRequest";
        pc.diagnostics = &ds;
        auto b = parse_change_batch_text(
            R"({"Changes": [{"Action": "CREATE", "ResourceRecordSet": {"Name": "www.example.com",
                "Type": "A", "AliasTarget": {"HostedZoneId": ")" +
                zone_id + R"(", "DNSName": "lb.example.net", "EvaluateTargetHealth": true}}}]})",
            pc);
        EXPECT_TRUE(b) << dump(ds);
        return *b;
    };
    Diagnostics ok = apply_change_batch(app, batch("ZSHARED"), ctx);
    EXPECT_TRUE(ok.empty()) << dump(ok);
    ASSERT_EQ(app.record_sets.size(), 1u);

    HostedZone again{"ZAPP", "example.com.", {}, {}};
    Diagnostics bad = apply_change_batch(again, batch("ZAPP"), ctx);
    ASSERT_EQ(bad.size(), 1u) << dump(bad);
    EXPECT_EQ(bad[0].message,
              "Tried to create an alias that targets lb.example.net., type A in zone ZAPP, but "
              "the alias target name does not lie within the target zone (lb.example.net. lies "
              "in zone example.net., HostedZoneId ZSHARED)");
    EXPECT_TRUE(again.record_sets.empty()) << "a failing batch changes nothing";
}

}  // namespace
}  // namespace r53::config
