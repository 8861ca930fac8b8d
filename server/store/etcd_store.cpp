// EtcdStore: loading the state at one revision, following it with a watch, and committing change
// batches as transactions. The lease, the registry and shared health are in etcd_replicas.cpp.
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdlib>
#include <random>

#include "server/log.hpp"
#include "server/store/etcd_store_impl.hpp"

namespace r53::server {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;
using etcd::base64_encode;

constexpr auto kRequestTimeout = 3s;
constexpr auto kLoadTimeout = 10s;
constexpr auto kOpenTimeout = 15s;
constexpr auto kApplyWait = 5s;  // a commit waits this long for its own watch to deliver it

std::string make_replica_id() {
    char host[64] = {};
    ::gethostname(host, sizeof host - 1);
    std::random_device rd;
    char suffix[9];
    std::snprintf(suffix, sizeof suffix, "%08x", static_cast<unsigned>(rd()));
    return std::string(host) + "-" + std::to_string(::getpid()) + "-" + suffix;
}

// The range of every key below `prefix` + "/": [prefix/, prefix0).
json::object prefix_range(const std::string& prefix) {
    return json::object{{"key", base64_encode(prefix + "/")},
                        {"range_end", base64_encode(prefix + "0")}};
}

}  // namespace

EtcdStore::Impl::Impl(EtcdStore& store, etcd::Settings s)
    : self(store),
      settings(std::move(s)),
      gateway(settings.endpoints),
      replica_id(make_replica_id()) {
    if (const char* delay = std::getenv("R53SIM_ETCD_COMMIT_DELAY_MS"))
        commit_delay = std::chrono::milliseconds(std::max(0, std::atoi(delay)));
}

EtcdStore::EtcdStore(etcd::Settings settings)
    : impl_(std::make_unique<Impl>(*this, std::move(settings))) {}

EtcdStore::~EtcdStore() {
    close();
}

std::string EtcdStore::open() {
    auto& m = *impl_;
    m.work.emplace(m.io.get_executor());
    asio::co_spawn(m.io, m.sync_loop(), asio::detached);
    asio::co_spawn(m.io, m.lease_loop(), asio::detached);
    asio::co_spawn(m.io, m.writer_loop(), asio::detached);
    m.thread = std::thread([&m] { m.io.run(); });
    std::unique_lock lock(m.mutex);
    if (!m.cv.wait_for(lock, kOpenTimeout, [&] { return m.loaded_once; })) {
        std::string error = "cannot load the state from etcd: " + m.last_error;
        lock.unlock();
        close();
        return error;
    }
    // The first probe-lease decision, so a replica that will not probe never starts to.
    m.cv.wait_for(lock, kRequestTimeout, [&] { return m.campaigned_once; });
    log(LogLevel::Info, "etcd", "serving the Route 53 API's objects from etcd",
        {{"prefix", m.settings.prefix},
         {"revision", std::to_string(m.state_revision)},
         {"replica", m.replica_id},
         {"probe_lease", m.leader == m.replica_id ? "held" : "elsewhere"}});
    return {};
}

void EtcdStore::follow(std::function<void()> changed) {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->changed = std::move(changed);
    }
    // What arrived between open() and now was not served yet.
    asio::post(impl_->io, [m = impl_.get()] { m->notify_changed(); });
}

void EtcdStore::close() {
    auto& m = *impl_;
    if (m.stopping.exchange(true) || !m.thread.joinable()) return;
    int64_t lease = 0;
    {
        std::lock_guard lock(m.mutex);
        lease = m.lease;
        m.cv.notify_all();
    }
    // Revoking the lease hands the probe lease on and leaves the registry at once.
    if (lease)
        m.gateway.post_blocking("/v3/lease/revoke", json::object{{"ID", std::to_string(lease)}},
                                1s);
    asio::post(m.io, [&m] {
        m.watch->cancel();
        m.wake.cancel();
        m.io.stop();
    });
    m.thread.join();
}

