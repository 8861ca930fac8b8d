// /v1/explain and TestDNSAnswer: the same resolve() the DNS path runs, with a trace, for a
// question given as text. A pure function of (question, snapshot), like resolve() itself.
#pragma once

#include <string>
#include <vector>

#include "resolver/serving_state.hpp"

namespace r53::resolver {

struct ExplainResult {
    bool ok = false;
    std::string error;  // set when !ok: what in the question is wrong
    std::string rcode;
    bool authoritative = false;
    std::vector<std::string> answer, authority, additional;
    std::vector<std::string> trace;
    std::string client;
};

// `client` empty: the config's default client address, else 127.0.0.1 (where loopback queries
// come from). `state` may be null (nothing served yet).
ExplainResult explain(const ServingState* state, const std::string& name, const std::string& type,
                      const std::string& client);

}  // namespace r53::resolver
