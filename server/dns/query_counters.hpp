// Per-thread query counters (design §4 rule 9, after Knot's per-thread stats and PowerDNS
// tcounters.hh): each worker bumps its own block with plain relaxed loads and stores (no locked
// instruction, no label lookup); the metrics scrape sums every block ever registered.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace r53::server {

// Buckets for queries by type, in the order of kQtypeBucketNames.
enum class QtypeBucket : uint8_t {
    A,
    NS,
    CNAME,
    SOA,
    PTR,
    MX,
    TXT,
    AAAA,
    SRV,
    NAPTR,
    DS,
    SPF,
    HTTPS,
    CAA,
    ANY,
    Other,
    Count
};
inline constexpr std::array<const char*, static_cast<size_t>(QtypeBucket::Count)>
    kQtypeBucketNames = {"A",   "NS",    "CNAME", "SOA", "PTR",   "MX",  "TXT", "AAAA",
                         "SRV", "NAPTR", "DS",    "SPF", "HTTPS", "CAA", "ANY", "other"};

inline QtypeBucket qtype_bucket(uint16_t qtype) noexcept {
    switch (qtype) {
        case 1:
            return QtypeBucket::A;
        case 2:
            return QtypeBucket::NS;
        case 5:
            return QtypeBucket::CNAME;
        case 6:
            return QtypeBucket::SOA;
        case 12:
            return QtypeBucket::PTR;
        case 15:
            return QtypeBucket::MX;
        case 16:
            return QtypeBucket::TXT;
        case 28:
            return QtypeBucket::AAAA;
        case 33:
            return QtypeBucket::SRV;
        case 35:
            return QtypeBucket::NAPTR;
        case 43:
            return QtypeBucket::DS;
        case 99:
            return QtypeBucket::SPF;
        case 65:
            return QtypeBucket::HTTPS;
        case 257:
            return QtypeBucket::CAA;
        case 255:
            return QtypeBucket::ANY;
        default:
            return QtypeBucket::Other;
    }
}

enum class Transport : uint8_t { Udp, Tcp, Count };

// Why the server ended a TCP connection, in the order of kTcpCloseReasonNames.
enum class TcpCloseReason : uint8_t {
    PeerClosed,    // the client closed or reset it
    Idle,          // no query within the idle timeout after the last answer
    BusyIdle,      // idle for the short timeout while over half the connection cap was in use
    ReadTimeout,   // a query's bytes did not all arrive within the I/O timeout
    WriteTimeout,  // the client did not take a reply within the I/O timeout
    Error,         // any other socket error
    Count
};
inline constexpr std::array<const char*, static_cast<size_t>(TcpCloseReason::Count)>
    kTcpCloseReasonNames = {"peer_closed",  "idle",          "busy_idle",
                            "read_timeout", "write_timeout", "error"};

// Upper bounds (seconds) of the server-side processing-time histogram; one more bucket is +Inf.
inline constexpr std::array<double, 10> kLatencyBucketBounds = {1e-6, 2.5e-6, 5e-6,   1e-5, 2.5e-5,
                                                                5e-5, 1e-4,   2.5e-4, 1e-3, 1e-2};
inline constexpr std::array<int64_t, 10> kLatencyBucketBoundsNs = {
    1'000, 2'500, 5'000, 10'000, 25'000, 50'000, 100'000, 250'000, 1'000'000, 10'000'000};
inline constexpr size_t kRcodeSlots = 24;  // rcode 0..23 (BADVERS is 16)

// Plain numbers, for the scrape side.
struct QueryCountersSnapshot {
    std::array<uint64_t, static_cast<size_t>(QtypeBucket::Count)> by_qtype{};
    std::array<uint64_t, kRcodeSlots> by_rcode{};
    std::array<uint64_t, static_cast<size_t>(Transport::Count)> by_transport{};
    // Non-cumulative: latency_buckets[i] counts times <= kLatencyBucketBounds[i] and above the
    // previous bound; the last slot is > the last bound.
    std::array<uint64_t, kLatencyBucketBounds.size() + 1> latency_buckets{};
    uint64_t latency_sum_ns = 0;
    uint64_t truncated = 0;
    uint64_t dropped = 0;  // never answered: QR=1, too short, send failed
    uint64_t formerr = 0;  // malformed queries (answered FORMERR)
    uint64_t tcp_connections = 0;
    uint64_t tcp_accept_paused = 0;  // times the listener stopped accepting at the cap
    std::array<uint64_t, static_cast<size_t>(TcpCloseReason::Count)> tcp_closed{};
};

