#!/usr/bin/env bash
# Soak: dnsperf queries a failover record for SOAK_SECONDS while its primary's health check is
# forced unhealthy and released every FLIP_SECONDS (admin API override PUT/DELETE) and the config
# is reloaded every RELOAD_SECONDS, valid and invalid in turn (POST /v1/reload: 200, then 422).
# Reports lost queries, non-NOERROR answers, admin API errors, RSS and open fds at start and end;
# exits 1 when a query was lost, an answer or admin call was wrong, or fds grew.
#
#   tests/soak/soak.sh     (R53SIM_BINARY=path/to/r53sim, SOAK_SECONDS=600, SOAK_QPS=2000)
#
# The last line is machine-readable: "soak: key=value ...".
set -euo pipefail

seconds=${SOAK_SECONDS:-600}
qps=${SOAK_QPS:-2000}
flip_every=${FLIP_SECONDS:-2}
reload_every=${RELOAD_SECONDS:-3}
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
binary=${R53SIM_BINARY:-$source_dir/build/server/r53sim}
python=/usr/bin/python3
work=$(mktemp -d /tmp/r53sim-soak.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    [ -n "${KEEP_WORK:-}" ] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

command -v dnsperf >/dev/null || { echo "missing dnsperf" >&2; exit 2; }
command -v curl >/dev/null || { echo "missing curl" >&2; exit 2; }
[ -x "$binary" ] || { echo "r53sim binary not found: $binary (set R53SIM_BINARY)" >&2; exit 2; }

# A real HTTP endpoint for the primary's probes.
coproc ENDPOINT { exec "$python" "$source_dir/server/demo/endpoint.py" --name primary --port 0; }
pids+=("$ENDPOINT_PID")
read -r -t 20 listening _ endpoint_port <&"${ENDPOINT[0]}"
[ "$listening" = listening ] || { echo "endpoint did not start" >&2; exit 2; }

write_config() {  # $1 = generation (a TXT record changes with it), $2 = valid|invalid
    {
        cat <<YAML
hosted_zones:
  - Name: example.com
    ResourceRecordSets:
      - {Name: app.example.com, Type: A, SetIdentifier: primary, Failover: PRIMARY,
         HealthCheckId: hc-primary, TTL: 60, ResourceRecords: [{Value: 192.0.2.1}]}
      - {Name: app.example.com, Type: A, SetIdentifier: secondary, Failover: SECONDARY,
         TTL: 60, ResourceRecords: [{Value: 192.0.2.2}]}
      - {Name: gen.example.com, Type: TXT, TTL: 60, ResourceRecords: [{Value: '"$1"'}]}
health_checks:
  hc-primary:
    HealthCheckConfig: {Type: HTTP, IPAddress: 127.0.0.1, Port: $endpoint_port,
                        ResourcePath: /health, FailureThreshold: 1}
    local: {interval: 0.5s, connect_timeout: 1s, response_timeout: 1s}
YAML
        [ "$2" = invalid ] && echo "  hc-broken: {HealthCheckConfig: {Type: NOPE}}"
        true
    } > "$work/config.yaml.tmp"
    mv "$work/config.yaml.tmp" "$work/config.yaml"
}
write_config 0 valid

"$binary" serve -c "$work/config.yaml" --dns 127.0.0.1:0 --admin 127.0.0.1:0 \
    --ready-file "$work/ready.json" > "$work/r53sim.log" 2>&1 &
sim=$!
pids+=("$sim")
for _ in $(seq 200); do [ -s "$work/ready.json" ] && break; sleep 0.1; done
[ -s "$work/ready.json" ] || { cat "$work/r53sim.log" >&2; echo "r53sim not ready" >&2; exit 2; }
dns_port=$("$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["dns"].rsplit(":",1)[1])' "$work/ready.json")
admin=http://$("$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["admin"])' "$work/ready.json")

rss() { awk '/^VmRSS:/ {print $2}' "/proc/$sim/status"; }
fds() { ls "/proc/$sim/fd" | wc -l; }
admin_call() {  # method path [body] -> prints the HTTP status
    curl -s -o /dev/null -w '%{http_code}' -X "$1" ${3:+-H 'Content-Type: application/json' -d "$3"} \
        --max-time 10 "$admin$2" || echo 000
}

# Warm up until the primary has been probed, so the start figures include the probe engine.
for _ in $(seq 100); do
    curl -s "$admin/v1/health-checks/hc-primary" | grep -q '"has_data":true' && break
    sleep 0.1
done
rss_start=$(rss)
fds_start=$(fds)

printf 'app.example.com A\ngen.example.com TXT\napp.example.com AAAA\n' > "$work/queries"
dnsperf -s 127.0.0.1 -p "$dns_port" -d "$work/queries" -l "$seconds" -Q "$qps" -c 4 -t 2 \
    > "$work/dnsperf.out" 2>&1 &
perf=$!
pids+=("$perf")

flips=0 reloads=0 admin_errors=0 generation=0
started=$(date +%s)
next_flip=$((started + flip_every)) next_reload=$((started + reload_every))
while kill -0 "$perf" 2>/dev/null; do
    now=$(date +%s)
    if [ "$now" -ge "$next_flip" ]; then
        if [ $((flips % 2)) -eq 0 ]; then
            code=$(admin_call PUT /v1/health-checks/hc-primary/override '{"status":"unhealthy"}')
        else
            code=$(admin_call DELETE /v1/health-checks/hc-primary/override)
        fi
        [ "$code" = 200 ] || { admin_errors=$((admin_errors + 1)); echo "override: HTTP $code" >&2; }
        flips=$((flips + 1))
        next_flip=$((now + flip_every))
    fi
    if [ "$now" -ge "$next_reload" ]; then
        generation=$((generation + 1))
        if [ $((reloads % 2)) -eq 0 ]; then want=200; write_config "$generation" valid
        else want=422; write_config "$generation" invalid; fi
        code=$(admin_call POST /v1/reload)
        [ "$code" = "$want" ] || { admin_errors=$((admin_errors + 1)); echo "reload: HTTP $code, want $want" >&2; }
        reloads=$((reloads + 1))
        next_reload=$((now + reload_every))
    fi
    sleep 0.2
done
wait "$perf" || true
admin_call DELETE /v1/health-checks/hc-primary/override > /dev/null

# Connections of the last admin calls may still be closing: the end figure is the lowest seen.
fds_end=$(fds)
for _ in $(seq 20); do
    [ "$fds_end" -le "$fds_start" ] && break
    sleep 0.1
    now_fds=$(fds)
    [ "$now_fds" -lt "$fds_end" ] && fds_end=$now_fds
done
rss_end=$(rss)

out=$(cat "$work/dnsperf.out")
field() { echo "$out" | awk -v k="$1" '$0 ~ k {for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+$/) {print $i; exit}}'; }
sent=$(field "Queries sent:")
completed=$(field "Queries completed:")
lost=$(field "Queries lost:")
noerror=$(echo "$out" | awk '/Response codes:/ {for (i = 1; i <= NF; i++) if ($i == "NOERROR") {print $(i+1); exit}}')
noerror=${noerror:-0}
qps_achieved=$(echo "$out" | awk '/Queries per second:/ {print $4}')
not_noerror=$((completed - noerror))

status=0
[ "${sent:-0}" -gt 0 ] || { echo "dnsperf sent nothing:" >&2; echo "$out" >&2; status=1; }
[ "${lost:-1}" -eq 0 ] || status=1
[ "$not_noerror" -eq 0 ] || status=1
[ "$admin_errors" -eq 0 ] || status=1
[ "$fds_end" -le "$fds_start" ] || status=1
kill -0 "$sim" 2>/dev/null || { echo "r53sim died" >&2; status=1; }

echo "soak: seconds=$seconds qps=$qps_achieved sent=$sent completed=$completed lost=$lost" \
     "not_noerror=$not_noerror flips=$flips reloads=$reloads admin_errors=$admin_errors" \
     "rss_start_kib=$rss_start rss_end_kib=$rss_end fds_start=$fds_start fds_end=$fds_end" \
     "result=$([ $status -eq 0 ] && echo pass || echo fail)"
exit $status
