#include "healthcheck/engine.hpp"

#include <pthread.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "healthcheck/aggregate.hpp"
#include "healthcheck/runtime.hpp"

namespace r53::health {

namespace asio = boost::asio;
using RuntimePtr = std::shared_ptr<CheckRuntime>;

namespace {

bool same_alarm(const std::optional<config::AlarmIdentifier>& a,
                const std::optional<config::AlarmIdentifier>& b) {
    if (!a || !b) return a.has_value() == b.has_value();
    return a->region == b->region && a->name == b->name;
}

// Field by field: AlarmIdentifier has no operator==, which makes HealthCheckConfig's deleted.
bool same_check_config(const config::HealthCheckConfig& a, const config::HealthCheckConfig& b) {
    return a.type == b.type && a.ip_address == b.ip_address && a.port == b.port &&
           a.resource_path == b.resource_path &&
           a.fully_qualified_domain_name == b.fully_qualified_domain_name &&
           a.search_string == b.search_string && a.request_interval == b.request_interval &&
           a.failure_threshold == b.failure_threshold && a.measure_latency == b.measure_latency &&
           a.inverted == b.inverted && a.disabled == b.disabled &&
           a.health_threshold == b.health_threshold &&
           a.child_health_checks == b.child_health_checks && a.enable_sni == b.enable_sni &&
           a.regions == b.regions && same_alarm(a.alarm_identifier, b.alarm_identifier) &&
           a.insufficient_data_health_status == b.insufficient_data_health_status &&
           a.routing_control_arn == b.routing_control_arn;
}

}  // namespace

struct Engine::Impl {
    Impl(EngineOptions o, Publish p, TransitionLog l)
        : options(o), publish(std::move(p)), log(std::move(l)) {}

    EngineOptions options;
    Publish publish;
    TransitionLog log;

    // Declared before io so they outlive the coroutine frames io destroys.
    std::vector<std::unique_ptr<Clock>> retired_clocks;
    std::unique_ptr<Clock> clock;
    std::chrono::steady_clock::time_point clock_made{};
    Prober prober;

    asio::io_context io;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
    std::thread thread;
    std::thread::id thread_id;
    std::atomic<bool> running{false};
    bool stopping = false;

    config::ConfigPtr config;
    uint64_t generation = 0;
    std::vector<RuntimePtr> checks;      // in config.health_checks order
    std::vector<RuntimePtr> calculated;  // the CALCULATED ones among them, in the same order
    std::optional<config::ClockSettings> clock_settings;
    std::optional<config::FleetSettings> fleet_settings;
    double scale = 1.0;
    std::mt19937_64 rng{std::random_device{}()};

    bool probing = true;
    std::map<std::string, CheckShare> shares;  // the prober's latest, by check id

    bool dirty = false;
    bool publish_pending = false;  // a posted publish has not run yet
    std::atomic<uint64_t> published_version{0};

    std::mutex advance_mutex;  // one advance_clock at a time walks the manual clock
    std::mutex live_mutex;
    std::condition_variable live_cv;
    int live_coroutines = 0;

    template <class F>
    auto on_engine(F f) -> decltype(f()) {
        if (!running || std::this_thread::get_id() == thread_id) return f();
        std::packaged_task<decltype(f())()> task(std::move(f));
        auto result = task.get_future();
        asio::post(io, [&task] { task(); });
        return result.get();
    }

    RuntimePtr find(const std::string& id) const {
        if (!config) return nullptr;
        auto index = config->health_index(id);
        return index && *index < checks.size() ? checks[*index] : nullptr;
    }

    HealthTablePtr table() const {
        auto t = std::make_shared<HealthTable>();
        t->config_generation = generation;
        t->healthy.reserve(checks.size());
        for (const auto& c : checks) t->healthy.push_back(c->verdict ? 1 : 0);
        return t;
    }

    void publish_now() {
        dirty = false;
        auto t = table();
        published_version.fetch_add(1);
        if (publish) publish(std::move(t));
    }

