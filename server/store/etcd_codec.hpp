// The Route 53 API's state as etcd keys: one key per hosted zone (with its record sets), health
// check, caller reference, tag set and change, so a change batch writes only what it touches and
// two batches conflict only when they touch the same object (Route 53 serializes changes per
// hosted zone, semantics §4 "rate / concurrency").
#pragma once

#include <map>
#include <optional>
#include <string>

#include "server/store/store.hpp"

namespace r53::server::etcd {

// Key below PREFIX/state/ -> value.
using KeyValues = std::map<std::string, std::string>;

KeyValues encode_state(const route53::State& state);

// Sets (value) or removes (nullopt) one key in `state`. `mod_revision` is the key's etcd
// revision (a change remembers it for INSYNC). False with `error` set for a value that does not
// decode or a key of no known kind; `state` is then unchanged.
bool apply_key(route53::State& state, const std::string& key,
               const std::optional<std::string>& value, int64_t mod_revision, std::string& error);

}  // namespace r53::server::etcd
