#include "server/dns/wire_encode.hpp"

#include <algorithm>
#include <cstring>

#include "resolver/zone_set.hpp"

namespace r53::server {
namespace {

constexpr uint16_t kFlagQr = 0x8000;
constexpr uint16_t kFlagAa = 0x0400;
constexpr uint16_t kFlagTc = 0x0200;
constexpr uint16_t kFlagRd = 0x0100;
constexpr uint16_t kFlagCd = 0x0010;
constexpr uint16_t kClassIn = 1;
constexpr uint16_t kNoCompressibleName = 0xFFFF;
constexpr size_t kMaxPointerOffset = 0x3FFF;

uint8_t lower(uint8_t c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<uint8_t>(c + 32) : c;
}

bool names_equal(const uint8_t* a, const uint8_t* b, size_t length) noexcept {
    for (size_t i = 0; i < length; ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

// Length of an uncompressed wire name, or 0 if it runs past `limit` bytes.
size_t wire_name_length(const uint8_t* name, size_t limit) noexcept {
    size_t at = 0;
    while (at < limit && at < kMaxNameLength) {
        const uint8_t label = name[at];
        if (label == 0) return at + 1;
        if (label > 63) return 0;
        at += 1 + label;
    }
    return 0;
}

// Names already in the packet (each suffix of each name written uncompressed), so later names
// can point at them. Fixed size: once full, later names are simply written longer.
class CompressionTable {
  public:
    struct Entry {
        const uint8_t* name;  // the suffix, uncompressed, in memory that outlives the encoding
        uint16_t offset;
        uint8_t length;
    };
    static constexpr size_t kCapacity = 64;

    void add(const uint8_t* name, size_t length, size_t offset) noexcept {
        if (size_ < kCapacity && offset <= kMaxPointerOffset && length > 1)
            entries_[size_++] = {name, static_cast<uint16_t>(offset), static_cast<uint8_t>(length)};
    }
    int find(const uint8_t* name, size_t length) const noexcept {
        for (size_t i = 0; i < size_; ++i)
            if (entries_[i].length == length && names_equal(entries_[i].name, name, length))
                return entries_[i].offset;
        return -1;
    }
    size_t size() const noexcept { return size_; }
    void truncate(size_t size) noexcept { size_ = size; }

  private:
    Entry entries_[kCapacity];
    size_t size_ = 0;
};

class Writer {
  public:
    Writer(uint8_t* buffer, size_t capacity) noexcept : buffer_(buffer), capacity_(capacity) {}

    size_t position() const noexcept { return position_; }
    void rewind(size_t position) noexcept { position_ = position; }
    void set_capacity(size_t capacity) noexcept { capacity_ = capacity; }
    bool has_room(size_t n) const noexcept {
        return position_ <= capacity_ && capacity_ - position_ >= n;
    }

    bool bytes(const uint8_t* data, size_t n) noexcept {
        if (!has_room(n)) return false;
        std::memcpy(buffer_ + position_, data, n);
        position_ += n;
        return true;
    }
    bool u8(uint8_t v) noexcept { return bytes(&v, 1); }
    bool u16(uint16_t v) noexcept {
        const uint8_t b[2] = {static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
        return bytes(b, 2);
    }
    bool u32(uint32_t v) noexcept {
        const uint8_t b[4] = {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
                              static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
        return bytes(b, 4);
    }
    void patch16(size_t at, uint16_t v) noexcept {
        buffer_[at] = static_cast<uint8_t>(v >> 8);
        buffer_[at + 1] = static_cast<uint8_t>(v);
    }

    // Writes `name` (uncompressed wire form, `length` bytes) pointing at the longest suffix
    // already in the packet, and records the suffixes it wrote out in full.
    bool name(const uint8_t* name, size_t length, CompressionTable& table) noexcept {
        size_t split = 0;
        int pointer = -1;
        while (name[split] != 0) {
            pointer = table.find(name + split, length - split);
            if (pointer >= 0) break;
            split += 1 + name[split];
        }
        const size_t start = position_;
        if (pointer >= 0) {
            if (!bytes(name, split) || !u16(static_cast<uint16_t>(0xC000 | pointer))) return false;
        } else if (!bytes(name, length)) {
            return false;
        }
        for (size_t at = 0; at < split; at += 1 + name[at])
            table.add(name + at, length - at, start + at);
        return true;
    }

  private:
    uint8_t* buffer_;
    size_t capacity_;
    size_t position_ = 0;
};

struct Counts {
    uint16_t answer = 0, authority = 0, additional = 0;
};

void write_header(uint8_t* out, const ParsedQuery& query, uint16_t rcode, bool authoritative,
                  bool truncated, uint16_t qdcount, const Counts& counts,
                  uint16_t arcount) noexcept {
    uint16_t flags = kFlagQr | static_cast<uint16_t>((query.opcode & 0x0F) << 11) | (rcode & 0x0F);
    if (authoritative) flags |= kFlagAa;
    if (truncated) flags |= kFlagTc;
    if (query.recursion_desired) flags |= kFlagRd;
    if (query.checking_disabled) flags |= kFlagCd;
    const uint16_t words[6] = {query.id, flags, qdcount, counts.answer, counts.authority, arcount};
    for (int i = 0; i < 6; ++i) {
        out[2 * i] = static_cast<uint8_t>(words[i] >> 8);
        out[2 * i + 1] = static_cast<uint8_t>(words[i]);
    }
}

size_t subnet_address_length(const EdnsInfo& edns) noexcept {
    return (edns.subnet_source_prefix + 7u) / 8u;
}

size_t opt_size(const ParsedQuery& query, bool with_subnet) noexcept {
    if (!query.edns.present) return 0;
    size_t size = 11;
    if (with_subnet && query.edns.has_client_subnet) size += 8 + subnet_address_length(query.edns);
    return size;
}

// OPT record: our payload size, version 0, DO echoed (RFC 3225), Client Subnet echoed with the
// scope the answer depends on (RFC 7871 §7.2.1).
bool write_opt(Writer& w, const ParsedQuery& query, uint16_t rcode, bool with_subnet,
               uint8_t scope) noexcept {
    const EdnsInfo& edns = query.edns;
    const bool subnet = with_subnet && edns.has_client_subnet;
    const size_t address_length = subnet ? subnet_address_length(edns) : 0;
    const uint32_t ttl =
        (static_cast<uint32_t>((rcode >> 4) & 0xFF) << 24) | (edns.dnssec_ok ? 0x8000u : 0u);
    bool ok = w.u8(0) && w.u16(kTypeOpt) && w.u16(kAdvertisedUdpPayload) && w.u32(ttl) &&
              w.u16(static_cast<uint16_t>(subnet ? 8 + address_length : 0));
    if (ok && subnet) {
        const uint8_t max_scope = edns.subnet_family == 1 ? 32 : 128;
        ok = w.u16(kOptionClientSubnet) && w.u16(static_cast<uint16_t>(4 + address_length)) &&
             w.u16(edns.subnet_family) && w.u8(edns.subnet_source_prefix) &&
             w.u8(std::min(scope, max_scope)) &&
             w.bytes(edns.subnet_address.data(), address_length);
    }
    return ok;
}

bool write_question(Writer& w, const ParsedQuery& query, CompressionTable& table) noexcept {
    if (!w.bytes(query.qname_original.data(), query.qname_length) || !w.u16(query.qtype) ||
        !w.u16(query.qclass))
        return false;
    for (size_t at = 0; query.qname_lower[at] != 0; at += 1 + query.qname_lower[at])
        table.add(query.qname_lower.data() + at, query.qname_length - at, kHeaderSize + at);
    return true;
}

bool write_record(Writer& w, const resolver::AnswerEntry& entry, uint16_t index,
                  CompressionTable& table) noexcept {
    const resolver::RRset& rrset = *entry.rrset;
    if (entry.owner == nullptr) {
        if (!w.u16(0xC000 | kHeaderSize)) return false;
    } else {
        const size_t owner_length = wire_name_length(entry.owner, kMaxNameLength);
        if (owner_length == 0 || !w.name(entry.owner, owner_length, table)) return false;
    }
    const uint16_t type = entry.type_override ? entry.type_override : rrset.type;
    if (!w.u16(type) || !w.u16(kClassIn) || !w.u32(entry.ttl)) return false;

    const uint8_t* record = rrset.rdata.data() + rrset.offsets[index];
    const uint16_t rdlength = static_cast<uint16_t>((record[0] << 8) | record[1]);
    const uint8_t* rdata = record + 2;
    const uint16_t name_at = index < rrset.compressible_name_at.size()
                                 ? rrset.compressible_name_at[index]
                                 : kNoCompressibleName;
    const size_t name_length =
        name_at < rdlength ? wire_name_length(rdata + name_at, rdlength - name_at) : 0;
    if (name_length == 0) return w.bytes(record, 2u + rdlength);

    const size_t length_at = w.position();
    if (!w.u16(0) || !w.bytes(rdata, name_at) || !w.name(rdata + name_at, name_length, table) ||
        !w.bytes(rdata + name_at + name_length, rdlength - name_at - name_length))
        return false;
    w.patch16(length_at, static_cast<uint16_t>(w.position() - length_at - 2));
    return true;
}

// All records of one entry, or none of them.
bool write_entry(Writer& w, const resolver::AnswerEntry& entry, CompressionTable& table,
                 uint16_t& written) noexcept {
    if (entry.rrset == nullptr) return true;
    const uint16_t size = entry.rrset->size();
    const uint16_t first = std::min(entry.first, size);
    // count 0 = the whole RRset from `first`.
    uint16_t count = entry.count ? entry.count : static_cast<uint16_t>(size - first);
    count = std::min<uint16_t>(count, static_cast<uint16_t>(size - first));
    const size_t start = w.position();
    const size_t table_size = table.size();
    for (uint16_t k = 0; k < count; ++k) {
        const uint16_t index = static_cast<uint16_t>(first + (entry.rotate + k) % count);
        if (!write_record(w, entry, index, table)) {
            w.rewind(start);
            table.truncate(table_size);
            return false;
        }
    }
    written = static_cast<uint16_t>(written + count);
    return true;
}

bool in_section(const resolver::Section& section, const resolver::RRset* rrset) noexcept {
    for (uint8_t i = 0; i < section.size; ++i)
        if (section.entries[i].rrset == rrset) return true;
    return false;
}

constexpr uint16_t kTypeA = 1;
constexpr uint16_t kTypeAaaa = 28;

// RFC 2181 §9: the answer RRsets and the entries marked `required` (a negative answer's SOA, a
// referral's NS set and in-domain glue, RFC 9471) must fit, else the response is truncated
// (returns false). Optional data is added after them while it fits, authority before additional,
// and stops at the first RRset that does not: what follows is dropped without TC, as NSD does.
// Optional additional records go A first, then AAAA, then the rest (NSD's order), so a full
// packet keeps an address for as many names as it can.
bool write_sections(Writer& w, const resolver::Answer& answer, CompressionTable& table,
                    Counts& counts) noexcept {
    for (uint8_t i = 0; i < answer.answer.size; ++i)
        if (!write_entry(w, answer.answer.entries[i], table, counts.answer)) return false;
    const resolver::Section& authority = answer.authority;
    const resolver::Section& additional = answer.additional;
    for (uint8_t i = 0; i < authority.size; ++i)
        if (authority.entries[i].required &&
            !write_entry(w, authority.entries[i], table, counts.authority))
            return false;
    for (uint8_t i = 0; i < additional.size; ++i)
        if (additional.entries[i].required &&
            !write_entry(w, additional.entries[i], table, counts.additional))
            return false;
    for (uint8_t i = 0; i < authority.size; ++i)
        if (!authority.entries[i].required &&
            !write_entry(w, authority.entries[i], table, counts.authority))
            return true;
    for (int pass = 0; pass < 3; ++pass) {
        for (uint8_t i = 0; i < additional.size; ++i) {
            const resolver::AnswerEntry& extra = additional.entries[i];
            if (extra.required || extra.rrset == nullptr) continue;
            const uint16_t type = extra.rrset->type;
            const int wanted = type == kTypeA ? 0 : type == kTypeAaaa ? 1 : 2;
            if (wanted != pass) continue;
            if (in_section(answer.answer, extra.rrset)) continue;  // already answered (NSD too)
            if (!write_entry(w, extra, table, counts.additional)) return true;
        }
    }
    return true;
}

}  // namespace

size_t udp_response_limit(const ParsedQuery& query) noexcept {
    if (!query.edns.present) return kClassicUdpLimit;
    return std::clamp<size_t>(query.edns.udp_payload, kClassicUdpLimit, kMaxUdpResponse);
}

EncodeResult encode_response(const ParsedQuery& query, const resolver::Answer& answer,
                             std::span<uint8_t> out, size_t limit) noexcept {
    const size_t capacity = std::min(limit, out.size());
    if (capacity < kHeaderSize) return {};
    const uint16_t rcode = static_cast<uint16_t>(answer.rcode);
    const size_t opt = opt_size(query, true);
    CompressionTable table;
    Writer w(out.data(), capacity >= opt ? capacity - opt : 0);
    w.rewind(kHeaderSize);
    const bool has_question = query.has_question && write_question(w, query, table);
    const size_t after_question = w.position();

    Counts counts;
    const bool truncated = !write_sections(w, answer, table, counts);
    if (truncated) {
        w.rewind(after_question);
        counts = {};
    }

    w.set_capacity(capacity);
    uint16_t arcount = counts.additional;
    if (opt && w.has_room(opt)) {
        write_opt(w, query, rcode, true, answer.ecs_scope);
        ++arcount;
    }
    write_header(out.data(), query, rcode, answer.authoritative, truncated, has_question ? 1 : 0,
                 counts, arcount);
    return {w.position(), truncated};
}

EncodeResult encode_error(const ParsedQuery& query, uint16_t rcode,
                          std::span<uint8_t> out) noexcept {
    if (out.size() < kHeaderSize) return {};
    CompressionTable table;
    Writer w(out.data(), out.size());
    w.rewind(kHeaderSize);
    bool has_question = query.has_question;
    if (has_question && !write_question(w, query, table)) {
        has_question = false;
        w.rewind(kHeaderSize);
    }
    uint16_t arcount = 0;
    if (query.edns.present && w.has_room(opt_size(query, false))) {
        write_opt(w, query, rcode, false, 0);
        arcount = 1;
    }
    write_header(out.data(), query, rcode, false, false, has_question ? 1 : 0, Counts{}, arcount);
    return {w.position(), false};
}

}  // namespace r53::server
