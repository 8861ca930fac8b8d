#!/usr/bin/env bash
# What the query log costs: r53sim with logging off (--query-log-buffer 0), with the in-memory
# rings only (the default, for GET /v1/queries), and writing the file in text and in JSON lines,
# side by side with NSD on the same zone. Rounds interleave the servers so a busy machine weighs
# on all of them alike. Each server is pinned to one core (the query-log writer thread shares the
# worker's core, so its cost is in the figures) and dnsperf to another.
#
#   tests/bench/query_log.sh [DURATION_SECONDS]   (ROUNDS=3, R53SIM_BINARY=path/to/r53sim)
#
# Prints every run, then per server the median qps, server CPU per query, and qps relative to
# logging off.
set -euo pipefail

duration=${1:-${DURATION:-10}}
rounds=${ROUNDS:-3}
# The zone, query mix, CPU accounting and server start-up of tests/bench/dnsperf.sh.
. "$(cd "$(dirname "$0")" && pwd)/dnsperf_lib.sh"
command -v curl >/dev/null || { echo "missing curl" >&2; exit 2; }

# measure NAME PORT PID: appends "NAME qps cpu_us_per_query" to the results
measure() {
    run_dnsperf "$1" "$2" "$3" | awk '{print $1, $3, $5}' | tee -a "$work/results.txt"
}

run_nsd() {
    start_nsd 1
    measure nsd "$nsd_port" "$nsd_pid"
    stop_server "$nsd_pid"
}

# run_r53sim NAME ARGS...: one measured run; a file run also reports the lines written and lost
run_r53sim() {
    local name=$1; shift
    rm -f "$work"/queries.log*
    start_r53sim "$work/r53sim.yaml" "$server_core" "$@"
    measure "$name" "$sim_port" "$sim_pid"
    if [ -e "$work/queries.log" ]; then
        local admin
        admin=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["admin"])' "$work/ready.json")
        curl -s "http://$admin/metrics" | awk -v n="$name" '
            /^r53sim_dns_query_log_lines_total/ {w = $2} /^r53sim_dns_query_log_lost_total/ {l = $2}
            END { printf "  %s: %d lines written, %d lost\n", n, w, l }' >&2
    fi
    stop_server "$sim_pid"
}

: > "$work/results.txt"
for round in $(seq "$rounds"); do
    echo "round $round" >&2
    run_nsd
    run_r53sim r53sim-log-off --query-log-buffer 0
    run_r53sim r53sim-rings
    run_r53sim r53sim-file-text --query-log "$work/queries.log"
    run_r53sim r53sim-file-json --query-log "$work/queries.log" --query-log-format json
done

echo
echo "median over $rounds rounds of ${duration}s:"
awk '
    { qps[$1] = qps[$1] " " $2; cpu[$1] = cpu[$1] " " $3; if (!($1 in seen)) { order[++n] = $1; seen[$1] = 1 } }
    function median(list,   a, k, i, j, t) {
        k = split(list, a, " ")
        for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
        return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
    }
    END {
        off = median(qps["r53sim-log-off"])
        printf "%-18s %10s %18s %14s\n", "server", "qps", "cpu_us_per_query", "qps_vs_off"
        for (i = 1; i <= n; i++) {
            s = order[i]; q = median(qps[s])
            printf "%-18s %10.0f %18.2f %14.3f\n", s, q, median(cpu[s]), (off > 0 ? q / off : 0)
        }
    }' "$work/results.txt"
