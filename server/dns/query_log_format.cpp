#include "server/dns/query_log_format.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <string_view>

namespace r53::server {
namespace {

void append_address(std::string& out, uint8_t family, const std::array<uint8_t, 16>& bytes) {
    char text[INET6_ADDRSTRLEN];
    if (family == 4 && inet_ntop(AF_INET, bytes.data(), text, sizeof text))
        out += text;
    else if (family == 6 && inet_ntop(AF_INET6, bytes.data(), text, sizeof text))
        out += text;
    else
        out += '-';
}

void append_json_string(std::string& out, std::string_view value) {
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

const char* qtype_mnemonic(uint16_t qtype) {
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
            return nullptr;
    }
}

const char* rcode_mnemonic(uint16_t rcode) {
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
            return nullptr;
    }
}

void append_qtype(std::string& out, const QueryLogEntry& e) {
    if (!e.qname_length) {
        out += '-';
    } else if (const char* m = qtype_mnemonic(e.qtype)) {
        out += m;
    } else {
        out += "TYPE";
        out += std::to_string(e.qtype);
    }
}

void append_rcode(std::string& out, uint16_t rcode) {
    if (const char* m = rcode_mnemonic(rcode)) {
        out += m;
    } else {
        out += "RCODE";
        out += std::to_string(rcode);
    }
}

void append_query_name(std::string& out, const uint8_t* wire, size_t length) {
    const size_t start = out.size();
    size_t at = 0;
    while (at < length) {
        const uint8_t label = wire[at++];
        if (label == 0 || at + label > length) break;
        if (out.size() > start) out += '.';
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
    if (out.size() == start) out += '.';
}

void append_zone(std::string& out, const QueryLogEntry& e) {
    if (e.zone_id_length)
        out.append(e.zone_id.data(), e.zone_id_length);
    else
        out += '-';
}

void append_subnet(std::string& out, const QueryLogEntry& e) {
    if (!e.ecs_family) {
        out += '-';
        return;
    }
    append_address(out, e.ecs_family, e.ecs_address);
    out += '/';
    out += std::to_string(e.ecs_source_prefix);
}

}  // namespace

std::string qtype_text(uint16_t qtype) {
    QueryLogEntry e;
    e.qname_length = 1;
    e.qtype = qtype;
    std::string out;
    append_qtype(out, e);
    return out;
}

std::string rcode_text(uint16_t rcode) {
    std::string out;
    append_rcode(out, rcode);
    return out;
}

std::string query_name_text(const uint8_t* wire, size_t length) {
    std::string out;
    append_query_name(out, wire, length);
    return out;
}

std::string iso_timestamp(int64_t time_ns) {
    std::string out;
    QueryLineWriter().append_timestamp(out, time_ns);
    return out;
}

void QueryLineWriter::append_timestamp(std::string& out, int64_t time_ns) {
    const int64_t ms_total = time_ns / 1'000'000;
    const int64_t second = ms_total / 1000;
    if (second != cached_second_) {  // gmtime and the date's digits once a second
        const std::time_t t = static_cast<std::time_t>(second);
        std::tm utc{};
        gmtime_r(&t, &utc);
        char text[64];  // room for any int the format could print; the result is 19 characters
        std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d", utc.tm_year + 1900,
                      utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
        second_text_ = text;
        cached_second_ = second;
    }
    const int ms = static_cast<int>(ms_total % 1000);
    out += second_text_;
    out += '.';
    out += static_cast<char>('0' + ms / 100);
    out += static_cast<char>('0' + ms / 10 % 10);
    out += static_cast<char>('0' + ms % 10);
    out += 'Z';
}

namespace {

// A line is built in a stack buffer and appended once: no per-character string growth checks.
// The longest possible line (a 255-byte name of escapes, JSON-escaped) is under 3,000 bytes.
struct Line {
    char buffer[4096];
    char* at = buffer;

