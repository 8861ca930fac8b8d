#include "server/dns/tcp_session.hpp"

#include <algorithm>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <cstring>

namespace r53::server {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

constexpr size_t kTcpMaxMessage = 65535;

resolver::ClientAddress from_address(const asio::ip::address& address) noexcept {
    resolver::ClientAddress a;
    if (address.is_v4()) {
        const auto bytes = address.to_v4().to_bytes();
        a.family = 4;
        a.prefix_length = 32;
        std::memcpy(a.bytes.data(), bytes.data(), 4);
    } else {
        const auto v6 = address.to_v6();
        if (v6.is_v4_mapped())
            return from_address(asio::ip::make_address_v4(asio::ip::v4_mapped, v6));
        const auto bytes = v6.to_bytes();
        a.family = 6;
        a.prefix_length = 128;
        std::memcpy(a.bytes.data(), bytes.data(), 16);
    }
    return a;
}

TcpCloseReason reason_for(const boost::system::error_code& ec) noexcept {
    if (ec == asio::error::eof || ec == asio::error::connection_reset ||
        ec == asio::error::broken_pipe)
        return TcpCloseReason::PeerClosed;
    return TcpCloseReason::Error;
}

}  // namespace

TcpSession::TcpSession(tcp::socket socket, QueryProcessor& processor, std::span<uint8_t> scratch,
                       const TcpTimeouts& timeouts, TcpSlots& slots, unsigned worker)
    : socket_(std::move(socket)),
      timer_(socket_.get_executor()),
      processor_(processor),
      scratch_(scratch),
      timeouts_(timeouts),
      slots_(slots),
      worker_(worker) {}

TcpSession::~TcpSession() {
    slots_.release(worker_);
}

void TcpSession::start() {
    boost::system::error_code ec;
    const auto remote = socket_.remote_endpoint(ec);
    if (ec) return close(TcpCloseReason::PeerClosed);
    peer_ = from_address(remote.address());
    socket_.set_option(tcp::no_delay(true), ec);
    rx_.resize(4096);
    go_idle(true);
    read_more();
}

void TcpSession::set_phase(Phase phase, Clock::time_point since) {
    phase_ = phase;
    since_ = since;
    switch (phase) {
        case Phase::Idle:
            // The first look comes after the short timeout: by then the listener may be busy.
            return arm(since + std::min(timeouts_.busy_idle, timeouts_.idle));
        case Phase::Reading:
        case Phase::Writing:
            return arm(since + timeouts_.io);
    }
}

// Idle from now when a query was just answered; after messages that got no answer (responses
// sent to us, runts) the idle time keeps running from the last answer.
void TcpSession::go_idle(bool answered) {
    if (answered) answered_at_ = Clock::now();
    set_phase(Phase::Idle, answered_at_);
}

// One timer per session: re-armed only when a deadline comes earlier than the pending wake-up;
// a later one is picked up when that wake-up looks at the phase.
void TcpSession::arm(Clock::time_point at) {
    if (closed_ || at >= armed_) return;
    armed_ = at;
    timer_.expires_at(at);
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        if (ec || self->closed_) return;  // re-armed earlier, or closed
        self->armed_ = Clock::time_point::max();
        self->on_timer();
    });
}

void TcpSession::on_timer() {
    const auto now = Clock::now();
    switch (phase_) {
        case Phase::Idle: {
            const auto idle_end = since_ + timeouts_.idle;
            const auto busy_end = since_ + timeouts_.busy_idle;
            if (now >= idle_end) return close(TcpCloseReason::Idle);
            if (now >= busy_end && slots_.busy()) return close(TcpCloseReason::BusyIdle);
            // Look again every short timeout: the listener may become busy meanwhile.
            return arm(std::min(idle_end, std::max(busy_end, now + timeouts_.busy_idle)));
        }
        case Phase::Reading:
            if (now >= since_ + timeouts_.io) return close(TcpCloseReason::ReadTimeout);
            return arm(since_ + timeouts_.io);
        case Phase::Writing:
            if (now >= since_ + timeouts_.io) return close(TcpCloseReason::WriteTimeout);
            return arm(since_ + timeouts_.io);
    }
}

void TcpSession::close(TcpCloseReason reason) {
    if (closed_) return;
    closed_ = true;
    thread_query_counters().tcp_closed[static_cast<size_t>(reason)].add();
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    timer_.cancel();
}

void TcpSession::read_more() {
    if (closed_) return;
    if (rx_have_ == rx_.size()) rx_.resize(std::min(rx_.size() * 2, kTcpMaxMessage + 2));
    socket_.async_read_some(
        asio::buffer(rx_.data() + rx_have_, rx_.size() - rx_have_),
        [self = shared_from_this()](const boost::system::error_code& ec, size_t n) {
            if (self->closed_) return;
            if (ec) return self->close(reason_for(ec));
            // The I/O deadline runs from a query's first byte; later bytes do not move it.
            if (self->rx_have_ == 0 && n > 0) self->set_phase(Phase::Reading, Clock::now());
            self->rx_have_ += n;
            self->answer_buffered();
        });
}

// Answers up to max_pipelined complete messages, then writes them in one go.
void TcpSession::answer_buffered() {
    size_t at = 0;
    size_t answered = 0;
    tx_.clear();
    while (answered < timeouts_.max_pipelined && rx_have_ - at >= 2) {
        const size_t length = (static_cast<size_t>(rx_[at]) << 8) | rx_[at + 1];
        if (rx_have_ - at - 2 < length) {
            if (length + 2 > rx_.size()) rx_.resize(length + 2);
            break;
        }
        const size_t size =
            processor_.process({rx_.data() + at + 2, length}, peer_, Transport::Tcp, scratch_);
        if (size > 0) {
            tx_.push_back(static_cast<uint8_t>(size >> 8));
            tx_.push_back(static_cast<uint8_t>(size));
            tx_.insert(tx_.end(), scratch_.begin(),
                       scratch_.begin() + static_cast<std::ptrdiff_t>(size));
        }
        at += 2 + length;
        ++answered;
    }
    if (at > 0) {
        std::memmove(rx_.data(), rx_.data() + at, rx_have_ - at);
        rx_have_ -= at;
    }
    if (tx_.empty()) {
        if (answered > 0 && rx_have_ >= 2)  // more complete messages may be waiting
            return asio::post(socket_.get_executor(),
                              [self = shared_from_this()] { self->answer_buffered(); });
        if (rx_have_ == 0) {
            go_idle(false);
        } else if (answered > 0) {
            set_phase(Phase::Reading, Clock::now());  // the next query has begun
        }
        return read_more();
    }
    set_phase(Phase::Writing, Clock::now());
    asio::async_write(socket_, asio::buffer(tx_),
                      [self = shared_from_this()](const boost::system::error_code& ec, size_t) {
                          if (self->closed_) return;
                          if (ec) return self->close(reason_for(ec));
                          // Answered: only now does the idle time start again.
                          if (self->rx_have_ == 0)
                              self->go_idle(true);
                          else
                              self->set_phase(Phase::Reading, Clock::now());
                          if (self->rx_have_ >= 2) return self->answer_buffered();
                          self->read_more();
                      });
}

}  // namespace r53::server
