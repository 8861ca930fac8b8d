// The --state-dir file of the Route 53 API: JSON in AWS's shapes, written atomically.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>

#include "server/store/store.hpp"

namespace r53::server::route53 {

// Writes a temporary file and renames it over `path`. Returns an error text, empty on success.
std::string save_state(const State& state, const std::string& path);

// Null with `error` set when the file cannot be read or holds something invalid.
StatePtr load_state(const std::string& path, std::string& error);

// One hosted zone or health check as the state file and etcd keep it; reading it back validates
// every record and config as the API does. `where` names the source in diagnostics.
boost::json::object zone_entry_json(const std::string& id, const ZoneEntry& e);
std::optional<ZoneEntry> zone_entry_from_json(const boost::json::object& o,
                                              const std::string& where, std::string& error);
boost::json::object check_entry_json(const std::string& id, const CheckEntry& e);
std::optional<CheckEntry> check_entry_from_json(const boost::json::object& o,
                                                const std::string& where, std::string& error);

}  // namespace r53::server::route53
