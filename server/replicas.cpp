#include "server/replicas.hpp"

#include <boost/json.hpp>

#include "server/log.hpp"
#include "server/store/etcd_store.hpp"
#include "server/store/file_store.hpp"

namespace r53::server {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr auto kShareEvery = 500ms;
constexpr const char* kOverride = "override/";
constexpr const char* kUserState = "user-state/";

std::string encode(const health::CheckShare& share) {
    json::array checkers;
    for (const auto& c : share.checkers) {
        auto at =
            std::chrono::duration_cast<std::chrono::milliseconds>(c.checked_at.time_since_epoch())
                .count();
        checkers.push_back(json::object{{"region", c.region},
                                        {"checker", c.checker},
                                        {"healthy", c.healthy},
                                        {"successes", c.successes},
                                        {"failures", c.failures},
                                        {"data", c.has_data},
                                        {"ok", c.last_probe_ok},
                                        {"status", c.status},
                                        {"at", at}});
    }
    return json::serialize(json::object{{"checkers", std::move(checkers)}});
}

std::optional<health::CheckShare> decode(const std::string& id, const std::string& text) {
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_object()) return std::nullopt;
    auto* list = v.as_object().if_contains("checkers");
    if (!list || !list->is_array()) return std::nullopt;
    health::CheckShare share{id, {}};
    for (const auto& item : list->as_array()) {
        if (!item.is_object()) continue;
        const auto& o = item.as_object();
        auto text_of = [&](const char* k) {
            auto* f = o.if_contains(k);
            return f && f->is_string() ? std::string(f->as_string()) : std::string();
        };
        auto int_of = [&](const char* k) -> int64_t {
            auto* f = o.if_contains(k);
            return f && f->is_int64() ? f->as_int64() : 0;
        };
        auto bool_of = [&](const char* k, bool fallback) {
            auto* f = o.if_contains(k);
            return f && f->is_bool() ? f->as_bool() : fallback;
        };
        health::CheckerShare c;
        c.region = text_of("region");
        c.checker = static_cast<int>(int_of("checker"));
        c.healthy = bool_of("healthy", true);
        c.successes = static_cast<int>(int_of("successes"));
        c.failures = static_cast<int>(int_of("failures"));
        c.has_data = bool_of("data", false);
        c.last_probe_ok = bool_of("ok", true);
        c.status = text_of("status");
        c.checked_at =
            std::chrono::system_clock::time_point(std::chrono::milliseconds(int_of("at")));
        share.checkers.push_back(std::move(c));
    }
    return share;
}

// What decides the next transition of each checker: its verdict and the run that could flip it
// (the other run only grows). Status texts and times are not worth a write of their own.
std::string decisive(const health::CheckShare& share) {
    std::string out;
    for (const auto& c : share.checkers)
        out += c.region + "/" + std::to_string(c.checker) + (c.healthy ? ":H" : ":U") +
               (c.has_data ? "D" : "-") + std::to_string(c.healthy ? c.failures : c.successes) +
               ";";
    return out;
}

}  // namespace

std::unique_ptr<Store> make_store(const CliOptions& options) {
    if (options.store) {
        std::string error;
        if (auto settings = etcd::parse_url(*options.store, error))
            return std::make_unique<EtcdStore>(std::move(*settings));
    }
    return std::make_unique<FileStore>(options.state_dir);
}

ReplicaHealth::ReplicaHealth(ReplicaChannel& channel, health::Engine& engine)
    : channel_(channel), engine_(engine) {
    ReplicaChannel::Listener listener;
    listener.on_probing = [this](bool probe) {
        probing_ = probe;
        engine_.set_probing(probe);
        if (probe) share_changed();  // what this replica saw while another probed is stale
    };
    listener.on_checks = [this](const auto& checks, bool full) { on_checks(checks, full); };
    listener.on_settings = [this](const auto& settings) { on_settings(settings); };
    channel_.listen(std::move(listener));
    ticker_ = std::thread([this] {
        std::unique_lock lock(tick_mutex_);
        while (!tick_cv_.wait_for(lock, kShareEvery, [this] { return stopping_; })) {
            lock.unlock();
            share_changed();
            lock.lock();
        }
    });
}

