#!/bin/sh
# Many checks on one engine thread: 10,000 HTTP and 1,000 HTTPS checks (a TLS session per probe)
# at a 1 s interval against loopback servers for 60 s, then a fast-clock run of an hour's worth of
# probes (3,600 per check at a 10 ms interval) that must leave no socket open. Prints the engine's CPU share,
# RSS, open fds and sockets, and the probe-interval jitter p50/p99.
#
#   tests/bench/many_checks.sh [BUILD_DIR]     (HTTP=N HTTPS=N SECONDS=N override the first run)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
cmake --build "$build" --target many_checks_bench -j2 >/dev/null
bench=$build/tests/bench/many_checks_bench
echo "== ${HTTP:-10000} HTTP + ${HTTPS:-1000} HTTPS checks at 1 s"
"$bench" --http "${HTTP:-10000}" --https "${HTTPS:-1000}" --interval 1 --seconds "${SECONDS_RUN:-60}"
echo "== fast clock: an hour of 1 s probes (3,600 per check) for 100 HTTP + 10 HTTPS checks"
# The interval counts from the last response (§1.4), so 10 ms intervals come at less than 100/s:
# the run lasts long enough for 3,600 probes per check at the rate this machine reaches.
"$bench" --http 100 --https 10 --interval 0.01 --seconds "${FAST_SECONDS:-170}"
