// GET /v1/queries?name=&type=&since=&limit=: the last queries the DNS workers answered, from the
// query log's in-memory rings, oldest first, in Route 53's query-log fields.
#pragma once

#include "server/http/http_types.hpp"

namespace r53::server {

class Control;

HttpResponse handle_queries(Control& control, const RouteRequest& request);

}  // namespace r53::server
