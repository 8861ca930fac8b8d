// ChangeResourceRecordSets (semantics §4): each change is checked alone, then the batch is played
// on a copy of the zone and the result is checked as a whole; only a clean result replaces the
// zone.
#include "config/change_batch.hpp"

#include <algorithm>
#include <boost/unordered/unordered_flat_set.hpp>
#include <functional>
#include <set>

#include "config/alias_targets.hpp"
#include "config/geo_names.hpp"
#include "config/record_checks.hpp"
#include "config/record_index.hpp"
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
    // Plays the batch over the zone, noting per position the record set it holds and the change
    // that last wrote it; nothing is copied until the result is taken.
    void play(const std::vector<Change>& changes);
    void check_result(const std::vector<Change>& changes);
    // The zone after the batch, in the order Route 53 lists it: moved out of the zone's record
    // sets and the batch's changes, which are left hollow.
    std::vector<ResourceRecordSet> take_result(HostedZone& zone, std::vector<Change>& changes);

  private:
    // Positions of live record sets: ones the batch wrote, or all of the names it wrote.
    std::vector<uint32_t> written_positions() const;
    std::vector<uint32_t> positions_of_written_names(const std::vector<uint32_t>& written) const;
    const ResourceRecordSet* find_target(const std::string& name, const std::string& type) const;
    bool health_check_known(const std::string& id);
    void check_aliases();
    void check_group_sizes(const std::vector<uint32_t>& written);

    const HostedZone& zone_;
    const ChangeContext& ctx_;
    // Per position: the record set there (in the zone or in the batch; null once deleted) and
    // the change that last wrote it (-1 = untouched). Deleted positions stay, so that positions
    // keep their order without moving anything.
    std::vector<const ResourceRecordSet*> records_;
    std::vector<int> written_by_;
    RecordSetIndex index_;
    std::optional<boost::unordered_flat_set<std::string_view>> health_check_ids_;
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
        bool known = health_check_known(*r.health_check_id);
        if (ctx_.unparsed_health_checks && ctx_.unparsed_health_checks->count(*r.health_check_id))
            known = true;  // reported where it is written
        if (!known)
            error(at, "NoSuchHealthCheck",
                  "No health check exists with the specified ID " + *r.health_check_id);
    }
}

bool BatchValidator::health_check_known(const std::string& id) {
    if (!ctx_.health_checks) return false;
    if (!health_check_ids_) {
        health_check_ids_.emplace();
        health_check_ids_->reserve(ctx_.health_checks->size());
        for (const auto& h : *ctx_.health_checks) health_check_ids_->insert(h.id);
    }
    return health_check_ids_->contains(id);
}

void BatchValidator::play(const std::vector<Change>& changes) {
    const size_t most = zone_.record_sets.size() + changes.size();
    records_.reserve(most);
    written_by_.reserve(most);
    index_.reserve(most);
    for (const auto& r : zone_.record_sets) {
        index_.add(r, static_cast<uint32_t>(records_.size()));
        records_.push_back(&r);
        written_by_.push_back(-1);
    }
    auto append = [&](const ResourceRecordSet& r, size_t change) {
        index_.add(r, static_cast<uint32_t>(records_.size()));
        records_.push_back(&r);
        written_by_.push_back(static_cast<int>(change));
    };
    for (size_t i = 0; i < changes.size(); ++i) {
        const ResourceRecordSet& r = changes[i].record_set;
        const std::optional<uint32_t> pos = index_.find(r);
        switch (changes[i].action) {
            case ChangeAction::Create:
                if (pos) {
                    error(r.where, kInvalidChangeBatch,
                          "Tried to create resource record set " + rrset_ref(r) +
                              " but it already exists");
                    break;
                }
                append(r, i);
                break;
            case ChangeAction::Upsert:
                if (!pos) {
                    append(r, i);
                } else {
                    records_[*pos] = &r;
                    written_by_[*pos] = static_cast<int>(i);
                    index_.replace(r, *pos);
                }
                break;
            case ChangeAction::Delete:
                if (!pos) {
                    error(r.where, kInvalidChangeBatch,
                          "Tried to delete resource record set " + rrset_ref(r) +
                              " but it was not found");
                } else if (!records_[*pos]->same_content(r)) {
                    error(r.where, kInvalidChangeBatch,
                          "Tried to delete resource record set " + rrset_ref(r) +
                              " but the values provided do not match the current values");
                } else {
                    records_[*pos] = nullptr;
                    written_by_[*pos] = -1;
                    index_.remove(r);
                    if (r.name == zone_.name && r.type == "SOA")
                        error(r.where, kInvalidChangeBatch,
                              "A HostedZone must contain exactly one SOA record.");
                    if (r.name == zone_.name && r.type == "NS") {
                        bool apex_ns_left = false;
                        index_.for_each_named(zone_.name, [&](uint32_t p) {
                            apex_ns_left =
                                apex_ns_left || (records_[p] && records_[p]->type == "NS");
                        });
                        if (!apex_ns_left)
                            error(r.where, kInvalidChangeBatch,
                                  "A HostedZone must contain at least one NS record for the zone "
                                  "itself.");
                    }
                }
                break;
        }
    }
}

