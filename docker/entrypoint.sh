#!/bin/sh
# Runs r53sim with the given arguments. R53SIM_CONFIG_YAML, when set, is the whole configuration:
# CI service containers start before the repository is checked out, so they cannot mount a file.
set -eu
if [ -n "${R53SIM_CONFIG_YAML:-}" ]; then
  config_file="${TMPDIR:-/tmp}/r53sim-config.yaml"
  printf '%s\n' "$R53SIM_CONFIG_YAML" > "$config_file"
  R53SIM_CONFIG="$config_file"
  export R53SIM_CONFIG
fi
exec r53sim "$@"
