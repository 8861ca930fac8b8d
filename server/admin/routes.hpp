// Routes of the admin API (README "Admin API"): /healthz, /readyz, /metrics, /v1/...
#pragma once

#include <boost/asio/awaitable.hpp>

#include "server/http/http_types.hpp"

namespace r53::server {

class Control;

boost::asio::awaitable<HttpResponse> handle_admin_request(Control& control,
                                                          const RouteRequest& request);

}  // namespace r53::server
