// Where a client is, from its address (semantics §2.4, §8 point 15): CIDR prefixes parsed at load
// and matched without allocating at query time.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/ip_prefix.hpp"
#include "config/model.hpp"
#include "resolver/question.hpp"

namespace r53::resolver {

using config::Coordinates;

// A block of client addresses, read by config's one prefix parser (no host bits past the
// prefix).
struct Cidr : config::IpPrefix {
    // "192.0.2.0/24", "2001:db8::/32", or a bare address (full length).
    static std::optional<Cidr> parse(std::string_view text, std::string* error = nullptr);
    // True when `client` lies inside this block and is at least as specific (§2.3 IP-based:
    // a client prefix shorter than the block does not match).
    bool contains(const ClientAddress& client) const noexcept;
};

ClientAddress to_client_address(const Cidr& cidr) noexcept;

// What the location tables say about one client. Empty members are unknown.
struct ClientLocation {
    const std::string* continent = nullptr;
    const std::string* country = nullptr;
    const std::string* subdivision = nullptr;
    const std::string* region = nullptr;
    std::optional<Coordinates> coordinates;
    bool known() const noexcept { return continent || country || region || coordinates; }
};

class ClientLocator {
  public:
    struct Entry {
        Cidr cidr;
        config::ClientPrefix prefix;
    };
    void add(Cidr cidr, config::ClientPrefix prefix);
    void set_default(ClientAddress address) noexcept { default_address_ = address; }
    void finish();  // sorts by prefix length, longest first

    // Longest matching prefix. An unknown (family 0) or unmapped client falls back to the
    // configured default client address, which is where loopback tests usually stand.
    ClientLocation locate(const ClientAddress& client) const noexcept;
    // The address a policy should match: the client's, or the default one when unknown.
    const ClientAddress& effective(const ClientAddress& client) const noexcept {
        return client.family == 0 && default_address_ ? *default_address_ : client;
    }

  private:
    const Entry* match(const ClientAddress& client) const noexcept;
    std::vector<Entry> entries_;
    std::optional<ClientAddress> default_address_;
};

}  // namespace r53::resolver
