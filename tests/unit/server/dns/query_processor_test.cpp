// QueryProcessor without sockets: which client address reaches the resolver, seeds, counters.
#include "server/dns/query_processor.hpp"

#include <gtest/gtest.h>
#include <ldns/ldns.h>

#include <memory>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "healthcheck/health_table.hpp"
#include "resolver/zone_set.hpp"
#include "test_packets.hpp"

namespace r53::server {
namespace {

using testing::make_query;
using testing::QuerySpec;

config::ResourceRecordSet record(const std::string& name, const std::string& type,
                                 std::vector<std::string> values) {
    config::ResourceRecordSet r;
    r.name = name;
    r.type = type;
    r.ttl = 60;
    r.resource_records = std::move(values);
    return r;
}

// ip.example.com routes by CIDR block (semantics §2.3); w.example.com is weighted 1:1.
resolver::ServingStatePtr routed_state(std::optional<std::string> default_client,
                                       std::optional<uint64_t> seed = std::nullopt) {
    auto cfg = std::make_shared<config::Config>();
    config::CidrCollection c;
    c.id = "c-1";
    c.name = "offices";
    c.locations["office"] = {"192.0.2.0/24"};
    c.locations["region"] = {"192.0.0.0/16"};
    cfg->local.cidr_collections.push_back(c);
    cfg->local.default_client_address = std::move(default_client);
    cfg->local.routing_seed = seed;
    config::HostedZone zone{"Z1", "example.com.", {}, {}};
    zone.record_sets.push_back(
        record("example.com.", "SOA",
               {"ns1.example.com. hostmaster.example.com. 1 7200 900 1209600 86400"}));
    zone.record_sets.push_back(record("example.com.", "NS", {"ns1.example.com."}));
    for (auto [loc, ip] :
         {std::pair{"office", "10.3.0.1"}, {"region", "10.3.0.2"}, {"*", "10.3.0.3"}}) {
        auto r = record("ip.example.com.", "A", {ip});
        r.set_identifier = loc;
        r.cidr_routing_config = config::CidrRoutingConfig{"c-1", loc};
        zone.record_sets.push_back(r);
    }
    for (auto [id, ip] : {std::pair{"one", "10.4.0.1"}, {"two", "10.4.0.2"}}) {
        auto r = record("w.example.com.", "A", {ip});
        r.set_identifier = id;
        r.weight = 1;
        zone.record_sets.push_back(r);
    }
    cfg->zones.push_back(zone);
    config::Diagnostics diagnostics;
    auto state = std::make_shared<resolver::ServingState>();
    state->zones = resolver::ZoneSet::build(*cfg, diagnostics);
    for (const auto& d : diagnostics) ADD_FAILURE() << d.code << ": " << d.message;
    state->config = cfg;
    state->health = std::make_shared<health::HealthTable>();
    return state;
}

resolver::ClientAddress address(const char* text) {
    resolver::ClientAddress a;
    EXPECT_TRUE(parse_client_address(text, a)) << text;
    return a;
}

struct Reply {
    size_t size = 0;
    std::vector<std::string> values;
    std::vector<uint8_t> options;  // OPT RDATA
};

Reply run(QueryProcessor& processor, const QuerySpec& spec, const char* source,
          Transport transport = Transport::Udp) {
    std::vector<uint8_t> out(4096);
    Reply r;
    r.size = processor.process(make_query(spec), address(source), transport, out);
    if (r.size == 0) return r;
    ldns_pkt* p = nullptr;
    EXPECT_EQ(ldns_wire2pkt(&p, out.data(), r.size), LDNS_STATUS_OK);
    if (!p) return r;
    ldns_rr_list* answer = ldns_pkt_answer(p);
    for (size_t i = 0; i < ldns_rr_list_rr_count(answer); ++i) {
        char* text = ldns_rdf2str(ldns_rr_rdf(ldns_rr_list_rr(answer, i), 0));
        r.values.push_back(text);
        free(text);
    }
    if (ldns_rdf* data = ldns_pkt_edns_data(p))
        r.options.assign(ldns_rdf_data(data), ldns_rdf_data(data) + ldns_rdf_size(data));
    ldns_pkt_free(p);
    return r;
}

QuerySpec ip_query() {
    QuerySpec s;
    s.qname = "ip.example.com";
    return s;
}

TEST(ClientAddressText, ParsesAddressesAndPrefixes) {
    resolver::ClientAddress a;
    ASSERT_TRUE(parse_client_address("198.51.100.7", a));
    EXPECT_EQ(a.family, 4);
    EXPECT_EQ(a.prefix_length, 32);
    EXPECT_EQ(a.bytes[3], 7);
    ASSERT_TRUE(parse_client_address("2001:db8::/48", a));
    EXPECT_EQ(a.family, 6);
    EXPECT_EQ(a.prefix_length, 48);
    EXPECT_FALSE(parse_client_address("198.51.100.7/33", a));
    EXPECT_FALSE(parse_client_address("nonsense", a));
    EXPECT_FALSE(parse_client_address("10.0.0.1/", a));
    EXPECT_TRUE(is_loopback(address("127.0.0.53")));
    EXPECT_TRUE(is_loopback(address("::1")));
    EXPECT_FALSE(is_loopback(address("192.0.2.1")));
}

TEST(QueryProcessor, LoopbackWithoutDefaultClientUsesTheSourceAddress) {
    StateHolder holder(routed_state(std::nullopt));
    QueryProcessor processor(holder, 0);
    EXPECT_EQ(run(processor, ip_query(), "127.0.0.1").values, std::vector<std::string>{"10.3.0.3"});
    EXPECT_EQ(run(processor, ip_query(), "192.0.2.9").values, std::vector<std::string>{"10.3.0.1"});
}

TEST(QueryProcessor, DefaultClientStandsInForLoopbackOnly) {  // semantics §8 point 34
    StateHolder holder(routed_state("192.0.2.10"));
    QueryProcessor processor(holder, 0);
    EXPECT_EQ(run(processor, ip_query(), "127.0.0.1").values, std::vector<std::string>{"10.3.0.1"});
    EXPECT_EQ(run(processor, ip_query(), "::1").values, std::vector<std::string>{"10.3.0.1"});
    EXPECT_EQ(run(processor, ip_query(), "192.0.7.1").values, std::vector<std::string>{"10.3.0.2"});
    // A reload without it: loopback is itself again.
    holder.publish(routed_state(std::nullopt));
    EXPECT_EQ(run(processor, ip_query(), "127.0.0.1").values, std::vector<std::string>{"10.3.0.3"});
}

TEST(QueryProcessor, ClientSubnetWinsOverSourceAndDefault) {  // semantics §2.4
    StateHolder holder(routed_state("192.0.2.10"));
    QueryProcessor processor(holder, 0);
    QuerySpec s = ip_query();
    s.edns = true;
    s.ecs = true;
    s.subnet.source = 16;
    s.subnet.address = {192, 0};
    const Reply r = run(processor, s, "127.0.0.1");
    EXPECT_EQ(r.values, std::vector<std::string>{"10.3.0.2"});
    ASSERT_EQ(r.options.size(), 10u);  // code, length, family, source, scope, 2 address bytes
    EXPECT_EQ(r.options[6], 16);       // source prefix echoed
}

TEST(QueryProcessor, FixedSeedGivesTheSameSequencePerWorker) {
    StateHolder holder(routed_state(std::nullopt, 42));
    QueryProcessor a(holder, 0), b(holder, 0), other(holder, 1);
    QuerySpec s;
    s.qname = "w.example.com";
    std::vector<std::string> seq_a, seq_b, seq_other;
    for (int i = 0; i < 64; ++i) {
        seq_a.push_back(run(a, s, "127.0.0.1").values.at(0));
        seq_b.push_back(run(b, s, "127.0.0.1").values.at(0));
        seq_other.push_back(run(other, s, "127.0.0.1").values.at(0));
    }
    EXPECT_EQ(seq_a, seq_b);
    EXPECT_NE(seq_a, seq_other);  // worker k draws from seed + k
}

TEST(QueryProcessor, CountsPerTransportRcodeAndDrops) {
    StateHolder holder(routed_state(std::nullopt));
    QueryProcessor processor(holder, 0);
    const QueryCountersSnapshot before = sum_query_counters();
    run(processor, ip_query(), "127.0.0.1", Transport::Tcp);
    QuerySpec nx;
    nx.qname = "nope.example.com";
    nx.qtype = 28;
    run(processor, nx, "127.0.0.1");
    QuerySpec response;
    response.flags = 0x8000;
    EXPECT_EQ(run(processor, response, "127.0.0.1").size, 0u);
    const QueryCountersSnapshot after = sum_query_counters();
    EXPECT_EQ(after.by_transport[1] - before.by_transport[1], 1u);
    EXPECT_EQ(after.by_transport[0] - before.by_transport[0], 1u);
    EXPECT_EQ(after.by_rcode[3] - before.by_rcode[3], 1u);
    EXPECT_EQ(after.by_qtype[static_cast<size_t>(QtypeBucket::AAAA)] -
                  before.by_qtype[static_cast<size_t>(QtypeBucket::AAAA)],
              1u);
    EXPECT_EQ(after.dropped - before.dropped, 1u);
    uint64_t observed = 0;
    for (size_t i = 0; i < after.latency_buckets.size(); ++i)
        observed += after.latency_buckets[i] - before.latency_buckets[i];
    EXPECT_EQ(observed, 2u);
}

}  // namespace
}  // namespace r53::server
