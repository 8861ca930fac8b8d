#!/bin/sh
# Builds OUT/venv: a virtual environment that sees Debian's pytest and boto3, with clients/python
# installed into it from a copy (pip builds in place, and the source tree stays untouched). No
# index and no build isolation: nothing is downloaded.
set -eu
source_dir=$1
out=$2
rm -rf "$out/venv" "$out/src"
mkdir -p "$out" "$out/tmp"
cp -R "$source_dir/clients/python" "$out/src"
/usr/bin/python3 -m venv --system-site-packages "$out/venv"
PIP_CONFIG_FILE=/dev/null "$out/venv/bin/python" -m pip install --quiet --no-index \
  --no-build-isolation --no-deps --no-cache-dir --disable-pip-version-check "$out/src"
"$out/venv/bin/python" -c 'import r53sim, importlib.metadata as m; print("r53sim", r53sim.__version__, [e.value for e in m.entry_points(group="pytest11") if e.name == "r53sim"])'
