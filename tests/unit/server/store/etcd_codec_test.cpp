// The state as etcd keys: every object is its own key, a state read back key by key encodes to
// the same keys and values, deletes remove one object, and a value that does not decode changes
// nothing.
#include "server/store/etcd_codec.hpp"

#include <gtest/gtest.h>

#include "config/zone_defaults.hpp"

namespace r53::server::etcd {
namespace {

using route53::State;

State sample() {
    State s;
    route53::ZoneEntry z;
    z.zone.id = "ZAPI";
    z.zone.name = "api.test.";
    z.zone.record_sets = {config::default_soa(z.zone.name), config::default_ns(z.zone.name)};
    config::ResourceRecordSet a;
    a.name = "www.api.test.";
    a.type = "A";
    a.ttl = 60;
    a.resource_records = {"192.0.2.1", "192.0.2.2"};
    z.zone.record_sets.push_back(a);
    z.caller_reference = "ref/with/slashes";
    z.comment = "made by the API";
    s.zones["ZAPI"] = z;
    s.zone_references["ref/with/slashes"] = "ZAPI";
    s.deleted_zones.insert("ZFILE");
    route53::CheckEntry c;
    c.check.id = "0f6a2c4e-hc";
    c.check.caller_reference = "check-ref";
    c.check.config.type = config::HealthCheckType::HTTP;
    c.check.config.ip_address = "192.0.2.9";
    c.check.config.port = 80;
    c.check.config.resource_path = "/health";
    c.check.config.regions = {"us-east-1", "eu-west-1", "ap-southeast-1"};
    c.version = 3;
    s.checks[c.check.id] = c;
    s.check_references["check-ref"] = c.check.id;
    s.deleted_checks.insert("hc-file");
    s.tags["hostedzone/ZAPI"] = {{"team", "dns"}, {"env", "staging"}};
    s.changes["C1"] = route53::ChangeEntry{"C1", 1700000000.5, "first", 0};
    return s;
}

TEST(EtcdCodec, OneKeyPerObjectAndAStateReadBackEncodesTheSame) {
    auto kv = encode_state(sample());
    EXPECT_EQ(kv.size(), 8u);
    EXPECT_TRUE(kv.count("zones/ZAPI"));
    EXPECT_TRUE(kv.count("zone-references/ref/with/slashes"));
    EXPECT_TRUE(kv.count("tags/hostedzone/ZAPI"));
    EXPECT_TRUE(kv.count("changes/C1"));

    State back;
    int64_t revision = 10;
    for (const auto& [k, v] : kv) {
        std::string error;
        ASSERT_TRUE(apply_key(back, k, v, ++revision, error)) << k << ": " << error;
    }
    EXPECT_EQ(encode_state(back), kv);
    EXPECT_EQ(back.zones.at("ZAPI").zone.record_sets.size(), 3u);
    EXPECT_EQ(back.checks.at("0f6a2c4e-hc").version, 3);
    EXPECT_EQ(back.tags.at("hostedzone/ZAPI").at("team"), "dns");
    EXPECT_EQ(back.changes.at("C1").comment, "first");
    EXPECT_GT(back.changes.at("C1").revision, 10);  // its key's revision, for INSYNC
}

TEST(EtcdCodec, DeletesRemoveOneObject) {
    State s = sample();
    std::string error;
    ASSERT_TRUE(apply_key(s, "zones/ZAPI", std::nullopt, 20, error));
    ASSERT_TRUE(apply_key(s, "deleted-checks/hc-file", std::nullopt, 20, error));
    ASSERT_TRUE(apply_key(s, "tags/hostedzone/ZAPI", std::nullopt, 20, error));
    EXPECT_FALSE(s.zones.count("ZAPI"));
    EXPECT_TRUE(s.deleted_checks.empty());
    EXPECT_TRUE(s.tags.empty());
    EXPECT_EQ(s.checks.size(), 1u);
    EXPECT_EQ(s.zone_references.size(), 1u);
}

TEST(EtcdCodec, WhatDoesNotDecodeChangesNothing) {
    State s = sample();
    auto before = encode_state(s);
    std::string error;
    EXPECT_FALSE(apply_key(s, "zones/ZAPI", std::string("not json"), 30, error));
    EXPECT_FALSE(error.empty());
    // A record set without a name is rejected when read back, as the API rejects it.
    std::string bad = before.at("zones/ZAPI");
    const std::string name = "\"Name\":\"www.api.test.\",";
    auto at = bad.find(name);
    ASSERT_NE(at, std::string::npos);
    bad.erase(at, name.size());
    error.clear();
    EXPECT_FALSE(apply_key(s, "zones/ZAPI", bad, 30, error));
    EXPECT_NE(error.find("ZAPI"), std::string::npos) << error;
    EXPECT_FALSE(apply_key(s, "mystery/x", std::string("1"), 30, error));
    EXPECT_FALSE(apply_key(s, "zones/", std::string("{}"), 30, error));
    EXPECT_EQ(encode_state(s), before);
}

}  // namespace
}  // namespace r53::server::etcd
