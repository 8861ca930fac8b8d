#!/bin/sh
# `make run`: the two-region failover demo. Starts two HTTPS endpoints on loopback standing for
# us-east-1 and eu-west-1, then r53sim in the foreground; Ctrl-C stops everything.
set -eu
BINARY=${1:?usage: run-demo.sh PATH/TO/r53sim}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=${R53SIM_DEMO_DIR:-/tmp/r53sim-demo}
SCALE=${R53SIM_DEMO_TIME_SCALE:-0.1}
mkdir -p "$WORK"
rm -f "$WORK"/*.down

if [ ! -f "$WORK/cert.pem" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=my-alb.amazonaws.com" \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
fi

pids=""
cleanup() { [ -n "$pids" ] && kill $pids 2>/dev/null; true; }
trap cleanup EXIT INT TERM

for region in us-east-1:127.0.0.11 eu-west-1:127.0.0.12; do
  name=${region%%:*}; addr=${region#*:}
  /usr/bin/python3 "$HERE/endpoint.py" --name "$name" --addr "$addr" --port 8443 \
    --cert "$WORK/cert.pem" --key "$WORK/key.pem" --down-file "$WORK/$name.down" \
    > "$WORK/$name.log" 2>&1 &
  pids="$pids $!"
done

cat <<MSG

r53sim demo: app.example.com fails over from us-east-1 (127.0.0.11) to eu-west-1 (127.0.0.12).
Health checks run every 10 s x $SCALE (time scale), FailureThreshold 3.

  Ask:                 dig @127.0.0.1 -p 1053 app.example.com +short
  Take us-east-1 down: touch $WORK/us-east-1.down     (its /health answers 503)
  Bring it back:       rm $WORK/us-east-1.down
  Why this answer:     curl -s 'http://127.0.0.1:8053/v1/explain?name=app.example.com&type=A'
  Force a state:       curl -s -X PUT -d '{"status":"unhealthy"}' http://127.0.0.1:8053/v1/health-checks/hc-us-east-1/override
  Health:              curl -s http://127.0.0.1:8053/v1/health-checks/hc-us-east-1

MSG
"$BINARY" serve -c "$HERE/two-region.yaml" --time-scale "$SCALE"
