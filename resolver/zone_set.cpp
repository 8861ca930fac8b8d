// ZoneSet::build: hosted zones -> canonical names, RRsets encoded (ldns; character-strings by
// config/character_string.hpp), record groups with their policies, health indexes and alias
// targets resolved, alias cycles rejected.
#include "resolver/zone_set.hpp"

#include <algorithm>
#include <array>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "config/character_string.hpp"
#include "config/zone_defaults.hpp"
#include "resolver/aws_regions.hpp"
#include "resolver/ldns.hpp"
#include "resolver/names.hpp"
#include "resolver/policy.hpp"
#include "resolver/zone_set_impl.hpp"

namespace r53::resolver {

ZoneSet::ZoneSet() = default;
ZoneSet::~ZoneSet() = default;

namespace {

constexpr uint16_t kNoName = 0xFFFF;

// The 17 types Route 53 serves (§2.1).
constexpr std::array<uint16_t, 17> kSupportedTypes{
    LDNS_RR_TYPE_SOA,  LDNS_RR_TYPE_A,     LDNS_RR_TYPE_TXT, LDNS_RR_TYPE_NS,   LDNS_RR_TYPE_CNAME,
    LDNS_RR_TYPE_MX,   LDNS_RR_TYPE_NAPTR, LDNS_RR_TYPE_PTR, LDNS_RR_TYPE_SRV,  LDNS_RR_TYPE_SPF,
    LDNS_RR_TYPE_AAAA, LDNS_RR_TYPE_CAA,   LDNS_RR_TYPE_DS,  LDNS_RR_TYPE_TLSA, LDNS_RR_TYPE_SSHFP,
    LDNS_RR_TYPE_SVCB, LDNS_RR_TYPE_HTTPS};

uint16_t compressible_offset(uint16_t type) {
    switch (type) {
        case LDNS_RR_TYPE_NS:
        case LDNS_RR_TYPE_CNAME:
        case LDNS_RR_TYPE_PTR:
        case LDNS_RR_TYPE_SOA:
            return 0;
        case LDNS_RR_TYPE_MX:
            return 2;
        default:
            return kNoName;
    }
}

uint16_t additional_offset(uint16_t type) {
    switch (type) {
        case LDNS_RR_TYPE_NS:
        case LDNS_RR_TYPE_CNAME:
            return 0;
        case LDNS_RR_TYPE_MX:
            return 2;
        case LDNS_RR_TYPE_SRV:
            return 6;
        default:
            return kNoName;
    }
}

uint32_t clamp_ttl(int64_t ttl) {
    return static_cast<uint32_t>(std::clamp<int64_t>(ttl, 0, 2147483647));
}

class Builder {
  public:
    Builder(const config::Config& config, config::Diagnostics& diagnostics, ZoneSet::Impl& impl)
        : config_(config), diagnostics_(diagnostics), impl_(impl) {}

    void run() {
        build_locator();
        build_aws_targets();
        for (const auto& zone : config_.zones) build_zone(zone);
        resolve_aliases();
        reject_cycles();
    }

  private:
    void error(const config::SourceLocation& where, std::string code, std::string message) {
        diagnostics_.push_back({where, std::move(code), std::move(message)});
    }
    void warning(const config::SourceLocation& where, std::string message) {
        diagnostics_.push_back(
            {where, "InvalidInput", std::move(message), config::Severity::Warning});
    }

    void build_locator() {
        for (const auto& p : config_.local.client_locations) {
            std::string why;
            auto cidr = Cidr::parse(p.cidr, &why);
            if (!cidr) {
                error({}, "InvalidInput", "client_locations: invalid CIDR: " + why);
                continue;
            }
            impl_.locator.add(*cidr, p);
        }
        if (const auto& d = config_.local.default_client_address) {
            if (auto cidr = Cidr::parse(*d))
                impl_.locator.set_default(to_client_address(*cidr));
            else
                error({}, "InvalidInput", "default_client_address: invalid address '" + *d + "'");
        }
        impl_.locator.finish();
        impl_.latency = LatencyTable(config_.local.latency);
    }

