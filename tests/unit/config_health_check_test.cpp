// HealthCheckConfig (§1.2): defaults, the aws CLI shorthand (§6), botocore's client-side checks
// and Route 53's server-side ranges, each with its exact text.
#include <gtest/gtest.h>

#include "config/parse.hpp"
#include "config_test_util.hpp"

namespace r53::config {
namespace {

using testing::dump;
using testing::has_diagnostic;

std::optional<HealthCheckConfig> parse(const std::string& yaml, Diagnostics& ds,
                                       LocalCheckSettings* local = nullptr, bool lenient = false) {
    ParseContext ctx;
    ctx.file = "hc.yaml";
    ctx.diagnostics = &ds;
    ctx.lenient = lenient;
    return parse_health_check_config(YAML::Load(yaml), ctx, local);
}

const std::vector<std::string> kAllRegions = {"us-east-1",      "us-west-1",      "us-west-2",
                                              "eu-west-1",      "ap-southeast-1", "ap-southeast-2",
                                              "ap-northeast-1", "sa-east-1"};

TEST(HealthCheckDefaults, HttpsGetsPort443SniAndAllRegions) {  // §1.2
    Diagnostics ds;
    auto c = parse("{Type: HTTPS, FullyQualifiedDomainName: a.example.com}", ds);
    ASSERT_TRUE(c) << dump(ds);
    EXPECT_EQ(c->type, HealthCheckType::HTTPS);
    EXPECT_EQ(c->port, 443);
    EXPECT_TRUE(c->enable_sni);
    EXPECT_EQ(c->request_interval, 30);
    EXPECT_EQ(c->failure_threshold, 3);
    EXPECT_EQ(c->regions, kAllRegions);
    EXPECT_FALSE(c->inverted);
    EXPECT_FALSE(c->disabled);
    EXPECT_FALSE(c->measure_latency);
}

TEST(HealthCheckDefaults, HttpGetsPort80WithoutSni) {
    Diagnostics ds;
    auto c = parse("{Type: HTTP_STR_MATCH, IPAddress: 192.0.2.1, SearchString: ok}", ds);
    ASSERT_TRUE(c) << dump(ds);
    EXPECT_EQ(c->port, 80);
    EXPECT_FALSE(c->enable_sni);
}

TEST(HealthCheckDefaults, GivenValuesWin) {
    Diagnostics ds;
    auto c = parse(
        "{Type: HTTPS, IPAddress: '2001:db8::1', Port: 8443, EnableSNI: false, RequestInterval: 10,"
        " FailureThreshold: 1, Regions: [us-east-1, eu-west-1, sa-east-1], Inverted: true}",
        ds);
    ASSERT_TRUE(c) << dump(ds);
    EXPECT_EQ(c->port, 8443);
    EXPECT_FALSE(c->enable_sni);
    EXPECT_EQ(c->request_interval, 10);
    EXPECT_EQ(c->failure_threshold, 1);
    EXPECT_EQ(c->regions, (std::vector<std::string>{"us-east-1", "eu-west-1", "sa-east-1"}));
    EXPECT_TRUE(c->inverted);
}

TEST(HealthCheckShorthand, ConvertsIntsBoolsAndLists) {  // §6 "CLI shorthand"
    Diagnostics ds;
    auto c = parse(
        "'Type=HTTPS,FullyQualifiedDomainName=a.example.com,Port=8443,Inverted=true,"
        "RequestInterval=10,Regions=[us-east-1,us-west-2,eu-west-1],ResourcePath=/health'",
        ds);
    ASSERT_TRUE(c) << dump(ds);
    EXPECT_EQ(c->port, 8443);
    EXPECT_TRUE(c->inverted);
    EXPECT_EQ(c->request_interval, 10);
    EXPECT_EQ(c->resource_path, "/health");
    EXPECT_EQ(c->regions, (std::vector<std::string>{"us-east-1", "us-west-2", "eu-west-1"}));
}

TEST(HealthCheckShorthand, SingleValueBecomesOneItemList) {
    ParseContext ctx;
    Diagnostics ds;
    ctx.diagnostics = &ds;
    auto node = parse_cli_shorthand("Type=CALCULATED,ChildHealthChecks=a,HealthThreshold=1", ctx);
    ASSERT_TRUE(node);
    EXPECT_EQ((*node)["ChildHealthChecks"].as<std::string>(), "a");
    auto c = parse_health_check_config(*node, ctx);
    ASSERT_TRUE(c) << dump(ds);
    EXPECT_EQ(c->child_health_checks, std::vector<std::string>{"a"});
    EXPECT_EQ(c->health_threshold, 1);
}

TEST(HealthCheckShorthand, BareValuesAfterACommaExtendTheList) {
    ParseContext ctx;
    Diagnostics ds;
    ctx.diagnostics = &ds;
    auto node = parse_cli_shorthand("Regions=us-east-1,us-west-2,eu-west-1,Type=TCP", ctx);
    ASSERT_TRUE(node);
    ASSERT_TRUE((*node)["Regions"].IsSequence());
    EXPECT_EQ((*node)["Regions"].size(), 3u);
    EXPECT_EQ((*node)["Type"].as<std::string>(), "TCP");
}

const std::string kUnknownRequestTimeout =
    "Unknown parameter in HealthCheckConfig: \"RequestTimeout\", must be one of: IPAddress, Port, "
    "Type, ResourcePath, FullyQualifiedDomainName, SearchString, RequestInterval, "
    "FailureThreshold, MeasureLatency, Inverted, Disabled, HealthThreshold, ChildHealthChecks, "
    "EnableSNI, Regions, AlarmIdentifier, InsufficientDataHealthStatus, RoutingControlArn";
const std::string kRegionsTooFew =
    "Invalid length for parameter HealthCheckConfig.Regions, value: 1, valid min length: 3";

TEST(HealthCheckCli, ClientSideProblemsAreReportedTogether) {  // §4.1
    Diagnostics ds = check_health_check_config(
        "Type=HTTPS,FullyQualifiedDomainName=app.example.com,RequestInterval=30,"
        "FailureThreshold=3,RequestTimeout=10,Port=443,ResourcePath=/health,Inverted=false,"
        "EnableSNI=true,Regions=us-east-1");
    EXPECT_TRUE(has_diagnostic(ds, "ParamValidation", kUnknownRequestTimeout, 1));
    EXPECT_TRUE(has_diagnostic(ds, "ParamValidation", kRegionsTooFew, 1));
    EXPECT_EQ(ds.size(), 2u) << dump(ds);
    EXPECT_EQ(format(ds[0]),
              "--health-check-config:1: error: ParamValidation: " + kUnknownRequestTimeout);
}

TEST(HealthCheckCli, JsonIsAcceptedWithLines) {
    Diagnostics ds = check_health_check_config(
        "{\n  \"Type\": \"HTTP\",\n  \"IPAddress\": \"192.0.2.1\",\n  \"FailureThreshold\": 11\n}");
    EXPECT_TRUE(has_diagnostic(ds, "InvalidInput",
                               "1 validation error detected: Value '11' at "
                               "'healthCheckConfig.failureThreshold' failed to satisfy "
                               "constraint: Member must have value less than or equal to 10",
                               4));
    EXPECT_TRUE(check_health_check_config("{\"Type\": \"TCP\", \"IPAddress\": \"192.0.2.1\", "
                                          "\"Port\": 22}")
                    .empty());
}

TEST(HealthCheckCli, LenientTurnsTheSeedMistakesIntoWarnings) {  // issue: --lenient
    LoadOptions lenient;
    lenient.lenient = true;
    Diagnostics ds = check_health_check_config(
        "Type=HTTPS,FullyQualifiedDomainName=app.example.com,RequestTimeout=10,Regions=us-east-1",
        lenient);
    EXPECT_FALSE(has_errors(ds)) << dump(ds);
    EXPECT_EQ(ds.size(), 2u) << dump(ds);

    LocalCheckSettings local;
    Diagnostics ds2;
    auto c = parse(
        "{Type: HTTPS, FullyQualifiedDomainName: a.example.com, RequestTimeout: 10, "
        "Regions: [us-east-1]}",
        ds2, &local, true);
    ASSERT_TRUE(c) << dump(ds2);
    EXPECT_EQ(c->regions, std::vector<std::string>{"us-east-1"});
    ASSERT_TRUE(local.response_timeout);
    EXPECT_DOUBLE_EQ(local.response_timeout->count(), 10.0);
    EXPECT_TRUE(has_diagnostic(
        ds2, "ParamValidation",
        "Unknown parameter in HealthCheckConfig: \"RequestTimeout\" (not a Route 53 field; "
        "timeouts are fixed at 4 s connect, 2 s response); used as local.response_timeout = 10s",
        1, Severity::Warning));
    EXPECT_TRUE(has_diagnostic(
        ds2, "ParamValidation",
        kRegionsTooFew + "; kept as given: only 1 checker region(s) probe this endpoint", 1,
        Severity::Warning));
}

struct RangeCase {
    const char* config;
    const char* code;
    std::string message;
};

std::string over(const char* value, const char* field, const char* limit) {
    return std::string("1 validation error detected: Value '") + value +
           "' at 'healthCheckConfig." + field +
           "' failed to satisfy constraint: Member must have value less than or equal to " + limit;
}

const std::vector<RangeCase> kRangeCases = {
    {"{Type: HTTP, IPAddress: 192.0.2.1, FailureThreshold: 0}", "ParamValidation",
     "Invalid value for parameter HealthCheckConfig.FailureThreshold, value: 0, valid min value: "
     "1"},
    {"{Type: HTTP, IPAddress: 192.0.2.1, FailureThreshold: 11}", "InvalidInput",
     over("11", "failureThreshold", "10")},
    {"{Type: HTTP, IPAddress: 192.0.2.1, RequestInterval: 5}", "ParamValidation",
     "Invalid value for parameter HealthCheckConfig.RequestInterval, value: 5, valid min value: "
     "10"},
    {"{Type: HTTP, IPAddress: 192.0.2.1, RequestInterval: 31}", "InvalidInput",
     over("31", "requestInterval", "30")},
    {"{Type: HTTP, IPAddress: 192.0.2.1, Port: 0}", "ParamValidation",
     "Invalid value for parameter HealthCheckConfig.Port, value: 0, valid min value: 1"},
    {"{Type: HTTP, IPAddress: 192.0.2.1, Port: 65536}", "InvalidInput",
     over("65536", "port", "65535")},
    {"{Type: CALCULATED, HealthThreshold: 257, ChildHealthChecks: [a]}", "InvalidInput",
     over("257", "healthThreshold", "256")},
    {"{Type: HTTP, IPAddress: 192.0.2.1, Port: abc}", "ParamValidation",
     "Invalid type for parameter HealthCheckConfig.Port, value: abc, type: <class 'str'>, valid "
     "types: <class 'int'>"},
    {"{Type: HTTP, IPAddress: 192.0.2.1, Regions: [us-east-1, eu-west-1, mars-1]}", "InvalidInput",
     "1 validation error detected: Value 'mars-1' at 'healthCheckConfig.regions.member' failed to "
     "satisfy constraint: Member must satisfy enum value set: [us-east-1, us-west-1, us-west-2, "
     "eu-west-1, ap-southeast-1, ap-southeast-2, ap-northeast-1, sa-east-1]"},
    {"{Type: PING, IPAddress: 192.0.2.1}", "InvalidInput",
     "1 validation error detected: Value 'PING' at 'healthCheckConfig.type' failed to satisfy "
     "constraint: Member must satisfy enum value set: [HTTP, HTTPS, HTTP_STR_MATCH, "
     "HTTPS_STR_MATCH, TCP, CALCULATED, CLOUDWATCH_METRIC, RECOVERY_CONTROL]"},
    {"{IPAddress: 192.0.2.1}", "ParamValidation",
     "Missing required parameter in HealthCheckConfig: \"Type\""},
    {"{Type: HTTP, IPAddress: 192.0.2.1, SearchString: ok}", "InvalidInput",
     "SearchString is only allowed for health checks of type HTTP_STR_MATCH or HTTPS_STR_MATCH, "
     "not HTTP"},
    {"{Type: HTTPS_STR_MATCH, IPAddress: 192.0.2.1}", "InvalidInput",
     "A health check of type HTTPS_STR_MATCH requires SearchString"},
    {"{Type: HTTP, Port: 80}", "InvalidInput",
     "A health check of type HTTP requires IPAddress or FullyQualifiedDomainName"},
    {"{Type: TCP, IPAddress: 192.0.2.1}", "InvalidInput",
     "A health check of type TCP requires Port"},
    {"{Type: HTTP, IPAddress: 192.0.2.300}", "InvalidInput",
     "Invalid IP address: '192.0.2.300' is not a valid IPv4 or IPv6 address"},
    {"{Type: CALCULATED, ChildHealthChecks: [a]}", "InvalidInput",
     "A health check of type CALCULATED requires HealthThreshold"},
    {"{Type: CALCULATED, HealthThreshold: 1, IPAddress: 192.0.2.1}", "InvalidInput",
     "IPAddress is not allowed for health checks of type CALCULATED"},
    {"{Type: HTTP, IPAddress: 192.0.2.1, HealthThreshold: 1}", "InvalidInput",
     "ChildHealthChecks and HealthThreshold are only allowed for health checks of type "
     "CALCULATED"},
    {"{Type: CLOUDWATCH_METRIC}", "InvalidInput",
     "A health check of type CLOUDWATCH_METRIC requires AlarmIdentifier"},
    {"{Type: RECOVERY_CONTROL}", "InvalidInput",
     "A health check of type RECOVERY_CONTROL requires RoutingControlArn"},
    {"{Type: CLOUDWATCH_METRIC, AlarmIdentifier: {Region: us-east-1, Name: x}, "
     "InsufficientDataHealthStatus: Maybe}",
     "InvalidInput",
     "1 validation error detected: Value 'Maybe' at "
     "'healthCheckConfig.insufficientDataHealthStatus' failed to satisfy constraint: Member must "
     "satisfy enum value set: [Healthy, Unhealthy, LastKnownStatus]"},
    {"{Type: HTTP, IPAddress: 192.0.2.1, Regions: [us-east-1, us-east-1, eu-west-1]}",
     "InvalidInput", "Invalid parameter: Regions lists 'us-east-1' more than once"},
    {"{Type: HTTP, IPAddress: 192.0.2.1, RequestTimeout: 10}", "ParamValidation",
     kUnknownRequestTimeout},
};

class HealthCheckRange : public ::testing::TestWithParam<RangeCase> {};

TEST_P(HealthCheckRange, IsRejectedWithAwsText) {  // §1.2
    Diagnostics ds;
    auto c = parse(GetParam().config, ds);
    EXPECT_FALSE(c);
    EXPECT_TRUE(has_diagnostic(ds, GetParam().code, GetParam().message, 1));
}

INSTANTIATE_TEST_SUITE_P(Ranges, HealthCheckRange, ::testing::ValuesIn(kRangeCases));

TEST(HealthCheckRange, BoundsAreAccepted) {
    for (const char* ok : {"{Type: HTTP, IPAddress: 192.0.2.1, FailureThreshold: 1, Port: 1}",
                           "{Type: HTTP, IPAddress: 192.0.2.1, FailureThreshold: 10, Port: 65535}",
                           "{Type: HTTP, IPAddress: 192.0.2.1, RequestInterval: 10}",
                           "{Type: HTTP, IPAddress: 192.0.2.1, RequestInterval: 30}",
                           "{Type: CALCULATED, HealthThreshold: 0, ChildHealthChecks: []}",
                           "{Type: CALCULATED, HealthThreshold: 256}",
                           "{Type: RECOVERY_CONTROL, RoutingControlArn: arn:aws:x}"}) {
        Diagnostics ds;
        EXPECT_TRUE(parse(ok, ds)) << ok << "\n" << dump(ds);
    }
}

}  // namespace
}  // namespace r53::config
