// ChangeResourceRecordSets (semantics §4): each change is checked alone, then the batch is played
// on a copy of the zone and the result is checked as a whole; only a clean result replaces the
// zone.
#include "config/change_batch.hpp"

#include <algorithm>
#include <functional>
#include <set>

#include "config/alias_targets.hpp"
#include "config/geo_names.hpp"
#include "config/record_checks.hpp"
#include "config/yaml_util.hpp"

namespace r53::config {

namespace {

const char* action_name(ChangeAction a) {
    switch (a) {
        case ChangeAction::Create:
            return "CREATE";
        case ChangeAction::Delete:
            return "DELETE";
        case ChangeAction::Upsert:
            return "UPSERT";
    }
    return "?";
}

bool in_zone(const std::string& name, const std::string& zone) {
    return name == zone || (name.size() > zone.size() &&
                            name.compare(name.size() - zone.size(), zone.size(), zone) == 0 &&
                            name[name.size() - zone.size() - 1] == '.');
}

bool same_key(const ResourceRecordSet& a, const ResourceRecordSet& b) {
    return a.name == b.name && a.type == b.type && a.set_identifier == b.set_identifier;
}

std::string rrset_ref(const ResourceRecordSet& r) {
    std::string s = "[name='" + r.name + "', type='" + r.type + "'";
    if (r.set_identifier) s += ", set-identifier='" + *r.set_identifier + "'";
    return s + "]";
}

std::string policy_word(RoutingPolicy p) {
    switch (p) {
        case RoutingPolicy::Simple:
            return "simple";
        case RoutingPolicy::Weighted:
            return "weighted";
        case RoutingPolicy::Latency:
            return "latency";
        case RoutingPolicy::Failover:
            return "failover";
        case RoutingPolicy::Geolocation:
            return "GEO";
        case RoutingPolicy::MultiValue:
            return "multivalue";
        case RoutingPolicy::Geoproximity:
            return "geoproximity";
        case RoutingPolicy::IpBased:
            return "CIDR";
    }
    return "?";
}

// The routing part of AWS's "cannot be created because a non-latency RRSet..." message.
std::string policy_description(const ResourceRecordSet& r) {
    switch (policy_of(r)) {
        case RoutingPolicy::Latency:
            return "Region Name=" + *r.region;
        case RoutingPolicy::Failover:
            return r.failover == FailoverRole::Primary ? "marked as primary"
                                                       : "marked as secondary";
        case RoutingPolicy::Weighted:
            return "Weight=" + std::to_string(*r.weight);
        case RoutingPolicy::Geolocation: {
            const auto& g = *r.geo_location;
            // AWS names the place in full: "routing to [continent = (NA, North America)]".
            auto place = [](const std::string& code, std::optional<std::string> name) {
                return "(" + code + ", " + name.value_or(code) + ")";
            };
            if (g.subdivision_code)
                return "routing to [subdivision = " +
                       place(*g.subdivision_code, name_of(us_state_names(), *g.subdivision_code)) +
                       "]";
            if (g.country_code)
                return "routing to [country = " +
                       (*g.country_code == "*"
                            ? std::string("(*, Default)")
                            : place(*g.country_code, name_of(country_names(), *g.country_code))) +
                       "]";
            const std::string continent = g.continent_code.value_or("?");
            return "routing to [continent = " +
                   place(continent, name_of(continent_names(), continent)) + "]";
        }
        case RoutingPolicy::MultiValue:
            return "MultiValueAnswer=true";
        case RoutingPolicy::Geoproximity:
            return "a GeoProximityLocation";
        case RoutingPolicy::IpBased:
            return "CidrRoutingConfig LocationName=" + r.cidr_routing_config->location_name;
        case RoutingPolicy::Simple:
            break;
    }
    return "simple routing";
}

class BatchValidator {
  public:
    BatchValidator(const HostedZone& zone, const ChangeContext& ctx) : zone_(zone), ctx_(ctx) {}

    Diagnostics diagnostics;

    void error(const SourceLocation& where, const char* code, std::string message) {
        diagnostics.push_back({where, code, std::move(message), Severity::Error});
    }
    void warning(const SourceLocation& where, const char* code, std::string message) {
        diagnostics.push_back({where, code, std::move(message), Severity::Warning});
    }

