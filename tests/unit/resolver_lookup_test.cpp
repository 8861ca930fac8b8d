// Authoritative lookup behaviour: semantics §5 and §8 points 16-21.
#include "config/zone_defaults.hpp"
#include "resolver_test_util.hpp"

namespace r53::resolver::test {
namespace {

// What build() synthesises for a zone without apex records: the loader's defaults (§5).
std::vector<std::string> default_ns() {
    std::vector<std::string> v;
    for (const auto& ns : config::default_name_servers("example.com."))
        v.push_back("example.com. NS " + ns);
    std::sort(v.begin(), v.end());
    return v;
}
const std::vector<std::string> kDefaultNs = default_ns();
const std::string kDefaultSoa = "example.com. SOA " +
                                config::default_name_servers("example.com.")[0] +
                                " awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400";

std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

class LookupTest : public ::testing::Test {
  protected:
    void SetUp() override {
        f.zone();  // no apex records: build() synthesises Route 53's SOA and NS (§5)
        f.add(rrset("www.example.com.", "A", 60, {"192.0.2.1", "192.0.2.2", "192.0.2.3"}));
        f.add(rrset("www.example.com.", "TXT", 300, {"\"hello world\""}));
        f.add(rrset("alias-cname.example.com.", "CNAME", 300, {"www.example.com."}));
        f.add(rrset("ext.example.com.", "CNAME", 300, {"elsewhere.example.net."}));
        f.add(rrset("example.com.", "MX", 300, {"10 mail.example.com.", "20 mx.other.net."}));
        f.add(rrset("mail.example.com.", "A", 300, {"192.0.2.25"}));
        f.add(rrset("mail.example.com.", "AAAA", 300, {"2001:db8::25"}));
        f.add(rrset("_sip._tcp.example.com.", "SRV", 300, {"0 5 5060 mail.example.com."}));
        f.add(rrset("*.wild.example.com.", "A", 30, {"192.0.2.99"}));
        f.add(rrset("exists.wild.example.com.", "TXT", 30, {"\"exact\""}));
        f.add(rrset("a.b.ent.example.com.", "A", 60, {"192.0.2.50"}));
        f.add(rrset("sub.example.com.", "NS", 3600, {"ns1.sub.example.com.", "ns.other.net."}));
        f.add(rrset("ns1.sub.example.com.", "A", 3600, {"192.0.2.53"}));
        f.add(
            rrset("sub.example.com.", "DS", 3600,
                  {"12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"}));
        // A separately hosted child zone: the longest suffix wins (§8 point 19).
        f.zone("deep.example.com.", "Z2");
        f.add(rrset("www.deep.example.com.", "A", 60, {"198.51.100.7"}), "deep.example.com.");
        ASSERT_TRUE(f.build()) << f.diagnostics_text();
    }
    Fixture f;
};

TEST_F(LookupTest, ExactNameAnswersAllValuesWithZoneNsInAuthority) {  // §5 Sections
    auto r = f.query("www.example.com.");
    EXPECT_EQ(r.rcode, Rcode::NoError);
    EXPECT_TRUE(r.authoritative);
    EXPECT_EQ(r.values(), (std::vector<std::string>{"192.0.2.1", "192.0.2.2", "192.0.2.3"}));
    EXPECT_EQ(sorted(r.authority), kDefaultNs);
    EXPECT_EQ(ttl_of(r.raw_answer[0]), "60");
    EXPECT_EQ(r.ecs_scope, 0);  // simple records do not depend on the client
}

TEST_F(LookupTest, QuestionNameMatchesCaseInsensitively) {  // §5 Names/case
    EXPECT_EQ(f.query("WwW.ExAmPle.COM.").values().size(), 3u);
}

TEST_F(LookupTest, ValuesComeOutInRandomOrder) {  // §5 "values in random order"
    std::set<std::string> firsts;
    for (int i = 0; i < 60; ++i) firsts.insert(f.query("www.example.com.").answer.front());
    EXPECT_EQ(firsts.size(), 3u);
}

TEST_F(LookupTest, NegativeAnswers) {  // §5 Negative
    struct Row {
        std::string name;
        uint16_t type;
        Rcode rcode;
    } rows[] = {
        {"nothing.example.com.", A, Rcode::NxDomain},
        {"www.example.com.", AAAA, Rcode::NoError},      // NODATA: name exists
        {"ent.example.com.", A, Rcode::NoError},         // empty non-terminal: NODATA (Gap)
        {"b.ent.example.com.", TXT, Rcode::NoError},     // deeper empty non-terminal
        {"x.a.b.ent.example.com.", A, Rcode::NxDomain},  // below an existing leaf
    };
    for (const auto& row : rows) {
        auto r = f.query(row.name, row.type);
        EXPECT_EQ(r.rcode, row.rcode) << row.name;
        EXPECT_TRUE(r.answer.empty()) << row.name;
        ASSERT_EQ(r.authority, std::vector<std::string>{kDefaultSoa}) << row.name;
        // Negative TTL = min(SOA TTL 900, minimum 86400) = 900 (§5, §8 point 18).
        EXPECT_EQ(ttl_of(r.raw_authority[0]), "900") << row.name;
        EXPECT_TRUE(r.authoritative);
    }
}

TEST(LookupNegativeTtl, IsTheSmallerOfSoaTtlAndMinimum) {  // §5 Negative
    for (auto [ttl, minimum, expected] : {std::tuple{3600, 300, "300"}, {60, 86400, "60"}}) {
        Fixture f;
        f.add(rrset("example.com.", "SOA", ttl,
                    {"ns-1.awsdns-01.com. hostmaster.example.com. 1 7200 900 1209600 " +
                     std::to_string(minimum)}));
        f.add(rrset("example.com.", "NS", 172800, {"ns-1.awsdns-01.com."}));
        ASSERT_TRUE(f.build()) << f.diagnostics_text();
        auto r = f.query("missing.example.com.");
        ASSERT_EQ(r.raw_authority.size(), 1u);
        EXPECT_EQ(ttl_of(r.raw_authority[0]), expected);
    }
}

TEST_F(LookupTest, OutsideEveryZoneIsRefused) {  // §5 Outside hosted zones, §8 point 19
    for (const char* name : {"example.org.", "com.", ".", "notexample.com."}) {
        auto r = f.query(name);
        EXPECT_EQ(r.rcode, Rcode::Refused) << name;
        EXPECT_FALSE(r.authoritative);
        EXPECT_TRUE(r.answer.empty() && r.authority.empty());
    }
}

TEST_F(LookupTest, LongestSuffixZoneWins) {  // §8 point 19
    auto r = f.query("www.deep.example.com.");
    EXPECT_EQ(r.answer, std::vector<std::string>{"www.deep.example.com. A 198.51.100.7"});
    ASSERT_FALSE(r.authority.empty());
    EXPECT_EQ(r.authority[0].substr(0, 17), "deep.example.com.");
    EXPECT_EQ(f.query("nope.deep.example.com.").authority[0].substr(0, 21),
              "deep.example.com. SOA");
}

TEST_F(LookupTest, Wildcards) {  // §5 Wildcards, RFC 4592
    struct Row {
        std::string name;
        uint16_t type;
        Rcode rcode;
        std::vector<std::string> answer;
    } rows[] = {
        {"x.wild.example.com.", A, Rcode::NoError, {"x.wild.example.com. A 192.0.2.99"}},
        {"a.b.c.wild.example.com.", A, Rcode::NoError, {"a.b.c.wild.example.com. A 192.0.2.99"}},
        {"x.wild.example.com.", TXT, Rcode::NoError, {}},     // wildcard exists, type does not
        {"wild.example.com.", A, Rcode::NoError, {}},         // the parent itself: ENT, not covered
        {"exists.wild.example.com.", A, Rcode::NoError, {}},  // exact name wins: NODATA
        {"exists.wild.example.com.",
         TXT,
         Rcode::NoError,
         {"exists.wild.example.com. TXT \"exact\""}},
        {"y.exists.wild.example.com.", A, Rcode::NxDomain, {}},  // closest encloser has no '*'
        {"*.wild.example.com.", A, Rcode::NoError, {"*.wild.example.com. A 192.0.2.99"}},
    };
    for (const auto& row : rows) {
        auto r = f.query(row.name, row.type);
        EXPECT_EQ(r.rcode, row.rcode) << row.name;
        EXPECT_EQ(r.answer, row.answer) << row.name;
    }
}

TEST_F(LookupTest, CnameAnswersEveryTypeAndIsNotChased) {  // §5 Sections
    for (uint16_t type : {A, AAAA, MX, CNAME, TXT}) {
        auto r = f.query("alias-cname.example.com.", type);
        EXPECT_EQ(r.rcode, Rcode::NoError);
        EXPECT_EQ(r.answer,
                  std::vector<std::string>{"alias-cname.example.com. CNAME www.example.com."});
        // The CNAME target's addresses are known: Additional, not Answer.
        EXPECT_EQ(r.additional.size(), 3u) << type;
    }
    EXPECT_TRUE(f.query("ext.example.com.").additional.empty());  // target outside the zone
}

TEST_F(LookupTest, AdditionalCarriesInZoneTargetsOfMxAndSrv) {  // §5 Sections
    auto mx = f.query("example.com.", MX);
    EXPECT_EQ(mx.sorted_answer(), (std::vector<std::string>{"example.com. MX 10 mail.example.com.",
                                                            "example.com. MX 20 mx.other.net."}));
    EXPECT_EQ(sorted(mx.additional),
              (std::vector<std::string>{"mail.example.com. A 192.0.2.25",
                                        "mail.example.com. AAAA 2001:db8::25"}));
    auto srv = f.query("_sip._tcp.example.com.", SRV);
    EXPECT_EQ(srv.answer.size(), 1u);
    EXPECT_EQ(srv.additional.size(), 2u);
}

TEST_F(LookupTest, DelegationBelowTheApexIsAReferral) {  // §5, §8 point 19
    for (const char* name : {"sub.example.com.", "host.sub.example.com.", "a.b.sub.example.com."}) {
        auto r = f.query(name, A);
        EXPECT_EQ(r.rcode, Rcode::NoError) << name;
        EXPECT_FALSE(r.authoritative) << name;
        EXPECT_TRUE(r.answer.empty()) << name;
        EXPECT_EQ(sorted(r.authority),
                  (std::vector<std::string>{"sub.example.com. NS ns.other.net.",
                                            "sub.example.com. NS ns1.sub.example.com."}));
        EXPECT_EQ(r.additional, std::vector<std::string>{"ns1.sub.example.com. A 192.0.2.53"});
    }
    // The DS record at the cut belongs to the parent: answered authoritatively.
    auto ds = f.query("sub.example.com.", DS);
    EXPECT_TRUE(ds.authoritative);
    ASSERT_EQ(ds.answer.size(), 1u);
    EXPECT_EQ(ds.answer[0].substr(0, 19), "sub.example.com. DS");
}

// RFC 2181 §9 and RFC 9471: what must fit (else TC) and what may be dropped silently.
TEST(LookupRequired, OnlyNeededRecordsAreRequired) {
    Fixture f;
    f.zone();
    f.add(rrset("example.com.", "MX", 300, {"10 mail.example.com."}));
    f.add(rrset("mail.example.com.", "A", 300, {"192.0.2.25"}));
    // Two in-domain name servers and one sibling in the parent zone.
    f.add(rrset("sub.example.com.", "NS", 3600,
                {"ns1.sub.example.com.", "ns2.sub.example.com.", "ns.example.com."}));
    f.add(rrset("ns1.sub.example.com.", "A", 3600, {"192.0.2.53"}));
    f.add(rrset("ns2.sub.example.com.", "AAAA", 3600, {"2001:db8::53"}));
    f.add(rrset("ns.example.com.", "A", 3600, {"192.0.2.54"}));
    ASSERT_TRUE(f.build()) << f.diagnostics_text();

    auto positive = f.query("example.com.", MX);
    EXPECT_EQ(positive.authority.size(), 4u);
    EXPECT_TRUE(positive.required_authority.empty());  // the zone NS set is optional
    EXPECT_EQ(positive.additional, std::vector<std::string>{"mail.example.com. A 192.0.2.25"});
    EXPECT_TRUE(positive.required_additional.empty());

    auto negative = f.query("nope.example.com.", A);
    EXPECT_EQ(negative.rcode, Rcode::NxDomain);
    EXPECT_EQ(negative.required_authority, negative.authority);                  // the SOA
    EXPECT_EQ(f.query("mail.example.com.", TXT).required_authority.size(), 1u);  // NODATA

    auto referral = f.query("www.sub.example.com.", A);
    EXPECT_FALSE(referral.authoritative);
    EXPECT_EQ(referral.required_authority.size(), 3u);  // the NS set
    EXPECT_EQ(sorted(referral.required_additional),
              (std::vector<std::string>{"ns1.sub.example.com. A 192.0.2.53",
                                        "ns2.sub.example.com. AAAA 2001:db8::53"}));
    EXPECT_EQ(referral.additional.size(), 3u);  // the sibling's address too, optional
}

TEST_F(LookupTest, ApexNsQueryHasNoDuplicateAuthority) {  // §5 Apex defaults
    auto r = f.query("example.com.", NS);
    EXPECT_EQ(r.sorted_answer(), kDefaultNs);
    EXPECT_TRUE(r.authority.empty());
    auto soa = f.query("example.com.", SOA);
    EXPECT_EQ(soa.answer, std::vector<std::string>{kDefaultSoa});
    EXPECT_EQ(ttl_of(soa.raw_answer[0]), "900");
    auto ns = f.query("example.com.", NS);
    EXPECT_EQ(ttl_of(ns.raw_answer[0]), "172800");
}

TEST_F(LookupTest, AnyIsAnsweredWithOneRrset) {  // RFC 8482
    auto r = f.query("www.example.com.", ANY);
    EXPECT_EQ(r.rcode, Rcode::NoError);
    ASSERT_FALSE(r.answer.empty());
    std::set<std::string> types;
    for (const auto& line : r.answer) types.insert(line.substr(0, line.find(' ', 17)));
    EXPECT_EQ(types.size(), 1u);
}

TEST(LookupAny, SkipsAGroupWithNoAnswerForTheClient) {  // RFC 8482, §8 point 16
    Fixture f;
    auto de = rrset("x.example.com.", "A", 60, {"10.0.0.1"});
    de.set_identifier = "de";
    de.geo_location = config::GeoLocation{std::nullopt, "DE", std::nullopt};
    f.add(de);
    f.add(rrset("x.example.com.", "TXT", 60, {"\"t\""}));
    ASSERT_TRUE(f.build()) << f.diagnostics_text();
    EXPECT_EQ(f.query("x.example.com.", ANY).answer,
              std::vector<std::string>{"x.example.com. TXT \"t\""});
    EXPECT_TRUE(f.query("x.example.com.", A).answer.empty());  // NODATA for this client
}

TEST_F(LookupTest, ZoneTransfersAreRefused) {  // as NSD and Knot without an ACL
    for (uint16_t type : {uint16_t(252), uint16_t(251)})
        for (const char* name : {"example.com.", "www.example.com.", "sub.example.com."}) {
            auto r = f.query(name, type, "", true);
            EXPECT_EQ(r.rcode, Rcode::Refused) << name << " " << type;
            EXPECT_FALSE(r.authoritative);
            EXPECT_TRUE(r.answer.empty() && r.authority.empty() && r.additional.empty());
            EXPECT_EQ(r.trace.back(), "zone transfers are not offered: REFUSED");
        }
}

TEST_F(LookupTest, MalformedNamesAndMissingZonesAreNotAnswered) {
    Answer a;
    const uint8_t bad[] = {3, 'w', 'w', 'w', 7, 'e', 'x'};  // label runs past the end
    Question q;
    q.qname = bad;
    q.qname_length = sizeof bad;
    q.qtype = A;
    resolve(q, f.state, f.random, a);
    EXPECT_EQ(a.rcode, Rcode::FormErr);
    const uint8_t long_label[] = {64, 0};
    q.qname = long_label;
    q.qname_length = sizeof long_label;
    resolve(q, f.state, f.random, a);
    EXPECT_EQ(a.rcode, Rcode::FormErr);
    ServingState empty;
    auto wire = *to_wire_name("www.example.com.");
    q.qname = wire.data();
    q.qname_length = static_cast<uint8_t>(wire.size());
    resolve(q, empty, f.random, a);
    EXPECT_EQ(a.rcode, Rcode::ServFail);
    EXPECT_EQ(a.answer.size, 0);
}

TEST_F(LookupTest, TraceNamesTheZoneAndGroup) {  // §8 point 33
    auto r = f.query("www.example.com.", A, "", true);
    ASSERT_GE(r.trace.size(), 2u);
    EXPECT_NE(r.trace[0].find("zone example.com."), std::string::npos);
    EXPECT_NE(r.trace[1].find("www.example.com. A (simple"), std::string::npos);
    EXPECT_TRUE(f.query("www.example.com.").trace.empty());
}

}  // namespace
}  // namespace r53::resolver::test
