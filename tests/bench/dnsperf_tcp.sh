#!/usr/bin/env bash
# DNS over TCP and UDP with two workers, r53sim beside NSD in the same run, on the zone and query
# mix of dnsperf.sh (dnsperf_lib.sh). Three rounds, each NSD then r53sim:
#   - UDP with two workers (NSD server-count 2, r53sim --workers 2), pinned to TWO_CORES;
#   - TCP pipelined (dnsperf -m tcp: 4 connections, 200 queries in flight), one worker, pinned;
#   - TCP with one query per connection (-O num-queries-per-conn=1, 200 clients: dnsperf waits
#     between its reconnects, so fewer clients leave the servers idle), one worker, pinned, for
#     at most 5 s.
#
#   tests/bench/dnsperf_tcp.sh [DURATION_SECONDS]  (R53SIM_BINARY=path/to/r53sim, default build/)
#
# Prints qps and server CPU per query for each; CPU per query is the figure to compare (with the
# servers and dnsperf sharing 2 cores, qps follows the CPU share each one gets).
duration=${1:-${DURATION:-10}}
source "$(dirname "$0")/dnsperf_lib.sh"
two_cores=${TWO_CORES:-0,1}

# Each dnsperf run sends from its own loopback address: the connections of the one-per-connection
# runs leave tens of thousands of client ports in TIME_WAIT, which would slow the next run's
# connects. Those runs last at most 5 s, so that one address's ports suffice.
source_index=20

# round NAME NSD_COUNT R53SIM_WORKERS CORES SECONDS [DNSPERF_ARGS...]
round() {
    local name=$1 count=$2 workers=$3 cores=$4 full=$duration
    duration=$5
    shift 5
    start_nsd "$count" "$cores"
    run_dnsperf "nsd-$name" "$nsd_port" "$nsd_pid" "$work/queries.txt" "$@" -a "127.0.0.$((source_index++))"
    stop_server "$nsd_pid"
    start_r53sim "$work/r53sim.yaml" "$cores" --workers "$workers"
    run_dnsperf "r53sim-$name" "$sim_port" "$sim_pid" "$work/queries.txt" "$@" -a "127.0.0.$((source_index++))"
    stop_server "$sim_pid"
    duration=$full
}

short=$((duration < 5 ? duration : 5))
round udp-2-workers 2 2 "$two_cores" "$duration"
round tcp-pipelined 1 1 "$server_core" "$duration" -m tcp
round tcp-1-per-connection 1 1 "$server_core" "$short" -m tcp -O num-queries-per-conn=1 -c 200
