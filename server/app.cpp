#include "server/app.hpp"

#include <pthread.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "healthcheck/clock.hpp"
#include "resolver/zone_set.hpp"
#include "server/address.hpp"
#include "server/admin/routes.hpp"
#include "server/dns/dns_server.hpp"
#include "server/dns/query_log.hpp"
#include "server/dns/state_holder.hpp"
#include "server/http/http_server.hpp"
#include "server/log.hpp"
#include "server/replicas.hpp"
#include "server/route53_api/api.hpp"
#include "server/route53_api/xml.hpp"
#include "server/store/atomic_file.hpp"

namespace r53::server {
namespace {

namespace fs = std::filesystem;

void log_diagnostics(const config::Diagnostics& ds) {
    for (const auto& d : ds)
        log(d.severity == config::Severity::Error ? LogLevel::Error : LogLevel::Warn, "config",
            config::format(d));
}

bool write_ready_file(const std::string& path, const std::string& dns, const std::string& admin) {
    boost::json::object o{{"dns", dns}, {"admin", admin}};
    // Fixtures poll for this file: they must never read half of it.
    return write_file_atomically(path, boost::json::serialize(o) + "\n").empty();
}

// What a person can act on when a listener cannot open: which listener and address, why in
// plain words, and the flag that changes it. The OS's own words only for rarer causes.
std::string listen_failure(const char* listener, const char* flag, const HostPort& at, int error) {
    std::string where = format_host_port(at.host, at.port);
    std::string head = "cannot listen for " + std::string(listener) + " on " + where + ": ";
    std::string change =
        std::string("; choose another with ") + flag + " ADDR:PORT (port 0 picks a free one)";
    if (error == EADDRINUSE) return head + "the port is already in use by another program" + change;
    if (error == EACCES && at.port < 1024)
        return head + "ports below 1024 need root or the CAP_NET_BIND_SERVICE capability" + change;
    if (error == EADDRNOTAVAIL)
        return head + at.host + " is not an address of this machine" + change;
    if (error == EAFNOSUPPORT)
        return head + "this machine has no " +
               (at.host.find(':') != std::string::npos ? "IPv6" : "IPv4") + change;
    if (error == EINVAL) return head + "'" + at.host + "' is not an IP address" + change;
    return head + std::strerror(error) + change;
}

std::optional<fs::file_time_type> config_mtime(const std::string& path) {
    std::error_code ec;
    if (path == "-") return std::nullopt;
    if (fs::is_directory(path, ec)) {
        fs::file_time_type newest{};
        for (const auto& e : fs::directory_iterator(path, ec))
            newest = std::max(newest, e.last_write_time(ec));
        return newest;
    }
    auto t = fs::last_write_time(path, ec);
    if (ec) return std::nullopt;
    return t;
}

}  // namespace

App::App(CliOptions options)
    : options_(std::move(options)),
      holder_(std::make_unique<StateHolder>()),
      store_(make_store(options_)) {}

App::~App() {
    stop();
}

bool App::ready() const {
    if (!ready_.load() || !engine_) return false;
    auto c = config();
    if (!c || c->local.clock.mode == config::ClockMode::Manual) return ready_.load();
    for (const auto& s : engine_->statuses()) {
        auto index = c->health_index(s.id);
        bool disabled = index && c->health_checks[*index].config.disabled;
        bool set_by_user = s.type == "CLOUDWATCH_METRIC" || s.type == "RECOVERY_CONTROL";
        if (!s.has_data && !disabled && !set_by_user) return false;
    }
    return true;
}

boost::asio::awaitable<HttpResponse> App::handle_http(const RouteRequest& request) {
    if (request.path.starts_with("/2013-04-01/"))
        co_return co_await boost::asio::co_spawn(
            route53_pool_,
            [this, &request]() -> boost::asio::awaitable<HttpResponse> {
                co_return handle_route53_request(*this, request);
            },
            boost::asio::use_awaitable);
    co_return co_await handle_admin_request(*this, request);
}

QueryCountersSnapshot App::query_counters() const {
    return sum_query_counters();
}

resolver::ExplainResult App::explain(const std::string& name, const std::string& type,
                                     const std::string& client) const {
    auto state = holder_->current();
    auto out = resolver::explain(state.get(), name, type, client);
    if (out.ok && log_enabled(LogLevel::Debug)) {
        std::string steps;
        for (const auto& step : out.trace) steps += (steps.empty() ? "" : "; ") + step;
        log(LogLevel::Debug, "explain", "explain " + name + " " + type,
            {{"client", out.client}, {"rcode", out.rcode}, {"trace", steps}});
    }
    return out;
}

std::vector<health::CheckStatus> App::health_statuses() const {
    return engine_->statuses();
}

std::optional<health::CheckStatus> App::health_status(const std::string& id) const {
    return engine_->status(id);
}

bool App::force_health(const std::string& id, std::optional<bool> healthy) {
    if (replicas_) return replicas_->force(id, healthy);
    return engine_->set_override(id, healthy);
}

std::string App::set_health_state(const std::string& id, const std::string& state) {
    if (replicas_) return replicas_->set_user_state(id, state);
    return engine_->set_user_state(id, state);
}

bool App::inject_result(const std::string& id, const std::string& region, int checker,
                        std::optional<health::InjectedResult> result) {
    return engine_->inject(id, region, checker, result);
}

bool App::advance_clock(double seconds) {
    return engine_->advance_clock(std::chrono::duration<double>(seconds));
}

ClockReading App::clock() const {
    ClockReading reading;
    if (auto c = config()) {
        reading.mode = c->local.clock.mode;
        reading.scale = health::time_scale(c->local.clock);
    }
    reading.now_seconds = engine_->clock_now().count();
    return reading;
}

std::optional<size_t> App::snapshots_live() const {
    return holder_->live();
}

std::optional<QueryLogStats> App::query_log_stats() const {
    if (!query_log_ || !query_log_->has_file()) return std::nullopt;
    return query_log_->stats();
}

std::optional<std::vector<QueryRecord>> App::recent_queries(const QueryFilter& filter) const {
    if (!query_log_ || !query_log_->enabled()) return std::nullopt;
    return query_log_->recent(filter);
}

config::ConfigPtr App::config() const {
    std::lock_guard lock(publish_mutex_);
    return config_;
}

config::LoadResult App::load() const {
    config::LoadOptions lo;
    lo.lenient = options_.lenient;
    if (options_.seed_dir) lo.seed_dir = *options_.seed_dir;
    auto result = config::load_config_file(options_.config_path, lo);
    if (result.config) result.config = with_cli_overrides(result.config);
    return result;
}

// Flags win over the file: a fixture starts the same config on port 0, fast or manual.
config::ConfigPtr App::with_cli_overrides(const config::ConfigPtr& loaded) const {
    auto c = std::make_shared<config::Config>(*loaded);
    auto& listen = c->local.listen;
    if (options_.dns_address)
        listen.dns = *options_.dns_address;
    else if (!listen.dns_given && options_.default_dns_address)
        listen.dns = *options_.default_dns_address;
    if (options_.admin_address)
        listen.admin = *options_.admin_address;
    else if (!listen.admin_given && options_.default_admin_address)
        listen.admin = *options_.default_admin_address;
    if (options_.manual_clock) {
        c->local.clock.mode = config::ClockMode::Manual;
    } else if (options_.time_scale) {
        c->local.clock.mode = config::ClockMode::Scaled;
        c->local.clock.scale = *options_.time_scale;
    }
    if (options_.workers) c->local.workers = *options_.workers;
    if (options_.seed) {
        c->local.routing_seed = *options_.seed;
        c->local.fleet.seed = *options_.seed;
    }
    return c;
}

void App::publish_locked(health::HealthTablePtr table, const char* cause) {
    auto state = std::make_shared<resolver::ServingState>();
    state->generation = ++state_generation_;
    state->config_generation = config_generation_;
    state->config = config_;
    state->zones = zones_;
    state->health = std::move(table);
    const uint64_t generation = state->generation;
    holder_->publish(std::move(state));
    events_.publish("publish", boost::json::serialize(
                                   boost::json::object{{"generation", generation},
                                                       {"config_generation", config_generation_},
                                                       {"cause", cause}}));
}

// After a publish, outside the publish lock: explain() reads the snapshot, not App's state.
void App::watch_answers() {
    if (auto state = holder_->current()) answers_.update(*state, events_);
}

void App::on_health(health::HealthTablePtr table) {
    {
        std::lock_guard lock(publish_mutex_);
        // A table computed for a config that has since been replaced would index the wrong slots.
        if (!table || table->config_generation != config_generation_) return;
        publish_locked(std::move(table), "health");
    }
    if (replicas_) replicas_->on_publish();
    watch_answers();
}

bool App::install(const config::ConfigPtr& file_config, config::Diagnostics& diagnostics) {
    auto config = store_->merge(file_config);
    auto zones = resolver::ZoneSet::build(*config, diagnostics);
    if (!zones || config::has_errors(diagnostics)) return false;
    // Never wait for the engine while holding publish_mutex_: the engine's own publishes take it
    // (on_health). The new layout is swapped in on the engine's thread instead, before any table
    // of it can be published.
    std::lock_guard serial(install_mutex_);
    uint64_t generation;
    {
        std::lock_guard lock(publish_mutex_);
        generation = config_generation_ + 1;
    }
    engine_->apply(config, generation, [&](health::HealthTablePtr table) {
        std::lock_guard lock(publish_mutex_);
        config_ = config;
        file_config_ = file_config;
        zones_ = std::move(zones);
        config_generation_ = generation;
        publish_locked(std::move(table), "config");
    });
    watch_answers();
    return true;
}

std::optional<int> App::start() {
    configure_logging(options_.log_level, options_.log_format);
    auto loaded = load();
    log_diagnostics(loaded.diagnostics);
    if (!loaded.config) {
        log(LogLevel::Error, "config", "config is invalid; not serving",
            {{"file", options_.config_path}});
        return kExitInvalidConfig;
    }
    if (auto error = store_->open(); !error.empty()) {
        log(LogLevel::Error, "store", error);
        return kExitRuntime;
    }
    const auto& local = loaded.config->local;
    auto dns_addr = parse_host_port(local.listen.dns);
    auto admin_addr = parse_host_port(local.listen.admin);
    if (!dns_addr || !admin_addr) {
        log(LogLevel::Error, "usage", "listen addresses must be ADDR:PORT",
            {{"dns", local.listen.dns}, {"admin", local.listen.admin}});
        return kExitUsage;
    }

    engine_ = std::make_unique<health::Engine>(
        health::EngineOptions{}, [this](health::HealthTablePtr t) { on_health(std::move(t)); },
        [this](const std::string& line) {
            log(LogLevel::Info, "health_transition", line);
            if (auto data = health_event_data(line); !data.empty())
                events_.publish("health", std::move(data));
        });
    config::Diagnostics build_diagnostics;
    if (!install(loaded.config, build_diagnostics)) {
        log_diagnostics(build_diagnostics);
        return kExitInvalidConfig;
    }
    log_diagnostics(build_diagnostics);
    if (auto* channel = store_->replicas())
        replicas_ = std::make_unique<ReplicaHealth>(*channel, *engine_);
    engine_->start();
    store_->follow([this] {
        config::Diagnostics ds;
        if (!republish(ds)) log_diagnostics(ds);
    });

    QueryLogOptions qopts;
    qopts.ring_entries = options_.query_log_buffer.value_or(options_.query_log ? 16384 : 1024);
    qopts.file = options_.query_log;
    qopts.format = options_.query_log_json ? QueryLogFormat::Json : QueryLogFormat::Text;
    query_log_ = std::make_unique<QueryLog>(qopts);
    if (std::string error; !query_log_->start(error)) {
        log(LogLevel::Error, "query_log", error);
        stop();
        return kExitRuntime;
    }

    const char* listener = "DNS (UDP and TCP)";
    const char* flag = "--dns";
    const HostPort* address = &*dns_addr;
    try {
        DnsServerOptions dopts;
        dopts.address = dns_addr->host;
        dopts.port = dns_addr->port;
        dopts.workers = static_cast<unsigned>(std::max(0, local.workers));
        const config::TcpSettings& tcp = local.dns.tcp;
        auto ms = [](config::Seconds s) {
            return std::chrono::duration_cast<std::chrono::milliseconds>(s);
        };
        dopts.max_tcp_connections = static_cast<size_t>(tcp.max_connections);
        dopts.tcp_idle_timeout = ms(tcp.idle_timeout);
        dopts.tcp_busy_idle_timeout = ms(tcp.busy_idle_timeout);
        dopts.tcp_io_timeout = ms(tcp.io_timeout);
        dopts.tcp_workers = static_cast<unsigned>(tcp.workers);
        dopts.query_log = query_log_.get();
        dns_ = std::make_unique<DnsServer>(dopts, *holder_);
        dns_->start();
        listener = "the admin API";
        flag = "--admin";
        address = &*admin_addr;
        // One HTTP server: the Route 53 REST API under its version prefix, the admin API beside.
        // The errors the HTTP layer answers itself keep the shape of the API asked: AWS's XML
        // ErrorResponse under the Route 53 prefix, the admin API's JSON error elsewhere.
        auto render_error = [](const RouteRequest& r, http::status status, const std::string& code,
                               const std::string& message) {
            if (r.path.starts_with("/2013-04-01/"))
                return route53::aws_error(status, code, message,
                                          r.raw.version() ? r.raw.version() : 11);
            return json_error(status, code, message);
        };
        admin_ = std::make_unique<HttpServer>(
            admin_addr->host, admin_addr->port,
            [this](const RouteRequest& r) { return handle_http(r); }, render_error);
        admin_->start();
    } catch (const std::system_error& e) {
        log(LogLevel::Error, "listen", listen_failure(listener, flag, *address, e.code().value()));
        stop();
        return kExitBindFailed;
    } catch (const boost::system::system_error& e) {
        log(LogLevel::Error, "listen", listen_failure(listener, flag, *address, e.code().value()));
        stop();
        return kExitBindFailed;
    }
    dns_endpoint_ = format_host_port(dns_addr->host, dns_->bound_port());
    admin_endpoint_ = format_host_port(admin_addr->host, admin_->bound_port());
    if (options_.ready_file &&
        !write_ready_file(*options_.ready_file, dns_endpoint_, admin_endpoint_)) {
        log(LogLevel::Error, "ready_file", "cannot write the ready file",
            {{"path", *options_.ready_file}});
        stop();
        return kExitRuntime;
    }
    ready_ = true;
    log(LogLevel::Info, "serving", "r53sim serving",
        {{"dns", dns_endpoint_},
         {"admin", admin_endpoint_},
         {"zones", std::to_string(loaded.config->zones.size())},
         {"health_checks", std::to_string(loaded.config->health_checks.size())}});
    return std::nullopt;
}

bool App::republish(config::Diagnostics& diagnostics) {
    std::lock_guard guard(reload_mutex_);
    config::ConfigPtr file;
    {
        std::lock_guard lock(publish_mutex_);
        file = file_config_;
    }
    return file && install(file, diagnostics);
}

ReloadOutcome App::reload() {
    std::lock_guard guard(reload_mutex_);
    ReloadOutcome out;
    auto loaded = load();
    out.diagnostics = loaded.diagnostics;
    if (loaded.config) {
        // Listeners stay where and as they are (address, TCP limits): a reload changes what is
        // served, not where or how.
        auto current = config();
        auto c = std::make_shared<config::Config>(*loaded.config);
        if (current) {
            c->local.listen = current->local.listen;
            c->local.dns = current->local.dns;
        }
        out.ok = install(c, out.diagnostics);
    }
    if (out.ok) {
        ++counters_.reloads;
        counters_.last_reload_success_time =
            std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
                .count();
        std::lock_guard lock(publish_mutex_);
        out.config_generation = config_generation_;
        log(LogLevel::Info, "reload", "config reloaded",
            {{"generation", std::to_string(config_generation_)}});
    } else {
        ++counters_.reload_failures;
        log_diagnostics(out.diagnostics);
        log(LogLevel::Error, "reload", "reload rejected; the previous config keeps serving",
            {{"errors", std::to_string(out.diagnostics.size())}});
    }
    return out;
}

void App::stop() {
    if (stopping_.exchange(true)) return;
    ready_ = false;
    if (admin_) admin_->stop();
    route53_pool_.join();  // the API's last requests finish before the store closes
    if (dns_) dns_->stop();
    if (store_) store_->close();  // its thread calls into the engine and republishes
    if (replicas_) replicas_->stop();
    if (query_log_) query_log_->stop();  // after the workers: their last queries are written
    if (engine_) engine_->stop();
}

int App::run_until_signalled() {
    boost::asio::io_context io;
    boost::asio::signal_set signals(io, SIGTERM, SIGINT, SIGHUP);
    // main() held these signals until now (a stop that came early is pending, not lost).
    sigset_t held;
    sigemptyset(&held);
    for (int signo : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&held, signo);
    pthread_sigmask(SIG_UNBLOCK, &held, nullptr);
    std::function<void()> wait_signal = [&] {
        signals.async_wait([&](const boost::system::error_code& ec, int signo) {
            if (ec) return;
            if (signo == SIGHUP) {
                log(LogLevel::Info, "signal", "SIGHUP: reloading");
                if (query_log_) query_log_->reopen();
                reload();
                wait_signal();
                return;
            }
            log(LogLevel::Info, "signal",
                signo == SIGTERM ? "SIGTERM: stopping" : "SIGINT: stopping");
            io.stop();
        });
    };
    wait_signal();

    boost::asio::steady_timer watch_timer(io);
    auto last_mtime = config_mtime(options_.config_path);
    std::function<void()> watch = [&] {
        watch_timer.expires_after(std::chrono::milliseconds(500));
        watch_timer.async_wait([&](const boost::system::error_code& ec) {
            if (ec) return;
            auto now = config_mtime(options_.config_path);
            if (now && now != last_mtime) {
                last_mtime = now;
                log(LogLevel::Info, "watch", "config file changed: reloading");
                reload();
            }
            watch();
        });
    };
    if (options_.watch) watch();

    io.run();
    stop();
    log(LogLevel::Info, "stopped", "r53sim stopped");
    return kExitOk;
}

}  // namespace r53::server
