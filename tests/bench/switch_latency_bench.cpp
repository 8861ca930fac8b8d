// How soon after the deciding probe does DNS answer differently? Runs the real r53sim with one
// HTTP check (failover PRIMARY/SECONDARY) against a loopback HTTP target in this process. The
// target timestamps each response it sends; a DNS poll loop in this process timestamps the first
// response that shows the new answer. Both clocks are this process's steady_clock.
//
// One flip: every checker has been answered healthy; the target turns to 503; the deciding probe
// is the response that leaves too few healthy checkers (Route 53's fleet rule: healthy only while
// more than 18 % of the checkers are, FailureThreshold 1), i.e. the 1st of 1 or the 14th of 16
// distinct checkers answered 503. The way back is measured the same way (the 1st of 1 or 3rd of
// 16 answered 200, after every checker was answered 503).
//
//   switch_latency_bench --binary build/server/r53sim --checkers 16 --interval-ms 100 --flips 30
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::duration;
using std::chrono::milliseconds;

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "switch_latency_bench: %s\n", what.c_str());
    std::exit(1);
}

// --- The HTTP target ---------------------------------------------------------------------------

struct Response {
    std::string checker;
    bool healthy;
    Clock::time_point at;  // just before the response was written
};

class Target {
  public:
    Target() {
        fd_ = socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd_, 128) != 0)
            die("cannot listen for the HTTP target");
        socklen_t len = sizeof a;
        getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~Target() {
        stop_ = true;
        shutdown(fd_, SHUT_RDWR);
        close(fd_);
        thread_.join();
    }
    uint16_t port() const { return port_; }

    // Turns the target to `healthy` and forgets earlier responses.
    void set(bool healthy) {
        std::lock_guard lock(mutex_);
        healthy_ = healthy;
        since_.clear();
    }
    // The moment the k-th distinct checker got a response of the current kind, if it has.
    std::optional<Clock::time_point> kth_distinct(size_t k) {
        std::lock_guard lock(mutex_);
        if (since_.size() < k) return std::nullopt;
        std::vector<Clock::time_point> firsts;
        for (auto& [checker, at] : since_) firsts.push_back(at);
        std::sort(firsts.begin(), firsts.end());
        return firsts[k - 1];
    }
    size_t distinct() {
        std::lock_guard lock(mutex_);
        return since_.size();
    }
    // Waits (bounded) until `k` distinct checkers got a response of the current kind.
    bool wait_distinct(size_t k, Clock::duration timeout) {
        std::unique_lock lock(mutex_);
        return cv_.wait_for(lock, timeout, [&] { return since_.size() >= k; });
    }

  private:
    void serve() {
        while (!stop_) {
            int c = accept(fd_, nullptr, nullptr);
            if (c < 0) continue;
            std::string request;
            char buf[2048];
            // Bounded: the checker sends a small GET; a read error or 16 KB ends it.
            while (request.find("\r\n\r\n") == std::string::npos && request.size() < 16384) {
                ssize_t n = read(c, buf, sizeof buf);
                if (n <= 0) break;
                request.append(buf, static_cast<size_t>(n));
            }
            std::string checker = "?";
            if (auto p = request.find("X-R53sim-Checker: "); p != std::string::npos) {
                auto end = request.find("\r\n", p);
                checker = request.substr(p + 18, end - p - 18);
            }
            bool healthy;
            {
                std::lock_guard lock(mutex_);
                healthy = healthy_;
            }
            const char* text =
                healthy ? "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                        : "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n"
                          "Connection: close\r\n\r\ndown";
            const auto at = Clock::now();
            (void)!write(c, text, std::strlen(text));
            close(c);
            std::lock_guard lock(mutex_);
            if (healthy == healthy_ && !since_.count(checker)) {
                since_.emplace(checker, at);
                cv_.notify_all();
            }
        }
    }

    int fd_ = -1;
    uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::mutex mutex_;
    std::condition_variable cv_;
    bool healthy_ = true;
    std::map<std::string, Clock::time_point> since_;  // checker -> first response of this kind
    std::thread thread_;
};

// --- DNS ---------------------------------------------------------------------------------------

