// The validated, immutable configuration model.
//
// Route 53 shapes (HealthCheckConfig, ResourceRecordSet, AliasTarget...) keep AWS's field names and
// meaning so a user can paste what they deploy; everything that exists only because r53sim runs
// locally lives in LocalSettings and in the `local` members, never inside the AWS shapes.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace r53::config {

using Seconds = std::chrono::duration<double>;

// Where a value came from, so every later error (even one found at build time) can name it.
struct SourceLocation {
    std::string file;
    int line = 0;  // 1-based; 0 when unknown
};

enum class HealthCheckType {
    HTTP,
    HTTPS,
    HTTP_STR_MATCH,
    HTTPS_STR_MATCH,
    TCP,
    CALCULATED,
    CLOUDWATCH_METRIC,
    RECOVERY_CONTROL,
};

enum class InsufficientDataHealthStatus { Healthy, Unhealthy, LastKnownStatus };

struct AlarmIdentifier {
    std::string region;
    std::string name;
    bool operator==(const AlarmIdentifier&) const = default;
};

// Route 53 HealthCheckConfig (semantics §1.2), after defaults are applied.
struct HealthCheckConfig {
    HealthCheckType type = HealthCheckType::HTTP;
    std::optional<std::string> ip_address;
    std::optional<int> port;  // defaulted to 80/443 for HTTP*/HTTPS* when omitted (Gap §1.2)
    std::optional<std::string> resource_path;
    std::optional<std::string> fully_qualified_domain_name;
    std::optional<std::string> search_string;
    int request_interval = 30;  // seconds, before the time scale
    int failure_threshold = 3;
    bool measure_latency = false;
    bool inverted = false;
    bool disabled = false;
    std::optional<int> health_threshold;
    std::vector<std::string> child_health_checks;
    bool enable_sni = false;           // defaulted to true for HTTPS* when omitted
    std::vector<std::string> regions;  // defaulted to all 8 checker regions
    std::optional<AlarmIdentifier> alarm_identifier;
    std::optional<InsufficientDataHealthStatus> insufficient_data_health_status;
    std::optional<std::string> routing_control_arn;

    bool operator==(const HealthCheckConfig&) const = default;
};

// Local-only knobs for one check (semantics §8 point 27). Unset members use the global defaults.
struct LocalCheckSettings {
    std::optional<Seconds> connect_timeout;   // AWS: 4 s (10 s for TCP)
    std::optional<Seconds> response_timeout;  // AWS: 2 s after connecting
    std::optional<Seconds> body_timeout;      // AWS: 2 s after the status line
    std::optional<Seconds> interval;          // overrides RequestInterval, e.g. 0.2 for tests
    bool verify_certificate = false;          // AWS never verifies
    std::optional<std::string> ca_file;
    // CLOUDWATCH_METRIC / RECOVERY_CONTROL have nothing to probe locally: their state is set here
    // or through the admin API. "OK" | "ALARM" | "INSUFFICIENT_DATA" or "ON" | "OFF".
    std::optional<std::string> initial_state;

    bool operator==(const LocalCheckSettings&) const = default;
};

struct HealthCheck {
    std::string id;  // the key records use as HealthCheckId
    std::optional<std::string> caller_reference;
    HealthCheckConfig config;
    LocalCheckSettings local;
    SourceLocation where;
};

enum class FailoverRole { Primary, Secondary };

struct GeoLocation {
    std::optional<std::string> continent_code;
    std::optional<std::string> country_code;  // "*" is the default location
    std::optional<std::string> subdivision_code;
    bool operator==(const GeoLocation&) const = default;
};

struct Coordinates {
    double latitude = 0;
    double longitude = 0;
    bool operator==(const Coordinates&) const = default;
};

struct GeoProximityLocation {
    std::optional<std::string> aws_region;
    std::optional<std::string> local_zone_group;
    std::optional<Coordinates> coordinates;
    int bias = 0;
    bool operator==(const GeoProximityLocation&) const = default;
};

struct CidrRoutingConfig {
    std::string collection_id;
    std::string location_name;  // "*" is the default
    bool operator==(const CidrRoutingConfig&) const = default;
};

struct AliasTarget {
    std::string hosted_zone_id;
    std::string dns_name;  // absolute, lower-case, with trailing dot
    bool evaluate_target_health = false;
    bool operator==(const AliasTarget&) const = default;
};

// Route 53 ResourceRecordSet (semantics §2.1). Names are stored absolute and lower-case.
struct ResourceRecordSet {
    std::string name;
    std::string type;  // "A", "AAAA", ...
    std::optional<std::string> set_identifier;
    std::optional<int> weight;
    std::optional<std::string> region;
    std::optional<GeoLocation> geo_location;
    std::optional<FailoverRole> failover;
    std::optional<bool> multi_value_answer;
    std::optional<GeoProximityLocation> geo_proximity_location;
    std::optional<CidrRoutingConfig> cidr_routing_config;
    std::optional<int64_t> ttl;
    std::vector<std::string> resource_records;  // presentation-format values
    std::optional<AliasTarget> alias_target;
    std::optional<std::string> health_check_id;
    SourceLocation where;

