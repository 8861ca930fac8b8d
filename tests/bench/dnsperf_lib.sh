# Shared by the dnsperf benchmarks (dnsperf.sh, dnsperf_tcp.sh): the zone as an NSD zone file and
# as r53sim YAML, CPU accounting, and starting NSD, r53sim and dnsperf pinned to cores.
# Source it after setting `duration` (seconds per dnsperf run); it sets up `work` and its cleanup.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
binary=${R53SIM_BINARY:-$source_dir/build/server/r53sim}
server_core=${SERVER_CORE:-0}
client_core=${CLIENT_CORE:-1}
work=$(mktemp -d /tmp/r53sim-bench.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    [ -n "${KEEP_WORK:-}" ] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

for tool in nsd dnsperf taskset; do
    command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }
done
[ -x "$binary" ] || { echo "r53sim binary not found: $binary (set R53SIM_BINARY)" >&2; exit 2; }

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The zone, once in zone-file form and once as r53sim YAML.
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
# The same zone plus a failover pair whose answer depends on live health at every query.
{ cat "$work/r53sim.yaml"; cat <<YAML
      - {Name: app.example.com, Type: A, SetIdentifier: primary, Failover: PRIMARY, HealthCheckId: hc-primary, TTL: 60, ResourceRecords: [{Value: 192.0.2.10}]}
      - {Name: app.example.com, Type: A, SetIdentifier: secondary, Failover: SECONDARY, HealthCheckId: hc-secondary, TTL: 60, ResourceRecords: [{Value: 192.0.2.20}]}
health_checks:
  hc-primary:
    HealthCheckConfig: {Type: CLOUDWATCH_METRIC, AlarmIdentifier: {Region: us-east-1, Name: primary}, InsufficientDataHealthStatus: Healthy}
    local: {state: OK}
  hc-secondary:
    HealthCheckConfig: {Type: CLOUDWATCH_METRIC, AlarmIdentifier: {Region: us-east-1, Name: secondary}, InsufficientDataHealthStatus: Healthy}
    local: {state: OK}
YAML
} > "$work/r53sim-failover.yaml"
echo "app.example.com A" > "$work/queries-failover.txt"
# A mix of positive answers, NODATA and NXDOMAIN.
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

# CPU ticks (user + system) of a process and all its descendants: NSD serves from a child.
tree_pids() { echo "$1"; for c in $(pgrep -P "$1"); do tree_pids "$c"; done; }
cpu_ticks() {
    local total=0 p
    for p in $(tree_pids "$1"); do
        # utime + stime; the command name may contain spaces ("nsd: server 1"), so skip past it.
        total=$((total + $(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}' || echo 0)))
    done
    echo "$total"
}

# run_dnsperf NAME PORT PID [QUERIES [DNSPERF_ARGS...]]: prints "NAME qps cpu_us_per_query";
# extra arguments go to dnsperf (-m tcp, -O num-queries-per-conn=1).
run_dnsperf() {
    local name=$1 port=$2 pid=$3 queries=${4:-$work/queries.txt} before after qps completed
    shift $(($# < 4 ? $# : 4))
    before=$(cpu_ticks "$pid")
    taskset -c "$client_core" dnsperf -s 127.0.0.1 -p "$port" -d "$queries" -l "$duration" \
        -c 4 -q 200 "$@" > "$work/$name.out" 2>&1
    after=$(cpu_ticks "$pid")
    qps=$(awk '/Queries per second/ {print $4}' "$work/$name.out")
    completed=$(awk '/Queries completed/ {print $3}' "$work/$name.out")
    local hz; hz=$(getconf CLK_TCK)
    awk -v n="$name" -v q="$qps" -v c="$completed" -v t=$((after - before)) -v hz="$hz" \
        'BEGIN { printf "%s qps %.0f cpu_us_per_query %.2f\n", n, q, (c > 0 ? t / hz * 1e6 / c : 0) }'
}

# start_nsd SERVER_COUNT [CORES]: NSD with that many server processes, pinned; sets nsd_pid and
# nsd_port.
start_nsd() {
    local count=$1 cores=${2:-$server_core}
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
  server-count: $count
  rrl-ratelimit: 0
  tcp-count: 256
  verbosity: 0
remote-control:
  control-enable: no
zone:
  name: example.com
  zonefile: "$work/example.com.zone"
CONF
    taskset -c "$cores" nsd -d -c "$work/nsd.conf" > "$work/nsd.stdout" 2>&1 &
    nsd_pid=$!
    pids+=("$nsd_pid")
    for _ in $(seq 100); do
        dig +short +time=1 +tries=1 -p "$nsd_port" @127.0.0.1 example.com SOA 2>/dev/null | grep -q hostmaster && break
        sleep 0.1
    done
}

# start_r53sim CONFIG [CORES [R53SIM_ARGS...]]: starts r53sim pinned, sets sim_pid and sim_port.
start_r53sim() {
    local config=$1 cores=${2:-$server_core}
    shift $(($# < 2 ? $# : 2))
    rm -f "$work/ready.json"
    taskset -c "$cores" "$binary" serve -c "$config" --dns 127.0.0.1:0 --admin 127.0.0.1:0 \
        --ready-file "$work/ready.json" "$@" > "$work/r53sim.log" 2>&1 &
    sim_pid=$!
    pids+=("$sim_pid")
    for _ in $(seq 200); do [ -s "$work/ready.json" ] && break; sleep 0.05; done
    [ -s "$work/ready.json" ] || { cat "$work/r53sim.log" >&2; exit 1; }
    sim_port=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["dns"].rsplit(":",1)[1])' "$work/ready.json")
}

# stop_server PID: ends a server this script started.
stop_server() {
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}
