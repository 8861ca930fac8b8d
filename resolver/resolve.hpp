// The routing core: a pure function of (question, snapshot). No I/O, no clock, no lock, no heap.
#pragma once

#include <string>
#include <vector>

#include "resolver/answer.hpp"
#include "resolver/question.hpp"
#include "resolver/random.hpp"
#include "resolver/serving_state.hpp"

namespace r53::resolver {

// Why the answer is what it is, for /v1/explain and debug logs. Only filled when asked for,
// so the query path never builds strings.
struct Trace {
    std::vector<std::string> steps;
};

void resolve(const Question& question, const ServingState& state, Random& random, Answer& answer,
             Trace* trace = nullptr) noexcept;

}  // namespace r53::resolver
