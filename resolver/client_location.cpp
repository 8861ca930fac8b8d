#include "resolver/client_location.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace r53::resolver {

std::optional<Cidr> Cidr::parse(std::string_view text) {
    Cidr c;
    std::string address(text.substr(0, text.find('/')));
    if (inet_pton(AF_INET, address.c_str(), c.bytes.data()) == 1) {
        c.family = 4;
        c.length = 32;
    } else if (inet_pton(AF_INET6, address.c_str(), c.bytes.data()) == 1) {
        c.family = 6;
        c.length = 128;
    } else {
        return std::nullopt;
    }
    if (auto slash = text.find('/'); slash != std::string_view::npos) {
        unsigned length = 0;
        auto digits = text.substr(slash + 1);
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
        if (ec != std::errc{} || end != digits.data() + digits.size() || length > c.length)
            return std::nullopt;
        c.length = static_cast<uint8_t>(length);
    }
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
