// The YAML format: the complete example, zone defaults (§5, §15), local settings, unknown keys,
// health-check references, directories and diagnostics formatting.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "config/parse.hpp"
#include "config/zone_defaults.hpp"
#include "config_test_util.hpp"

namespace r53::config {
namespace {

using testing::dump;
using testing::fixture;
using testing::has_diagnostic;

TEST(CompleteExample, LoadsCleanly) {
    LoadResult r = load_config_file(fixture("complete-example.yaml"));
    ASSERT_NE(r.config, nullptr) << dump(r.diagnostics);
    EXPECT_TRUE(r.diagnostics.empty()) << dump(r.diagnostics);
    const Config& c = *r.config;

    ASSERT_EQ(c.health_checks.size(), 5u);
    for (size_t i = 1; i < c.health_checks.size(); ++i)
        EXPECT_LT(c.health_checks[i - 1].id, c.health_checks[i].id) << "sorted by id";
    auto us = c.health_index("hc-us-east-1");
    ASSERT_TRUE(us);
    const HealthCheck& h = c.health_checks[*us];
    EXPECT_EQ(h.caller_reference, "app-us-east-1");
    EXPECT_EQ(h.config.request_interval, 10);
    EXPECT_TRUE(h.config.enable_sni);
    ASSERT_TRUE(h.local.interval);
    EXPECT_DOUBLE_EQ(h.local.interval->count(), 0.2);
    EXPECT_DOUBLE_EQ(h.local.connect_timeout->count(), 1.0);
    const HealthCheck& eu = c.health_checks[*c.health_index("hc-eu-west-1")];
    EXPECT_EQ(eu.config.regions, (std::vector<std::string>{"us-east-1", "us-west-2", "eu-west-1"}));
    EXPECT_EQ(eu.config.port, 443);
    EXPECT_DOUBLE_EQ(eu.local.interval->count(), 0.2);
    EXPECT_EQ(c.health_checks[*c.health_index("hc-queue-depth")].local.initial_state, "OK");

    ASSERT_EQ(c.zones.size(), 1u);
    const HostedZone& z = c.zones[0];
    EXPECT_EQ(z.name, "example.com.");
    EXPECT_EQ(z.id, "Z1XXXXXXXXXXXXXX");
    auto count = [&](const std::string& name, const std::string& type) {
        return std::count_if(z.record_sets.begin(), z.record_sets.end(),
                             [&](const auto& rr) { return rr.name == name && rr.type == type; });
    };
    EXPECT_EQ(count("example.com.", "SOA"), 1);
    EXPECT_EQ(count("example.com.", "NS"), 1);
    EXPECT_EQ(count("app.example.com.", "A"), 2);
    EXPECT_EQ(count("status.example.com.", "A"), 1) << "from changes/add-status.json";
    for (const auto& rr : z.record_sets) {
        if (rr.name == "mail.example.com.") {
            EXPECT_EQ(rr.ttl, 600) << "UPSERT in the change batch";
        }
    }

    const LocalSettings& l = c.local;
    EXPECT_EQ(l.listen.dns, "127.0.0.1:1053");
    EXPECT_EQ(l.listen.admin, "127.0.0.1:8053");
    ASSERT_EQ(l.endpoints.size(), 3u);
    EXPECT_EQ(l.endpoints[0].host, "us-east-1.app.example.com");
    EXPECT_EQ(l.endpoints[0].local_port, 8443);
    EXPECT_EQ(l.endpoints[1].host, "eu-west-1.app.example.com");
    EXPECT_EQ(l.endpoints[1].port, 443);
    EXPECT_EQ(l.endpoints[1].address, "127.0.0.1");
    EXPECT_EQ(l.endpoints[1].local_port, 9443);
    ASSERT_EQ(l.alias_targets.size(), 1u);
    EXPECT_EQ(l.alias_targets[0].dns_name, "dualstack.my-alb-us-east-1.amazonaws.com.");
    EXPECT_EQ(l.alias_targets[0].health_check_id, "hc-us-east-1");
    ASSERT_EQ(l.cidr_collections.size(), 1u);
    EXPECT_EQ(l.cidr_collections[0].locations.at("berlin"),
              std::vector<std::string>{"198.51.100.0/24"});
    ASSERT_EQ(l.client_locations.size(), 2u);
    EXPECT_EQ(l.client_locations[0].country_code, "DE");
    EXPECT_FALSE(l.client_locations[0].subdivision_code);
    ASSERT_TRUE(l.client_locations[0].coordinates);
    EXPECT_DOUBLE_EQ(l.client_locations[0].coordinates->latitude, 50.1);
    EXPECT_EQ(l.default_client_address, "198.51.100.7");
    ASSERT_EQ(l.latency.size(), 3u);
    EXPECT_EQ(l.latency[0].regions, (std::vector<std::string>{"eu-west-1", "us-east-1"}));
    EXPECT_EQ(l.latency[1].client, "2001:db8::/32");
    EXPECT_FALSE(l.latency[2].client) << "the default entry";
    EXPECT_EQ(l.fleet.checkers_per_region, 2);
    EXPECT_EQ(l.fleet.seed, 1u);
    EXPECT_EQ(l.routing_seed, 42u);
}

TEST(ZoneDefaults, ApexSoaAndFourNameServers) {  // §5, §15
    LoadResult r = load_config_text("hosted_zones: [{Name: Example.COM}]", "z.yaml");
    ASSERT_NE(r.config, nullptr) << dump(r.diagnostics);
    const HostedZone& z = r.config->zones.at(0);
    EXPECT_EQ(z.name, "example.com.");
    EXPECT_TRUE(std::regex_match(z.id, std::regex("Z[0-9A-Z]{13,20}"))) << z.id;
    EXPECT_EQ(z.id, derive_zone_id("example.com.")) << "stable across loads";
    EXPECT_NE(z.id, derive_zone_id("example.net."));
    ASSERT_EQ(z.record_sets.size(), 2u);
    const ResourceRecordSet& soa = z.record_sets[0];
    const ResourceRecordSet& ns = z.record_sets[1];
    EXPECT_EQ(soa.type, "SOA");
    EXPECT_EQ(soa.ttl, 900);
    EXPECT_EQ(ns.type, "NS");
    EXPECT_EQ(ns.ttl, 172800);
    ASSERT_EQ(ns.resource_records.size(), 4u);
    const char* tlds[] = {"com", "net", "org", "co\\.uk"};
    for (int i = 0; i < 4; ++i)
        EXPECT_TRUE(std::regex_match(
            ns.resource_records[i],
            std::regex(std::string("ns-[0-9]{1,4}\\.awsdns-[0-9]{2}\\.") + tlds[i] + "\\.")))
            << ns.resource_records[i];
    ASSERT_EQ(soa.resource_records.size(), 1u);
    EXPECT_EQ(soa.resource_records[0],
              ns.resource_records[0] + " awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400");
    EXPECT_EQ(default_name_servers("example.com."), ns.resource_records) << "deterministic";
}

TEST(ZoneDefaults, UserGivenApexRecordsReplaceThem) {
    LoadResult r = load_config_text(
        "hosted_zones:\n"
        "  - Name: example.com\n"
        "    ResourceRecordSets:\n"
        "      - {Name: example.com, Type: NS, TTL: 3600, ResourceRecords: [{Value: "
        "ns1.example.net.}]}\n",
        "z.yaml");
    ASSERT_NE(r.config, nullptr) << dump(r.diagnostics);
    const auto& sets = r.config->zones.at(0).record_sets;
    ASSERT_EQ(sets.size(), 2u);
    EXPECT_EQ(sets[0].type, "SOA");
    EXPECT_EQ(sets[1].type, "NS");
    EXPECT_EQ(sets[1].resource_records, std::vector<std::string>{"ns1.example.net."});
}

struct ConfigErrorCase {
    const char* what;
    const char* yaml;
    const char* code;
    const char* message;
    int line;
};

const std::vector<ConfigErrorCase> kConfigErrors = {
    {"unknown top-level key", "hosted_zones: []\nzones: []\n", "InvalidConfig",
     "unknown key 'zones' in the config file (expected one of: hosted_zones, health_checks, local)",
     2},
    {"unknown local key", "local:\n  listen: {dns: '127.0.0.1:53'}\n  worker: 2\n", "InvalidConfig",
     "unknown key 'worker' in local (did you mean 'workers'?)", 3},
    {"unknown fleet key", "local:\n  fleet: {checkers: 2}\n", "InvalidConfig",
     "unknown key 'checkers' in local.fleet (expected one of: checkers_per_region, single_checker, "
     "seed)",
     2},
    {"unknown zone key", "hosted_zones:\n  - Name: example.com\n    Records: []\n", "InvalidConfig",
     "unknown key 'Records' in hosted_zones[0] (expected one of: Name, Id, ResourceRecordSets, "
     "ChangeBatches)",
     3},
    {"unknown check key",
     "health_checks:\n  a:\n    HealthCheckConfig: {Type: TCP, IPAddress: 192.0.2.1, Port: 1}\n"
     "    Tags: []\n",
     "InvalidConfig",
     "unknown key 'Tags' in health_checks.a (expected one of: CallerReference, HealthCheckConfig, "
     "local)",
     4},
    {"unknown local check key",
     "health_checks:\n  a:\n    HealthCheckConfig: {Type: TCP, IPAddress: 192.0.2.1, Port: 1}\n"
     "    local: {timeout: 1s}\n",
     "InvalidConfig",
     "unknown key 'timeout' in health_checks.a.local (expected one of: interval, connect_timeout, "
     "response_timeout, body_timeout, verify_certificate, ca_file, state)",
     4},
    {"unknown HealthCheckConfig key (aws CLI text)",
     "health_checks:\n  a:\n    HealthCheckConfig:\n      Type: TCP\n      Port: 1\n"
     "      IPAddress: 192.0.2.1\n      RequestTimeout: 10\n",
     "ParamValidation",
     "Unknown parameter in HealthCheckConfig: \"RequestTimeout\", must be one of: IPAddress, Port, "
     "Type, ResourcePath, FullyQualifiedDomainName, SearchString, RequestInterval, "
     "FailureThreshold, MeasureLatency, Inverted, Disabled, HealthThreshold, ChildHealthChecks, "
     "EnableSNI, Regions, AlarmIdentifier, InsufficientDataHealthStatus, RoutingControlArn",
     7},
    {"bad duration",
     "health_checks:\n  a:\n    HealthCheckConfig: {Type: TCP, IPAddress: 192.0.2.1, Port: 1}\n"
     "    local: {interval: fast}\n",
     "InvalidConfig",
     "invalid value 'fast' for health_checks.a.local.interval (expected a duration such as 0.2s, "
     "200ms or 2)",
     4},
    {"bad endpoint shorthand", "local:\n  endpoints:\n    - 'app.example.com:443'\n",
     "InvalidConfig",
     "invalid endpoint 'app.example.com:443' in local.endpoints[0] (expected "
     "HOST:PORT:ADDR[:LOCALPORT], e.g. app.example.com:443:127.0.0.1:8443)",
     3},
    {"bad listen address", "local:\n  listen: {dns: localhost}\n", "InvalidConfig",
     "invalid address 'localhost' for local.listen.dns (expected IP:PORT, e.g. 127.0.0.1:1053)", 2},
    {"CALCULATED child missing",
     "health_checks:\n  parent:\n    HealthCheckConfig: {Type: CALCULATED, HealthThreshold: 1, "
     "ChildHealthChecks: [ghost]}\n",
     "NoSuchHealthCheck",
     "No health check exists with the specified ID ghost (ChildHealthChecks of parent)", 3},
    {"CALCULATED child is CALCULATED",
     "health_checks:\n  inner:\n    HealthCheckConfig: {Type: CALCULATED, HealthThreshold: 0}\n"
     "  outer:\n    HealthCheckConfig: {Type: CALCULATED, HealthThreshold: 1, ChildHealthChecks: "
     "[inner]}\n",
     "InvalidInput",
     "Invalid parameter: ChildHealthChecks of outer includes inner, a CALCULATED health check; "
     "children of a CALCULATED health check cannot be CALCULATED",
     5},
    {"alias target bound to a missing check",
     "local:\n  alias_targets:\n    - {DNSName: lb.amazonaws.com, A: [192.0.2.1], HealthCheckId: "
     "nope}\n",
     "NoSuchHealthCheck",
     "No health check exists with the specified ID nope (HealthCheckId of alias target "
     "lb.amazonaws.com.)",
     3},
    {"local state on an HTTP check",
     "health_checks:\n  a:\n    HealthCheckConfig: {Type: HTTP, IPAddress: 192.0.2.1}\n"
     "    local: {state: OK}\n",
     "InvalidConfig",
     "invalid health_checks.a.local.state 'OK': only CLOUDWATCH_METRIC (OK, ALARM, "
     "INSUFFICIENT_DATA) and RECOVERY_CONTROL (ON, OFF) checks take a local state",
     4},
    {"zone defined twice", "hosted_zones:\n  - Name: example.com\n  - Name: EXAMPLE.com.\n",
     "InvalidConfig", "hosted zone example.com. is defined twice (first at c.yaml:2)", 3},
    {"YAML syntax error", "hosted_zones:\n  - Name: [example.com\n", "InvalidConfig", nullptr, 0},
    {"missing change batch file",
     "hosted_zones:\n  - Name: example.com\n    ChangeBatches: [missing.json]\n", "InvalidConfig",
     "cannot read change batch file missing.json", 3},
    {"TCP cap of zero", "local:\n  dns:\n    tcp:\n      max_connections: 0\n", "InvalidConfig",
     "local.dns.tcp.max_connections must be 1-65535", 4},
    {"TCP timeout that is no duration", "local:\n  dns:\n    tcp:\n      io_timeout: soon\n",
     "InvalidConfig",
     "invalid value 'soon' for local.dns.tcp.io_timeout (expected a duration such as 0.2s, "
     "200ms or 2)",
     4},
    {"TCP timeout of zero", "local:\n  dns:\n    tcp:\n      idle_timeout: 0s\n", "InvalidConfig",
     "local.dns.tcp.idle_timeout must be between 1ms and 1h", 4},
    {"busy idle longer than idle",
     "local:\n  dns:\n    tcp:\n      idle_timeout: 1s\n      busy_idle_timeout: 2s\n",
     "InvalidConfig", "local.dns.tcp.busy_idle_timeout must not be longer than idle_timeout", 5},
    {"more TCP workers than workers", "local:\n  workers: 2\n  dns:\n    tcp:\n      workers: 3\n",
     "InvalidConfig", "local.dns.tcp.workers (3) must not exceed local.workers (2)", 5},
    {"unknown TCP key", "local:\n  dns:\n    tcp:\n      backlog: 5\n", "InvalidConfig",
     "unknown key 'backlog' in local.dns.tcp (expected one of: max_connections, idle_timeout, "
     "busy_idle_timeout, io_timeout, workers)",
     4},
};

class ConfigError : public ::testing::TestWithParam<ConfigErrorCase> {};

TEST_P(ConfigError, IsReportedWithKeyAndLine) {
    const auto& c = GetParam();
    LoadResult r = load_config_text(c.yaml, "c.yaml");
    EXPECT_EQ(r.config, nullptr) << dump(r.diagnostics);
    if (!c.message) {
        ASSERT_FALSE(r.diagnostics.empty());
        EXPECT_EQ(r.diagnostics[0].code, c.code);
        EXPECT_EQ(r.diagnostics[0].message.rfind("YAML syntax error", 0), 0u);
        return;
    }
    EXPECT_TRUE(has_diagnostic(r.diagnostics, c.code, c.message, c.line));
}

INSTANTIATE_TEST_SUITE_P(Config, ConfigError, ::testing::ValuesIn(kConfigErrors));

TEST(LocalSettings, DnsTcpLimits) {
    LoadResult r = load_config_text(
        "local:\n  dns:\n    tcp: {max_connections: 1000, idle_timeout: 30s, busy_idle_timeout: "
        "300ms, io_timeout: 2, workers: 1}\n",
        "t.yaml");
    ASSERT_NE(r.config, nullptr) << dump(r.diagnostics);
    const TcpSettings& tcp = r.config->local.dns.tcp;
    EXPECT_EQ(tcp.max_connections, 1000);
    EXPECT_DOUBLE_EQ(tcp.idle_timeout.count(), 30);
    EXPECT_DOUBLE_EQ(tcp.busy_idle_timeout.count(), 0.3);
    EXPECT_DOUBLE_EQ(tcp.io_timeout.count(), 2);
    EXPECT_EQ(tcp.workers, 1);
    LoadResult defaults = load_config_text("local: {}\n", "d.yaml");
    ASSERT_NE(defaults.config, nullptr);
    EXPECT_EQ(defaults.config->local.dns.tcp.max_connections, 256);
    EXPECT_DOUBLE_EQ(defaults.config->local.dns.tcp.busy_idle_timeout.count(), 0.2);
}

TEST(LocalSettings, ClockModesAndEndpointForms) {
    LoadResult r = load_config_text(
        "local:\n  clock: {manual: true}\n  endpoints:\n"
        "    - 'a.example.com:443:[::1]:8443'\n    - 'B.example.com:80:127.0.0.2'\n"
        "    - {host: c.example.com, address: 127.0.0.3}\n",
        "l.yaml");
    ASSERT_NE(r.config, nullptr) << dump(r.diagnostics);
    EXPECT_EQ(r.config->local.clock.mode, ClockMode::Manual);
    const auto& e = r.config->local.endpoints;
    ASSERT_EQ(e.size(), 3u);
    EXPECT_EQ(e[0].address, "::1");
    EXPECT_EQ(e[0].local_port, 8443);
    EXPECT_EQ(e[1].host, "b.example.com");
    EXPECT_EQ(e[1].local_port, 0);
    EXPECT_EQ(e[2].port, 0) << "any port";
    EXPECT_EQ(e[1].where.line, 5);

    LoadResult scaled = load_config_text("local: {clock: {scale: 0.01}}", "l.yaml");
    ASSERT_NE(scaled.config, nullptr);
    EXPECT_EQ(scaled.config->local.clock.mode, ClockMode::Scaled);
    EXPECT_DOUBLE_EQ(scaled.config->local.clock.scale, 0.01);
    LoadResult real = load_config_text("hosted_zones: []", "l.yaml");
    ASSERT_NE(real.config, nullptr);
    EXPECT_EQ(real.config->local.clock.mode, ClockMode::Real);
}

TEST(Durations, SecondsMillisecondsAndBareNumbers) {
    EXPECT_DOUBLE_EQ(parse_duration("0.2s")->count(), 0.2);
    EXPECT_DOUBLE_EQ(parse_duration("200ms")->count(), 0.2);
    EXPECT_DOUBLE_EQ(parse_duration("2")->count(), 2.0);
    EXPECT_FALSE(parse_duration("2m"));
    EXPECT_FALSE(parse_duration("-1s"));
    EXPECT_FALSE(parse_duration(""));
}

TEST(Diagnostics, FormatNamesFileLineSeverityAndCode) {
    Diagnostic d{{"a.yaml", 7}, "InvalidInput", "bad", Severity::Error};
    EXPECT_EQ(format(d), "a.yaml:7: error: InvalidInput: bad");
    d.severity = Severity::Warning;
    EXPECT_EQ(format(d), "a.yaml:7: warning: InvalidInput: bad");
}

TEST(Directory, LoadsEveryYamlFileInNameOrderAsOneConfig) {
    namespace fs = std::filesystem;
    fs::path dir = fs::path(::testing::TempDir()) / "r53sim-config-dir";
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::ofstream(dir / "20-zone.yml")
        << "hosted_zones:\n  - Name: example.com\n    ResourceRecordSets:\n"
           "      - {Name: a.example.com, Type: A, TTL: 60, HealthCheckId: hc, ResourceRecords: "
           "[{Value: 192.0.2.1}]}\n";
    std::ofstream(dir / "10-checks.yaml") << "health_checks:\n  hc: {HealthCheckConfig: {Type: "
                                             "TCP, IPAddress: 192.0.2.1, Port: 1}}\n";
    std::ofstream(dir / "notes.txt") << "not yaml: [";
    LoadResult r = load_config_file(dir.string());
    ASSERT_NE(r.config, nullptr) << dump(r.diagnostics);
    EXPECT_EQ(r.config->zones.size(), 1u);
    EXPECT_EQ(r.config->health_checks.size(), 1u);

    std::ofstream(dir / "30-bad.yaml") << "local: {workers: many}\n";
    LoadResult bad = load_config_file(dir.string());
    EXPECT_EQ(bad.config, nullptr);
    ASSERT_EQ(bad.diagnostics.size(), 1u) << dump(bad.diagnostics);
    EXPECT_EQ(bad.diagnostics[0].where.file, (dir / "30-bad.yaml").string());
    fs::remove_all(dir);
}

TEST(Lenient, SeedStyleHealthCheckLoadsWithWarnings) {
    const char* yaml =
        "health_checks:\n"
        "  hc:\n"
        "    HealthCheckConfig: "
        "\"Type=HTTPS,FullyQualifiedDomainName=app.example.com,RequestTimeout=10,Regions=us-east-"
        "1\"\n";
    LoadResult strict = load_config_text(yaml, "s.yaml");
    EXPECT_EQ(strict.config, nullptr);
    EXPECT_EQ(strict.diagnostics.size(), 2u) << dump(strict.diagnostics);
    for (const auto& d : strict.diagnostics) EXPECT_EQ(d.where.line, 3);

    LoadOptions options;
    options.lenient = true;
    LoadResult lenient = load_config_text(yaml, "s.yaml", options);
    ASSERT_NE(lenient.config, nullptr) << dump(lenient.diagnostics);
    EXPECT_EQ(lenient.diagnostics.size(), 2u);
    const HealthCheck& h = lenient.config->health_checks.at(0);
    EXPECT_EQ(h.config.regions, std::vector<std::string>{"us-east-1"});
    ASSERT_TRUE(h.local.response_timeout);
    EXPECT_DOUBLE_EQ(h.local.response_timeout->count(), 10.0);
}

}  // namespace
}  // namespace r53::config
