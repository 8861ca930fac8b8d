// What Route 53 puts in every new public hosted zone (semantics §5, §15): its id, four name
// servers and the SOA. Derived from the zone name, so a zone keeps them across restarts.
#pragma once

#include <string>
#include <vector>

#include "config/model.hpp"

namespace r53::config {

// "Z" followed by 20 upper-case letters and digits.
std::string derive_zone_id(const std::string& zone_name);

// ns-N.awsdns-NN.com., .net., .org., .co.uk. (in that order).
std::vector<std::string> default_name_servers(const std::string& zone_name);

// The apex SOA (TTL 900) and NS (TTL 172800) record sets.
ResourceRecordSet default_soa(const std::string& zone_name, const SourceLocation& where = {});
ResourceRecordSet default_ns(const std::string& zone_name, const SourceLocation& where = {});

}  // namespace r53::config
