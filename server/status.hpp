// `r53sim status`: a terminal table of a running server's zones (each record group's answer
// now), health checks (state, % of checkers healthy, last change) and recent transitions, read
// from its admin API. --watch redraws every --interval seconds; colours only on a terminal.
#pragma once

#include <boost/json.hpp>
#include <string>

#include "server/cli.hpp"

namespace r53::server {

int run_status(const CliOptions& options);

// The table for one fetch of /v1/answers, /v1/health-checks and /v1/events/history. `now` is
// unix seconds (for "5s ago"); `colour` adds ANSI colours.
std::string render_status(const std::string& admin, const boost::json::value& answers,
                          const boost::json::value& checks, const boost::json::value& history,
                          double now, bool colour);

}  // namespace r53::server
