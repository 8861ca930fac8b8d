#include "resolver/describe.hpp"

#include <charconv>
#include <string>

#include "config/character_string.hpp"
#include "resolver/client_location.hpp"
#include "resolver/ldns.hpp"
#include "resolver/names.hpp"
#include "resolver/resolve.hpp"
#include "resolver/zone_set.hpp"

namespace r53::resolver {
namespace {

std::string render(const uint8_t* owner, const RRset& rrset, uint32_t ttl, uint16_t record) {
    size_t owner_length = wire_name_length(owner);
    const uint8_t* rd = rrset.rdata.data() + rrset.offsets[record];
    size_t rdlength = size_t(rd[0]) << 8 | rd[1];
    std::vector<uint8_t> wire(owner, owner + owner_length);
    uint16_t type = rrset.type;
    for (uint8_t b : {uint8_t(type >> 8), uint8_t(type & 0xFF), uint8_t(0), uint8_t(1),
                      uint8_t(ttl >> 24), uint8_t(ttl >> 16), uint8_t(ttl >> 8), uint8_t(ttl)})
        wire.push_back(b);
    wire.insert(wire.end(), rd, rd + 2 + rdlength);
    ldns_rr* rr = nullptr;
    size_t pos = 0;
    std::string line;
    if (ldns_wire2rr(&rr, wire.data(), wire.size(), &pos, LDNS_SECTION_ANSWER) == LDNS_STATUS_OK) {
        char* text = ldns_rr2str(rr);
        line = text ? text : "";
        free(text);
        ldns_rr_free(rr);
    }
    while (!line.empty() && line.back() == '\n') line.pop_back();
    // Character-strings in Route 53's octal form, as ListResourceRecordSets shows them; ldns
    // would write dig's decimal escapes. ldns_rr2str separates owner, TTL, class, type and
    // RDATA by tabs.
    const ldns_rr_descriptor* descriptor = ldns_rr_descript(type);
    if (descriptor && descriptor->_name && config::uses_character_strings(descriptor->_name)) {
        size_t rdata_at = 0;
        for (int field = 0; field < 4 && rdata_at != std::string::npos; ++field) {
            rdata_at = line.find('\t', rdata_at);
            if (rdata_at != std::string::npos) ++rdata_at;
        }
        auto text = config::to_text(descriptor->_name, {rd + 2, rdlength});
        if (rdata_at != std::string::npos && text) line = line.substr(0, rdata_at) + *text;
    }
    for (char& c : line)
        if (c == '\t') c = ' ';
    return line;
}

}  // namespace

std::vector<std::string> describe_section(const Section& section, const Question& question) {
    std::vector<std::string> lines;
    for (uint8_t i = 0; i < section.size; ++i) {
        const AnswerEntry& e = section.entries[i];
        if (!e.rrset || e.count == 0) continue;
        const uint8_t* owner = e.owner ? e.owner : question.qname;
        for (uint16_t k = 0; k < e.count; ++k) {
            uint16_t index = static_cast<uint16_t>(e.first + (e.rotate + k) % e.count);
            if (index < e.rrset->size()) lines.push_back(render(owner, *e.rrset, e.ttl, index));
        }
    }
    return lines;
}

DescribedAnswer describe(const Answer& answer, const Question& question) {
    return {describe_section(answer.answer, question), describe_section(answer.authority, question),
            describe_section(answer.additional, question)};
}

const char* rcode_name(Rcode rcode) noexcept {
    switch (rcode) {
        case Rcode::NoError:
            return "NOERROR";
        case Rcode::FormErr:
            return "FORMERR";
        case Rcode::ServFail:
            return "SERVFAIL";
        case Rcode::NxDomain:
            return "NXDOMAIN";
        case Rcode::NotImp:
            return "NOTIMP";
        case Rcode::Refused:
            return "REFUSED";
    }
    return "UNKNOWN";
}

Explanation explain(const ServingState& state, std::string_view name, std::string_view type,
                    std::string_view client, Random& random) {
    Explanation out;
    auto wire = to_wire_name(name);
    if (!wire || wire->size() > 255) {
        out.error = "invalid name '" + std::string(name) + "'";
        return out;
    }
    std::string type_text(type);
    uint16_t qtype = 0;
    auto [end, ec] = std::from_chars(type_text.data(), type_text.data() + type_text.size(), qtype);
    if (ec != std::errc{} || end != type_text.data() + type_text.size())
        qtype = static_cast<uint16_t>(ldns_get_rr_type_by_name(type_text.c_str()));
    if (qtype == 0) {
        out.error = "unknown type '" + type_text + "'";
        return out;
    }
    Question q;
    q.qname = wire->data();
    q.qname_length = static_cast<uint8_t>(wire->size());
    q.qtype = qtype;
    if (!client.empty()) {
        std::string why;
        auto cidr = Cidr::parse(client, &why);
        if (!cidr) {
            out.error = "invalid client address: " + why;
            return out;
        }
        q.client = to_client_address(*cidr);
        q.client_from_ecs = cidr->length != (cidr->family == 4 ? 32 : 128);
    }
    Answer answer;
    Trace trace;
    resolve(q, state, random, answer, &trace);
    out.rcode = rcode_name(answer.rcode);
    out.authoritative = answer.authoritative;
    out.ecs_scope = answer.ecs_scope;
    out.sections = describe(answer, q);
    out.trace = std::move(trace.steps);
    return out;
}

}  // namespace r53::resolver
