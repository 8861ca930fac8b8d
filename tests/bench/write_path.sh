#!/usr/bin/env bash
# Route 53 API writes against a large zone: per-change latency p50/p99, total time and /healthz
# latency while they run, beside the same changes made through a config reload.
#
#   tests/bench/write_path.sh [--records N] [--changes N] [--reloads N] [--time-limit S]
#
# Defaults: 10,000 single-record UPSERTs into a 100,000-record zone, 3 reloads.
# R53SIM_BINARY=path/to/r53sim (default build/server/r53sim).
set -euo pipefail
exec /usr/bin/python3 "$(cd "$(dirname "$0")" && pwd)/write_path.py" "$@"
