// A real DnsServer on a loopback port, queried over UDP and TCP.
#include "server/dns/dns_server.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <ldns/ldns.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "config/model.hpp"
#include "healthcheck/health_table.hpp"
#include "resolver/zone_set.hpp"
#include "server/dns/query_counters.hpp"
#include "server/dns/state_holder.hpp"
#include "test_packets.hpp"

namespace r53::server {
namespace {

using testing::make_query;
using testing::put16;
using testing::QuerySpec;

config::ResourceRecordSet record(const std::string& name, const std::string& type,
                                 std::vector<std::string> values, int64_t ttl = 300) {
    config::ResourceRecordSet r;
    r.name = name;
    r.type = type;
    r.ttl = ttl;
    r.resource_records = std::move(values);
    return r;
}

resolver::ServingStatePtr example_state() {
    auto cfg = std::make_shared<config::Config>();
    config::HostedZone zone;
    zone.id = "Z1";
    zone.name = "example.com.";
    zone.record_sets.push_back(
        record("example.com.", "SOA",
               {"ns1.example.com. hostmaster.example.com. 1 7200 900 1209600 86400"}, 900));
    zone.record_sets.push_back(record("example.com.", "NS", {"ns1.example.com."}, 172800));
    zone.record_sets.push_back(record("ns1.example.com.", "A", {"192.0.2.53"}));
    zone.record_sets.push_back(record("www.example.com.", "A", {"192.0.2.1", "192.0.2.2"}));
    std::vector<std::string> many;
    for (int i = 0; i < 60; ++i) many.push_back("10.0.0." + std::to_string(i));
    zone.record_sets.push_back(record("big.example.com.", "A", many));
    cfg->zones.push_back(zone);
    config::Diagnostics diagnostics;
    auto zones = resolver::ZoneSet::build(*cfg, diagnostics);
    EXPECT_NE(zones, nullptr);
    for (const auto& d : diagnostics) ADD_FAILURE() << d.code << ": " << d.message;
    auto state = std::make_shared<resolver::ServingState>();
    state->generation = 1;
    state->config = cfg;
    state->zones = zones;
    state->health = std::make_shared<health::HealthTable>();
    return state;
}

struct PacketFree {
    void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
using Packet = std::unique_ptr<ldns_pkt, PacketFree>;

Packet decode(const std::vector<uint8_t>& bytes) {
    ldns_pkt* p = nullptr;
    if (ldns_wire2pkt(&p, bytes.data(), bytes.size()) != LDNS_STATUS_OK) return nullptr;
    return Packet(p);
}

std::set<std::string> rdata_of(ldns_rr_list* list) {
    std::set<std::string> out;
    for (size_t i = 0; i < ldns_rr_list_rr_count(list); ++i) {
        char* text = ldns_rdf2str(ldns_rr_rdf(ldns_rr_list_rr(list, i), 0));
        out.insert(text);
        free(text);
    }
    return out;
}

void set_timeout(int fd) {
    timeval tv{3, 0};  // a deadline for a reply that should come at once, not a pause
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

sockaddr_in loopback(uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

class UdpClient {
  public:
    explicit UdpClient(uint16_t port)
        : fd_(socket(AF_INET, SOCK_DGRAM, 0)), server_(loopback(port)) {
        set_timeout(fd_);
    }
    ~UdpClient() { close(fd_); }
    void send(const std::vector<uint8_t>& bytes) {
        ASSERT_EQ(sendto(fd_, bytes.data(), bytes.size(), 0,
                         reinterpret_cast<const sockaddr*>(&server_), sizeof server_),
                  static_cast<ssize_t>(bytes.size()));
    }
    std::optional<std::vector<uint8_t>> receive() {
        std::vector<uint8_t> buf(65535);
        const ssize_t n = recv(fd_, buf.data(), buf.size(), 0);
        if (n < 0) return std::nullopt;
        buf.resize(static_cast<size_t>(n));
        return buf;
    }
    Packet ask(const std::vector<uint8_t>& bytes) {
        send(bytes);
        auto reply = receive();
        return reply ? decode(*reply) : nullptr;
    }

  private:
    int fd_;
    sockaddr_in server_;
};

class TcpClient {
  public:
    explicit TcpClient(uint16_t port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
        set_timeout(fd_);
        const sockaddr_in a = loopback(port);
        connected_ = connect(fd_, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0;
    }
    ~TcpClient() { close(fd_); }
    bool connected() const { return connected_; }
    void write_raw(const std::vector<uint8_t>& bytes) {
        ASSERT_EQ(::write(fd_, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    }
    static std::vector<uint8_t> framed(const std::vector<uint8_t>& message) {
        std::vector<uint8_t> b;
        put16(b, static_cast<uint16_t>(message.size()));
        b.insert(b.end(), message.begin(), message.end());
        return b;
    }
    // Exactly n bytes, or fewer at EOF / deadline.
    std::vector<uint8_t> read_exactly(size_t n) {
        std::vector<uint8_t> out(n);
        size_t have = 0;
        while (have < n) {
            const ssize_t r = ::read(fd_, out.data() + have, n - have);
            if (r <= 0) break;
            have += static_cast<size_t>(r);
        }
        out.resize(have);
        return out;
    }
    std::optional<std::vector<uint8_t>> read_message() {
        const auto length = read_exactly(2);
        if (length.size() != 2) return std::nullopt;
        auto body = read_exactly(static_cast<size_t>(length[0] << 8 | length[1]));
        return body;
    }
    // True when the server closed the connection (EOF) before the client's deadline.
    bool closed_by_server() {
        uint8_t byte;
        return ::read(fd_, &byte, 1) == 0;
    }

  private:
    int fd_;
    bool connected_ = false;
};

class DnsServerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        holder_.publish(example_state());
        DnsServerOptions options;
        options.workers = 2;
        options.tcp_idle_timeout = std::chrono::milliseconds(300);
        options.max_tcp_connections = 3;
        server_ = std::make_unique<DnsServer>(options, holder_);
        server_->start();
        port_ = server_->bound_port();
        ASSERT_NE(port_, 0);
    }

    StateHolder holder_;
    std::unique_ptr<DnsServer> server_;
    uint16_t port_ = 0;
};

QuerySpec ask(const std::string& name, uint16_t qtype = 1, uint16_t id = 0x1234) {
    QuerySpec s;
    s.qname = name;
    s.qtype = qtype;
    s.id = id;
    return s;
}

TEST_F(DnsServerTest, AnswersOverUdpEchoingTheQuestionCase) {
    UdpClient client(port_);
    auto p = client.ask(make_query(ask("WwW.ExAmPlE.CoM")));
    ASSERT_TRUE(p);
    EXPECT_EQ(ldns_pkt_id(p.get()), 0x1234);
    EXPECT_EQ(ldns_pkt_get_rcode(p.get()), LDNS_RCODE_NOERROR);
    EXPECT_TRUE(ldns_pkt_aa(p.get()));
    EXPECT_EQ(rdata_of(ldns_pkt_answer(p.get())),
              (std::set<std::string>{"192.0.2.1", "192.0.2.2"}));
    char* q = ldns_rdf2str(ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_question(p.get()), 0)));
    EXPECT_STREQ(q, "WwW.ExAmPlE.CoM.");
    free(q);
    EXPECT_NE(server_->bound_address().find(std::to_string(port_)), std::string::npos);
}

TEST_F(DnsServerTest, NxdomainAndRefused) {
    UdpClient client(port_);
    auto nx = client.ask(make_query(ask("nope.example.com")));
    ASSERT_TRUE(nx);
    EXPECT_EQ(ldns_pkt_get_rcode(nx.get()), LDNS_RCODE_NXDOMAIN);
    EXPECT_EQ(ldns_pkt_nscount(nx.get()), 1);  // the SOA
    auto refused = client.ask(make_query(ask("www.example.org")));
    ASSERT_TRUE(refused);
    EXPECT_EQ(ldns_pkt_get_rcode(refused.get()), LDNS_RCODE_REFUSED);
}

// AXFR and IXFR refused as NSD and Knot refuse them without an ACL: REFUSED, AA=0, no records.
TEST_F(DnsServerTest, ZoneTransfersAreRefusedOverUdpAndTcp) {
    UdpClient udp(port_);
    for (uint16_t type : {uint16_t(252), uint16_t(251)}) {
        auto u = udp.ask(make_query(ask("example.com", type, type)));
        ASSERT_TRUE(u) << type;
        TcpClient tcp(port_);
        ASSERT_TRUE(tcp.connected());
        tcp.write_raw(TcpClient::framed(make_query(ask("example.com", type, type))));
        auto reply = tcp.read_message();
        ASSERT_TRUE(reply) << type;
        auto t = decode(*reply);
        ASSERT_TRUE(t) << type;
        for (ldns_pkt* p : {u.get(), t.get()}) {
            EXPECT_EQ(ldns_pkt_id(p), type);
            EXPECT_EQ(ldns_pkt_get_rcode(p), LDNS_RCODE_REFUSED) << type;
            EXPECT_FALSE(ldns_pkt_aa(p));
            EXPECT_EQ(ldns_pkt_ancount(p) + ldns_pkt_nscount(p) + ldns_pkt_arcount(p), 0);
            EXPECT_EQ(ldns_pkt_qdcount(p), 1);
        }
    }
}

TEST_F(DnsServerTest, TruncatesOverUdpAndAnswersInFullOverTcp) {
    UdpClient udp(port_);
    auto truncated = udp.ask(make_query(ask("big.example.com")));
    ASSERT_TRUE(truncated);
    EXPECT_TRUE(ldns_pkt_tc(truncated.get()));
    EXPECT_EQ(ldns_pkt_ancount(truncated.get()), 0);

    QuerySpec with_edns = ask("big.example.com");
    with_edns.edns = true;
    with_edns.payload = 4096;
    auto full = udp.ask(make_query(with_edns));
    ASSERT_TRUE(full);
    EXPECT_FALSE(ldns_pkt_tc(full.get()));
    EXPECT_EQ(ldns_pkt_ancount(full.get()), 60);

    TcpClient tcp(port_);
    ASSERT_TRUE(tcp.connected());
    tcp.write_raw(TcpClient::framed(make_query(ask("big.example.com"))));
    auto reply = tcp.read_message();
    ASSERT_TRUE(reply);
    auto p = decode(*reply);
    ASSERT_TRUE(p);
    EXPECT_FALSE(ldns_pkt_tc(p.get()));
    EXPECT_EQ(ldns_pkt_ancount(p.get()), 60);
}

TEST_F(DnsServerTest, PipelinedTcpQueriesAreAnsweredInOrder) {
    TcpClient tcp(port_);
    ASSERT_TRUE(tcp.connected());
    std::vector<uint8_t> burst;
    const std::vector<std::string> names = {"www.example.com", "nope.example.com",
                                            "big.example.com", "ns1.example.com",
                                            "www.example.org"};
    for (size_t i = 0; i < names.size(); ++i) {
        const auto framed =
            TcpClient::framed(make_query(ask(names[i], 1, static_cast<uint16_t>(100 + i))));
        burst.insert(burst.end(), framed.begin(), framed.end());
    }
    // Split mid-message: the server must reassemble across reads.
    const std::vector<uint8_t> head(burst.begin(), burst.begin() + 7);
    const std::vector<uint8_t> tail(burst.begin() + 7, burst.end());
    tcp.write_raw(head);
    tcp.write_raw(tail);
    const std::vector<ldns_pkt_rcode> rcodes = {LDNS_RCODE_NOERROR, LDNS_RCODE_NXDOMAIN,
                                                LDNS_RCODE_NOERROR, LDNS_RCODE_NOERROR,
                                                LDNS_RCODE_REFUSED};
    for (size_t i = 0; i < names.size(); ++i) {
        auto reply = tcp.read_message();
        ASSERT_TRUE(reply) << i;
        auto p = decode(*reply);
        ASSERT_TRUE(p) << i;
        EXPECT_EQ(ldns_pkt_id(p.get()), 100 + i);
        EXPECT_EQ(ldns_pkt_get_rcode(p.get()), rcodes[i]) << names[i];
    }
}

TEST_F(DnsServerTest, MalformedPacketsThenAGoodQueryStillAnswered) {
    UdpClient client(port_);
    client.send({1, 2, 3, 4, 5});  // runt: dropped
    QuerySpec response = ask("www.example.com", 1, 1);
    response.flags = 0x8000;  // QR=1: never answered
    client.send(make_query(response));
    // A forward compression pointer in the question: FORMERR.
    std::vector<uint8_t> bad = {0, 2, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 0xC0, 40, 0, 1, 0, 1};
    client.send(bad);
    QuerySpec notify = ask("www.example.com", 6, 3);
    notify.flags = 4 << 11;
    client.send(make_query(notify));
    QuerySpec badvers = ask("www.example.com", 1, 4);
    badvers.edns = true;
    badvers.version = 1;
    client.send(make_query(badvers));
    client.send(make_query(ask("www.example.com", 1, 5)));

    // Replies arrive in order on one socket; the two dropped packets have none.
    std::vector<std::pair<uint16_t, int>> seen;
    for (int i = 0; i < 4; ++i) {
        auto reply = client.receive();
        ASSERT_TRUE(reply) << i;
        auto p = decode(*reply);
        ASSERT_TRUE(p);
        const int rcode =
            ldns_pkt_get_rcode(p.get()) | (ldns_pkt_edns_extended_rcode(p.get()) << 4);
        seen.emplace_back(ldns_pkt_id(p.get()), rcode);
    }
    EXPECT_EQ(seen, (std::vector<std::pair<uint16_t, int>>{{2, 1}, {3, 4}, {4, 16}, {5, 0}}));
}

TEST_F(DnsServerTest, MalformedTcpMessageThenAGoodOne) {
    TcpClient tcp(port_);
    ASSERT_TRUE(tcp.connected());
    std::vector<uint8_t> bad = {0, 2, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0};  // QDCOUNT 2, no questions
    tcp.write_raw(TcpClient::framed(bad));
    tcp.write_raw(TcpClient::framed(make_query(ask("www.example.com", 1, 9))));
    auto first = tcp.read_message();
    ASSERT_TRUE(first);
    auto p = decode(*first);
    ASSERT_TRUE(p);
    EXPECT_EQ(ldns_pkt_get_rcode(p.get()), LDNS_RCODE_FORMERR);
    auto second = tcp.read_message();
    ASSERT_TRUE(second);
    p = decode(*second);
    ASSERT_TRUE(p);
    EXPECT_EQ(ldns_pkt_id(p.get()), 9);
    EXPECT_EQ(ldns_pkt_ancount(p.get()), 2);
}

TEST_F(DnsServerTest, IdleTcpConnectionsAreClosed) {
    TcpClient tcp(port_);
    ASSERT_TRUE(tcp.connected());
    EXPECT_TRUE(tcp.closed_by_server());  // idle timeout 300 ms, client deadline 3 s
}

uint64_t closed_for(TcpCloseReason reason) {
    return sum_query_counters().tcp_closed[static_cast<size_t>(reason)];
}

// Polls until `done` or a 3 s deadline; the condition is asynchronous, not slow.
template <typename Predicate>
bool eventually(Predicate done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

// A server with its own TCP limits (the fixture's are for the plain cases).
struct LimitedServer {
    explicit LimitedServer(DnsServerOptions options) : holder(example_state()) {
        options.workers = 2;
        server = std::make_unique<DnsServer>(options, holder);
        server->start();
    }
    uint16_t port() const { return server->bound_port(); }
    StateHolder holder;
    std::unique_ptr<DnsServer> server;
};

DnsServerOptions long_timeouts() {
    DnsServerOptions o;
    o.tcp_idle_timeout = std::chrono::seconds(60);
    o.tcp_busy_idle_timeout = std::chrono::seconds(60);
    o.tcp_io_timeout = std::chrono::seconds(60);
    return o;
}

// At the cap the listener stops accepting: the newcomer waits in the kernel backlog (it is
// neither accepted and closed nor answered) and is served as soon as a slot is given back.
TEST(DnsServerTcpLimits, AtTheCapTheNewcomerWaitsThenIsServed) {
    DnsServerOptions options = long_timeouts();
    options.max_tcp_connections = 3;
    LimitedServer s(options);
    const uint64_t paused = sum_query_counters().tcp_accept_paused;
    std::vector<std::unique_ptr<TcpClient>> held;
    for (int i = 0; i < 3; ++i) {
        held.push_back(std::make_unique<TcpClient>(s.port()));
        ASSERT_TRUE(held.back()->connected());
        held.back()->write_raw(TcpClient::framed(make_query(ask("www.example.com"))));
        ASSERT_TRUE(held.back()->read_message());  // accepted and counted by now
    }
    TcpClient waiting(s.port());
    ASSERT_TRUE(waiting.connected());  // the kernel completes the handshake
    waiting.write_raw(TcpClient::framed(make_query(ask("www.example.com", 1, 77))));
    EXPECT_TRUE(eventually([&] { return sum_query_counters().tcp_accept_paused > paused; }));
    EXPECT_EQ(s.server->tcp_connections(), (std::vector<size_t>{2, 1}));
    held.front().reset();  // one slot given back
    auto reply = waiting.read_message();
    ASSERT_TRUE(reply) << "the waiting connection was closed instead of served";
    auto p = decode(*reply);
    ASSERT_TRUE(p);
    EXPECT_EQ(ldns_pkt_id(p.get()), 77);
    EXPECT_EQ(ldns_pkt_ancount(p.get()), 2);
}

// Part of a query and then silence: closed by the I/O deadline, not the (long) idle one.
TEST(DnsServerTcpLimits, AnUnfinishedQueryIsClosedByTheIoDeadline) {
    DnsServerOptions options = long_timeouts();
    options.tcp_io_timeout = std::chrono::milliseconds(100);
    LimitedServer s(options);
    const uint64_t before = closed_for(TcpCloseReason::ReadTimeout);
    TcpClient tcp(s.port());
    ASSERT_TRUE(tcp.connected());
    const auto framed = TcpClient::framed(make_query(ask("www.example.com")));
    tcp.write_raw({framed.begin(), framed.begin() + 5});
    EXPECT_TRUE(tcp.closed_by_server());  // client deadline 3 s, idle timeout 60 s
    EXPECT_EQ(closed_for(TcpCloseReason::ReadTimeout), before + 1);
}

// More than half the cap in use: idle connections get the short timeout, until no more than
// half is in use.
TEST(DnsServerTcpLimits, OverHalfTheCapIdleConnectionsGetTheShortTimeout) {
    DnsServerOptions options = long_timeouts();
    options.max_tcp_connections = 4;
    options.tcp_busy_idle_timeout = std::chrono::milliseconds(100);
    LimitedServer s(options);
    const uint64_t busy = closed_for(TcpCloseReason::BusyIdle);
    const uint64_t idle = closed_for(TcpCloseReason::Idle);
    std::vector<std::unique_ptr<TcpClient>> clients;
    for (int i = 0; i < 3; ++i) {
        clients.push_back(std::make_unique<TcpClient>(s.port()));
        ASSERT_TRUE(clients.back()->connected());
    }
    auto open = [&] {
        size_t n = 0;
        for (size_t c : s.server->tcp_connections()) n += c;
        return n;
    };
    EXPECT_TRUE(eventually([&] { return closed_for(TcpCloseReason::BusyIdle) > busy; }));
    EXPECT_TRUE(eventually([&] { return open() <= 2; }));  // idle timeout 60 s
    EXPECT_EQ(closed_for(TcpCloseReason::Idle), idle);
}

TEST(DnsServerTcpLimits, BelowHalfTheCapIdleTimeoutHolds) {
    DnsServerOptions options = long_timeouts();
    options.max_tcp_connections = 10;
    options.tcp_busy_idle_timeout = std::chrono::milliseconds(1);
    options.tcp_idle_timeout = std::chrono::milliseconds(200);
    LimitedServer s(options);
    const uint64_t busy = closed_for(TcpCloseReason::BusyIdle);
    const uint64_t idle = closed_for(TcpCloseReason::Idle);
    TcpClient tcp(s.port());
    ASSERT_TRUE(tcp.connected());
    EXPECT_TRUE(tcp.closed_by_server());
    EXPECT_EQ(closed_for(TcpCloseReason::BusyIdle), busy);
    EXPECT_EQ(closed_for(TcpCloseReason::Idle), idle + 1);
}

TEST(DnsServerTcpLimits, TheCapIsSplitOverTheTcpWorkers) {
    for (unsigned tcp_workers : {1u, 0u}) {
        DnsServerOptions options = long_timeouts();
        options.max_tcp_connections = 4;
        options.tcp_workers = tcp_workers;  // of two; 0 = both
        LimitedServer s(options);
        std::vector<std::unique_ptr<TcpClient>> held;
        for (int i = 0; i < 4; ++i) {
            held.push_back(std::make_unique<TcpClient>(s.port()));
            held.back()->write_raw(TcpClient::framed(make_query(ask("www.example.com"))));
            ASSERT_TRUE(held.back()->read_message()) << i;
        }
        const auto expected =
            tcp_workers == 1 ? std::vector<size_t>{4, 0} : std::vector<size_t>{2, 2};
        EXPECT_EQ(s.server->tcp_connections(), expected) << tcp_workers;
        const uint64_t by_peer = closed_for(TcpCloseReason::PeerClosed);
        held.clear();
        EXPECT_TRUE(eventually([&] {
            return s.server->tcp_connections() == std::vector<size_t>{0, 0};
        }));
        EXPECT_EQ(closed_for(TcpCloseReason::PeerClosed), by_peer + 4);
    }
}

TEST_F(DnsServerTest, ClientSubnetIsEchoed) {
    UdpClient client(port_);
    QuerySpec s = ask("www.example.com");
    s.edns = true;
    s.ecs = true;
    s.subnet = {1, 24, 0, {198, 51, 100}};
    auto p = client.ask(make_query(s));
    ASSERT_TRUE(p);
    ldns_rdf* data = ldns_pkt_edns_data(p.get());
    ASSERT_NE(data, nullptr);
    ASSERT_GE(ldns_rdf_size(data), 11u);
    const uint8_t* d = ldns_rdf_data(data);
    EXPECT_EQ(d[1], 8);   // option code
    EXPECT_EQ(d[6], 24);  // source prefix echoed
    EXPECT_EQ(d[8], 198);
}

// A worker that answered from a snapshot and then gets no query lets go of it on its refresh
// timer, and the reclaimer, not the worker, frees it.
TEST(DnsServer, AnIdleWorkerLetsGoOfAReplacedSnapshot) {
    std::promise<std::string> freed;
    auto freed_by = freed.get_future();
    auto built = example_state();
    auto* copy = new resolver::ServingState(*built);
    resolver::ServingStatePtr first(copy, [&freed](const resolver::ServingState* p) {
        char name[16] = {};
        pthread_getname_np(pthread_self(), name, sizeof name);
        freed.set_value(name);
        delete p;
    });
    StateHolder holder(std::move(first));
    DnsServerOptions options;
    options.workers = 1;
    options.snapshot_refresh = std::chrono::milliseconds(20);
    DnsServer server(options, holder);
    server.start();
    UdpClient client(server.bound_port());
    auto reply = client.ask(make_query(ask("www.example.com")));
    ASSERT_NE(reply, nullptr);  // the worker now holds the first snapshot
    holder.publish(built);
    // Bounded wait for the free, not a timing threshold: no query comes to make the worker look.
    ASSERT_EQ(freed_by.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    EXPECT_EQ(freed_by.get(), "r53-reclaim");
    EXPECT_EQ(holder.live(), 1u);
}

TEST(DnsServer, ServfailWithoutAState) {
    StateHolder empty;
    DnsServer server({}, empty);
    server.start();
    UdpClient client(server.bound_port());
    auto p = client.ask(make_query(ask("www.example.com")));
    ASSERT_TRUE(p);
    EXPECT_EQ(ldns_pkt_get_rcode(p.get()), LDNS_RCODE_SERVFAIL);
    server.stop();
    server.stop();  // idempotent
}

TEST(DnsServer, ServesIpv6Loopback) {
    StateHolder holder(example_state());
    DnsServerOptions options;
    options.address = "::1";
    options.workers = 1;
    DnsServer server(options, holder);
    server.start();
    EXPECT_EQ(server.bound_address(), "[::1]:" + std::to_string(server.bound_port()));
    const int fd = socket(AF_INET6, SOCK_DGRAM, 0);
    set_timeout(fd);
    sockaddr_in6 to{};
    to.sin6_family = AF_INET6;
    to.sin6_port = htons(server.bound_port());
    to.sin6_addr = in6addr_loopback;
    const auto query = make_query(ask("www.example.com"));
    ASSERT_EQ(sendto(fd, query.data(), query.size(), 0, reinterpret_cast<const sockaddr*>(&to),
                     sizeof to),
              static_cast<ssize_t>(query.size()));
    std::vector<uint8_t> buf(4096);
    const ssize_t n = recv(fd, buf.data(), buf.size(), 0);
    close(fd);
    ASSERT_GT(n, 0);
    buf.resize(static_cast<size_t>(n));
    auto p = decode(buf);
    ASSERT_TRUE(p);
    EXPECT_EQ(ldns_pkt_ancount(p.get()), 2);
}

TEST(DnsServer, BindFailureNamesTheAddress) {
    StateHolder holder;
    DnsServer first({}, holder);
    first.start();
    DnsServerOptions same;
    same.port = first.bound_port();
    same.workers = 1;
    // UDP sockets share the port (SO_REUSEPORT, same user): the TCP listener collides.
    DnsServer second(same, holder);
    try {
        second.start();
        FAIL() << "second bind on port " << same.port << " succeeded";
    } catch (const std::system_error& e) {
        EXPECT_NE(std::string(e.what()).find(std::to_string(same.port)), std::string::npos)
            << e.what();
    }
    DnsServerOptions bad;
    bad.address = "not-an-address";
    DnsServer third(bad, holder);
    EXPECT_THROW(third.start(), std::system_error);
}

}  // namespace
}  // namespace r53::server