class Poller {
  public:
    explicit Poller(uint16_t port) {
        fd_ = socket(AF_INET, SOCK_DGRAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) die("connect DNS");
        timeval tv{0, 200'000};
        setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        const uint8_t header[] = {0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
        query_.assign(header, header + sizeof header);
        for (const char* label : {"app", "example", "com"}) {
            query_.push_back(static_cast<uint8_t>(std::strlen(label)));
            query_.insert(query_.end(), label, label + std::strlen(label));
        }
        const uint8_t tail[] = {0, 0, 1, 0, 1};
        query_.insert(query_.end(), tail, tail + sizeof tail);
    }
    ~Poller() { close(fd_); }

    // The first A address in the answer (host order), 0 if none or no response in 200 ms.
    uint32_t ask() {
        ++id_;
        query_[0] = static_cast<uint8_t>(id_ >> 8);
        query_[1] = static_cast<uint8_t>(id_);
        if (send(fd_, query_.data(), query_.size(), 0) < 0) return 0;
        uint8_t r[512];
        for (int tries = 0; tries < 4; ++tries) {
            ssize_t n = recv(fd_, r, sizeof r, 0);
            if (n < 12) return 0;
            if (r[0] != query_[0] || r[1] != query_[1])
                continue;  // a late answer to an earlier one
            return first_a(r, static_cast<size_t>(n));
        }
        return 0;
    }

  private:
    static uint32_t first_a(const uint8_t* r, size_t n) {
        const int ancount = (r[6] << 8) | r[7];
        size_t p = 12;
        auto skip_name = [&] {
            while (p < n) {
                if ((r[p] & 0xc0) == 0xc0) {
                    p += 2;
                    return;
                }
                if (r[p] == 0) {
                    ++p;
                    return;
                }
                p += r[p] + 1u;
            }
        };
        skip_name();
        p += 4;
        for (int i = 0; i < ancount && p + 10 <= n; ++i) {
            skip_name();
            if (p + 10 > n) break;
            const int type = (r[p] << 8) | r[p + 1];
            const size_t rdlength = (r[p + 8] << 8) | r[p + 9];
            p += 10;
            if (type == 1 && rdlength == 4 && p + 4 <= n)
                return (uint32_t{r[p]} << 24) | (r[p + 1] << 16) | (r[p + 2] << 8) | r[p + 3];
            p += rdlength;
        }
        return 0;
    }

    int fd_ = -1;
    uint16_t id_ = 0;
    std::vector<uint8_t> query_;
};

constexpr uint32_t kPrimary = (192u << 24) | (2u << 8) | 10u;    // 192.0.2.10
constexpr uint32_t kSecondary = (192u << 24) | (2u << 8) | 20u;  // 192.0.2.20

// --- r53sim ------------------------------------------------------------------------------------

struct Server {
    pid_t pid = -1;
    uint16_t dns_port = 0;
};

Server start_r53sim(const std::string& binary, const std::string& work, const std::string& cfg) {
    const std::string ready = work + "/ready.json";
    std::remove(ready.c_str());
    const std::string log = work + "/r53sim.log";
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        FILE* out = std::freopen(log.c_str(), "w", stdout);
        (void)out;
        dup2(STDOUT_FILENO, STDERR_FILENO);
        execl(binary.c_str(), binary.c_str(), "serve", "-c", cfg.c_str(), "--dns", "127.0.0.1:0",
              "--admin", "127.0.0.1:0", "--ready-file", ready.c_str(), "--log-level", "warn",
              static_cast<char*>(nullptr));
        _exit(127);
    }
    Server s{pid, 0};
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    while (Clock::now() < deadline) {
        std::ifstream in(ready);
        std::stringstream text;
        text << in.rdbuf();
        const std::string json = text.str();
        if (auto p = json.find("\"dns\":\""); p != std::string::npos && json.back() == '\n') {
            auto colon = json.find(':', json.find("127.0.0.1", p));
            s.dns_port = static_cast<uint16_t>(std::atoi(json.c_str() + colon + 1));
            return s;
        }
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) die("r53sim exited; see " + log);
        std::this_thread::sleep_for(milliseconds(20));
    }
    kill(pid, SIGTERM);
    die("r53sim not ready within 30 s; see " + log);
}

void stop_r53sim(const Server& s) {
    kill(s.pid, SIGTERM);
    int status;
    waitpid(s.pid, &status, 0);
}

std::string config_yaml(uint16_t target_port, int checkers, int interval_ms) {
    std::ostringstream y;
    y << "health_checks:\n"
      << "  hc-primary:\n"
      << "    HealthCheckConfig: {Type: HTTP, FullyQualifiedDomainName: primary.example.com, "
         "Port: 80, ResourcePath: /health, RequestInterval: 10, FailureThreshold: 1}\n"
      << "    local: {interval: " << interval_ms << "ms}\n"
      << "hosted_zones:\n"
      << "  - Name: example.com\n"
      << "    ResourceRecordSets:\n"
      << "      - {Name: app.example.com, Type: A, SetIdentifier: p, Failover: PRIMARY, "
         "HealthCheckId: hc-primary, TTL: 60, ResourceRecords: [{Value: 192.0.2.10}]}\n"
      << "      - {Name: app.example.com, Type: A, SetIdentifier: s, Failover: SECONDARY, "
         "TTL: 60, ResourceRecords: [{Value: 192.0.2.20}]}\n"
      << "local:\n"
      << "  workers: 1\n"
      << "  endpoints: [\"primary.example.com:80:127.0.0.1:" << target_port << "\"]\n"
      << "  fleet: {single_checker: " << (checkers == 1 ? "true" : "false")
      << ", checkers_per_region: 2}\n";
    return y.str();
}

struct Options {
    std::string binary = "build/server/r53sim";
    std::string work = "/tmp";
    int checkers = 16;
    int interval_ms = 100;
    int flips = 30;
    int poll_gap_us = 50;
    double explain_above_ms = 5;  // slower flips are broken down on stderr
};

