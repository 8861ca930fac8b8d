// The query path never allocates (design §4 rule 6): a counting global operator new watches
// resolve() over every kind of answer.
#include "allocation_counter.hpp"
#include "resolver_test_util.hpp"

namespace r53::resolver::test {
namespace {

TEST(QueryPath, ResolveDoesNotAllocate) {
    if (!kAllocationsCounted) GTEST_SKIP() << "allocation counting needs the plain operator new";
    Fixture f;
    f.check("hc-1", false);
    f.check("hc-2");
    f.add(weighted("w.example.com.", "1", 10, "10.0.0.1", "hc-1"));
    f.add(weighted("w.example.com.", "2", 20, "10.0.0.2", "hc-2"));
    for (int i = 0; i < 12; ++i) {
        auto r = rrset("mv.example.com.", "A", 60, {"10.0.1." + std::to_string(i)});
        r.set_identifier = std::to_string(i);
        r.multi_value_answer = true;
        f.add(r);
    }
    auto p = alias("fo.example.com.", "A", "w.example.com.", true);
    p.set_identifier = "p";
    p.failover = config::FailoverRole::Primary;
    f.add(p);
    for (auto [region, ip] : {std::pair{"us-east-1", "10.0.2.1"}, {"eu-west-1", "10.0.2.2"}}) {
        auto r = rrset("lat.example.com.", "A", 60, {ip});
        r.set_identifier = region;
        r.region = region;
        f.add(r);
    }
    auto g = rrset("geo.example.com.", "A", 60, {"10.0.3.1"});
    g.set_identifier = "de";
    g.geo_location = config::GeoLocation{std::nullopt, "DE", std::nullopt};
    f.add(g);
    f.add(rrset("example.com.", "MX", 60, {"10 mail.example.com."}));
    f.add(rrset("mail.example.com.", "A", 60, {"10.0.4.1"}));
    f.add(rrset("*.wild.example.com.", "A", 60, {"10.0.5.1"}));
    f.add(rrset("sub.example.com.", "NS", 60, {"ns.sub.example.com."}));
    f.add(rrset("ns.sub.example.com.", "A", 60, {"10.0.6.1"}));
    config::ClientPrefix de;
    de.cidr = "192.0.2.0/24";
    de.country_code = "DE";
    de.region = "eu-central-1";
    f.config.local.client_locations.push_back(de);
    ASSERT_TRUE(f.build()) << f.diagnostics_text();

    struct Case {
        std::vector<uint8_t> name;
        uint16_t type;
    };
    std::vector<Case> cases;
    for (auto [name, type] : {std::pair{"w.example.com.", A},
                              {"mv.example.com.", A},
                              {"fo.example.com.", A},
                              {"lat.example.com.", A},
                              {"geo.example.com.", A},
                              {"example.com.", MX},
                              {"x.y.wild.example.com.", A},
                              {"a.sub.example.com.", A},
                              {"nope.example.com.", A},
                              {"w.example.com.", TXT},
                              {"example.org.", A},
                              {"example.com.", ANY}})
        cases.push_back({*to_wire_name(name), type});
    Answer answer;
    size_t answered = 0;
    counting = true;
    for (int round = 0; round < 50; ++round) {
        for (const auto& c : cases) {
            Question q;
            q.qname = c.name.data();
            q.qname_length = static_cast<uint8_t>(c.name.size());
            q.qtype = c.type;
            q.client.family = 4;
            q.client.prefix_length = 24;
            q.client.bytes = {192, 0, 2, 0};
            resolve(q, f.state, f.random, answer);
            answered += answer.answer.size + answer.authority.size;
        }
    }
    counting = false;
    EXPECT_EQ(allocations, 0u);
    EXPECT_GT(answered, 0u);
}

}  // namespace
}  // namespace r53::resolver::test
