// One case per ResourceRecordSet rule of semantics §2.1, §3 and §4: the exact AWS code, message
// and the line of the offending record.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "config_test_util.hpp"

namespace r53::config {
namespace {

using testing::dump;
using testing::has_diagnostic;

// Records start at line 9, one per line.
constexpr const char* kHeader =
    "health_checks:\n"                                                            // 1
    "  hc-1: {HealthCheckConfig: {Type: TCP, IPAddress: 192.0.2.1, Port: 80}}\n"  // 2
    "local:\n"                                                                    // 3
    "  alias_targets: [{DNSName: lb.elb.amazonaws.com, A: [192.0.2.9]}]\n"        // 4
    "hosted_zones:\n"                                                             // 5
    "  - Name: example.com\n"                                                     // 6
    "    Id: ZTEST\n"                                                             // 7
    "    ResourceRecordSets:\n";                                                  // 8
constexpr int kFirstRecordLine = 9;

LoadResult load_records(const std::vector<std::string>& records, bool lenient = false) {
    std::string text = kHeader;
    for (const auto& r : records) text += "      - " + r + "\n";
    LoadOptions options;
    options.lenient = lenient;
    return load_config_text(text, "zone.yaml", options);
}

struct RuleCase {
    const char* rule;
    std::vector<std::string> records;
    const char* code;
    std::string message;
    int record_index;  // which record the diagnostic points at
};

const std::string kAliasOrRecords =
    "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or "
    "TrafficPolicyInstanceId], but found ";
const std::string kPolicies =
    "Invalid request: Expected exactly one of [Weight, Region, Failover, GeoLocation, "
    "MultiValueAnswer, GeoProximityLocation, or CidrRoutingConfig], but found ";

std::string many_values(int n) {
    std::string s = "{Name: many.example.com, Type: A, TTL: 60, ResourceRecords: [";
    for (int i = 0; i < n; ++i)
        s += std::string(i ? ", " : "") + "{Value: 10.0." + std::to_string(i / 250) + "." +
             std::to_string(i % 250) + "}";
    return s + "]}";
}

std::vector<std::string> weighted_group(int n) {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i)
        out.push_back("{Name: w.example.com, Type: A, SetIdentifier: s" + std::to_string(i) +
                      ", Weight: 1, TTL: 60, ResourceRecords: [{Value: 192.0.2.1}]}");
    return out;
}

const std::string kLongLabel(64, 'x');

const std::vector<RuleCase> kRuleCases = {
    {"neither alias nor TTL+ResourceRecords (§4)",
     {"{Name: www.example.com, Type: A, TTL: 60}"},
     "InvalidInput",
     kAliasOrRecords +
         "none in Change with [Action=CREATE, Name=www.example.com., Type=A, SetIdentifier=null]",
     0},
    {"alias with TTL (§4)",
     {"{Name: a.example.com, Type: A, TTL: 60, ResourceRecords: [{Value: 192.0.2.1}]}",
      "{Name: www.example.com, Type: A, TTL: 60, AliasTarget: {HostedZoneId: ZTEST, DNSName: "
      "a.example.com, EvaluateTargetHealth: false}}"},
     "InvalidInput",
     kAliasOrRecords + "more than one in Change with [Action=CREATE, Name=www.example.com., "
                       "Type=A, SetIdentifier=null]",
     1},
    {"Weight and Failover (§4)",
     {"{Name: app.example.com, Type: A, SetIdentifier: one, Weight: 100, Failover: PRIMARY, TTL: "
      "60, ResourceRecords: [{Value: 192.0.2.1}]}"},
     "InvalidInput",
     kPolicies + "more than one in Change with [Action=CREATE, Name=app.example.com., Type=A, "
                 "SetIdentifier=one]",
     0},
    {"SetIdentifier without a policy (§4)",
     {"{Name: app.example.com, Type: A, SetIdentifier: one, TTL: 60, ResourceRecords: [{Value: "
      "192.0.2.1}]}"},
     "InvalidInput",
     kPolicies +
         "none in Change with [Action=CREATE, Name=app.example.com., Type=A, SetIdentifier=one]",
     0},
    {"policy without SetIdentifier (§4)",
     {"{Name: app.example.com, Type: A, Weight: 10, TTL: 60, ResourceRecords: [{Value: "
      "192.0.2.1}]}"},
     "InvalidInput",
     "Invalid request: Missing field 'SetIdentifier' in Change with [Action=CREATE, "
     "Name=app.example.com., Type=A, SetIdentifier=null]",
     0},
    {"duplicate SetIdentifier (§4)",
     {"{Name: w.example.com, Type: A, SetIdentifier: a, Weight: 1, TTL: 60, ResourceRecords: "
      "[{Value: 192.0.2.1}]}",
      "{Name: w.example.com, Type: A, SetIdentifier: a, Weight: 2, TTL: 60, ResourceRecords: "
      "[{Value: 192.0.2.2}]}"},
     "InvalidChangeBatch",
     "Tried to create resource record set [name='w.example.com.', type='A', set-identifier='a'] "
     "but it already exists",
     1},
    {"simple record twice (§4)",
     {"{Name: www.example.com, Type: A, TTL: 60, ResourceRecords: [{Value: 192.0.2.1}]}",
      "{Name: WWW.example.com., Type: A, TTL: 60, ResourceRecords: [{Value: 192.0.2.2}]}"},
     "InvalidChangeBatch",
     "Tried to create resource record set [name='www.example.com.', type='A'] but it already "
     "exists",
     1},
    {"latency beside weighted (§4)",
     {"{Name: x.example.com, Type: A, SetIdentifier: a, Weight: 1, TTL: 60, ResourceRecords: "
      "[{Value: 192.0.2.1}]}",
      "{Name: x.example.com, Type: A, SetIdentifier: b, Region: eu-west-2, TTL: 60, "
      "ResourceRecords: [{Value: 192.0.2.2}]}"},
     "InvalidChangeBatch",
     "RRSet with DNS name x.example.com., type A, SetIdentifier b, and Region Name=eu-west-2 "
     "cannot be created because a non-latency RRSet with the same name and type already exists.",
     1},
    {"failover beside simple (§4)",
     {"{Name: x.example.com, Type: A, TTL: 60, ResourceRecords: [{Value: 192.0.2.1}]}",
      "{Name: x.example.com, Type: A, SetIdentifier: p, Failover: PRIMARY, TTL: 60, "
      "ResourceRecords: [{Value: 192.0.2.2}]}"},
     "InvalidChangeBatch",
     "RRSet with DNS name x.example.com., type A, SetIdentifier p, and marked as primary cannot be "
     "created because a non-failover RRSet with the same name and type already exists.",
     1},
    {"second PRIMARY (§4, Gap wording)",
     {"{Name: f.example.com, Type: A, SetIdentifier: p1, Failover: PRIMARY, TTL: 60, "
      "ResourceRecords: [{Value: 192.0.2.1}]}",
      "{Name: f.example.com, Type: A, SetIdentifier: p2, Failover: PRIMARY, TTL: 60, "
      "ResourceRecords: [{Value: 192.0.2.2}]}"},
     "InvalidChangeBatch",
     "RRSet with DNS name f.example.com., type A, SetIdentifier p2, and marked as primary cannot "
     "be created because RRSet [name='f.example.com.', type='A', set-identifier='p1'] with the "
     "same name and type already has the same routing (marked as primary).",
     1},
    {"CNAME at apex (§4)",
     {"{Name: example.com, Type: CNAME, TTL: 60, ResourceRecords: [{Value: other.example.net}]}"},
     "InvalidChangeBatch",
     "RRSet of type CNAME with DNS name example.com. is not permitted at apex in zone example.com.",
     0},
    {"CNAME beside an A (§4)",
     {"{Name: c.example.com, Type: A, TTL: 60, ResourceRecords: [{Value: 192.0.2.1}]}",
      "{Name: c.example.com, Type: CNAME, TTL: 60, ResourceRecords: [{Value: x.example.net}]}"},
     "InvalidChangeBatch",
     "RRSet of type CNAME with DNS name c.example.com. is not permitted as it conflicts with other "
     "records with the same DNS name in zone example.com.",
     1},
    {"A beside a CNAME (§4)",
     {"{Name: c.example.com, Type: CNAME, TTL: 60, ResourceRecords: [{Value: x.example.net}]}",
      "{Name: c.example.com, Type: A, TTL: 60, ResourceRecords: [{Value: 192.0.2.1}]}"},
     "InvalidChangeBatch",
     "RRSet of type A with DNS name c.example.com. is not permitted because a conflicting RRSet "
     "of type CNAME with the same DNS name already exists in zone example.com.",
     1},
    {"bad IPv4 (§4)",
     {"{Name: a.example.com, Type: A, TTL: 60, ResourceRecords: [{Value: 1.2.3}]}"},
     "InvalidChangeBatch",
     "Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid "
     "IPv4 address) encountered with '1.2.3''",
     0},
    {"bad IPv6",
     {"{Name: a.example.com, Type: AAAA, TTL: 60, ResourceRecords: [{Value: '2001:db8::1::2'}]}"},
     "InvalidChangeBatch",
     "Invalid Resource Record: 'FATAL problem: AAAARRDATAIllegalIPv6Address (Value is not a valid "
     "IPv6 address) encountered with '2001:db8::1::2''",
     0},
    {"bad MX",
     {"{Name: example.com, Type: MX, TTL: 60, ResourceRecords: [{Value: mail.example.com}]}"},
     "InvalidChangeBatch",
     "Invalid Resource Record: 'FATAL problem: MXRRDATAIllegal (Value is not a valid MX record: "
     "Syntax error, could not parse the RR's rdata) encountered with 'mail.example.com''",
     0},
    {"bad SRV",
     {"{Name: _x._tcp.example.com, Type: SRV, TTL: 60, ResourceRecords: [{Value: '1 2 "
      "x.example.com.'}]}"},
     "InvalidChangeBatch",
     "Invalid Resource Record: 'FATAL problem: SRVRRDATAIllegal (Value is not a valid SRV record: "
     "Syntax error, could not parse the RR's rdata) encountered with '1 2 x.example.com.''",
     0},
    {"TXT with unbalanced quotes",
     {"{Name: t.example.com, Type: TXT, TTL: 60, ResourceRecords: [{Value: '\"open'}]}"},
     "InvalidChangeBatch",
     "Invalid Resource Record: 'FATAL problem: UnbalancedQuotes (Value has unbalanced quotes) "
     "encountered with '\"open''",
     0},
    {"NS with a routing policy (§4)",
     {"{Name: sub.example.com, Type: NS, SetIdentifier: a, Weight: 1, TTL: 60, ResourceRecords: "
      "[{Value: ns1.example.net.}]}"},
     "InvalidChangeBatch",
     "RRSet of type NS with DNS name sub.example.com. must use simple routing: NS records cannot "
     "have a routing policy",
     0},
    {"wildcard NS (§4, §5)",
     {"{Name: '*.example.com', Type: NS, TTL: 60, ResourceRecords: [{Value: ns1.example.net.}]}"},
     "InvalidChangeBatch",
     "RRSet of type NS with DNS name *.example.com. is not permitted: wildcard NS records are not "
     "supported",
     0},
    {"multivalue alias (§3)",
     {"{Name: a.example.com, Type: A, TTL: 60, ResourceRecords: [{Value: 192.0.2.1}]}",
      "{Name: m.example.com, Type: A, SetIdentifier: one, MultiValueAnswer: true, AliasTarget: "
      "{HostedZoneId: ZTEST, DNSName: a.example.com, EvaluateTargetHealth: false}}"},
     "InvalidInput",
     "Invalid request: multivalue answer records cannot be alias records in Change with "
     "[Action=CREATE, Name=m.example.com., Type=A, SetIdentifier=one]",
     1},
    {"multivalue CNAME (§2.3)",
     {"{Name: m.example.com, Type: CNAME, SetIdentifier: one, MultiValueAnswer: true, TTL: 60, "
      "ResourceRecords: [{Value: x.example.net}]}"},
     "InvalidInput",
     "Invalid request: multivalue answer routing is not supported for type CNAME in Change with "
     "[Action=CREATE, Name=m.example.com., Type=CNAME, SetIdentifier=one]",
     0},
    {"weight above 255 (§2.1)",
     {"{Name: w.example.com, Type: A, SetIdentifier: a, Weight: 256, TTL: 60, ResourceRecords: "
      "[{Value: 192.0.2.1}]}"},
     "InvalidInput",
     "1 validation error detected: Value '256' at "
     "'hostedZones.1.member.resourceRecordSets.1.member.weight' failed to satisfy constraint: "
     "Member must have value less than or equal to 255",
     0},
    {"negative weight (botocore min)",
     {"{Name: w.example.com, Type: A, SetIdentifier: a, Weight: -1, TTL: 60, ResourceRecords: "
      "[{Value: 192.0.2.1}]}"},
     "ParamValidation",
     "Invalid value for parameter hosted_zones[0].ResourceRecordSets[0].Weight, value: -1, valid "
     "min value: 0",
     0},
    {"TTL above 2147483647 (§2.1)",
     {"{Name: t.example.com, Type: A, TTL: 2147483648, ResourceRecords: [{Value: 192.0.2.1}]}"},
     "InvalidInput",
     "1 validation error detected: Value '2147483648' at "
     "'hostedZones.1.member.resourceRecordSets.1.member.tTL' failed to satisfy constraint: Member "
     "must have value less than or equal to 2147483647",
     0},
    {"more than 400 values (§2.1)",
     {many_values(401)},
     "InvalidChangeBatch",
     "RRSet with DNS name many.example.com., type A has 401 resource records; the maximum is 400",
     0},
    {"CNAME with two values (§2.1, Gap wording)",
     {"{Name: c.example.com, Type: CNAME, TTL: 60, ResourceRecords: [{Value: a.example.net}, "
      "{Value: b.example.net}]}"},
     "InvalidChangeBatch",
     "RRSet of type CNAME with DNS name c.example.com. must have exactly one resource record, "
     "found 2",
     0},
    {"unknown HealthCheckId (§4)",
     {"{Name: h.example.com, Type: A, TTL: 60, HealthCheckId: hc-missing, ResourceRecords: "
      "[{Value: 192.0.2.1}]}"},
     "NoSuchHealthCheck",
     "No health check exists with the specified ID hc-missing",
     0},
    {"same-zone alias target missing (§3)",
     {"{Name: www.example.com, Type: A, AliasTarget: {HostedZoneId: ZTEST, DNSName: "
      "nothere.example.com, EvaluateTargetHealth: true}}"},
     "InvalidChangeBatch",
     "Tried to create an alias that targets nothere.example.com., type A in zone ZTEST, but that "
     "target was not found",
     0},
    {"alias target of another type (§3)",
     {"{Name: a.example.com, Type: A, TTL: 60, ResourceRecords: [{Value: 192.0.2.1}]}",
      "{Name: www.example.com, Type: AAAA, AliasTarget: {HostedZoneId: ZTEST, DNSName: "
      "a.example.com, EvaluateTargetHealth: false}}"},
     "InvalidChangeBatch",
     "Tried to create an alias that targets a.example.com., type AAAA in zone ZTEST, but that "
     "target was not found",
     1},
    {"alias target outside the zone it names (§3)",
     {"{Name: www.example.com, Type: A, AliasTarget: {HostedZoneId: ZTEST, DNSName: "
      "www.example.net, EvaluateTargetHealth: false}}"},
     "InvalidChangeBatch",
     "Tried to create an alias that targets www.example.net., type A in zone ZTEST, but the alias "
     "target name does not lie within the target zone",
     0},
    {"AWS alias target not in local.alias_targets (§8.17)",
     {"{Name: www.example.com, Type: A, AliasTarget: {HostedZoneId: Z35SXDOTRQ7X7K, DNSName: "
      "dualstack.other.elb.amazonaws.com, EvaluateTargetHealth: false}}"},
     "InvalidChangeBatch",
     "Tried to create an alias that targets dualstack.other.elb.amazonaws.com., type A in zone "
     "Z35SXDOTRQ7X7K, but that target was not found (an AWS resource outside the configured "
     "zones must be declared under local.alias_targets)",
     0},
    {"AWS alias target without addresses of the type (§3)",
     {"{Name: www.example.com, Type: AAAA, AliasTarget: {HostedZoneId: Z35SXDOTRQ7X7K, DNSName: "
      "lb.elb.amazonaws.com, EvaluateTargetHealth: false}}"},
     "InvalidChangeBatch",
     "Tried to create an alias that targets lb.elb.amazonaws.com., type AAAA in zone "
     "Z35SXDOTRQ7X7K, but that target was not found (local.alias_targets gives "
     "lb.elb.amazonaws.com. no AAAA addresses)",
     0},
    {"alias loop",
     {"{Name: a.example.com, Type: A, AliasTarget: {HostedZoneId: ZTEST, DNSName: b.example.com, "
      "EvaluateTargetHealth: false}}",
      "{Name: b.example.com, Type: A, AliasTarget: {HostedZoneId: ZTEST, DNSName: a.example.com, "
      "EvaluateTargetHealth: false}}"},
     "InvalidChangeBatch",
     "Alias records of type A form a loop: a.example.com. -> b.example.com. -> a.example.com.",
     0},
    {"alias of type NS",
     {"{Name: sub.example.com, Type: NS, AliasTarget: {HostedZoneId: ZTEST, DNSName: "
      "example.com, EvaluateTargetHealth: false}}"},
     "InvalidChangeBatch",
     "RRSet of type NS with DNS name sub.example.com. cannot be an alias",
     0},
    {"name outside the zone",
     {"{Name: www.example.net, Type: A, TTL: 60, ResourceRecords: [{Value: 192.0.2.1}]}"},
     "InvalidChangeBatch",
     "RRSet with DNS name www.example.net. is not permitted in zone example.com.",
     0},
    {"unknown type",
     {"{Name: www.example.com, Type: AXFR, TTL: 60, ResourceRecords: [{Value: x}]}"},
     "InvalidInput",
     "1 validation error detected: Value 'AXFR' at "
     "'hostedZones.1.member.resourceRecordSets.1.member.type' failed to satisfy constraint: Member "
     "must satisfy enum value set: [SOA, A, TXT, NS, CNAME, MX, NAPTR, PTR, SRV, SPF, AAAA, CAA, "
     "DS, TLSA, SSHFP, SVCB, HTTPS]",
     0},
    {"unknown field",
     {"{Name: www.example.com, Type: A, Ttl: 60, ResourceRecords: [{Value: 192.0.2.1}]}"},
     "ParamValidation",
     "Unknown parameter in hosted_zones[0].ResourceRecordSets[0]: \"Ttl\", must be one of: Name, "
     "Type, SetIdentifier, Weight, Region, GeoLocation, Failover, MultiValueAnswer, TTL, "
     "ResourceRecords, AliasTarget, HealthCheckId, TrafficPolicyInstanceId, CidrRoutingConfig, "
     "GeoProximityLocation (did you mean \"TTL\"?)",
     0},
    {"Failover value",
     {"{Name: f.example.com, Type: A, SetIdentifier: a, Failover: primary, TTL: 60, "
      "ResourceRecords: [{Value: 192.0.2.1}]}"},
     "InvalidInput",
     "1 validation error detected: Value 'primary' at "
     "'hostedZones.1.member.resourceRecordSets.1.member.failover' failed to satisfy constraint: "
     "Member must satisfy enum value set: [PRIMARY, SECONDARY]",
     0},
    {"unknown CIDR collection",
     {"{Name: o.example.com, Type: A, SetIdentifier: a, CidrRoutingConfig: {CollectionId: nope, "
      "LocationName: berlin}, TTL: 60, ResourceRecords: [{Value: 192.0.2.1}]}"},
     "NoSuchCidrCollectionException",
     "The CIDR collection you specified, nope, doesn't exist (declare it under "
     "local.cidr_collections)",
     0},
    {"unknown continent (§2.1)",
     {"{Name: g.example.com, Type: A, SetIdentifier: a, GeoLocation: {ContinentCode: XX}, TTL: 60, "
      "ResourceRecords: [{Value: 192.0.2.1}]}"},
     "NoSuchGeoLocation",
     "Amazon Route 53 doesn't support the specified geographic location: ContinentCode=XX (one of "
     "AF, AN, AS, EU, OC, NA, SA)",
     0},
    {"unsupported country (§2.3)",
     {"{Name: g.example.com, Type: A, SetIdentifier: a, GeoLocation: {CountryCode: BV}, TTL: 60, "
      "ResourceRecords: [{Value: 192.0.2.1}]}"},
     "NoSuchGeoLocation",
     "Amazon Route 53 doesn't support the specified geographic location: CountryCode=BV",
     0},
    {"continent and country (§2.1)",
     {"{Name: g.example.com, Type: A, SetIdentifier: a, GeoLocation: {ContinentCode: EU, "
      "CountryCode: DE}, TTL: 60, ResourceRecords: [{Value: 192.0.2.1}]}"},
     "InvalidInput",
     "Invalid request: Expected exactly one of [ContinentCode, CountryCode] in GeoLocation in "
     "Change with [Action=CREATE, Name=g.example.com., Type=A, SetIdentifier=a]",
     0},
    {"subdivision outside the US (§2.1)",
     {"{Name: g.example.com, Type: A, SetIdentifier: a, GeoLocation: {CountryCode: DE, "
      "SubdivisionCode: BE}, TTL: 60, ResourceRecords: [{Value: 192.0.2.1}]}"},
     "InvalidInput",
     "Invalid request: SubdivisionCode requires CountryCode US in Change with [Action=CREATE, "
     "Name=g.example.com., Type=A, SetIdentifier=a]",
     0},
    {"empty label",
     {"{Name: a..example.com, Type: A, TTL: 60, ResourceRecords: [{Value: 192.0.2.1}]}"},
     "InvalidChangeBatch",
     "FATAL problem: DomainLabelEmpty (Domain label is empty) encountered with 'a..example.com.'",
     0},
    {"label over 63 octets",
     {"{Name: " + kLongLabel +
      ".example.com, Type: A, TTL: 60, ResourceRecords: [{Value: "
      "192.0.2.1}]}"},
     "InvalidChangeBatch",
     "FATAL problem: DomainLabelTooLong (Domain label is too long) encountered with '" +
         kLongLabel + ".example.com.'",
     0},
    {"more than 100 weighted records (§2.3)", weighted_group(101), "InvalidChangeBatch",
     "RRSet with DNS name w.example.com., type A has 101 weighted records; the maximum per name "
     "and type is 100",
     0},
    {"CIDR location name pattern (§2.1)",
     {"{Name: o.example.com, Type: A, SetIdentifier: a, CidrRoutingConfig: {CollectionId: "
      "4c2d2f1e-6a0b-4c8e-9a51-0e1f2a3b4c5d, LocationName: 'berlin office'}, TTL: 60, "
      "ResourceRecords: [{Value: 192.0.2.1}]}"},
     "InvalidInput",
     "1 validation error detected: Value 'berlin office' at 'cidrRoutingConfig.locationName' "
     "failed to satisfy constraint: Member must satisfy regular expression pattern: "
     "[0-9A-Za-z_\\-\\*]+ and length 1-16",
     0},
    {"two CIDR collections in one group (§2.3)",
     {"{Name: o.example.com, Type: A, SetIdentifier: a, CidrRoutingConfig: {CollectionId: "
      "4c2d2f1e-6a0b-4c8e-9a51-0e1f2a3b4c5d, LocationName: a}, TTL: 60, ResourceRecords: [{Value: "
      "192.0.2.1}]}",
      "{Name: o.example.com, Type: A, SetIdentifier: b, CidrRoutingConfig: {CollectionId: "
      "5c2d2f1e-6a0b-4c8e-9a51-0e1f2a3b4c5d, LocationName: b}, TTL: 60, ResourceRecords: [{Value: "
      "192.0.2.2}]}"},
     "InvalidChangeBatch",
     "RRSet with DNS name o.example.com., type A uses more than one CIDR collection; all its "
     "records must use the same CollectionId",
     0},
};

class RecordRule : public ::testing::TestWithParam<RuleCase> {};

TEST_P(RecordRule, IsReportedWithCodeMessageAndLine) {
    const RuleCase& c = GetParam();
    LoadResult result = load_records(c.records);
    EXPECT_EQ(result.config, nullptr) << dump(result.diagnostics);
    EXPECT_TRUE(
        has_diagnostic(result.diagnostics, c.code, c.message, kFirstRecordLine + c.record_index));
    for (const auto& d : result.diagnostics) EXPECT_EQ(d.where.file, "zone.yaml");
}

std::string case_name(const ::testing::TestParamInfo<RuleCase>& info) {
    std::string name;
    for (const char* p = info.param.rule; *p && *p != '('; ++p)
        name += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
    while (!name.empty() && name.back() == '_') name.pop_back();
    return name + "_" + std::to_string(info.index);
}

INSTANTIATE_TEST_SUITE_P(Rules, RecordRule, ::testing::ValuesIn(kRuleCases), case_name);

TEST(RecordRules, ValidNeighboursOfEachRuleLoad) {
    LoadResult result = load_records({
        "{Name: a.example.com, Type: A, TTL: 60, ResourceRecords: [{Value: 192.0.2.1}]}",
        "{Name: f.example.com, Type: A, SetIdentifier: p, Failover: PRIMARY, HealthCheckId: hc-1, "
        "TTL: 60, ResourceRecords: [{Value: 192.0.2.1}]}",
        "{Name: f.example.com, Type: A, SetIdentifier: s, Failover: SECONDARY, AliasTarget: "
        "{HostedZoneId: ZTEST, DNSName: a.example.com, EvaluateTargetHealth: true}}",
        "{Name: lb.example.com, Type: A, AliasTarget: {HostedZoneId: Z35SXDOTRQ7X7K, DNSName: "
        "lb.elb.amazonaws.com., EvaluateTargetHealth: true}}",
        "{Name: example.com, Type: A, AliasTarget: {HostedZoneId: ZTEST, DNSName: a.example.com, "
        "EvaluateTargetHealth: false}}",
        "{Name: c.example.com, Type: CNAME, TTL: 60, ResourceRecords: [{Value: a.example.com}]}",
        "{Name: w.example.com, Type: A, SetIdentifier: x, Weight: 0, TTL: 0, ResourceRecords: "
        "[{Value: 192.0.2.1}, {Value: 192.0.2.2}]}",
        "{Name: w.example.com, Type: A, SetIdentifier: y, Weight: 255, TTL: 2147483647, "
        "ResourceRecords: [{Value: 192.0.2.3}]}",
        "{Name: sub.example.com, Type: NS, TTL: 60, ResourceRecords: [{Value: ns1.example.net.}]}",
        many_values(400),
    });
    EXPECT_NE(result.config, nullptr) << dump(result.diagnostics);
    EXPECT_TRUE(result.diagnostics.empty()) << dump(result.diagnostics);
}

TEST(RecordRules, EveryProblemIsCollected) {
    LoadResult result = load_records({
        "{Name: a.example.com, Type: A, TTL: 60, ResourceRecords: [{Value: 1.2.3}]}",
        "{Name: b.example.com, Type: A, TTL: 60}",
        "{Name: c.example.com, Type: A, Weight: 1, TTL: 60, ResourceRecords: [{Value: 192.0.2.1}]}",
    });
    ASSERT_EQ(result.diagnostics.size(), 3u) << dump(result.diagnostics);
    EXPECT_EQ(result.diagnostics[0].where.line, 9);
    EXPECT_EQ(result.diagnostics[1].where.line, 10);
    EXPECT_EQ(result.diagnostics[2].where.line, 11);
}

TEST(RecordRules, LenientModeLetsFailoverWinOverWeight) {
    const std::string record =
        "{Name: app.example.com, Type: A, SetIdentifier: one, Weight: 100, Failover: PRIMARY, "
        "TTL: 60, ResourceRecords: [{Value: 192.0.2.1}]}";
    LoadResult strict = load_records({record});
    EXPECT_EQ(strict.config, nullptr);

    LoadResult lenient = load_records({record}, true);
    ASSERT_NE(lenient.config, nullptr) << dump(lenient.diagnostics);
    EXPECT_TRUE(has_diagnostic(
        lenient.diagnostics, "InvalidInput",
        "Weight together with Failover (AWS rejects this with \"found more than one\"): Failover "
        "wins; Weight ignored in Change with [Action=CREATE, Name=app.example.com., Type=A, "
        "SetIdentifier=one]",
        9, Severity::Warning));
    const auto& zone = lenient.config->zones.at(0);
    auto it = std::find_if(zone.record_sets.begin(), zone.record_sets.end(),
                           [](const ResourceRecordSet& r) { return r.name == "app.example.com."; });
    ASSERT_NE(it, zone.record_sets.end());
    EXPECT_FALSE(it->weight.has_value());
    EXPECT_EQ(it->failover, FailoverRole::Primary);
    EXPECT_EQ(policy_of(*it), RoutingPolicy::Failover);
}

}  // namespace
}  // namespace r53::config
