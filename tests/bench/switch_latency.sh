#!/bin/sh
# How soon after the deciding probe DNS answers differently: the real r53sim, one HTTP check
# (FailureThreshold 1) on a loopback target that timestamps its responses, and a DNS poll loop
# (one query every ~50 us) that timestamps the first new answer. A single checker and the default
# fleet of 16, each at two probe intervals; min/median/max over FLIPS flips each way.
#
#   tests/bench/switch_latency.sh [BUILD_DIR]      (FLIPS=30, INTERVALS="100 500" in ms)
#
# As root it runs at NICE=-10 (NICE=0 to leave it): on a machine shared with builds, a thread that
# waits for a core adds milliseconds that are the neighbours', not r53sim's. Flips slower than
# 5 ms are broken down on stderr (a late publish, or a slow DNS round trip).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
flips=${FLIPS:-30}
intervals=${INTERVALS:-100 500}
cmake --build "$build" --target r53sim switch_latency_bench -j2 >/dev/null
work=$(mktemp -d /tmp/r53sim-switch.XXXXXX)
trap 'rm -rf "$work"' EXIT
nice_level=${NICE:--10}
run=""
[ "$(id -u)" = 0 ] && [ "$nice_level" != 0 ] && run="nice -n $nice_level"
status=0
for checkers in 1 16; do
    for interval in $intervals; do
        $run "$build/tests/bench/switch_latency_bench" --binary "$build/server/r53sim" --work "$work" \
            --checkers "$checkers" --interval-ms "$interval" --flips "$flips" || status=1
    done
done
exit $status
