// The query path with the query log on never allocates (design §4 rule 6): a counting global
// operator new watches QueryProcessor::process writing into its ring.
#include <gtest/gtest.h>

#include "allocation_counter.hpp"
#include "config/model.hpp"
#include "healthcheck/health_table.hpp"
#include "resolver/zone_set.hpp"
#include "server/dns/query_log_ring.hpp"
#include "server/dns/query_processor.hpp"
#include "test_packets.hpp"

namespace r53::server {
namespace {

TEST(QueryLogNoAlloc, LoggingQueriesDoesNotAllocate) {
    if (!kAllocationsCounted) GTEST_SKIP() << "allocation counting needs the plain operator new";
    auto cfg = std::make_shared<config::Config>();
    config::HostedZone zone{"Z0123456789ABC", "example.com.", {}, {}};
    config::ResourceRecordSet www;
    www.name = "www.example.com.";
    www.type = "A";
    www.ttl = 60;
    www.resource_records = {"192.0.2.1"};
    zone.record_sets.push_back(www);
    cfg->zones.push_back(zone);
    config::Diagnostics diagnostics;
    auto state = std::make_shared<resolver::ServingState>();
    state->zones = resolver::ZoneSet::build(*cfg, diagnostics);
    state->config = cfg;
    state->health = std::make_shared<health::HealthTable>();
    StateHolder holder(state);
    QueryProcessor processor(holder, 0);
    QueryRing ring(64);
    processor.set_query_ring(&ring);

    std::vector<std::vector<uint8_t>> queries;
    for (const char* name : {"www.example.com", "nope.example.com", "example.org"}) {
        testing::QuerySpec spec;
        spec.qname = name;
        spec.edns = true;
        spec.ecs = true;
        queries.push_back(testing::make_query(spec));
    }
    resolver::ClientAddress source;
    ASSERT_TRUE(parse_client_address("192.0.2.9", source));
    std::vector<uint8_t> out(4096);
    processor.process(queries[0], source, Transport::Udp, out);  // first use: counters, snapshot
    counting = true;
    for (int round = 0; round < 100; ++round)
        for (const auto& q : queries) processor.process(q, source, Transport::Udp, out);
    counting = false;
    EXPECT_EQ(allocations, 0u);
    EXPECT_EQ(ring.head(), 301u);
}

}  // namespace
}  // namespace r53::server
