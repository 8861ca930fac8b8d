// Judges a complete HTTP response as an HTTP/HTTPS(_STR_MATCH) probe does (semantics §1.1): the
// same Beast parser limits (16384 header bytes, unbounded body), the status rule (2xx/3xx) and,
// with a search string, the first 5120 decoded body bytes. Pure: bytes in, outcome out; the end
// of `bytes` is the end of the connection. Used by tests and the fuzz target; the probe itself
// reads the same way from its socket.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "healthcheck/probe.hpp"

namespace r53::health {

inline constexpr size_t kResponseHeaderLimit = 16384;
inline constexpr size_t kBodySearchWindow = 5120;

struct HttpResponseOptions {
    std::optional<std::string> search_string;  // *_STR_MATCH
    std::string ip = "127.0.0.1";              // for the "Resolved IP" suffix
};

ProbeOutcome classify_http_response(std::string_view bytes, const HttpResponseOptions& options);

}  // namespace r53::health
