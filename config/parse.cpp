#include "config/parse.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "config/character_string.hpp"
#include "config/suggest.hpp"
#include "config/yaml_util.hpp"

namespace r53::config {

namespace {

constexpr std::array kRecordTypes = {"SOA",   "A",    "TXT",   "NS",   "CNAME", "MX",
                                     "NAPTR", "PTR",  "SRV",   "SPF",  "AAAA",  "CAA",
                                     "DS",    "TLSA", "SSHFP", "SVCB", "HTTPS"};

constexpr std::array kLatencyRegions = {
    "us-east-1",      "us-east-2",      "us-west-1",      "us-west-2",      "ca-central-1",
    "ca-west-1",      "eu-west-1",      "eu-west-2",      "eu-west-3",      "eu-central-1",
    "eu-central-2",   "eu-north-1",     "eu-south-1",     "eu-south-2",     "ap-southeast-1",
    "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-7",
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-east-1",      "ap-south-1",
    "ap-south-2",     "me-south-1",     "me-central-1",   "il-central-1",   "sa-east-1",
    "af-south-1",     "cn-north-1",     "cn-northwest-1", "us-gov-east-1",  "us-gov-west-1",
    "mx-central-1",   "ap-east-2",      "ap-southeast-6", "eusc-de-east-1"};

}  // namespace

const std::vector<std::string>& latency_region_names() {
    static const std::vector<std::string> names(kLatencyRegions.begin(), kLatencyRegions.end());
    return names;
}

namespace {

template <size_t N>
bool one_of(const std::array<const char*, N>& values, const std::string& v) {
    return std::any_of(values.begin(), values.end(), [&](const char* s) { return v == s; });
}

template <size_t N>
std::string enum_list(const std::array<const char*, N>& values) {
    std::string out = "[";
    for (size_t i = 0; i < N; ++i) out += (i ? ", " : "") + std::string(values[i]);
    return out + "]";
}

// " (did you mean 'AAAA'?)" for a near miss of one of `values`, else "".
template <size_t N>
std::string enum_hint(const std::string& written, const std::array<const char*, N>& values) {
    return did_you_mean(written, std::vector<std::string>(values.begin(), values.end()));
}

std::optional<GeoLocation> parse_geo_location(const YAML::Node& node, const ParseContext& ctx,
                                              const std::string& path) {
    MapReader m(node, ctx, path, {"ContinentCode", "CountryCode", "SubdivisionCode"},
                FieldStyle::Aws);
    GeoLocation g;
    g.continent_code = m.string("ContinentCode");
    g.country_code = m.string("CountryCode");
    g.subdivision_code = m.string("SubdivisionCode");
    if (!m.ok()) return std::nullopt;
    return g;
}

std::optional<AliasTarget> parse_alias_target(const YAML::Node& node, const ParseContext& ctx,
                                              const std::string& path) {
    MapReader m(node, ctx, path, {"HostedZoneId", "DNSName", "EvaluateTargetHealth"},
                FieldStyle::Aws);
    AliasTarget a;
    auto zone = m.string("HostedZoneId", true);
    auto name = m.string("DNSName", true);
    auto eth = m.boolean("EvaluateTargetHealth", true);
    if (!m.ok()) return std::nullopt;
    a.hosted_zone_id = *zone;
    if (a.hosted_zone_id.rfind("/hostedzone/", 0) == 0) a.hosted_zone_id.erase(0, 12);
    a.dns_name = normalize_dns_name(*name);
    a.evaluate_target_health = *eth;
    return a;
}

std::optional<GeoProximityLocation> parse_geo_proximity(const YAML::Node& node,
                                                        const ParseContext& ctx,
                                                        const std::string& path) {
    MapReader m(node, ctx, path, {"AWSRegion", "LocalZoneGroup", "Coordinates", "Bias"},
                FieldStyle::Aws);
    GeoProximityLocation g;
    g.aws_region = m.string("AWSRegion");
    g.local_zone_group = m.string("LocalZoneGroup");
    if (auto b = m.integer("Bias")) g.bias = static_cast<int>(*b);
    if (m.has("Coordinates")) {
        MapReader c(m.node("Coordinates"), ctx, path + ".Coordinates", {"Latitude", "Longitude"},
                    FieldStyle::Aws);
        auto lat = c.number("Latitude", true);
        auto lon = c.number("Longitude", true);
        if (!c.ok()) return std::nullopt;
        g.coordinates = Coordinates{*lat, *lon};
    }
    if (!m.ok()) return std::nullopt;
    return g;
}

std::optional<CidrRoutingConfig> parse_cidr_routing(const YAML::Node& node, const ParseContext& ctx,
                                                    const std::string& path) {
    MapReader m(node, ctx, path, {"CollectionId", "LocationName"}, FieldStyle::Aws);
    auto id = m.string("CollectionId", true);
    auto loc = m.string("LocationName", true);
    if (!m.ok()) return std::nullopt;
    return CidrRoutingConfig{*id, *loc};
}

// Splits `a,b=[c,d],e=f` at top-level commas.
std::vector<std::string> split_top_level(std::string_view text, char sep) {
    std::vector<std::string> out;
    std::string cur;
    int depth = 0;
    char quote = 0;
    for (char c : text) {
        if (quote) {
            if (c == quote) quote = 0;
            cur += c;
            continue;
        }
        if (c == '"' || c == '\'') quote = c;
        if (c == '[' || c == '{') ++depth;
        if (c == ']' || c == '}') --depth;
        if (c == sep && depth == 0) {
            out.push_back(cur);
            cur.clear();
            continue;
        }
        cur += c;
    }
    out.push_back(cur);
    return out;
}

std::string unquote(std::string s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(0, 1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front())
        s = s.substr(1, s.size() - 2);
    return s;
}

std::optional<YAML::Node> shorthand_value(const std::string& raw, const ParseContext& ctx) {
    std::string v = unquote(raw);
    if (raw.find('[') != std::string::npos && !v.empty() && v.front() == '[') {
        if (v.back() != ']') return std::nullopt;
        YAML::Node list(YAML::NodeType::Sequence);
        std::string inner = v.substr(1, v.size() - 2);
        if (!inner.empty())
            for (auto& item : split_top_level(inner, ',')) {
                auto sub = shorthand_value(item, ctx);
                if (!sub) return std::nullopt;
                list.push_back(*sub);
            }
        return list;
    }
    if (!v.empty() && v.front() == '{') {
        if (v.back() != '}') return std::nullopt;
        return parse_cli_shorthand(std::string_view(v).substr(1, v.size() - 2), ctx);
    }
    return YAML::Node(v);
}

}  // namespace

std::string normalize_dns_name(std::string_view name) {
    std::string out(name);
    // Route 53 returns '*' as \052; accept either form.
    if (out.rfind("\\052", 0) == 0) out.replace(0, 4, "*");
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (out.empty() || out.back() != '.') out += '.';
    return out;
}

std::optional<Seconds> parse_duration(std::string_view text) {
    std::string_view number = text;
    double scale = 1.0;
    if (text.size() > 2 && text.substr(text.size() - 2) == "ms") {
        number = text.substr(0, text.size() - 2);
        scale = 0.001;
    } else if (text.size() > 1 && text.back() == 's') {
        number = text.substr(0, text.size() - 1);
    }
    double v = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), v);
    if (ec != std::errc{} || end != number.data() + number.size() || number.empty() || v < 0)
        return std::nullopt;
    return Seconds(v * scale);
}