    // A changed verdict is published at once: the publish is posted behind the handlers already
    // queued, so results that complete in the same turn of the io_context go out together, and
    // the deciding result waits for nothing else. Results that change no verdict publish nothing.
    void changed(CheckRuntime* only = nullptr) {
        if (recompute_verdicts(checks, *config, log, only, only ? &calculated : nullptr))
            dirty = true;
        if (!dirty || clock->manual() || publish_pending || stopping) return;
        publish_pending = true;
        asio::post(io, [this] {
            publish_pending = false;
            if (dirty && !stopping) publish_now();
        });
    }

    template <class Make>
    void spawn(Make make, asio::cancellation_slot slot = {}) {
        {
            std::lock_guard lock(live_mutex);
            ++live_coroutines;
        }
        asio::co_spawn(io, guarded(std::move(make)),
                       asio::bind_cancellation_slot(slot, asio::detached));
    }

    template <class Make>
    asio::awaitable<void> guarded(Make make) {
        try {
            co_await make();
        } catch (...) {
            // A checker must never take the engine down; the next interval retries.
        }
        std::lock_guard lock(live_mutex);
        if (--live_coroutines == 0) live_cv.notify_all();
    }

    asio::awaitable<void> run_checker(RuntimePtr check, std::shared_ptr<CheckerState> checker) {
        co_await asio::this_coro::throw_if_cancelled(false);
        Clock& my_clock = checker->sleeper->clock();
        // However the loop ends (stop, reload, exception), a manual advance() must not wait
        // for this checker any more.
        struct Finish {
            Sleeper& sleeper;
            ~Finish() { sleeper.finish(); }
        } finish{*checker->sleeper};
        Duration first =
            std::chrono::duration_cast<Duration>(check->interval * checker->slot.start_fraction);
        if (!co_await my_clock.sleep(*checker->sleeper, first)) co_return;
        while (checker->alive && !stopping) {
            if (!probing) {
                // Another replica probes this checker; its results arrive by import_shares.
                if (!co_await my_clock.sleep(*checker->sleeper, check->interval)) break;
                continue;
            }
            ProbeOutcome outcome;
            std::optional<double> latency;
            if (checker->injected) {
                outcome = injected_outcome(*checker->injected, check->plan);
            } else {
                std::shared_ptr<const std::vector<config::EndpointMapping>> endpoints(
                    config, &config->local.endpoints);
                const auto started = std::chrono::steady_clock::now();
                ProbePlan plan = check->plan;
                plan.checker =
                    checker->slot.region + "/" + std::to_string(checker->slot.index_in_region);
                outcome = co_await prober.probe(std::move(plan), std::move(endpoints));
                latency = std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
                              .count();
                record_probe_stats(*check, outcome, *latency);
            }
            if (!checker->alive || stopping) break;
            checker->observation.latency_seconds = latency;
            if (record_outcome(*check, *checker, outcome)) changed(check.get());
            // §1.4 pt 1: the next request one interval after the response; no jitter when the
            // fleet is seeded (§8 pt 32) or on the manual clock, where each advance of one
            // interval must run exactly one probe (clock.hpp).
            Duration next = check->interval;
            if (!fleet_settings->seed && !my_clock.manual()) {
                std::uniform_real_distribution<double> jitter(0.95, 1.05);
                next = std::chrono::duration_cast<Duration>(next * jitter(rng));
            }
            if (!co_await my_clock.sleep(*checker->sleeper, next)) break;
        }
    }

