// Many checks on one engine thread: N HTTP and M HTTPS checks (every HTTPS probe its own TLS
// session: the server keeps no session cache and issues no tickets) against loopback servers in
// a child process, so that the figures below are the engine's alone:
//   - the engine thread's CPU share, the process RSS, its open file descriptors (/proc/self/fd)
//     before the checks start, while they run and after they stop;
//   - probe-interval jitter: for each check, |time between two probes - interval|, measured where
//     the probes arrive (the child), p50 and p99.
//
//   many_checks_bench [--http 10000] [--https 1000] [--interval 1] [--seconds 60]
//
// A fast-clock run is the same with a short interval: --interval 0.01 --seconds 36 makes 3,600
// probes per check, an hour's worth at 1 s. Loopback only; every phase is bounded in time.
#include <openssl/ssl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "healthcheck/engine.hpp"
#include "proc_stats.hpp"

namespace asio = boost::asio;
using r53::bench::engine_thread_ticks;
using r53::bench::rss_kib;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// Arrival times per check; the path of a probe names its check ("/c/17").
class Arrivals {
  public:
    explicit Arrivals(size_t checks, double interval) : last_(checks), interval_(interval) {}
    void note(size_t check) {
        const double now = std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
        std::lock_guard lock(mutex_);
        if (check >= last_.size()) return;
        if (last_[check] > 0 && recording_)
            jitter_.push_back(std::abs(now - last_[check] - interval_));
        last_[check] = now;
        ++probes_;
    }
    void start_recording() {
        std::lock_guard lock(mutex_);
        jitter_.clear();
        probes_ = 0;
        recording_ = true;
    }
    std::string report() {
        std::lock_guard lock(mutex_);
        std::sort(jitter_.begin(), jitter_.end());
        auto at = [&](double p) {
            return jitter_.empty() ? 0.0
                                   : jitter_[std::min(jitter_.size() - 1,
                                                      static_cast<size_t>(p * jitter_.size()))];
        };
        char line[200];
        std::snprintf(line, sizeof line, "%llu %.3f %.3f %.3f\n",
                      static_cast<unsigned long long>(probes_), at(0.5) * 1e3, at(0.99) * 1e3,
                      jitter_.empty() ? 0.0 : jitter_.back() * 1e3);
        return line;
    }

  private:
    std::mutex mutex_;
    std::vector<double> last_;
    std::vector<double> jitter_;
    double interval_;
    uint64_t probes_ = 0;
    bool recording_ = false;
};

size_t check_of(const std::string& head) {
    auto slash = head.find("/c/");
    if (slash == std::string::npos) return SIZE_MAX;
    return std::strtoul(head.c_str() + slash + 3, nullptr, 10);
}

const std::string kResponse = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";