std::optional<YAML::Node> parse_cli_shorthand(std::string_view text, const ParseContext& ctx) {
    YAML::Node map(YAML::NodeType::Map);
    std::string last_key;
    for (const std::string& part : split_top_level(text, ',')) {
        auto eq = part.find('=');
        auto bracket = part.find_first_of("[{\"'");
        if (eq == std::string::npos || (bracket != std::string::npos && bracket < eq)) {
            // `Key=a,b`: a bare value after a comma continues the previous key's list.
            if (last_key.empty()) {
                ctx.error(YAML::Node(), kParamValidation,
                          "Error parsing parameter: Expected: '=', received: '" + part + "'");
                return std::nullopt;
            }
            YAML::Node prev = map[last_key];
            if (!prev.IsSequence()) {
                YAML::Node list(YAML::NodeType::Sequence);
                list.push_back(YAML::Clone(prev));
                map[last_key] = list;
            }
            map[last_key].push_back(YAML::Node(unquote(part)));
            continue;
        }
        std::string key = unquote(part.substr(0, eq));
        auto value = shorthand_value(part.substr(eq + 1), ctx);
        if (!value) {
            ctx.error(YAML::Node(), kParamValidation,
                      "Error parsing parameter: Expected: ']', received: '" + part + "'");
            return std::nullopt;
        }
        map[key] = *value;
        last_key = key;
    }
    return map;
}