    RuntimePtr make_runtime(const config::HealthCheck& hc) {
        auto rt = std::make_shared<CheckRuntime>();
        rt->check = hc;
        rt->plan = plan_probe(hc, scale);
        rt->interval = probe_interval(hc, scale);
        if (rt->interval <= Duration::zero()) rt->interval = std::chrono::seconds(30);
        const auto type = hc.config.type;
        if (type == config::HealthCheckType::CLOUDWATCH_METRIC ||
            type == config::HealthCheckType::RECOVERY_CONTROL) {
            if (hc.local.initial_state) apply_user_state(*rt, *hc.local.initial_state);
        }
        if (is_probed(type)) {
            for (auto& slot : fleet_layout(hc, *fleet_settings)) {
                auto c = std::make_shared<CheckerState>(slot, hc.config.failure_threshold);
                c->observation.region = c->slot.region;
                c->observation.checker = c->slot.index_in_region;
                c->observation.checker_ip = c->slot.checker_ip;
                c->sleeper = std::make_unique<Sleeper>(io.get_executor(), *clock);
                rt->checkers.push_back(std::move(c));
            }
        }
        // Disabled checks stop probing (§1.2) and are healthy by the modifier rule.
        if (!hc.config.disabled) {
            for (auto& c : rt->checkers) {
                spawn([this, rt, c] { return run_checker(rt, c); }, c->cancel.slot());
            }
        }
        rt->verdict = apply_modifiers(rt->measured, hc.config.disabled, hc.config.inverted);
        return rt;
    }

    HealthTablePtr install(const config::ConfigPtr& next, uint64_t next_generation) {
        bool rebuild =
            !clock_settings ||
            !(clock_settings->mode == next->local.clock.mode &&
              clock_settings->scale == next->local.clock.scale) ||
            !fleet_settings ||
            fleet_settings->checkers_per_region != next->local.fleet.checkers_per_region ||
            fleet_settings->single_checker != next->local.fleet.single_checker ||
            fleet_settings->seed != next->local.fleet.seed;
        std::map<std::string, RuntimePtr> previous;
        for (auto& c : checks) previous.emplace(c->check.id, c);
        if (rebuild) {
            for (auto& [id, c] : previous) c->stop();
            previous.clear();
            if (clock) retired_clocks.push_back(std::move(clock));
            clock = make_clock(next->local.clock);
            clock_made = std::chrono::steady_clock::now();
            clock_settings = next->local.clock;
            fleet_settings = next->local.fleet;
            scale = time_scale(next->local.clock);
        }
        std::vector<RuntimePtr> installed;
        config = next;
        generation = next_generation;
        for (const auto& hc : next->health_checks) {
            auto it = previous.find(hc.id);
            if (it != previous.end() && same_check_config(it->second->check.config, hc.config) &&
                it->second->check.local == hc.local) {
                it->second->check.where = hc.where;
                installed.push_back(it->second);
                previous.erase(it);
            } else {
                installed.push_back(make_runtime(hc));
                // A replica that does not probe starts a new check from the prober's state.
                if (auto share = shares.find(hc.id); !probing && share != shares.end())
                    apply_share(*installed.back(), share->second);
            }
            installed.back()->index = static_cast<uint32_t>(installed.size() - 1);
        }
        for (auto& [id, c] : previous) c->stop();
        checks = std::move(installed);
        calculated.clear();
        for (const auto& c : checks)
            if (c->check.config.type == config::HealthCheckType::CALCULATED)
                calculated.push_back(c);
        recompute_verdicts(checks, *config, log);
        dirty = false;
        return table();
    }