// Route 53's fleet rule with FailureThreshold 1: how many distinct checkers answered the new way
// decide the flip.
size_t deciding_count(int checkers, bool to_healthy) {
    for (int k = 1; k <= checkers; ++k) {
        const int healthy = to_healthy ? k : checkers - k;
        const bool fleet_healthy = healthy * 100 > checkers * 18;
        if (fleet_healthy == to_healthy) return static_cast<size_t>(k);
    }
    return static_cast<size_t>(checkers);
}

struct Stats {
    std::vector<double> ms;
    std::string text() const {
        if (ms.empty()) return "no samples";
        auto v = ms;
        std::sort(v.begin(), v.end());
        char out[160];
        std::snprintf(out, sizeof out, "min %.2f ms  median %.2f ms  max %.2f ms  (n=%zu)",
                      v.front(), v[v.size() / 2], v.back(), v.size());
        return out;
    }
};

// One direction of one flip. Returns the latency in ms, or nullopt when it did not happen in time.
std::optional<double> flip(Target& target, Poller& dns, const Options& o, bool to_healthy) {
    const uint32_t want = to_healthy ? kPrimary : kSecondary;
    const size_t k = deciding_count(o.checkers, to_healthy);
    const auto timeout = milliseconds(o.interval_ms * 4 + 2000);
    target.set(to_healthy);
    const auto deadline = Clock::now() + timeout;
    std::optional<Clock::time_point> seen;
    Clock::time_point last_old{}, asked{};
    // Bounded in time and count: at most one query per poll gap until the deadline.
    for (long polls = 0; polls < 10'000'000 && Clock::now() < deadline; ++polls) {
        asked = Clock::now();
        if (dns.ask() == want) {
            seen = Clock::now();
            break;
        }
        last_old = Clock::now();
        if (o.poll_gap_us > 0)
            std::this_thread::sleep_for(std::chrono::microseconds(o.poll_gap_us));
    }
    // Every checker must have been answered the new way before the next flip starts from it.
    if (!target.wait_distinct(static_cast<size_t>(o.checkers), timeout)) die("checkers missing");
    auto decided = target.kth_distinct(k);
    if (!seen || !decided) return std::nullopt;
    const auto ms = [](Clock::duration d) { return duration<double, std::milli>(d).count(); };
    // Where a slow sample's time went: the old answer still came after the deciding probe (the
    // publish was late), or the query that saw the new one took long (a thread waited for a core).
    if (ms(*seen - *decided) > o.explain_above_ms)
        std::fprintf(stderr,
                     "  slow flip: %.2f ms; last old answer %.2f ms after the deciding probe, "
                     "the first new one asked %.2f ms after it and answered in %.2f ms\n",
                     ms(*seen - *decided), ms(last_old - *decided), ms(asked - *decided),
                     ms(*seen - asked));
    return duration<double, std::milli>(*seen - *decided).count();
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string flag = argv[i], value = argv[i + 1];
        if (flag == "--binary")
            o.binary = value;
        else if (flag == "--work")
            o.work = value;
        else if (flag == "--checkers")
            o.checkers = std::atoi(value.c_str());
        else if (flag == "--interval-ms")
            o.interval_ms = std::atoi(value.c_str());
        else if (flag == "--flips")
            o.flips = std::atoi(value.c_str());
        else if (flag == "--poll-gap-us")
            o.poll_gap_us = std::atoi(value.c_str());
        else
            die("unknown flag " + flag);
    }
    if (o.checkers != 1 && o.checkers != 16) die("--checkers is 1 or 16");
    prctl(PR_SET_TIMERSLACK, 1UL);  // the poll gap as asked, not 50 us later

    Target target;
    const std::string cfg = o.work + "/switch.yaml";
    std::ofstream(cfg) << config_yaml(target.port(), o.checkers, o.interval_ms);
    Server server = start_r53sim(o.binary, o.work, cfg);
    Poller dns(server.dns_port);

    // Start from a healthy fleet answering PRIMARY.
    if (!target.wait_distinct(static_cast<size_t>(o.checkers),
                              milliseconds(o.interval_ms * 4 + 5000)))
        die("not every checker probed the target");
    Stats down, up;
    int missed = 0;
    for (int i = 0; i < o.flips; ++i) {
        if (auto ms = flip(target, dns, o, false))
            down.ms.push_back(*ms);
        else
            ++missed;
        if (auto ms = flip(target, dns, o, true))
            up.ms.push_back(*ms);
        else
            ++missed;
    }
    stop_r53sim(server);
    std::printf("checkers %2d  interval %5d ms  to unhealthy: %s\n", o.checkers, o.interval_ms,
                down.text().c_str());
    std::printf("checkers %2d  interval %5d ms  to healthy:   %s\n", o.checkers, o.interval_ms,
                up.text().c_str());
    if (missed) std::printf("missed flips: %d\n", missed);
    return missed ? 1 : 0;
}
