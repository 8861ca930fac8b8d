// GET /v1/answers?client=ADDR: every hosted zone's record groups with the answer that client gets
// now, and each group's routing tree (failover, weighted, latency, ... and alias targets) with the
// branch taken marked, read from the same explain() trace /v1/explain shows. What the dashboard
// and `r53sim status` draw.
#pragma once

#include <string>
#include <vector>

#include "server/http/http_types.hpp"

namespace r53::server {

class Control;

HttpResponse handle_answers(Control& control, const RouteRequest& request);

// From an explain() trace: the labels (SetIdentifier, or "(simple)") chosen in each record group,
// keyed "owner type" ("app.example.com. A"), nested alias groups included.
std::vector<std::pair<std::string, std::string>> chosen_in_trace(
    const std::vector<std::string>& trace);

}  // namespace r53::server
