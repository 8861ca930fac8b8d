// EtcdStore's replica side: the lease every registration hangs on, the registry of what each
// replica serves (INSYNC), the probe lease (one replica probes for all) and the health it shares.
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "server/log.hpp"
#include "server/store/etcd_store_impl.hpp"

namespace r53::server {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;
using etcd::base64_encode;
using Clock = std::chrono::steady_clock;

constexpr auto kRequestTimeout = 2s;
constexpr auto kRetry = 300ms;
constexpr size_t kOpsPerTxn = 100;  // etcd refuses more than --max-txn-ops (128) in one txn

std::string host_name() {
    char host[64] = {};
    ::gethostname(host, sizeof host - 1);
    return host;
}

}  // namespace

void EtcdStore::Impl::poke_writer() {
    wake.cancel();
}

void EtcdStore::Impl::start_campaign() {
    asio::co_spawn(io, campaign(), asio::detached);
}

asio::awaitable<void> EtcdStore::Impl::lease_loop() {
    const auto ttl = std::chrono::seconds(settings.lease_ttl);
    const auto beat = std::max<std::chrono::milliseconds>(
        200ms, std::chrono::duration_cast<std::chrono::milliseconds>(ttl) / 3);
    auto last_ok = Clock::now();
    auto lost = [&] {
        // Past the TTL without an answer, etcd has dropped the lease (or cannot be reached):
        // this replica keeps its own health up to date until it can agree again.
        if (Clock::now() - last_ok <= ttl) return;
        bool was;
        {
            std::lock_guard lock(mutex);
            was = lease_alive;
            lease_alive = false;
        }
        if (was) log(LogLevel::Warn, "etcd", "lost the lease; probing here until etcd is back");
        update_probing();
    };
    while (!stopping) {
        int64_t id;
        {
            std::lock_guard lock(mutex);
            id = lease;
        }
        if (!id) {
            json::object grant{{"TTL", settings.lease_ttl}};
            auto reply =
                co_await gateway.post("/v3/lease/grant", std::move(grant), kRequestTimeout);
            int64_t granted = reply.ok ? etcd::int_field(reply.body, "ID") : 0;
            if (!granted) {
                lost();
                co_await sleep(kRetry);
                continue;
            }
            last_ok = Clock::now();
            {
                std::lock_guard lock(mutex);
                lease = granted;
                lease_alive = true;
                registry_dirty = true;
            }
            poke_writer();
            co_await campaign();
            continue;
        }
        co_await sleep(beat);
        if (stopping) break;
        json::object keepalive{{"ID", std::to_string(id)}};
        auto reply =
            co_await gateway.post("/v3/lease/keepalive", std::move(keepalive), kRequestTimeout);
        if (!reply.ok) {
            lost();
            continue;
        }
        auto* result = reply.body.if_contains("result");
        int64_t left =
            result && result->is_object() ? etcd::int_field(result->as_object(), "TTL") : 0;
        if (left <= 0) {
            // Expired: its registration and any probe lease went with it.
            log(LogLevel::Warn, "etcd", "the lease expired; registering again");
            std::lock_guard lock(mutex);
            lease = 0;
            continue;
        }
        last_ok = Clock::now();
        bool was;
        {
            std::lock_guard lock(mutex);
            was = lease_alive;
            lease_alive = true;
        }
        if (!was) {
            log(LogLevel::Info, "etcd", "the lease is alive again");
            update_probing();
        }
    }
}

asio::awaitable<void> EtcdStore::Impl::campaign() {
    int64_t id;
    {
        std::lock_guard lock(mutex);
        id = lease;
    }
    if (!id || stopping) co_return;
    std::string k = base64_encode(leader_key());
    json::object txn{
        {"compare",
         json::array{json::object{
             {"key", k}, {"target", "CREATE"}, {"result", "EQUAL"}, {"create_revision", "0"}}}},
        {"success",
         json::array{json::object{{"request_put", json::object{{"key", k},
                                                               {"value", base64_encode(replica_id)},
                                                               {"lease", std::to_string(id)}}}}}},
        {"failure", json::array{json::object{{"request_range", json::object{{"key", k}}}}}}};
    auto reply = co_await gateway.post("/v3/kv/txn", std::move(txn), kRequestTimeout);
    if (!reply.ok) co_return;
    std::string holder;
    auto* won = reply.body.if_contains("succeeded");
    if (won && won->is_bool() && won->as_bool()) {
        holder = replica_id;
    } else if (auto* rs = reply.body.if_contains("responses"); rs && rs->is_array()) {
        for (const auto& r : rs->as_array()) {
            auto* range = r.is_object() ? r.as_object().if_contains("response_range") : nullptr;
            auto* kvs =
                range && range->is_object() ? range->as_object().if_contains("kvs") : nullptr;
            if (kvs && kvs->is_array() && !kvs->as_array().empty() &&
                kvs->as_array()[0].is_object())
                holder = etcd::kv_value(kvs->as_array()[0].as_object());
        }
    }
    {
        std::lock_guard lock(mutex);
        if (!holder.empty()) leader = holder;
        campaigned_once = true;
        cv.notify_all();
    }
    update_probing();
    if (holder.empty()) {
        // The holder's key went away between the compare and the range: try again.
        co_await sleep(kRetry);
        start_campaign();
    }
}

void EtcdStore::Impl::update_probing() {
    std::lock_guard deliver(listener_mutex);
    bool probe, alive;
    std::string holder;
    {
        std::lock_guard lock(mutex);
        alive = lease_alive;
        holder = leader;
        probe = !alive || holder == replica_id;
    }
    if (told_probing == probe) return;
    told_probing = probe;
    if (probe && alive)
        log(LogLevel::Info, "etcd", "holds the probe lease: this replica probes for all");
    else if (!probe && !holder.empty() && !stopping)  // empty: a campaign is under way
        log(LogLevel::Info, "etcd", "another replica holds the probe lease; applying its results",
            {{"holder", holder}});
    if (listener.on_probing) listener.on_probing(probe);
}

