#include "server/admin/metrics.hpp"

#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include <limits>

#include "server/admin/query_log_metrics.hpp"
#include "server/control/control.hpp"
#include "server/dns/query_counters.hpp"

namespace r53::server {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

const char* rcode_name(size_t rcode) {
    static const char* names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                  "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
                                  "NXRRSET", "NOTAUTH", "NOTZONE"};
    if (rcode < std::size(names)) return names[rcode];
    if (rcode == 16) return "BADVERS";
    return nullptr;
}

MetricFamily family(std::string name, std::string help, MetricType type) {
    MetricFamily f;
    f.name = std::move(name);
    f.help = std::move(help);
    f.type = type;
    return f;
}

ClientMetric value_metric(MetricType type, double v, std::vector<ClientMetric::Label> labels = {}) {
    ClientMetric m;
    m.label = std::move(labels);
    if (type == MetricType::Counter)
        m.counter.value = v;
    else
        m.gauge.value = v;
    return m;
}

// A Prometheus histogram from non-cumulative buckets whose last slot is above every bound.
template <typename Buckets, typename Bounds>
ClientMetric histogram_metric(const Buckets& buckets, const Bounds& bounds, double sum,
                              std::vector<ClientMetric::Label> labels = {}) {
    ClientMetric h;
    h.label = std::move(labels);
    uint64_t cumulative = 0;
    for (size_t i = 0; i < std::size(bounds); ++i) {
        cumulative += buckets[i];
        h.histogram.bucket.push_back({cumulative, static_cast<double>(bounds[i])});
    }
    cumulative += buckets[std::size(bounds)];
    h.histogram.bucket.push_back({cumulative, std::numeric_limits<double>::infinity()});
    h.histogram.sample_count = cumulative;
    h.histogram.sample_sum = sum;
    return h;
}

void add_query_families(const QueryCountersSnapshot& q, std::vector<MetricFamily>& out) {
    auto by_type = family("r53sim_dns_queries_total", "DNS queries answered, by query type.",
                          MetricType::Counter);
    for (size_t i = 0; i < q.by_qtype.size(); ++i)
        by_type.metric.push_back(value_metric(MetricType::Counter,
                                              static_cast<double>(q.by_qtype[i]),
                                              {{"qtype", kQtypeBucketNames[i]}}));
    out.push_back(std::move(by_type));

    auto by_rcode = family("r53sim_dns_responses_total", "DNS responses sent, by response code.",
                           MetricType::Counter);
    for (size_t i = 0; i < q.by_rcode.size(); ++i) {
        const char* name = rcode_name(i);
        if (name == nullptr && q.by_rcode[i] == 0) continue;
        by_rcode.metric.push_back(value_metric(MetricType::Counter,
                                               static_cast<double>(q.by_rcode[i]),
                                               {{"rcode", name ? name : std::to_string(i)}}));
    }
    out.push_back(std::move(by_rcode));

    auto by_transport = family("r53sim_dns_queries_by_transport_total",
                               "DNS queries answered, by transport.", MetricType::Counter);
    by_transport.metric.push_back(value_metric(
        MetricType::Counter, static_cast<double>(q.by_transport[0]), {{"transport", "udp"}}));
    by_transport.metric.push_back(value_metric(
        MetricType::Counter, static_cast<double>(q.by_transport[1]), {{"transport", "tcp"}}));
    out.push_back(std::move(by_transport));

    auto latency = family("r53sim_dns_response_duration_seconds",
                          "Time from receiving a query to handing its response to the kernel.",
                          MetricType::Histogram);
    latency.metric.push_back(histogram_metric(q.latency_buckets, kLatencyBucketBounds,
                                              static_cast<double>(q.latency_sum_ns) / 1e9));
    out.push_back(std::move(latency));

    auto simple = [&](const char* name, const char* help, uint64_t v) {
        auto f = family(name, help, MetricType::Counter);
        f.metric.push_back(value_metric(MetricType::Counter, static_cast<double>(v)));
        out.push_back(std::move(f));
    };
    simple("r53sim_dns_truncated_total", "UDP responses sent with TC=1.", q.truncated);
    simple("r53sim_dns_dropped_total", "Packets never answered (QR=1, too short, send failed).",
           q.dropped);
    simple("r53sim_dns_malformed_total", "Malformed queries answered FORMERR.", q.formerr);
    simple("r53sim_dns_tcp_connections_total", "TCP connections accepted.", q.tcp_connections);
    simple("r53sim_dns_tcp_accept_paused_total",
           "Times the TCP listener stopped accepting at the connection cap (newcomers wait in "
           "the kernel backlog).",
           q.tcp_accept_paused);
    auto closed = family("r53sim_dns_tcp_closed_total",
                         "TCP connections the server ended, by reason.", MetricType::Counter);
    for (size_t i = 0; i < q.tcp_closed.size(); ++i)
        closed.metric.push_back(value_metric(MetricType::Counter,
                                             static_cast<double>(q.tcp_closed[i]),
                                             {{"reason", kTcpCloseReasonNames[i]}}));
    out.push_back(std::move(closed));
}