    void build_aws_targets() {
        for (const auto& t : config_.local.alias_targets) {
            auto wire = to_wire_name(t.dns_name);
            if (!wire) {
                error(t.where, "InvalidInput",
                      "alias target: invalid DNS name '" + t.dns_name + "'");
                continue;
            }
            auto target = std::make_unique<AwsTarget>();
            target->dns_name = to_text_name(wire->data());
            uint32_t ttl = clamp_ttl(t.ttl);
            encode(t.where, *wire, target->dns_name, LDNS_RR_TYPE_A, "A", ttl, t.a, target->a);
            encode(t.where, *wire, target->dns_name, LDNS_RR_TYPE_AAAA, "AAAA", ttl, t.aaaa,
                   target->aaaa);
            target->fixed_healthy = t.healthy;
            if (t.health_check_id) target->health_index = health_index(*t.health_check_id, t.where);
            std::string key(wire->begin(), wire->end());
            if (!aws_by_name_.emplace(key, target.get()).second)
                warning(t.where, "alias target " + target->dns_name + " defined twice; first wins");
            impl_.aws_targets.push_back(std::move(target));
        }
    }

    uint32_t health_index(const std::string& id, const config::SourceLocation& where) {
        if (auto i = config_.health_index(id)) return *i;
        error(where, "NoSuchHealthCheck", "No health check exists with the specified ID " + id);
        return health::kNoHealthCheck;
    }

    // Parses every value and lays out RDLENGTH+RDATA back to back. Values with character-strings
    // (TXT, SPF, CAA, NAPTR) are read by config's converter in Route 53's octal escapes; ldns
    // reads all other types.
    bool encode(const config::SourceLocation& where, const std::vector<uint8_t>& owner,
                const std::string& owner_text, uint16_t type, const std::string& type_text,
                uint32_t ttl, const std::vector<std::string>& values, RRset& out) {
        out.owner = owner;
        out.type = type;
        out.ttl = ttl;
        bool ok = true;
        for (const auto& value : values) {
            std::vector<uint8_t> rdata;
            std::string problem = config::uses_character_strings(type_text)
                                      ? route53_text_rdata(type_text, value, rdata)
                                      : ldns_rdata(type, type_text, value, rdata);
            if (problem.empty() && rdata.size() > 0xFFFF) problem = "RDATA longer than 65535";
            if (!problem.empty()) {
                error(where, "InvalidChangeBatch",
                      "[Invalid Resource Record: 'FATAL problem: " + problem +
                          " encountered with '" + value + "'' for " + owner_text + " " + type_text +
                          "]");
                ok = false;
                continue;
            }
            const size_t length = rdata.size();
            out.offsets.push_back(static_cast<uint32_t>(out.rdata.size()));
            out.rdata.push_back(static_cast<uint8_t>(length >> 8));
            out.rdata.push_back(static_cast<uint8_t>(length & 0xFF));
            out.rdata.insert(out.rdata.end(), rdata.begin(), rdata.end());
            out.compressible_name_at.push_back(compressible_offset(type));
            out.additional_name_at.push_back(additional_offset(type));
        }
        return ok;
    }

    static std::string route53_text_rdata(const std::string& type_text, const std::string& value,
                                          std::vector<uint8_t>& rdata) {
        auto problem = config::to_rdata(type_text, value, rdata);
        return problem ? problem->code + " (" + problem->explanation + ")" : std::string();
    }

