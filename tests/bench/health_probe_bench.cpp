// Probe engine throughput: N HTTP checks against an in-process loopback server for a bounded
// time; prints probes/s achieved vs scheduled, the engine thread's CPU share and the RSS.
//
//   health_probe_bench [--checks 5000] [--interval 1] [--seconds 60] [--fleet]
//
// Default is one checker per check (fleet.single_checker); --fleet uses the full 16-checker
// fleet, which multiplies the scheduled rate by 16.
#include <unistd.h>

#include <atomic>
#include <boost/asio.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>

#include "healthcheck/engine.hpp"
#include "proc_stats.hpp"

namespace asio = boost::asio;
using r53::bench::engine_thread_ticks;
using r53::bench::rss_kib;
using tcp = asio::ip::tcp;

namespace {

class OkServer {
  public:
    OkServer() : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
        asio::co_spawn(io_, accept_loop(), asio::detached);
        thread_ = std::thread([this] { io_.run(); });
    }
    ~OkServer() {
        io_.stop();
        thread_.join();
    }
    uint16_t port() const { return acceptor_.local_endpoint().port(); }
    uint64_t served() const { return served_.load(); }

  private:
    asio::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, socket] =
                co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
            if (ec) continue;
            asio::co_spawn(io_, session(std::move(socket)), asio::detached);
        }
    }
    asio::awaitable<void> session(tcp::socket socket) {
        std::string head;
        auto [ec, n] = co_await asio::async_read_until(
            socket, asio::dynamic_buffer(head), "\r\n\r\n", asio::as_tuple(asio::use_awaitable));
        if (ec) co_return;
        static const std::string response =
            "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        co_await asio::async_write(socket, asio::buffer(response),
                                   asio::as_tuple(asio::use_awaitable));
        served_.fetch_add(1);
    }
    asio::io_context io_;
    tcp::acceptor acceptor_;
    std::atomic<uint64_t> served_{0};
    std::thread thread_;
};

}  // namespace

int main(int argc, char** argv) {
    int checks = 5000;
    double interval = 1.0;
    int seconds = 60;
    bool fleet = false;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string("0"); };
        if (arg == "--checks")
            checks = std::stoi(next());
        else if (arg == "--interval")
            interval = std::stod(next());
        else if (arg == "--seconds")
            seconds = std::min(600, std::stoi(next()));
        else if (arg == "--fleet")
            fleet = true;
        else {
            std::cerr << "usage: health_probe_bench [--checks N] [--interval S] [--seconds S] "
                         "[--fleet]\n";
            return 2;
        }
    }

    OkServer server;
    auto config = std::make_shared<r53::config::Config>();
    config->local.fleet.single_checker = !fleet;
    for (int i = 0; i < checks; ++i) {
        r53::config::HealthCheck hc;
        char id[32];
        std::snprintf(id, sizeof id, "hc-%06d", i);
        hc.id = id;
        hc.config.type = r53::config::HealthCheckType::HTTP;
        hc.config.ip_address = "127.0.0.1";
        hc.config.port = server.port();
        hc.local.interval = r53::config::Seconds(interval);
        config->health_checks.push_back(hc);
    }
    const int checkers = fleet ? 16 : 1;

    std::atomic<uint64_t> transitions{0};
    r53::health::Engine engine({}, nullptr, [&](const std::string&) { transitions.fetch_add(1); });
    engine.start();
    engine.apply(config, 1);

    const long ticks_per_second = sysconf(_SC_CLK_TCK);
    // Skip the first interval: checkers start spread over it.
    std::this_thread::sleep_for(std::chrono::duration<double>(interval));
    const uint64_t served_start = server.served();
    const long ticks_start = engine_thread_ticks();
    const auto start = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const uint64_t served = server.served() - served_start;
    const double engine_cpu =
        static_cast<double>(engine_thread_ticks() - ticks_start) / ticks_per_second / elapsed;

    size_t healthy = 0;
    for (const auto& s : engine.statuses()) healthy += s.healthy ? 1 : 0;
    engine.stop();

    const double scheduled = checks * checkers / interval;
    std::printf(
        "checks=%d checkers_per_check=%d interval_s=%.3f seconds=%.1f\n"
        "probes_per_s_scheduled=%.0f probes_per_s_achieved=%.0f ratio=%.3f\n"
        "engine_thread_cpu_share=%.3f rss_mib=%.1f healthy_checks=%zu transitions=%llu\n",
        checks, checkers, interval, elapsed, scheduled, served / elapsed,
        served / elapsed / scheduled, engine_cpu, rss_kib() / 1024.0, healthy,
        static_cast<unsigned long long>(transitions.load()));
    return 0;
}
