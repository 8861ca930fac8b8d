// Renders a decided Answer as presentation-format lines, for /v1/explain and tests.
// Uses ldns and allocates: never call it on the query path.
#pragma once

#include <string>
#include <vector>

#include "resolver/answer.hpp"
#include "resolver/question.hpp"

namespace r53::resolver {

struct DescribedAnswer {
    std::vector<std::string> answer, authority, additional;  // "owner TTL IN TYPE value"
};

// One line per record, values in the order the encoder would write them (rotation applied).
// Entries with a null owner are written under the question's name.
DescribedAnswer describe(const Answer& answer, const Question& question);

std::vector<std::string> describe_section(const Section& section, const Question& question);

const char* rcode_name(Rcode rcode) noexcept;

}  // namespace r53::resolver
