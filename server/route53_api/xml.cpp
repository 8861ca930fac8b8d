#include "server/route53_api/xml.hpp"

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <cstdio>
#include <ctime>
#include <map>
#include <random>
#include <set>
#include <sstream>

namespace r53::server::route53 {
namespace {

namespace pt = boost::property_tree;

// Wrapper element -> member element, for every list in the operations served (botocore model).
const std::map<std::string, std::string, std::less<>>& list_members() {
    static const std::map<std::string, std::string, std::less<>> members = {
        {"Regions", "Region"},
        {"ChildHealthChecks", "ChildHealthCheck"},
        {"ResourceRecords", "ResourceRecord"},
        {"NameServers", "NameServer"},
        {"HostedZones", "HostedZone"},
        {"ResourceRecordSets", "ResourceRecordSet"},
        {"HealthChecks", "HealthCheck"},
        {"HealthCheckObservations", "HealthCheckObservation"},
        {"Tags", "Tag"},
        {"AddTags", "Tag"},
        {"RemoveTagKeys", "Key"},
        {"ResourceIds", "ResourceId"},
        {"ResetElements", "ResettableElementName"},
        {"VPCs", "VPC"},
        {"RecordData", "RecordDataEntry"},
        {"KeySigningKeys", "KeySigningKey"},
        {"CheckerIpRanges", "IPAddressCidr"},
        {"ResourceTagSets", "ResourceTagSet"},
        {"Changes", "Change"},
        {"Dimensions", "Dimension"},
    };
    return members;
}

bool is_markup(const std::string& key) {
    return !key.empty() && key.front() == '<';
}

YAML::Node to_yaml(const std::string& name, const pt::ptree& element) {
    bool has_children = false;
    for (const auto& [key, child] : element)
        if (!is_markup(key)) has_children = true;
    if (list_members().count(name)) {
        YAML::Node seq(YAML::NodeType::Sequence);
        for (const auto& [key, child] : element)
            if (!is_markup(key)) seq.push_back(to_yaml(key, child));
        return seq;
    }
    if (!has_children) return YAML::Node(element.data());
    YAML::Node map(YAML::NodeType::Map);
    for (const auto& [key, child] : element)
        if (!is_markup(key)) map[key] = to_yaml(key, child);
    return map;
}

void escape_into(std::string& out, std::string_view text) {
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            default:
                out += c;
        }
    }
}

void render_value(std::string& out, std::string_view name, const boost::json::value& v);

void render_children(std::string& out, const boost::json::object& o) {
    for (const auto& [key, value] : o) render_value(out, key, value);
}

void render_value(std::string& out, std::string_view name, const boost::json::value& v) {
    if (v.is_null()) return;
    out += '<';
    out += name;
    out += '>';
    if (v.is_object()) {
        render_children(out, v.as_object());
    } else if (v.is_array()) {
        auto it = list_members().find(name);
        std::string member = it == list_members().end() ? std::string("member") : it->second;
        for (const auto& item : v.as_array()) render_value(out, member, item);
    } else if (v.is_string()) {
        escape_into(out, v.as_string());
    } else if (v.is_bool()) {
        out += v.as_bool() ? "true" : "false";
    } else {
        out += boost::json::serialize(v);
    }
    out += "</";
    out += name;
    out += '>';
}

std::mt19937_64& rng() {
    thread_local std::mt19937_64 engine{std::random_device{}()};
    return engine;
}

HttpResponse base_reply(http::status status, unsigned version) {
    HttpResponse res{status, version};
    res.set("x-amz-request-id", random_uuid());
    res.set(http::field::content_type, "text/xml");
    return res;
}

}  // namespace

std::optional<YAML::Node> parse_xml_request(const std::string& body, std::string& root,
                                            std::string& error) {
    pt::ptree doc;
    try {
        std::istringstream in(body);
        pt::read_xml(in, doc, pt::xml_parser::no_comments);
    } catch (const pt::xml_parser_error& e) {
        error = e.message();
        return std::nullopt;
    }
    for (const auto& [key, child] : doc) {
        if (is_markup(key)) continue;
        root = key;
        YAML::Node map(YAML::NodeType::Map);
        for (const auto& [k, c] : child)
            if (!is_markup(k)) map[k] = to_yaml(k, c);
        return map;
    }
    error = "the request has no root element";
    return std::nullopt;
}

std::string render_xml(const std::string& root, const boost::json::object& body) {
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<" + root + " xmlns=\"" +
                      kXmlNamespace + "\">";
    render_children(out, body);
    out += "</" + root + ">";
    return out;
}

HttpResponse xml_reply(http::status status, const std::string& root,
                       const boost::json::object& body, unsigned version) {
    auto res = base_reply(status, version);
    res.body() = render_xml(root, body);
    res.prepare_payload();
    return res;
}

HttpResponse empty_reply(http::status status, const std::string& root, unsigned version) {
    return xml_reply(status, root, {}, version);
}

HttpResponse aws_error(http::status status, const std::string& code, const std::string& message,
                       unsigned version) {
    auto res = base_reply(status, version);
    std::string request_id(res["x-amz-request-id"]);
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse xmlns=\"" +
                      std::string(kXmlNamespace) + "\"><Error><Type>Sender</Type><Code>";
    escape_into(out, code);
    out += "</Code><Message>";
    escape_into(out, message);
    out += "</Message></Error><RequestId>" + request_id + "</RequestId></ErrorResponse>";
    res.body() = std::move(out);
    res.prepare_payload();
    return res;
}

std::string iso8601(std::chrono::system_clock::time_point t) {
    using namespace std::chrono;
    auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
    if (ms < 0) ms = 0;
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(ms % 1000));
    return buf;
}

std::string iso8601(double unix_seconds) {
    using namespace std::chrono;
    return iso8601(system_clock::time_point(
        duration_cast<system_clock::duration>(duration<double>(unix_seconds))));
}

double unix_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string random_id(char prefix, size_t length) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    std::uniform_int_distribution<size_t> pick(0, sizeof kAlphabet - 2);
    std::string id(1, prefix);
    for (size_t i = 0; i < length; ++i) id += kAlphabet[pick(rng())];
    return id;
}

std::string random_uuid() {
    std::uniform_int_distribution<uint64_t> any;
    uint64_t hi = any(rng()), lo = any(rng());
    hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
    lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // RFC 4122 variant
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                  static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                  static_cast<unsigned>(lo >> 48),
                  static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
    return buf;
}

}  // namespace r53::server::route53
