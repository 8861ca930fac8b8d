#!/usr/bin/env bash
# Throughput of r53sim against NSD on the same zone, on loopback. Each server is pinned to one
# core and dnsperf to another, for a fixed duration each; the last line is the ratio.
#
#   tests/bench/dnsperf.sh [DURATION_SECONDS]     (R53SIM_BINARY=path/to/r53sim, default build/)
#
# Needs nsd, dnsperf, taskset and at least 2 cores. Prints qps and server CPU per query.
# The zone, the CPU accounting and the server start-up are in dnsperf_lib.sh.
duration=${1:-${DURATION:-10}}
source "$(dirname "$0")/dnsperf_lib.sh"

# NSD, one server process, pinned.
start_nsd 1
nsd_line=$(run_dnsperf nsd "$nsd_port" "$nsd_pid")
stop_server "$nsd_pid"

# r53sim on the failover record: the routing core reads live health on every query.
start_r53sim "$work/r53sim-failover.yaml"
failover_line=$(run_dnsperf r53sim-failover "$sim_port" "$sim_pid" "$work/queries-failover.txt")
stop_server "$sim_pid"

# r53sim on the static mix, as NSD was.
start_r53sim "$work/r53sim.yaml"
sim_line=$(run_dnsperf r53sim "$sim_port" "$sim_pid")

echo "$nsd_line"
echo "$failover_line"
echo "$sim_line"
nsd_qps=$(echo "$nsd_line" | awk '{print $3}')
sim_qps=$(echo "$sim_line" | awk '{print $3}')
awk -v a="$sim_qps" -v b="$nsd_qps" 'BEGIN { printf "ratio r53sim/nsd %.3f\n", (b > 0 ? a / b : 0) }'
