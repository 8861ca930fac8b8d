// The --state-dir file of the Route 53 API: JSON in AWS's shapes, written atomically.
#pragma once

#include <string>

#include "server/store/store.hpp"

namespace r53::server::route53 {

// Writes a temporary file and renames it over `path`. Returns an error text, empty on success.
std::string save_state(const State& state, const std::string& path);

// Null with `error` set when the file cannot be read or holds something invalid.
StatePtr load_state(const std::string& path, std::string& error);

}  // namespace r53::server::route53
