#include "server/dns/wire_parse.hpp"

#include <cstring>

namespace r53::server {
namespace {

constexpr uint16_t kFlagQr = 0x8000;
constexpr uint16_t kFlagRd = 0x0100;
constexpr uint16_t kFlagCd = 0x0010;

uint16_t read16(const uint8_t* p) noexcept {
    return static_cast<uint16_t>((p[0] << 8) | p[1]);
}

uint8_t lower(uint8_t c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<uint8_t>(c + 32) : c;
}

// Reads a possibly compressed name at `pos`. Pointers must jump strictly backwards, each to an
// earlier target than the one before, which rules out loops without a hop counter. `lower_out`
// and `original_out` (both or neither) receive the decompressed name.
bool read_name(std::span<const uint8_t> packet, size_t& pos, uint8_t* lower_out,
               uint8_t* original_out, uint8_t& length_out) noexcept {
    size_t cursor = pos;
    size_t resume = 0;  // where parsing continues after the name: set at the first pointer
    size_t last_target = cursor;
    size_t length = 0;
    while (true) {
        if (cursor >= packet.size()) return false;
        const uint8_t b = packet[cursor];
        if ((b & 0xC0) == 0xC0) {
            if (cursor + 1 >= packet.size()) return false;
            const size_t target = (static_cast<size_t>(b & 0x3F) << 8) | packet[cursor + 1];
            if (target >= last_target || target >= cursor) return false;
            if (resume == 0) resume = cursor + 2;
            last_target = target;
            cursor = target;
            continue;
        }
        if ((b & 0xC0) != 0) return false;  // extended label types (RFC 6891 §5) are obsolete
        if (b == 0) {
            if (length + 1 > kMaxNameLength) return false;
            if (lower_out) {
                lower_out[length] = 0;
                original_out[length] = 0;
            }
            ++length;
            pos = resume ? resume : cursor + 1;
            length_out = static_cast<uint8_t>(length);
            return true;
        }
        // The label plus at least the root byte must still fit in 255.
        if (length + 1 + b + 1 > kMaxNameLength) return false;
        if (cursor + 1 + b > packet.size()) return false;
        if (lower_out) {
            lower_out[length] = b;
            original_out[length] = b;
            const uint8_t* src = packet.data() + cursor + 1;
            std::memcpy(original_out + length + 1, src, b);
            for (size_t i = 0; i < b; ++i) lower_out[length + 1 + i] = lower(src[i]);
        }
        length += 1 + b;
        cursor += 1 + b;
    }
}

bool parse_client_subnet(const uint8_t* data, size_t length, EdnsInfo& edns) noexcept {
    if (edns.has_client_subnet || length < 4) return false;  // RFC 7871 §7.1: one option only
    const uint16_t family = read16(data);
    const uint8_t source = data[2];
    const uint8_t scope = data[3];
    const size_t max_prefix = family == 1 ? 32 : family == 2 ? 128 : 0;
    if (max_prefix == 0 || source > max_prefix || scope != 0) return false;
    const size_t address_length = length - 4;
    if (address_length != (source + 7u) / 8u) return false;
    edns.subnet_address.fill(0);
    std::memcpy(edns.subnet_address.data(), data + 4, address_length);
    if (source % 8 != 0) {  // bits past the source prefix must be zero (RFC 7871 §6)
        const uint8_t mask = static_cast<uint8_t>(0xFF >> (source % 8));
        if (edns.subnet_address[address_length - 1] & mask) return false;
    }
    edns.has_client_subnet = true;
    edns.subnet_family = family;
    edns.subnet_source_prefix = source;
    return true;
}

bool parse_opt(const uint8_t* fixed, const uint8_t* rdata, size_t rdlength,
               EdnsInfo& edns) noexcept {
    edns.udp_payload = read16(fixed + 2);
    edns.version = fixed[5];
    edns.dnssec_ok = (fixed[6] & 0x80) != 0;
    size_t at = 0;
    while (at < rdlength) {
        if (rdlength - at < 4) return false;
        const uint16_t code = read16(rdata + at);
        const uint16_t length = read16(rdata + at + 2);
        at += 4;
        if (length > rdlength - at) return false;
        if (code == kOptionClientSubnet && edns.version == 0 &&
            !parse_client_subnet(rdata + at, length, edns))
            return false;
        at += length;
    }
    edns.present = true;
    return true;
}

// Walks answer, authority and additional: every record must be in bounds; one OPT at most, in
// the additional section, owned by the root.
bool parse_records(std::span<const uint8_t> packet, size_t& pos, const uint16_t counts[3],
                   EdnsInfo& edns) noexcept {
    for (int section = 0; section < 3; ++section) {
        for (uint16_t i = 0; i < counts[section]; ++i) {
            uint8_t name_length = 0;
            if (!read_name(packet, pos, nullptr, nullptr, name_length)) return false;
            if (packet.size() - pos < 10) return false;
            const uint8_t* fixed = packet.data() + pos;
            const uint16_t type = read16(fixed);
            const uint16_t rdlength = read16(fixed + 8);
            pos += 10;
            if (rdlength > packet.size() - pos) return false;
            if (type == kTypeOpt) {
                if (section != 2 || name_length != 1 || edns.present) return false;
                if (!parse_opt(fixed, packet.data() + pos, rdlength, edns)) return false;
            }
            pos += rdlength;
        }
    }
    return true;
}

}  // namespace

ParseStatus parse_query(std::span<const uint8_t> packet, ParsedQuery& out) noexcept {
    out.has_question = false;
    out.qname_length = 0;
    out.edns.present = false;
    out.edns.has_client_subnet = false;
    out.edns.version = 0;
    out.edns.dnssec_ok = false;
    out.edns.udp_payload = 0;
    out.status = ParseStatus::Drop;
    if (packet.size() < kHeaderSize) return out.status;
    const uint8_t* h = packet.data();
    out.id = read16(h);
    out.flags = read16(h + 2);
    if (out.flags & kFlagQr) return out.status;
    out.opcode = static_cast<uint8_t>((out.flags >> 11) & 0x0F);
    out.recursion_desired = (out.flags & kFlagRd) != 0;
    out.checking_disabled = (out.flags & kFlagCd) != 0;
    const uint16_t qdcount = read16(h + 4);
    const uint16_t counts[3] = {read16(h + 6), read16(h + 8), read16(h + 10)};

    size_t pos = kHeaderSize;
    if (qdcount == 1 &&
        read_name(packet, pos, out.qname_lower.data(), out.qname_original.data(),
                  out.qname_length) &&
        packet.size() - pos >= 4) {
        out.qtype = read16(h + pos);
        out.qclass = read16(h + pos + 2);
        pos += 4;
        out.has_question = true;
    }
    if (!out.has_question && out.opcode == 0) return out.status = ParseStatus::FormErr;
    const bool records_ok =
        out.has_question && parse_records(packet, pos, counts, out.edns) && pos == packet.size();
    if (out.opcode != 0) {
        if (!records_ok) out.edns.present = false;  // only a sound OPT is echoed
        return out.status = ParseStatus::NotImp;
    }
    if (!records_ok) {
        out.edns.present = false;  // a broken OPT is not echoed
        return out.status = ParseStatus::FormErr;
    }
    if (out.edns.present && out.edns.version != 0) return out.status = ParseStatus::BadVers;
    return out.status = ParseStatus::Ok;
}

}  // namespace r53::server
