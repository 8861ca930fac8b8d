// The Route 53 REST XML API under /2013-04-01/ (semantics §6), on the admin address.
#pragma once

#include "server/http/http_types.hpp"

namespace r53::server {

class Control;

HttpResponse handle_route53_request(Control& control, const RouteRequest& request);

}  // namespace r53::server
