// The composition root: owns the config, the probe engine, the serving snapshot, the DNS and
// admin listeners, and the reload path that ties them together.
#pragma once

#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config/diagnostic.hpp"
#include "config/loader.hpp"
#include "healthcheck/engine.hpp"
#include "resolver/resolve.hpp"
#include "server/answer_watch.hpp"
#include "server/cli.hpp"
#include "server/control/control.hpp"
#include "server/control/event_feed.hpp"
#include "server/http/http_types.hpp"

namespace r53::server {

class StateHolder;
class DnsServer;
class QueryLog;
class HttpServer;
class Store;
class ReplicaHealth;

class App final : public Control {
  public:
    explicit App(CliOptions options);
    ~App();

    // Loads the config, starts probes and listeners, writes the ready file. Returns an exit code
    // when start-up fails, nullopt when serving.
    std::optional<int> start();
    void stop();
    // Blocks until SIGTERM/SIGINT; SIGHUP reloads.
    int run_until_signalled();

    std::string dns_endpoint() const { return dns_endpoint_; }
    // Every request on the admin address: the Route 53 REST API under /2013-04-01/, else the
    // admin API. One router for the one HTTP server.
    boost::asio::awaitable<HttpResponse> handle_http(const RouteRequest& request);

    // Control.
    // /readyz: config loaded, listeners bound, and a first verdict known for every check that
    // probes (on the manual clock nothing probes until told, so bound listeners suffice).
    bool ready() const override;
    std::string admin_endpoint() const override { return admin_endpoint_; }
    config::ConfigPtr config() const override;
    const ReloadCounters& reload_counters() const override { return counters_; }
    QueryCountersSnapshot query_counters() const override;
    ReloadOutcome reload() override;
    resolver::ExplainResult explain(const std::string& name, const std::string& type,
                                    const std::string& client) const override;
    std::vector<health::CheckStatus> health_statuses() const override;
    std::optional<health::CheckStatus> health_status(const std::string& id) const override;
    bool force_health(const std::string& id, std::optional<bool> healthy) override;
    std::string set_health_state(const std::string& id, const std::string& state) override;
    bool inject_result(const std::string& id, const std::string& region, int checker,
                       std::optional<health::InjectedResult> result) override;
    bool advance_clock(double seconds) override;
    ClockReading clock() const override;
    std::optional<std::vector<QueryRecord>> recent_queries(
        const QueryFilter& filter) const override;
    std::optional<QueryLogStats> query_log_stats() const override;
    EventFeed* events() override { return &events_; }
    std::optional<size_t> snapshots_live() const override;
    Store& store() override { return *store_; }
    // Rebuilds the served Config from the last good config file plus the API's objects.
    bool republish(config::Diagnostics& diagnostics) override;

  private:
    config::LoadResult load() const;
    config::ConfigPtr with_cli_overrides(const config::ConfigPtr& loaded) const;
    bool install(const config::ConfigPtr& config, config::Diagnostics& diagnostics);
    void on_health(health::HealthTablePtr table);
    void publish_locked(health::HealthTablePtr table, const char* cause);
    void watch_answers();
    void watch_config();

    CliOptions options_;
    EventFeed events_;  // first: outlives the admin server's event streams and the engine
    AnswerWatch answers_;
    std::unique_ptr<StateHolder> holder_;
    std::unique_ptr<health::Engine> engine_;
    std::unique_ptr<QueryLog> query_log_;  // outlives dns_: the workers write into its rings
    std::unique_ptr<DnsServer> dns_;
    std::unique_ptr<HttpServer> admin_;
    // The Route 53 API's requests run here, not on the HTTP server's threads: a write waits for
    // the store's write lock and rebuilds what is served, and /healthz, /readyz and /metrics
    // must not wait behind it.
    boost::asio::thread_pool route53_pool_{2};
    std::unique_ptr<Store> store_;
    std::unique_ptr<ReplicaHealth> replicas_;  // with --store etcd://: one probe fleet
    config::ConfigPtr file_config_;            // last valid config file, CLI overrides applied

    std::mutex install_mutex_;          // one install at a time
    mutable std::mutex publish_mutex_;  // writers only; queries never take it
    config::ConfigPtr config_;
    std::shared_ptr<const resolver::ZoneSet> zones_;
    uint64_t config_generation_ = 0;
    uint64_t state_generation_ = 0;

    std::mutex reload_mutex_;
    std::atomic<bool> ready_{false};
    std::atomic<bool> stopping_{false};
    ReloadCounters counters_;
    std::string dns_endpoint_, admin_endpoint_;
};

}  // namespace r53::server
