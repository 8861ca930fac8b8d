#include "server/dns/query_log_format.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cstdio>
#include <ctime>

namespace r53::server {
namespace {

std::string address_text(uint8_t family, const std::array<uint8_t, 16>& bytes) {
    char text[INET6_ADDRSTRLEN] = "-";
    if (family == 4)
        inet_ntop(AF_INET, bytes.data(), text, sizeof text);
    else if (family == 6)
        inet_ntop(AF_INET6, bytes.data(), text, sizeof text);
    return text;
}

void append_json_string(std::string& out, const std::string& value) {
    out += '"';
    for (char c : value) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
            out += escaped;
        } else {
            out += c;
        }
    }
    out += '"';
}

}  // namespace

std::string qtype_text(uint16_t qtype) {
    switch (qtype) {
        case 1:
            return "A";
        case 2:
            return "NS";
        case 5:
            return "CNAME";
        case 6:
            return "SOA";
        case 12:
            return "PTR";
        case 13:
            return "HINFO";
        case 15:
            return "MX";
        case 16:
            return "TXT";
        case 28:
            return "AAAA";
        case 33:
            return "SRV";
        case 35:
            return "NAPTR";
        case 39:
            return "DNAME";
        case 43:
            return "DS";
        case 46:
            return "RRSIG";
        case 48:
            return "DNSKEY";
        case 52:
            return "TLSA";
        case 64:
            return "SVCB";
        case 65:
            return "HTTPS";
        case 99:
            return "SPF";
        case 251:
            return "IXFR";
        case 252:
            return "AXFR";
        case 255:
            return "ANY";
        case 256:
            return "URI";
        case 257:
            return "CAA";
        default:
            return "TYPE" + std::to_string(qtype);
    }
}

std::string rcode_text(uint16_t rcode) {
    switch (rcode) {
        case 0:
            return "NOERROR";
        case 1:
            return "FORMERR";
        case 2:
            return "SERVFAIL";
        case 3:
            return "NXDOMAIN";
        case 4:
            return "NOTIMP";
        case 5:
            return "REFUSED";
        case 16:
            return "BADVERS";
        default:
            return "RCODE" + std::to_string(rcode);
    }
}

std::string query_name_text(const uint8_t* wire, size_t length) {
    std::string out;
    size_t at = 0;
    while (at < length) {
        const uint8_t label = wire[at++];
        if (label == 0 || at + label > length) break;
        if (!out.empty()) out += '.';
        for (size_t i = 0; i < label; ++i) {
            const uint8_t c = wire[at + i];
            const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                               (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (plain) {
                out += static_cast<char>(c);
            } else {
                char escaped[5];
                std::snprintf(escaped, sizeof escaped, "\\%03o", c);
                out += escaped;
            }
        }
        at += label;
    }
    return out.empty() ? "." : out;
}

std::string iso_timestamp(int64_t time_ns) {
    const int64_t ms_total = time_ns / 1'000'000;
    const std::time_t seconds = static_cast<std::time_t>(ms_total / 1000);
    const int ms = static_cast<int>(ms_total % 1000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[64];  // room for any int the format could print; the result is 24 characters
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                  utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, ms);
    return text;
}

QueryRecord to_record(const QueryLogEntry& e) {
    QueryRecord r;
    r.time_ns = e.time_ns;
    r.timestamp = iso_timestamp(e.time_ns);
    r.hosted_zone_id =
        e.zone_id_length ? std::string(e.zone_id.data(), e.zone_id_length) : std::string("-");
    r.query_name = e.qname_length ? query_name_text(e.qname.data(), e.qname_length) : "-";
    r.query_type = e.qname_length ? qtype_text(e.qtype) : "-";
    r.response_code = rcode_text(e.rcode);
    r.protocol = e.transport == 1 ? "TCP" : "UDP";
    r.edge_location = kQueryLogEdgeLocation;
    r.resolver_ip = address_text(e.resolver_family, e.resolver);
    r.edns_client_subnet = e.ecs_family ? address_text(e.ecs_family, e.ecs_address) + "/" +
                                              std::to_string(e.ecs_source_prefix)
                                        : std::string("-");
    return r;
}

std::string format_text(const QueryRecord& r) {
    std::string out = kQueryLogVersion;
    out.reserve(128);
    for (const std::string* field :
         {&r.timestamp, &r.hosted_zone_id, &r.query_name, &r.query_type, &r.response_code,
          &r.protocol, &r.edge_location, &r.resolver_ip, &r.edns_client_subnet}) {
        out += ' ';
        out += *field;
    }
    return out;
}

std::string format_json(const QueryRecord& r) {
    std::string out = "{\"version\":";
    append_json_string(out, kQueryLogVersion);
    const std::pair<const char*, const std::string*> fields[] = {
        {"query_timestamp", &r.timestamp},
        {"hosted_zone_id", &r.hosted_zone_id},
        {"query_name", &r.query_name},
        {"query_type", &r.query_type},
        {"response_code", &r.response_code},
        {"protocol", &r.protocol},
        {"edge_location", &r.edge_location},
        {"resolver_ip", &r.resolver_ip},
        {"edns_client_subnet", &r.edns_client_subnet}};
    for (const auto& [key, value] : fields) {
        out += ",\"";
        out += key;
        out += "\":";
        append_json_string(out, *value);
    }
    out += '}';
    return out;
}

}  // namespace r53::server
