// Probe planning from config: Host header table (semantics §1.3), timeouts (§1.1, §8 pt 27),
// interval and time scale (§8 pt 28), endpoint mapping, fleet layout (§8 pt 7), body decoding.
#include <gtest/gtest.h>
#include <zlib.h>

#include <set>

#include "healthcheck/body_decoder.hpp"
#include "healthcheck/clock.hpp"
#include "healthcheck/fleet.hpp"
#include "healthcheck/target.hpp"

namespace r53::health {
namespace {

using config::HealthCheckType;
using namespace std::chrono_literals;

config::HealthCheckConfig hc(HealthCheckType type, std::optional<std::string> ip,
                             std::optional<std::string> fqdn, int port) {
    config::HealthCheckConfig c;
    c.type = type;
    c.ip_address = std::move(ip);
    c.fully_qualified_domain_name = std::move(fqdn);
    c.port = port;
    return c;
}

// §1.3 table.
TEST(HealthTarget, HostHeader) {
    struct Case {
        HealthCheckType type;
        std::optional<std::string> ip, fqdn;
        int port;
        std::string expected;
    };
    const Case cases[] = {
        {HealthCheckType::HTTP, "192.0.2.1", "www.example.com", 80, "www.example.com"},
        {HealthCheckType::HTTP, "192.0.2.1", "www.example.com", 8080, "www.example.com:8080"},
        {HealthCheckType::HTTPS, "192.0.2.1", "www.example.com", 443, "www.example.com"},
        {HealthCheckType::HTTPS, "192.0.2.1", "www.example.com", 80, "www.example.com:80"},
        {HealthCheckType::HTTP_STR_MATCH, std::nullopt, "a.example.com", 80, "a.example.com"},
        {HealthCheckType::HTTP, "192.0.2.1", std::nullopt, 80, "192.0.2.1"},
        {HealthCheckType::HTTP, "192.0.2.1", std::nullopt, 81, "192.0.2.1:81"},
        {HealthCheckType::HTTPS_STR_MATCH, "2001:db8::1", std::nullopt, 8443, "[2001:db8::1]:8443"},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(host_header_for(hc(c.type, c.ip, c.fqdn, c.port), c.port), c.expected);
    }
}

TEST(HealthTarget, PlanDefaultsFollowAws) {
    config::HealthCheck check;
    check.id = "hc";
    check.config = hc(HealthCheckType::HTTPS, "192.0.2.1", "Www.Example.Com.", 443);
    check.config.enable_sni = true;
    auto plan = plan_probe(check, 1.0);
    EXPECT_EQ(plan.timeouts.connect, 4s);   // §1.1
    EXPECT_EQ(plan.timeouts.response, 2s);  // §1.1
    EXPECT_EQ(plan.sni, "www.example.com");
    EXPECT_EQ(plan.path, "/");

    check.config.type = HealthCheckType::TCP;
    plan = plan_probe(check, 1.0);
    EXPECT_EQ(plan.timeouts.connect, 10s);  // §1.1 TCP
    EXPECT_TRUE(plan.host_header.empty());
    EXPECT_FALSE(plan.sni);

    check.config.type = HealthCheckType::HTTP;
    check.config.port.reset();
    check.config.resource_path = "status?x=1";
    plan = plan_probe(check, 1.0);
    EXPECT_EQ(plan.port, 80);
    EXPECT_EQ(plan.path, "/status?x=1");  // console prepends '/' (§1.2)
}

// §8 pts 27-28: the scale multiplies defaults; local overrides are absolute.
TEST(HealthTarget, ScaleAppliesToDefaultsNotToOverrides) {
    config::HealthCheck check;
    check.config = hc(HealthCheckType::HTTP, "192.0.2.1", std::nullopt, 80);
    check.config.request_interval = 30;
    auto plan = plan_probe(check, 0.01);
    EXPECT_EQ(plan.timeouts.connect, 40ms);
    EXPECT_EQ(probe_interval(check, 0.01), 300ms);
    check.local.connect_timeout = config::Seconds(0.5);
    check.local.interval = config::Seconds(0.2);
    plan = plan_probe(check, 0.01);
    EXPECT_EQ(plan.timeouts.connect, 500ms);
    EXPECT_EQ(probe_interval(check, 0.01), 200ms);

    config::ClockSettings clock{config::ClockMode::Scaled, 0.1};
    EXPECT_DOUBLE_EQ(time_scale(clock), 0.1);
    clock.mode = config::ClockMode::Real;
    EXPECT_DOUBLE_EQ(time_scale(clock), 1.0);
}

TEST(HealthTarget, EndpointMappingLikeCurlResolve) {
    std::vector<config::EndpointMapping> map = {
        {"api.example.com", 443, "127.0.0.1", 8443, {}},
        {"api.example.com", 0, "127.0.0.2", 0, {}},
        {"www.example.com", 80, "127.0.0.3", 0, {}},
    };
    auto exact = map_endpoint(map, "API.example.com.", 443);
    ASSERT_TRUE(exact);
    EXPECT_EQ(exact->address, "127.0.0.1");
    EXPECT_EQ(exact->port, 8443);
    auto any = map_endpoint(map, "api.example.com", 8080);
    ASSERT_TRUE(any);
    EXPECT_EQ(any->address, "127.0.0.2");
    EXPECT_EQ(any->port, 8080);  // local_port 0 keeps the port
    EXPECT_FALSE(map_endpoint(map, "www.example.com", 81));
    EXPECT_FALSE(map_endpoint(map, "other.example.com", 80));
}

// §8 pt 7: 2 checkers per region, spread over one interval; §8 pt 32 deterministic with a seed.
TEST(HealthFleetLayout, RegionsTimesCheckersEvenlySpread) {
    config::HealthCheck check;
    config::FleetSettings fleet;
    fleet.seed = 7;
    auto slots = fleet_layout(check, fleet);
    ASSERT_EQ(slots.size(), 16u);
    std::set<double> starts;
    std::set<std::string> ips;
    for (const auto& s : slots) {
        starts.insert(s.start_fraction);
        ips.insert(s.checker_ip);
        EXPECT_GE(s.start_fraction, 0.0);
        EXPECT_LT(s.start_fraction, 1.0);
    }
    EXPECT_EQ(starts.size(), 16u);
    EXPECT_EQ(ips.size(), 16u);
    EXPECT_EQ(slots.front().region, "us-east-1");

    check.config.regions = {"us-east-1", "eu-west-1", "sa-east-1"};
    fleet.checkers_per_region = 3;
    EXPECT_EQ(fleet_layout(check, fleet).size(), 9u);
    fleet.single_checker = true;
    EXPECT_EQ(fleet_layout(check, fleet).size(), 1u);
}

std::string compress(const std::string& data, int window_bits) {
    z_stream zs{};
    deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY);
    std::string out(compressBound(data.size()) + 64, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}

// §1.1: gzip/deflate decoded first; other encodings fail.
TEST(HealthBodyDecoder, DecodesIncrementallyAndStopsAtTheWindow) {
    const std::string text = std::string(4000, 'a') + "MARK" + std::string(4000, 'b');
    struct Case {
        const char* encoding;
        std::string raw;
    };
    for (const Case& c :
         {Case{"gzip", compress(text, 15 + 16)}, Case{"deflate", compress(text, 15)},
          Case{"deflate", compress(text, -15)}, Case{"", text}}) {
        BodyDecoder decoder(BodyDecoder::encoding_of(c.encoding), 5120);
        for (size_t i = 0; i < c.raw.size(); i += 7) {  // tiny chunks
            ASSERT_TRUE(decoder.feed(std::string_view(c.raw).substr(i, 7))) << c.encoding;
        }
        EXPECT_EQ(decoder.decoded().size(), 5120u) << c.encoding;
        EXPECT_TRUE(body_contains(decoder.decoded(), "MARK", 5120)) << c.encoding;
    }
    BodyDecoder br(BodyDecoder::encoding_of("br"), 5120);
    EXPECT_FALSE(br.feed("whatever"));
    BodyDecoder broken(BodyDecoder::encoding_of("gzip"), 5120);
    EXPECT_FALSE(broken.feed("definitely not gzip data"));
}

}  // namespace
}  // namespace r53::health