    static std::string ldns_rdata(uint16_t type, const std::string& type_text,
                                  const std::string& value, std::vector<uint8_t>& rdata) {
        ldns_rdf* origin = ldns_dname_new_frm_str(".");
        std::string text = ". 0 IN " + type_text + " " + value;
        ldns_rr* rr = nullptr;
        ldns_status st = ldns_rr_new_frm_str(&rr, text.c_str(), 0, origin, nullptr);
        if (st == LDNS_STATUS_OK && ldns_rr_get_type(rr) != type) st = LDNS_STATUS_ERR;
        ldns_buffer* buffer = ldns_buffer_new(512);
        if (st == LDNS_STATUS_OK) st = ldns_rr_rdata2buffer_wire(buffer, rr);
        if (st == LDNS_STATUS_OK) {
            const uint8_t* data = ldns_buffer_begin(buffer);
            rdata.assign(data, data + ldns_buffer_position(buffer));
        }
        ldns_buffer_free(buffer);
        if (rr) ldns_rr_free(rr);
        ldns_rdf_deep_free(origin);
        return st == LDNS_STATUS_OK ? std::string() : ldns_get_errorstr_by_id(st);
    }

    void fill_policy(const config::ResourceRecordSet& rs, Record& rec) {
        rec.weight = rs.weight.value_or(0);
        rec.primary =
            rs.failover.value_or(config::FailoverRole::Primary) == config::FailoverRole::Primary;
        if (rs.region) {
            rec.region = *rs.region;
            rec.region_position = region_position(rec.region);
            if (!rec.region_position)
                warning(rs.where, "no position known for region " + rec.region +
                                      ": its latency record ranks last");
        }
        if (const auto& g = rs.geo_location) {
            rec.continent = g->continent_code.value_or("");
            rec.country = g->country_code.value_or("");
            rec.subdivision = g->subdivision_code.value_or("");
        }
        if (const auto& p = rs.geo_proximity_location) {
            rec.bias = p->bias;
            std::optional<Coordinates> at = p->coordinates;
            if (!at && p->aws_region) at = region_position(*p->aws_region);
            if (!at && p->local_zone_group) at = local_zone_group_position(*p->local_zone_group);
            if (at)
                rec.position = *at;
            else
                error(rs.where, "InvalidInput",
                      "GeoProximityLocation of " + rs.name + " has no known position");
        }
        if (const auto& c = rs.cidr_routing_config) fill_cidr(rs, *c, rec);
    }

    void fill_cidr(const config::ResourceRecordSet& rs, const config::CidrRoutingConfig& c,
                   Record& rec) {
        if (c.location_name == "*") {
            rec.cidr_default = true;
            return;
        }
        for (const auto& collection : config_.local.cidr_collections) {
            if (collection.id != c.collection_id) continue;
            auto it = collection.locations.find(c.location_name);
            if (it == collection.locations.end()) break;
            for (const auto& block : it->second) {
                std::string why;
                if (auto cidr = Cidr::parse(block, &why))
                    rec.cidr_blocks.push_back(*cidr);
                else
                    error(rs.where, "InvalidInput", "invalid CIDR block: " + why);
            }
            return;
        }
        error(rs.where, "NoSuchCidrLocationException",
              "CIDR location " + c.collection_id + "/" + c.location_name + " does not exist");
    }

