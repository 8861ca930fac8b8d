// Renders a decided Answer as presentation-format lines, for /v1/explain and tests.
// Uses ldns and allocates: never call it on the query path.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "resolver/answer.hpp"
#include "resolver/question.hpp"
#include "resolver/random.hpp"
#include "resolver/serving_state.hpp"

namespace r53::resolver {

struct DescribedAnswer {
    std::vector<std::string> answer, authority, additional;  // "owner TTL IN TYPE value"
};

// One line per record, values in the order the encoder would write them (rotation applied).
// Entries with a null owner are written under the question's name.
DescribedAnswer describe(const Answer& answer, const Question& question);

std::vector<std::string> describe_section(const Section& section, const Question& question);

const char* rcode_name(Rcode rcode) noexcept;

// One question answered with a trace, as /v1/explain shows it.
struct Explanation {
    std::string error;  // non-empty: the request was unusable (bad name, type or client)
    std::string rcode;  // "NOERROR", "NXDOMAIN", ...
    bool authoritative = false;
    uint8_t ecs_scope = 0;
    DescribedAnswer sections;
    std::vector<std::string> trace;
};

// `name` in presentation form, `type` a mnemonic ("A", "AAAA"...) or number, `client` an
// address or prefix ("192.0.2.1", "192.0.2.0/24"; empty = unknown, which the location tables
// map to the default client address).
Explanation explain(const ServingState& state, std::string_view name, std::string_view type,
                    std::string_view client, Random& random);

}  // namespace r53::resolver
