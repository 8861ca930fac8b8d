// Test helpers for the resolver: build a Config in code, compile it, ask questions, and read
// the answers back as "owner TYPE rdata" strings.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "config/model.hpp"
#include "healthcheck/health_table.hpp"
#include "resolver/client_location.hpp"
#include "resolver/describe.hpp"
#include "resolver/names.hpp"
#include "resolver/resolve.hpp"
#include "resolver/serving_state.hpp"
#include "resolver/zone_set.hpp"

namespace r53::resolver::test {

inline config::ResourceRecordSet rrset(const std::string& name, const std::string& type,
                                       int64_t ttl, std::vector<std::string> values) {
    config::ResourceRecordSet r;
    r.name = name;
    r.type = type;
    r.ttl = ttl;
    r.resource_records = std::move(values);
    return r;
}

inline config::ResourceRecordSet weighted(const std::string& name, const std::string& id,
                                          int weight, const std::string& value,
                                          std::optional<std::string> hc = std::nullopt) {
    auto r = rrset(name, "A", 60, {value});
    r.set_identifier = id;
    r.weight = weight;
    r.health_check_id = std::move(hc);
    return r;
}

inline config::ResourceRecordSet alias(const std::string& name, const std::string& type,
                                       const std::string& target, bool eth) {
    config::ResourceRecordSet r;
    r.name = name;
    r.type = type;
    r.alias_target = config::AliasTarget{"Z1", target, eth};
    return r;
}

// "owner TTL IN TYPE rdata" (describe's format) -> "owner TYPE rdata"
inline std::string without_ttl(const std::string& line) {
    std::istringstream in(line);
    std::string owner, ttl, cls, type, rest;
    in >> owner >> ttl >> cls >> type;
    std::getline(in, rest);
    rest.erase(0, rest.find_first_not_of(' '));
    return owner + " " + type + (rest.empty() ? "" : " " + rest);
}

inline std::string ttl_of(const std::string& line) {
    std::istringstream in(line);
    std::string owner, ttl;
    in >> owner >> ttl;
    return ttl;
}

struct Result {
    Rcode rcode = Rcode::NoError;
    bool authoritative = true;
    uint8_t ecs_scope = 0;
    std::vector<std::string> answer, authority, additional;  // "owner TYPE rdata", in order
    std::vector<std::string> raw_answer, raw_authority;      // with TTL and class
    // The authority and additional records marked `required` (TC when they do not fit).
    std::vector<std::string> required_authority, required_additional;
    std::vector<std::string> trace;

    std::vector<std::string> sorted_answer() const {
        auto v = answer;
        std::sort(v.begin(), v.end());
        return v;
    }
    // Rdata of each answer record, sorted: the value set regardless of rotation.
    std::vector<std::string> values() const {
        std::vector<std::string> v;
        for (const auto& line : answer) v.push_back(line.substr(line.rfind(' ') + 1));
        std::sort(v.begin(), v.end());
        return v;
    }
};

inline ClientAddress client_address(const std::string& text) {
    if (text.empty()) return {};
    auto cidr = Cidr::parse(text);
    EXPECT_TRUE(cidr) << text;
    return cidr ? to_client_address(*cidr) : ClientAddress{};
}

// A Config plus the compiled snapshot and a settable health table.
class Fixture {
  public:
    config::Config config;
    std::map<std::string, bool> health;  // check id -> healthy
    config::Diagnostics diagnostics;
    ServingState state;
    Random random{42};

    config::HostedZone& zone(const std::string& name = "example.com.",
                             const std::string& id = "Z1") {
        for (auto& z : config.zones)
            if (z.name == name) return z;
        config.zones.push_back(config::HostedZone{id, name, {}, {}});
        return config.zones.back();
    }
    void add(config::ResourceRecordSet r, const std::string& zone_name = "example.com.") {
        zone(zone_name).record_sets.push_back(std::move(r));
    }
    void check(const std::string& id, bool healthy = true) {
        config::HealthCheck hc;
        hc.id = id;
        config.health_checks.push_back(hc);
        std::sort(config.health_checks.begin(), config.health_checks.end(),
                  [](const auto& a, const auto& b) { return a.id < b.id; });
        health[id] = healthy;
    }
    void set_health(const std::string& id, bool healthy) {
        health[id] = healthy;
        publish_health();
    }

    // Compiles the config; false (with diagnostics) when build() refused it.
    bool build() {
        diagnostics.clear();
        state.config = std::make_shared<config::Config>(config);
        state.zones = ZoneSet::build(config, diagnostics);
        publish_health();
        return state.zones != nullptr;
    }
    void publish_health() {
        auto table = std::make_shared<health::HealthTable>();
        table->healthy.resize(config.health_checks.size(), 1);
        for (const auto& [id, ok] : health)
            if (auto i = config.health_index(id)) table->healthy[*i] = ok ? 1 : 0;
        state.health = table;
    }
    std::string diagnostics_text() const {
        std::string s;
        for (const auto& d : diagnostics) s += d.code + ": " + d.message + "\n";
        return s;
    }

    Result query(const std::string& name, uint16_t qtype = 1, const std::string& client = "",
                 bool with_trace = false) {
        auto wire = to_wire_name(name);
        EXPECT_TRUE(wire) << name;
        Question q;
        q.qname = wire->data();
        q.qname_length = static_cast<uint8_t>(wire->size());
        q.qtype = qtype;
        q.client = client_address(client);
        q.client_from_ecs = !client.empty();
        Answer a;
        Trace trace;
        resolve(q, state, random, a, with_trace ? &trace : nullptr);
        Result r;
        r.rcode = a.rcode;
        r.authoritative = a.authoritative;
        r.ecs_scope = a.ecs_scope;
        auto described = describe(a, q);
        r.raw_answer = described.answer;
        r.raw_authority = described.authority;
        for (const auto& l : described.answer) r.answer.push_back(without_ttl(l));
        for (const auto& l : described.authority) r.authority.push_back(without_ttl(l));
        for (const auto& l : described.additional) r.additional.push_back(without_ttl(l));
        for (auto [section, out] : {std::pair{&a.authority, &r.required_authority},
                                    std::pair{&a.additional, &r.required_additional}}) {
            Section required;
            for (uint8_t i = 0; i < section->size; ++i)
                if (section->entries[i].required) required.push(section->entries[i]);
            for (const auto& l : describe_section(required, q)) out->push_back(without_ttl(l));
        }
        r.trace = trace.steps;
        return r;
    }
};

constexpr uint16_t A = 1, NS = 2, CNAME = 5, SOA = 6, PTR = 12, MX = 15, TXT = 16, AAAA = 28,
                   SRV = 33, DS = 43, ANY = 255;

}  // namespace r53::resolver::test
