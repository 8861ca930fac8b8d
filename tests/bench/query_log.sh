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
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
binary=${R53SIM_BINARY:-$source_dir/build/server/r53sim}
server_core=${SERVER_CORE:-0}
client_core=${CLIENT_CORE:-1}
work=$(mktemp -d /tmp/r53sim-bench-querylog.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    [ -n "${KEEP_WORK:-}" ] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

for tool in nsd dnsperf taskset curl; do
    command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }
done
[ -x "$binary" ] || { echo "r53sim binary not found: $binary (set R53SIM_BINARY)" >&2; exit 2; }

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The zone and query mix of tests/bench/dnsperf.sh.
soa="ns1.example.com. hostmaster.example.com. 1 7200 900 1209600 86400"
cat > "$work/example.com.zone" <<ZONE
\$ORIGIN example.com.
@ 900 IN SOA $soa
@ 172800 IN NS ns1.example.com.
@ 172800 IN NS ns2.example.com.
ns1 300 IN A 192.0.2.53
ns2 300 IN A 192.0.2.54
www 300 IN A 192.0.2.1
www 300 IN A 192.0.2.2
www 300 IN AAAA 2001:db8::1
mail 300 IN A 192.0.2.25
@ 300 IN MX 10 mail.example.com.
txt 300 IN TXT "hello world"
ZONE
cat > "$work/r53sim.yaml" <<YAML
local: {workers: 1}
hosted_zones:
  - Name: example.com
    Id: ZBENCHQUERYLOG
    ResourceRecordSets:
      - {Name: example.com, Type: SOA, TTL: 900, ResourceRecords: [{Value: "$soa"}]}
      - {Name: example.com, Type: NS, TTL: 172800, ResourceRecords: [{Value: ns1.example.com.}, {Value: ns2.example.com.}]}
      - {Name: ns1.example.com, Type: A, TTL: 300, ResourceRecords: [{Value: 192.0.2.53}]}
      - {Name: ns2.example.com, Type: A, TTL: 300, ResourceRecords: [{Value: 192.0.2.54}]}
      - {Name: www.example.com, Type: A, TTL: 300, ResourceRecords: [{Value: 192.0.2.1}, {Value: 192.0.2.2}]}
      - {Name: www.example.com, Type: AAAA, TTL: 300, ResourceRecords: [{Value: "2001:db8::1"}]}
      - {Name: mail.example.com, Type: A, TTL: 300, ResourceRecords: [{Value: 192.0.2.25}]}
      - {Name: example.com, Type: MX, TTL: 300, ResourceRecords: [{Value: 10 mail.example.com.}]}
      - {Name: txt.example.com, Type: TXT, TTL: 300, ResourceRecords: [{Value: '"hello world"'}]}
YAML
cat > "$work/queries.txt" <<QUERIES
www.example.com A
www.example.com AAAA
mail.example.com A
example.com MX
txt.example.com TXT
example.com SOA
www.example.com MX
nope.example.com A
QUERIES

tree_pids() { echo "$1"; for c in $(pgrep -P "$1"); do tree_pids "$c"; done; }
cpu_ticks() {
    local total=0 p
    for p in $(tree_pids "$1"); do
        total=$((total + $(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}' || echo 0)))
    done
    echo "$total"
}

# measure NAME PORT PID: appends "NAME qps cpu_us_per_query" to the results
measure() {
    local name=$1 port=$2 pid=$3 before after
    before=$(cpu_ticks "$pid")
    taskset -c "$client_core" dnsperf -s 127.0.0.1 -p "$port" -d "$work/queries.txt" -l "$duration" \
        -c 4 -q 200 > "$work/$name.out" 2>&1
    after=$(cpu_ticks "$pid")
    awk -v n="$name" -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" '
        /Queries per second/ {q = $4} /Queries completed/ {c = $3}
        END { printf "%s %.0f %.2f\n", n, q, (c > 0 ? t / hz * 1e6 / c : 0) }' "$work/$name.out" \
        | tee -a "$work/results.txt"
}

nsd_port=$(free_port)
cat > "$work/nsd.conf" <<CONF
server:
  ip-address: 127.0.0.1@$nsd_port
  username: ""
  chroot: ""
  zonesdir: "$work"
  database: ""
  zonelistfile: "$work/zone.list"
  xfrdfile: "$work/xfrd.state"
  xfrdir: "$work"
  pidfile: "$work/nsd.pid"
  logfile: "$work/nsd.log"
  server-count: 1
  rrl-ratelimit: 0
  verbosity: 0
remote-control:
  control-enable: no
zone:
  name: example.com
  zonefile: "$work/example.com.zone"
CONF

run_nsd() {
    taskset -c "$server_core" nsd -d -c "$work/nsd.conf" > "$work/nsd.stdout" 2>&1 &
    local pid=$!
    pids+=("$pid")
    for _ in $(seq 100); do
        dig +short +time=1 +tries=1 -p "$nsd_port" @127.0.0.1 example.com SOA 2>/dev/null | grep -q hostmaster && break
        sleep 0.1
    done
    measure nsd "$nsd_port" "$pid"
    kill "$pid"; wait "$pid" 2>/dev/null || true
}

# run_r53sim NAME ARGS...: one measured run; a file run also reports the lines written and lost
run_r53sim() {
    local name=$1; shift
    rm -f "$work/ready.json" "$work"/queries.log*
    taskset -c "$server_core" "$binary" serve -c "$work/r53sim.yaml" --dns 127.0.0.1:0 \
        --admin 127.0.0.1:0 --ready-file "$work/ready.json" "$@" > "$work/r53sim.log" 2>&1 &
    local pid=$!
    pids+=("$pid")
    for _ in $(seq 200); do [ -s "$work/ready.json" ] && break; sleep 0.05; done
    [ -s "$work/ready.json" ] || { cat "$work/r53sim.log" >&2; exit 1; }
    local dns admin
    dns=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["dns"].rsplit(":",1)[1])' "$work/ready.json")
    admin=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["admin"])' "$work/ready.json")
    measure "$name" "$dns" "$pid"
    if [ -e "$work/queries.log" ]; then
        curl -s "http://$admin/metrics" | awk -v n="$name" '
            /^r53sim_dns_query_log_lines_total/ {w = $2} /^r53sim_dns_query_log_lost_total/ {l = $2}
            END { printf "  %s: %d lines written, %d lost\n", n, w, l }' >&2
    fi
    kill "$pid"; wait "$pid" 2>/dev/null || true
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
