#include "resolver/names.hpp"

#include <cctype>

#include "resolver/ldns.hpp"

namespace r53::resolver {

std::optional<std::vector<uint8_t>> to_wire_name(std::string_view text) {
    std::string s = text.empty() ? std::string(1, '.') : std::string(text);
    ldns_rdf* rdf = nullptr;
    if (ldns_str2rdf_dname(&rdf, s.c_str()) != LDNS_STATUS_OK || rdf == nullptr)
        return std::nullopt;
    ldns_dname2canonical(rdf);
    const uint8_t* data = ldns_rdf_data(rdf);
    std::vector<uint8_t> wire(data, data + ldns_rdf_size(rdf));
    ldns_rdf_deep_free(rdf);
    return wire;
}

std::string to_text_name(const uint8_t* wire) {
    std::string out;
    size_t pos = 0;
    while (wire[pos] != 0) {
        uint8_t len = wire[pos++];
        for (uint8_t i = 0; i < len; ++i, ++pos) {
            unsigned char c = wire[pos];
            if (c == '.' || c == '\\') {
                out.push_back('\\');
                out.push_back(static_cast<char>(c));
            } else if (std::isgraph(c)) {
                out.push_back(static_cast<char>(c));
            } else {
                char buf[5];
                std::snprintf(buf, sizeof buf, "\\%03u", c);
                out += buf;
            }
        }
        out.push_back('.');
    }
    if (out.empty()) out.push_back('.');
    return out;
}

size_t wire_name_length(const uint8_t* wire) noexcept {
    size_t pos = 0;
    while (wire[pos] != 0) pos += wire[pos] + 1u;
    return pos + 1;
}

bool is_at_or_below(std::string_view name, std::string_view zone) noexcept {
    size_t pos = 0;
    while (pos < name.size()) {
        if (name.size() - pos == zone.size()) return name.substr(pos) == zone;
        if (name[pos] == 0) return false;
        pos += static_cast<uint8_t>(name[pos]) + 1u;
    }
    return false;
}

}  // namespace r53::resolver