CommitResult EtcdStore::commit(const route53::StatePtr& base, route53::StatePtr next) {
    auto& m = *impl_;
    using Status = CommitResult::Status;
    if (m.commit_delay.count() > 0) std::this_thread::sleep_for(m.commit_delay);
    int64_t base_revision = 0;
    {
        std::lock_guard lock(m.mutex);
        if (!m.synced) return {Status::Unavailable, "etcd is out of reach (" + m.last_error + ")"};
        base_revision = base->revision;
        // Putting the previous state back after a change that could not be served.
        if (base == m.last_committed) base_revision = m.last_committed_revision;
    }
    auto before = etcd::encode_state(*base);
    auto after = etcd::encode_state(*next);
    // Every key the batch writes or deletes must be as the batch saw it: not changed after the
    // base revision, and not deleted if it was there.
    json::array compare, success;
    auto guard = [&](const std::string& relative, bool existed) {
        std::string k = base64_encode(m.key("state/" + relative));
        compare.push_back(json::object{{"key", k},
                                       {"target", "MOD"},
                                       {"result", "LESS"},
                                       {"mod_revision", std::to_string(base_revision + 1)}});
        if (existed)
            compare.push_back(json::object{
                {"key", k}, {"target", "MOD"}, {"result", "GREATER"}, {"mod_revision", "0"}});
        return k;
    };
    for (const auto& [k, v] : after) {
        auto it = before.find(k);
        if (it != before.end() && it->second == v) continue;
        success.push_back(
            json::object{{"request_put", json::object{{"key", guard(k, it != before.end())},
                                                      {"value", base64_encode(v)}}}});
    }
    for (const auto& [k, v] : before)
        if (!after.count(k))
            success.push_back(
                json::object{{"request_delete_range", json::object{{"key", guard(k, true)}}}});
    // Nothing to write: the state already is what the batch asks for (and may have moved on
    // since `base`, so it is not replaced).
    if (success.empty()) return {};
    auto reply = m.gateway.post_blocking(
        "/v3/kv/txn", json::object{{"compare", compare}, {"success", success}}, kRequestTimeout);
    if (!reply.ok) {
        log(LogLevel::Warn, "etcd", "a change batch was not written: " + reply.error);
        return {reply.reached ? Status::Failed : Status::Unavailable, reply.error};
    }
    auto* succeeded = reply.body.if_contains("succeeded");
    if (!succeeded || !succeeded->is_bool() || !succeeded->as_bool()) {
        log(LogLevel::Info, "etcd", "a change batch lost a race; refused",
            {{"base_revision", std::to_string(base_revision)}});
        return {Status::Conflict, "changed by another request"};
    }
    int64_t revision = etcd::header_revision(reply.body);
    std::unique_lock lock(m.mutex);
    m.last_committed = next;
    m.last_committed_revision = revision;
    if (!m.cv.wait_for(lock, kApplyWait,
                       [&] { return m.state_revision >= revision || m.stopping; }))
        log(LogLevel::Warn, "etcd", "a committed change is not applied here yet",
            {{"revision", std::to_string(revision)}});
    return {};
}

bool EtcdStore::applied_everywhere(const route53::ChangeEntry& change) const {
    const auto& m = *impl_;
    std::lock_guard lock(m.mutex);
    if (change.revision <= 0 || m.state_revision < change.revision) return false;
    for (const auto& [id, applied] : m.replica_revisions)
        if (id != m.replica_id && applied < change.revision) return false;
    return true;
}

