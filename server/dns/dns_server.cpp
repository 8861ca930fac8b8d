#include "server/dns/dns_server.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <boost/asio.hpp>
#include <cerrno>
#include <cstring>
#include <optional>
#include <system_error>
#include <thread>
#include <vector>

#include "server/dns/query_log.hpp"
#include "server/dns/query_processor.hpp"
#include "server/dns/wire_encode.hpp"

namespace r53::server {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;
using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

constexpr int kBatch = 32;            // datagrams per recvmmsg/sendmmsg
constexpr int kRoundsPerWakeup = 16;  // then yield to the io_context (TCP, stop)
constexpr size_t kRxSlot = 4096;      // larger queries are dropped (MSG_TRUNC)
constexpr size_t kTcpMaxMessage = 65535;

resolver::ClientAddress from_sockaddr(const sockaddr_storage& storage) noexcept {
    resolver::ClientAddress a;
    if (storage.ss_family == AF_INET) {
        const auto& in = reinterpret_cast<const sockaddr_in&>(storage);
        a.family = 4;
        a.prefix_length = 32;
        std::memcpy(a.bytes.data(), &in.sin_addr, 4);
    } else if (storage.ss_family == AF_INET6) {
        const auto& in6 = reinterpret_cast<const sockaddr_in6&>(storage);
        if (IN6_IS_ADDR_V4MAPPED(&in6.sin6_addr)) {
            a.family = 4;
            a.prefix_length = 32;
            std::memcpy(a.bytes.data(), in6.sin6_addr.s6_addr + 12, 4);
        } else {
            a.family = 6;
            a.prefix_length = 128;
            std::memcpy(a.bytes.data(), in6.sin6_addr.s6_addr, 16);
        }
    }
    return a;
}

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

std::string endpoint_text(const asio::ip::address& address, uint16_t port) {
    const std::string host = address.to_string();
    return (address.is_v6() ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace

struct Worker {
    Worker(DnsServer::Impl& server_, StateHolder& holder, unsigned index_)
        : server(server_), index(index_), processor(holder, index_) {}

    void prepare_batches() {
        rx_buffer.resize(kBatch * kRxSlot);
        tx_buffer.resize(kBatch * kMaxUdpResponse);
        for (int i = 0; i < kBatch; ++i) {
            rx_iov[i] = {rx_buffer.data() + i * kRxSlot, kRxSlot};
            std::memset(&rx[i], 0, sizeof rx[i]);
            rx[i].msg_hdr.msg_name = &peers[i];
            rx[i].msg_hdr.msg_iov = &rx_iov[i];
            rx[i].msg_hdr.msg_iovlen = 1;
            std::memset(&tx[i], 0, sizeof tx[i]);
            tx[i].msg_hdr.msg_iov = &tx_iov[i];
            tx[i].msg_hdr.msg_iovlen = 1;
        }
    }

    void arm_udp() {
        udp_socket->async_wait(udp::socket::wait_read, [this](const boost::system::error_code& ec) {
            if (!ec) drain_udp();
        });
    }

    void drain_udp() noexcept {
        const int fd = udp_socket->native_handle();
        QueryCounters& counters = thread_query_counters();
        for (int round = 0; round < kRoundsPerWakeup; ++round) {
            for (int i = 0; i < kBatch; ++i) rx[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
            const int received = recvmmsg(fd, rx, kBatch, MSG_DONTWAIT, nullptr);
            if (received <= 0) break;
            int responses = 0;
            for (int i = 0; i < received; ++i) {
                if (rx[i].msg_hdr.msg_flags & MSG_TRUNC) {
                    counters.dropped.add();
                    continue;
                }
                uint8_t* out = tx_buffer.data() + responses * kMaxUdpResponse;
                const size_t size = processor.process(
                    {rx_buffer.data() + i * kRxSlot, rx[i].msg_len}, from_sockaddr(peers[i]),
                    Transport::Udp, {out, kMaxUdpResponse});
                if (size == 0) continue;
                tx_iov[responses] = {out, size};
                tx[responses].msg_hdr.msg_name = &peers[i];
                tx[responses].msg_hdr.msg_namelen = rx[i].msg_hdr.msg_namelen;
                ++responses;
            }
            send_all(fd, responses, counters);
            if (received < kBatch) break;
        }
        arm_udp();
    }

    void send_all(int fd, int count, QueryCounters& counters) noexcept {
        int sent = 0;
        while (sent < count) {
            const int n =
                sendmmsg(fd, tx + sent, static_cast<unsigned>(count - sent), MSG_DONTWAIT);
            if (n > 0) {
                sent += n;
            } else if (n < 0 && errno == EINTR) {
                continue;
            } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                counters.dropped.add(static_cast<uint64_t>(count - sent));  // socket buffer full
                return;
            } else {
                counters.dropped.add();  // this one datagram failed (e.g. unreachable peer)
                ++sent;
            }
        }
    }

    DnsServer::Impl& server;
    const unsigned index;
    asio::io_context io{1};  // declared before every socket: destroyed after them
    std::optional<udp::socket> udp_socket;
    QueryProcessor processor;
    std::thread thread;
    // Scratch for TCP: one response at a time is built here, then copied into the session.
    std::vector<uint8_t> tcp_scratch = std::vector<uint8_t>(kTcpMaxMessage);

    std::vector<uint8_t> rx_buffer, tx_buffer;
    mmsghdr rx[kBatch], tx[kBatch];
    iovec rx_iov[kBatch], tx_iov[kBatch];
    sockaddr_storage peers[kBatch];
};

struct DnsServer::Impl {
    Impl(DnsServerOptions options_, StateHolder& holder_)
        : options(std::move(options_)), holder(holder_) {}

    void bind_all();
    void accept_next();

    DnsServerOptions options;
    StateHolder& holder;
    asio::ip::address address;
    uint16_t port = 0;
    std::atomic<size_t> tcp_active{0};  // declared before the workers: outlives every session
    std::vector<std::unique_ptr<Worker>> workers;
    std::optional<tcp::acceptor> acceptor;
    std::optional<asio::steady_timer> accept_retry;
    size_t next_worker = 0;
    bool started = false;
    bool stopped = false;
};

namespace {

// One TCP connection: 2-byte length framing, queries answered in order, idle deadline.
class TcpSession : public std::enable_shared_from_this<TcpSession> {
  public:
    TcpSession(tcp::socket socket, Worker& worker, std::atomic<size_t>& active)
        : socket_(std::move(socket)), timer_(worker.io), worker_(worker), active_(active) {}
    ~TcpSession() { active_.fetch_sub(1); }

    void start() {
        boost::system::error_code ec;
        const auto remote = socket_.remote_endpoint(ec);
        if (ec) return;
        peer_ = from_address(remote.address());
        socket_.set_option(tcp::no_delay(true), ec);
        rx_.resize(4096);
        touch();
        watch_idle();
        read_more();
    }

  private:
    void touch() {
        deadline_ = std::chrono::steady_clock::now() + worker_.server.options.tcp_idle_timeout;
    }

    void watch_idle() {
        timer_.expires_at(deadline_);
        timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
            if (ec || !self->socket_.is_open()) return;
            if (std::chrono::steady_clock::now() >= self->deadline_)
                self->close();
            else
                self->watch_idle();
        });
    }

    void close() {
        boost::system::error_code ignored;
        socket_.shutdown(tcp::socket::shutdown_both, ignored);
        socket_.close(ignored);
        timer_.cancel();
    }

    void read_more() {
        if (rx_have_ == rx_.size()) rx_.resize(std::min(rx_.size() * 2, kTcpMaxMessage + 2));
        socket_.async_read_some(
            asio::buffer(rx_.data() + rx_have_, rx_.size() - rx_have_),
            [self = shared_from_this()](const boost::system::error_code& ec, size_t n) {
                if (ec) return self->close();
                self->rx_have_ += n;
                self->touch();
                self->answer_buffered();
            });
    }

    // Answers up to tcp_max_pipelined complete messages, then writes them in one go.
    void answer_buffered() {
        size_t at = 0;
        size_t answered = 0;
        tx_.clear();
        while (answered < worker_.server.options.tcp_max_pipelined && rx_have_ - at >= 2) {
            const size_t length = (static_cast<size_t>(rx_[at]) << 8) | rx_[at + 1];
            if (rx_have_ - at - 2 < length) {
                if (length + 2 > rx_.size()) rx_.resize(length + 2);
                break;
            }
            const size_t size =
                worker_.processor.process({rx_.data() + at + 2, length}, peer_, Transport::Tcp,
                                          {worker_.tcp_scratch.data(), worker_.tcp_scratch.size()});
            if (size > 0) {
                tx_.push_back(static_cast<uint8_t>(size >> 8));
                tx_.push_back(static_cast<uint8_t>(size));
                tx_.insert(tx_.end(), worker_.tcp_scratch.begin(),
                           worker_.tcp_scratch.begin() + static_cast<std::ptrdiff_t>(size));
            }
            at += 2 + length;
            ++answered;
        }
        if (at > 0) {
            std::memmove(rx_.data(), rx_.data() + at, rx_have_ - at);
            rx_have_ -= at;
        }
        if (tx_.empty()) {
            if (answered > 0)
                return asio::post(worker_.io,
                                  [self = shared_from_this()] { self->answer_buffered(); });
            return read_more();
        }
        asio::async_write(socket_, asio::buffer(tx_),
                          [self = shared_from_this()](const boost::system::error_code& ec, size_t) {
                              if (ec) return self->close();
                              self->answer_buffered();
                          });
    }

    tcp::socket socket_;
    asio::steady_timer timer_;
    Worker& worker_;
    std::atomic<size_t>& active_;
    resolver::ClientAddress peer_;
    std::chrono::steady_clock::time_point deadline_;
    std::vector<uint8_t> rx_;
    size_t rx_have_ = 0;
    std::vector<uint8_t> tx_;
};

}  // namespace

void DnsServer::Impl::bind_all() {
    boost::system::error_code ec;
    address = asio::ip::make_address(options.address, ec);
    if (ec)
        throw std::system_error(
            ec, "DNS listen address '" + options.address + "' is not an IP address");
    const unsigned count = workers.size();
    // With port 0, the port the kernel gives UDP may be taken for TCP: try a few.
    for (int attempt = 0;; ++attempt) {
        const bool retry = options.port == 0 && attempt < 20;
        uint16_t wanted = options.port;
        std::vector<udp::socket> udp_sockets;
        bool failed = false;
        for (unsigned i = 0; i < count && !failed; ++i) {
            udp::socket s(workers[i]->io);
            s.open(address.is_v4() ? udp::v4() : udp::v6(), ec);
            if (!ec) s.set_option(reuse_port(true), ec);
            if (!ec && address.is_v6()) s.set_option(asio::ip::v6_only(true), ec);
            if (!ec) s.bind({address, wanted}, ec);
            if (!ec) s.non_blocking(true, ec);
            if (ec) {
                if (retry && i > 0) {
                    failed = true;
                    break;
                }
                throw std::system_error(ec,
                                        "cannot bind DNS UDP " + endpoint_text(address, wanted));
            }
            if (i == 0) wanted = s.local_endpoint().port();
            udp_sockets.push_back(std::move(s));
        }
        if (!failed) {
            tcp::acceptor a(workers[0]->io);
            a.open(address.is_v4() ? tcp::v4() : tcp::v6(), ec);
            if (!ec) a.set_option(tcp::acceptor::reuse_address(true), ec);
            if (!ec && address.is_v6()) a.set_option(asio::ip::v6_only(true), ec);
            if (!ec) a.bind({address, wanted}, ec);
            if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
            if (!ec) {
                for (unsigned i = 0; i < count; ++i)
                    workers[i]->udp_socket.emplace(std::move(udp_sockets[i]));
                acceptor.emplace(std::move(a));
                port = wanted;
                return;
            }
            if (!retry)
                throw std::system_error(ec,
                                        "cannot bind DNS TCP " + endpoint_text(address, wanted));
        }
    }
}

void DnsServer::Impl::accept_next() {
    Worker& target = *workers[next_worker];
    next_worker = (next_worker + 1) % workers.size();
    acceptor->async_accept(
        target.io, [this, &target](const boost::system::error_code& ec, tcp::socket socket) {
            if (ec == asio::error::operation_aborted || !acceptor->is_open()) return;
            if (ec) {  // out of descriptors and the like: back off instead of spinning
                accept_retry->expires_after(std::chrono::milliseconds(50));
                accept_retry->async_wait([this](const boost::system::error_code& e) {
                    if (!e) accept_next();
                });
                return;
            }
            QueryCounters& counters = thread_query_counters();
            if (tcp_active.load() >= options.max_tcp_connections) {
                counters.tcp_rejected.add();
                boost::system::error_code ignored;
                socket.close(ignored);
            } else {
                counters.tcp_connections.add();
                tcp_active.fetch_add(1);
                auto session = std::make_shared<TcpSession>(std::move(socket), target, tcp_active);
                asio::post(target.io, [session] { session->start(); });
            }
            accept_next();
        });
}

DnsServer::DnsServer(DnsServerOptions options, StateHolder& holder)
    : impl_(std::make_unique<Impl>(std::move(options), holder)) {}

DnsServer::~DnsServer() {
    stop();
}

void DnsServer::start() {
    Impl& s = *impl_;
    if (s.started) throw std::logic_error("DnsServer::start called twice");
    s.started = true;
    unsigned count = s.options.workers;
    if (count == 0) count = std::max(1u, std::thread::hardware_concurrency());
    for (unsigned i = 0; i < count; ++i) {
        s.workers.push_back(std::make_unique<Worker>(s, s.holder, i));
        if (s.options.query_log)
            s.workers.back()->processor.set_query_ring(s.options.query_log->add_ring());
    }
    s.bind_all();
    s.accept_retry.emplace(s.workers[0]->io);
    s.accept_next();
    for (auto& w : s.workers) {
        w->prepare_batches();
        w->arm_udp();
    }
    for (auto& w : s.workers) w->thread = std::thread([worker = w.get()] { worker->io.run(); });
}

void DnsServer::stop() noexcept {
    Impl& s = *impl_;
    if (!s.started || s.stopped) return;
    s.stopped = true;
    for (auto& w : s.workers) w->io.stop();
    for (auto& w : s.workers)
        if (w->thread.joinable()) w->thread.join();
    // Sockets, sessions and pending handlers go with their io_context, in declaration order.
    s.acceptor.reset();
    s.accept_retry.reset();
    s.workers.clear();
}

uint16_t DnsServer::bound_port() const noexcept {
    return impl_->port;
}

std::string DnsServer::bound_address() const {
    return endpoint_text(impl_->address, impl_->port);
}

unsigned DnsServer::worker_count() const noexcept {
    return static_cast<unsigned>(impl_->workers.size());
}

}  // namespace r53::server
