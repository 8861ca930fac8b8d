// RecordSetIndex (config/record_index.hpp): Route 53's identity of a record set (name, type, set
// identifier), and what change batches built on it still report (§4).
#include <gtest/gtest.h>

#include "config/change_batch.hpp"
#include "config/parse.hpp"
#include "config/record_index.hpp"
#include "config/zone_defaults.hpp"
#include "config_test_util.hpp"

namespace r53::config {
namespace {

using testing::dump;

ResourceRecordSet record(const std::string& name, const std::string& type,
                         std::optional<std::string> set_identifier = std::nullopt) {
    ResourceRecordSet r;
    r.name = name;
    r.type = type;
    r.set_identifier = std::move(set_identifier);
    return r;
}

TEST(RecordSetIndex, FindsByNameTypeAndSetIdentifier) {
    std::vector<ResourceRecordSet> rs = {
        record("a.example.com.", "A", "one"), record("a.example.com.", "A", "two"),
        record("a.example.com.", "AAAA"), record("b.example.com.", "A")};
    RecordSetIndex index;
    for (uint32_t i = 0; i < rs.size(); ++i) EXPECT_TRUE(index.add(rs[i], i));
    EXPECT_EQ(index.find(record("a.example.com.", "A", "two")), 1u);
    EXPECT_EQ(index.find(record("a.example.com.", "AAAA")), 2u);
    EXPECT_FALSE(index.find(record("a.example.com.", "A")));         // no identifier is not "one"
    EXPECT_FALSE(index.find(record("a.example.com.", "A", "One")));  // identifiers keep case
    EXPECT_FALSE(index.find(record("b.example.com.", "A", "")));     // empty is not absent
    EXPECT_FALSE(index.find(record("c.example.com.", "A")));
}

TEST(RecordSetIndex, RefusesASecondRecordWithTheSameKey) {
    std::vector<ResourceRecordSet> rs = {record("a.example.com.", "A", "x"),
                                         record("a.example.com.", "A", "x")};
    RecordSetIndex index;
    EXPECT_TRUE(index.add(rs[0], 0));
    EXPECT_FALSE(index.add(rs[1], 1));
    EXPECT_EQ(index.find(rs[1]), 0u);
}

TEST(RecordSetIndex, ListsTheNamesPositionsInOrderAndForgetsRemovedKeys) {
    std::vector<ResourceRecordSet> rs = {
        record("a.example.com.", "A", "one"), record("b.example.com.", "A"),
        record("a.example.com.", "TXT"), record("a.example.com.", "A", "two")};
    RecordSetIndex index;
    for (uint32_t i = 0; i < rs.size(); ++i) index.add(rs[i], i);
    std::vector<uint32_t> seen;
    index.for_each_named("a.example.com.", [&](uint32_t p) { seen.push_back(p); });
    EXPECT_EQ(seen, (std::vector<uint32_t>{0, 2, 3}));
    index.remove(rs[2]);
    EXPECT_FALSE(index.find(rs[2]));
    EXPECT_EQ(index.find(rs[3]), 3u);
    ResourceRecordSet replacement = rs[3];
    index.replace(replacement, 3);
    EXPECT_EQ(index.find(record("a.example.com.", "A", "two")), 3u);
}

HostedZone zone() {
    HostedZone z;
    z.id = "ZTEST";
    z.name = "example.com.";
    z.record_sets = {default_soa(z.name), default_ns(z.name)};
    return z;
}

ChangeBatch batch(const std::string& json) {
    Diagnostics ds;
    ParseContext ctx;
    ctx.file = "batch.json";
    ctx.diagnostics = &ds;
    auto b = parse_change_batch_text(json, ctx);
    EXPECT_TRUE(b) << dump(ds);
    return b.value_or(ChangeBatch{});
}

std::string weighted(const char* action, const std::string& name, const std::string& id,
                     const std::string& ip) {
    return std::string("{\"Action\": \"") + action + "\", \"ResourceRecordSet\": {\"Name\": \"" +
           name + "\", \"Type\": \"A\", \"SetIdentifier\": \"" + id +
           "\", \"Weight\": 1, \"TTL\": 60, \"ResourceRecords\": [{\"Value\": \"" + ip + "\"}]}}";
}

std::string batch_of(const std::vector<std::string>& changes) {
    std::string s = "{\"Changes\": [";
    for (size_t i = 0; i < changes.size(); ++i) s += (i ? "," : "") + changes[i];
    return s + "]}";
}

std::vector<std::string> messages(const Diagnostics& ds) {
    std::vector<std::string> out;
    for (const auto& d : ds) out.push_back(d.message);
    return out;
}

TEST(ChangeBatchIndex, DuplicateSetIdentifierIsReportedOtherIdentifiersAreNot) {
    HostedZone z = zone();
    auto ds = apply_change_batch(
        z,
        batch(batch_of({weighted("CREATE", "w.example.com.", "a", "192.0.2.1"),
                        weighted("CREATE", "w.example.com.", "b", "192.0.2.2"),
                        weighted("CREATE", "w.example.com.", "a", "192.0.2.3")})),
        std::vector<HealthCheck>{});
    EXPECT_EQ(messages(ds), (std::vector<std::string>{
                                "Tried to create resource record set [name='w.example.com.', "
                                "type='A', set-identifier='a'] but it already exists"}));
    EXPECT_EQ(z.record_sets.size(), 2u);  // untouched
}

TEST(ChangeBatchIndex, NamesDifferingOnlyInCaseAreOneRecordSet) {
    HostedZone z = zone();
    auto ds = apply_change_batch(
        z,
        batch(batch_of({weighted("CREATE", "App.Example.COM", "a", "192.0.2.1"),
                        weighted("CREATE", "app.example.com.", "a", "192.0.2.2")})),
        std::vector<HealthCheck>{});
    EXPECT_EQ(messages(ds), (std::vector<std::string>{
                                "Tried to create resource record set [name='app.example.com.', "
                                "type='A', set-identifier='a'] but it already exists"}));
}

TEST(ChangeBatchIndex, DeleteThenCreateMovesTheRecordSetToTheEnd) {
    HostedZone z = zone();
    auto ds = apply_change_batch(
        z,
        batch(batch_of({weighted("CREATE", "a.example.com.", "x", "192.0.2.1"),
                        weighted("CREATE", "b.example.com.", "x", "192.0.2.2")})),
        std::vector<HealthCheck>{});
    ASSERT_FALSE(has_errors(ds)) << dump(ds);
    ds = apply_change_batch(
        z,
        batch(batch_of({weighted("DELETE", "a.example.com.", "x", "192.0.2.1"),
                        weighted("CREATE", "a.example.com.", "x", "192.0.2.9"),
                        weighted("UPSERT", "b.example.com.", "x", "192.0.2.8")})),
        std::vector<HealthCheck>{});
    ASSERT_FALSE(has_errors(ds)) << dump(ds);
    ASSERT_EQ(z.record_sets.size(), 4u);
    EXPECT_EQ(z.record_sets[2].name, "b.example.com.");
    EXPECT_EQ(z.record_sets[2].resource_records, std::vector<std::string>{"192.0.2.8"});
    EXPECT_EQ(z.record_sets[3].name, "a.example.com.");
    EXPECT_EQ(z.record_sets[3].resource_records, std::vector<std::string>{"192.0.2.9"});
}

TEST(ChangeBatchIndex, DeletingTheLastApexNsIsRefusedAfterAnUpsertOfIt) {
    HostedZone z = zone();
    const ResourceRecordSet ns = z.record_sets[1];
    std::string values;
    for (size_t i = 0; i < ns.resource_records.size(); ++i)
        values += std::string(i ? "," : "") + "{\"Value\": \"" + ns.resource_records[i] + "\"}";
    const std::string ns_json =
        "{\"Name\": \"example.com.\", \"Type\": \"NS\", \"TTL\": " + std::to_string(*ns.ttl) +
        ", \"ResourceRecords\": [" + values + "]}";
    auto ds = apply_change_batch(
        z,
        batch(batch_of({"{\"Action\": \"UPSERT\", \"ResourceRecordSet\": " + ns_json + "}",
                        "{\"Action\": \"DELETE\", \"ResourceRecordSet\": " + ns_json + "}"})),
        std::vector<HealthCheck>{});
    EXPECT_EQ(messages(ds),
              (std::vector<std::string>{
                  "A HostedZone must contain at least one NS record for the zone itself."}));
}

}  // namespace
}  // namespace r53::config
