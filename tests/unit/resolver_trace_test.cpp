// The explain trace (§8 point 33) and describe(): what /v1/explain shows.
#include "resolver_test_util.hpp"

namespace r53::resolver::test {
namespace {

// Index of the first step at or after `from` containing `text`, or -1.
int find_step(const std::vector<std::string>& steps, const std::string& text, int from = 0) {
    for (int i = from; i < static_cast<int>(steps.size()); ++i)
        if (steps[i].find(text) != std::string::npos) return i;
    return -1;
}

class TraceTest : public ::testing::Test {
  protected:
    void SetUp() override {
        f.check("hc-b1", false);
        f.check("hc-b2", false);
        f.check("hc-g1");
        f.add(weighted("blue.example.com.", "b1", 10, "10.0.3.1", std::string("hc-b1")));
        f.add(weighted("blue.example.com.", "b2", 10, "10.0.3.2", std::string("hc-b2")));
        f.add(weighted("green.example.com.", "g1", 10, "10.0.4.1", std::string("hc-g1")));
        for (auto [id, target, role] :
             {std::tuple{"P", "blue.example.com.", config::FailoverRole::Primary},
              {"S", "green.example.com.", config::FailoverRole::Secondary}}) {
            auto r = alias("svc.example.com.", "A", target, true);
            r.set_identifier = id;
            r.failover = role;
            f.add(r);
        }
        ASSERT_TRUE(f.build()) << f.diagnostics_text();
    }
    Fixture f;
};

TEST_F(TraceTest, ShowsZoneGroupCandidatesAndAliasRecursion) {
    auto r = f.query("svc.example.com.", A, "", true);
    const auto& t = r.trace;
    int zone = find_step(t, "zone example.com. (Z1)");
    int group = find_step(t, "record group svc.example.com. A (failover, 2 records)", zone);
    int primary = find_step(t, "failover: candidate 'P'", group);
    int alias_blue = find_step(t, "alias to blue.example.com. A (weighted", primary);
    int b_down = find_step(t, "health check hc-b", alias_blue);
    int abandoned = find_step(t, "alias target has no healthy record: branch unhealthy", b_down);
    int dropped = find_step(t, "dropped 'P', picking again", abandoned);
    int green = find_step(t, "weighted: candidate 'g1', health check hc-g1 healthy", dropped);
    int chose = find_step(t, "chose 'S'", green);
    EXPECT_GE(zone, 0);
    for (int step : {group, primary, alias_blue, b_down, abandoned, dropped, green, chose})
        EXPECT_GT(step, 0) << ::testing::PrintToString(t);
    EXPECT_EQ(find_step(t, "fail-open"), -1);
    EXPECT_EQ(r.values(), std::vector<std::string>{"10.0.4.1"});
}

TEST_F(TraceTest, SaysWhenItFailsOpen) {
    f.set_health("hc-g1", false);
    auto r = f.query("svc.example.com.", A, "", true);
    int fail_open = find_step(r.trace, "all unhealthy: treating all as healthy (fail-open)");
    ASSERT_GT(fail_open, 0) << ::testing::PrintToString(r.trace);
    EXPECT_GT(find_step(r.trace, "chose 'P' (fail-open)", fail_open), fail_open);
    EXPECT_EQ(r.answer.size(), 1u);
}

TEST_F(TraceTest, RefusedAndNegativeAnswersAreExplained) {
    EXPECT_GE(find_step(f.query("example.org.", A, "", true).trace, "REFUSED"), 0);
    EXPECT_GE(find_step(f.query("none.example.com.", A, "", true).trace, "NXDOMAIN"), 0);
    EXPECT_GE(find_step(f.query("svc.example.com.", AAAA, "", true).trace, "NODATA"), 0);
}

TEST_F(TraceTest, DescribeRendersPresentationLines) {
    auto wire = *to_wire_name("svc.example.com.");
    Question q;
    q.qname = wire.data();
    q.qname_length = static_cast<uint8_t>(wire.size());
    q.qtype = A;
    Answer a;
    resolve(q, f.state, f.random, a);
    auto d = describe(a, q);
    EXPECT_EQ(d.answer, std::vector<std::string>{"svc.example.com. 60 IN A 10.0.4.1"});
    EXPECT_EQ(d.authority.size(), 4u);
    for (const auto& line : d.authority) EXPECT_EQ(line.rfind("example.com. 172800 IN NS ", 0), 0u);
    EXPECT_TRUE(d.additional.empty());
    EXPECT_STREQ(rcode_name(a.rcode), "NOERROR");
    EXPECT_STREQ(rcode_name(Rcode::NxDomain), "NXDOMAIN");
}

TEST_F(TraceTest, ExplainAnswersFromText) {
    auto e = explain(f.state, "SVC.example.com", "A", "", f.random);
    EXPECT_TRUE(e.error.empty()) << e.error;
    EXPECT_EQ(e.rcode, "NOERROR");
    EXPECT_TRUE(e.authoritative);
    EXPECT_EQ(e.sections.answer, std::vector<std::string>{"svc.example.com. 60 IN A 10.0.4.1"});
    EXPECT_GE(find_step(e.trace, "chose 'S'"), 0);
    EXPECT_EQ(explain(f.state, "svc.example.com.", "28", "", f.random).rcode, "NOERROR");
    EXPECT_EQ(explain(f.state, "x.example.net.", "A", "192.0.2.0/24", f.random).rcode, "REFUSED");
    EXPECT_FALSE(explain(f.state, "svc.example.com.", "BOGUS", "", f.random).error.empty());
    EXPECT_FALSE(explain(f.state, "svc.example.com.", "A", "999.1.1.1", f.random).error.empty());
}

}  // namespace
}  // namespace r53::resolver::test
