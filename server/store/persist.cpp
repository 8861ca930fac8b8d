#include "server/store/persist.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "server/store/atomic_file.hpp"
#include "server/store/shapes.hpp"

namespace r53::server::route53 {
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

json::array string_array(const std::set<std::string>& items) {
    json::array a;
    for (const auto& s : items) a.push_back(json::value(s));
    return a;
}

json::object string_map(const std::map<std::string, std::string>& items) {
    json::object o;
    for (const auto& [k, v] : items) o[k] = v;
    return o;
}

std::string str(const json::object& o, const char* key) {
    auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

json::value state_json(const State& s) {
    json::array zones;
    for (const auto& [id, e] : s.zones) zones.push_back(zone_entry_json(id, e));
    json::array checks;
    for (const auto& [id, e] : s.checks) checks.push_back(check_entry_json(id, e));
    json::object tags;
    for (const auto& [resource, set] : s.tags) tags[resource] = string_map(set);
    json::array changes;
    for (const auto& [id, c] : s.changes)
        changes.push_back(
            json::object{{"Id", id}, {"SubmittedAt", c.submitted_at}, {"Comment", c.comment}});
    return json::object{{"Version", 1},
                        {"HostedZones", std::move(zones)},
                        {"DeletedHostedZones", string_array(s.deleted_zones)},
                        {"HostedZoneCallerReferences", string_map(s.zone_references)},
                        {"HealthChecks", std::move(checks)},
                        {"DeletedHealthChecks", string_array(s.deleted_checks)},
                        {"HealthCheckCallerReferences", string_map(s.check_references)},
                        {"Tags", std::move(tags)},
                        {"Changes", std::move(changes)}};
}

std::string first_error(const config::Diagnostics& ds) {
    for (const auto& d : ds)
        if (d.severity == config::Severity::Error) return d.code + ": " + d.message;
    return "invalid";
}

}  // namespace

json::object zone_entry_json(const std::string& id, const ZoneEntry& e) {
    json::array records;
    for (const auto& r : e.zone.record_sets) records.push_back(record_set_json(r));
    return json::object{{"Id", id},
                        {"Name", e.zone.name},
                        {"CallerReference", e.caller_reference},
                        {"Comment", e.comment},
                        {"FromFile", e.from_file},
                        {"ResourceRecordSets", std::move(records)}};
}

std::optional<ZoneEntry> zone_entry_from_json(const json::object& o, const std::string& where,
                                              std::string& error) {
    ZoneEntry e;
    e.zone.id = str(o, "Id");
    e.zone.name = str(o, "Name");
    e.zone.where.file = where;
    e.caller_reference = str(o, "CallerReference");
    e.comment = str(o, "Comment");
    if (auto* f = o.if_contains("FromFile"); f && f->is_bool()) e.from_file = f->as_bool();
    if (auto* rs = o.if_contains("ResourceRecordSets"); rs && rs->is_array()) {
        for (const auto& r : rs->as_array()) {
            config::Diagnostics ds;
            auto record = record_set_from_json(r, ds);
            if (!record) {
                error = "hosted zone " + e.zone.id + ": " + first_error(ds);
                return std::nullopt;
            }
            e.zone.record_sets.push_back(std::move(*record));
        }
    }
    return e;
}

json::object check_entry_json(const std::string& id, const CheckEntry& e) {
    return json::object{{"Id", id},
                        {"CallerReference", e.check.caller_reference.value_or("")},
                        {"HealthCheckVersion", e.version},
                        {"FromFile", e.from_file},
                        {"HealthCheckConfig", health_check_config_json(e.check.config)}};
}

std::optional<CheckEntry> check_entry_from_json(const json::object& o, const std::string& where,
                                                std::string& error) {
    CheckEntry e;
    e.check.id = str(o, "Id");
    e.check.where.file = where;
    if (auto ref = str(o, "CallerReference"); !ref.empty()) e.check.caller_reference = ref;
    if (auto* v = o.if_contains("HealthCheckVersion"); v && v->is_int64())
        e.version = v->as_int64();
    if (auto* f = o.if_contains("FromFile"); f && f->is_bool()) e.from_file = f->as_bool();
    config::Diagnostics ds;
    const auto* cfg = o.if_contains("HealthCheckConfig");
    auto parsed = cfg ? health_check_config_from_json(*cfg, ds) : std::nullopt;
    if (!parsed) {
        error = "health check " + e.check.id + ": " + first_error(ds);
        return std::nullopt;
    }
    e.check.config = std::move(*parsed);
    return e;
}

std::string save_state(const State& state, const std::string& path) {
    std::error_code ec;
    fs::create_directories(fs::path(path).parent_path(), ec);
    // A crash leaves the old file or the new one, never half of one.
    return write_file_atomically(path, json::serialize(state_json(state)) + "\n");
}

StatePtr load_state(const std::string& path, std::string& error) {
    std::ifstream in(path);
    if (!in) {
        error = "cannot read " + path;
        return nullptr;
    }
    std::stringstream text;
    text << in.rdbuf();
    boost::system::error_code ec;
    json::value doc = json::parse(text.str(), ec);
    if (ec || !doc.is_object()) {
        error = "not a JSON object: " + ec.message();
        return nullptr;
    }
    auto state = std::make_shared<State>();
    const auto& root = doc.as_object();
    auto array = [&](const char* key) -> const json::array& {
        static const json::array empty;
        auto* v = root.if_contains(key);
        return v && v->is_array() ? v->as_array() : empty;
    };
    auto object = [&](const char* key) -> const json::object& {
        static const json::object empty;
        auto* v = root.if_contains(key);
        return v && v->is_object() ? v->as_object() : empty;
    };
    for (const auto& z : array("HostedZones")) {
        if (!z.is_object()) continue;
        auto e = zone_entry_from_json(z.as_object(), path, error);
        if (!e) return nullptr;
        state->zones[e->zone.id] = std::move(*e);
    }
    for (const auto& c : array("HealthChecks")) {
        if (!c.is_object()) continue;
        auto e = check_entry_from_json(c.as_object(), path, error);
        if (!e) return nullptr;
        state->checks[e->check.id] = std::move(*e);
    }
    for (const auto& id : array("DeletedHostedZones"))
        if (id.is_string()) state->deleted_zones.insert(std::string(id.as_string()));
    for (const auto& id : array("DeletedHealthChecks"))
        if (id.is_string()) state->deleted_checks.insert(std::string(id.as_string()));
    for (const auto& [k, v] : object("HostedZoneCallerReferences"))
        if (v.is_string()) state->zone_references[k] = std::string(v.as_string());
    for (const auto& [k, v] : object("HealthCheckCallerReferences"))
        if (v.is_string()) state->check_references[k] = std::string(v.as_string());
    for (const auto& [resource, set] : object("Tags"))
        if (set.is_object())
            for (const auto& [k, v] : set.as_object())
                if (v.is_string()) state->tags[resource][k] = std::string(v.as_string());
    for (const auto& c : array("Changes")) {
        if (!c.is_object()) continue;
        ChangeEntry e;
        e.id = str(c.as_object(), "Id");
        if (auto* t = c.as_object().if_contains("SubmittedAt"); t && t->is_number())
            e.submitted_at = t->to_number<double>();
        e.comment = str(c.as_object(), "Comment");
        state->changes[e.id] = std::move(e);
    }
    return state;
}

}  // namespace r53::server::route53
