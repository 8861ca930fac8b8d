// The texts are Route 53's, as observed (semantics §3 "Obs errors"): a HostedZoneId that names
// no zone holding DNSName gets "does not lie within the target zone" (also for an id that names
// no zone at all), a zone without the record "that target was not found". "in zone" names the
// target zone, i.e. the HostedZoneId given. What r53sim adds to help (where the name does lie,
// the local.alias_targets hint) follows in parentheses.
#include "config/alias_targets.hpp"

#include <unordered_map>
#include <unordered_set>

#include "config/yaml_util.hpp"

namespace r53::config {

namespace {

bool in_zone(const std::string& name, const std::string& zone) {
    return name == zone || (name.size() > zone.size() &&
                            name.compare(name.size() - zone.size(), zone.size(), zone) == 0 &&
                            name[name.size() - zone.size() - 1] == '.');
}

const AwsAliasTarget* aws_stand_in(const AliasTarget& a, const std::vector<AwsAliasTarget>* aws) {
    if (aws)
        for (const auto& t : *aws)
            if (t.dns_name == a.dns_name) return &t;
    return nullptr;
}

// The served zone that holds `name` (the longest match), or nullptr.
const HostedZone* zone_holding(const std::string& name, const HostedZone& own,
                               const std::vector<const HostedZone*>* others) {
    const HostedZone* best = in_zone(name, own.name) ? &own : nullptr;
    if (others)
        for (const HostedZone* z : *others)
            if (in_zone(name, z->name) && (!best || z->name.size() > best->name.size())) best = z;
    return best;
}

}  // namespace

std::optional<std::string> alias_target_problem(const ResourceRecordSet& r, const HostedZone& own,
                                                const RecordLookup& has,
                                                const std::vector<const HostedZone*>* others,
                                                const std::vector<AwsAliasTarget>* aws) {
    const AliasTarget& a = *r.alias_target;
    const std::string head = "Tried to create an alias that targets " + a.dns_name + ", type " +
                             r.type + " in zone " + a.hosted_zone_id;
    if (const AwsAliasTarget* t = aws_stand_in(a, aws)) {
        bool has_values =
            (r.type == "A" && !t->a.empty()) || (r.type == "AAAA" && !t->aaaa.empty());
        if (has_values) return std::nullopt;
        return head + ", but that target was not found (local.alias_targets gives " + a.dns_name +
               " no " + r.type + " addresses)";
    }
    const HostedZone* target = a.hosted_zone_id == own.id ? &own : nullptr;
    if (!target && others)
        for (const HostedZone* z : *others)
            if (z->id == a.hosted_zone_id) target = z;
    const HostedZone* holder = zone_holding(a.dns_name, own, others);
    auto lies_in = [&] {
        return holder ? " (" + a.dns_name + " lies in zone " + holder->name + ", HostedZoneId " +
                            holder->id + ")"
                      : std::string();
    };
    if (!target) {
        if (holder)
            return head + ", but the alias target name does not lie within the target zone" +
                   lies_in();
        return head +
               ", but that target was not found (an AWS resource outside the configured zones must "
               "be declared under local.alias_targets)";
    }
    if (!in_zone(a.dns_name, target->name))
        return head + ", but the alias target name does not lie within the target zone" + lies_in();
    if (has(*target, a.dns_name, r.type)) return std::nullopt;
    return head + ", but that target was not found";
}

Diagnostics check_alias_targets(const Config& config, const std::set<std::string>& skipped) {
    Diagnostics out;
    // "name type" of every record set, per zone, built the first time an alias looks there, so
    // that the check stays linear in the records however many aliases there are.
    std::unordered_map<const HostedZone*, std::unordered_set<std::string>> keys;
    const RecordLookup has_record = [&keys](const HostedZone& zone, const std::string& name,
                                            const std::string& type) {
        auto [it, fresh] = keys.try_emplace(&zone);
        if (fresh)
            for (const auto& o : zone.record_sets) it->second.insert(o.name + " " + o.type);
        return it->second.count(name + " " + type) > 0;
    };
    for (const auto& zone : config.zones) {
        std::vector<const HostedZone*> others;
        for (const auto& z : config.zones)
            if (&z != &zone) others.push_back(&z);
        for (const auto& r : zone.record_sets) {
            if (!r.alias_target || skipped.count(r.alias_target->hosted_zone_id)) continue;
            if (auto problem =
                    alias_target_problem(r, zone, has_record, &others, &config.local.alias_targets))
                out.push_back({r.where, kInvalidChangeBatch, *problem});
        }
    }
    return out;
}

}  // namespace r53::config