    bool same_content(const ResourceRecordSet& o) const;  // every AWS field, ignoring `where`
};

enum class RoutingPolicy {
    Simple,
    Weighted,
    Latency,
    Failover,
    Geolocation,
    MultiValue,
    Geoproximity,
    IpBased
};
RoutingPolicy policy_of(const ResourceRecordSet&);

struct HostedZone {
    std::string id;                              // bare id, e.g. "Z1XXXXXXXXXXXXXX"
    std::string name;                            // absolute, lower-case, with trailing dot
    std::vector<ResourceRecordSet> record_sets;  // includes the apex SOA and NS (defaulted)
    SourceLocation where;
};

// An AWS resource an alias can point at (an ALB's dualstack name, a CloudFront distribution...),
// and what it stands for locally.
struct AwsAliasTarget {
    std::string dns_name;  // absolute, lower-case
    std::vector<std::string> a;
    std::vector<std::string> aaaa;
    int64_t ttl = 60;  // ELB's own TTL (§3)
    // Target health for EvaluateTargetHealth: bound to a local check, else fixed.
    std::optional<std::string> health_check_id;
    bool healthy = true;
    SourceLocation where;
};

// "Where a production host:port is really reached locally", like curl's --resolve.
struct EndpointMapping {
    std::string host;     // lower-case, without trailing dot
    int port = 0;         // 0 = any port
    std::string address;  // IP to connect to
    int local_port = 0;   // 0 = same port
    SourceLocation where;
};

// A CIDR collection for IP-based routing.
struct CidrCollection {
    std::string id;
    std::string name;
    std::map<std::string, std::vector<std::string>> locations;  // location name -> CIDR blocks
};

// Client-location tables: prefix -> where the client is (semantics §2.4, §8 point 15).
struct ClientPrefix {
    std::string cidr;
    std::optional<std::string> continent_code;
    std::optional<std::string> country_code;
    std::optional<std::string> subdivision_code;
    std::optional<std::string> region;  // latency region of the client
    std::optional<Coordinates> coordinates;
};

// One entry of local.latency: the latency regions a client prefers, best first. Route 53 ranks
// regions by latency it measures; locally a test says the order (semantics §2.3, §8 point 15).
struct LatencyPreference {
    std::optional<std::string> client;  // CIDR or bare address; nullopt = the `default` entry
    std::vector<std::string> regions;   // latency regions, best first
    SourceLocation where;
};

enum class ClockMode { Real, Scaled, Manual };

struct ClockSettings {
    ClockMode mode = ClockMode::Real;
    double scale = 1.0;  // 0.01 makes a 30 s interval 300 ms
};

struct FleetSettings {
    int checkers_per_region = 2;   // semantics §8 point 7
    bool single_checker = false;   // one checker in all, for simple local setups
    std::optional<uint64_t> seed;  // fixed checker schedules, no jitter
};

struct ListenSettings {
    std::string dns = "127.0.0.1:1053";
    std::string admin = "127.0.0.1:8053";
    // Whether a config file said so: a container's default (R53SIM_DEFAULT_DNS, every interface)
    // replaces only the built-in loopback default, never an address the config names.
    bool dns_given = false;
    bool admin_given = false;
};

// The DNS listener's TCP limits (local.dns.tcp), as NSD's tcp-count/tcp-timeout and Knot's
// tcp-max-clients/tcp-idle-timeout/tcp-io-timeout. Route 53 publishes none of its own.
struct TcpSettings {
    int max_connections = 256;       // at the cap the listener stops accepting until one closes
    Seconds idle_timeout{10};        // between answered queries
    Seconds busy_idle_timeout{0.2};  // instead, while over half the cap is in use
    Seconds io_timeout{1};           // a query's first byte to its last; a reply until it is taken
    int workers = 0;                 // DNS workers serving TCP, the cap split among them; 0 = all
};

struct DnsSettings {
    TcpSettings tcp;
};

struct LocalSettings {
    ListenSettings listen;
    DnsSettings dns;
    std::vector<EndpointMapping> endpoints;
    std::vector<AwsAliasTarget> alias_targets;
    std::vector<CidrCollection> cidr_collections;
    std::vector<ClientPrefix> client_locations;
    std::optional<std::string> default_client_address;  // location of loopback queries
    std::vector<LatencyPreference> latency;             // client prefix -> ordered regions
    ClockSettings clock;
    FleetSettings fleet;
    int workers = 0;  // 0 = one per core
    std::optional<uint64_t> routing_seed;
};

struct Config {
    std::vector<HostedZone> zones;
    std::vector<HealthCheck> health_checks;  // sorted by id: the index is the HealthTable slot
    LocalSettings local;

    // Index of a check id in health_checks, or nullopt.
    std::optional<uint32_t> health_index(const std::string& id) const;
};

using ConfigPtr = std::shared_ptr<const Config>;

}  // namespace r53::config