// One writer thread; read concurrently by the scrape, hence atomics with relaxed plain access.
class Counter {
  public:
    void add(uint64_t n = 1) noexcept {
        value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    uint64_t get() const noexcept { return value_.load(std::memory_order_relaxed); }

  private:
    std::atomic<uint64_t> value_{0};
};

struct QueryCounters {
    std::array<Counter, static_cast<size_t>(QtypeBucket::Count)> by_qtype;
    std::array<Counter, kRcodeSlots> by_rcode;
    std::array<Counter, static_cast<size_t>(Transport::Count)> by_transport;
    std::array<Counter, kLatencyBucketBounds.size() + 1> latency_buckets;
    Counter latency_sum_ns, truncated, dropped, formerr, tcp_connections, tcp_accept_paused;
    std::array<Counter, static_cast<size_t>(TcpCloseReason::Count)> tcp_closed;

    void count_answer(uint16_t qtype, uint16_t rcode, Transport transport) noexcept {
        by_qtype[static_cast<size_t>(qtype_bucket(qtype))].add();
        by_rcode[rcode < kRcodeSlots ? rcode : kRcodeSlots - 1].add();
        by_transport[static_cast<size_t>(transport)].add();
    }
    void observe_latency(std::chrono::nanoseconds elapsed) noexcept {
        size_t bucket = 0;
        while (bucket < kLatencyBucketBoundsNs.size() &&
               elapsed.count() > kLatencyBucketBoundsNs[bucket])
            ++bucket;
        latency_buckets[bucket].add();
        latency_sum_ns.add(static_cast<uint64_t>(elapsed.count()));
    }
};

namespace detail {
struct CounterRegistry {
    std::mutex mutex;
    // Blocks outlive their threads: counts of a finished worker still belong to the totals.
    std::vector<std::unique_ptr<QueryCounters>> blocks;
};
inline CounterRegistry& counter_registry() {
    static CounterRegistry registry;
    return registry;
}
}  // namespace detail

// The calling thread's block, registered on first use (the only time a lock is taken).
inline QueryCounters& thread_query_counters() {
    thread_local QueryCounters* mine = [] {
        auto& registry = detail::counter_registry();
        std::lock_guard lock(registry.mutex);
        registry.blocks.push_back(std::make_unique<QueryCounters>());
        return registry.blocks.back().get();
    }();
    return *mine;
}

// Called by the metrics scrape: the sum over every thread.
inline QueryCountersSnapshot sum_query_counters() {
    QueryCountersSnapshot total;
    auto& registry = detail::counter_registry();
    std::lock_guard lock(registry.mutex);
    for (const auto& block : registry.blocks) {
        for (size_t i = 0; i < total.by_qtype.size(); ++i)
            total.by_qtype[i] += block->by_qtype[i].get();
        for (size_t i = 0; i < total.by_rcode.size(); ++i)
            total.by_rcode[i] += block->by_rcode[i].get();
        for (size_t i = 0; i < total.by_transport.size(); ++i)
            total.by_transport[i] += block->by_transport[i].get();
        for (size_t i = 0; i < total.latency_buckets.size(); ++i)
            total.latency_buckets[i] += block->latency_buckets[i].get();
        total.latency_sum_ns += block->latency_sum_ns.get();
        total.truncated += block->truncated.get();
        total.dropped += block->dropped.get();
        total.formerr += block->formerr.get();
        total.tcp_connections += block->tcp_connections.get();
        total.tcp_accept_paused += block->tcp_accept_paused.get();
        for (size_t i = 0; i < total.tcp_closed.size(); ++i)
            total.tcp_closed[i] += block->tcp_closed[i].get();
    }
    return total;
}

}  // namespace r53::server
