// The compiled form of the hosted zones: what resolve() walks. Built once per config by
// ZoneSet::build (zone_set.cpp); after that every member is read-only.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/model.hpp"
#include "healthcheck/health_table.hpp"
#include "resolver/client_location.hpp"
#include "resolver/latency_table.hpp"
#include "resolver/zone_set.hpp"

namespace r53::resolver {

class Policy;  // policy.hpp
struct RecordGroup;

// A local stand-in for an AWS resource an alias points at (config.local.alias_targets).
struct AwsTarget {
    std::string dns_name;  // presentation, for traces
    RRset a, aaaa;
    uint32_t health_index = health::kNoHealthCheck;
    bool fixed_healthy = true;  // used when health_index is kNoHealthCheck
};

// One ResourceRecordSet of a group, with everything its policy needs, resolved at load.
struct Record {
    std::string label;  // SetIdentifier, or "(simple)" - for traces
    uint32_t health_index = health::kNoHealthCheck;
    std::string health_check_id;  // for traces

    // Exactly one of: values, an alias target group (in the zone HostedZoneId names), an AWS
    // alias target.
    RRset values;
    const RecordGroup* alias_group = nullptr;
    const AwsTarget* alias_aws = nullptr;
    bool evaluate_target_health = false;
    std::string alias_dns_name;  // as configured; resolved to a target after all zones load
    std::string alias_zone_id;   // AliasTarget.HostedZoneId: the served zone the name lies in
    bool is_alias() const noexcept { return alias_group != nullptr || alias_aws != nullptr; }

    // Policy parameters (only the group's own policy's members are meaningful).
    int weight = 0;
    bool primary = true;                          // failover
    std::string region;                           // latency
    std::optional<Coordinates> region_position;   // latency: the region's coordinates
    std::string continent, country, subdivision;  // geolocation ("*" country = default)
    Coordinates position;                         // geoproximity
    int bias = 0;                                 // geoproximity
    std::vector<Cidr> cidr_blocks;                // IP-based
    bool cidr_default = false;                    // IP-based location "*"
};

struct RecordGroup {
    std::vector<uint8_t> owner;  // lower-case wire name
    std::string owner_text;      // presentation, for traces and diagnostics
    uint16_t type = 0;
    std::string type_text;
    config::RoutingPolicy policy = config::RoutingPolicy::Simple;
    const Policy* policy_impl = nullptr;
    std::vector<Record> records;
    config::SourceLocation where;
};

// One name of a zone: owns groups, or is an empty non-terminal (no groups, names below it).
struct Node {
    std::string name;                        // lower-case wire name, also the map key
    std::vector<const RecordGroup*> groups;  // sorted by type
    const RecordGroup* find(uint16_t type) const noexcept {
        for (const RecordGroup* g : groups)
            if (g->type == type) return g;
        return nullptr;
    }
};

// Hash maps keyed by wire names, searchable by string_view without building a string.
struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept {
        return std::hash<std::string_view>{}(s);
    }
};
struct NameEqual {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const noexcept { return a == b; }
};
template <class V>
using NameMap = std::unordered_map<std::string, V, NameHash, NameEqual>;

struct Zone {
    std::string id;
    std::string name_text;                             // presentation
    std::vector<uint8_t> apex;                         // lower-case wire name
    std::vector<std::unique_ptr<RecordGroup>> groups;  // owned; pointers stay valid
    NameMap<Node> nodes;  // every name with records plus every empty non-terminal
    const RecordGroup* soa = nullptr;
    const RecordGroup* ns = nullptr;
    uint32_t negative_ttl = 900;  // min(SOA TTL, SOA minimum), §5

    const Node* node(std::string_view wire) const noexcept {
        auto it = nodes.find(wire);
        return it == nodes.end() ? nullptr : &it->second;
    }
};

struct ZoneSet::Impl {
    std::vector<std::unique_ptr<Zone>> zones;
    NameMap<const Zone*> by_apex;
    std::vector<std::unique_ptr<AwsTarget>> aws_targets;
    ClientLocator locator;
    LatencyTable latency;  // local.latency

    const Zone* zone_for(std::string_view apex_wire) const noexcept {
        auto it = by_apex.find(apex_wire);
        return it == by_apex.end() ? nullptr : it->second;
    }
};

}  // namespace r53::resolver