    // Sets the checkers from the prober's share. Returns true if any checker took it.
    bool apply_share(CheckRuntime& check, const CheckShare& share) {
        bool any = false;
        for (const auto& from : share.checkers) {
            for (auto& c : check.checkers) {
                if (c->slot.region != from.region || c->slot.index_in_region != from.checker)
                    continue;
                // The newest observation wins: after probing on its own (the store was out of
                // reach) a replica keeps what it saw until the prober has seen something newer.
                if (!from.has_data || (c->has_data && from.checked_at < c->observation.checked_at))
                    continue;
                c->threshold.restore(from.healthy, from.successes, from.failures);
                c->has_data = from.has_data;
                auto& o = c->observation;
                o.healthy = from.healthy;
                o.last_probe_ok = from.last_probe_ok;
                o.consecutive_successes = from.successes;
                o.consecutive_failures = from.failures;
                o.status = from.status;
                o.checked_at = from.checked_at;
                if (!from.last_probe_ok &&
                    (!check.last_failure || check.last_failure->checked_at < o.checked_at))
                    check.last_failure = o;
                any = true;
            }
        }
        if (!any) return false;
        const bool was = check.measured;
        const int healthy = check.healthy_checkers();
        const int total = static_cast<int>(check.checkers.size());
        check.has_data = true;
        check.measured = fleet_healthy(healthy, total);
        if (check.measured != was)
            check.reason = std::to_string(healthy) + " of " + std::to_string(total) +
                           " checkers healthy (probed by another replica)";
        return true;
    }

    void apply_stored_shares() {
        for (auto& c : checks)
            if (auto it = shares.find(c->check.id); it != shares.end()) apply_share(*c, it->second);
        if (recompute_verdicts(checks, *config, log) || dirty) publish_now();
    }

