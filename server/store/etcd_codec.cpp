#include "server/store/etcd_codec.hpp"

#include <boost/json.hpp>

#include "server/store/persist.hpp"

namespace r53::server::etcd {
namespace {

namespace json = boost::json;
using route53::State;

constexpr const char* kZones = "zones/";
constexpr const char* kDeletedZones = "deleted-zones/";
constexpr const char* kZoneReferences = "zone-references/";
constexpr const char* kChecks = "checks/";
constexpr const char* kDeletedChecks = "deleted-checks/";
constexpr const char* kCheckReferences = "check-references/";
constexpr const char* kTags = "tags/";
constexpr const char* kChanges = "changes/";

std::optional<json::object> object_of(const std::string& text, std::string& error) {
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_object()) {
        error = "not a JSON object";
        return std::nullopt;
    }
    return std::move(v.as_object());
}

template <typename Map>
void set_or_erase(Map& map, const std::string& key, std::optional<typename Map::mapped_type> v) {
    if (v)
        map[key] = std::move(*v);
    else
        map.erase(key);
}

void set_or_erase(std::set<std::string>& set, const std::string& key, bool present) {
    if (present)
        set.insert(key);
    else
        set.erase(key);
}

}  // namespace

KeyValues encode_state(const State& s) {
    KeyValues kv;
    for (const auto& [id, e] : s.zones)
        kv[kZones + id] = json::serialize(route53::zone_entry_json(id, e));
    for (const auto& id : s.deleted_zones) kv[kDeletedZones + id] = "1";
    for (const auto& [ref, id] : s.zone_references) kv[kZoneReferences + ref] = id;
    for (const auto& [id, e] : s.checks)
        kv[kChecks + id] = json::serialize(route53::check_entry_json(id, e));
    for (const auto& id : s.deleted_checks) kv[kDeletedChecks + id] = "1";
    for (const auto& [ref, id] : s.check_references) kv[kCheckReferences + ref] = id;
    for (const auto& [resource, tags] : s.tags) {
        json::object o;
        for (const auto& [k, v] : tags) o[k] = v;
        kv[kTags + resource] = json::serialize(o);
    }
    for (const auto& [id, c] : s.changes)
        kv[kChanges + id] =
            json::serialize(json::object{{"SubmittedAt", c.submitted_at}, {"Comment", c.comment}});
    return kv;
}

bool apply_key(State& state, const std::string& key, const std::optional<std::string>& value,
               int64_t mod_revision, std::string& error) {
    auto slash = key.find('/');
    if (slash == std::string::npos || slash + 1 == key.size()) {
        error = "not a state key";
        return false;
    }
    const std::string kind = key.substr(0, slash + 1);
    const std::string name = key.substr(slash + 1);
    const std::string where = "etcd:state/" + key;
    if (kind == kZones || kind == kChecks) {
        if (!value) {
            if (kind == kZones)
                state.zones.erase(name);
            else
                state.checks.erase(name);
            return true;
        }
        auto o = object_of(*value, error);
        if (!o) return false;
        if (kind == kZones) {
            auto e = route53::zone_entry_from_json(*o, where, error);
            if (!e) return false;
            e->zone.id = name;
            state.zones[name] = std::move(*e);
        } else {
            auto e = route53::check_entry_from_json(*o, where, error);
            if (!e) return false;
            e->check.id = name;
            state.checks[name] = std::move(*e);
        }
        return true;
    }
    if (kind == kDeletedZones) {
        set_or_erase(state.deleted_zones, name, value.has_value());
        return true;
    }
    if (kind == kDeletedChecks) {
        set_or_erase(state.deleted_checks, name, value.has_value());
        return true;
    }
    if (kind == kZoneReferences) {
        set_or_erase(state.zone_references, name, value);
        return true;
    }
    if (kind == kCheckReferences) {
        set_or_erase(state.check_references, name, value);
        return true;
    }
    if (kind == kTags) {
        if (!value) {
            state.tags.erase(name);
            return true;
        }
        auto o = object_of(*value, error);
        if (!o) return false;
        std::map<std::string, std::string> tags;
        for (const auto& [k, v] : *o)
            if (v.is_string()) tags[k] = std::string(v.as_string());
        state.tags[name] = std::move(tags);
        return true;
    }
    if (kind == kChanges) {
        if (!value) {
            state.changes.erase(name);
            return true;
        }
        auto o = object_of(*value, error);
        if (!o) return false;
        route53::ChangeEntry c;
        c.id = name;
        if (auto* t = o->if_contains("SubmittedAt"); t && t->is_number())
            c.submitted_at = t->to_number<double>();
        if (auto* m = o->if_contains("Comment"); m && m->is_string())
            c.comment = std::string(m->as_string());
        c.revision = mod_revision;
        state.changes[name] = std::move(c);
        return true;
    }
    error = "unknown kind of state key";
    return false;
}

}  // namespace r53::server::etcd
