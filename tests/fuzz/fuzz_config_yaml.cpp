// Config YAML text -> loader and validator: never throws, and a config comes back exactly when
// no error was reported. The first byte picks lenient mode.
#include <string_view>

#include "config/loader.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    r53::config::LoadOptions options;
    options.lenient = (data[0] & 1) != 0;
    std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    auto result = r53::config::load_config_text(text, "fuzz.yaml", options);
    FUZZ_CHECK((result.config != nullptr) == !r53::config::has_errors(result.diagnostics));
    for (const auto& d : result.diagnostics) FUZZ_CHECK(!d.code.empty());
    return 0;
}