    void add_record_set(Zone& zone, const config::ResourceRecordSet& rs,
                        std::map<std::pair<std::string, uint16_t>, RecordGroup*>& index) {
        auto owner = to_wire_name(rs.name);
        std::string_view apex(reinterpret_cast<const char*>(zone.apex.data()), zone.apex.size());
        if (!owner ||
            !is_at_or_below({reinterpret_cast<const char*>(owner->data()), owner->size()}, apex)) {
            error(rs.where, "InvalidChangeBatch",
                  "[RRSet with DNS name " + rs.name + " is not permitted in zone " +
                      zone.name_text + "]");
            return;
        }
        uint16_t type = ldns_get_rr_type_by_name(rs.type.c_str());
        if (std::find(kSupportedTypes.begin(), kSupportedTypes.end(), type) ==
            kSupportedTypes.end()) {
            error(rs.where, "InvalidInput", "unsupported record type " + rs.type);
            return;
        }
        std::string key(owner->begin(), owner->end());
        RecordGroup*& group = index[{key, type}];
        if (!group) {
            zone.groups.push_back(std::make_unique<RecordGroup>());
            group = zone.groups.back().get();
            group->owner = *owner;
            group->owner_text = to_text_name(owner->data());
            group->type = type;
            group->type_text = ldns_rr_descript(type)->_name;
            group->policy = config::policy_of(rs);
            group->policy_impl = &policy_for(group->policy);
            group->where = rs.where;
        } else if (group->policy != config::policy_of(rs) ||
                   group->policy == config::RoutingPolicy::Simple) {
            error(rs.where, "InvalidChangeBatch",
                  "[RRSet with DNS name " + rs.name + ", type " + rs.type +
                      " conflicts with an RRSet of the same name and type and another routing "
                      "policy]");
            return;
        }
        Record rec;
        rec.label = rs.set_identifier.value_or("(simple)");
        if (rs.health_check_id) {
            rec.health_check_id = *rs.health_check_id;
            rec.health_index = health_index(*rs.health_check_id, rs.where);
        }
        if (rs.alias_target) {
            rec.alias_dns_name = rs.alias_target->dns_name;
            rec.alias_zone_id = rs.alias_target->hosted_zone_id;
            rec.evaluate_target_health = rs.alias_target->evaluate_target_health;
        } else {
            encode(rs.where, *owner, group->owner_text, type, group->type_text,
                   clamp_ttl(rs.ttl.value_or(300)), rs.resource_records, rec.values);
        }
        fill_policy(rs, rec);
        group->records.push_back(std::move(rec));
        if (group->records.size() > kMaxGroupRecords)
            error(rs.where, "InvalidChangeBatch",
                  "too many records for " + rs.name + " " + rs.type);
    }

    void build_zone(const config::HostedZone& hz) {
        auto zone = std::make_unique<Zone>();
        zone->id = hz.id;
        auto apex = to_wire_name(hz.name);
        if (!apex) {
            error(hz.where, "InvalidDomainName", "invalid zone name " + hz.name);
            return;
        }
        zone->apex = *apex;
        zone->name_text = to_text_name(apex->data());
        std::string apex_key(apex->begin(), apex->end());
        if (impl_.by_apex.count(apex_key)) {
            warning(hz.where, "zone " + zone->name_text + " defined twice; the first one answers");
            return;
        }
        std::map<std::pair<std::string, uint16_t>, RecordGroup*> index;
        for (const auto& rs : hz.record_sets) add_record_set(*zone, rs, index);
        // Zones given without apex records get Route 53's defaults (§5 "Apex defaults").
        for (const char* type : {"SOA", "NS"}) {
            uint16_t t = ldns_get_rr_type_by_name(type);
            if (index.count({apex_key, t})) continue;
            add_record_set(*zone,
                           t == LDNS_RR_TYPE_SOA ? config::default_soa(hz.name, hz.where)
                                                 : config::default_ns(hz.name, hz.where),
                           index);
        }
        for (const auto& group : zone->groups) add_to_tree(*zone, *group);
        for (auto& [name, node] : zone->nodes)
            std::sort(node.groups.begin(), node.groups.end(),
                      [](const RecordGroup* a, const RecordGroup* b) { return a->type < b->type; });
        zone->soa = index[{apex_key, LDNS_RR_TYPE_SOA}];
        zone->ns = index[{apex_key, LDNS_RR_TYPE_NS}];
        if (zone->soa && !zone->soa->records.empty() && zone->soa->records[0].values.size() > 0) {
            const RRset& soa = zone->soa->records[0].values;
            const uint8_t* end = soa.rdata.data() + soa.rdata.size();
            uint32_t minimum = uint32_t(end[-4]) << 24 | uint32_t(end[-3]) << 16 |
                               uint32_t(end[-2]) << 8 | uint32_t(end[-1]);
            zone->negative_ttl = std::min(soa.ttl, minimum);
        }
        impl_.by_apex.emplace(apex_key, zone.get());
        impl_.zones.push_back(std::move(zone));
    }

