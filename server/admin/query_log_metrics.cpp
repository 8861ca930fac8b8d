#include "server/admin/query_log_metrics.hpp"

#include "server/control/control.hpp"

namespace r53::server {

void add_query_log_families(Control& control, std::vector<prometheus::MetricFamily>& out) {
    const auto stats = control.query_log_stats();
    if (!stats) return;
    auto counter = [&](const char* name, const char* help, uint64_t value) {
        prometheus::MetricFamily f;
        f.name = name;
        f.help = help;
        f.type = prometheus::MetricType::Counter;
        prometheus::ClientMetric m;
        m.counter.value = static_cast<double>(value);
        f.metric.push_back(m);
        out.push_back(std::move(f));
    };
    counter("r53sim_dns_query_log_lines_total", "Queries written to the --query-log file.",
            stats->written);
    counter("r53sim_dns_query_log_lost_total",
            "Queries the query-log writer missed: overwritten in a worker's ring before it read "
            "them, or with no file open.",
            stats->lost);
}

}  // namespace r53::server
