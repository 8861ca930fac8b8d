#include "config/diagnostic.hpp"

namespace r53::config {

std::string format(const Diagnostic& d) {
    std::string out = d.where.file.empty() ? std::string("<input>") : d.where.file;
    if (d.where.line > 0) out += ":" + std::to_string(d.where.line);
    out += d.severity == Severity::Error ? ": error: " : ": warning: ";
    return out + d.code + ": " + d.message;
}

}  // namespace r53::config
