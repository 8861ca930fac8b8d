#include "resolver/client_location.hpp"

#include <algorithm>
#include <cstring>

namespace r53::resolver {

std::optional<Cidr> Cidr::parse(std::string_view text, std::string* error) {
    auto prefix = config::parse_ip_prefix(text, config::PrefixForm::AddressOrPrefix, error);
    if (!prefix) return std::nullopt;
    Cidr c;
    static_cast<config::IpPrefix&>(c) = *prefix;
    return c;
}

bool Cidr::contains(const ClientAddress& client) const noexcept {
    if (client.family != family || client.prefix_length < length) return false;
    int full = length / 8, rest = length % 8;
    if (std::memcmp(bytes.data(), client.bytes.data(), full) != 0) return false;
    if (rest == 0) return true;
    uint8_t mask = static_cast<uint8_t>(0xFF << (8 - rest));
    return (bytes[full] & mask) == (client.bytes[full] & mask);
}

ClientAddress to_client_address(const Cidr& cidr) noexcept {
    ClientAddress a;
    a.family = cidr.family;
    a.prefix_length = cidr.length;
    a.bytes = cidr.bytes;
    return a;
}

void ClientLocator::add(Cidr cidr, config::ClientPrefix prefix) {
    entries_.push_back(Entry{cidr, std::move(prefix)});
}

void ClientLocator::finish() {
    std::stable_sort(entries_.begin(), entries_.end(),
                     [](const Entry& a, const Entry& b) { return a.cidr.length > b.cidr.length; });
}

const ClientLocator::Entry* ClientLocator::match(const ClientAddress& client) const noexcept {
    for (const Entry& e : entries_)
        if (e.cidr.contains(client)) return &e;
    return nullptr;
}

ClientLocation ClientLocator::locate(const ClientAddress& client) const noexcept {
    const Entry* e = client.family != 0 ? match(client) : nullptr;
    if (!e && default_address_) e = match(*default_address_);
    ClientLocation where;
    if (!e) return where;
    const auto& p = e->prefix;
    if (p.continent_code) where.continent = &*p.continent_code;
    if (p.country_code) where.country = &*p.country_code;
    if (p.subdivision_code) where.subdivision = &*p.subdivision_code;
    if (p.region) where.region = &*p.region;
    where.coordinates = p.coordinates;
    return where;
}

}  // namespace r53::resolver