template <class Stream>
asio::awaitable<void> answer(Stream& stream, Arrivals& arrivals) {
    std::string head;
    auto [ec, n] = co_await asio::async_read_until(stream, asio::dynamic_buffer(head), "\r\n\r\n",
                                                   asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    arrivals.note(check_of(head));
    co_await asio::async_write(stream, asio::buffer(kResponse),
                               asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<void> http_loop(tcp::acceptor& acceptor, Arrivals& arrivals) {
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
        if (ec) continue;
        asio::co_spawn(
            acceptor.get_executor(),
            [s = std::move(socket), &arrivals]() mutable -> asio::awaitable<void> {
                co_await answer(s, arrivals);
                boost::system::error_code ignored;
                s.shutdown(tcp::socket::shutdown_both, ignored);
            },
            asio::detached);
    }
}

asio::awaitable<void> https_loop(tcp::acceptor& acceptor, asio::ssl::context& tls,
                                 Arrivals& arrivals) {
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
        if (ec) continue;
        asio::co_spawn(
            acceptor.get_executor(),
            [s = asio::ssl::stream<tcp::socket>(std::move(socket), tls),
             &arrivals]() mutable -> asio::awaitable<void> {
                auto [hec] = co_await s.async_handshake(asio::ssl::stream_base::server,
                                                        asio::as_tuple(asio::use_awaitable));
                if (hec) co_return;
                co_await answer(s, arrivals);
                boost::system::error_code ignored;
                s.lowest_layer().shutdown(tcp::socket::shutdown_both, ignored);
            },
            asio::detached);
    }
}

constexpr int kHttpListeners = 4;  // on 127.0.0.2-5: four accept queues, four port spaces

// The child: the servers on two threads; reads commands from `control` ('r' = start recording,
// 'q' = report to `result` and exit).
[[noreturn]] void run_servers(int ports_fd, int control_fd, int result_fd, size_t checks,
                              double interval, const std::string& cert, const std::string& key) {
    asio::io_context io;
    Arrivals arrivals(checks, interval);
    std::vector<std::unique_ptr<tcp::acceptor>> http;
    std::string ports;
    for (int i = 0; i < kHttpListeners; ++i) {
        auto address = asio::ip::make_address("127.0.0." + std::to_string(2 + i));
        http.push_back(std::make_unique<tcp::acceptor>(io, tcp::endpoint(address, 0)));
        http.back()->listen(4096);
        ports += std::to_string(http.back()->local_endpoint().port()) + " ";
    }
    tcp::acceptor https(io, tcp::endpoint(asio::ip::make_address("127.0.0.6"), 0));
    https.listen(4096);
    asio::ssl::context tls(asio::ssl::context::tls_server);
    tls.use_certificate_chain_file(cert);
    tls.use_private_key_file(key, asio::ssl::context::pem);
    SSL_CTX_set_session_cache_mode(tls.native_handle(), SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(tls.native_handle(), SSL_OP_NO_TICKET);
    for (auto& a : http) asio::co_spawn(io, http_loop(*a, arrivals), asio::detached);
    asio::co_spawn(io, https_loop(https, tls, arrivals), asio::detached);
    ports += std::to_string(https.local_endpoint().port()) + "\n";
    if (write(ports_fd, ports.data(), ports.size()) < 0) _exit(1);
    std::thread server_a([&] { io.run(); });
    std::thread server_b([&] { io.run(); });
    char command = 0;
    while (read(control_fd, &command, 1) == 1) {
        if (command == 'r') arrivals.start_recording();
        if (command == 'q') break;
    }
    const std::string line = arrivals.report();
    if (write(result_fd, line.data(), line.size()) < 0) _exit(1);
    io.stop();
    server_a.join();
    server_b.join();
    _exit(0);
}

// Open descriptors, and how many of them are sockets.
std::pair<int, int> open_fds() {
    int all = 0, sockets = 0;
    for (const auto& fd : std::filesystem::directory_iterator("/proc/self/fd")) {
        ++all;
        std::error_code ec;
        auto target = std::filesystem::read_symlink(fd.path(), ec);
        if (!ec && target.string().rfind("socket:", 0) == 0) ++sockets;
    }
    return {all, sockets};
}

}  // namespace

int main(int argc, char** argv) {
    int http_checks = 10000, https_checks = 1000;
    double interval = 1.0;
    int seconds = 60;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string("0"); };
        if (arg == "--http")
            http_checks = std::stoi(next());
        else if (arg == "--https")
            https_checks = std::stoi(next());
        else if (arg == "--interval")
            interval = std::stod(next());
        else if (arg == "--seconds")
            seconds = std::min(600, std::stoi(next()));
        else {
            std::cerr << "usage: many_checks_bench [--http N] [--https N] [--interval S] "
                         "[--seconds S]\n";
            return 2;
        }
    }
    const size_t checks = static_cast<size_t>(http_checks + https_checks);

    // An EC certificate: the handshakes measured are the prober's, not RSA signing.
    auto dir =
        std::filesystem::temp_directory_path() / ("r53sim-many-checks-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    const std::string cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
    const std::string cmd =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "
        "/CN=localhost -days 1 -keyout " +
        key + " -out " + cert + " 2>/dev/null";
    if (std::system(cmd.c_str()) != 0) {
        std::cerr << "openssl req failed\n";
        return 1;
    }

    int ports_pipe[2], control_pipe[2], result_pipe[2];
    if (pipe(ports_pipe) || pipe(control_pipe) || pipe(result_pipe)) return 1;
    const pid_t child = fork();
    if (child == 0) {
        close(ports_pipe[0]);
        close(control_pipe[1]);
        close(result_pipe[0]);
        run_servers(ports_pipe[1], control_pipe[0], result_pipe[1], checks, interval, cert, key);
    }
    close(ports_pipe[1]);
    close(control_pipe[0]);
    close(result_pipe[1]);
    char buf[128] = {};
    if (read(ports_pipe[0], buf, sizeof buf - 1) <= 0) return 1;
    std::istringstream port_list(buf);
    std::vector<int> http_ports(kHttpListeners);
    for (int& p : http_ports) port_list >> p;
    int https_port = 0;
    port_list >> https_port;
    close(ports_pipe[0]);

    auto config = std::make_shared<r53::config::Config>();
    config->local.fleet.single_checker = true;
    // Fixed checker schedules: without a seed each interval is jittered on purpose, as Route 53's
    // checkers are; the jitter measured here is then the timers' own.
    config->local.fleet.seed = 1;
    for (size_t i = 0; i < checks; ++i) {
        r53::config::HealthCheck hc;
        char id[32];
        std::snprintf(id, sizeof id, "hc-%06zu", i);
        hc.id = id;
        const bool tls = i >= static_cast<size_t>(http_checks);
        hc.config.type =
            tls ? r53::config::HealthCheckType::HTTPS : r53::config::HealthCheckType::HTTP;
        const int listener = static_cast<int>(i % kHttpListeners);
        hc.config.ip_address = tls ? "127.0.0.6" : "127.0.0." + std::to_string(2 + listener);
        hc.config.port = tls ? https_port : http_ports[listener];
        hc.config.resource_path = "/c/" + std::to_string(i);
        hc.local.interval = r53::config::Seconds(interval);
        config->health_checks.push_back(hc);
    }

    const auto fds_before = open_fds();
    std::atomic<uint64_t> transitions{0};
    r53::health::Engine engine({}, nullptr, [&](const std::string&) { transitions.fetch_add(1); });
    engine.start();
    engine.apply(config, 1);
    const long ticks_per_second = sysconf(_SC_CLK_TCK);
    // Skip the first two intervals: checkers start spread over the first.
    std::this_thread::sleep_for(std::chrono::duration<double>(2 * interval));
    if (write(control_pipe[1], "r", 1) != 1) return 1;
    const long ticks_start = engine_thread_ticks();
    const auto start = Clock::now();
    int max_fds = 0, max_sockets = 0;
    // Sampled every 5 s only: reading 10,000 fd links contends with the engine's socket calls.
    while (Clock::now() - start < std::chrono::seconds(seconds)) {
        std::this_thread::sleep_for(std::min<Clock::duration>(
            std::chrono::seconds(5), start + std::chrono::seconds(seconds) - Clock::now()));
        auto [all, sockets] = open_fds();
        max_fds = std::max(max_fds, all);
        max_sockets = std::max(max_sockets, sockets);
    }
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    const double engine_cpu =
        static_cast<double>(engine_thread_ticks() - ticks_start) / ticks_per_second / elapsed;
    const long rss = rss_kib();
    size_t healthy = 0;
    for (const auto& s : engine.statuses()) healthy += s.healthy ? 1 : 0;
    if (write(control_pipe[1], "q", 1) != 1) return 1;
    char result[200] = {};
    if (read(result_pipe[0], result, sizeof result - 1) <= 0) return 1;
    engine.stop();
    // Give the kernel a moment to finish closing, then count again: what is left leaked.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const auto fds_after = open_fds();
    waitpid(child, nullptr, 0);
    std::filesystem::remove_all(dir);

    unsigned long long probes = 0;
    double p50 = 0, p99 = 0, worst = 0;
    std::sscanf(result, "%llu %lf %lf %lf", &probes, &p50, &p99, &worst);
    const double scheduled = checks / interval;
    std::printf(
        "checks: %d HTTP + %d HTTPS, one checker each, interval %.3f s, measured %.1f s\n"
        "probes/s: scheduled %.0f, arrived %.0f (%.1f%%); %.0f probes per check\n"
        "engine thread CPU: %.1f%% of one core; RSS %.1f MiB\n"
        "open fds: %d before (%d sockets), max %d during (%d sockets), %d after (%d sockets)\n"
        "probe-interval jitter: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n"
        "healthy checks at the end: %zu of %zu; transitions %llu\n",
        http_checks, https_checks, interval, elapsed, scheduled, probes / elapsed,
        100.0 * probes / elapsed / scheduled, static_cast<double>(probes) / checks,
        100.0 * engine_cpu, rss / 1024.0, fds_before.first, fds_before.second, max_fds, max_sockets,
        fds_after.first, fds_after.second, p50, p99, worst, healthy, checks,
        static_cast<unsigned long long>(transitions.load()));
    return fds_after.second > fds_before.second ? 1 : 0;
}
