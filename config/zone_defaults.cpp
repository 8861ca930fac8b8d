#include "config/zone_defaults.hpp"

#include <cstdint>

namespace r53::config {

namespace {

uint64_t fnv1a(const std::string& text, uint64_t salt) {
    uint64_t h = 1469598103934665603ull ^ salt;
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

}  // namespace

std::string derive_zone_id(const std::string& zone_name) {
    static constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    std::string id = "Z";
    for (uint64_t salt = 0; id.size() < 21; ++salt) {
        uint64_t h = fnv1a(zone_name, salt * 0x9e3779b97f4a7c15ull);
        for (int i = 0; i < 10 && id.size() < 21; ++i, h /= 36) id += kAlphabet[h % 36];
    }
    return id;
}

std::vector<std::string> default_name_servers(const std::string& zone_name) {
    static constexpr const char* kTlds[] = {"com", "net", "org", "co.uk"};
    std::vector<std::string> out;
    for (uint64_t i = 0; i < 4; ++i) {
        uint64_t h = fnv1a(zone_name, 0x5bd1e995ull * (i + 1));
        uint64_t n = h % 2048;
        uint64_t nn = (h >> 20) % 64;
        std::string two = (nn < 10 ? "0" : "") + std::to_string(nn);
        out.push_back("ns-" + std::to_string(n) + ".awsdns-" + two + "." + kTlds[i] + ".");
    }
    return out;
}

ResourceRecordSet default_soa(const std::string& zone_name, const SourceLocation& where) {
    ResourceRecordSet soa;
    soa.name = zone_name;
    soa.type = "SOA";
    soa.ttl = 900;
    soa.resource_records = {default_name_servers(zone_name)[0] +
                            " awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"};
    soa.where = where;
    return soa;
}

ResourceRecordSet default_ns(const std::string& zone_name, const SourceLocation& where) {
    ResourceRecordSet ns;
    ns.name = zone_name;
    ns.type = "NS";
    ns.ttl = 172800;
    ns.resource_records = default_name_servers(zone_name);
    ns.where = where;
    return ns;
}

}  // namespace r53::config
