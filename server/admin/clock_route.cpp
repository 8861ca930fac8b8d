#include <cmath>
#include <cstdint>

#include "server/admin/fixture_routes.hpp"
#include "server/control/control.hpp"

namespace r53::server {
namespace {

const char* mode_name(config::ClockMode mode) {
    switch (mode) {
        case config::ClockMode::Real:
            return "real";
        case config::ClockMode::Scaled:
            return "scaled";
        case config::ClockMode::Manual:
            return "manual";
    }
    return "real";
}

// Whole seconds print as 30, not Boost.JSON's 3E1, for whoever reads the reply with curl.
boost::json::value number(double value) {
    if (std::abs(value) < 1e15 && value == std::trunc(value)) return static_cast<int64_t>(value);
    return value;
}

}  // namespace

HttpResponse handle_clock(const Control& control) {
    auto reading = control.clock();
    return json_response(http::status::ok, {{"mode", mode_name(reading.mode)},
                                            {"now", number(reading.now_seconds)},
                                            {"scale", number(reading.scale)}});
}

}  // namespace r53::server