std::optional<ResourceRecordSet> parse_resource_record_set(const YAML::Node& node,
                                                           const ParseContext& ctx,
                                                           const std::string& path) {
    MapReader m(node, ctx, path,
                {"Name", "Type", "SetIdentifier", "Weight", "Region", "GeoLocation", "Failover",
                 "MultiValueAnswer", "TTL", "ResourceRecords", "AliasTarget", "HealthCheckId",
                 "TrafficPolicyInstanceId", "CidrRoutingConfig", "GeoProximityLocation"},
                FieldStyle::Aws);
    if (!m.is_map()) return std::nullopt;
    ResourceRecordSet r;
    r.where = ctx.at(node);
    bool ok = true;
    auto name = m.string("Name", true);
    auto type = m.string("Type", true);
    if (name) r.name = normalize_dns_name(*name);
    if (type) {
        r.type = *type;
        if (!one_of(kRecordTypes, r.type)) {
            ok = false;
            ctx.error(m.node("Type"), kInvalidInput,
                      constraint_message(
                          r.type, server_path(m.field_path("Type")),
                          "Member must satisfy enum value set: " + enum_list(kRecordTypes)) +
                          enum_hint(r.type, kRecordTypes));
        }
    }
    r.set_identifier = m.string("SetIdentifier");
    if (auto w = m.integer("Weight")) {
        if (*w < 0) {
            ok = false;
            ctx.error(m.node("Weight"), kParamValidation,
                      "Invalid value for parameter " + m.field_path("Weight") +
                          ", value: " + std::to_string(*w) + ", valid min value: 0");
        } else if (*w > 255) {
            ok = false;
            ctx.error(m.node("Weight"), kInvalidInput,
                      constraint_message(std::to_string(*w), server_path(m.field_path("Weight")),
                                         "Member must have value less than or equal to 255"));
        }
        r.weight = static_cast<int>(std::clamp<int64_t>(*w, -1, 256));
    }
    if (auto region = m.string("Region")) {
        r.region = *region;
        if (!one_of(kLatencyRegions, *region)) {
            ok = false;
            ctx.error(m.node("Region"), kInvalidInput,
                      constraint_message(
                          *region, server_path(m.field_path("Region")),
                          "Member must satisfy enum value set: " + enum_list(kLatencyRegions)) +
                          enum_hint(*region, kLatencyRegions));
        }
    }
    if (m.has("GeoLocation")) {
        r.geo_location =
            parse_geo_location(m.node("GeoLocation"), ctx, m.field_path("GeoLocation"));
        ok = ok && r.geo_location.has_value();
    }
    if (auto f = m.string("Failover")) {
        if (*f == "PRIMARY") {
            r.failover = FailoverRole::Primary;
        } else if (*f == "SECONDARY") {
            r.failover = FailoverRole::Secondary;
        } else {
            ok = false;
            ctx.error(
                m.node("Failover"), kInvalidInput,
                constraint_message(*f, server_path(m.field_path("Failover")),
                                   "Member must satisfy enum value set: [PRIMARY, SECONDARY]"));
        }
    }
    r.multi_value_answer = m.boolean("MultiValueAnswer");
    if (auto ttl = m.integer("TTL")) {
        if (*ttl < 0) {
            ok = false;
            ctx.error(m.node("TTL"), kParamValidation,
                      "Invalid value for parameter " + m.field_path("TTL") +
                          ", value: " + std::to_string(*ttl) + ", valid min value: 0");
        } else if (*ttl > 2147483647) {
            ok = false;
            ctx.error(
                m.node("TTL"), kInvalidInput,
                constraint_message(std::to_string(*ttl), server_path(m.field_path("TTL")),
                                   "Member must have value less than or equal to 2147483647"));
        }
        r.ttl = *ttl;
    }
    if (m.has("ResourceRecords")) {
        YAML::Node rrs = m.node("ResourceRecords");
        if (!rrs.IsSequence()) {
            m.invalid_type(rrs, "ResourceRecords", "<class 'list'>, <class 'tuple'>");
        } else if (rrs.size() == 0) {
            ok = false;
            ctx.error(rrs, kParamValidation,
                      "Invalid length for parameter " + m.field_path("ResourceRecords") +
                          ", value: 0, valid min length: 1");
        } else {
            for (size_t i = 0; i < rrs.size(); ++i) {
                std::string item_path =
                    m.field_path("ResourceRecords") + "[" + std::to_string(i) + "]";
                MapReader v(rrs[i], ctx, item_path, {"Value"}, FieldStyle::Aws);
                auto value = v.string("Value", true);
                if (!v.ok()) {
                    ok = false;
                    continue;
                }
                if (value->size() > 4000) {
                    ok = false;
                    ctx.error(rrs[i], kInvalidInput,
                              constraint_message(
                                  value->substr(0, 32) + "...", server_path(item_path + ".Value"),
                                  "Member must have length less than or equal to 4000"));
                }
                // Stored (and listed by ListResourceRecordSets) in Route 53's canonical text:
                // "caf\303\251" whether the value came as escapes or as raw bytes.
                r.resource_records.push_back(canonical_value(r.type, *value));
            }
        }
    }
    if (m.has("AliasTarget")) {
        r.alias_target =
            parse_alias_target(m.node("AliasTarget"), ctx, m.field_path("AliasTarget"));
        ok = ok && r.alias_target.has_value();
    }
    r.health_check_id = m.string("HealthCheckId");
    if (m.has("TrafficPolicyInstanceId")) {
        ok = false;
        ctx.error(m.node("TrafficPolicyInstanceId"), kInvalidInput,
                  "TrafficPolicyInstanceId is not supported by r53sim: traffic policies are not "
                  "simulated");
    }
    if (m.has("CidrRoutingConfig")) {
        r.cidr_routing_config =
            parse_cidr_routing(m.node("CidrRoutingConfig"), ctx, m.field_path("CidrRoutingConfig"));
        ok = ok && r.cidr_routing_config.has_value();
    }
    if (m.has("GeoProximityLocation")) {
        r.geo_proximity_location = parse_geo_proximity(m.node("GeoProximityLocation"), ctx,
                                                       m.field_path("GeoProximityLocation"));
        ok = ok && r.geo_proximity_location.has_value();
    }
    if (!ok || !m.ok()) return std::nullopt;
    return r;
}

