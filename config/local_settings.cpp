// The `local:` section and the `health_checks:` entries of the YAML config.
#include <algorithm>

#include "config/ip_prefix.hpp"
#include "config/loader_internal.hpp"
#include "config/suggest.hpp"
#include "config/yaml_util.hpp"

namespace r53::config {

bool valid_ip_address(const std::string& text) {
    return parse_ip_prefix(text, PrefixForm::AddressOnly).has_value();
}

namespace {

void bad(const ParseContext& ctx, const YAML::Node& node, const std::string& message) {
    ctx.error(node, kInvalidConfig, message);
}

bool valid_host_port(const std::string& s) {
    auto colon = s.rfind(':');
    if (colon == std::string::npos || colon + 1 == s.size()) return false;
    std::string port = s.substr(colon + 1);
    if (!std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        port.size() > 5 || std::stoi(port) > 65535)
        return false;
    std::string host = s.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    return valid_ip_address(host);
}

std::optional<int> port_number(const std::string& s) {
    if (s.empty() || s.size() > 5 ||
        !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    int p = std::stoi(s);
    if (p < 1 || p > 65535) return std::nullopt;
    return p;
}

// "HOST:PORT:ADDR[:LOCALPORT]", ADDR may be an IPv6 address in brackets.
std::optional<EndpointMapping> parse_endpoint_string(const std::string& s) {
    EndpointMapping e;
    auto c1 = s.find(':');
    if (c1 == std::string::npos) return std::nullopt;
    auto c2 = s.find(':', c1 + 1);
    if (c2 == std::string::npos) return std::nullopt;
    e.host = s.substr(0, c1);
    auto port = s.substr(c1 + 1, c2 - c1 - 1);
    if (port == "*")
        e.port = 0;
    else if (auto p = port_number(port))
        e.port = *p;
    else
        return std::nullopt;
    std::string rest = s.substr(c2 + 1);
    std::string local_port;
    if (!rest.empty() && rest.front() == '[') {
        auto close = rest.find(']');
        if (close == std::string::npos) return std::nullopt;
        e.address = rest.substr(1, close - 1);
        if (close + 1 < rest.size()) {
            if (rest[close + 1] != ':') return std::nullopt;
            local_port = rest.substr(close + 2);
        }
    } else if (std::count(rest.begin(), rest.end(), ':') <= 1) {
        auto c3 = rest.find(':');
        e.address = rest.substr(0, c3);
        if (c3 != std::string::npos) local_port = rest.substr(c3 + 1);
    } else {
        e.address = rest;  // bare IPv6, no local port
    }
    if (!local_port.empty()) {
        auto lp = port_number(local_port);
        if (!lp) return std::nullopt;
        e.local_port = *lp;
    }
    if (e.host.empty() || !valid_ip_address(e.address)) return std::nullopt;
    return e;
}

std::string lower_host(std::string h) {
    std::transform(h.begin(), h.end(), h.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!h.empty() && h.back() == '.') h.pop_back();
    return h;
}

void parse_endpoints(const YAML::Node& list, const ParseContext& ctx, LocalSettings& local) {
    if (!list.IsSequence()) return bad(ctx, list, "local.endpoints must be a list");
    for (size_t i = 0; i < list.size(); ++i) {
        const YAML::Node& item = list[i];
        std::string path = "local.endpoints[" + std::to_string(i) + "]";
        if (item.IsScalar()) {
            auto e = parse_endpoint_string(item.Scalar());
            if (!e) {
                bad(ctx, item,
                    "invalid endpoint '" + item.Scalar() + "' in " + path +
                        " (expected HOST:PORT:ADDR[:LOCALPORT], e.g. "
                        "app.example.com:443:127.0.0.1:8443)");
                continue;
            }
            e->host = lower_host(e->host);
            e->where = ctx.at(item);
            local.endpoints.push_back(*e);
            continue;
        }
        MapReader m(item, ctx, path, {"host", "port", "address", "local_port"}, FieldStyle::Local);
        EndpointMapping e;
        e.where = ctx.at(item);
        auto host = m.string("host", true);
        auto port = m.integer("port");
        auto address = m.string("address", true);
        auto local_port = m.integer("local_port");
        if (!m.ok()) continue;
        e.host = lower_host(*host);
        e.address = *address;
        if (!valid_ip_address(e.address))
            bad(ctx, m.node("address"), "invalid IP address '" + e.address + "' in " + path);
        for (auto [key, value] : {std::pair{"port", port}, std::pair{"local_port", local_port}})
            if (value && (*value < 0 || *value > 65535))
                bad(ctx, m.node(key), std::string(key) + " must be 0-65535 in " + path);
        e.port = static_cast<int>(port.value_or(0));
        e.local_port = static_cast<int>(local_port.value_or(0));
        local.endpoints.push_back(e);
    }
}

void parse_alias_targets(const YAML::Node& list, const ParseContext& ctx, LocalSettings& local) {
    if (!list.IsSequence()) return bad(ctx, list, "local.alias_targets must be a list");
    for (size_t i = 0; i < list.size(); ++i) {
        std::string path = "local.alias_targets[" + std::to_string(i) + "]";
        MapReader m(list[i], ctx, path, {"DNSName", "A", "AAAA", "TTL", "HealthCheckId", "healthy"},
                    FieldStyle::Local);
        AwsAliasTarget t;
        t.where = ctx.at(list[i]);
        auto name = m.string("DNSName", true);
        auto a = m.string_list("A");
        auto aaaa = m.string_list("AAAA");
        auto ttl = m.integer("TTL");
        t.health_check_id = m.string("HealthCheckId");
        auto healthy = m.boolean("healthy");
        if (!m.ok()) continue;
        t.dns_name = normalize_dns_name(*name);
        t.a = a.value_or(std::vector<std::string>{});
        t.aaaa = aaaa.value_or(std::vector<std::string>{});
        auto of_family = [](const std::string& ip, uint8_t family) {
            auto p = parse_ip_prefix(ip, PrefixForm::AddressOnly);
            return p && p->family == family;
        };
        for (const auto& ip : t.a) {
            if (!of_family(ip, 4))
                bad(ctx, m.node("A"), "invalid IPv4 address '" + ip + "' in " + path + ".A");
        }
        for (const auto& ip : t.aaaa) {
            if (!of_family(ip, 6))
                bad(ctx, m.node("AAAA"), "invalid IPv6 address '" + ip + "' in " + path + ".AAAA");
        }
        if (t.a.empty() && t.aaaa.empty())
            bad(ctx, list[i], path + " needs at least one address in A or AAAA");
        if (ttl) {
            if (*ttl < 0 || *ttl > 2147483647) bad(ctx, m.node("TTL"), path + ".TTL out of range");
            t.ttl = *ttl;
        }
        if (healthy && t.health_check_id)
            bad(ctx, m.node("healthy"), path + " gives both HealthCheckId and healthy; use one");
        t.healthy = healthy.value_or(true);
        for (const auto& other : local.alias_targets)
            if (other.dns_name == t.dns_name)
                bad(ctx, list[i],
                    "alias target " + t.dns_name + " is declared twice (first at line " +
                        std::to_string(other.where.line) + ")");
        local.alias_targets.push_back(t);
    }
}

void parse_cidr_collections(const YAML::Node& list, const ParseContext& ctx, LocalSettings& local) {
    if (!list.IsSequence()) return bad(ctx, list, "local.cidr_collections must be a list");
    for (size_t i = 0; i < list.size(); ++i) {
        std::string path = "local.cidr_collections[" + std::to_string(i) + "]";
        MapReader m(list[i], ctx, path, {"Id", "Name", "Locations"}, FieldStyle::Local);
        CidrCollection c;
        auto id = m.string("Id", true);
        auto name = m.string("Name", true);
        YAML::Node locations = m.node("Locations");
        if (!m.ok()) continue;
        c.id = *id;
        c.name = *name;
        if (locations.IsDefined() && !locations.IsMap()) {
            bad(ctx, locations, path + ".Locations must map location names to CIDR lists");
            continue;
        }
        if (locations.IsDefined())
            for (const auto& kv : locations) {
                std::vector<std::string> blocks;
                if (!kv.second.IsSequence()) {
                    bad(ctx, kv.second,
                        path + ".Locations." + kv.first.Scalar() + " must be a list");
                    continue;
                }
                for (const auto& b : kv.second) {
                    std::string why;
                    auto block = b.IsScalar()
                                     ? parse_ip_prefix(b.Scalar(), PrefixForm::PrefixOnly, &why)
                                     : std::nullopt;
                    if (!block) {
                        bad(ctx, b,
                            "invalid CIDR block in " + path + ": " +
                                (why.empty() ? "'" + scalar_text(b) + "' is not a CIDR" : why));
                    } else if (block->length < 1 ||
                               block->length > (block->family == 4 ? 24 : 48)) {
                        // §2.3 IP-based: Route 53 takes IPv4 /1-/24 and IPv6 /1-/48 blocks.
                        bad(ctx, b,
                            "invalid CIDR block in " + path + ": '" + b.Scalar() +
                                "' is outside the prefix lengths Route 53 accepts (IPv4 /1-/24, "
                                "IPv6 /1-/48)");
                    } else {
                        blocks.push_back(b.Scalar());
                    }
                }
                c.locations[kv.first.Scalar()] = blocks;
            }
        local.cidr_collections.push_back(c);
    }
}

// local.dns.tcp: every limit positive, the short idle timeout no longer than the idle one.
void parse_dns_settings(const YAML::Node& node, const ParseContext& ctx, LocalSettings& local) {
    MapReader d(node, ctx, "local.dns", {"tcp"}, FieldStyle::Local);
    if (!d.is_map() || !d.has("tcp")) return;
    MapReader t(d.node("tcp"), ctx, "local.dns.tcp",
                {"max_connections", "idle_timeout", "busy_idle_timeout", "io_timeout", "workers"},
                FieldStyle::Local);
    TcpSettings& tcp = local.dns.tcp;
    if (auto n = t.integer("max_connections")) {
        if (*n < 1 || *n > 65535)
            bad(ctx, t.node("max_connections"), "local.dns.tcp.max_connections must be 1-65535");
        else
            tcp.max_connections = static_cast<int>(*n);
    }
    const std::pair<const char*, Seconds*> timeouts[] = {
        {"idle_timeout", &tcp.idle_timeout},
        {"busy_idle_timeout", &tcp.busy_idle_timeout},
        {"io_timeout", &tcp.io_timeout}};
    for (auto [key, target] : timeouts)
        if (auto v = t.duration(key)) {
            if (v->count() < 0.001 || v->count() > 3600)
                bad(ctx, t.node(key),
                    std::string("local.dns.tcp.") + key + " must be between 1ms and 1h");
            else
                *target = *v;
        }
    if (tcp.busy_idle_timeout > tcp.idle_timeout)
        bad(ctx, t.has("busy_idle_timeout") ? t.node("busy_idle_timeout") : t.node("idle_timeout"),
            "local.dns.tcp.busy_idle_timeout must not be longer than idle_timeout");
    if (auto w = t.integer("workers")) {
        if (*w < 0 || *w > 256)
            bad(ctx, t.node("workers"), "local.dns.tcp.workers must be 0-256 (0 = every worker)");
        else
            tcp.workers = static_cast<int>(*w);
    }
}

void parse_client_locations(const YAML::Node& list, const ParseContext& ctx, LocalSettings& local) {
    if (!list.IsSequence()) return bad(ctx, list, "local.client_locations must be a list");
    for (size_t i = 0; i < list.size(); ++i) {
        std::string path = "local.client_locations[" + std::to_string(i) + "]";
        MapReader m(list[i], ctx, path,
                    {"cidr", "continent", "country", "subdivision", "region", "coordinates"},
                    FieldStyle::Local);
        ClientPrefix p;
        auto cidr = m.string("cidr", true);
        p.continent_code = m.string("continent");
        p.country_code = m.string("country");
        p.subdivision_code = m.string("subdivision");
        p.region = m.string("region");
        if (m.has("coordinates")) {
            MapReader c(m.node("coordinates"), ctx, path + ".coordinates",
                        {"latitude", "longitude"}, FieldStyle::Local);
            auto lat = c.number("latitude", true);
            auto lon = c.number("longitude", true);
            if (c.ok()) {
                if (std::abs(*lat) > 90 || std::abs(*lon) > 180)
                    bad(ctx, m.node("coordinates"), path + ".coordinates out of range");
                p.coordinates = Coordinates{*lat, *lon};
            }
        }
        if (!m.ok()) continue;
        p.cidr = *cidr;
        if (std::string why; !parse_ip_prefix(p.cidr, PrefixForm::PrefixOnly, &why))
            bad(ctx, m.node("cidr"), "invalid CIDR in " + path + ": " + why);
        local.client_locations.push_back(p);
    }
}

// local.latency: [{client: CIDR | default, regions: [best, next, ...]}]. The client is matched
// by longest prefix (resolver/latency_table.hpp); every error names the entry's path and line.
void parse_latency(const YAML::Node& list, const ParseContext& ctx, LocalSettings& local) {
    if (!list.IsSequence())
        return bad(ctx, list,
                   "local.latency must be a list of {client: CIDR or default, regions: [...]}");
    for (size_t i = 0; i < list.size(); ++i) {
        std::string path = "local.latency[" + std::to_string(i) + "]";
        MapReader m(list[i], ctx, path, {"client", "regions"}, FieldStyle::Local);
        auto client = m.string("client", true);
        auto regions = m.string_list("regions", true);
        if (!m.ok()) continue;
        LatencyPreference p;
        p.where = ctx.at(list[i]);
        std::optional<IpPrefix> block;
        if (*client != "default") {
            std::string why;
            block = parse_ip_prefix(*client, PrefixForm::AddressOrPrefix, &why);
            if (!block) {
                // Not an address at all: say what is expected, or which word was meant.
                std::string hint = did_you_mean(*client, {"default"});
                if (hint.empty() && why.ends_with("is not an IP address"))
                    hint = " (expected ADDRESS/LENGTH, an address, or default)";
                bad(ctx, m.node("client"), "invalid CIDR in " + path + ".client: " + why + hint);
                continue;
            }
            p.client = block->to_string();
        }
        for (const auto& other : local.latency) {
            bool same = other.client ? block && parse_ip_prefix(*other.client) == block : !block;
            if (same)
                bad(ctx, m.node("client"),
                    (p.client ? "client " + *p.client : std::string("the default")) +
                        " is listed twice in local.latency (first at line " +
                        std::to_string(other.where.line) + ")");
        }
        if (regions->empty())
            bad(ctx, m.node("regions"), path + ".regions needs at least one latency region");
        const auto& known = latency_region_names();
        const YAML::Node listed = m.node("regions");
        for (size_t j = 0; j < regions->size(); ++j) {
            const std::string& region = (*regions)[j];
            const YAML::Node at = listed.IsSequence() ? listed[j] : listed;
            if (std::find(known.begin(), known.end(), region) == known.end())
                bad(ctx, at,
                    "unknown latency region '" + region + "' in " + path + ".regions" +
                        did_you_mean(region, known));
            else if (std::find(regions->begin(), regions->begin() + j, region) !=
                     regions->begin() + j)
                bad(ctx, at, "region " + region + " is listed twice in " + path + ".regions");
        }
        // Kept even when a region is wrong (the load fails anyway), so later duplicates of this
        // client are still reported.
        p.regions = *regions;
        local.latency.push_back(std::move(p));
    }
}

}  // namespace

void parse_local_settings(const YAML::Node& node, const ParseContext& ctx, LocalSettings& local) {
    MapReader m(
        node, ctx, "local",
        {"listen", "dns", "endpoints", "alias_targets", "cidr_collections", "client_locations",
         "default_client", "latency", "clock", "fleet", "workers", "routing_seed"},
        FieldStyle::Local);
    if (!m.is_map()) return;
    if (m.has("listen")) {
        MapReader l(m.node("listen"), ctx, "local.listen", {"dns", "admin"}, FieldStyle::Local);
        struct Field {
            const char* key;
            std::string* address;
            bool* given;
        };
        for (auto [key, address, given] :
             {Field{"dns", &local.listen.dns, &local.listen.dns_given},
              Field{"admin", &local.listen.admin, &local.listen.admin_given}})
            if (auto v = l.string(key)) {
                if (!valid_host_port(*v))
                    bad(ctx, l.node(key),
                        "invalid address '" + *v + "' for local.listen." + key +
                            " (expected IP:PORT, e.g. 127.0.0.1:1053)");
                *address = *v;
                *given = true;
            }
    }
    if (m.has("dns")) parse_dns_settings(m.node("dns"), ctx, local);
    if (m.has("endpoints")) parse_endpoints(m.node("endpoints"), ctx, local);
    if (m.has("alias_targets")) parse_alias_targets(m.node("alias_targets"), ctx, local);
    if (m.has("cidr_collections")) parse_cidr_collections(m.node("cidr_collections"), ctx, local);
    if (m.has("client_locations")) parse_client_locations(m.node("client_locations"), ctx, local);
    if (m.has("latency")) parse_latency(m.node("latency"), ctx, local);
    if (auto dc = m.string("default_client")) {
        if (!valid_ip_address(*dc))
            bad(ctx, m.node("default_client"),
                "invalid IP address '" + *dc + "' for local.default_client");
        local.default_client_address = *dc;
    }
    if (m.has("clock")) {
        MapReader c(m.node("clock"), ctx, "local.clock", {"scale", "manual"}, FieldStyle::Local);
        auto scale = c.number("scale");
        auto manual = c.boolean("manual");
        if (scale && manual.value_or(false))
            bad(ctx, m.node("clock"), "local.clock takes either scale or manual, not both");
        if (scale) {
            if (*scale <= 0) bad(ctx, c.node("scale"), "local.clock.scale must be greater than 0");
            local.clock.mode = ClockMode::Scaled;
            local.clock.scale = *scale;
        }
        if (manual.value_or(false)) local.clock.mode = ClockMode::Manual;
    }
    if (m.has("fleet")) {
        MapReader f(m.node("fleet"), ctx, "local.fleet",
                    {"checkers_per_region", "single_checker", "seed"}, FieldStyle::Local);
        if (auto n = f.integer("checkers_per_region")) {
            if (*n < 1 || *n > 64)
                bad(ctx, f.node("checkers_per_region"),
                    "local.fleet.checkers_per_region must be 1-64");
            local.fleet.checkers_per_region = static_cast<int>(*n);
        }
        if (auto s = f.boolean("single_checker")) local.fleet.single_checker = *s;
        if (auto s = f.integer("seed")) local.fleet.seed = static_cast<uint64_t>(*s);
    }
    if (auto w = m.integer("workers")) {
        if (*w < 0 || *w > 256)
            bad(ctx, m.node("workers"), "local.workers must be 0-256 (0 = one per core)");
        local.workers = static_cast<int>(*w);
    }
    if (local.workers > 0 && local.dns.tcp.workers > local.workers)
        bad(ctx, m.node("dns")["tcp"]["workers"],
            "local.dns.tcp.workers (" + std::to_string(local.dns.tcp.workers) +
                ") must not exceed local.workers (" + std::to_string(local.workers) + ")");
    if (auto s = m.integer("routing_seed")) local.routing_seed = static_cast<uint64_t>(*s);
}

std::optional<HealthCheck> parse_health_check_entry(const std::string& id, const YAML::Node& node,
                                                    const ParseContext& ctx) {
    std::string path = "health_checks." + id;
    // The first mistake people make: the check's fields written straight under its id. One
    // error saying where they go, rather than one per field and a missing HealthCheckConfig.
    if (node.IsMap() && !node["HealthCheckConfig"].IsDefined()) {
        std::string misplaced;
        size_t count = 0;
        for (const auto& kv : node) {
            const auto& fields = health_check_config_fields();
            if (std::find(fields.begin(), fields.end(), kv.first.Scalar()) == fields.end())
                continue;
            misplaced += (count++ ? ", " : "") + kv.first.Scalar();
        }
        if (count) {
            bad(ctx, node,
                path + ": " + misplaced +
                    (count == 1 ? " is a HealthCheckConfig field"
                                : " are HealthCheckConfig fields") +
                    "; indent " + (count == 1 ? "it" : "them") + " under 'HealthCheckConfig:'");
            return std::nullopt;
        }
    }
    MapReader m(node, ctx, path, {"CallerReference", "HealthCheckConfig", "local"},
                FieldStyle::Local);
    if (!m.is_map()) return std::nullopt;
    HealthCheck h;
    h.id = id;
    h.where = ctx.at(node);
    h.caller_reference = m.string("CallerReference");
    if (h.caller_reference && (h.caller_reference->empty() || h.caller_reference->size() > 64))
        ctx.error(m.node("CallerReference"), kInvalidInput,
                  constraint_message(*h.caller_reference, "callerReference",
                                     "Member must have length between 1 and 64"));
    if (id.size() > 64)
        bad(ctx, node,
            "health check id '" + id +
                "' is longer than 64 characters (HealthCheckId "
                "allows 64)");
    if (m.has("local")) {
        MapReader l(m.node("local"), ctx, path + ".local",
                    {"interval", "connect_timeout", "response_timeout", "body_timeout",
                     "verify_certificate", "ca_file", "state"},
                    FieldStyle::Local);
        h.local.interval = l.duration("interval");
        h.local.connect_timeout = l.duration("connect_timeout");
        h.local.response_timeout = l.duration("response_timeout");
        h.local.body_timeout = l.duration("body_timeout");
        h.local.verify_certificate = l.boolean("verify_certificate").value_or(false);
        h.local.ca_file = l.string("ca_file");
        h.local.initial_state = l.string("state");
        if (h.local.interval && h.local.interval->count() <= 0)
            bad(ctx, l.node("interval"), path + ".local.interval must be greater than 0");
    }
    if (!m.has("HealthCheckConfig")) {
        m.missing("HealthCheckConfig");
        return std::nullopt;
    }
    auto config = parse_health_check_config(m.node("HealthCheckConfig"), ctx, &h.local);
    if (!config || !m.ok()) return std::nullopt;
    h.config = *config;
    if (h.local.initial_state) {
        const std::string& s = *h.local.initial_state;
        bool ok = (h.config.type == HealthCheckType::CLOUDWATCH_METRIC &&
                   (s == "OK" || s == "ALARM" || s == "INSUFFICIENT_DATA")) ||
                  (h.config.type == HealthCheckType::RECOVERY_CONTROL && (s == "ON" || s == "OFF"));
        if (!ok)
            bad(ctx, m.node("local")["state"],
                "invalid " + path + ".local.state '" + s +
                    "': only CLOUDWATCH_METRIC (OK, ALARM, INSUFFICIENT_DATA) and RECOVERY_CONTROL "
                    "(ON, OFF) checks take a local state");
    }
    return h;
}

void check_references(const Config& config, const ParseContext& ctx,
                      const std::set<std::string>& unparsed_health_checks) {
    auto report = [&](const SourceLocation& where, const char* code, std::string message) {
        if (ctx.diagnostics)
            ctx.diagnostics->push_back({where, code, std::move(message), Severity::Error});
    };
    for (const auto& h : config.health_checks) {
        for (const auto& child : h.config.child_health_checks) {
            auto idx = config.health_index(child);
            if (!idx && unparsed_health_checks.count(child)) continue;  // its own error stands
            if (!idx)
                report(h.where, "NoSuchHealthCheck",
                       "No health check exists with the specified ID " + child +
                           " (ChildHealthChecks of " + h.id + ")");
            else if (config.health_checks[*idx].config.type == HealthCheckType::CALCULATED)
                report(h.where, kInvalidInput,
                       "Invalid parameter: ChildHealthChecks of " + h.id + " includes " + child +
                           ", a CALCULATED health check; children of a CALCULATED health check "
                           "cannot be CALCULATED");
        }
    }
    for (const auto& t : config.local.alias_targets)
        if (t.health_check_id && !config.health_index(*t.health_check_id) &&
            !unparsed_health_checks.count(*t.health_check_id))
            report(t.where, "NoSuchHealthCheck",
                   "No health check exists with the specified ID " + *t.health_check_id +
                       " (HealthCheckId of alias target " + t.dns_name + ")");
}

}  // namespace r53::config
