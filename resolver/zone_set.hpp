// Hosted zones compiled for serving: canonical names, RRsets pre-encoded at load with ldns,
// record groups with their routing policy, health indexes resolved. Built once per config.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "config/diagnostic.hpp"
#include "config/model.hpp"

namespace r53::resolver {

// One set of records with the same owner and type, ready to copy onto the wire.
// Built at load; the query path only reads it.
struct RRset {
    std::vector<uint8_t> owner;  // lower-case wire name
    uint16_t type = 0;
    uint32_t ttl = 0;
    // Records back to back, each as RDLENGTH (2 bytes, network order) followed by RDATA,
    // with names inside RDATA uncompressed.
    std::vector<uint8_t> rdata;
    std::vector<uint32_t> offsets;  // where each record starts in `rdata`
    // For each record, the offset inside its RDATA of a domain name the encoder may compress
    // (NS, CNAME, PTR, MX exchange, SOA mname), or 0xFFFF when none.
    std::vector<uint16_t> compressible_name_at;
    // For each record, the offset inside its RDATA of a name whose A/AAAA belong in Additional
    // (NS, CNAME, MX exchange, SRV target; §5 "Sections"), or 0xFFFF when none.
    std::vector<uint16_t> additional_name_at;
    uint16_t size() const noexcept { return static_cast<uint16_t>(offsets.size()); }
};

class ZoneSet {
  public:
    // Compiles every hosted zone of `config`. Problems the validator could not see are appended
    // to `diagnostics`; the result is null if any of them is an error.
    static std::shared_ptr<const ZoneSet> build(const config::Config& config,
                                                config::Diagnostics& diagnostics);

    struct Impl;
    const Impl& impl() const noexcept { return *impl_; }
    ~ZoneSet();

  private:
    ZoneSet();
    std::unique_ptr<Impl> impl_;
};

}  // namespace r53::resolver