ReplicaHealth::~ReplicaHealth() {
    stop();
}

void ReplicaHealth::stop() {
    stopped_ = true;
    {
        std::lock_guard lock(tick_mutex_);
        stopping_ = true;
    }
    tick_cv_.notify_all();
    if (ticker_.joinable()) ticker_.join();
}

void ReplicaHealth::on_publish() {
    share_changed();
}

// The periodic look and a publish may export at once and post out of order; an older share
// that lands last is harmless: replicas apply the newest observation (Engine::import_shares)
// and the next look writes the current one.
void ReplicaHealth::share_changed() {
    if (!probing_ || stopped_) return;
    auto shares = engine_.export_shares();
    std::map<std::string, std::string> changed;
    {
        std::lock_guard lock(mutex_);
        for (const auto& s : shares) {
            auto key = decisive(s);
            auto& known = shared_[s.id];
            if (known == key) continue;
            known = key;
            changed[s.id] = encode(s);
        }
    }
    channel_.share_checks(std::move(changed));
}

void ReplicaHealth::on_checks(const std::map<std::string, std::string>& checks, bool full) {
    std::vector<health::CheckShare> shares;
    {
        std::lock_guard lock(mutex_);
        if (full) shared_.clear();
        for (const auto& [id, text] : checks) {
            auto share = decode(id, text);
            if (!share) {
                log(LogLevel::Warn, "replicas", "ignoring a check state that does not decode",
                    {{"health_check", id}});
                continue;
            }
            shared_[id] = decisive(*share);
            shares.push_back(std::move(*share));
        }
    }
    engine_.import_shares(std::move(shares));
}

void ReplicaHealth::on_settings(const std::map<std::string, std::string>& settings) {
    std::map<std::string, std::string> before;
    {
        std::lock_guard lock(mutex_);
        before = std::exchange(settings_, settings);
    }
    for (const auto& [name, value] : settings) {
        auto it = before.find(name);
        if (it != before.end() && it->second == value) continue;
        if (name.rfind(kOverride, 0) == 0)
            engine_.set_override(name.substr(9), value == "healthy");
        else if (name.rfind(kUserState, 0) == 0)
            engine_.set_user_state(name.substr(11), value);
    }
    for (const auto& [name, value] : before)
        if (!settings.count(name) && name.rfind(kOverride, 0) == 0)
            engine_.set_override(name.substr(9), std::nullopt);
}

bool ReplicaHealth::force(const std::string& id, std::optional<bool> healthy) {
    if (!engine_.status(id)) return false;
    std::optional<std::string> value;
    if (healthy) value = *healthy ? "healthy" : "unhealthy";
    auto error = channel_.set_setting(kOverride + id, value);
    if (!error.empty())
        log(LogLevel::Warn, "replicas", "the override applies to this replica only: " + error,
            {{"health_check", id}});
    {
        std::lock_guard lock(mutex_);
        if (value)
            settings_[kOverride + id] = *value;
        else
            settings_.erase(kOverride + id);
    }
    return engine_.set_override(id, healthy);
}

std::string ReplicaHealth::set_user_state(const std::string& id, const std::string& state) {
    auto error = engine_.set_user_state(id, state);
    if (!error.empty()) return error;
    {
        std::lock_guard lock(mutex_);
        settings_[kUserState + id] = state;
    }
    if (auto problem = channel_.set_setting(kUserState + id, state); !problem.empty())
        log(LogLevel::Warn, "replicas", "the state applies to this replica only: " + problem,
            {{"health_check", id}});
    return {};
}

}  // namespace r53::server
