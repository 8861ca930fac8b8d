// The composition root: owns the config, the probe engine, the serving snapshot, the DNS and
// admin listeners, and the reload path that ties them together.
#pragma once

#include <atomic>
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
#include "server/cli.hpp"

namespace r53::server {

class StateHolder;
class DnsServer;
class AdminServer;
class Route53Store;

struct ReloadOutcome {
    bool ok = false;
    config::Diagnostics diagnostics;
    uint64_t config_generation = 0;
};

struct ExplainResult {
    bool ok = false;
    std::string error;
    std::string rcode;
    bool authoritative = false;
    std::vector<std::string> answer, authority, additional;
    std::vector<std::string> trace;
    std::string client;
};

struct AppCounters {
    std::atomic<uint64_t> reloads{0};
    std::atomic<uint64_t> reload_failures{0};
    std::atomic<double> last_reload_success_time{0};
};

class App {
  public:
    explicit App(CliOptions options);
    ~App();

    // Loads the config, starts probes and listeners, writes the ready file. Returns an exit code
    // when start-up fails, nullopt when serving.
    std::optional<int> start();
    void stop();
    // Blocks until SIGTERM/SIGINT; SIGHUP reloads.
    int run_until_signalled();

    ReloadOutcome reload();
    ExplainResult explain(const std::string& name, const std::string& type,
                          const std::string& client) const;

    // /readyz: config loaded, listeners bound, and a first verdict known for every check that
    // probes (on the manual clock nothing probes until told, so bound listeners suffice).
    bool ready() const;
    health::Engine& engine() { return *engine_; }
    const AppCounters& counters() const { return counters_; }
    std::string dns_endpoint() const { return dns_endpoint_; }
    std::string admin_endpoint() const { return admin_endpoint_; }
    bool manual_clock() const;
    config::ConfigPtr config() const;

    // The Route 53 REST API's objects. After changing them, republish() serves them at once.
    Route53Store& route53() { return *route53_; }
    // Rebuilds the served Config from the last good config file plus the API's objects.
    bool republish(config::Diagnostics& diagnostics);

  private:
    config::LoadResult load() const;
    config::ConfigPtr with_cli_overrides(const config::ConfigPtr& loaded) const;
    bool install(const config::ConfigPtr& config, config::Diagnostics& diagnostics);
    void on_health(health::HealthTablePtr table);
    void publish_locked(health::HealthTablePtr table);
    void watch_config();

    CliOptions options_;
    std::unique_ptr<StateHolder> holder_;
    std::unique_ptr<health::Engine> engine_;
    std::unique_ptr<DnsServer> dns_;
    std::unique_ptr<AdminServer> admin_;
    std::unique_ptr<Route53Store> route53_;
    config::ConfigPtr file_config_;  // last valid config file, CLI overrides applied

    mutable std::mutex publish_mutex_;  // writers only; queries never take it
    config::ConfigPtr config_;
    std::shared_ptr<const resolver::ZoneSet> zones_;
    uint64_t config_generation_ = 0;
    uint64_t state_generation_ = 0;

    std::mutex reload_mutex_;
    std::atomic<bool> ready_{false};
    std::atomic<bool> stopping_{false};
    AppCounters counters_;
    std::string dns_endpoint_, admin_endpoint_;
};

}  // namespace r53::server
