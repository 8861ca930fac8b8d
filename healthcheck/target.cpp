#include "healthcheck/target.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <functional>

namespace r53::health {
namespace {

using config::HealthCheckType;

Duration to_duration(config::Seconds s) {
    return std::chrono::duration_cast<Duration>(s);
}

std::string lower_without_dot(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    while (!s.empty() && s.back() == '.') s.pop_back();
    return s;
}

// Route 53 User-Agent shape: "Amazon-Route53-Health-Check-Service (ref <uuid> report <url>)";
// the ref is stable per check so server logs can be matched to a check.
std::string user_agent_for(const std::string& id) {
    uint64_t h = std::hash<std::string>{}(id);
    char ref[40];
    std::snprintf(ref, sizeof ref, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(h >> 32),
                  static_cast<unsigned>((h >> 16) & 0xffff), static_cast<unsigned>(h & 0xffff),
                  static_cast<unsigned>((h >> 48) & 0xffff),
                  static_cast<unsigned long long>(h & 0xffffffffffffULL));
    return std::string("Amazon-Route53-Health-Check-Service (ref ") + ref +
           " report http://amzn.to/1vsZADi)";
}

}  // namespace

bool is_https(HealthCheckType type) {
    return type == HealthCheckType::HTTPS || type == HealthCheckType::HTTPS_STR_MATCH;
}

bool is_str_match(HealthCheckType type) {
    return type == HealthCheckType::HTTP_STR_MATCH || type == HealthCheckType::HTTPS_STR_MATCH;
}

bool is_probed(HealthCheckType type) {
    return type == HealthCheckType::HTTP || type == HealthCheckType::HTTPS || is_str_match(type) ||
           type == HealthCheckType::TCP;
}

std::string host_header_for(const config::HealthCheckConfig& config, uint16_t port) {
    bool default_port = is_https(config.type) ? port == 443 : port == 80;
    std::string host = config.fully_qualified_domain_name.value_or(config.ip_address.value_or(""));
    bool ipv6 = !config.fully_qualified_domain_name && host.find(':') != std::string::npos;
    if (ipv6) host = "[" + host + "]";
    return default_port ? host : host + ":" + std::to_string(port);
}

ProbePlan plan_probe(const config::HealthCheck& check, double scale) {
    const auto& c = check.config;
    ProbePlan plan;
    plan.type = c.type;
    plan.ip = c.ip_address;
    plan.fqdn = c.fully_qualified_domain_name;
    plan.port = static_cast<uint16_t>(c.port.value_or(is_https(c.type) ? 443 : 80));
    if (c.type != HealthCheckType::TCP) plan.host_header = host_header_for(c, plan.port);
    plan.path = c.resource_path.value_or("/");
    if (plan.path.empty() || plan.path.front() != '/') plan.path = "/" + plan.path;
    if (is_https(c.type) && c.enable_sni && c.fully_qualified_domain_name) {
        plan.sni = lower_without_dot(*c.fully_qualified_domain_name);
    }
    if (is_str_match(c.type)) plan.search_string = c.search_string.value_or("");

    auto scaled = [scale](double seconds) { return to_duration(config::Seconds(seconds * scale)); };
    const auto& local = check.local;
    plan.timeouts.connect = local.connect_timeout
                                ? to_duration(*local.connect_timeout)
                                : scaled(c.type == HealthCheckType::TCP ? 10.0 : 4.0);
    plan.timeouts.response =
        local.response_timeout ? to_duration(*local.response_timeout) : scaled(2.0);
    plan.timeouts.body = local.body_timeout ? to_duration(*local.body_timeout) : scaled(2.0);
    plan.verify_certificate = local.verify_certificate;
    plan.ca_file = local.ca_file;
    plan.user_agent = user_agent_for(check.id);
    return plan;
}

std::optional<Destination> map_endpoint(const std::vector<config::EndpointMapping>& endpoints,
                                        const std::string& host, uint16_t port) {
    const std::string wanted = lower_without_dot(host);
    const config::EndpointMapping* any_port = nullptr;
    for (const auto& e : endpoints) {
        if (lower_without_dot(e.host) != wanted) continue;
        if (e.port == port) {
            return Destination{e.address,
                               static_cast<uint16_t>(e.local_port ? e.local_port : port)};
        }
        if (e.port == 0 && !any_port) any_port = &e;
    }
    if (!any_port) return std::nullopt;
    return Destination{any_port->address,
                       static_cast<uint16_t>(any_port->local_port ? any_port->local_port : port)};
}

Duration probe_interval(const config::HealthCheck& check, double scale) {
    if (check.local.interval) return to_duration(*check.local.interval);
    return to_duration(config::Seconds(check.config.request_interval * scale));
}

}  // namespace r53::health