void EtcdStore::Impl::deliver_checks(const std::map<std::string, std::string>& changed_checks,
                                     bool full) {
    std::lock_guard deliver(listener_mutex);
    if (listener.on_checks) listener.on_checks(changed_checks, full);
}

void EtcdStore::Impl::deliver_settings() {
    std::lock_guard deliver(listener_mutex);
    std::map<std::string, std::string> values;
    {
        std::lock_guard lock(mutex);
        values = setting_values;
    }
    if (listener.on_settings) listener.on_settings(values);
}

asio::awaitable<bool> EtcdStore::Impl::write_registry() {
    int64_t id, applied;
    {
        std::lock_guard lock(mutex);
        id = lease;
        applied = state_revision;
    }
    if (!id) co_return true;  // registered again once a lease is granted
    json::object entry{
        {"applied", applied}, {"host", host_name()}, {"pid", static_cast<int64_t>(::getpid())}};
    json::object put{{"key", base64_encode(key("replicas/" + replica_id))},
                     {"value", base64_encode(json::serialize(entry))},
                     {"lease", std::to_string(id)}};
    auto reply = co_await gateway.post("/v3/kv/put", std::move(put), kRequestTimeout);
    if (!reply.ok && reply.reached) {
        // The lease is gone (etcd answers "requested lease not found"): register again.
        std::lock_guard lock(mutex);
        if (lease == id) lease = 0;
    }
    co_return reply.ok;
}

asio::awaitable<bool> EtcdStore::Impl::write_checks(std::map<std::string, std::string> batch) {
    // Only while holding the probe lease: a replica that lost it must not overwrite the new
    // prober's results.
    json::array compare{json::object{{"key", base64_encode(leader_key())},
                                     {"target", "VALUE"},
                                     {"result", "EQUAL"},
                                     {"value", base64_encode(replica_id)}}};
    json::array puts;
    for (const auto& [id, value] : batch)
        puts.push_back(json::object{
            {"request_put", json::object{{"key", base64_encode(key("health/checks/" + id))},
                                         {"value", base64_encode(value)}}}});
    json::object txn{{"compare", std::move(compare)}, {"success", std::move(puts)}};
    auto reply = co_await gateway.post("/v3/kv/txn", std::move(txn), kRequestTimeout);
    co_return reply.ok;  // written, or not the prober (the new one writes its own)
}

asio::awaitable<void> EtcdStore::Impl::writer_loop() {
    auto retry_at = Clock::time_point::max();
    while (!stopping) {
        bool queued;
        {
            std::lock_guard lock(mutex);
            queued = registry_dirty || !pending_checks.empty();
        }
        // A poke while writing is not lost: the flags are read again before each wait.
        if (!queued || retry_at != Clock::time_point::max()) {
            wake.expires_at(retry_at);
            co_await wake.async_wait(asio::as_tuple(asio::use_awaitable));
        }
        if (stopping) break;
        retry_at = Clock::time_point::max();
        bool registry;
        {
            std::lock_guard lock(mutex);
            registry = registry_dirty;
            registry_dirty = false;
        }
        if (registry && !co_await write_registry()) {
            std::lock_guard lock(mutex);
            registry_dirty = true;
            retry_at = Clock::now() + kRetry;
        }
        while (!pending_checks.empty() && !stopping) {
            std::map<std::string, std::string> batch;
            while (!pending_checks.empty() && batch.size() < kOpsPerTxn) {
                batch.insert(pending_checks.extract(pending_checks.begin()));
            }
            if (!co_await write_checks(batch)) {
                // Unreachable: keep the newest of each for later.
                for (auto& [id, v] : batch) pending_checks.try_emplace(id, std::move(v));
                retry_at = Clock::now() + kRetry;
                break;
            }
        }
    }
}

void EtcdStore::listen(Listener listener) {
    auto& m = *impl_;
    std::lock_guard deliver(m.listener_mutex);
    std::map<std::string, std::string> checks, values;
    bool probe;
    {
        std::lock_guard lock(m.mutex);
        checks = m.checks;
        values = m.setting_values;
        probe = !m.lease_alive || m.leader == m.replica_id;
    }
    m.listener = std::move(listener);
    if (m.listener.on_checks) m.listener.on_checks(checks, true);
    if (m.listener.on_settings) m.listener.on_settings(values);
    if (m.listener.on_probing) m.listener.on_probing(probe);
    m.told_probing = probe;
}

void EtcdStore::share_checks(std::map<std::string, std::string> checks) {
    if (checks.empty()) return;
    asio::post(impl_->io, [m = impl_.get(), checks = std::move(checks)]() mutable {
        for (auto& [id, v] : checks) m->pending_checks[id] = std::move(v);
        m->poke_writer();
    });
}

std::string EtcdStore::set_setting(const std::string& name, std::optional<std::string> value) {
    auto& m = *impl_;
    std::string k = base64_encode(m.key("health/settings/" + name));
    auto reply =
        value ? m.gateway.post_blocking("/v3/kv/put",
                                        json::object{{"key", k}, {"value", base64_encode(*value)}},
                                        kRequestTimeout)
              : m.gateway.post_blocking("/v3/kv/deleterange", json::object{{"key", k}},
                                        kRequestTimeout);
    return reply.ok ? std::string() : reply.error;
}

}  // namespace r53::server
