// Inside EtcdStore: one thread runs the etcd sessions (the state watch, the lease, the writers);
// the Route 53 API's handlers commit from their own threads with blocking requests.
//
// Keys below PREFIX/:
//   state/...                 the API's objects (server/store/etcd_codec.hpp)
//   replicas/ID               {"applied": REVISION, ...} under the replica's lease
//   health/leader             the ID of the replica that probes, under its lease
//   health/checks/CHECK       the prober's checker states of one check
//   health/settings/NAME      overrides and user-set states
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "server/store/etcd_codec.hpp"
#include "server/store/etcd_store.hpp"

namespace r53::server {

struct EtcdStore::Impl {
    Impl(EtcdStore& store, etcd::Settings s);

    EtcdStore& self;
    const etcd::Settings settings;
    etcd::Gateway gateway;
    const std::string replica_id;
    std::chrono::milliseconds commit_delay{0};  // R53SIM_ETCD_COMMIT_DELAY_MS: widens races

    boost::asio::io_context io;
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work;
    std::thread thread;
    std::atomic<bool> stopping{false};
    std::shared_ptr<etcd::Gateway::Watch> watch = std::make_shared<etcd::Gateway::Watch>();
    boost::asio::steady_timer wake{io};  // wakes the writer; io thread only

    // Shared with the API's threads.
    mutable std::mutex mutex;
    std::condition_variable cv;  // state_revision moved, or the first load finished
    bool synced = false;         // watching; writes are refused while not
    bool loaded_once = false;
    bool campaigned_once = false;
    std::string last_error;  // why etcd could not be used, for open()
    int64_t state_revision = 0;
    std::map<std::string, int64_t> replica_revisions;   // live replicas: ID -> applied revision
    std::string leader;                                 // who holds the probe lease
    std::map<std::string, std::string> checks;          // health/checks/
    std::map<std::string, std::string> setting_values;  // health/settings/
    int64_t lease = 0;
    bool lease_alive = false;  // as far as this replica knows, etcd holds its lease
    route53::StatePtr last_committed;
    int64_t last_committed_revision = 0;
    std::function<void()> changed;

    // Listener calls are serialized so a replay never overtakes a newer update.
    std::mutex listener_mutex;
    ReplicaChannel::Listener listener;
    std::optional<bool> told_probing;

    // io thread only.
    int64_t watch_from = 0;
    bool registry_dirty = false;
    std::map<std::string, std::string> pending_checks;

    std::string key(const std::string& relative) const { return settings.prefix + "/" + relative; }
    std::string leader_key() const { return key("health/leader"); }

    // etcd_store.cpp: the state.
    boost::asio::awaitable<void> sync_loop();
    boost::asio::awaitable<bool> load();
    bool on_watch_message(boost::json::object& message);
    void notify_changed();

    // etcd_replicas.cpp: lease, registry, probe lease, shared health.
    boost::asio::awaitable<void> lease_loop();
    boost::asio::awaitable<void> campaign();
    boost::asio::awaitable<void> writer_loop();
    boost::asio::awaitable<bool> write_registry();
    boost::asio::awaitable<bool> write_checks(std::map<std::string, std::string> batch);
    void update_probing();
    void deliver_checks(const std::map<std::string, std::string>& changed_checks, bool full);
    void deliver_settings();
    void start_campaign();
    void poke_writer();
    boost::asio::awaitable<void> sleep(std::chrono::milliseconds d);
};

}  // namespace r53::server