    // Rules about one change alone. May adjust the record (lenient interpretations).
    void check_change(Change& change);
    // Plays the batch on a copy; returns it with, per record, the change that last wrote it.
    void play(const std::vector<Change>& changes);
    void check_result(const std::vector<Change>& changes);

    std::vector<ResourceRecordSet> records;
    std::vector<int> written_by;  // change index, -1 = untouched

  private:
    void check_aliases(const std::vector<Change>& changes);
    void check_group_sizes();
    const HostedZone& zone_;
    const ChangeContext& ctx_;
};

void BatchValidator::check_change(Change& change) {
    ResourceRecordSet& r = change.record_set;
    const SourceLocation& at = r.where;
    const std::string label = change_label(change);
    const bool has_records = r.ttl && !r.resource_records.empty();
    if (!r.alias_target && !has_records)
        error(at, kInvalidInput,
              "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and "
              "ResourceRecords], or TrafficPolicyInstanceId], but found none in Change with " +
                  label);
    else if (r.alias_target && (r.ttl || !r.resource_records.empty()))
        error(at, kInvalidInput,
              "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and "
              "ResourceRecords], or TrafficPolicyInstanceId], but found more than one in Change "
              "with " +
                  label);

    int policies = (r.weight ? 1 : 0) + (r.region ? 1 : 0) + (r.failover ? 1 : 0) +
                   (r.geo_location ? 1 : 0) + (r.multi_value_answer ? 1 : 0) +
                   (r.geo_proximity_location ? 1 : 0) + (r.cidr_routing_config ? 1 : 0);
    if (ctx_.lenient && policies == 2 && r.weight && r.failover) {
        warning(at, kInvalidInput,
                "Weight together with Failover (AWS rejects this with \"found more than one\"): "
                "Failover wins; Weight ignored in Change with " +
                    label);
        r.weight.reset();
        policies = 1;
    }
    const std::string policy_list =
        "Invalid request: Expected exactly one of [Weight, Region, Failover, GeoLocation, "
        "MultiValueAnswer, GeoProximityLocation, or CidrRoutingConfig], but found ";
    if (policies > 1)
        error(at, kInvalidInput, policy_list + "more than one in Change with " + label);
    if (policies == 0 && r.set_identifier)
        error(at, kInvalidInput, policy_list + "none in Change with " + label);
    if (policies > 0 && !r.set_identifier)
        error(at, kInvalidInput,
              "Invalid request: Missing field 'SetIdentifier' in Change with " + label);

    if (auto problem = dns_name_problem(r.name)) error(at, kInvalidChangeBatch, *problem);
    if (!in_zone(r.name, zone_.name))
        error(at, kInvalidChangeBatch,
              "RRSet with DNS name " + r.name + " is not permitted in zone " + zone_.name);
    if (r.resource_records.size() > 400)
        error(at, kInvalidChangeBatch,
              "RRSet with DNS name " + r.name + ", type " + r.type + " has " +
                  std::to_string(r.resource_records.size()) +
                  " resource records; the maximum is 400");
    if ((r.type == "CNAME" || r.type == "SOA") && r.resource_records.size() > 1)
        // Gap: AWS's wording for this case is not quoted anywhere; this names the rule.
        error(at, kInvalidChangeBatch,
              "RRSet of type " + r.type + " with DNS name " + r.name +
                  " must have exactly one resource record, found " +
                  std::to_string(r.resource_records.size()));
    if (r.type == "NS" && policies > 0)
        error(at, kInvalidChangeBatch,
              "RRSet of type NS with DNS name " + r.name +
                  " must use simple routing: NS records cannot have a routing policy");
    if (r.type == "NS" && r.name.rfind("*.", 0) == 0)
        error(at, kInvalidChangeBatch,
              "RRSet of type NS with DNS name " + r.name +
                  " is not permitted: wildcard NS records are not supported");
    if (r.multi_value_answer && r.alias_target)
        error(at, kInvalidInput,
              "Invalid request: multivalue answer records cannot be alias records in Change "
              "with " +
                  label);
    if (r.multi_value_answer && (r.type == "NS" || r.type == "CNAME"))
        error(at, kInvalidInput,
              "Invalid request: multivalue answer routing is not supported for type " + r.type +
                  " in Change with " + label);
    if (r.alias_target && (r.type == "NS" || r.type == "SOA"))
        error(at, kInvalidChangeBatch,
              "RRSet of type " + r.type + " with DNS name " + r.name + " cannot be an alias");
    if (!r.alias_target)
        for (const auto& v : r.resource_records)
            if (auto problem = rdata_problem(r.type, v)) error(at, kInvalidChangeBatch, *problem);

    for (auto& p : routing_field_problems(r, label, ctx_.cidr_collections))
        error(at, p.code, std::move(p.message));
    if (r.health_check_id) {
        bool known = false;
        if (ctx_.health_checks)
            for (const auto& h : *ctx_.health_checks) known = known || h.id == *r.health_check_id;
        if (ctx_.unparsed_health_checks && ctx_.unparsed_health_checks->count(*r.health_check_id))
            known = true;  // reported where it is written
        if (!known)
            error(at, "NoSuchHealthCheck",
                  "No health check exists with the specified ID " + *r.health_check_id);
    }
}

void BatchValidator::play(const std::vector<Change>& changes) {
    records = zone_.record_sets;
    written_by.assign(records.size(), -1);
    for (size_t i = 0; i < changes.size(); ++i) {
        const ResourceRecordSet& r = changes[i].record_set;
        auto it = std::find_if(records.begin(), records.end(),
                               [&](const ResourceRecordSet& o) { return same_key(o, r); });
        size_t pos = static_cast<size_t>(it - records.begin());
        switch (changes[i].action) {
            case ChangeAction::Create:
                if (it != records.end()) {
                    error(r.where, kInvalidChangeBatch,
                          "Tried to create resource record set " + rrset_ref(r) +
                              " but it already exists");
                    break;
                }
                records.push_back(r);
                written_by.push_back(static_cast<int>(i));
                break;
            case ChangeAction::Upsert:
                if (it == records.end()) {
                    records.push_back(r);
                    written_by.push_back(static_cast<int>(i));
                } else {
                    *it = r;
                    written_by[pos] = static_cast<int>(i);
                }
                break;
            case ChangeAction::Delete:
                if (it == records.end()) {
                    error(r.where, kInvalidChangeBatch,
                          "Tried to delete resource record set " + rrset_ref(r) +
                              " but it was not found");
                } else if (!it->same_content(r)) {
                    error(r.where, kInvalidChangeBatch,
                          "Tried to delete resource record set " + rrset_ref(r) +
                              " but the values provided do not match the current values");
                } else {
                    records.erase(it);
                    written_by.erase(written_by.begin() + static_cast<long>(pos));
                    if (r.name == zone_.name && r.type == "SOA")
                        error(r.where, kInvalidChangeBatch,
                              "A HostedZone must contain exactly one SOA record.");
                    if (r.name == zone_.name && r.type == "NS" &&
                        std::none_of(records.begin(), records.end(), [&](const auto& o) {
                            return o.name == zone_.name && o.type == "NS";
                        }))
                        error(r.where, kInvalidChangeBatch,
                              "A HostedZone must contain at least one NS record for the zone "
                              "itself.");
                }
                break;
        }
    }
}

void BatchValidator::check_result(const std::vector<Change>& changes) {
    const size_t n = records.size();
    std::set<size_t> reported_cname;
    for (size_t j = 0; j < n; ++j) {
        const ResourceRecordSet& r = records[j];
        if (r.type == "CNAME" && r.name == zone_.name && written_by[j] >= 0) {
            error(r.where, kInvalidChangeBatch,
                  "RRSet of type CNAME with DNS name " + r.name +
                      " is not permitted at apex in zone " + zone_.name);
            continue;
        }
        if (r.type == "SOA" && r.name != zone_.name && written_by[j] >= 0)
            error(r.where, kInvalidChangeBatch,
                  "RRSet of type SOA with DNS name " + r.name +
                      " is not permitted: the only SOA record is the one at the apex of zone " +
                      zone_.name);
        for (size_t i = 0; i < j; ++i) {
            const ResourceRecordSet& o = records[i];
            if (o.name != r.name) continue;
            // One report per conflicting pair, on the record the batch wrote last.
            size_t reporter = written_by[j] >= 0 ? j : i;
            if (written_by[reporter] < 0) continue;
            const ResourceRecordSet& rep = records[reporter];
            const ResourceRecordSet& other = records[reporter == j ? i : j];
            if (rep.name == zone_.name && (rep.type == "CNAME" || other.type == "CNAME")) continue;
            if ((rep.type == "CNAME") != (other.type == "CNAME")) {
                if (rep.type == "CNAME") {
                    if (reported_cname.insert(reporter).second)
                        error(rep.where, kInvalidChangeBatch,
                              "RRSet of type CNAME with DNS name " + rep.name +
                                  " is not permitted as it conflicts with other records with the "
                                  "same DNS name in zone " +
                                  zone_.name);
                } else {
                    error(rep.where, kInvalidChangeBatch,
                          "RRSet of type " + rep.type + " with DNS name " + rep.name +
                              " is not permitted because a conflicting RRSet of type CNAME with "
                              "the same DNS name already exists in zone " +
                              zone_.name);
                }
                continue;
            }
            if (o.type != r.type) continue;
            RoutingPolicy pr = policy_of(rep), po = policy_of(other);
            std::string head = "RRSet with DNS name " + rep.name + ", type " + rep.type;
            if (pr != po) {
                if (pr == RoutingPolicy::Simple)
                    error(rep.where, kInvalidChangeBatch,
                          head + " cannot be created because a " + policy_word(po) +
                              " RRSet with the same name and type already exists.");
                else
                    error(rep.where, kInvalidChangeBatch,
                          head + ", SetIdentifier " + rep.set_identifier.value_or("") + ", and " +
                              policy_description(rep) + " cannot be created because a non-" +
                              policy_word(pr) +
                              " RRSet with the same name and type already exists.");
                continue;
            }
            // Gap: AWS's text for a second PRIMARY/SECONDARY (or a repeated Region/location) is
            // not quoted anywhere; this wording follows the "non-failover" message above.
            bool duplicate_role =
                (pr == RoutingPolicy::Failover && rep.failover == other.failover) ||
                (pr == RoutingPolicy::Latency && rep.region == other.region) ||
                (pr == RoutingPolicy::Geolocation && rep.geo_location == other.geo_location);
            if (duplicate_role)
                error(rep.where, kInvalidChangeBatch,
                      head + ", SetIdentifier " + rep.set_identifier.value_or("") + ", and " +
                          policy_description(rep) + " cannot be created because RRSet " +
                          rrset_ref(other) +
                          " with the same name and type already has the same routing (" +
                          policy_description(other) + ").");
        }
    }
    if (std::count_if(records.begin(), records.end(), [&](const auto& r) {
            return r.name == zone_.name && r.type == "SOA";
        }) != 1) {
        // A create of a second SOA; deletes were reported during play.
        for (size_t j = 0; j < n; ++j)
            if (records[j].type == "SOA" && records[j].name == zone_.name && written_by[j] >= 0 &&
                changes[written_by[j]].action == ChangeAction::Create)
                error(records[j].where, kInvalidChangeBatch,
                      "A HostedZone must contain exactly one SOA record.");
    }
    check_group_sizes();
    check_aliases(changes);
}

// Quotas per name and type (§2.3, S14), and one CIDR collection per group.
void BatchValidator::check_group_sizes() {
    std::set<std::pair<std::string, std::string>> done;
    for (size_t j = 0; j < records.size(); ++j) {
        const ResourceRecordSet& r = records[j];
        if (written_by[j] < 0 || !done.insert({r.name, r.type}).second) continue;
        int count = 0;
        bool mixed_collections = false;
        for (const auto& o : records) {
            if (o.name != r.name || o.type != r.type) continue;
            ++count;
            if (r.cidr_routing_config && o.cidr_routing_config &&
                o.cidr_routing_config->collection_id != r.cidr_routing_config->collection_id)
                mixed_collections = true;
        }
        const RoutingPolicy p = policy_of(r);
        const int limit = p == RoutingPolicy::Weighted || p == RoutingPolicy::MultiValue ? 100
                          : p == RoutingPolicy::Geoproximity                             ? 30
                                                                                         : 0;
        const std::string head = "RRSet with DNS name " + r.name + ", type " + r.type;
        if (limit && count > limit)
            error(r.where, kInvalidChangeBatch,
                  head + " has " + std::to_string(count) + " " + policy_word(p) +
                      " records; the maximum per name and type is " + std::to_string(limit));
        if (mixed_collections)
            error(r.where, kInvalidChangeBatch,
                  head +
                      " uses more than one CIDR collection; all its records must use the same "
                      "CollectionId");
    }
}

void BatchValidator::check_aliases(const std::vector<Change>& changes) {
    auto find_target = [&](const std::string& name,
                           const std::string& type) -> const ResourceRecordSet* {
        for (const auto& r : records)
            if (r.name == name && r.type == type) return &r;
        return nullptr;
    };
    for (size_t j = 0; j < records.size(); ++j) {
        const ResourceRecordSet& r = records[j];
        if (!r.alias_target || written_by[j] < 0) continue;
        if (ctx_.defer_alias_targets) continue;
        if (auto problem =
                alias_target_problem(r, zone_, records, ctx_.other_zones, ctx_.alias_targets))
            error(r.where, kInvalidChangeBatch, *problem);
    }
    // Cycles among same-zone aliases: follow each alias chain; revisiting a group is a loop.
    for (size_t j = 0; j < records.size(); ++j) {
        if (written_by[j] < 0 || !records[j].alias_target ||
            records[j].alias_target->hosted_zone_id != zone_.id)
            continue;
        std::vector<std::string> path = {records[j].name};
        std::string type = records[j].type;
        std::set<std::string> seen = {records[j].name};
        const ResourceRecordSet* cur = &records[j];
        while (cur && cur->alias_target && cur->alias_target->hosted_zone_id == zone_.id) {
            const std::string next = cur->alias_target->dns_name;
            path.push_back(next);
            if (next == records[j].name) {
                std::string chain;
                for (size_t k = 0; k < path.size(); ++k) chain += (k ? " -> " : "") + path[k];
                error(records[j].where, kInvalidChangeBatch,
                      "Alias records of type " + type + " form a loop: " + chain);
                break;
            }
            if (!seen.insert(next).second) break;  // a loop not through this record
            cur = find_target(next, type);
        }
    }
    (void)changes;
}

}  // namespace

std::string change_label(const Change& change) {
    const auto& r = change.record_set;
    return std::string("[Action=") + action_name(change.action) + ", Name=" + r.name +
           ", Type=" + r.type + ", SetIdentifier=" + r.set_identifier.value_or("null") + "]";
}

Diagnostics apply_change_batch(HostedZone& zone, const ChangeBatch& batch,
                               const ChangeContext& context) {
    BatchValidator v(zone, context);
    std::vector<Change> changes = batch.changes;
    if (changes.empty())
        v.error(batch.where, kInvalidInput,
                "Invalid request: ChangeBatch must contain at least "
                "one Change");
    for (auto& c : changes) v.check_change(c);
    if (context.request_limits) {
        size_t elements = 0, characters = 0;
        for (const auto& c : changes) {
            size_t weight = c.action == ChangeAction::Upsert ? 2 : 1;
            elements += weight * c.record_set.resource_records.size();
            for (const auto& value : c.record_set.resource_records)
                characters += weight * value.size();
        }
        if (elements > 1000)
            v.error(batch.where, kInvalidChangeBatch,
                    "Number of records limit of 1000 exceeded: the request has " +
                        std::to_string(elements) +
                        " ResourceRecord elements (UPSERT counts twice)");
        if (characters > 32000)
            v.error(batch.where, kInvalidChangeBatch,
                    "Number of characters limit of 32000 exceeded: the request has " +
                        std::to_string(characters) +
                        " characters in Value elements (UPSERT "
                        "counts twice)");
    }
    v.play(changes);
    v.check_result(changes);
    if (!has_errors(v.diagnostics)) zone.record_sets = std::move(v.records);
    return std::move(v.diagnostics);
}

Diagnostics apply_change_batch(HostedZone& zone, const ChangeBatch& batch,
                               const std::vector<HealthCheck>& health_checks, bool lenient) {
    ChangeContext ctx;
    ctx.health_checks = &health_checks;
    ctx.lenient = lenient;
    return apply_change_batch(zone, batch, ctx);
}

}  // namespace r53::config