void add_health_families(Control& control, std::vector<MetricFamily>& out) {
    auto statuses = control.health_statuses();
    auto status =
        family("r53sim_health_check_status",
               "Health check status as DNS sees it: 1 healthy, 0 unhealthy.", MetricType::Gauge);
    auto percentage = family("r53sim_health_check_percentage_healthy",
                             "Percentage of the check's virtual checkers that report healthy.",
                             MetricType::Gauge);
    auto forced =
        family("r53sim_health_check_forced",
               "1 while the check's verdict is forced through the admin API.", MetricType::Gauge);
    auto transitions = family("r53sim_health_check_transitions_total",
                              "Changes of the check's status.", MetricType::Counter);
    auto probes =
        family("r53sim_health_probes_total",
               "Probes run by the check's virtual checkers, by result.", MetricType::Counter);
    auto probe_duration =
        family("r53sim_health_probe_duration_seconds", "Time from starting a probe to its outcome.",
               MetricType::Histogram);
    for (const auto& s : statuses) {
        std::vector<ClientMetric::Label> labels{{"health_check_id", s.id}, {"type", s.type}};
        for (size_t i = 0; i < s.probes.by_result.size(); ++i) {
            auto with_result = labels;
            with_result.push_back({"result", health::kProbeResultKindNames[i]});
            probes.metric.push_back(value_metric(
                MetricType::Counter, static_cast<double>(s.probes.by_result[i]), with_result));
        }
        probe_duration.metric.push_back(histogram_metric(s.probes.duration_buckets,
                                                         health::kProbeDurationBounds,
                                                         s.probes.duration_seconds_sum, labels));
        status.metric.push_back(value_metric(MetricType::Gauge, s.healthy ? 1 : 0, labels));
        percentage.metric.push_back(value_metric(MetricType::Gauge, s.percentage_healthy, labels));
        forced.metric.push_back(value_metric(MetricType::Gauge, s.forced ? 1 : 0, labels));
        transitions.metric.push_back(
            value_metric(MetricType::Counter, static_cast<double>(s.transitions), labels));
    }
    out.push_back(std::move(status));
    out.push_back(std::move(percentage));
    out.push_back(std::move(forced));
    out.push_back(std::move(transitions));
    out.push_back(std::move(probes));
    out.push_back(std::move(probe_duration));
}

void add_process_families(Control& control, std::vector<MetricFamily>& out) {
    const auto& c = control.reload_counters();
    auto reloads = family("r53sim_config_reloads_total", "Config reloads that took effect.",
                          MetricType::Counter);
    reloads.metric.push_back(
        value_metric(MetricType::Counter, static_cast<double>(c.reloads.load())));
    out.push_back(std::move(reloads));
    auto failures =
        family("r53sim_config_reload_failures_total",
               "Config reloads rejected; the previous config kept serving.", MetricType::Counter);
    failures.metric.push_back(
        value_metric(MetricType::Counter, static_cast<double>(c.reload_failures.load())));
    out.push_back(std::move(failures));
    auto last = family("r53sim_config_last_reload_success_timestamp_seconds",
                       "When the config last reloaded successfully (0: never).", MetricType::Gauge);
    last.metric.push_back(value_metric(MetricType::Gauge, c.last_reload_success_time.load()));
    out.push_back(std::move(last));

    auto build = family("r53sim_build_info", "Version of the running r53sim.", MetricType::Gauge);
    build.metric.push_back(value_metric(MetricType::Gauge, 1, {{"version", R53SIM_VERSION}}));
    out.push_back(std::move(build));

    auto config = control.config();
    auto zones =
        family("r53sim_config_hosted_zones", "Hosted zones being served.", MetricType::Gauge);
    zones.metric.push_back(
        value_metric(MetricType::Gauge, config ? static_cast<double>(config->zones.size()) : 0));
    out.push_back(std::move(zones));

    if (auto live = control.snapshots_live()) {
        auto snapshots = family("r53sim_snapshots_live",
                                "Serving snapshots not yet freed: the current one plus replaced "
                                "ones a DNS worker may still read.",
                                MetricType::Gauge);
        snapshots.metric.push_back(value_metric(MetricType::Gauge, static_cast<double>(*live)));
        out.push_back(std::move(snapshots));
    }
}

}  // namespace

std::string render_metrics(Control& control) {
    std::vector<MetricFamily> families;
    add_query_families(control.query_counters(), families);
    add_health_families(control, families);
    add_process_families(control, families);
    add_query_log_families(control, families);
    return prometheus::TextSerializer().Serialize(families);
}

}  // namespace r53::server
