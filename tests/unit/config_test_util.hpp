// Shared helpers of the config unit tests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/diagnostic.hpp"
#include "config/loader.hpp"

namespace r53::config::testing {

inline std::string dump(const Diagnostics& ds) {
    std::string out;
    for (const auto& d : ds) out += "  " + format(d) + "\n";
    return out.empty() ? "  (no diagnostics)\n" : out;
}

inline bool contains(const Diagnostics& ds, const std::string& code, const std::string& message,
                     int line, Severity severity = Severity::Error) {
    for (const auto& d : ds)
        if (d.code == code && d.message == message && d.where.line == line &&
            d.severity == severity)
            return true;
    return false;
}

inline ::testing::AssertionResult has_diagnostic(const Diagnostics& ds, const std::string& code,
                                                 const std::string& message, int line,
                                                 Severity severity = Severity::Error) {
    if (contains(ds, code, message, line, severity)) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "expected line " << line << ": " << code << ": " << message << "\ngot:\n"
           << dump(ds);
}

inline std::string fixture(const std::string& name) {
    return std::string(R53SIM_SOURCE_DIR) + "/tests/fixtures/config/" + name;
}

}  // namespace r53::config::testing
