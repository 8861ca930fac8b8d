#include "server/dns/dns_server.hpp"

#include <netinet/in.h>
#include <pthread.h>
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
#include "server/dns/tcp_session.hpp"
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

std::string endpoint_text(const asio::ip::address& address, uint16_t port) {
    const std::string host = address.to_string();
    return (address.is_v6() ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace

struct Worker {
    Worker(DnsServer::Impl& server_, StateHolder& holder_, unsigned index_)
        : server(server_), holder(holder_), index(index_), processor(holder_, index_) {}

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

    // On this worker's thread, like its queries: the snapshot cache is per thread.
    void arm_refresh(std::chrono::milliseconds period) {
        refresh_timer->expires_after(period);
        refresh_timer->async_wait([this, period](const boost::system::error_code& ec) {
            if (ec) return;
            holder.refresh();
            arm_refresh(period);
        });
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
    StateHolder& holder;
    const unsigned index;
    // TCP connections this worker holds and may hold. Declared before `io`: they outlive the
    // sessions, which give their slot back when the io_context destroys them.
    std::atomic<size_t> tcp_open{0};
    size_t tcp_share = 0;    // 0: this worker serves no TCP
    asio::io_context io{1};  // declared before every socket: destroyed after them
    std::optional<udp::socket> udp_socket;
    std::optional<asio::steady_timer> refresh_timer;
    QueryProcessor processor;
    std::thread thread;
    // Scratch for TCP: one response at a time is built here, then copied into the session.
    std::vector<uint8_t> tcp_scratch = std::vector<uint8_t>(kTcpMaxMessage);

    std::vector<uint8_t> rx_buffer, tx_buffer;
    mmsghdr rx[kBatch], tx[kBatch];
    iovec rx_iov[kBatch], tx_iov[kBatch];
    sockaddr_storage peers[kBatch];
};

struct DnsServer::Impl final : TcpSlots {
    Impl(DnsServerOptions options_, StateHolder& holder_)
        : options(std::move(options_)), holder(holder_) {
        timeouts.idle = options.tcp_idle_timeout;
        timeouts.busy_idle = options.tcp_busy_idle_timeout;
        timeouts.io = options.tcp_io_timeout;
        timeouts.max_pipelined = options.tcp_max_pipelined;
    }

    void bind_all();
    void share_tcp_slots();
    Worker* take_tcp_slot() noexcept;
    bool has_tcp_room() const noexcept;
    void accept_next();

    bool busy() const noexcept override {
        return tcp_active.load(std::memory_order_relaxed) > options.max_tcp_connections / 2;
    }
    // From the session's worker thread; accepting resumes on worker 0's, where it paused.
    // After stop() the workers are being destroyed with their sessions: nothing to give back.
    void release(unsigned worker) noexcept override {
        if (stopped.load()) return;
        workers[worker]->tcp_open.fetch_sub(1, std::memory_order_relaxed);
        tcp_active.fetch_sub(1, std::memory_order_relaxed);
        asio::post(workers[0]->io, [this] {
            if (accept_paused && acceptor && acceptor->is_open()) {
                accept_paused = false;
                accept_next();
            }
        });
    }

    DnsServerOptions options;
    TcpTimeouts timeouts;
    StateHolder& holder;
    asio::ip::address address;
    uint16_t port = 0;
    std::atomic<size_t> tcp_active{0};  // declared before the workers: outlives every session
    std::atomic<bool> stopped{false};
    std::vector<std::unique_ptr<Worker>> workers;
    std::optional<tcp::acceptor> acceptor;
    std::optional<asio::steady_timer> accept_retry;
    bool accept_paused = false;  // worker 0's thread only
    bool started = false;
};

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

// The cap split over the first `tcp_workers` workers, the remainder to the first of them.
void DnsServer::Impl::share_tcp_slots() {
    size_t serving = options.tcp_workers == 0
                         ? workers.size()
                         : std::min<size_t>(options.tcp_workers, workers.size());
    serving =
        std::max<size_t>(1, std::min(serving, std::max<size_t>(1, options.max_tcp_connections)));
    for (size_t i = 0; i < serving; ++i)
        workers[i]->tcp_share = options.max_tcp_connections / serving +
                                (i < options.max_tcp_connections % serving ? 1 : 0);
}

// The TCP worker with the most room, its slot taken; nullptr when every one is at its share.
// Only worker 0's thread takes slots, so room seen there stays until it is taken.
Worker* DnsServer::Impl::take_tcp_slot() noexcept {
    Worker* best = nullptr;
    size_t best_room = 0;
    for (auto& w : workers) {
        const size_t open = w->tcp_open.load(std::memory_order_relaxed);
        const size_t room = w->tcp_share > open ? w->tcp_share - open : 0;
        if (room > best_room) {
            best = w.get();
            best_room = room;
        }
    }
    if (best) {
        best->tcp_open.fetch_add(1, std::memory_order_relaxed);
        tcp_active.fetch_add(1, std::memory_order_relaxed);
    }
    return best;
}

bool DnsServer::Impl::has_tcp_room() const noexcept {
    for (const auto& w : workers)
        if (w->tcp_open.load(std::memory_order_relaxed) < w->tcp_share) return true;
    return false;
}

// One accept at a time, and none at the cap: the kernel then keeps newcomers in the listen
// backlog until a session gives its slot back (release() resumes).
void DnsServer::Impl::accept_next() {
    if (!has_tcp_room()) {
        accept_paused = true;
        thread_query_counters().tcp_accept_paused.add();
        return;
    }
    acceptor->async_accept([this](const boost::system::error_code& ec, tcp::socket accepted) {
        if (ec == asio::error::operation_aborted || !acceptor->is_open()) return;
        if (ec) {  // out of descriptors and the like: back off instead of spinning
            accept_retry->expires_after(std::chrono::milliseconds(50));
            accept_retry->async_wait([this](const boost::system::error_code& e) {
                if (!e) accept_next();
            });
            return;
        }
        Worker* target = take_tcp_slot();  // there is room: checked before accepting
        boost::system::error_code error;
        const auto protocol = accepted.local_endpoint(error).protocol();
        tcp::socket socket(target ? target->io : workers[0]->io);
        if (!error && target) {
            const auto handle = accepted.release(error);
            if (!error) socket.assign(protocol, handle, error);
        }
        if (error || !target) {
            if (target) release(target->index);
            return accept_next();
        }
        thread_query_counters().tcp_connections.add();
        auto session = std::make_shared<TcpSession>(
            std::move(socket), target->processor,
            std::span<uint8_t>(target->tcp_scratch.data(), target->tcp_scratch.size()), timeouts,
            *this, target->index);
        asio::post(target->io, [session] { session->start(); });
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
    s.share_tcp_slots();
    s.accept_retry.emplace(s.workers[0]->io);
    s.accept_next();
    for (auto& w : s.workers) {
        w->prepare_batches();
        w->arm_udp();
        if (s.options.snapshot_refresh.count() > 0) {
            w->refresh_timer.emplace(w->io);
            w->arm_refresh(s.options.snapshot_refresh);
        }
    }
    for (auto& w : s.workers) {
        w->thread = std::thread([worker = w.get()] {
            const std::string name = "r53-dns-" + std::to_string(worker->index);
            pthread_setname_np(pthread_self(), name.c_str());  // 15 characters at most
            worker->io.run();
        });
    }
}

void DnsServer::stop() noexcept {
    Impl& s = *impl_;
    if (!s.started || s.stopped.exchange(true)) return;
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

std::vector<size_t> DnsServer::tcp_connections() const {
    std::vector<size_t> out;
    for (const auto& w : impl_->workers) out.push_back(w->tcp_open.load());
    return out;
}

}  // namespace r53::server