    void put(char c) { *at++ = c; }
    void put(std::string_view s) {
        if (!s.empty()) std::memcpy(at, s.data(), s.size());
        at += s.size();
    }
    // In JSON, only the name and zone id can hold '"' or '\\' (the name's octal escapes).
    void put_escaped(char c, bool json) {
        if (json && (c == '"' || c == '\\')) put('\\');
        put(c);
    }
    void put_number(unsigned v) {
        char digits[10];
        int n = 0;
        do {
            digits[n++] = static_cast<char>('0' + v % 10);
            v /= 10;
        } while (v);
        while (n) put(digits[--n]);
    }
    void put_address(uint8_t family, const std::array<uint8_t, 16>& bytes) {
        if (family == 4) {  // glibc's inet_ntop formats IPv4 with sprintf
            for (int i = 0; i < 4; ++i) {
                if (i) put('.');
                put_number(bytes[i]);
            }
        } else if (char text[INET6_ADDRSTRLEN];
                   family == 6 && inet_ntop(AF_INET6, bytes.data(), text, sizeof text)) {
            put(std::string_view(text));
        } else {
            put('-');
        }
    }
    void put_name(const QueryLogEntry& e, bool json) {
        if (!e.qname_length) return put('-');
        const char* start = at;
        size_t pos = 0;
        while (pos < e.qname_length) {
            const uint8_t label = e.qname[pos++];
            if (label == 0 || pos + label > e.qname_length) break;
            if (at != start) put('.');
            for (size_t i = 0; i < label; ++i) {
                const uint8_t c = e.qname[pos + i];
                const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                   (c >= '0' && c <= '9') || c == '-' || c == '_';
                if (plain) {
                    put(static_cast<char>(c));
                } else {
                    put_escaped('\\', json);
                    put(static_cast<char>('0' + (c >> 6)));
                    put(static_cast<char>('0' + ((c >> 3) & 7)));
                    put(static_cast<char>('0' + (c & 7)));
                }
            }
            pos += label;
        }
        if (at == start) put('.');
    }
    void put_zone(const QueryLogEntry& e, bool json) {
        if (!e.zone_id_length) return put('-');
        for (size_t i = 0; i < e.zone_id_length; ++i) {
            const char c = e.zone_id[i];
            if (json && static_cast<unsigned char>(c) < 0x20) {  // never in a real id
                constexpr char kHex[] = "0123456789abcdef";
                put(std::string_view("\\u00"));
                put(kHex[static_cast<unsigned char>(c) >> 4]);
                put(kHex[c & 15]);
                continue;
            }
            put_escaped(c, json);
        }
    }
    void put_type(const QueryLogEntry& e) {
        if (!e.qname_length) return put('-');
        if (const char* m = qtype_mnemonic(e.qtype)) return put(std::string_view(m));
        put(std::string_view("TYPE"));
        put_number(e.qtype);
    }
    void put_rcode(uint16_t rcode) {
        if (const char* m = rcode_mnemonic(rcode)) return put(std::string_view(m));
        put(std::string_view("RCODE"));
        put_number(rcode);
    }
    void put_subnet(const QueryLogEntry& e) {
        if (!e.ecs_family) return put('-');
        put_address(e.ecs_family, e.ecs_address);
        put('/');
        put_number(e.ecs_source_prefix);
    }
};

}  // namespace

void QueryLineWriter::append(const QueryLogEntry& e, QueryLogFormat format, std::string& out) {
    const bool json = format == QueryLogFormat::Json;
    std::string& time = field_;
    time.clear();
    append_timestamp(time, e.time_ns);
    Line line;
    const std::string_view protocol = e.transport == 1 ? "TCP" : "UDP";
    if (!json) {
        line.put(std::string_view(kQueryLogVersion));
        line.put(' ');
        line.put(time);
        line.put(' ');
        line.put_zone(e, false);
        line.put(' ');
        line.put_name(e, false);
        line.put(' ');
        line.put_type(e);
        line.put(' ');
        line.put_rcode(e.rcode);
        line.put(' ');
        line.put(protocol);
        line.put(' ');
        line.put(std::string_view(kQueryLogEdgeLocation));
        line.put(' ');
        line.put_address(e.resolver_family, e.resolver);
        line.put(' ');
        line.put_subnet(e);
    } else {
        line.put(std::string_view("{\"version\":\""));
        line.put(std::string_view(kQueryLogVersion));
        line.put(std::string_view("\",\"query_timestamp\":\""));
        line.put(time);
        line.put(std::string_view("\",\"hosted_zone_id\":\""));
        line.put_zone(e, true);
        line.put(std::string_view("\",\"query_name\":\""));
        line.put_name(e, true);
        line.put(std::string_view("\",\"query_type\":\""));
        line.put_type(e);
        line.put(std::string_view("\",\"response_code\":\""));
        line.put_rcode(e.rcode);
        line.put(std::string_view("\",\"protocol\":\""));
        line.put(protocol);
        line.put(std::string_view("\",\"edge_location\":\""));
        line.put(std::string_view(kQueryLogEdgeLocation));
        line.put(std::string_view("\",\"resolver_ip\":\""));
        line.put_address(e.resolver_family, e.resolver);
        line.put(std::string_view("\",\"edns_client_subnet\":\""));
        line.put_subnet(e);
        line.put(std::string_view("\"}"));
    }
    out.append(line.buffer, static_cast<size_t>(line.at - line.buffer));
}

QueryRecord to_record(const QueryLogEntry& e) {
    QueryRecord r;
    QueryLineWriter writer;
    r.time_ns = e.time_ns;
    writer.append_timestamp(r.timestamp, e.time_ns);
    append_zone(r.hosted_zone_id, e);
    if (e.qname_length)
        append_query_name(r.query_name, e.qname.data(), e.qname_length);
    else
        r.query_name = "-";
    append_qtype(r.query_type, e);
    append_rcode(r.response_code, e.rcode);
    r.protocol = e.transport == 1 ? "TCP" : "UDP";
    r.edge_location = kQueryLogEdgeLocation;
    append_address(r.resolver_ip, e.resolver_family, e.resolver);
    append_subnet(r.edns_client_subnet, e);
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
