// The query log: the per-worker ring (order, overwrite, torn reads), Route 53's line format,
// what the query path records, and the file writer with its reopen.
#include "server/dns/query_log.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "config/model.hpp"
#include "healthcheck/health_table.hpp"
#include "resolver/zone_set.hpp"
#include "server/dns/query_log_format.hpp"
#include "server/dns/query_processor.hpp"
#include "test_packets.hpp"

namespace r53::server {
namespace {

QueryLogEntry numbered(uint64_t n) {
    QueryLogEntry e;
    e.time_ns = static_cast<int64_t>(n);
    e.qtype = static_cast<uint16_t>(n);
    e.qname_length = 255;
    // Every byte of the payload says which entry it belongs to: a torn copy mixes two values.
    for (auto& b : e.qname) b = static_cast<uint8_t>(n);
    for (auto& c : e.zone_id) c = static_cast<char>(n);
    return e;
}

bool consistent(const QueryLogEntry& e) {
    const auto n = static_cast<uint8_t>(e.time_ns);
    if (e.qname_length != 255) return false;
    for (size_t i = 0; i < e.qname_length; ++i)
        if (e.qname[i] != n) return false;
    for (auto c : e.zone_id)
        if (static_cast<uint8_t>(c) != n) return false;
    return e.qtype == static_cast<uint16_t>(e.time_ns);
}

TEST(QueryRing, ReadsEveryEntryInOrder) {
    QueryRing ring(8);
    for (uint64_t i = 0; i < 5; ++i) ring.push(numbered(i));
    std::vector<QueryLogEntry> out;
    uint64_t lost = 0;
    EXPECT_EQ(ring.read_from(0, out, lost), 5u);
    ASSERT_EQ(out.size(), 5u);
    for (uint64_t i = 0; i < 5; ++i) EXPECT_EQ(out[i].time_ns, static_cast<int64_t>(i));
    EXPECT_EQ(lost, 0u);
    out.clear();
    EXPECT_EQ(ring.read_from(5, out, lost), 5u);  // nothing new
    EXPECT_TRUE(out.empty());
}

TEST(QueryRing, OverwritesTheOldestAndCountsWhatAReaderMissed) {
    QueryRing ring(3);  // rounded up to 4
    EXPECT_EQ(ring.capacity(), 4u);
    for (uint64_t i = 0; i < 10; ++i) ring.push(numbered(i));
    std::vector<QueryLogEntry> out;
    uint64_t lost = 0;
    EXPECT_EQ(ring.read_from(0, out, lost), 10u);
    ASSERT_EQ(out.size(), 4u);
    EXPECT_EQ(out.front().time_ns, 6);
    EXPECT_EQ(out.back().time_ns, 9);
    EXPECT_EQ(lost, 6u);
    QueryLogEntry e;
    EXPECT_FALSE(ring.read(5, e));  // overwritten by 9
    EXPECT_TRUE(ring.read(9, e));
    EXPECT_FALSE(ring.read(10, e));  // not written yet
}

// A reader racing the writer never returns a torn entry: every entry it gets is whole.
TEST(QueryRing, ConcurrentReaderSeesOnlyWholeEntries) {
    QueryRing ring(16);
    constexpr uint64_t kEntries = 200'000;
    std::atomic<bool> done{false};
    std::thread writer([&] {
        for (uint64_t i = 0; i < kEntries; ++i) ring.push(numbered(i));
        done = true;
    });
    uint64_t seen = 0, torn = 0, from = 0, lost = 0;
    std::vector<QueryLogEntry> out;
    while (!done.load() || from < ring.head()) {
        out.clear();
        from = ring.read_from(from, out, lost);
        for (const auto& e : out) {
            ++seen;
            if (!consistent(e)) ++torn;
        }
    }
    writer.join();
    EXPECT_EQ(torn, 0u);
    EXPECT_EQ(seen + lost, kEntries);
    EXPECT_GT(seen, 0u);
}

QueryLogEntry sample() {
    QueryLogEntry e;
    e.time_ns = 1513152962130'000'000;  // 2017-12-13T08:16:02.130Z
    e.qtype = 1;
    const auto name = testing::wire_name("example.com");
    e.qname_length = static_cast<uint8_t>(name.size());
    std::copy(name.begin(), name.end(), e.qname.begin());
    const std::string zone = "Z123412341234";
    e.zone_id_length = static_cast<uint8_t>(zone.size());
    std::copy(zone.begin(), zone.end(), e.zone_id.begin());
    e.resolver_family = 4;
    e.resolver = {192, 168, 1, 1};
    return e;
}

TEST(QueryLogFormat, TextLineHasRoute53FieldsInOrder) {
    EXPECT_EQ(format_text(to_record(sample())),
              "1.0 2017-12-13T08:16:02.130Z Z123412341234 example.com A NOERROR UDP LCL1 "
              "192.168.1.1 -");
}

TEST(QueryLogFormat, ClientSubnetIpv6AndTcp) {
    QueryLogEntry e = sample();
    e.transport = 1;
    e.rcode = 3;
    e.qtype = 28;
    e.resolver_family = 6;
    e.resolver = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    e.ecs_family = 4;
    e.ecs_source_prefix = 24;
    e.ecs_address = {198, 51, 100};
    EXPECT_EQ(format_text(to_record(e)),
              "1.0 2017-12-13T08:16:02.130Z Z123412341234 example.com AAAA NXDOMAIN TCP LCL1 "
              "2001:db8::1 198.51.100.0/24");
}

TEST(QueryLogFormat, JsonLineKeepsTheOrderAndEscapes) {
    QueryLogEntry e = sample();
    const auto name = testing::wire_name("*.Ex\"ample.com");
    e.qname_length = static_cast<uint8_t>(name.size());
    std::copy(name.begin(), name.end(), e.qname.begin());
    e.zone_id_length = 0;
    e.rcode = 5;
    EXPECT_EQ(format_json(to_record(e)),
              "{\"version\":\"1.0\",\"query_timestamp\":\"2017-12-13T08:16:02.130Z\","
              "\"hosted_zone_id\":\"-\",\"query_name\":\"\\\\052.Ex\\\\042ample.com\","
              "\"query_type\":\"A\",\"response_code\":\"REFUSED\",\"protocol\":\"UDP\","
              "\"edge_location\":\"LCL1\",\"resolver_ip\":\"192.168.1.1\","
              "\"edns_client_subnet\":\"-\"}");
}

TEST(QueryLogFormat, NamesTypesAndCodes) {
    const uint8_t root[] = {0};
    EXPECT_EQ(query_name_text(root, 1), ".");
    EXPECT_EQ(qtype_text(65280), "TYPE65280");
    EXPECT_EQ(qtype_text(257), "CAA");
    EXPECT_EQ(rcode_text(16), "BADVERS");
    EXPECT_EQ(rcode_text(9), "RCODE9");
    EXPECT_EQ(iso_timestamp(0), "1970-01-01T00:00:00.000Z");
}

// The file writer's direct formatter writes the same lines as the record path, across seconds.
TEST(QueryLogFormat, LineWriterMatchesTheRecordPath) {
    std::vector<QueryLogEntry> entries;
    QueryLogEntry e = sample();
    entries.push_back(e);
    e.time_ns += 999'000'000;  // same second, other milliseconds
    e.transport = 1;
    e.rcode = 9;
    e.qtype = 65280;
    entries.push_back(e);
    e.time_ns += 1'000'000;  // the next second
    e.zone_id_length = 0;
    e.qname_length = 0;  // FORMERR without a question
    e.resolver_family = 6;
    e.ecs_family = 6;
    e.ecs_source_prefix = 56;
    e.ecs_address = {0x20, 0x01, 0x0d, 0xb8, 0xab};
    entries.push_back(e);
    QueryLogEntry odd = sample();
    const auto name = testing::wire_name("we\"ird\\.*.example.com");
    odd.qname_length = static_cast<uint8_t>(name.size());
    std::copy(name.begin(), name.end(), odd.qname.begin());
    const std::string zone = "Z\"quoted\x01";
    odd.zone_id_length = static_cast<uint8_t>(zone.size());
    std::copy(zone.begin(), zone.end(), odd.zone_id.begin());
    entries.push_back(odd);
    QueryLineWriter writer;
    for (const auto& entry : entries) {
        std::string text, json;
        writer.append(entry, QueryLogFormat::Text, text);
        writer.append(entry, QueryLogFormat::Json, json);
        EXPECT_EQ(text, format_text(to_record(entry)));
        EXPECT_EQ(json, format_json(to_record(entry)));
    }
}

config::ResourceRecordSet record(const std::string& name, const std::string& type,
                                 std::vector<std::string> values) {
    config::ResourceRecordSet r;
    r.name = name;
    r.type = type;
    r.ttl = 60;
    r.resource_records = std::move(values);
    return r;
}

resolver::ServingStatePtr zone_state() {
    auto cfg = std::make_shared<config::Config>();
    config::HostedZone zone{"Z0123456789ABC", "example.com.", {}, {}};
    zone.record_sets.push_back(
        record("example.com.", "SOA",
               {"ns1.example.com. hostmaster.example.com. 1 7200 900 1209600 86400"}));
    zone.record_sets.push_back(record("example.com.", "NS", {"ns1.example.com."}));
    zone.record_sets.push_back(record("www.example.com.", "A", {"192.0.2.1"}));
    cfg->zones.push_back(zone);
    config::Diagnostics diagnostics;
    auto state = std::make_shared<resolver::ServingState>();
    state->zones = resolver::ZoneSet::build(*cfg, diagnostics);
    state->config = cfg;
    state->health = std::make_shared<health::HealthTable>();
    return state;
}

resolver::ClientAddress client(const char* text) {
    resolver::ClientAddress a;
    EXPECT_TRUE(parse_client_address(text, a));
    return a;
}

TEST(QueryLogHook, ProcessorRecordsEveryAnsweredQuery) {
    StateHolder holder(zone_state());
    QueryProcessor processor(holder, 0);
    QueryRing ring(16);
    processor.set_query_ring(&ring);
    std::vector<uint8_t> out(4096);
    auto ask = [&](testing::QuerySpec spec, const char* from, Transport t = Transport::Udp) {
        return processor.process(testing::make_query(spec), client(from), t, out);
    };
    testing::QuerySpec www;
    www.qname = "WWW.example.com";
    ask(www, "192.0.2.77");
    testing::QuerySpec missing;
    missing.qname = "nope.example.com";
    missing.qtype = 28;
    missing.edns = true;
    missing.ecs = true;
    ask(missing, "127.0.0.1", Transport::Tcp);
    testing::QuerySpec outside;
    outside.qname = "example.org";
    ask(outside, "::1");
    testing::QuerySpec response;  // QR=1: dropped, never answered, not logged
    response.flags = 0x8000;
    ask(response, "127.0.0.1");

    std::vector<QueryLogEntry> entries;
    uint64_t lost = 0;
    ring.read_from(0, entries, lost);
    ASSERT_EQ(entries.size(), 3u);
    std::vector<std::string> lines;
    for (const auto& e : entries) {
        std::string line = format_text(to_record(e));
        lines.push_back(line.substr(line.find('Z') + 2));  // after the timestamp
    }
    EXPECT_EQ(lines[0], "Z0123456789ABC WWW.example.com A NOERROR UDP LCL1 192.0.2.77 -");
    EXPECT_EQ(lines[1],
              "Z0123456789ABC nope.example.com AAAA NXDOMAIN TCP LCL1 127.0.0.1 192.0.2.0/24");
    EXPECT_EQ(lines[2], "- example.org A REFUSED UDP LCL1 ::1 -");
    EXPECT_LE(entries[0].time_ns, entries[1].time_ns);
}

std::string temp_path(const std::string& name) {
    return (std::filesystem::temp_directory_path() /
            ("r53sim-querylog-" + std::to_string(getpid()) + "-" + name))
        .string();
}

std::vector<std::string> read_lines(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

template <class Predicate>
bool eventually(Predicate p) {  // bounded: the writer drains every few milliseconds
    for (int i = 0; i < 2000 && !p(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return p();
}

TEST(QueryLogFile, WritesLinesAndReopensAfterRotation) {
    const std::string path = temp_path("rotate.log"), rotated = path + ".1";
    std::filesystem::remove(path);
    std::filesystem::remove(rotated);
    QueryLogOptions options;
    options.ring_entries = 16;
    options.file = path;
    QueryLog log(options);
    QueryRing* ring = log.add_ring();
    ASSERT_NE(ring, nullptr);
    std::string error;
    ASSERT_TRUE(log.start(error)) << error;
    ring->push(sample());
    ASSERT_TRUE(eventually([&] { return log.stats().written == 1; }));
    std::filesystem::rename(path, rotated);
    log.reopen();
    ASSERT_TRUE(eventually([&] { return log.stats().reopens == 1; }));
    QueryLogEntry second = sample();
    second.rcode = 3;
    ring->push(second);
    log.stop();
    EXPECT_EQ(read_lines(rotated), std::vector<std::string>{format_text(to_record(sample()))});
    EXPECT_EQ(read_lines(path), std::vector<std::string>{format_text(to_record(second))});
    EXPECT_EQ(log.stats().written, 2u);
    std::filesystem::remove(path);
    std::filesystem::remove(rotated);
}

TEST(QueryLogFile, JsonLinesAndRecentFilters) {
    const std::string path = temp_path("json.log");
    std::filesystem::remove(path);
    QueryLogOptions options;
    options.ring_entries = 8;
    options.file = path;
    options.format = QueryLogFormat::Json;
    QueryLog log(options);
    QueryRing* a = log.add_ring();
    QueryRing* b = log.add_ring();
    std::string error;
    ASSERT_TRUE(log.start(error)) << error;
    QueryLogEntry first = sample(), second = sample(), third = sample();
    second.time_ns += 1'000'000;
    second.qtype = 28;
    third.time_ns += 2'000'000;
    a->push(first);
    a->push(third);
    b->push(second);  // another worker, in between in time
    log.stop();
    const auto lines = read_lines(path);
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_NE(lines[1].find("\"query_type\":\"AAAA\""), std::string::npos) << lines[1];

    QueryFilter all;
    auto recent = log.recent(all);
    ASSERT_EQ(recent.size(), 3u);
    EXPECT_EQ(recent[1].query_type, "AAAA");  // merged across workers by time
    QueryFilter by_type;
    by_type.type = "aaaa";
    EXPECT_EQ(log.recent(by_type).size(), 1u);
    QueryFilter by_name;
    by_name.name = "EXAMPLE.com.";
    EXPECT_EQ(log.recent(by_name).size(), 3u);
    by_name.name = "other.com";
    EXPECT_TRUE(log.recent(by_name).empty());
    QueryFilter since;
    since.since_ns = second.time_ns;
    EXPECT_EQ(log.recent(since).size(), 2u);
    QueryFilter last;
    last.limit = 1;
    ASSERT_EQ(log.recent(last).size(), 1u);
    EXPECT_EQ(log.recent(last)[0].time_ns, third.time_ns);
    std::filesystem::remove(path);
}

TEST(QueryLog, ZeroEntriesTurnsItOff) {
    QueryLogOptions options;
    options.ring_entries = 0;
    QueryLog log(options);
    EXPECT_FALSE(log.enabled());
    EXPECT_EQ(log.add_ring(), nullptr);
}

}  // namespace
}  // namespace r53::server
