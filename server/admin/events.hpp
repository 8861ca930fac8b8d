// GET /v1/events: server-sent events (text/event-stream) pushed as they happen: health
// transitions, snapshot publishes, answer changes. Starts after Last-Event-ID (or ?since=ID), else
// with the next event. GET /v1/events/history: the kept events as JSON, for timelines.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "server/http/http_types.hpp"

namespace r53::server {

class Control;

boost::asio::awaitable<HttpResponse> handle_events(Control& control, const RouteRequest& request);
HttpResponse handle_event_history(Control& control, const RouteRequest& request);

// One event in the wire format of server-sent events.
struct Event;
std::string sse_frame(const Event& event);

}  // namespace r53::server
