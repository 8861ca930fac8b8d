// HTTP response bytes -> the probe's response judgement (status, and for STR_MATCH the body,
// gzip/deflate decoded): any input gives a Success/Failure outcome without throwing. The first
// byte picks a search string or none.
#include <string_view>

#include "fuzz_common.hpp"
#include "healthcheck/http_response.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    r53::health::HttpResponseOptions options;
    switch (data[0] % 3) {
        case 1:
            options.search_string = "ok";
            break;
        case 2:
            options.search_string = "healthy and ready";
            break;
        default:
            break;
    }
    std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    auto outcome = r53::health::classify_http_response(bytes, options);
    FUZZ_CHECK(outcome.status.rfind(outcome.ok ? "Success: " : "Failure: ", 0) == 0);
    return 0;
}
