#!/bin/sh
# Probe engine benchmark: 5,000 HTTP checks at a 1 s interval against a loopback server for 60 s.
# Usage: tests/bench/health_probes.sh <build-dir> [extra health_probe_bench flags]
set -eu
build=${1:?build directory}
shift
cmake --build "$build" --target health_probe_bench -j2 >/dev/null
exec "$build/tests/bench/health_probe_bench" --checks 5000 --interval 1 --seconds 60 "$@"
