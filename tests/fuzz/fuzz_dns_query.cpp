// DNS query bytes -> the real query path (parse, resolve against a small fixed zone, encode) over
// UDP and TCP: either nothing is sent, or a response that echoes the id and fits its limit.
#include <array>
#include <memory>
#include <span>

#include "config/loader.hpp"
#include "fuzz_common.hpp"
#include "healthcheck/health_table.hpp"
#include "resolver/zone_set.hpp"
#include "server/dns/query_processor.hpp"
#include "server/dns/state_holder.hpp"
#include "server/dns/wire_encode.hpp"

namespace {

using namespace r53;

constexpr const char* kZone = R"(
hosted_zones:
  - Name: example.com
    ResourceRecordSets:
      - {Name: app.example.com, Type: A, SetIdentifier: primary, Failover: PRIMARY,
         HealthCheckId: hc-primary, TTL: 60, ResourceRecords: [{Value: 192.0.2.1}]}
      - {Name: app.example.com, Type: A, SetIdentifier: secondary, Failover: SECONDARY,
         TTL: 60, ResourceRecords: [{Value: 192.0.2.2}]}
      - {Name: w.example.com, Type: A, SetIdentifier: a, Weight: 10, TTL: 60,
         ResourceRecords: [{Value: 192.0.2.10}, {Value: 192.0.2.11}]}
      - {Name: w.example.com, Type: A, SetIdentifier: b, Weight: 0, TTL: 60,
         ResourceRecords: [{Value: 192.0.2.12}]}
      - {Name: www.example.com, Type: CNAME, TTL: 300, ResourceRecords: [{Value: app.example.com}]}
      - {Name: example.com, Type: MX, TTL: 300, ResourceRecords: [{Value: 10 mail.example.com}]}
      - {Name: mail.example.com, Type: AAAA, TTL: 300, ResourceRecords: [{Value: "2001:db8::25"}]}
      - {Name: example.com, Type: TXT, TTL: 300, ResourceRecords: [{Value: '"v=spf1 -all"'}]}
      - {Name: "*.wild.example.com", Type: A, TTL: 300, ResourceRecords: [{Value: 192.0.2.99}]}
      - {Name: alias.example.com, Type: A,
         AliasTarget: {HostedZoneId: ZUYGAUWRYSQ3JGH5N9EHG, DNSName: w.example.com,
                       EvaluateTargetHealth: true}}
      - {Name: geo.example.com, Type: A, SetIdentifier: eu, GeoLocation: {ContinentCode: EU},
         TTL: 60, ResourceRecords: [{Value: 192.0.2.30}]}
      - {Name: geo.example.com, Type: A, SetIdentifier: any, GeoLocation: {CountryCode: "*"},
         TTL: 60, ResourceRecords: [{Value: 192.0.2.31}]}
health_checks:
  hc-primary:
    HealthCheckConfig: {Type: TCP, IPAddress: 192.0.2.1, Port: 80}
)";

struct Fixture {
    server::StateHolder holder;
    server::QueryProcessor processor{holder, 0};

    Fixture() {
        auto loaded = config::load_config_text(kZone, "fuzz-zone.yaml");
        for (const auto& d : loaded.diagnostics)
            std::fprintf(stderr, "%s\n", config::format(d).c_str());
        FUZZ_CHECK(loaded.config);
        config::Diagnostics diagnostics;
        auto zones = resolver::ZoneSet::build(*loaded.config, diagnostics);
        FUZZ_CHECK(zones);
        auto health = std::make_shared<health::HealthTable>();
        health->healthy.assign(loaded.config->health_checks.size(), 0);  // primary down
        auto state = std::make_shared<resolver::ServingState>();
        state->generation = 1;
        state->config = loaded.config;
        state->zones = zones;
        state->health = health;
        holder.publish(state);
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static Fixture fixture;
    static std::array<uint8_t, 65535> out;
    resolver::ClientAddress source;
    source.family = 4;
    source.prefix_length = 32;
    source.bytes = {127, 0, 0, 1};
    std::span<const uint8_t> query(data, size);
    for (auto transport : {server::Transport::Udp, server::Transport::Tcp}) {
        const size_t n = fixture.processor.process(query, source, transport, out);
        FUZZ_CHECK(n <= out.size());
        if (n == 0) continue;
        FUZZ_CHECK(size >= 2 && n >= 12);
        FUZZ_CHECK(out[0] == data[0] && out[1] == data[1]);  // the id is echoed
        FUZZ_CHECK((out[2] & 0x80) != 0);                    // QR=1: a response
        if (transport == server::Transport::Udp)
            FUZZ_CHECK(n <= server::udp_response_limit(fixture.processor.last_query()));
    }
    return 0;
}
