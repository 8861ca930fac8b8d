#include "server/dns/wire_encode.hpp"

#include <gtest/gtest.h>
#include <ldns/ldns.h>

#include <memory>
#include <string>
#include <vector>

#include "test_packets.hpp"

namespace r53::server {
namespace {

using resolver::Answer;
using resolver::AnswerEntry;
using resolver::RRset;
using testing::a_rdata;
using testing::lower_wire;
using testing::make_query;
using testing::make_rrset;
using testing::QuerySpec;
using testing::wire_name;

struct PacketFree {
    void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
using Packet = std::unique_ptr<ldns_pkt, PacketFree>;

// Decodes with ldns: an independent check that the bytes are a valid, decompressable message.
Packet decode(const std::vector<uint8_t>& bytes) {
    ldns_pkt* p = nullptr;
    EXPECT_EQ(ldns_wire2pkt(&p, bytes.data(), bytes.size()), LDNS_STATUS_OK);
    return Packet(p);
}

std::vector<std::string> section(ldns_rr_list* list) {
    std::vector<std::string> out;
    for (size_t i = 0; i < ldns_rr_list_rr_count(list); ++i) {
        char* text = ldns_rr2str(ldns_rr_list_rr(list, i));
        std::string s(text);
        free(text);
        while (!s.empty() && s.back() == '\n') s.pop_back();
        out.push_back(s);
    }
    return out;
}

ParsedQuery query_for(const QuerySpec& spec) {
    const auto bytes = make_query(spec);
    return parse_query(bytes);
}

struct Encoded {
    std::vector<uint8_t> bytes;
    bool truncated = false;
};

Encoded encode(const ParsedQuery& q, const Answer& a, size_t limit) {
    std::vector<uint8_t> out(65535);
    const EncodeResult r = encode_response(q, a, out, limit);
    out.resize(r.size);
    return {out, r.truncated};
}

AnswerEntry entry(const RRset& rrset, const uint8_t* owner = nullptr) {
    AnswerEntry e;
    e.rrset = &rrset;
    e.owner = owner;
    e.ttl = rrset.ttl;
    e.count = rrset.size();
    return e;
}

const RRset kA = make_rrset("www.example.com", 1, 300,
                            {a_rdata(192, 0, 2, 1), a_rdata(192, 0, 2, 2), a_rdata(192, 0, 2, 3)});

TEST(WireEncode, AnswerUsesThePointerToTheQuestionAndEchoesItsCase) {
    QuerySpec spec;
    spec.qname = "WwW.ExAmPlE.CoM";
    const ParsedQuery q = query_for(spec);
    Answer a;
    a.answer.push(entry(kA));
    const Encoded e = encode(q, a, 512);
    // Header, question, then each answer's owner is 0xC00C.
    const size_t first_rr = 12 + q.qname_length + 4;
    ASSERT_GT(e.bytes.size(), first_rr + 2);
    EXPECT_EQ(e.bytes[first_rr], 0xC0);
    EXPECT_EQ(e.bytes[first_rr + 1], 0x0C);
    EXPECT_EQ(e.bytes.size(), first_rr + 3 * 16);
    auto p = decode(e.bytes);
    EXPECT_EQ(ldns_pkt_id(p.get()), 0x1234);
    EXPECT_TRUE(ldns_pkt_qr(p.get()));
    EXPECT_TRUE(ldns_pkt_aa(p.get()));
    EXPECT_TRUE(ldns_pkt_rd(p.get()));
    EXPECT_FALSE(ldns_pkt_ra(p.get()));
    EXPECT_FALSE(ldns_pkt_tc(p.get()));
    EXPECT_EQ(section(ldns_pkt_question(p.get())),
              std::vector<std::string>{"WwW.ExAmPlE.CoM.\tIN\tA"});
    EXPECT_EQ(section(ldns_pkt_answer(p.get())),
              (std::vector<std::string>{"WwW.ExAmPlE.CoM.\t300\tIN\tA\t192.0.2.1",
                                        "WwW.ExAmPlE.CoM.\t300\tIN\tA\t192.0.2.2",
                                        "WwW.ExAmPlE.CoM.\t300\tIN\tA\t192.0.2.3"}));
}

TEST(WireEncode, RotateAndSubset) {
    const ParsedQuery q = query_for({});
    Answer a;
    AnswerEntry e = entry(kA);
    e.rotate = 1;
    e.ttl = 60;
    a.answer.push(e);
    auto p = decode(encode(q, a, 512).bytes);
    EXPECT_EQ(section(ldns_pkt_answer(p.get())),
              (std::vector<std::string>{"www.example.com.\t60\tIN\tA\t192.0.2.2",
                                        "www.example.com.\t60\tIN\tA\t192.0.2.3",
                                        "www.example.com.\t60\tIN\tA\t192.0.2.1"}));
    Answer subset;
    e.rotate = 0;
    e.first = 1;
    e.count = 1;
    subset.answer.push(e);
    p = decode(encode(q, subset, 512).bytes);
    EXPECT_EQ(section(ldns_pkt_answer(p.get())),
              std::vector<std::string>{"www.example.com.\t60\tIN\tA\t192.0.2.2"});
}

TEST(WireEncode, OwnersAndRdataNamesAreCompressed) {
    QuerySpec spec;
    spec.qname = "www.Example.com";
    spec.qtype = 15;
    const ParsedQuery q = query_for(spec);
    const auto mx1 = [] {
        std::vector<uint8_t> rd = {0, 10};
        const auto n = wire_name("mail.example.com");
        rd.insert(rd.end(), n.begin(), n.end());
        return rd;
    }();
    const RRset mx = make_rrset("www.example.com", 15, 300, {mx1}, {2});
    const auto soa_rdata = [] {
        std::vector<uint8_t> rd = wire_name("ns1.example.com");
        const auto r = wire_name("hostmaster.example.com");
        rd.insert(rd.end(), r.begin(), r.end());
        for (uint32_t v : {1u, 7200u, 900u, 1209600u, 86400u}) testing::put32(rd, v);
        return rd;
    }();
    const RRset soa = make_rrset("example.com", 6, 900, {soa_rdata}, {0});
    const RRset glue = make_rrset("mail.example.com", 1, 300, {a_rdata(192, 0, 2, 25)});
    Answer a;
    a.answer.push(entry(mx));
    a.authority.push(entry(soa, soa.owner.data()));
    a.additional.push(entry(glue, glue.owner.data()));
    const Encoded e = encode(q, a, 512);
    auto p = decode(e.bytes);
    // Compression pointers into the question carry its case, as with any compressing server.
    EXPECT_EQ(section(ldns_pkt_answer(p.get())),
              std::vector<std::string>{"www.Example.com.\t300\tIN\tMX\t10 mail.Example.com."});
    EXPECT_EQ(section(ldns_pkt_authority(p.get())),
              std::vector<std::string>{"Example.com.\t900\tIN\tSOA\tns1.Example.com. "
                                       "hostmaster.example.com. 1 7200 900 1209600 86400"});
    EXPECT_EQ(section(ldns_pkt_additional(p.get())),
              std::vector<std::string>{"mail.Example.com.\t300\tIN\tA\t192.0.2.25"});

    // Sizes: question 17+4; MX = ptr(2)+10+pref(2)+"\4mail"(5)+ptr(2); SOA owner = ptr(2),
    // mname "\3ns1"+ptr, rname uncompressed (24), 20 bytes of numbers; A owner = ptr(2).
    const size_t expected = 12 + 21 + (2 + 10 + 2 + 5 + 2) + (2 + 10 + 6 + 24 + 20) + (2 + 10 + 4);
    EXPECT_EQ(e.bytes.size(), expected);
}

TEST(WireEncode, TruncatesAt512WithoutEdns) {
    std::vector<std::vector<uint8_t>> many;
    for (uint8_t i = 0; i < 40; ++i) many.push_back(a_rdata(10, 0, 0, i));
    const RRset big = make_rrset("www.example.com", 1, 60, many);
    Answer a;
    a.answer.push(entry(big));
    const ParsedQuery plain = query_for({});
    const Encoded small = encode(plain, a, udp_response_limit(plain));
    EXPECT_TRUE(small.truncated);
    EXPECT_LE(small.bytes.size(), 512u);
    auto p = decode(small.bytes);
    EXPECT_TRUE(ldns_pkt_tc(p.get()));
    EXPECT_EQ(ldns_pkt_ancount(p.get()), 0);
    EXPECT_EQ(ldns_pkt_qdcount(p.get()), 1);

    QuerySpec spec;
    spec.edns = true;
    spec.payload = 1232;
    const ParsedQuery edns = query_for(spec);
    const Encoded large = encode(edns, a, udp_response_limit(edns));
    EXPECT_FALSE(large.truncated);
    p = decode(large.bytes);
    EXPECT_EQ(ldns_pkt_ancount(p.get()), 40);
    EXPECT_TRUE(ldns_pkt_edns(p.get()));

    const Encoded tcp = encode(plain, a, kTcpLimit);
    EXPECT_FALSE(tcp.truncated);
    EXPECT_EQ(decode(tcp.bytes) ? ldns_pkt_ancount(decode(tcp.bytes).get()) : 0, 40);
}

TEST(WireEncode, TruncationKeepsOptAndDropsAdditionalFirst) {
    std::vector<std::vector<uint8_t>> many;
    for (uint8_t i = 0; i < 40; ++i) many.push_back(a_rdata(10, 0, 0, i));
    const RRset answers = make_rrset("www.example.com", 1, 60, {a_rdata(192, 0, 2, 1)});
    const RRset extra = make_rrset("extra.example.com", 1, 60, many);
    Answer a;
    a.answer.push(entry(answers));
    a.additional.push(entry(extra, extra.owner.data()));
    const ParsedQuery plain = query_for({});
    const Encoded e = encode(plain, a, 512);
    EXPECT_FALSE(e.truncated);  // only additional data was left out
    auto p = decode(e.bytes);
    EXPECT_EQ(ldns_pkt_ancount(p.get()), 1);
    EXPECT_EQ(ldns_pkt_arcount(p.get()), 0);

    std::vector<std::vector<uint8_t>> more;
    for (uint8_t i = 0; i < 40; ++i) more.push_back(a_rdata(10, 0, 1, i));
    const RRset big = make_rrset("www.example.com", 1, 60, more);
    Answer over;
    over.answer.push(entry(big));
    QuerySpec spec;
    spec.edns = true;
    spec.payload = 512;
    const ParsedQuery edns = query_for(spec);
    const Encoded t = encode(edns, over, udp_response_limit(edns));
    EXPECT_TRUE(t.truncated);
    p = decode(t.bytes);
    EXPECT_TRUE(ldns_pkt_tc(p.get()));
    EXPECT_EQ(ldns_pkt_ancount(p.get()), 0);
    EXPECT_TRUE(ldns_pkt_edns(p.get()));  // OPT survives truncation
}

// RFC 2181 §9: TC=1 only when a needed RRset does not fit; RFC 9471 for referral glue.
namespace truncation {

std::vector<std::vector<uint8_t>> long_names(const std::string& suffix, int count) {
    std::vector<std::vector<uint8_t>> out;
    for (int i = 0; i < count; ++i)
        out.push_back(wire_name("a-rather-long-name-server-label-" + std::to_string(i) + suffix));
    return out;
}

AnswerEntry required(AnswerEntry e) {
    e.required = true;
    return e;
}

std::vector<uint8_t> aaaa_rdata(uint8_t last) {
    std::vector<uint8_t> r(16, 0);
    r[0] = 0x20;
    r[1] = 0x01;
    r[15] = last;
    return r;
}

const RRset kBigNs = make_rrset("example.com", 2, 172800, long_names(".example.net", 13),
                                std::vector<uint16_t>(13, 0));

TEST(WireTruncation, OptionalAuthorityIsDroppedWithoutTc) {
    const RRset extra = make_rrset("mail.example.com", 1, 60, {a_rdata(192, 0, 2, 25)});
    Answer a;
    a.answer.push(entry(kA));
    a.authority.push(entry(kBigNs, kBigNs.owner.data()));
    a.additional.push(entry(extra, extra.owner.data()));
    const Encoded e = encode(query_for({}), a, 512);
    EXPECT_FALSE(e.truncated);
    auto p = decode(e.bytes);
    EXPECT_FALSE(ldns_pkt_tc(p.get()));
    EXPECT_EQ(ldns_pkt_ancount(p.get()), 3);
    EXPECT_EQ(ldns_pkt_nscount(p.get()), 0);
    EXPECT_EQ(ldns_pkt_arcount(p.get()), 0);  // nothing optional after the first drop (NSD too)
    // Over TCP all of it.
    p = decode(encode(query_for({}), a, kTcpLimit).bytes);
    EXPECT_EQ(ldns_pkt_nscount(p.get()), 13);
    EXPECT_EQ(ldns_pkt_arcount(p.get()), 1);
}

TEST(WireTruncation, AdditionalGoesFirstAndAddressesBeforeAaaa) {
    const RRset ns =
        make_rrset("example.com", 2, 172800,
                   {wire_name("ns1.example.com"), wire_name("ns2.example.com")}, {0, 0});
    const RRset a1 = make_rrset("ns1.example.com", 1, 60, {a_rdata(192, 0, 2, 1)});
    const RRset a2 = make_rrset("ns2.example.com", 1, 60, {a_rdata(192, 0, 2, 2)});
    const RRset q1 = make_rrset("ns1.example.com", 28, 60, {aaaa_rdata(1)});
    const RRset q2 = make_rrset("ns2.example.com", 28, 60, {aaaa_rdata(2)});
    Answer a;
    a.answer.push(entry(kA));
    a.authority.push(entry(ns, ns.owner.data()));
    for (const RRset* r : {&q1, &a1, &q2, &a2}) a.additional.push(entry(*r, r->owner.data()));
    const Encoded full = encode(query_for({}), a, 512);
    auto p = decode(full.bytes);
    ASSERT_EQ(ldns_pkt_arcount(p.get()), 4);
    const auto additional = section(ldns_pkt_additional(p.get()));
    EXPECT_NE(additional[0].find("\tA\t"), std::string::npos) << additional[0];
    EXPECT_NE(additional[1].find("\tA\t"), std::string::npos) << additional[1];
    // Two AAAA records (owner pointer 2 + 10 + 16 each) less room: both A kept, AAAA dropped,
    // the authority kept whole and no TC.
    const Encoded less = encode(query_for({}), a, full.bytes.size() - 2 * 28);
    EXPECT_FALSE(less.truncated);
    p = decode(less.bytes);
    EXPECT_EQ(ldns_pkt_nscount(p.get()), 2);
    EXPECT_EQ(section(ldns_pkt_additional(p.get())),
              std::vector<std::string>(additional.begin(), additional.begin() + 2));
}

TEST(WireTruncation, NegativeAnswerNeedsItsSoa) {
    const RRset soa = make_rrset(
        "example.com", 6, 900,
        {wire_name("ns-1.awsdns-01.com.awsdns-hostmaster.amazon.com" + std::string(20, 'x'))});
    Answer a;
    a.rcode = resolver::Rcode::NxDomain;
    a.authority.push(required(entry(soa, soa.owner.data())));
    const ParsedQuery q = query_for({});
    const Encoded fits = encode(q, a, 512);
    EXPECT_FALSE(fits.truncated);
    EXPECT_EQ(ldns_pkt_nscount(decode(fits.bytes).get()), 1);
    const Encoded tight = encode(q, a, fits.bytes.size() - 1);
    EXPECT_TRUE(tight.truncated);
    auto p = decode(tight.bytes);
    EXPECT_TRUE(ldns_pkt_tc(p.get()));
    EXPECT_EQ(ldns_pkt_get_rcode(p.get()), LDNS_RCODE_NXDOMAIN);
}

TEST(WireTruncation, ReferralNeedsItsNsSetAndInDomainGlue) {  // RFC 9471
    const RRset ns =
        make_rrset("sub.example.com", 2, 3600,
                   {wire_name("ns1.sub.example.com"), wire_name("ns.example.com")}, {0, 0});
    const RRset glue_a = make_rrset("ns1.sub.example.com", 1, 3600, {a_rdata(192, 0, 2, 53)});
    const RRset glue_aaaa = make_rrset("ns1.sub.example.com", 28, 3600, {aaaa_rdata(53)});
    const RRset sibling = make_rrset("ns.example.com", 1, 3600, {a_rdata(192, 0, 2, 54)});
    Answer a;
    a.authoritative = false;
    a.authority.push(required(entry(ns, ns.owner.data())));
    a.additional.push(required(entry(glue_a, glue_a.owner.data())));
    a.additional.push(required(entry(glue_aaaa, glue_aaaa.owner.data())));
    a.additional.push(entry(sibling, sibling.owner.data()));
    const ParsedQuery q = query_for({});
    const Encoded full = encode(q, a, 512);
    EXPECT_FALSE(full.truncated);
    auto p = decode(full.bytes);
    EXPECT_FALSE(ldns_pkt_aa(p.get()));
    EXPECT_EQ(ldns_pkt_nscount(p.get()), 2);
    EXPECT_EQ(ldns_pkt_arcount(p.get()), 3);
    // The sibling's address is optional: dropped without TC.
    const Encoded no_sibling = encode(q, a, full.bytes.size() - 1);
    EXPECT_FALSE(no_sibling.truncated);
    p = decode(no_sibling.bytes);
    EXPECT_EQ(ldns_pkt_arcount(p.get()), 2);
    // Less room than all in-domain glue (A and AAAA) needs: TC.
    const Encoded short_glue = encode(q, a, no_sibling.bytes.size() - 1);
    EXPECT_TRUE(short_glue.truncated);
    EXPECT_TRUE(ldns_pkt_tc(decode(short_glue.bytes).get()));
    // The NS set itself not fitting: TC as well.
    const RRset big = make_rrset("sub.example.com", 2, 3600, long_names(".sub.example.com", 13),
                                 std::vector<uint16_t>(13, 0));
    Answer over;
    over.authoritative = false;
    over.authority.push(required(entry(big, big.owner.data())));
    EXPECT_TRUE(encode(q, over, 512).truncated);
}

}  // namespace truncation

TEST(WireEncode, AdditionalSkipsRRsetsAlreadyInTheAnswer) {
    const RRset ns = make_rrset("example.com", 2, 172800, {wire_name("www.example.com")}, {0});
    Answer a;
    a.answer.push(entry(kA));
    a.authority.push(entry(ns, ns.owner.data()));
    a.additional.push(entry(kA, kA.owner.data()));  // the NS target's address, answered already
    auto p = decode(encode(query_for({}), a, 512).bytes);
    EXPECT_EQ(ldns_pkt_ancount(p.get()), 3);
    EXPECT_EQ(ldns_pkt_nscount(p.get()), 1);
    EXPECT_EQ(ldns_pkt_arcount(p.get()), 0);
}

TEST(WireEncode, UdpLimitFollowsEdns) {
    EXPECT_EQ(udp_response_limit(query_for({})), 512u);
    QuerySpec spec;
    spec.edns = true;
    for (auto [payload, limit] : std::vector<std::pair<uint16_t, size_t>>{
             {100, 512}, {512, 512}, {1232, 1232}, {4096, 4096}, {65000, 4096}}) {
        spec.payload = payload;
        EXPECT_EQ(udp_response_limit(query_for(spec)), limit) << payload;
    }
}

TEST(WireEncode, OptEchoesDoAndAdvertisesOurPayload) {
    QuerySpec spec;
    spec.edns = true;
    spec.payload = 1232;
    spec.dnssec_ok = true;
    Answer a;
    a.answer.push(entry(kA));
    auto p = decode(encode(query_for(spec), a, 1232).bytes);
    ASSERT_TRUE(ldns_pkt_edns(p.get()));
    EXPECT_EQ(ldns_pkt_edns_udp_size(p.get()), kAdvertisedUdpPayload);
    EXPECT_TRUE(ldns_pkt_edns_do(p.get()));
    EXPECT_EQ(ldns_pkt_edns_version(p.get()), 0);
    EXPECT_EQ(ldns_pkt_edns_data(p.get()), nullptr);  // no options asked, none sent
}

TEST(WireEncode, ClientSubnetEchoedWithScope) {
    QuerySpec spec;
    spec.edns = true;
    spec.ecs = true;
    spec.subnet = {1, 24, 0, {198, 51, 100}};
    Answer a;
    a.answer.push(entry(kA));
    a.ecs_scope = 24;
    const Encoded e = encode(query_for(spec), a, 4096);
    auto p = decode(e.bytes);
    ldns_rdf* data = ldns_pkt_edns_data(p.get());
    ASSERT_NE(data, nullptr);
    const std::vector<uint8_t> option(ldns_rdf_data(data),
                                      ldns_rdf_data(data) + ldns_rdf_size(data));
    EXPECT_EQ(option, (std::vector<uint8_t>{0, 8, 0, 7, 0, 1, 24, 24, 198, 51, 100}));
}

TEST(WireEncode, ExtendedRcodeBadVers) {
    QuerySpec spec;
    spec.edns = true;
    spec.version = 1;
    const auto bytes = make_query(spec);
    const ParsedQuery q = parse_query(bytes);
    ASSERT_EQ(q.status, ParseStatus::BadVers);
    std::vector<uint8_t> out(512);
    const EncodeResult r = encode_error(q, kRcodeBadVers, out);
    out.resize(r.size);
    EXPECT_EQ(out[3] & 0x0F, 0);  // low bits of 16
    auto p = decode(out);
    ASSERT_TRUE(ldns_pkt_edns(p.get()));
    EXPECT_EQ(ldns_pkt_edns_extended_rcode(p.get()), 1);  // 1 << 4 | 0 = 16
    EXPECT_EQ(ldns_pkt_edns_version(p.get()), 0);
    EXPECT_EQ(ldns_pkt_qdcount(p.get()), 1);
}

TEST(WireEncode, ErrorsEchoTheQuestionWhenItParsed) {
    QuerySpec spec;
    spec.qname = "Odd.Example";
    spec.flags = 4 << 11;  // NOTIFY
    const ParsedQuery notify = query_for(spec);
    std::vector<uint8_t> out(512);
    EncodeResult r = encode_error(notify, kRcodeNotImp, out);
    std::vector<uint8_t> bytes(out.begin(), out.begin() + static_cast<long>(r.size));
    auto p = decode(bytes);
    EXPECT_EQ(ldns_pkt_get_rcode(p.get()), LDNS_RCODE_NOTIMPL);
    EXPECT_EQ(ldns_pkt_get_opcode(p.get()), LDNS_PACKET_NOTIFY);
    EXPECT_FALSE(ldns_pkt_aa(p.get()));
    EXPECT_EQ(section(ldns_pkt_question(p.get())), std::vector<std::string>{"Odd.Example.\tIN\tA"});

    std::vector<uint8_t> no_question = {0, 9, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    const ParsedQuery empty = parse_query(no_question);
    ASSERT_EQ(empty.status, ParseStatus::FormErr);
    r = encode_error(empty, kRcodeFormErr, out);
    EXPECT_EQ(r.size, 12u);
    bytes.assign(out.begin(), out.begin() + 12);
    p = decode(bytes);
    EXPECT_EQ(ldns_pkt_get_rcode(p.get()), LDNS_RCODE_FORMERR);
    EXPECT_EQ(ldns_pkt_id(p.get()), 9);
    EXPECT_EQ(ldns_pkt_qdcount(p.get()), 0);
}

TEST(WireEncode, RefusedIsNotAuthoritative) {
    Answer a;
    a.rcode = resolver::Rcode::Refused;
    a.authoritative = false;
    auto p = decode(encode(query_for({}), a, 512).bytes);
    EXPECT_EQ(ldns_pkt_get_rcode(p.get()), LDNS_RCODE_REFUSED);
    EXPECT_FALSE(ldns_pkt_aa(p.get()));
    EXPECT_EQ(ldns_pkt_ancount(p.get()), 0);
}

TEST(WireEncode, TinyBufferWritesNothing) {
    std::vector<uint8_t> out(8);
    Answer a;
    EXPECT_EQ(encode_response(query_for({}), a, out, 512).size, 0u);
}

}  // namespace
}  // namespace r53::server
