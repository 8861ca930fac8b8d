#include "server/route53_api/xml.hpp"

#include <boost/uuid/random_generator.hpp>
#include <boost/uuid/uuid_io.hpp>
#include <cstdio>
#include <ctime>
#include <map>

namespace r53::server::route53 {
namespace {

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
                // XML 1.0 allows no control characters but TAB, LF and CR, not even as
                // references: a reply carrying one would not parse, so it reads U+FFFD.
                if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r')
                    out += "\xEF\xBF\xBD";
                else
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

// One generator per thread (boost::uuids::random_generator seeds itself from the OS and is not
// thread-safe).
boost::uuids::random_generator& uuid_generator() {
    thread_local boost::uuids::random_generator generator;
    return generator;
}

HttpResponse base_reply(http::status status, unsigned version) {
    HttpResponse res{status, version};
    res.set("x-amz-request-id", random_uuid());
    res.set(http::field::content_type, "text/xml");
    return res;
}

}  // namespace

bool is_xml_list(std::string_view element) {
    return list_members().find(element) != list_members().end();
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
                      std::string(kXmlNamespace) + "\"><Error><Type>" +
                      // AWS blames the caller for 4xx and itself for 5xx.
                      (static_cast<unsigned>(status) >= 500 ? "Receiver" : "Sender") +
                      "</Type><Code>";
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
    std::string id(1, prefix);
    // 16 random bytes per uuid; each byte picks a letter (256 % 36 leaves a bias of under 1 %
    // that no caller can observe: ids only need to be unique).
    while (id.size() < length + 1) {
        auto u = uuid_generator()();
        for (auto byte : u) {
            if (id.size() == length + 1) break;
            id += kAlphabet[byte % (sizeof kAlphabet - 1)];
        }
    }
    return id;
}

std::string random_uuid() {
    return boost::uuids::to_string(uuid_generator()());
}

}  // namespace r53::server::route53
