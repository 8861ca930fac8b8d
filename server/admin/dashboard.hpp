// The dashboard at / on the admin address: index.html at /, its script and style under
// /dashboard/, all compiled into the binary. Same-origin only, no inline code (a strict
// Content-Security-Policy), nothing secret: it only calls the admin API it came from.
#pragma once

#include <optional>

#include "server/http/http_types.hpp"

namespace r53::server {

// The page or file for this request, or nullopt when the path is not the dashboard's.
std::optional<HttpResponse> handle_dashboard(const RouteRequest& request);

}  // namespace r53::server
