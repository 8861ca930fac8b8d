#!/bin/sh
# Runs r53sim with the given arguments, choosing the configuration:
#   1. R53SIM_CONFIG_YAML, when set, is the whole configuration: CI service containers start
#      before the repository is checked out, so they cannot mount a file.
#   2. Else /etc/r53sim/conf.d, when it holds *.yaml files (mounted; merged in name order),
#      unless R53SIM_CONFIG was pointed elsewhere.
#   3. Else R53SIM_CONFIG (the image's /etc/r53sim/config.yaml, or a file mounted over it).
# Change batches in R53SIM_SEED_DIR (/etc/r53sim/seeds) are applied at start; listen addresses
# a config does not give default to R53SIM_DEFAULT_DNS / R53SIM_DEFAULT_ADMIN (every interface).
set -eu
image_config=/etc/r53sim/config.yaml
conf_d=/etc/r53sim/conf.d
has_yaml() {
  for f in "$1"/*.yaml "$1"/*.yml; do
    [ -f "$f" ] && return 0
  done
  return 1
}
if [ -n "${R53SIM_CONFIG_YAML:-}" ]; then
  config_file="${TMPDIR:-/tmp}/r53sim-config.yaml"
  printf '%s\n' "$R53SIM_CONFIG_YAML" > "$config_file"
  R53SIM_CONFIG="$config_file"
  export R53SIM_CONFIG
elif [ "${R53SIM_CONFIG:-$image_config}" = "$image_config" ] && has_yaml "$conf_d"; then
  R53SIM_CONFIG="$conf_d"
  export R53SIM_CONFIG
fi
exec r53sim "$@"