std::vector<uint32_t> BatchValidator::written_positions() const {
    std::vector<uint32_t> out;
    for (size_t p = 0; p < records_.size(); ++p)
        if (records_[p] && written_by_[p] >= 0) out.push_back(static_cast<uint32_t>(p));
    return out;
}

std::vector<uint32_t> BatchValidator::positions_of_written_names(
    const std::vector<uint32_t>& written) const {
    boost::unordered_flat_set<std::string_view> names;
    std::vector<uint32_t> out;
    for (uint32_t p : written) {
        if (!names.insert(records_[p]->name).second) continue;
        index_.for_each_named(records_[p]->name, [&](uint32_t q) {
            if (records_[q]) out.push_back(q);
        });
    }
    std::sort(out.begin(), out.end());
    return out;
}

// Conflicts can only involve a record set the batch wrote, so only the names it wrote are
// examined, in zone order, which keeps the order of the messages the same as a full pairwise
// pass over the zone would give.
void BatchValidator::check_result(const std::vector<Change>& changes) {
    const std::vector<uint32_t> written = written_positions();
    std::set<size_t> reported_cname;
    for (uint32_t j : positions_of_written_names(written)) {
        const ResourceRecordSet& r = *records_[j];
        if (r.type == "CNAME" && r.name == zone_.name && written_by_[j] >= 0) {
            error(r.where, kInvalidChangeBatch,
                  "RRSet of type CNAME with DNS name " + r.name +
                      " is not permitted at apex in zone " + zone_.name);
            continue;
        }
        if (r.type == "SOA" && r.name != zone_.name && written_by_[j] >= 0)
            error(r.where, kInvalidChangeBatch,
                  "RRSet of type SOA with DNS name " + r.name +
                      " is not permitted: the only SOA record is the one at the apex of zone " +
                      zone_.name);
        std::vector<uint32_t> earlier;
        index_.for_each_named(r.name, [&](uint32_t i) {
            if (i < j && records_[i]) earlier.push_back(i);
        });
        for (uint32_t i : earlier) {
            const ResourceRecordSet& o = *records_[i];
            // One report per conflicting pair, on the record the batch wrote last.
            size_t reporter = written_by_[j] >= 0 ? j : i;
            if (written_by_[reporter] < 0) continue;
            const ResourceRecordSet& rep = *records_[reporter];
            const ResourceRecordSet& other = *records_[reporter == j ? i : j];
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
    std::vector<uint32_t> apex_soa;
    index_.for_each_named(zone_.name, [&](uint32_t p) {
        if (records_[p] && records_[p]->type == "SOA") apex_soa.push_back(p);
    });
    if (apex_soa.size() != 1) {
        // A create of a second SOA; deletes were reported during play.
        for (uint32_t j : apex_soa)
            if (written_by_[j] >= 0 && changes[written_by_[j]].action == ChangeAction::Create)
                error(records_[j]->where, kInvalidChangeBatch,
                      "A HostedZone must contain exactly one SOA record.");
    }
    check_group_sizes(written);
    check_aliases();
}

// Quotas per name and type (§2.3, S14), and one CIDR collection per group.
void BatchValidator::check_group_sizes(const std::vector<uint32_t>& written) {
    std::set<std::pair<std::string, std::string>> done;
    for (uint32_t j : written) {
        const ResourceRecordSet& r = *records_[j];
        if (!done.insert({r.name, r.type}).second) continue;
        int count = 0;
        bool mixed_collections = false;
        index_.for_each_named(r.name, [&](uint32_t p) {
            const ResourceRecordSet* o = records_[p];
            if (!o || o->type != r.type) return;
            ++count;
            if (r.cidr_routing_config && o->cidr_routing_config &&
                o->cidr_routing_config->collection_id != r.cidr_routing_config->collection_id)
                mixed_collections = true;
        });
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

// The first live record set, in zone order, with this name and type.
const ResourceRecordSet* BatchValidator::find_target(const std::string& name,
                                                     const std::string& type) const {
    const ResourceRecordSet* found = nullptr;
    index_.for_each_named(name, [&](uint32_t p) {
        if (!found && records_[p] && records_[p]->type == type) found = records_[p];
    });
    return found;
}

void BatchValidator::check_aliases() {
    const std::vector<uint32_t> written = written_positions();
    const RecordLookup has_record = [this](const HostedZone& zone, const std::string& name,
                                           const std::string& type) {
        if (&zone == &zone_) return find_target(name, type) != nullptr;
        return std::any_of(
            zone.record_sets.begin(), zone.record_sets.end(),
            [&](const ResourceRecordSet& o) { return o.name == name && o.type == type; });
    };
    for (uint32_t j : written) {
        const ResourceRecordSet& r = *records_[j];
        if (!r.alias_target || ctx_.defer_alias_targets) continue;
        if (auto problem =
                alias_target_problem(r, zone_, has_record, ctx_.other_zones, ctx_.alias_targets))
            error(r.where, kInvalidChangeBatch, *problem);
    }
    // Cycles among same-zone aliases: follow each alias chain; revisiting a group is a loop.
    for (uint32_t j : written) {
        const ResourceRecordSet& start = *records_[j];
        if (!start.alias_target || start.alias_target->hosted_zone_id != zone_.id) continue;
        std::vector<std::string> path = {start.name};
        std::string type = start.type;
        std::set<std::string> seen = {start.name};
        const ResourceRecordSet* cur = &start;
        while (cur && cur->alias_target && cur->alias_target->hosted_zone_id == zone_.id) {
            const std::string next = cur->alias_target->dns_name;
            path.push_back(next);
            if (next == start.name) {
                std::string chain;
                for (size_t k = 0; k < path.size(); ++k) chain += (k ? " -> " : "") + path[k];
                error(start.where, kInvalidChangeBatch,
                      "Alias records of type " + type + " form a loop: " + chain);
                break;
            }
            if (!seen.insert(next).second) break;  // a loop not through this record
            cur = find_target(next, type);
        }
    }
}

std::vector<ResourceRecordSet> BatchValidator::take_result(HostedZone& zone,
                                                           std::vector<Change>& changes) {
    std::vector<ResourceRecordSet> out;
    out.reserve(records_.size());
    for (size_t p = 0; p < records_.size(); ++p) {
        if (!records_[p]) continue;
        // A position holds either a zone record set (untouched) or the one its change wrote.
        if (written_by_[p] >= 0)
            out.push_back(std::move(changes[written_by_[p]].record_set));
        else
            out.push_back(std::move(zone.record_sets[p]));
    }
    return out;
}

}  // namespace

std::string change_label(const Change& change) {
    const auto& r = change.record_set;
    return std::string("[Action=") + action_name(change.action) + ", Name=" + r.name +
           ", Type=" + r.type + ", SetIdentifier=" + r.set_identifier.value_or("null") + "]";
}

Diagnostics apply_change_batch(HostedZone& zone, ChangeBatch&& batch,
                               const ChangeContext& context) {
    BatchValidator v(zone, context);
    std::vector<Change>& changes = batch.changes;
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
    if (!has_errors(v.diagnostics)) zone.record_sets = v.take_result(zone, changes);
    return std::move(v.diagnostics);
}

Diagnostics apply_change_batch(HostedZone& zone, const ChangeBatch& batch,
                               const ChangeContext& context) {
    return apply_change_batch(zone, ChangeBatch(batch), context);
}

Diagnostics apply_change_batch(HostedZone& zone, const ChangeBatch& batch,
                               const std::vector<HealthCheck>& health_checks, bool lenient) {
    ChangeContext ctx;
    ctx.health_checks = &health_checks;
    ctx.lenient = lenient;
    return apply_change_batch(zone, batch, ctx);
}

}  // namespace r53::config
