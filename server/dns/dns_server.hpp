// DNS over UDP and TCP on one address and port. Each worker thread has its own io_context, its
// own SO_REUSEPORT UDP socket drained with recvmmsg/sendmmsg, fixed buffers and a
// QueryProcessor; TCP connections are accepted on worker 0 and spread over the TCP workers,
// each holding at most its share of the connection cap. At the cap the listener stops
// accepting (newcomers wait in the kernel backlog) instead of accepting and closing, as NSD and
// Knot do; the deadlines of each connection are in tcp_session.hpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "server/dns/state_holder.hpp"

namespace r53::server {

class QueryLog;

struct DnsServerOptions {
    std::string address = "127.0.0.1";  // IPv4 or IPv6 literal
    uint16_t port = 0;                  // 0 = a free port, the same for UDP and TCP
    unsigned workers = 0;               // 0 = one per hardware thread
    std::chrono::milliseconds tcp_idle_timeout{10'000};  // between answered queries
    // The idle timeout instead, while more than half the cap is in use (NSD's 200 ms).
    std::chrono::milliseconds tcp_busy_idle_timeout{200};
    // A query's first byte to its last; a reply to the client having taken it.
    std::chrono::milliseconds tcp_io_timeout{1'000};
    size_t max_tcp_connections = 256;  // at the cap, accepting pauses until one closes
    unsigned tcp_workers = 0;          // workers serving TCP (the cap split evenly); 0 = all
    // Queries answered from one read of a connection before their responses are written (in
    // order, in one write); the rest wait in the buffer for the next round.
    size_t tcp_max_pipelined = 32;
    // How often each worker lets go of a replaced snapshot when no query came to make it look
    // (StateHolder::refresh), so an idle worker does not keep old zones alive.
    std::chrono::milliseconds snapshot_refresh{250};
    // Each worker gets its own ring of this log (server/dns/query_log.hpp); nullptr = no log.
    QueryLog* query_log = nullptr;
};

class DnsServer {
  public:
    DnsServer(DnsServerOptions options, StateHolder& holder);
    ~DnsServer();  // stop()
    DnsServer(const DnsServer&) = delete;
    DnsServer& operator=(const DnsServer&) = delete;

    // Binds UDP and TCP and starts the workers. Throws std::system_error naming the address
    // when it cannot bind. Call once.
    void start();
    // Stops accepting, closes every socket and joins the workers. Idempotent.
    void stop() noexcept;

    uint16_t bound_port() const noexcept;
    std::string bound_address() const;  // "127.0.0.1:5353", "[::1]:5353"
    unsigned worker_count() const noexcept;
    // Open TCP connections held by each worker.
    std::vector<size_t> tcp_connections() const;

    struct Impl;

  private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace r53::server
