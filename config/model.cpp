#include "config/model.hpp"

#include <algorithm>

namespace r53::config {

bool ResourceRecordSet::same_content(const ResourceRecordSet& o) const {
    return name == o.name && type == o.type && set_identifier == o.set_identifier &&
           weight == o.weight && region == o.region && geo_location == o.geo_location &&
           failover == o.failover && multi_value_answer == o.multi_value_answer &&
           geo_proximity_location == o.geo_proximity_location &&
           cidr_routing_config == o.cidr_routing_config && ttl == o.ttl &&
           resource_records == o.resource_records && alias_target == o.alias_target &&
           health_check_id == o.health_check_id;
}

RoutingPolicy policy_of(const ResourceRecordSet& r) {
    if (r.failover) return RoutingPolicy::Failover;
    if (r.weight) return RoutingPolicy::Weighted;
    if (r.region) return RoutingPolicy::Latency;
    if (r.geo_location) return RoutingPolicy::Geolocation;
    if (r.multi_value_answer.value_or(false)) return RoutingPolicy::MultiValue;
    if (r.geo_proximity_location) return RoutingPolicy::Geoproximity;
    if (r.cidr_routing_config) return RoutingPolicy::IpBased;
    return RoutingPolicy::Simple;
}

std::optional<uint32_t> Config::health_index(const std::string& id) const {
    auto it = std::lower_bound(health_checks.begin(), health_checks.end(), id,
                               [](const HealthCheck& h, const std::string& k) { return h.id < k; });
    if (it == health_checks.end() || it->id != id) return std::nullopt;
    return static_cast<uint32_t>(it - health_checks.begin());
}

}  // namespace r53::config
