// Hosted zones and health checks created through the Route 53 REST API, kept beside the config
// file's and merged over them into the served Config. Persisted under --state-dir when given.
//
// The API sees one set of zones and checks: the config file's, with the API's changes laid over
// them (a file zone changed through the API is copied into the store and served from there; one
// deleted through the API stays hidden), plus those the API created.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/model.hpp"

namespace r53::server {

namespace route53 {

struct ZoneEntry {
    config::HostedZone zone;  // record sets include the apex SOA and NS
    std::string caller_reference;
    std::string comment;
    bool from_file = false;  // an overlay of a config-file zone with the same id
};

struct CheckEntry {
    config::HealthCheck check;  // id, caller reference, config (local knobs come from the file)
    int64_t version = 1;
    bool from_file = false;
};

struct ChangeEntry {
    std::string id;           // bare, "C..."
    double submitted_at = 0;  // unix seconds
    std::string comment;
    int64_t revision = 0;  // the store revision that made it (etcd); 0 when it has none
};

// Everything the API created or changed. Copied on write: readers keep a consistent snapshot.
struct State {
    std::map<std::string, ZoneEntry> zones;  // by bare id
    std::set<std::string> deleted_zones;     // config-file zones deleted through the API
    std::map<std::string, std::string> zone_references;  // CallerReference -> zone id (ever used)
    std::map<std::string, CheckEntry> checks;            // by id
    std::set<std::string> deleted_checks;
    std::map<std::string, std::string> check_references;  // CallerReference -> id (ever used)
    std::map<std::string, std::map<std::string, std::string>> tags;  // "hostedzone/ID" -> tags
    std::map<std::string, ChangeEntry> changes;
    // The store revision this state is complete through (etcd); a change batch is checked against
    // it. 0 in the file store.
    int64_t revision = 0;
};
using StatePtr = std::shared_ptr<const State>;

// What the API answers from: the store's state and the config file it is laid over.
struct View {
    StatePtr state;
    config::ConfigPtr file;  // may be null before the first config is installed

    std::optional<ZoneEntry> zone(const std::string& id) const;
    std::vector<ZoneEntry> zones() const;  // sorted by id
    std::optional<CheckEntry> check(const std::string& id) const;
    std::vector<CheckEntry> checks() const;  // sorted by id
};

}  // namespace route53

// The pure parts, shared by every store: what the API sees, and what is served.
namespace route53 {
// The config file's Config with the API's objects laid over it.
config::ConfigPtr merge(const State& state, const config::ConfigPtr& file_config);
}  // namespace route53

struct CommitResult {
    enum class Status {
        Committed,    // durable and current
        NotDurable,   // current, but could not be kept (FileStore: the file was not written)
        Conflict,     // someone else changed what the batch was validated on: nothing written
        Unavailable,  // the store cannot be reached: nothing written
        Failed,       // the store refused the write (too large, ...): nothing written
    };
    Status status = Status::Committed;
    std::string message;  // why, when not Committed
};

class ReplicaChannel;

// Where the API's objects live. Holds the current state for readers; an implementation decides
// how a commit is made durable (FileStore: a JSON file under --state-dir, or memory only;
// EtcdStore: etcd, shared by every replica that names the same prefix).
class Store {
  public:
    virtual ~Store();

    // Before the first merge: reads what is kept elsewhere. An error text when it cannot.
    virtual std::string open() { return {}; }
    // Once the first config is served: `changed` is called whenever someone else changed the
    // state (the caller republishes).
    virtual void follow(std::function<void()> changed) { (void)changed; }
    virtual void close() {}

    route53::View view() const;
    // The config file's Config plus everything created through the API; remembers the file
    // config for view().
    config::ConfigPtr merge(const config::ConfigPtr& file_config) const;

    // Makes `next` the state, all or nothing, if the state is still `base` (the one the change
    // was validated on); the state readers see is current when this returns Committed.
    virtual CommitResult commit(const route53::StatePtr& base, route53::StatePtr next) = 0;

    // Whether every replica serving this state has applied `change` (GetChange's INSYNC, §8 pt
    // 25). A store without replicas has applied whatever it committed.
    virtual bool applied_everywhere(const route53::ChangeEntry& change) const {
        (void)change;
        return true;
    }
    // Replicas that share this store agree on health through it; null when there are none.
    virtual ReplicaChannel* replicas() { return nullptr; }

    // Serializes the API's writers: held across commit + republish (+ rollback).
    std::mutex& write_mutex() { return write_mutex_; }

    // Seconds a change stays PENDING (semantics §8 point 25): R53SIM_CHANGE_INSYNC_DELAY.
    double insync_delay() const { return insync_delay_; }

  protected:
    Store();
    void replace_state(route53::StatePtr next);

  private:
    mutable std::mutex mutex_;  // guards state_ and file_; never held while publishing
    route53::StatePtr state_;
    mutable config::ConfigPtr file_;
    std::mutex write_mutex_;
    double insync_delay_ = 0;
};

}  // namespace r53::server
