#include "server/admin/fixture_routes.hpp"
#include "server/control/control.hpp"

namespace r53::server {

HttpResponse handle_zones(const Control& control) {
    boost::json::array zones;
    if (auto config = control.config()) {
        for (const auto& zone : config->zones) {
            // Counted as Route 53's ResourceRecordSetCount: the apex SOA and NS included.
            zones.push_back({{"id", zone.id},
                             {"name", zone.name},
                             {"record_set_count", zone.record_sets.size()}});
        }
    }
    return json_response(http::status::ok, {{"zones", std::move(zones)}});
}

}  // namespace r53::server
