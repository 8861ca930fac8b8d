// ChangeResourceRecordSets semantics (§4 Actions): CREATE / DELETE / UPSERT, whole-batch
// validation, atomic apply, and the seed example of §4.1.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "config/change_batch.hpp"
#include "config/parse.hpp"
#include "config/zone_defaults.hpp"
#include "config_test_util.hpp"

namespace r53::config {
namespace {

using testing::dump;
using testing::fixture;
using testing::has_diagnostic;

HostedZone empty_zone() {
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

std::string change(const char* action, const std::string& rrset) {
    return std::string("{\"Action\": \"") + action + "\", \"ResourceRecordSet\": " + rrset + "}";
}

std::string a_record(const std::string& name, const std::string& ip, int ttl = 60) {
    return "{\"Name\": \"" + name + "\", \"Type\": \"A\", \"TTL\": " + std::to_string(ttl) +
           ", \"ResourceRecords\": [{\"Value\": \"" + ip + "\"}]}";
}

std::string changes(const std::vector<std::string>& items) {
    std::string s = "{\"Comment\": \"test\", \"Changes\": [\n";
    for (size_t i = 0; i < items.size(); ++i) s += (i ? ",\n" : "") + items[i];
    return s + "\n]}";
}

const ResourceRecordSet* find(const HostedZone& z, const std::string& name,
                              const std::string& type) {
    for (const auto& r : z.record_sets)
        if (r.name == name && r.type == type) return &r;
    return nullptr;
}

const std::vector<HealthCheck> kNoChecks;

TEST(ChangeBatch, CreateAddsAndRefusesAnExistingSet) {
    HostedZone z = empty_zone();
    auto ds = apply_change_batch(
        z, batch(changes({change("CREATE", a_record("www.example.com", "192.0.2.1"))})), kNoChecks);
    EXPECT_TRUE(ds.empty()) << dump(ds);
    ASSERT_TRUE(find(z, "www.example.com.", "A"));
    EXPECT_EQ(find(z, "www.example.com.", "A")->resource_records,
              std::vector<std::string>{"192.0.2.1"});

    ds = apply_change_batch(
        z, batch(changes({change("CREATE", a_record("www.example.com", "192.0.2.2"))})), kNoChecks);
    EXPECT_TRUE(has_diagnostic(ds, "InvalidChangeBatch",
                               "Tried to create resource record set [name='www.example.com.', "
                               "type='A'] but it already exists",
                               2));
    EXPECT_EQ(find(z, "www.example.com.", "A")->resource_records,
              std::vector<std::string>{"192.0.2.1"});
}

TEST(ChangeBatch, UpsertCreatesThenReplaces) {
    HostedZone z = empty_zone();
    auto ds = apply_change_batch(
        z, batch(changes({change("UPSERT", a_record("www.example.com", "192.0.2.1"))})), kNoChecks);
    EXPECT_TRUE(ds.empty()) << dump(ds);
    ds = apply_change_batch(
        z, batch(changes({change("UPSERT", a_record("www.example.com", "192.0.2.9", 300))})),
        kNoChecks);
    EXPECT_TRUE(ds.empty()) << dump(ds);
    ASSERT_TRUE(find(z, "www.example.com.", "A"));
    EXPECT_EQ(find(z, "www.example.com.", "A")->ttl, 300);
    EXPECT_EQ(std::count_if(z.record_sets.begin(), z.record_sets.end(),
                            [](const auto& r) { return r.name == "www.example.com."; }),
              1);
}

TEST(ChangeBatch, DeleteMustMatchEveryField) {
    HostedZone z = empty_zone();
    apply_change_batch(
        z, batch(changes({change("CREATE", a_record("www.example.com", "192.0.2.1"))})), kNoChecks);

    auto ds = apply_change_batch(
        z, batch(changes({change("DELETE", a_record("www.example.com", "192.0.2.1", 61))})),
        kNoChecks);
    EXPECT_TRUE(has_diagnostic(ds, "InvalidChangeBatch",
                               "Tried to delete resource record set [name='www.example.com.', "
                               "type='A'] but the values provided do not match the current values",
                               2));
    EXPECT_TRUE(find(z, "www.example.com.", "A"));

    ds = apply_change_batch(
        z, batch(changes({change("DELETE", a_record("nope.example.com", "192.0.2.1"))})),
        kNoChecks);
    EXPECT_TRUE(has_diagnostic(ds, "InvalidChangeBatch",
                               "Tried to delete resource record set [name='nope.example.com.', "
                               "type='A'] but it was not found",
                               2));

    ds = apply_change_batch(
        z, batch(changes({change("DELETE", a_record("www.example.com", "192.0.2.1"))})), kNoChecks);
    EXPECT_TRUE(ds.empty()) << dump(ds);
    EXPECT_FALSE(find(z, "www.example.com.", "A"));
}

TEST(ChangeBatch, DeletingTwiceInOneBatchFails) {  // §4
    HostedZone z = empty_zone();
    apply_change_batch(
        z, batch(changes({change("CREATE", a_record("www.example.com", "192.0.2.1"))})), kNoChecks);
    auto ds = apply_change_batch(
        z,
        batch(changes({change("DELETE", a_record("www.example.com", "192.0.2.1")),
                       change("DELETE", a_record("www.example.com", "192.0.2.1"))})),
        kNoChecks);
    EXPECT_TRUE(has_diagnostic(ds, "InvalidChangeBatch",
                               "Tried to delete resource record set [name='www.example.com.', "
                               "type='A'] but it was not found",
                               3));
    EXPECT_TRUE(find(z, "www.example.com.", "A")) << "a failed batch changes nothing";
}

TEST(ChangeBatch, OneBadChangeLeavesTheZoneUntouched) {  // §4 atomic
    HostedZone z = empty_zone();
    const auto before = z.record_sets;
    auto ds =
        apply_change_batch(z,
                           batch(changes({change("CREATE", a_record("ok.example.com", "192.0.2.1")),
                                          change("CREATE", a_record("bad.example.com", "1.2.3"))})),
                           kNoChecks);
    EXPECT_TRUE(has_diagnostic(ds, "InvalidChangeBatch",
                               "Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address "
                               "(Value is not a valid IPv4 address) encountered with '1.2.3''",
                               3));
    ASSERT_EQ(z.record_sets.size(), before.size());
    for (size_t i = 0; i < before.size(); ++i)
        EXPECT_TRUE(z.record_sets[i].same_content(before[i]));
}

TEST(ChangeBatch, CnameToAliasSwapInOneBatchIsLegal) {  // §4
    HostedZone z = empty_zone();
    auto cname =
        "{\"Name\": \"www.example.com\", \"Type\": \"CNAME\", \"TTL\": 60, "
        "\"ResourceRecords\": [{\"Value\": \"app.example.com\"}]}";
    auto ds = apply_change_batch(
        z,
        batch(changes(
            {change("CREATE", a_record("app.example.com", "192.0.2.1")), change("CREATE", cname)})),
        kNoChecks);
    ASSERT_TRUE(ds.empty()) << dump(ds);
    auto alias =
        "{\"Name\": \"www.example.com\", \"Type\": \"A\", \"AliasTarget\": {\"HostedZoneId\": "
        "\"ZTEST\", \"DNSName\": \"app.example.com\", \"EvaluateTargetHealth\": true}}";
    // Creating the A first would conflict with the CNAME; the batch is judged as a whole.
    ds = apply_change_batch(z, batch(changes({change("CREATE", alias), change("DELETE", cname)})),
                            kNoChecks);
    EXPECT_TRUE(ds.empty()) << dump(ds);
    EXPECT_FALSE(find(z, "www.example.com.", "CNAME"));
    ASSERT_TRUE(find(z, "www.example.com.", "A"));
    EXPECT_TRUE(find(z, "www.example.com.", "A")->alias_target);
}

TEST(ChangeBatch, ApexSoaAndNsCannotBeDeleted) {  // §4
    HostedZone z = empty_zone();
    ChangeBatch b;
    b.changes = {{ChangeAction::Delete, default_soa(z.name, {"b.json", 5})},
                 {ChangeAction::Delete, default_ns(z.name, {"b.json", 9})}};
    auto ds = apply_change_batch(z, b, kNoChecks);
    EXPECT_TRUE(has_diagnostic(ds, "InvalidChangeBatch",
                               "A HostedZone must contain exactly one SOA record.", 5));
    EXPECT_TRUE(
        has_diagnostic(ds, "InvalidChangeBatch",
                       "A HostedZone must contain at least one NS record for the zone itself.", 9));
    EXPECT_EQ(z.record_sets.size(), 2u);
}

TEST(ChangeBatch, UnknownActionAndEmptyBatch) {
    Diagnostics ds;
    ParseContext ctx;
    ctx.file = "b.json";
    ctx.diagnostics = &ds;
    EXPECT_FALSE(parse_change_batch_text("{\"Changes\": []}", ctx));
    EXPECT_TRUE(has_diagnostic(
        ds, "ParamValidation",
        "Invalid length for parameter ChangeBatch.Changes, value: 0, valid min length: 1", 1));
    ds.clear();
    EXPECT_FALSE(
        parse_change_batch_text("{\"Changes\": [{\"Action\": \"MERGE\", \"ResourceRecordSet\": " +
                                    a_record("a.example.com", "192.0.2.1") + "}]}",
                                ctx));
    EXPECT_TRUE(has_diagnostic(ds, "InvalidInput",
                               "1 validation error detected: Value 'MERGE' at "
                               "'changeBatch.changes.1.member.action' failed to satisfy "
                               "constraint: Member must satisfy enum value set: [CREATE, DELETE, "
                               "UPSERT]",
                               1));
    ds.clear();
    EXPECT_FALSE(parse_change_batch_text("{\"Changes\": [", ctx));
    ASSERT_FALSE(ds.empty());
    EXPECT_EQ(ds[0].code, "MalformedInput");
}

TEST(ChangeBatch, RequestQuotasCountUpsertTwice) {  // §4 limits
    std::string values;
    for (int i = 0; i < 300; ++i)
        values += std::string(i ? ", " : "") + "{\"Value\": \"10.0." + std::to_string(i / 250) +
                  "." + std::to_string(i % 250) + "\"}";
    auto rrset = [&](const char* name) {
        return std::string("{\"Name\": \"") + name +
               "\", \"Type\": \"A\", \"TTL\": 60, \"ResourceRecords\": [" + values + "]}";
    };
    HostedZone z = empty_zone();
    auto ds = apply_change_batch(z,
                                 batch(changes({change("CREATE", rrset("a.example.com")),
                                                change("CREATE", rrset("b.example.com"))})),
                                 kNoChecks);
    EXPECT_TRUE(ds.empty()) << dump(ds);
    ds = apply_change_batch(z,
                            batch(changes({change("UPSERT", rrset("c.example.com")),
                                           change("UPSERT", rrset("d.example.com"))})),
                            kNoChecks);
    EXPECT_TRUE(has_diagnostic(ds, "InvalidChangeBatch",
                               "Number of records limit of 1000 exceeded: the request has 1200 "
                               "ResourceRecord elements (UPSERT counts twice)",
                               1));
    EXPECT_FALSE(find(z, "c.example.com.", "A"));
}

TEST(ChangeBatch, RequestWrapperAsInCliInputJson) {
    Diagnostics ds;
    ParseContext ctx;
    ctx.diagnostics = &ds;
    auto b = parse_change_batch_text(
        "{\"HostedZoneId\": \"Z1\", \"ChangeBatch\": " +
            changes({change("CREATE", a_record("a.example.com", "192.0.2.1"))}) + "}",
        ctx);
    ASSERT_TRUE(b) << dump(ds);
    ASSERT_EQ(b->changes.size(), 1u);
    EXPECT_EQ(b->comment, "test");
    EXPECT_EQ(b->changes[0].record_set.name, "a.example.com.");
}

TEST(ChangeBatch, ChangeLabelFormat) {
    Change c;
    c.action = ChangeAction::Upsert;
    c.record_set.name = "app.example.com.";
    c.record_set.type = "A";
    c.record_set.set_identifier = "us-east-1-active";
    EXPECT_EQ(change_label(c),
              "[Action=UPSERT, Name=app.example.com., Type=A, SetIdentifier=us-east-1-active]");
    c.action = ChangeAction::Delete;
    c.record_set.set_identifier.reset();
    EXPECT_EQ(change_label(c),
              "[Action=DELETE, Name=app.example.com., Type=A, SetIdentifier=null]");
}

const std::string kSeedPolicies =
    "Invalid request: Expected exactly one of [Weight, Region, Failover, GeoLocation, "
    "MultiValueAnswer, GeoProximityLocation, or CidrRoutingConfig], but found more than one in "
    "Change with [Action=UPSERT, Name=app.example.com., Type=A, SetIdentifier=";

void expect_seed_verdicts(const std::string& path) {  // §4.1
    Diagnostics ds = check_change_batch_file(path);
    EXPECT_TRUE(has_diagnostic(ds, "InvalidInput", kSeedPolicies + "us-east-1-active]", 27));
    EXPECT_TRUE(has_diagnostic(ds, "InvalidInput", kSeedPolicies + "eu-west-1-active]", 52));
    EXPECT_TRUE(has_diagnostic(ds, "NoSuchHealthCheck",
                               "No health check exists with the specified ID hc-xxxxxxxxxxxxxx",
                               27));
    EXPECT_TRUE(has_diagnostic(
        ds, "InvalidChangeBatch",
        "Tried to create an alias that targets dualstack.my-alb-us-east-1.amazonaws.com., type A "
        "in zone Z3XXXXXXXXXXXXXX, but that target was not found (an AWS resource outside the "
        "configured zones must be declared under local.alias_targets)",
        27));
    // The two create-health-check commands are checked too.
    const std::string unknown =
        "Unknown parameter in HealthCheckConfig: \"RequestTimeout\", must be one of: IPAddress, "
        "Port, Type, ResourcePath, FullyQualifiedDomainName, SearchString, RequestInterval, "
        "FailureThreshold, MeasureLatency, Inverted, Disabled, HealthThreshold, "
        "ChildHealthChecks, EnableSNI, Regions, AlarmIdentifier, InsufficientDataHealthStatus, "
        "RoutingControlArn";
    const std::string regions =
        "Invalid length for parameter HealthCheckConfig.Regions, value: 1, valid min length: 3";
    EXPECT_TRUE(has_diagnostic(ds, "ParamValidation", unknown, 9));
    EXPECT_TRUE(has_diagnostic(ds, "ParamValidation", regions, 9));
    EXPECT_TRUE(has_diagnostic(ds, "ParamValidation", unknown, 16));
    EXPECT_TRUE(has_diagnostic(ds, "ParamValidation", regions, 16));
    // ... and so are the aws CLI's usage rules: --health-check-id is no option of
    // create-health-check (its id is in the reply).
    EXPECT_TRUE(
        has_diagnostic(ds, "CliUsage", "aws: error: Unknown options: --health-check-id", 10));
    EXPECT_TRUE(
        has_diagnostic(ds, "CliUsage", "aws: error: Unknown options: --health-check-id", 17));
    EXPECT_EQ(ds.size(), 12u) << dump(ds);

    LoadOptions lenient;
    lenient.lenient = true;
    Diagnostics lds = check_change_batch_file(path, lenient);
    EXPECT_TRUE(has_diagnostic(lds, "InvalidInput",
                               "Weight together with Failover (AWS rejects this with \"found more "
                               "than one\"): Failover wins; Weight ignored in Change with "
                               "[Action=UPSERT, Name=app.example.com., Type=A, "
                               "SetIdentifier=us-east-1-active]",
                               27, Severity::Warning));
    // What lenient mode cannot interpret stays an error: ids and targets that do not exist.
    EXPECT_TRUE(has_diagnostic(lds, "NoSuchHealthCheck",
                               "No health check exists with the specified ID hc-yyyyyyyyyyyyyy",
                               52));
    EXPECT_EQ(std::count_if(lds.begin(), lds.end(),
                            [](const Diagnostic& d) { return d.severity == Severity::Warning; }),
              6)
        << dump(lds);
}

TEST(SeedExample, FixtureCopyIsCheckedVerbatim) {
    expect_seed_verdicts(fixture("two-region-failover.txt"));
}

TEST(SeedExample, SharedSeedIsCheckedVerbatim) {
    const std::string shared = std::string(R53SIM_SHARED_DIR) + "/seed/two-region-failover.txt";
    if (!std::ifstream(shared)) GTEST_SKIP() << shared << " not present on this machine";
    expect_seed_verdicts(shared);
}

TEST(CheckChangeBatchFile, PlainJsonDocument) {
    const std::string path = ::testing::TempDir() + "/r53sim-batch.json";
    {
        std::ofstream out(path);
        out << changes({change("CREATE", a_record("www.example.com", "192.0.2.1")),
                        change("CREATE", a_record("www.example.com", "192.0.2.2"))});
    }
    Diagnostics ds = check_change_batch_file(path);
    EXPECT_TRUE(has_diagnostic(ds, "InvalidChangeBatch",
                               "Tried to create resource record set [name='www.example.com.', "
                               "type='A'] but it already exists",
                               3));
    EXPECT_EQ(ds.size(), 1u) << dump(ds);
    std::remove(path.c_str());
}

TEST(CheckChangeBatchFile, MissingRequiredOptionAndFileReference) {
    namespace fs = std::filesystem;
    fs::path dir = fs::path(::testing::TempDir()) / "r53sim-cli-text";
    fs::create_directories(dir);
    std::ofstream(dir / "b.json") << changes(
        {change("CREATE", a_record("a.example.com", "1.2.3"))});
    std::ofstream(dir / "run.sh")
        << "#!/bin/sh\n"
           "aws route53 change-resource-record-sets --hosted-zone-id Z9 \\\n"
           "  --change-batch file://b.json\n"
           "aws route53 create-health-check --health-check-config "
           "Type=TCP,IPAddress=192.0.2.1,Port=22\n";
    Diagnostics ds = check_change_batch_file((dir / "run.sh").string());
    EXPECT_TRUE(has_diagnostic(
        ds, "CliUsage", "aws: error: the following arguments are required: --caller-reference", 4));
    ASSERT_TRUE(has_diagnostic(ds, "InvalidChangeBatch",
                               "Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address "
                               "(Value is not a valid IPv4 address) encountered with '1.2.3''",
                               2));
    for (const auto& d : ds) {
        if (d.code == "InvalidChangeBatch") {
            EXPECT_EQ(d.where.file, (dir / "b.json").string());
        }
    }
    EXPECT_EQ(ds.size(), 2u) << dump(ds);
    fs::remove_all(dir);
}

TEST(CheckChangeBatchFile, ExtractsCliArguments) {
    auto args = extract_cli_arguments(
        "aws route53 change-resource-record-sets \\\n  --hosted-zone-id Z1 \\\n"
        "  --change-batch '{\"Changes\": []}'\naws route53 create-health-check "
        "--health-check-config Type=TCP,Port=1 --caller-reference \"x y\"\n");
    ASSERT_EQ(args.size(), 4u);
    EXPECT_EQ(args[0].option, "hosted-zone-id");
    EXPECT_EQ(args[0].value, "Z1");
    EXPECT_EQ(args[1].option, "change-batch");
    EXPECT_EQ(args[1].value, "{\"Changes\": []}");
    EXPECT_EQ(args[1].line, 3);
    EXPECT_EQ(args[2].value, "Type=TCP,Port=1");
    EXPECT_EQ(args[3].value, "x y");
}

}  // namespace
}  // namespace r53::config
