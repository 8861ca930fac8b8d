// The Route 53 API's shapes and store: merge over the config file, and the --state-dir file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "config/zone_defaults.hpp"
#include "server/store/file_store.hpp"
#include "server/store/persist.hpp"
#include "server/store/shapes.hpp"

namespace r53::server::route53 {
namespace {

TEST(Route53Shapes, ReversedLabelsOrderParentsFirst) {
    EXPECT_EQ(reversed_labels("www.example.com."),
              "com\x01"
              "example\x01"
              "www");
    EXPECT_LT(reversed_labels("example.com."), reversed_labels("a.example.com."));
    EXPECT_LT(reversed_labels("a.b.example.com."), reversed_labels("z.example.com."));
    // Children of "a" sort right after "a", before its sibling "a-b" (DNS canonical order).
    EXPECT_LT(reversed_labels("x.a.example.com."), reversed_labels("a-b.example.com."));
    EXPECT_LT(reversed_labels("b.a.example.com."), reversed_labels("a.b.example.com."));
}

TEST(Route53Shapes, RecordSetRoundTrip) {
    config::ResourceRecordSet r;
    r.name = "app.example.com.";
    r.type = "A";
    r.set_identifier = "primary";
    r.failover = config::FailoverRole::Primary;
    r.ttl = 60;
    r.resource_records = {"192.0.2.10"};
    r.health_check_id = "hc-1";
    config::Diagnostics ds;
    auto back = record_set_from_json(record_set_json(r), ds);
    ASSERT_TRUE(back) << (ds.empty() ? "" : ds[0].message);
    EXPECT_TRUE(back->same_content(r));
}

TEST(Route53Shapes, HealthCheckConfigRoundTrip) {
    config::HealthCheckConfig c;
    c.type = config::HealthCheckType::HTTPS;
    c.ip_address = "127.0.0.1";
    c.port = 8443;
    c.resource_path = "/health";
    c.failure_threshold = 1;
    c.request_interval = 10;
    c.enable_sni = true;
    c.regions = {"us-east-1", "us-west-1", "eu-west-1"};
    config::Diagnostics ds;
    auto back = health_check_config_from_json(health_check_config_json(c), ds);
    ASSERT_TRUE(back) << (ds.empty() ? "" : ds[0].message);
    EXPECT_EQ(health_check_config_json(*back), health_check_config_json(c));
}

std::shared_ptr<config::Config> file_config() {
    auto c = std::make_shared<config::Config>();
    config::HostedZone z;
    z.id = "ZFILE";
    z.name = "file.test.";
    z.record_sets = {config::default_soa(z.name), config::default_ns(z.name)};
    c->zones.push_back(z);
    config::HealthCheck hc;
    hc.id = "hc-file";
    hc.local.interval = config::Seconds(0.5);
    c->health_checks.push_back(hc);
    return c;
}

TEST(Route53Store, MergeOverlaysHidesAndAdds) {
    FileStore store(std::nullopt);
    auto file = file_config();
    EXPECT_EQ(store.merge(file), file);  // nothing from the API: the file's own Config

    auto next = std::make_shared<State>();
    ZoneEntry api;
    api.zone.id = "ZAPI";
    api.zone.name = "api.test.";
    config::ResourceRecordSet a;
    a.name = "www.api.test.";
    a.type = "A";
    a.ttl = 60;
    a.resource_records = {"192.0.2.1"};
    a.health_check_id = "hc-gone";  // its check was deleted through the API
    api.zone.record_sets = {a};
    next->zones["ZAPI"] = api;
    next->deleted_zones.insert("ZFILE");
    CheckEntry check;
    check.check.id = "hc-file";
    check.check.config.failure_threshold = 7;
    check.from_file = true;
    next->checks["hc-file"] = check;
    store.commit(store.view().state, next);

    auto merged = store.merge(file);
    ASSERT_EQ(merged->zones.size(), 1u);
    EXPECT_EQ(merged->zones[0].id, "ZAPI");
    EXPECT_FALSE(merged->zones[0].record_sets[0].health_check_id);
    ASSERT_EQ(merged->health_checks.size(), 1u);
    EXPECT_EQ(merged->health_checks[0].config.failure_threshold, 7);
    EXPECT_EQ(merged->health_checks[0].local.interval, config::Seconds(0.5));  // the file's knobs

    auto view = store.view();
    EXPECT_FALSE(view.zone("ZFILE"));
    EXPECT_TRUE(view.zone("ZAPI"));
    EXPECT_EQ(view.check("hc-file")->check.config.failure_threshold, 7);
}

TEST(Route53Store, StateFileRoundTrip) {
    auto dir = std::filesystem::temp_directory_path() /
               ("r53sim-route53-store-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    State s;
    ZoneEntry z;
    z.zone.id = "ZAPI";
    z.zone.name = "api.test.";
    z.zone.record_sets = {config::default_soa(z.zone.name), config::default_ns(z.zone.name)};
    z.caller_reference = "ref";
    z.comment = "a comment";
    s.zones["ZAPI"] = z;
    s.zone_references["ref"] = "ZAPI";
    CheckEntry c;
    c.check.id = "3f0c";
    c.check.caller_reference = "hc-ref";
    c.check.config.type = config::HealthCheckType::TCP;
    c.check.config.ip_address = "127.0.0.1";
    c.check.config.port = 9;
    c.check.config.regions = {"us-east-1", "us-west-1", "eu-west-1"};
    c.version = 4;
    s.checks["3f0c"] = c;
    s.tags["hostedzone/ZAPI"]["team"] = "dns";
    s.changes["C1"] = ChangeEntry{"C1", 1000.5, "batch"};
    std::string path = (dir / "route53-api.json").string();
    ASSERT_EQ(save_state(s, path), "");
    std::string error;
    auto back = load_state(path, error);
    ASSERT_TRUE(back) << error;
    ASSERT_EQ(back->zones.count("ZAPI"), 1u);
    const auto& bz = back->zones.at("ZAPI");
    EXPECT_EQ(bz.comment, "a comment");
    ASSERT_EQ(bz.zone.record_sets.size(), 2u);
    EXPECT_TRUE(bz.zone.record_sets[0].same_content(z.zone.record_sets[0]));
    EXPECT_EQ(back->checks.at("3f0c").version, 4);
    EXPECT_EQ(health_check_config_json(back->checks.at("3f0c").check.config),
              health_check_config_json(c.check.config));
    EXPECT_EQ(back->tags.at("hostedzone/ZAPI").at("team"), "dns");
    EXPECT_EQ(back->changes.at("C1").comment, "batch");
    EXPECT_EQ(back->zone_references.at("ref"), "ZAPI");
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace r53::server::route53
