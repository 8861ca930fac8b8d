// Replicas on one store: choosing the store from the command line, and one probe fleet for all
// replicas (docs/architecture.md, "Replicas on etcd"). The replica that holds the probe lease
// probes and shares its checkers' states through the store; the others apply them. Overrides
// and CLOUDWATCH_METRIC / RECOVERY_CONTROL states set on any replica reach every replica.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "healthcheck/engine.hpp"
#include "server/cli.hpp"
#include "server/store/replica_channel.hpp"
#include "server/store/store.hpp"

namespace r53::server {

// FileStore, or EtcdStore for --store etcd://...
std::unique_ptr<Store> make_store(const CliOptions& options);

class ReplicaHealth {
  public:
    ReplicaHealth(ReplicaChannel& channel, health::Engine& engine);
    ~ReplicaHealth();
    ReplicaHealth(const ReplicaHealth&) = delete;
    ReplicaHealth& operator=(const ReplicaHealth&) = delete;

    // The engine published a verdict change: the prober shares what changed at once.
    void on_publish();
    // Before the engine stops: no more sharing, the periodic look ends.
    void stop();
    // Control's force_health and set_health_state, for every replica.
    bool force(const std::string& id, std::optional<bool> healthy);
    std::string set_user_state(const std::string& id, const std::string& state);

  private:
    void share_changed();
    void on_checks(const std::map<std::string, std::string>& checks, bool full);
    void on_settings(const std::map<std::string, std::string>& settings);

    ReplicaChannel& channel_;
    health::Engine& engine_;
    std::atomic<bool> probing_{true};
    std::atomic<bool> stopped_{false};

    std::mutex mutex_;  // never held while calling the engine, which may publish into us
    std::map<std::string, std::string> shared_;    // check id -> what the store holds (compared)
    std::map<std::string, std::string> settings_;  // what was applied here last

    // Checker flips that change no verdict are shared by a periodic look.
    std::mutex tick_mutex_;
    std::condition_variable tick_cv_;
    bool stopping_ = false;
    std::thread ticker_;
};

}  // namespace r53::server
