// What one probe of a check does, decided from config alone (semantics §1.1, §1.3, §8 point 27):
// where to connect, Host header, SNI, timeouts. Pure, so it is tested without sockets.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/model.hpp"

namespace r53::health {

using Duration = std::chrono::steady_clock::duration;

struct Timeouts {
    Duration connect{};   // §1.1: 4 s (TCP 10 s)
    Duration response{};  // §1.1: status within 2 s after connecting
    Duration body{};      // §1.1: body within 2 s after the status
};

struct ProbePlan {
    config::HealthCheckType type = config::HealthCheckType::HTTP;
    std::optional<std::string> ip;    // IPAddress, connect there
    std::optional<std::string> fqdn;  // FullyQualifiedDomainName (resolved if no IPAddress)
    uint16_t port = 80;
    std::string host_header;  // empty for TCP
    std::string path = "/";
    std::optional<std::string> sni;  // HTTPS* with EnableSNI and an FQDN
    std::optional<std::string> search_string;
    Timeouts timeouts;
    bool verify_certificate = false;
    std::optional<std::string> ca_file;
    std::string user_agent;
    // "eu-west-1/2": the virtual checker that sends this probe, in the X-R53sim-Checker header,
    // so a test endpoint can answer one region's checkers differently. Empty: no header.
    std::string checker;
};

bool is_https(config::HealthCheckType type);
bool is_str_match(config::HealthCheckType type);
bool is_probed(config::HealthCheckType type);  // HTTP*, HTTPS*, TCP

// `scale` multiplies the AWS default timeouts (Scaled clock); LocalCheckSettings overrides are
// absolute real time.
ProbePlan plan_probe(const config::HealthCheck& check, double scale);

// §1.3 Host header.
std::string host_header_for(const config::HealthCheckConfig& config, uint16_t port);

struct Destination {
    std::string address;
    uint16_t port = 0;
};

// local.endpoints, like curl --resolve: host (case-insensitive, trailing dot ignored) and port
// (mapping port 0 = any) to address and local_port (0 = the same port).
std::optional<Destination> map_endpoint(const std::vector<config::EndpointMapping>& endpoints,
                                        const std::string& host, uint16_t port);

// Real time between two probes of one checker: local.interval as given, else RequestInterval x
// `scale`.
Duration probe_interval(const config::HealthCheck& check, double scale);

}  // namespace r53::health
