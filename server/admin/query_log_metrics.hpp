// The query-log file writer's counters in /metrics: lines written and entries lost (the writer
// fell a ring behind, or the file could not be opened). Only while a file is written.
#pragma once

#include <prometheus/metric_family.h>

#include <vector>

namespace r53::server {

class Control;

void add_query_log_families(Control& control, std::vector<prometheus::MetricFamily>& out);

}  // namespace r53::server
