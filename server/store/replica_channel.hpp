// How replicas that share one store agree on health (docs/architecture.md, "Replicas on etcd"):
// one replica holds the probe lease and probes for all, writing what its checkers saw; every
// replica applies that. Overrides and user-set states are settings every replica applies.
// Values are opaque texts here: the store does not know the health engine's types (the
// composition root translates, server/replica_health.cpp).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

namespace r53::server {

class ReplicaChannel {
  public:
    struct Listener {
        // Whether this replica should probe: it holds the probe lease, or the store is out of
        // reach (then every replica keeps its health up to date on its own).
        std::function<void(bool probe)> on_probing;
        // The prober's state of checks by check id: all of them after a (re)load (`full`), the
        // changed ones after that.
        std::function<void(const std::map<std::string, std::string>& checks, bool full)> on_checks;
        // Every setting (name -> value), after any of them changed.
        std::function<void(const std::map<std::string, std::string>& settings)> on_settings;
    };

    virtual ~ReplicaChannel() = default;

    // Replaces the listener and replays the current state to it from the calling thread.
    virtual void listen(Listener listener) = 0;
    // Writes the given checks' states if this replica holds the probe lease (else nothing is
    // written). Returns at once; the write happens on the store's thread.
    virtual void share_checks(std::map<std::string, std::string> checks) = 0;
    // Writes (value) or removes (nullopt) one setting. An error text when it was not written.
    virtual std::string set_setting(const std::string& name, std::optional<std::string> value) = 0;
};

}  // namespace r53::server
