#!/usr/bin/env bash
# Large zones: time from start to the ready file and memory, for zones of 10,000 / 100,000 /
# 1,000,000 record sets (mixed: simple, weighted pairs, failover pairs with health checks; see
# gen_zone.py), then a reload of the largest one under a steady DNS load (dnsperf, bounded):
# queries lost, and the p99.9 latency before and during the reload.
#
#   tests/bench/large_zone.sh [SIZES...]     (default: 10000 100000 1000000)
#
# The YAML parser (yaml-cpp) needs about 8 KB and 100 µs per record set: 1,000,000 takes about
# 8 GB of memory, so give smaller sizes on a small machine.
#
# R53SIM_BINARY=path/to/r53sim (default build/server/r53sim); RELOAD_SIZE (default: the largest
# size given); QPS (default 2000). Needs dnsperf and python3. Loopback only.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
binary=${R53SIM_BINARY:-$source_dir/build/server/r53sim}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000 1000000)
reload_size=${RELOAD_SIZE:-${sizes[-1]}}
qps=${QPS:-2000}
work=$(mktemp -d /tmp/r53sim-large-zone.XXXXXX)
server=""
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    [ -n "${KEEP_WORK:-}" ] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
for tool in dnsperf python3; do
    command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }
done
[ -x "$binary" ] || { echo "r53sim binary not found: $binary (set R53SIM_BINARY)" >&2; exit 2; }

now() { date +%s.%N; }
kb() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status"; }

# Starts r53sim on $1 and waits for the ready file (bounded); sets $server and $ready_seconds.
start_server() {
    rm -f "$work/ready.json"
    local t0; t0=$(now)
    "$binary" serve -c "$1" --dns 127.0.0.1:0 --admin 127.0.0.1:0 --ready-file "$work/ready.json" \
        --log-level error >"$work/log" 2>&1 &
    server=$!
    for _ in $(seq 1 6000); do
        [ -s "$work/ready.json" ] && break
        kill -0 "$server" 2>/dev/null || { cat "$work/log" >&2; exit 1; }
        sleep 0.1
    done
    [ -s "$work/ready.json" ] || { echo "not ready after 600 s" >&2; exit 1; }
    ready_seconds=$(echo "$(now) - $t0" | bc)
}
stop_server() { kill "$server"; wait "$server" 2>/dev/null || true; server=""; }
port_of() { python3 -c "import json,sys; print(json.load(open('$work/ready.json'))['$1'].rsplit(':',1)[1])"; }

printf '%-10s %12s %14s %14s %12s\n' "records" "ready (s)" "peak RSS (MB)" "RSS ready (MB)" "bytes/record"
for n in "${sizes[@]}"; do
    python3 "$here/gen_zone.py" "$n" -o "$work/zone-$n.yaml"
    start_server "$work/zone-$n.yaml"
    sleep 1  # settle: the first probes start, the loader's temporaries are freed
    hwm=$(kb "$server" VmHWM); rss=$(kb "$server" VmRSS)
    printf '%-10s %12.2f %14d %14d %12d\n' "$n" "$ready_seconds" $((hwm / 1024)) $((rss / 1024)) \
        $((rss * 1024 / n))
    [ "$n" = "$reload_size" ] || stop_server
done

# Reload of the largest zone under load: names of all three kinds, queried at $qps.
[ -n "$server" ] || { python3 "$here/gen_zone.py" "$reload_size" -o "$work/zone-$reload_size.yaml"; start_server "$work/zone-$reload_size.yaml"; }
dns=$(port_of dns); admin=$(port_of admin)
grep -o 'Name: [a-z0-9]*\.big\.test\.' "$work/zone-$reload_size.yaml" | awk 'NR % 97 == 1 {print $2, "A"}' | head -5000 >"$work/queries.txt"

# p99.9 of one dnsperf -v run's per-query latencies, and its lost count.
summarize() {
    awk '$1 == ">" {print $NF}' "$1" | sort -g | awk '{v[NR] = $1} END {
        i = int(NR * 0.999); if (i < 1) i = 1; j = int(NR * 0.5); if (j < 1) j = 1;
        printf "%d answered, p50 %.3f ms, p99.9 %.3f ms, max %.3f ms", NR, v[j] * 1000, v[i] * 1000, v[NR] * 1000 }'
    printf ', lost %s\n' "$(awk '/Queries lost:/ {print $3}' "$1")"
}
steady_seconds=10
dnsperf -s 127.0.0.1 -p "$dns" -d "$work/queries.txt" -v -Q "$qps" -l "$steady_seconds" -t 2 >"$work/steady.txt" 2>&1
echo "steady, $qps qps for $steady_seconds s: $(summarize "$work/steady.txt")"

# The reload takes about as long as the start did; the load runs before, during and after it.
load_seconds=$(echo "$ready_seconds * 2 + 6" | bc | cut -d. -f1)
dnsperf -s 127.0.0.1 -p "$dns" -d "$work/queries.txt" -v -Q "$qps" -l "$load_seconds" -t 2 >"$work/reload.txt" 2>&1 &
perf_pid=$!
sleep 2
t0=$(now)
curl -sf -X POST "http://127.0.0.1:$admin/v1/reload" >"$work/reload-reply.json" || { echo "reload failed" >&2; cat "$work/reload-reply.json" >&2; }
reload_seconds=$(echo "$(now) - $t0" | bc)
wait "$perf_pid"
echo "reload of $reload_size record sets took $(printf '%.2f' "$reload_seconds") s; peak RSS $(( $(kb "$server" VmHWM) / 1024 )) MB"
echo "during reload, $qps qps for $load_seconds s: $(summarize "$work/reload.txt")"