    // The group's name, plus every name between it and the apex as an empty non-terminal.
    static void add_to_tree(Zone& zone, const RecordGroup& group) {
        std::string name(group.owner.begin(), group.owner.end());
        auto& node = zone.nodes[name];
        node.name = name;
        node.groups.push_back(&group);
        size_t pos = 0;
        while (name.size() - pos > zone.apex.size()) {
            pos += static_cast<uint8_t>(name[pos]) + 1u;
            std::string ancestor = name.substr(pos);
            zone.nodes[ancestor].name = ancestor;
        }
    }

    // An alias resolves in the served zone its HostedZoneId names, which may be another zone than
    // its own (§3), else at a local stand-in for an AWS resource (AWS's service zone ids are not
    // served zones; the stand-in is found by name, §8 point 17). Config validation refused
    // everything else already with AWS's texts (config/alias_targets.hpp); these errors guard
    // configs built without it.
    void resolve_aliases() {
        for (auto& zone : impl_.zones) {
            for (auto& group : zone->groups) {
                for (auto& rec : group->records) {
                    if (rec.alias_dns_name.empty()) continue;
                    auto wire = to_wire_name(rec.alias_dns_name);
                    std::string key = wire ? std::string(wire->begin(), wire->end()) : "";
                    bool zone_served = false;
                    const Zone* target_zone = nullptr;
                    for (const auto& z : impl_.zones) {
                        if (z->id != rec.alias_zone_id) continue;
                        zone_served = true;
                        std::string_view apex(reinterpret_cast<const char*>(z->apex.data()),
                                              z->apex.size());
                        if (wire && is_at_or_below(key, apex)) target_zone = z.get();
                    }
                    if (target_zone) {
                        if (const Node* node = target_zone->node(key))
                            rec.alias_group = node->find(group->type);
                    } else if (auto it = aws_by_name_.find(key); it != aws_by_name_.end()) {
                        rec.alias_aws = it->second;
                    }
                    if (rec.is_alias()) continue;
                    const std::string head = "[Tried to create an alias that targets " +
                                             rec.alias_dns_name + ", type " + group->type_text +
                                             " in zone " + rec.alias_zone_id;
                    error(group->where, "InvalidChangeBatch",
                          head + (zone_served && !target_zone
                                      ? ", but the alias target name does not lie within the "
                                        "target zone]"
                                      : ", but that target was not found]"));
                }
            }
        }
    }

    void reject_cycles() {
        std::map<const RecordGroup*, int> state;  // 1 = on the current path, 2 = done
        std::vector<const RecordGroup*> path;
        std::function<void(const RecordGroup*)> visit = [&](const RecordGroup* g) {
            int& s = state[g];
            if (s == 2) return;
            if (s == 1) {
                std::string chain;
                for (const RecordGroup* p : path)
                    chain += p->owner_text + " " + p->type_text + " -> ";
                error(g->where, "InvalidChangeBatch",
                      "[alias cycle: " + chain + g->owner_text + " " + g->type_text + "]");
                return;
            }
            s = 1;
            path.push_back(g);
            for (const Record& r : g->records)
                if (r.alias_group) visit(r.alias_group);
            path.pop_back();
            state[g] = 2;
        };
        for (const auto& zone : impl_.zones)
            for (const auto& group : zone->groups) visit(group.get());
    }

    const config::Config& config_;
    config::Diagnostics& diagnostics_;
    ZoneSet::Impl& impl_;
    NameMap<const AwsTarget*> aws_by_name_;
};

}  // namespace

std::shared_ptr<const ZoneSet> ZoneSet::build(const config::Config& config,
                                              config::Diagnostics& diagnostics) {
    std::shared_ptr<ZoneSet> set(new ZoneSet());
    set->impl_ = std::make_unique<Impl>();
    config::Diagnostics found;
    Builder(config, found, *set->impl_).run();
    bool failed = config::has_errors(found);
    diagnostics.insert(diagnostics.end(), found.begin(), found.end());
    if (failed) return nullptr;
    return set;
}

}  // namespace r53::resolver
