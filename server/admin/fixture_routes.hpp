// The admin routes that test fixtures (the packages under clients/) are built on: the clock, the
// zones served, and a wait for a DNS answer, so a failover test needs no sleep (README "Admin
// API").
#pragma once

#include <boost/asio/awaitable.hpp>

#include "server/http/http_types.hpp"

namespace r53::server {

class Control;

// GET /v1/clock: {"mode": "real"|"scaled"|"manual", "now": seconds, "scale": factor}.
HttpResponse handle_clock(const Control& control);

// GET /v1/zones: every hosted zone served (config file and Route 53 API) with its record count.
HttpResponse handle_zones(const Control& control);

// POST /v1/wait {"name", "type", "client"?, "expected": [values], "timeout"?}: answers 200 once
// the routing core answers the question with exactly the expected values, else 408 with the last
// answer. Polls on an asynchronous timer, so the admin server's other requests go on meanwhile.
boost::asio::awaitable<HttpResponse> handle_wait_for_answer(Control& control,
                                                            const RouteRequest& request);

}  // namespace r53::server
