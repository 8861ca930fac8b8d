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

}  // namespace

HttpResponse handle_clock(const Control& control) {
    auto reading = control.clock();
    return json_response(http::status::ok, {{"mode", mode_name(reading.mode)},
                                            {"now", reading.now_seconds},
                                            {"scale", reading.scale}});
}

}  // namespace r53::server
