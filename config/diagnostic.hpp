// A problem found in the configuration, worded as Route 53 words it.
#pragma once

#include <string>
#include <vector>

#include "config/model.hpp"

namespace r53::config {

enum class Severity { Error, Warning };

struct Diagnostic {
    SourceLocation where;
    std::string code;     // AWS error code, e.g. "InvalidInput", "InvalidChangeBatch"
    std::string message;  // AWS's own text where AWS documents one
    Severity severity = Severity::Error;
};

// "file:line: error: InvalidInput: message" - the one format used by `check`, serve and reload.
std::string format(const Diagnostic&);

using Diagnostics = std::vector<Diagnostic>;

inline bool has_errors(const Diagnostics& ds) {
    for (const auto& d : ds)
        if (d.severity == Severity::Error) return true;
    return false;
}

}  // namespace r53::config
