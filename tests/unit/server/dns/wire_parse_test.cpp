#include "server/dns/wire_parse.hpp"

#include <gtest/gtest.h>

#include <random>

#include "resolver/answer.hpp"
#include "server/dns/wire_encode.hpp"
#include "test_packets.hpp"

namespace r53::server {
namespace {

using testing::make_query;
using testing::put16;
using testing::QuerySpec;
using testing::wire_name;

ParsedQuery parse(const std::vector<uint8_t>& bytes) {
    return parse_query(bytes);
}

// Header with the given counts, followed by `body`.
std::vector<uint8_t> packet(uint16_t qd, uint16_t an, uint16_t ns, uint16_t ar,
                            const std::vector<uint8_t>& body, uint16_t flags = 0x0100) {
    std::vector<uint8_t> b;
    put16(b, 7);
    put16(b, flags);
    put16(b, qd);
    put16(b, an);
    put16(b, ns);
    put16(b, ar);
    b.insert(b.end(), body.begin(), body.end());
    return b;
}

std::vector<uint8_t> question(const std::vector<uint8_t>& name, uint16_t qtype = 1) {
    std::vector<uint8_t> b = name;
    put16(b, qtype);
    put16(b, 1);
    return b;
}

TEST(WireParse, PlainQueryLowerCasesTheNameAndKeepsTheOriginal) {
    QuerySpec spec;
    spec.qname = "WwW.ExAmPlE.CoM";
    spec.qtype = 28;
    const ParsedQuery q = parse(make_query(spec));
    ASSERT_EQ(q.status, ParseStatus::Ok);
    EXPECT_EQ(q.id, 0x1234);
    EXPECT_TRUE(q.recursion_desired);
    EXPECT_EQ(q.opcode, 0);
    EXPECT_EQ(q.qtype, 28);
    EXPECT_EQ(q.qclass, 1);
    EXPECT_FALSE(q.edns.present);
    const auto lower = wire_name("www.example.com");
    const auto original = wire_name("WwW.ExAmPlE.CoM");
    ASSERT_EQ(q.qname_length, lower.size());
    EXPECT_TRUE(std::equal(lower.begin(), lower.end(), q.qname_lower.begin()));
    EXPECT_TRUE(std::equal(original.begin(), original.end(), q.qname_original.begin()));
}

TEST(WireParse, RootQuestion) {
    QuerySpec spec;
    spec.qname = "";
    const ParsedQuery q = parse(make_query(spec));
    ASSERT_EQ(q.status, ParseStatus::Ok);
    EXPECT_EQ(q.qname_length, 1);
}

TEST(WireParse, ShorterThanAHeaderIsDropped) {
    auto bytes = make_query({});
    EXPECT_EQ(parse({}).status, ParseStatus::Drop);
    bytes.resize(11);
    EXPECT_EQ(parse(bytes).status, ParseStatus::Drop);
}

TEST(WireParse, ResponsesAreDropped) {
    QuerySpec spec;
    spec.flags = 0x8100;
    EXPECT_EQ(parse(make_query(spec)).status, ParseStatus::Drop);
}

TEST(WireParse, NotifyIsNotImplementedAndKeepsTheQuestion) {
    QuerySpec spec;
    spec.flags = 4 << 11;  // NOTIFY
    const ParsedQuery q = parse(make_query(spec));
    EXPECT_EQ(q.status, ParseStatus::NotImp);
    EXPECT_EQ(q.opcode, 4);
    EXPECT_TRUE(q.has_question);
}

TEST(WireParse, QuestionCountMustBeOne) {
    EXPECT_EQ(parse(packet(0, 0, 0, 0, {})).status, ParseStatus::FormErr);
    auto two = question(wire_name("a.example"));
    const auto second = question(wire_name("b.example"));
    two.insert(two.end(), second.begin(), second.end());
    const ParsedQuery q = parse(packet(2, 0, 0, 0, two));
    EXPECT_EQ(q.status, ParseStatus::FormErr);
    EXPECT_FALSE(q.has_question);
}

TEST(WireParse, TruncatedQuestionIsFormErr) {
    auto bytes = make_query({});
    bytes.resize(bytes.size() - 1);  // half a QCLASS
    EXPECT_EQ(parse(bytes).status, ParseStatus::FormErr);
    bytes.resize(14);  // inside the first label
    EXPECT_EQ(parse(bytes).status, ParseStatus::FormErr);
}

TEST(WireParse, ForwardAndOutOfPacketPointersAreFormErr) {
    // "\1a" then a pointer to offset 40, past the packet.
    EXPECT_EQ(parse(packet(1, 0, 0, 0, question({1, 'a', 0xC0, 40}))).status, ParseStatus::FormErr);
    // A pointer to itself.
    EXPECT_EQ(parse(packet(1, 0, 0, 0, question({0xC0, 12}))).status, ParseStatus::FormErr);
    // A pointer cut in half at the end of the packet.
    EXPECT_EQ(parse(packet(1, 0, 0, 0, {1, 'a', 0xC0})).status, ParseStatus::FormErr);
}

TEST(WireParse, PointerLoopIsFormErr) {
    // Offset 12: "\3foo" then a pointer back to 12: an endless name.
    EXPECT_EQ(parse(packet(1, 0, 0, 0, question({3, 'f', 'o', 'o', 0xC0, 12}))).status,
              ParseStatus::FormErr);
    // Two pointers chasing each other through a record in the answer section.
    auto body = question(wire_name("a.example"));
    const size_t record = 12 + body.size();
    body.push_back(0xC0);
    body.push_back(static_cast<uint8_t>(record + 2));
    body.push_back(0xC0);
    body.push_back(static_cast<uint8_t>(record));
    EXPECT_EQ(parse(packet(1, 1, 0, 0, body)).status, ParseStatus::FormErr);
}

TEST(WireParse, ExtendedLabelTypesAreFormErr) {
    EXPECT_EQ(parse(packet(1, 0, 0, 0, question({0x41, 'a', 0}))).status, ParseStatus::FormErr);
}

TEST(WireParse, NamesUpTo255BytesOnly) {
    // 4 labels of 63 + root = 257 bytes: too long. 3 x 63 + 1 x 61 + root = 255: fine.
    std::string longest, too_long;
    for (int i = 0; i < 3; ++i) longest += std::string(63, 'a') + ".";
    too_long = longest + std::string(63, 'b');
    longest += std::string(61, 'b');
    const ParsedQuery ok = parse(packet(1, 0, 0, 0, question(wire_name(longest))));
    EXPECT_EQ(ok.status, ParseStatus::Ok);
    EXPECT_EQ(ok.qname_length, 255);
    EXPECT_EQ(parse(packet(1, 0, 0, 0, question(wire_name(too_long)))).status,
              ParseStatus::FormErr);
}

TEST(WireParse, TrailingGarbageIsFormErr) {
    auto bytes = make_query({});
    bytes.push_back(0);
    EXPECT_EQ(parse(bytes).status, ParseStatus::FormErr);
}

TEST(WireParse, CompressedNamesInOtherSectionsAreAccepted) {
    // An additional A record owned by a pointer to the question name.
    auto body = question(wire_name("a.example"));
    body.insert(body.end(), {0xC0, 12});
    put16(body, 1);
    put16(body, 1);
    put16(body, 0);
    put16(body, 60);
    put16(body, 4);
    body.insert(body.end(), {192, 0, 2, 1});
    EXPECT_EQ(parse(packet(1, 0, 0, 1, body)).status, ParseStatus::Ok);
}

TEST(WireParse, Edns) {
    QuerySpec spec;
    spec.edns = true;
    spec.payload = 1232;
    spec.dnssec_ok = true;
    const ParsedQuery q = parse(make_query(spec));
    ASSERT_EQ(q.status, ParseStatus::Ok);
    EXPECT_TRUE(q.edns.present);
    EXPECT_EQ(q.edns.udp_payload, 1232);
    EXPECT_TRUE(q.edns.dnssec_ok);
    EXPECT_EQ(q.edns.version, 0);
    EXPECT_FALSE(q.edns.has_client_subnet);
}

TEST(WireParse, EdnsVersionOneIsBadVers) {
    QuerySpec spec;
    spec.edns = true;
    spec.version = 1;
    const ParsedQuery q = parse(make_query(spec));
    EXPECT_EQ(q.status, ParseStatus::BadVers);
    EXPECT_TRUE(q.edns.present);
    EXPECT_TRUE(q.has_question);
}

TEST(WireParse, TruncatedOptIsFormErr) {
    QuerySpec spec;
    spec.edns = true;
    spec.ecs = true;
    auto bytes = make_query(spec);
    bytes.resize(bytes.size() - 2);  // RDLENGTH now runs past the end
    const ParsedQuery q = parse(bytes);
    EXPECT_EQ(q.status, ParseStatus::FormErr);
    EXPECT_FALSE(q.edns.present);
    // An option header whose length runs past the OPT RDATA.
    auto opt = question(wire_name("a.example"));
    opt.push_back(0);
    put16(opt, 41);
    put16(opt, 4096);
    put16(opt, 0);
    put16(opt, 0);
    put16(opt, 4);
    put16(opt, 10);  // option code
    put16(opt, 1);   // claims one byte, has none
    EXPECT_EQ(parse(packet(1, 0, 0, 1, opt)).status, ParseStatus::FormErr);
}

TEST(WireParse, TwoOptsAreFormErr) {
    QuerySpec spec;
    spec.edns = true;
    auto bytes = make_query(spec);
    const auto opt = testing::opt_record(spec);
    bytes.insert(bytes.end(), opt.begin(), opt.end());
    bytes[11] = 2;  // ARCOUNT
    EXPECT_EQ(parse(bytes).status, ParseStatus::FormErr);
}

TEST(WireParse, OptOutsideAdditionalOrNotAtRootIsFormErr) {
    QuerySpec spec;
    spec.edns = true;
    auto in_answer = make_query(spec);
    in_answer[7] = 1;   // ANCOUNT
    in_answer[11] = 0;  // ARCOUNT
    EXPECT_EQ(parse(in_answer).status, ParseStatus::FormErr);

    auto body = question(wire_name("a.example"));
    body.insert(body.end(), {0xC0, 12});  // OPT owned by the question name
    put16(body, 41);
    put16(body, 4096);
    put16(body, 0);
    put16(body, 0);
    put16(body, 0);
    EXPECT_EQ(parse(packet(1, 0, 0, 1, body)).status, ParseStatus::FormErr);
}

ParsedQuery parse_ecs(const testing::Ecs& ecs) {
    QuerySpec spec;
    spec.edns = true;
    spec.ecs = true;
    spec.subnet = ecs;
    return parse(make_query(spec));
}

TEST(WireParse, ClientSubnetIpv4) {
    const ParsedQuery q = parse_ecs({1, 24, 0, {198, 51, 100}});
    ASSERT_EQ(q.status, ParseStatus::Ok);
    ASSERT_TRUE(q.edns.has_client_subnet);
    EXPECT_EQ(q.edns.subnet_family, 1);
    EXPECT_EQ(q.edns.subnet_source_prefix, 24);
    EXPECT_EQ(q.edns.subnet_address[0], 198);
    EXPECT_EQ(q.edns.subnet_address[2], 100);
    EXPECT_EQ(q.edns.subnet_address[3], 0);
}

TEST(WireParse, ClientSubnetIpv6AndZeroPrefix) {
    const ParsedQuery v6 = parse_ecs({2, 56, 0, {0x20, 0x01, 0x0d, 0xb8, 0, 1, 2}});
    ASSERT_EQ(v6.status, ParseStatus::Ok);
    EXPECT_EQ(v6.edns.subnet_family, 2);
    EXPECT_EQ(v6.edns.subnet_source_prefix, 56);
    EXPECT_EQ(v6.edns.subnet_address[6], 2);
    EXPECT_EQ(v6.edns.subnet_address[7], 0);

    const ParsedQuery zero = parse_ecs({1, 0, 0, {}});
    ASSERT_EQ(zero.status, ParseStatus::Ok);
    EXPECT_TRUE(zero.edns.has_client_subnet);
    EXPECT_EQ(zero.edns.subnet_source_prefix, 0);
}

TEST(WireParse, MalformedClientSubnetIsFormErr) {
    EXPECT_EQ(parse_ecs({1, 24, 0, {198, 51}}).status, ParseStatus::FormErr);  // short address
    EXPECT_EQ(parse_ecs({1, 24, 0, {198, 51, 100, 7}}).status, ParseStatus::FormErr);  // long
    EXPECT_EQ(parse_ecs({1, 20, 0, {198, 51, 0x1F}}).status,
              ParseStatus::FormErr);  // bits past /20
    EXPECT_EQ(parse_ecs({1, 24, 8, {198, 51, 100}}).status,
              ParseStatus::FormErr);                                     // scope in query
    EXPECT_EQ(parse_ecs({3, 8, 0, {10}}).status, ParseStatus::FormErr);  // unknown family
    EXPECT_EQ(parse_ecs({1, 33, 0, {1, 2, 3, 4, 5}}).status, ParseStatus::FormErr);  // > /32
}

TEST(WireParse, FormErrKeepsTheQuestionWhenItParsed) {
    auto bytes = make_query({});
    bytes.push_back(0xFF);
    const ParsedQuery q = parse(bytes);
    EXPECT_EQ(q.status, ParseStatus::FormErr);
    EXPECT_TRUE(q.has_question);
}

// Bounded mutation run: whatever the bytes, parsing stays in bounds and any response it leads to
// fits its buffer and starts with the query's id.
TEST(WireParse, MutatedQueriesNeverBreakParsingOrEncoding) {
    QuerySpec spec;
    spec.edns = true;
    spec.ecs = true;
    const auto seed_packet = make_query(spec);
    std::mt19937 rng(12345);
    std::vector<uint8_t> out(512);
    const resolver::Answer empty;
    int ok = 0;
    for (int round = 0; round < 100000; ++round) {
        auto bytes = seed_packet;
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits; ++e) {
            const size_t at = rng() % bytes.size();
            switch (rng() % 3) {
                case 0:
                    bytes[at] = static_cast<uint8_t>(rng());
                    break;
                case 1:
                    bytes.resize(at);
                    break;
                default:
                    bytes.insert(bytes.begin() + static_cast<long>(at),
                                 static_cast<uint8_t>(rng()));
            }
            if (bytes.empty()) break;
        }
        const ParsedQuery q = parse_query(bytes);
        if (q.status == ParseStatus::Drop) continue;
        ASSERT_LE(q.qname_length, kMaxNameLength);
        const EncodeResult r = q.status == ParseStatus::Ok
                                   ? encode_response(q, empty, out, udp_response_limit(q))
                                   : encode_error(q, kRcodeFormErr, out);
        ASSERT_GE(r.size, kHeaderSize);
        ASSERT_LE(r.size, out.size());
        ASSERT_EQ(out[0], bytes[0]);
        ASSERT_EQ(out[1], bytes[1]);
        ok += q.status == ParseStatus::Ok;
    }
    EXPECT_GT(ok, 0);
}

}  // namespace
}  // namespace r53::server
