// Routes of the admin API (README "Admin API"): /healthz, /readyz, /metrics, /v1/...
#pragma once

#include <boost/asio/awaitable.hpp>

#include "server/admin_http.hpp"

namespace r53::server {

class App;

boost::asio::awaitable<HttpResponse> handle_admin_request(App& app, const RouteRequest& request);

}  // namespace r53::server
