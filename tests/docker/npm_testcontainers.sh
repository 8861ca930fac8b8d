#!/bin/sh
# Installs the npm testcontainers package (VERSION) into DIR/node_modules for the Testcontainers
# module's test: into the build tree, never the checkout, and only when DIR lacks that version.
set -eu
dir=${1:?usage: npm_testcontainers.sh DIR VERSION}
version=${2:?usage: npm_testcontainers.sh DIR VERSION}
installed=$(node -p "require('$dir/node_modules/testcontainers/package.json').version" 2>/dev/null || true)
if [ "$installed" = "$version" ]; then
  echo "npm_testcontainers: testcontainers $version already in $dir"
  exit 0
fi
mkdir -p "$dir"
[ -f "$dir/package.json" ] || echo '{"name": "r53sim-testcontainers-test", "private": true}' > "$dir/package.json"
npm install --prefix "$dir" --no-audit --no-fund --save-exact "testcontainers@$version"