    void stop_everything() {
        stopping = true;
        for (auto& c : checks) c->stop();
        work.reset();
    }
};

Engine::Engine(EngineOptions options, Publish publish, TransitionLog log)
    : impl_(std::make_unique<Impl>(options, std::move(publish), std::move(log))) {}

Engine::~Engine() {
    stop();
}

void Engine::start() {
    if (impl_->running || impl_->stopping) return;
    impl_->work.emplace(impl_->io.get_executor());
    std::promise<void> started;
    auto ready = started.get_future();
    impl_->thread = std::thread([this, &started] {
        impl_->thread_id = std::this_thread::get_id();
        pthread_setname_np(pthread_self(), "r53-health");  // visible in top -H and benches
        started.set_value();
        impl_->io.run();
    });
    ready.wait();
    impl_->running = true;
}

void Engine::stop() {
    if (!impl_->running) {
        impl_->stopping = true;
        return;
    }
    impl_->on_engine([this] { impl_->stop_everything(); });
    {
        // Every probe step has a deadline, so this wait is bounded; the cap guards against a
        // stuck system resolver.
        std::unique_lock lock(impl_->live_mutex);
        impl_->live_cv.wait_for(lock, std::chrono::seconds(3),
                                [this] { return impl_->live_coroutines == 0; });
    }
    impl_->running = false;
    impl_->io.stop();
    if (impl_->thread.joinable()) impl_->thread.join();
}

HealthTablePtr Engine::apply(const config::ConfigPtr& config, uint64_t generation,
                             const std::function<void(HealthTablePtr)>& installed) {
    return impl_->on_engine([&] {
        auto table = impl_->install(config, generation);
        if (installed) installed(table);
        return table;
    });
}

bool Engine::set_override(const std::string& id, std::optional<bool> healthy) {
    return impl_->on_engine([&] {
        auto c = impl_->find(id);
        if (!c) return false;
        c->forced = healthy;
        if (!healthy) c->reason = "override cleared";
        recompute_verdicts(impl_->checks, *impl_->config, impl_->log);
        impl_->publish_now();  // the next DNS answer must see it
        return true;
    });
}

std::string Engine::set_user_state(const std::string& id, const std::string& state) {
    return impl_->on_engine([&]() -> std::string {
        auto c = impl_->find(id);
        if (!c) return "no such health check: " + id;
        std::string error = apply_user_state(*c, state);
        if (!error.empty()) return error;
        recompute_verdicts(impl_->checks, *impl_->config, impl_->log);
        impl_->publish_now();
        return {};
    });
}

bool Engine::inject(const std::string& id, const std::string& region, int checker,
                    std::optional<InjectedResult> result) {
    return impl_->on_engine([&] {
        auto c = impl_->find(id);
        if (!c) return false;
        bool matched = false;
        for (auto& state : c->checkers) {
            if (!region.empty() && state->slot.region != region) continue;
            if (checker >= 0 && state->slot.index_in_region != checker) continue;
            state->injected = result;
            matched = true;
        }
        return matched;
    });
}

bool Engine::advance_clock(std::chrono::duration<double> by) {
    // From the engine thread it would wait for itself.
    if (!impl_->running || std::this_thread::get_id() == impl_->thread_id) return false;
    std::lock_guard serial(impl_->advance_mutex);
    auto done = std::make_shared<std::promise<bool>>();
    auto result = done->get_future();
    bool posted = impl_->on_engine([&] {
        auto* manual = dynamic_cast<ManualClock*>(impl_->clock.get());
        if (!manual || impl_->stopping) return false;
        auto span = std::chrono::duration_cast<Duration>(by);
        impl_->spawn([this, manual, span, done]() -> asio::awaitable<void> {
            co_await manual->advance(span, impl_->stopping);
            if (impl_->dirty && !impl_->stopping) impl_->publish_now();
            done->set_value(!impl_->stopping);
        });
        return true;
    });
    if (!posted) return false;
    try {
        return result.get();
    } catch (const std::future_error&) {
        return false;  // the engine stopped under us
    }
}

std::chrono::duration<double> Engine::clock_now() const {
    return impl_->on_engine([this]() -> std::chrono::duration<double> {
        if (!impl_->clock) return {};
        if (auto* manual = dynamic_cast<ManualClock*>(impl_->clock.get())) return manual->now();
        return (std::chrono::steady_clock::now() - impl_->clock_made) / impl_->scale;
    });
}

void Engine::set_probing(bool probing) {
    impl_->on_engine([&] {
        if (impl_->probing == probing) return;
        impl_->probing = probing;
        if (!probing && impl_->config) impl_->apply_stored_shares();
    });
}

std::vector<CheckShare> Engine::export_shares() const {
    return impl_->on_engine([this] {
        std::vector<CheckShare> out;
        for (const auto& c : impl_->checks) {
            if (c->checkers.empty()) continue;
            CheckShare share{c->check.id, {}};
            for (const auto& k : c->checkers)
                share.checkers.push_back(CheckerShare{
                    k->slot.region, k->slot.index_in_region, k->threshold.healthy(),
                    k->threshold.consecutive_successes(), k->threshold.consecutive_failures(),
                    k->has_data, k->observation.last_probe_ok, k->observation.status,
                    k->observation.checked_at});
            out.push_back(std::move(share));
        }
        return out;
    });
}

void Engine::import_shares(std::vector<CheckShare> shares) {
    // Posted, not waited for: the caller may be inside a publish that the engine waits on.
    auto apply = [this, shares = std::move(shares)] {
        for (const auto& s : shares) impl_->shares[s.id] = s;
        if (impl_->probing || !impl_->config || impl_->stopping) return;
        bool any = false;
        for (const auto& s : shares)
            if (auto c = impl_->find(s.id)) any = impl_->apply_share(*c, s) || any;
        if (any && recompute_verdicts(impl_->checks, *impl_->config, impl_->log))
            impl_->publish_now();  // every replica answers the same within a watch round trip
    };
    if (!impl_->running) {
        apply();
        return;
    }
    asio::post(impl_->io, std::move(apply));
}

std::vector<CheckStatus> Engine::statuses() const {
    return impl_->on_engine([this] {
        std::vector<CheckStatus> out;
        if (!impl_->config) return out;
        for (const auto& c : impl_->checks) {
            out.push_back(status_of(*c, impl_->checks, *impl_->config));
        }
        return out;
    });
}

std::optional<CheckStatus> Engine::status(const std::string& id) const {
    return impl_->on_engine([&]() -> std::optional<CheckStatus> {
        auto c = impl_->find(id);
        if (!c) return std::nullopt;
        return status_of(*c, impl_->checks, *impl_->config);
    });
}

uint64_t Engine::version() const {
    return impl_->published_version.load();
}

}  // namespace r53::health
