// ZoneSet::build: record encoding for the 17 types (§2.1), apex defaults (§5), and the load-time
// errors the validator cannot see (alias targets §3, cycles, health check ids).
#include "resolver/ldns.hpp"
#include "resolver/zone_set_impl.hpp"
#include "resolver_test_util.hpp"

namespace r53::resolver::test {
namespace {

struct TypeRow {
    std::string type, value, expected;  // expected: describe()'s rdata text
};

class AllTypes : public ::testing::TestWithParam<TypeRow> {};

TEST_P(AllTypes, EncodesWithLdnsAndRendersBack) {  // §2.1 Type
    const auto& row = GetParam();
    Fixture f;
    f.add(rrset("example.com.", "SOA", 900,
                {"ns-1.awsdns-01.com. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"}));
    f.add(rrset("example.com.", "NS", 172800, {"ns-1.awsdns-01.com."}));
    // SOA and NS are tested at the apex (an NS below it would be a delegation), replacing the
    // apex record of that type.
    bool apex = row.type == "SOA" || row.type == "NS";
    std::string owner = apex ? "example.com." : "r.example.com.";
    if (apex)
        f.zone().record_sets.erase(f.zone().record_sets.begin() + (row.type == "SOA" ? 0 : 1));
    f.add(rrset(owner, row.type, 300, {row.value}));
    ASSERT_TRUE(f.build()) << f.diagnostics_text();
    uint16_t type = static_cast<uint16_t>(ldns_get_rr_type_by_name(row.type.c_str()));
    auto r = f.query(owner, type);
    ASSERT_EQ(r.answer.size(), 1u) << row.type;
    std::string line = r.answer[0];
    EXPECT_EQ(line.substr(line.find(' ') + 1), row.type + " " + row.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Section2_1, AllTypes,
    ::testing::Values(
        TypeRow{"SOA", "ns-9.awsdns-09.com. admin.example.com. 7 7200 900 1209600 300",
                "ns-9.awsdns-09.com. admin.example.com. 7 7200 900 1209600 300"},
        TypeRow{"A", "192.0.2.1", "192.0.2.1"},
        TypeRow{"TXT", "\"v=1\" \"two strings\"", "\"v=1\" \"two strings\""},
        // Route 53's octal escapes (§5 Names/case/types), rendered back in the same form.
        TypeRow{"TXT", "\"caf\\351 \\011tab\"", "\"caf\\351 \\011tab\""},
        TypeRow{"CAA", "0 iodef \"mailto:caf\\351@example.com\"",
                "0 iodef \"mailto:caf\\351@example.com\""},
        TypeRow{"NS", "ns1.other.net.", "ns1.other.net."},
        TypeRow{"CNAME", "target.example.net", "target.example.net."},  // absolute (§5)
        TypeRow{"MX", "10 mail.example.com.", "10 mail.example.com."},
        TypeRow{"NAPTR", "100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.example.com.",
                "100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.example.com."},
        TypeRow{"PTR", "host.example.com.", "host.example.com."},
        TypeRow{"SRV", "1 10 5269 xmpp.example.com.", "1 10 5269 xmpp.example.com."},
        TypeRow{"SPF", "\"v=spf1 -all\"", "\"v=spf1 -all\""},
        TypeRow{"AAAA", "2001:DB8::1", "2001:db8::1"},
        TypeRow{"CAA", "0 issue \"amazon.com\"", "0 issue \"amazon.com\""},
        TypeRow{"DS", "12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                "12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
        TypeRow{"TLSA", "3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                "3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
        TypeRow{"SSHFP", "1 1 0123456789abcdef0123456789abcdef01234567",
                "1 1 0123456789abcdef0123456789abcdef01234567"},
        TypeRow{"SVCB", "1 svc.example.com. alpn=h2", "1 svc.example.com. alpn=h2"},
        TypeRow{"HTTPS", "1 . alpn=h2,h3", "1 . alpn=h2,h3"}));

TEST(ZoneSetLayout, CharacterStringsAreReadAsOctal) {  // §5 Names/case/types: \ooo octal
    Fixture f;
    f.add(rrset("t.example.com.", "TXT", 60, {"\"caf\\351 \\011tab\"", "\"\" \"\\\"\""}));
    ASSERT_TRUE(f.build()) << f.diagnostics_text();
    auto wire = *to_wire_name("t.example.com.");
    const Zone& zone = *f.state.zones->impl().zones[0];
    const Node* node = zone.node({reinterpret_cast<const char*>(wire.data()), wire.size()});
    ASSERT_NE(node, nullptr);
    const RRset& rr = node->find(TXT)->records[0].values;
    ASSERT_EQ(rr.size(), 2);
    // RDLENGTH 10, then the one string: c a f 0xE9 space TAB t a b.
    EXPECT_EQ(std::vector<uint8_t>(rr.rdata.begin(), rr.rdata.begin() + 12),
              (std::vector<uint8_t>{0, 10, 9, 'c', 'a', 'f', 0xE9, ' ', 0x09, 't', 'a', 'b'}));
    EXPECT_EQ(std::vector<uint8_t>(rr.rdata.begin() + 12, rr.rdata.end()),
              (std::vector<uint8_t>{0, 3, 0, 1, '"'}));
}

TEST(ZoneSetLayout, RdataIsLengthPrefixedWithNameOffsets) {  // zone_set.hpp RRset
    Fixture f;
    f.add(rrset("example.com.", "MX", 300, {"10 a.example.com.", "20 b.example.com."}));
    f.add(rrset("_x._tcp.example.com.", "SRV", 300, {"0 0 80 a.example.com."}));
    ASSERT_TRUE(f.build());
    const auto& impl = f.state.zones->impl();
    ASSERT_EQ(impl.zones.size(), 1u);
    const Zone& zone = *impl.zones[0];
    const Node* apex =
        zone.node({reinterpret_cast<const char*>(zone.apex.data()), zone.apex.size()});
    ASSERT_NE(apex, nullptr);
    const RecordGroup* mx = apex->find(MX);
    ASSERT_NE(mx, nullptr);
    const RRset& rr = mx->records[0].values;
    ASSERT_EQ(rr.size(), 2);
    size_t first_length = size_t(rr.rdata[0]) << 8 | rr.rdata[1];
    EXPECT_EQ(first_length, 2u + 15u);  // preference + \1a\7example\3com\0
    EXPECT_EQ(rr.offsets[1], 2 + first_length);
    EXPECT_EQ(rr.compressible_name_at, (std::vector<uint16_t>{2, 2}));
    EXPECT_EQ(rr.additional_name_at, (std::vector<uint16_t>{2, 2}));
    auto srv_name = *to_wire_name("_x._tcp.example.com.");
    const Node* srv = zone.node({reinterpret_cast<const char*>(srv_name.data()), srv_name.size()});
    ASSERT_NE(srv, nullptr);
    const RRset& s = srv->find(SRV)->records[0].values;
    EXPECT_EQ(s.compressible_name_at, std::vector<uint16_t>{0xFFFF});  // RFC 2782: no compression
    EXPECT_EQ(s.additional_name_at, std::vector<uint16_t>{6});
    // Defaults synthesised for the missing apex SOA and NS (§5 Apex defaults).
    EXPECT_NE(zone.soa, nullptr);
    ASSERT_NE(zone.ns, nullptr);
    EXPECT_EQ(zone.ns->records[0].values.size(), 4);
    EXPECT_EQ(zone.negative_ttl, 900u);
}

struct ErrorRow {
    std::string what;
    std::function<void(Fixture&)> setup;
    std::string code, message_part;
};

class BuildErrors : public ::testing::TestWithParam<ErrorRow> {};

TEST_P(BuildErrors, AreReportedAndRefuseTheBuild) {
    const auto& row = GetParam();
    Fixture f;
    f.zone();
    row.setup(f);
    EXPECT_FALSE(f.build()) << row.what;
    bool found = false;
    for (const auto& d : f.diagnostics)
        found |= d.code == row.code && d.message.find(row.message_part) != std::string::npos &&
                 d.severity == config::Severity::Error;
    EXPECT_TRUE(found) << row.what << "\n" << f.diagnostics_text();
}

INSTANTIATE_TEST_SUITE_P(
    Load, BuildErrors,
    ::testing::Values(
        ErrorRow{"bad RDATA (§4)",
                 [](Fixture& f) { f.add(rrset("a.example.com.", "A", 60, {"1.2.3"})); },
                 "InvalidChangeBatch", "Invalid Resource Record"},
        ErrorRow{"alias target missing (§3 Obs)",
                 [](Fixture& f) { f.add(alias("a.example.com.", "A", "b.example.com.", true)); },
                 "InvalidChangeBatch", "but that target was not found"},
        ErrorRow{"alias target of another type",
                 [](Fixture& f) {
                     f.add(rrset("b.example.com.", "AAAA", 60, {"2001:db8::1"}));
                     f.add(alias("a.example.com.", "A", "b.example.com.", true));
                 },
                 "InvalidChangeBatch", "but that target was not found"},
        ErrorRow{"AWS alias target not in local.alias_targets",
                 [](Fixture& f) {
                     auto r = alias("a.example.com.", "A", "my-alb.elb.amazonaws.com.", true);
                     r.alias_target->hosted_zone_id = "Z35SXDOTRQ7X7K";  // ELB us-east-1
                     f.add(r);
                 },
                 "InvalidChangeBatch", "but that target was not found"},
        ErrorRow{"alias cycle",
                 [](Fixture& f) {
                     f.add(alias("a.example.com.", "A", "b.example.com.", true));
                     f.add(alias("b.example.com.", "A", "c.example.com.", true));
                     f.add(alias("c.example.com.", "A", "a.example.com.", true));
                 },
                 "InvalidChangeBatch", "alias cycle"},
        ErrorRow{"self alias",
                 [](Fixture& f) { f.add(alias("a.example.com.", "A", "a.example.com.", true)); },
                 "InvalidChangeBatch", "alias cycle"},
        ErrorRow{"unknown health check",
                 [](Fixture& f) { f.add(weighted("a.example.com.", "x", 1, "10.0.0.1", "nope")); },
                 "NoSuchHealthCheck", "nope"},
        ErrorRow{"two simple record sets for one name and type",
                 [](Fixture& f) {
                     f.add(rrset("a.example.com.", "A", 60, {"10.0.0.1"}));
                     f.add(rrset("a.example.com.", "A", 60, {"10.0.0.2"}));
                 },
                 "InvalidChangeBatch", "conflicts"},
        ErrorRow{"mixed policies in one group (§4)",
                 [](Fixture& f) {
                     f.add(weighted("a.example.com.", "w", 1, "10.0.0.1"));
                     auto r = rrset("a.example.com.", "A", 60, {"10.0.0.2"});
                     r.set_identifier = "f";
                     r.failover = config::FailoverRole::Primary;
                     f.add(r);
                 },
                 "InvalidChangeBatch", "conflicts"},
        ErrorRow{"name outside the zone",
                 [](Fixture& f) { f.add(rrset("www.example.org.", "A", 60, {"10.0.0.1"})); },
                 "InvalidChangeBatch", "not permitted in zone"},
        ErrorRow{
            "type Route 53 does not serve",
            [](Fixture& f) { f.add(rrset("a.example.com.", "DNAME", 60, {"b.example.com."})); },
            "InvalidInput", "unsupported record type"},
        ErrorRow{"unknown CIDR location",
                 [](Fixture& f) {
                     auto r = rrset("a.example.com.", "A", 60, {"10.0.0.1"});
                     r.set_identifier = "x";
                     r.cidr_routing_config = config::CidrRoutingConfig{"nope", "office"};
                     f.add(r);
                 },
                 "NoSuchCidrLocationException", "nope/office"},
        ErrorRow{"bad client location prefix",
                 [](Fixture& f) {
                     config::ClientPrefix p;
                     p.cidr = "300.1.2.3/8";
                     f.config.local.client_locations.push_back(p);
                 },
                 "InvalidInput", "client_locations"}),
    [](const auto& param) { return "row" + std::to_string(param.index); });

TEST(ZoneSetBuild, DuplicateZoneIsAWarningAndTheFirstAnswers) {
    Fixture f;
    f.add(rrset("www.example.com.", "A", 60, {"10.0.0.1"}));
    f.config.zones.push_back(config::HostedZone{"Z9", "example.com.", {}, {}});
    f.config.zones.back().record_sets.push_back(rrset("www.example.com.", "A", 60, {"10.0.0.9"}));
    ASSERT_TRUE(f.build());
    ASSERT_EQ(f.diagnostics.size(), 1u);
    EXPECT_EQ(f.diagnostics[0].severity, config::Severity::Warning);
    EXPECT_EQ(f.query("www.example.com.").values(), std::vector<std::string>{"10.0.0.1"});
}

}  // namespace
}  // namespace r53::resolver::test