asio::awaitable<void> EtcdStore::Impl::sleep(std::chrono::milliseconds d) {
    asio::steady_timer timer(io, d);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

void EtcdStore::Impl::notify_changed() {
    std::function<void()> f;
    {
        std::lock_guard lock(mutex);
        f = changed;
    }
    if (f) f();
}

asio::awaitable<void> EtcdStore::Impl::sync_loop() {
    bool was_synced = false;
    while (!stopping) {
        if (!co_await load()) {
            co_await sleep(300ms);
            continue;
        }
        if (was_synced) log(LogLevel::Info, "etcd", "resynced with etcd");
        was_synced = true;
        json::object create = prefix_range(settings.prefix);
        create["start_revision"] = std::to_string(watch_from);
        auto why = co_await gateway.watch(
            std::move(create), [this](json::object& m) { return on_watch_message(m); }, watch,
            kRequestTimeout);
        if (stopping) break;
        {
            std::lock_guard lock(mutex);
            synced = false;
            last_error = why;
        }
        // A gap: everything is loaded again at one revision, so nothing is missed or doubled.
        log(LogLevel::Warn, "etcd", "lost the watch (" + why + "); serving the last state");
        co_await sleep(200ms);
    }
}

asio::awaitable<bool> EtcdStore::Impl::load() {
    auto reply = co_await gateway.post("/v3/kv/range", prefix_range(settings.prefix), kLoadTimeout);
    if (!reply.ok) {
        std::lock_guard lock(mutex);
        last_error = reply.error;
        co_return false;
    }
    const int64_t revision = etcd::header_revision(reply.body);
    auto state = std::make_shared<route53::State>();
    std::map<std::string, int64_t> replicas;
    std::map<std::string, std::string> check_states, values;
    std::string holder;
    const std::string root = settings.prefix + "/";
    if (auto* kvs = reply.body.if_contains("kvs"); kvs && kvs->is_array()) {
        for (const auto& item : kvs->as_array()) {
            if (!item.is_object()) continue;
            const auto& kv = item.as_object();
            std::string k = etcd::kv_key(kv);
            if (k.rfind(root, 0) != 0) continue;
            std::string rel = k.substr(root.size());
            std::string value = etcd::kv_value(kv);
            std::string error;
            if (rel.rfind("state/", 0) == 0) {
                if (!etcd::apply_key(*state, rel.substr(6), value,
                                     etcd::int_field(kv, "mod_revision"), error))
                    log(LogLevel::Error, "etcd", "ignoring a key that does not decode: " + error,
                        {{"key", k}});
            } else if (rel.rfind("replicas/", 0) == 0) {
                boost::system::error_code ec;
                auto v = json::parse(value, ec);
                replicas[rel.substr(9)] =
                    !ec && v.is_object() ? etcd::int_field(v.as_object(), "applied") : 0;
            } else if (rel == "health/leader") {
                holder = value;
            } else if (rel.rfind("health/checks/", 0) == 0) {
                check_states[rel.substr(14)] = value;
            } else if (rel.rfind("health/settings/", 0) == 0) {
                values[rel.substr(16)] = value;
            }
        }
    }
    state->revision = revision;
    self.replace_state(state);
    {
        std::lock_guard lock(mutex);
        state_revision = revision;
        replica_revisions = std::move(replicas);
        leader = holder;
        checks = check_states;
        setting_values = std::move(values);
        synced = true;
        loaded_once = true;
        registry_dirty = true;
        cv.notify_all();
    }
    watch_from = revision + 1;
    notify_changed();
    deliver_checks(check_states, true);
    deliver_settings();
    update_probing();
    if (holder.empty()) start_campaign();
    poke_writer();
    co_return true;
}

bool EtcdStore::Impl::on_watch_message(json::object& message) {
    if (auto* c = message.if_contains("canceled"); c && c->is_bool() && c->as_bool()) {
        std::lock_guard lock(mutex);
        last_error = "etcd canceled the watch (compacted at " +
                     std::to_string(etcd::int_field(message, "compact_revision")) + ")";
        return false;
    }
    auto* events = message.if_contains("events");
    if (!events || !events->is_array()) return !stopping;
    const std::string root = settings.prefix + "/";
    std::shared_ptr<route53::State> next;
    int64_t state_event_revision = 0;
    std::map<std::string, std::string> changed_checks;
    bool settings_changed = false, leader_changed = false, leader_gone = false;
    std::unique_lock lock(mutex);
    for (const auto& item : events->as_array()) {
        if (!item.is_object()) continue;
        const auto& event = item.as_object();
        auto* kvp = event.if_contains("kv");
        if (!kvp || !kvp->is_object()) continue;
        const auto& kv = kvp->as_object();
        auto* type = event.if_contains("type");
        const bool deleted = type && type->is_string() && type->as_string() == "DELETE";
        std::string k = etcd::kv_key(kv);
        if (k.rfind(root, 0) != 0) continue;
        std::string rel = k.substr(root.size());
        std::optional<std::string> value;
        if (!deleted) value = etcd::kv_value(kv);
        const int64_t mod = etcd::int_field(kv, "mod_revision");
        if (rel.rfind("state/", 0) == 0) {
            if (!next) next = std::make_shared<route53::State>(*self.view().state);
            std::string error;
            if (!etcd::apply_key(*next, rel.substr(6), value, mod, error))
                log(LogLevel::Error, "etcd", "ignoring a key that does not decode: " + error,
                    {{"key", k}});
            state_event_revision = std::max(state_event_revision, mod);
        } else if (rel.rfind("replicas/", 0) == 0) {
            std::string id = rel.substr(9);
            if (!value) {
                replica_revisions.erase(id);
                continue;
            }
            boost::system::error_code ec;
            auto v = json::parse(*value, ec);
            replica_revisions[id] =
                !ec && v.is_object() ? etcd::int_field(v.as_object(), "applied") : 0;
        } else if (rel == "health/leader") {
            leader = value.value_or("");
            leader_changed = true;
            leader_gone = !value;
        } else if (rel.rfind("health/checks/", 0) == 0) {
            std::string id = rel.substr(14);
            if (value) {
                checks[id] = *value;
                changed_checks[id] = *value;
            } else {
                checks.erase(id);
            }
        } else if (rel.rfind("health/settings/", 0) == 0) {
            if (value)
                setting_values[rel.substr(16)] = *value;
            else
                setting_values.erase(rel.substr(16));
            settings_changed = true;
        }
    }
    if (next) {
        next->revision = state_event_revision;
        self.replace_state(next);
        state_revision = state_event_revision;
        registry_dirty = true;
        cv.notify_all();
    }
    lock.unlock();
    if (next) {
        notify_changed();
        poke_writer();
    }
    if (!changed_checks.empty()) deliver_checks(changed_checks, false);
    if (settings_changed) deliver_settings();
    if (leader_changed) update_probing();
    if (leader_gone) start_campaign();
    return !stopping;
}

}  // namespace r53::server
