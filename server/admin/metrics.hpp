// /metrics in Prometheus text format. Everything is gathered at scrape time from per-thread
// counters and the engine's status, so the query path never touches a metrics library.
#pragma once

#include <string>

namespace r53::server {

class Control;

std::string render_metrics(Control& control);

}  // namespace r53::server
