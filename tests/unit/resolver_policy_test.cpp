// Routing policies with health: semantics §2.2 (generic rule, fail-open) and every row of §2.3.
#include <cmath>

#include "resolver_test_util.hpp"

namespace r53::resolver::test {
namespace {

constexpr int kDraws = 10000;

// Health of one record in a table row: no check, healthy check, unhealthy check.
enum class H { None, Up, Down };

std::optional<std::string> attach(Fixture& f, const std::string& id, H h) {
    if (h == H::None) return std::nullopt;
    f.check("hc-" + id, h == H::Up);
    return "hc-" + id;
}

std::map<std::string, int> count_answers(Fixture& f, const std::string& name, int draws,
                                         const std::string& client = "") {
    std::map<std::string, int> counts;
    for (int i = 0; i < draws; ++i) {
        auto r = f.query(name, A, client);
        std::string key;
        for (const auto& v : r.values()) key += (key.empty() ? "" : ",") + v;
        ++counts[key];
    }
    return counts;
}

// ---------------------------------------------------------------- Simple (§2.3)

TEST(SimplePolicy, IsNeverHealthChecked) {
    Fixture f;
    auto r = rrset("www.example.com.", "A", 60, {"192.0.2.1", "192.0.2.2"});
    r.health_check_id = attach(f, "www", H::Down);
    f.add(r);
    ASSERT_TRUE(f.build()) << f.diagnostics_text();
    EXPECT_EQ(f.query("www.example.com.").values(),
              (std::vector<std::string>{"192.0.2.1", "192.0.2.2"}));
}

// ---------------------------------------------------------------- Weighted (§2.3)

struct WeightedRow {
    std::string what;
    std::vector<std::pair<int, H>> records;  // weight, health; values are 10.0.0.<index>
    std::vector<double> expected;            // probability of each record
};

class WeightedTable : public ::testing::TestWithParam<WeightedRow> {};

TEST_P(WeightedTable, FrequenciesFollowWeightsOfTheRecordsInPlay) {
    const auto& row = GetParam();
    Fixture f;
    for (size_t i = 0; i < row.records.size(); ++i) {
        std::string id = "r" + std::to_string(i);
        f.add(weighted("w.example.com.", id, row.records[i].first, "10.0.0." + std::to_string(i),
                       attach(f, id, row.records[i].second)));
    }
    ASSERT_TRUE(f.build()) << f.diagnostics_text();
    auto counts = count_answers(f, "w.example.com.", kDraws);
    for (size_t i = 0; i < row.records.size(); ++i) {
        double observed = counts["10.0.0." + std::to_string(i)] / double(kDraws);
        // Certain outcomes are exact; otherwise the binomial sd at 10,000 draws is <= 0.005,
        // so 0.02 is 4 sd.
        if (row.expected[i] == 0.0 || row.expected[i] == 1.0) {
            EXPECT_EQ(observed, row.expected[i]) << row.what << " record " << i;
        } else {
            EXPECT_NEAR(observed, row.expected[i], 0.02) << row.what << " record " << i;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(
    Section2_3, WeightedTable,
    ::testing::Values(WeightedRow{"all healthy: w/sum",
                                  {{10, H::Up}, {20, H::Up}, {20, H::None}},
                                  {0.2, 0.4, 0.4}},
                      WeightedRow{"unhealthy leaves the sum: 10/(10+20)",
                                  {{10, H::Up}, {20, H::None}, {20, H::Down}},
                                  {1 / 3.0, 2 / 3.0, 0}},
                      WeightedRow{"weight 0 never while a non-zero record is healthy",
                                  {{10, H::Up}, {0, H::Up}},
                                  {1, 0}},
                      WeightedRow{"weight 0 once every non-zero record is unhealthy",
                                  {{10, H::Down}, {0, H::Up}, {20, H::Down}},
                                  {0, 1, 0}},
                      WeightedRow{"weight-0 records share equally when they are all that is left",
                                  {{10, H::Down}, {0, H::Up}, {0, H::None}},
                                  {0, 0.5, 0.5}},
                      WeightedRow{"all weights 0: equal odds",
                                  {{0, H::Up}, {0, H::Up}, {0, H::None}},
                                  {1 / 3.0, 1 / 3.0, 1 / 3.0}},
                      WeightedRow{"all unhealthy: by weight among all (fail-open)",
                                  {{10, H::Down}, {30, H::Down}},
                                  {0.25, 0.75}},
                      WeightedRow{"all unhealthy, with a weight-0 record: still by weight",
                                  {{10, H::Down}, {0, H::Down}, {30, H::Down}},
                                  {0.25, 0, 0.75}}));

TEST(WeightedPolicy, ChiSquareOverTenThousandDraws) {  // §2.3, §8 point 13
    Fixture f;
    const std::vector<int> weights{10, 20, 30, 40};
    for (size_t i = 0; i < weights.size(); ++i)
        f.add(weighted("w.example.com.", "r" + std::to_string(i), weights[i],
                       "10.0.0." + std::to_string(i)));
    ASSERT_TRUE(f.build());
    auto counts = count_answers(f, "w.example.com.", kDraws);
    double chi2 = 0;
    for (size_t i = 0; i < weights.size(); ++i) {
        double expected = kDraws * weights[i] / 100.0;
        double d = counts["10.0.0." + std::to_string(i)] - expected;
        chi2 += d * d / expected;
    }
    // 3 degrees of freedom: 16.27 is the p = 0.001 critical value.
    EXPECT_LT(chi2, 16.27);
}

TEST(WeightedPolicy, FixedSeedGivesTheExactSequence) {  // §8 point 13
    auto run = [](uint64_t seed) {
        Fixture f;
        f.random = Random(seed);
        for (int i = 0; i < 4; ++i)
            f.add(weighted("w.example.com.", "r" + std::to_string(i), 25,
                           "10.0.0." + std::to_string(i)));
        EXPECT_TRUE(f.build());
        std::vector<std::string> seq;
        for (int i = 0; i < 40; ++i) seq.push_back(f.query("w.example.com.").values().at(0));
        return seq;
    };
    auto a = run(7), b = run(7), c = run(8);
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
    EXPECT_GT(std::set<std::string>(a.begin(), a.end()).size(), 1u);
}

// ---------------------------------------------------------------- Failover (§2.3)

struct FailoverRow {
    std::optional<H> primary, secondary;  // nullopt: record absent
    std::string expected;                 // "P" or "S"
};

class FailoverTable : public ::testing::TestWithParam<FailoverRow> {};

TEST_P(FailoverTable, TruthTable) {
    const auto& row = GetParam();
    Fixture f;
    auto add = [&](const std::string& id, config::FailoverRole role, H h, const std::string& ip) {
        auto r = rrset("app.example.com.", "A", 60, {ip});
        r.set_identifier = id;
        r.failover = role;
        r.health_check_id = attach(f, id, h);
        f.add(r);
    };
    if (row.primary) add("P", config::FailoverRole::Primary, *row.primary, "10.0.0.1");
    if (row.secondary) add("S", config::FailoverRole::Secondary, *row.secondary, "10.0.0.2");
    ASSERT_TRUE(f.build()) << f.diagnostics_text();
    std::string ip = row.expected == "P" ? "10.0.0.1" : "10.0.0.2";
    for (int i = 0; i < 20; ++i)  // never both, never the other (§8 point 14)
        EXPECT_EQ(f.query("app.example.com.").values(), std::vector<std::string>{ip});
}

INSTANTIATE_TEST_SUITE_P(
    Section2_3, FailoverTable,
    ::testing::Values(FailoverRow{H::Up, H::Up, "P"}, FailoverRow{H::Up, H::Down, "P"},
                      FailoverRow{H::Down, H::Up, "S"}, FailoverRow{H::Down, H::Down, "P"},
                      FailoverRow{H::Down, H::None, "S"}, FailoverRow{H::None, H::Down, "P"},
                      FailoverRow{H::None, H::Up, "P"}, FailoverRow{std::nullopt, H::Down, "S"},
                      FailoverRow{H::Down, std::nullopt, "P"}));

TEST(FailoverPolicy, FollowsHealthChangesBetweenQueries) {  // §2.2: cached health at query time
    Fixture f;
    for (auto [id, role, ip] : {std::tuple{"P", config::FailoverRole::Primary, "10.0.0.1"},
                                {"S", config::FailoverRole::Secondary, "10.0.0.2"}}) {
        auto r = rrset("app.example.com.", "A", 60, {ip});
        r.set_identifier = id;
        r.failover = role;
        r.health_check_id = attach(f, id, H::Up);
        f.add(r);
    }
    ASSERT_TRUE(f.build());
    EXPECT_EQ(f.query("app.example.com.").values()[0], "10.0.0.1");
    f.set_health("hc-P", false);
    EXPECT_EQ(f.query("app.example.com.").values()[0], "10.0.0.2");
    f.set_health("hc-P", true);
    EXPECT_EQ(f.query("app.example.com.").values()[0], "10.0.0.1");
}

// ---------------------------------------------------------------- Multivalue (§2.3)

struct MultivalueRow {
    std::string what;
    int records;
    std::vector<int> unhealthy;  // indexes
    size_t answer_size;
    bool only_healthy;  // every answered record is healthy
};

class MultivalueTable : public ::testing::TestWithParam<MultivalueRow> {};

TEST_P(MultivalueTable, SubsetsOfUpToEight) {
    const auto& row = GetParam();
    Fixture f;
    for (int i = 0; i < row.records; ++i) {
        std::string id = "m" + std::to_string(i);
        bool down = std::count(row.unhealthy.begin(), row.unhealthy.end(), i) > 0;
        auto r = rrset("mv.example.com.", "A", 60, {"10.0.0." + std::to_string(i)});
        r.set_identifier = id;
        r.multi_value_answer = true;
        r.health_check_id = attach(f, id, down ? H::Down : H::Up);
        f.add(r);
    }
    ASSERT_TRUE(f.build()) << f.diagnostics_text();
    std::set<std::string> seen, subsets;
    for (int q = 0; q < 300; ++q) {
        auto values = f.query("mv.example.com.").values();
        ASSERT_EQ(values.size(), row.answer_size) << row.what;
        EXPECT_EQ(std::set<std::string>(values.begin(), values.end()).size(), values.size());
        std::string key;
        for (const auto& v : values) {
            seen.insert(v);
            key += v + ",";
            int index = std::stoi(v.substr(v.rfind('.') + 1));
            bool down = std::count(row.unhealthy.begin(), row.unhealthy.end(), index) > 0;
            if (row.only_healthy) {
                EXPECT_FALSE(down) << row.what << " answered " << v;
            }
        }
        subsets.insert(key);
    }
    size_t candidates = row.only_healthy ? row.records - row.unhealthy.size() : row.records;
    EXPECT_EQ(seen.size(), candidates) << row.what;  // every candidate shows up over time
    if (candidates > 8) {
        EXPECT_GT(subsets.size(), 1u) << row.what << ": subsets vary";
    }
}

INSTANTIATE_TEST_SUITE_P(
    Section2_3, MultivalueTable,
    ::testing::Values(
        MultivalueRow{"3 healthy: all", 3, {}, 3, true},
        MultivalueRow{"12 healthy: 8 of them, varying", 12, {}, 8, true},
        MultivalueRow{"10 with 4 unhealthy: the 6 healthy", 10, {0, 3, 5, 9}, 6, true},
        MultivalueRow{"12 with 3 healthy: those 3", 12, {0, 1, 2, 3, 4, 5, 6, 7, 8}, 3, true},
        MultivalueRow{"all 10 unhealthy: 8 unhealthy (fail-open)",
                      10,
                      {0, 1, 2, 3, 4, 5, 6, 7, 8, 9},
                      8,
                      false}));

// ---------------------------------------------------------------- Latency (§2.3)

class LatencyTest : public ::testing::Test {
  protected:
    void SetUp() override {
        for (auto [region, ip] : {std::pair{"us-east-1", "10.0.0.1"},
                                  {"eu-west-1", "10.0.0.2"},
                                  {"ap-southeast-1", "10.0.0.3"},
                                  {"cn-north-1", "10.0.0.4"}}) {
            auto r = rrset("lat.example.com.", "A", 60, {ip});
            r.set_identifier = region;
            r.region = region;
            r.health_check_id = attach(f, region, H::Up);
            f.add(r);
        }
        auto place = [&](const char* cidr, const char* region, const char* country) {
            config::ClientPrefix p;
            p.cidr = cidr;
            if (*region) p.region = region;
            if (*country) p.country_code = country;
            f.config.local.client_locations.push_back(p);
        };
        place("192.0.2.0/24", "eu-west-2", "GB");  // London
        place("198.51.100.0/24", "ap-northeast-1", "JP");
        place("203.0.113.0/24", "", "CN");
        config::ClientPrefix by_position;
        by_position.cidr = "2001:db8::/32";
        by_position.coordinates = config::Coordinates{-33.9, 151.2};  // Sydney
        f.config.local.client_locations.push_back(by_position);
        ASSERT_TRUE(f.build()) << f.diagnostics_text();
    }
    std::string ask(const std::string& client) {
        return f.query("lat.example.com.", A, client).values().at(0);
    }
    Fixture f;
};

TEST_F(LatencyTest, ClosestRegionToTheClient) {
    struct Row {
        std::string client, expected;
    } rows[] = {
        {"192.0.2.10", "10.0.0.2"},    // London -> eu-west-1
        {"198.51.100.7", "10.0.0.4"},  // Tokyo -> cn-north-1 is closest (Beijing)
        {"203.0.113.9", "10.0.0.4"},   // inside China cn-north-1 always wins
        {"2001:db8::1", "10.0.0.3"},   // Sydney by coordinates -> Singapore
        {"", "10.0.0.1"},              // unknown client: us-east-1 (Gap)
        {"10.9.9.9", "10.0.0.1"},      // unmapped client: us-east-1 (Gap)
    };
    for (const auto& row : rows) EXPECT_EQ(ask(row.client), row.expected) << row.client;
}

TEST_F(LatencyTest, UnhealthyRegionFallsToTheNextClosest) {
    f.set_health("hc-eu-west-1", false);
    EXPECT_EQ(ask("192.0.2.10"), "10.0.0.1");  // London: us-east-1 is next
    f.set_health("hc-us-east-1", false);
    EXPECT_EQ(ask("192.0.2.10"), "10.0.0.4");  // then Beijing before Singapore
    f.set_health("hc-cn-north-1", false);
    EXPECT_EQ(ask("192.0.2.10"), "10.0.0.3");
    f.set_health("hc-ap-southeast-1", false);
    EXPECT_EQ(ask("192.0.2.10"), "10.0.0.2");  // all unhealthy: the closest (fail-open)
}

TEST_F(LatencyTest, EcsScopeIsTheClientPrefix) {  // §2.4
    EXPECT_EQ(f.query("lat.example.com.", A, "192.0.2.0/24").ecs_scope, 24);
    EXPECT_EQ(f.query("lat.example.com.", A, "2001:db8::/56").ecs_scope, 56);
}

// ---------------------------------------------------------------- Geolocation (§2.3)

class GeolocationTest : public ::testing::Test {
  protected:
    void add(const std::string& id, config::GeoLocation where, bool with = true) {
        if (!with) return;
        auto r = rrset("geo.example.com.", "A", 60, {"10.1.0." + std::to_string(++n)});
        ip[id] = "10.1.0." + std::to_string(n);
        r.set_identifier = id;
        r.geo_location = where;
        r.health_check_id = attach(f, id, H::Up);
        f.add(r);
    }
    void place(const char* cidr, const char* continent, const char* country, const char* sub) {
        config::ClientPrefix p;
        p.cidr = cidr;
        if (*continent) p.continent_code = continent;
        if (*country) p.country_code = country;
        if (*sub) p.subdivision_code = sub;
        f.config.local.client_locations.push_back(p);
    }
    void build(bool with_default = true) {
        add("us-ca", {std::nullopt, "US", "CA"});
        add("us", {std::nullopt, "US", std::nullopt});
        add("na", {"NA", std::nullopt, std::nullopt});
        add("eu", {"EU", std::nullopt, std::nullopt});
        add("de", {std::nullopt, "DE", std::nullopt});
        add("default", {std::nullopt, "*", std::nullopt}, with_default);
        place("10.10.1.0/24", "NA", "US", "CA");
        place("10.10.2.0/24", "NA", "US", "TX");
        place("10.10.3.0/24", "NA", "US", "");
        place("10.10.4.0/24", "NA", "MX", "");
        place("10.10.5.0/24", "EU", "FR", "");
        place("10.10.6.0/24", "EU", "DE", "");
        place("10.10.7.0/24", "AS", "JP", "");
        ASSERT_TRUE(f.build()) << f.diagnostics_text();
    }
    std::vector<std::string> ask(const std::string& client) {
        return f.query("geo.example.com.", A, client).values();
    }
    Fixture f;
    std::map<std::string, std::string> ip;
    int n = 0;
};

TEST_F(GeolocationTest, MostSpecificAreaWins) {
    build();
    struct Row {
        std::string client, expected;
    } rows[] = {
        {"10.10.1.1", "us-ca"},   {"10.10.2.1", "us"}, {"10.10.3.1", "us"},
        {"10.10.4.1", "na"},      {"10.10.5.1", "eu"}, {"10.10.6.1", "de"},
        {"10.10.7.1", "default"}, {"", "default"},     {"172.16.0.1", "default"},
    };
    for (const auto& row : rows)
        EXPECT_EQ(ask(row.client), std::vector<std::string>{ip[row.expected]}) << row.client;
}

TEST_F(GeolocationTest, UnhealthyGivesWayToTheNextLargerArea) {
    build();
    const std::string ca = "10.10.1.1";
    f.set_health("hc-us-ca", false);
    EXPECT_EQ(ask(ca), std::vector<std::string>{ip["us"]});
    f.set_health("hc-us", false);
    EXPECT_EQ(ask(ca), std::vector<std::string>{ip["na"]});
    f.set_health("hc-na", false);
    EXPECT_EQ(ask(ca), std::vector<std::string>{ip["default"]});
    f.set_health("hc-default", false);
    EXPECT_EQ(ask(ca), std::vector<std::string>{ip["us-ca"]});  // fail-open: smallest area
}

TEST_F(GeolocationTest, NoMatchAndNoDefaultIsNodata) {  // §8 point 16
    build(false);
    auto r = f.query("geo.example.com.", A, "10.10.7.1");
    EXPECT_EQ(r.rcode, Rcode::NoError);
    EXPECT_TRUE(r.answer.empty());
    ASSERT_EQ(r.authority.size(), 1u);
    EXPECT_NE(r.authority[0].find(" SOA "), std::string::npos);
    EXPECT_EQ(ask("10.10.6.1"), std::vector<std::string>{ip["de"]});
}

// ---------------------------------------------------------------- Geoproximity (§2.3)

struct GeoproximityRow {
    std::string what;
    int us_bias, eu_bias;
    bool eu_healthy;
    std::string expected;  // for a client in Paris
};

class GeoproximityTable : public ::testing::TestWithParam<GeoproximityRow> {};

TEST_P(GeoproximityTable, SmallestBiasedDistance) {
    const auto& row = GetParam();
    Fixture f;
    auto add = [&](const std::string& id, config::GeoProximityLocation loc, const char* value,
                   H h) {
        auto r = rrset("gp.example.com.", "A", 60, {value});
        r.set_identifier = id;
        r.geo_proximity_location = loc;
        r.health_check_id = attach(f, id, h);
        f.add(r);
    };
    config::GeoProximityLocation us, eu;
    us.aws_region = "us-east-1";  // ~6,200 km from Paris
    us.bias = row.us_bias;
    eu.coordinates = config::Coordinates{53.35, -6.26};  // Dublin, ~780 km
    eu.bias = row.eu_bias;
    add("us", us, "10.2.0.1", H::Up);
    add("eu", eu, "10.2.0.2", row.eu_healthy ? H::Up : H::Down);
    config::ClientPrefix paris;
    paris.cidr = "192.0.2.0/24";
    paris.coordinates = config::Coordinates{48.86, 2.35};
    f.config.local.client_locations.push_back(paris);
    ASSERT_TRUE(f.build()) << f.diagnostics_text();
    EXPECT_EQ(f.query("gp.example.com.", A, "192.0.2.1").values(),
              std::vector<std::string>{row.expected})
        << row.what;
}

INSTANTIATE_TEST_SUITE_P(
    Section2_3, GeoproximityTable,
    ::testing::Values(GeoproximityRow{"no bias: nearest", 0, 0, true, "10.2.0.2"},
                      GeoproximityRow{"b=+99 shrinks 6200 km to 62 km", 99, 0, true, "10.2.0.1"},
                      GeoproximityRow{"b=+50 is not enough (3100 km)", 50, 0, true, "10.2.0.2"},
                      GeoproximityRow{"b=-90 stretches 780 km to 7800 km", 0, -90, true,
                                      "10.2.0.1"},
                      GeoproximityRow{"unavailable: next nearest", 0, 0, false, "10.2.0.1"}));

// ---------------------------------------------------------------- IP-based (§2.3)

class IpBasedTest : public ::testing::Test {
  protected:
    void SetUp() override {
        config::CidrCollection c;
        c.id = "c-1";
        c.name = "offices";
        c.locations["office"] = {"192.0.2.0/24", "2001:db8:1::/48"};
        c.locations["region"] = {"192.0.0.0/16"};
        f.config.local.cidr_collections.push_back(c);
        for (auto [loc, ip] :
             {std::pair{"office", "10.3.0.1"}, {"region", "10.3.0.2"}, {"*", "10.3.0.3"}}) {
            auto r = rrset("ip.example.com.", "A", 60, {ip});
            r.set_identifier = loc;
            r.cidr_routing_config = config::CidrRoutingConfig{"c-1", loc};
            r.health_check_id = attach(f, loc, H::Up);
            f.add(r);
        }
        ASSERT_TRUE(f.build()) << f.diagnostics_text();
    }
    std::string ask(const std::string& client) {
        return f.query("ip.example.com.", A, client).values().at(0);
    }
    Fixture f;
};

TEST_F(IpBasedTest, LongestMatchingBlockThenDefault) {
    struct Row {
        std::string client, expected;
    } rows[] = {
        {"192.0.2.10", "10.3.0.1"},    {"192.0.2.0/24", "10.3.0.1"},
        {"192.0.7.1", "10.3.0.2"},     {"192.0.0.0/16", "10.3.0.2"},
        {"192.0.0.0/20", "10.3.0.2"},  // shorter than the /24 block: only the /16 matches
        {"192.0.0.0/8", "10.3.0.3"},   // shorter than every block: default
        {"198.51.100.1", "10.3.0.3"},  {"2001:db8:1:2::1", "10.3.0.1"},
        {"2001:db8:2::1", "10.3.0.3"}, {"", "10.3.0.3"},
    };
    for (const auto& row : rows) EXPECT_EQ(ask(row.client), row.expected) << row.client;
}

TEST_F(IpBasedTest, UnhealthyFollowsTheGenericRuleThenDefault) {  // §2.3 Gap
    f.set_health("hc-office", false);
    EXPECT_EQ(ask("192.0.2.10"), "10.3.0.2");
    f.set_health("hc-region", false);
    EXPECT_EQ(ask("192.0.2.10"), "10.3.0.3");
    f.set_health("hc-*", false);
    EXPECT_EQ(ask("192.0.2.10"), "10.3.0.1");  // all unhealthy: the best match (fail-open)
}

}  // namespace
}  // namespace r53::resolver::test
