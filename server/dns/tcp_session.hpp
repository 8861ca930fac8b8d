// One DNS-over-TCP connection (RFC 7766): 2-byte length framing, pipelined queries answered in
// order, and the deadlines NSD and Knot use so that idle or slow clients cannot hold the
// listener's connection slots:
//   - idle: between answered queries; moves only when a complete query has been answered, never
//     on a read, so a client dripping bytes gains nothing;
//   - busy idle: the short idle timeout (a few hundred ms) while the listener holds more than
//     half its cap, for new connections and for those already idle;
//   - I/O: from the first byte of a query to the whole query, and from a reply's first byte to
//     the client having taken all of it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "server/dns/query_counters.hpp"
#include "server/dns/query_processor.hpp"

namespace r53::server {

struct TcpTimeouts {
    std::chrono::milliseconds idle{10'000};
    std::chrono::milliseconds busy_idle{200};
    std::chrono::milliseconds io{1'000};
    // Queries answered from one read before their responses are written (in order, in one
    // write); the rest wait in the buffer for the next round.
    size_t max_pipelined = 32;
};

// The listener's side of a connection: whether it holds more than half its cap, and the slot a
// session gives back when it ends (from the session's own thread).
class TcpSlots {
  public:
    virtual ~TcpSlots() = default;
    virtual bool busy() const noexcept = 0;
    virtual void release(unsigned worker) noexcept = 0;
};

class TcpSession : public std::enable_shared_from_this<TcpSession> {
  public:
    // `scratch` holds one response at a time while it is built (the worker's, shared by its
    // sessions: they run on the worker's one thread).
    TcpSession(boost::asio::ip::tcp::socket socket, QueryProcessor& processor,
               std::span<uint8_t> scratch, const TcpTimeouts& timeouts, TcpSlots& slots,
               unsigned worker);
    ~TcpSession();  // gives the slot back
    TcpSession(const TcpSession&) = delete;
    TcpSession& operator=(const TcpSession&) = delete;

    void start();

  private:
    using Clock = std::chrono::steady_clock;
    enum class Phase { Idle, Reading, Writing };

    void read_more();
    void answer_buffered();
    void go_idle(bool answered);
    void set_phase(Phase phase, Clock::time_point since);
    void arm(Clock::time_point at);
    void on_timer();
    void close(TcpCloseReason reason);

    boost::asio::ip::tcp::socket socket_;
    boost::asio::steady_timer timer_;
    QueryProcessor& processor_;
    std::span<uint8_t> scratch_;
    const TcpTimeouts& timeouts_;
    TcpSlots& slots_;
    const unsigned worker_;
    resolver::ClientAddress peer_;
    Phase phase_ = Phase::Idle;
    Clock::time_point since_;        // when the current phase began
    Clock::time_point answered_at_;  // the last answer (or the connection's start)
    Clock::time_point armed_ = Clock::time_point::max();  // the pending wake-up, if any
    bool closed_ = false;
    std::vector<uint8_t> rx_;
    size_t rx_have_ = 0;
    std::vector<uint8_t> tx_;
};

}  // namespace r53::server
