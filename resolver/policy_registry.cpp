// The one table of routing policies (design §4 rule 1).
#include <array>

#include "resolver/policy.hpp"

namespace r53::resolver {

const Policy& policy_for(config::RoutingPolicy policy) noexcept {
    using config::RoutingPolicy;
    struct Entry {
        RoutingPolicy policy;
        const Policy& (*get)() noexcept;
    };
    static const std::array<Entry, 8> kTable{{
        {RoutingPolicy::Simple, simple_policy},
        {RoutingPolicy::Weighted, weighted_policy},
        {RoutingPolicy::Failover, failover_policy},
        {RoutingPolicy::MultiValue, multivalue_policy},
        {RoutingPolicy::Latency, latency_policy},
        {RoutingPolicy::Geolocation, geolocation_policy},
        {RoutingPolicy::Geoproximity, geoproximity_policy},
        {RoutingPolicy::IpBased, ip_based_policy},
    }};
    for (const Entry& e : kTable)
        if (e.policy == policy) return e.get();
    return simple_policy();
}

}  // namespace r53::resolver
