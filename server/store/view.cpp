// What the API sees and what is served: the store's state laid over the config file's.
#include <algorithm>
#include <cstdlib>
#include <set>

#include "server/store/store.hpp"

namespace r53::server {

namespace route53 {

std::optional<ZoneEntry> View::zone(const std::string& id) const {
    if (auto it = state->zones.find(id); it != state->zones.end()) return it->second;
    if (state->deleted_zones.count(id) || !file) return std::nullopt;
    for (const auto& z : file->zones)
        if (z.id == id) return ZoneEntry{z, "r53sim-config-file", "", true};
    return std::nullopt;
}

std::vector<ZoneEntry> View::zones() const {
    std::vector<ZoneEntry> out;
    for (const auto& [id, entry] : state->zones) out.push_back(entry);
    if (file)
        for (const auto& z : file->zones)
            if (!state->zones.count(z.id) && !state->deleted_zones.count(z.id))
                out.push_back(ZoneEntry{z, "r53sim-config-file", "", true});
    std::sort(out.begin(), out.end(),
              [](const ZoneEntry& a, const ZoneEntry& b) { return a.zone.id < b.zone.id; });
    return out;
}

std::optional<CheckEntry> View::check(const std::string& id) const {
    if (auto it = state->checks.find(id); it != state->checks.end()) return it->second;
    if (state->deleted_checks.count(id) || !file) return std::nullopt;
    for (const auto& c : file->health_checks)
        if (c.id == id) return CheckEntry{c, 1, true};
    return std::nullopt;
}

std::vector<CheckEntry> View::checks() const {
    std::vector<CheckEntry> out;
    for (const auto& [id, entry] : state->checks) out.push_back(entry);
    if (file)
        for (const auto& c : file->health_checks)
            if (!state->checks.count(c.id) && !state->deleted_checks.count(c.id))
                out.push_back(CheckEntry{c, 1, true});
    std::sort(out.begin(), out.end(),
              [](const CheckEntry& a, const CheckEntry& b) { return a.check.id < b.check.id; });
    return out;
}

}  // namespace route53

namespace route53 {

config::ConfigPtr merge(const State& s, const config::ConfigPtr& file_config) {
    const State* state = &s;
    if (!file_config) return file_config;
    if (state->zones.empty() && state->checks.empty() && state->deleted_zones.empty() &&
        state->deleted_checks.empty())
        return file_config;
    auto merged = std::make_shared<config::Config>(*file_config);

    std::vector<config::HostedZone> zones;
    std::set<std::string> emitted;
    for (const auto& z : file_config->zones) {
        if (state->deleted_zones.count(z.id)) continue;
        auto it = state->zones.find(z.id);
        zones.push_back(it == state->zones.end() ? z : it->second.zone);
        emitted.insert(z.id);
    }
    for (const auto& [id, entry] : state->zones)
        if (!emitted.count(id)) zones.push_back(entry.zone);
    merged->zones = std::move(zones);

    std::vector<config::HealthCheck> checks;
    emitted.clear();
    for (const auto& c : file_config->health_checks) {
        if (state->deleted_checks.count(c.id)) continue;
        auto it = state->checks.find(c.id);
        if (it == state->checks.end()) {
            checks.push_back(c);
        } else {
            checks.push_back(it->second.check);
            checks.back().local = c.local;  // local knobs stay the file's
        }
        emitted.insert(c.id);
    }
    for (const auto& [id, entry] : state->checks)
        if (!emitted.count(id)) checks.push_back(entry.check);
    std::sort(
        checks.begin(), checks.end(),
        [](const config::HealthCheck& a, const config::HealthCheck& b) { return a.id < b.id; });
    // A check deleted through the API while records still name it (AWS allows that, §4): the
    // records are served as if they had no check.
    std::set<std::string> ids;
    for (const auto& c : checks) ids.insert(c.id);
    for (auto& z : merged->zones)
        for (auto& r : z.record_sets)
            if (r.health_check_id && !ids.count(*r.health_check_id)) r.health_check_id.reset();
    merged->health_checks = std::move(checks);
    return merged;
}

}  // namespace route53

Store::Store() : state_(std::make_shared<route53::State>()) {
    if (const char* delay = std::getenv("R53SIM_CHANGE_INSYNC_DELAY"))
        insync_delay_ = std::max(0.0, std::atof(delay));
}

Store::~Store() = default;

route53::View Store::view() const {
    std::lock_guard lock(mutex_);
    return route53::View{state_, file_};
}

config::ConfigPtr Store::merge(const config::ConfigPtr& file_config) const {
    route53::StatePtr state;
    {
        std::lock_guard lock(mutex_);
        file_ = file_config;
        state = state_;
    }
    return route53::merge(*state, file_config);
}

void Store::replace_state(route53::StatePtr next) {
    std::lock_guard lock(mutex_);
    state_ = std::move(next);
}

}  // namespace r53::server
