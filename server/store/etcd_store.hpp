// The Route 53 API's objects in etcd (--store etcd://HOST:PORT[,...]/PREFIX), shared by every
// replica that names the same prefix. Each replica keeps the whole state in memory, loaded at one
// revision and kept current by a watch from the next; a change batch is one transaction checked
// against the revision it was validated on. Each replica registers itself under a lease with the
// revision it serves (GetChange is INSYNC once all have applied a change), and one replica holds
// the probe lease (ReplicaChannel).
#pragma once

#include <memory>
#include <string>

#include "server/store/etcd_gateway.hpp"
#include "server/store/replica_channel.hpp"
#include "server/store/store.hpp"

namespace r53::server {

class EtcdStore final : public Store, public ReplicaChannel {
  public:
    explicit EtcdStore(etcd::Settings settings);
    ~EtcdStore() override;

    // Store.
    std::string open() override;
    void follow(std::function<void()> changed) override;
    void close() override;
    CommitResult commit(const route53::StatePtr& base, route53::StatePtr next) override;
    bool applied_everywhere(const route53::ChangeEntry& change) const override;
    ReplicaChannel* replicas() override { return this; }

    // ReplicaChannel.
    void listen(Listener listener) override;
    void share_checks(std::map<std::string, std::string> checks) override;
    std::string set_setting(const std::string& name, std::optional<std::string> value) override;

  private:
    struct Impl;  // server/store/etcd_store_impl.hpp
    std::unique_ptr<Impl> impl_;
};

}  // namespace r53::server