std::optional<ChangeBatch> parse_change_batch(const YAML::Node& node, const ParseContext& ctx) {
    if (node.IsMap() && node["ChangeBatch"].IsDefined()) {
        MapReader outer(node, ctx, "input", {"HostedZoneId", "ChangeBatch"}, FieldStyle::Aws);
        if (!outer.ok()) return std::nullopt;
        return parse_change_batch(node["ChangeBatch"], ctx);
    }
    MapReader m(node, ctx, "ChangeBatch", {"Changes", "Comment"}, FieldStyle::Aws);
    if (!m.is_map()) return std::nullopt;
    ChangeBatch batch;
    batch.where = ctx.at(node);
    bool ok = true;
    if (auto c = m.string("Comment")) batch.comment = *c;
    YAML::Node changes = m.node("Changes");
    if (!changes.IsDefined()) {
        m.missing("Changes");
        return std::nullopt;
    }
    if (!changes.IsSequence()) {
        m.invalid_type(changes, "Changes", "<class 'list'>, <class 'tuple'>");
        return std::nullopt;
    }
    if (changes.size() == 0) {
        ctx.error(
            changes, kParamValidation,
            "Invalid length for parameter ChangeBatch.Changes, value: 0, valid min length: 1");
        return std::nullopt;
    }
    for (size_t i = 0; i < changes.size(); ++i) {
        std::string path = "ChangeBatch.Changes[" + std::to_string(i) + "]";
        MapReader c(changes[i], ctx, path, {"Action", "ResourceRecordSet"}, FieldStyle::Aws);
        auto action = c.string("Action", true);
        Change change;
        if (action) {
            if (*action == "CREATE") {
                change.action = ChangeAction::Create;
            } else if (*action == "DELETE") {
                change.action = ChangeAction::Delete;
            } else if (*action == "UPSERT") {
                change.action = ChangeAction::Upsert;
            } else {
                ok = false;
                ctx.error(c.node("Action"), kInvalidInput,
                          constraint_message(*action, server_path(path + ".Action"),
                                             "Member must satisfy enum value set: [CREATE, DELETE, "
                                             "UPSERT]"));
            }
        }
        if (!c.has("ResourceRecordSet")) {
            if (c.is_map()) c.missing("ResourceRecordSet");
            ok = false;
            continue;
        }
        auto rrset = parse_resource_record_set(c.node("ResourceRecordSet"), ctx,
                                               path + ".ResourceRecordSet");
        if (!rrset || !c.ok()) {
            ok = false;
            continue;
        }
        change.record_set = std::move(*rrset);
        batch.changes.push_back(std::move(change));
    }
    if (!ok) return std::nullopt;
    return batch;
}

std::optional<ChangeBatch> parse_change_batch_text(std::string_view text, const ParseContext& ctx) {
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
        if (ctx.diagnostics)
            ctx.diagnostics->push_back(
                {{ctx.file, e.mark.line + 1 + ctx.line_offset},
                 "MalformedInput",
                 "Error parsing parameter 'change-batch': Invalid JSON: " + e.msg,
                 Severity::Error});
        return std::nullopt;
    }
    return parse_change_batch(root, ctx);
}

}  // namespace r53::config
