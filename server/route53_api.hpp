// The Route 53 REST XML API under /2013-04-01/ (semantics §6), on the admin address.
#pragma once

#include "server/admin_http.hpp"

namespace r53::server {

class App;

HttpResponse handle_route53_request(App& app, const RouteRequest& request);

}  // namespace r53::server
