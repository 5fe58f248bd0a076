#!/usr/bin/env bash
# Fetch the site's front-end libraries from the npm registry and copy the
# built files into src/minipublic/web/static/vendor/. The result is committed,
# so neither the site nor its tests fetch anything at run time (no CDN).
#
#   bash scripts/vendor_static.sh            # the pinned versions below
#
# Needs npm. Writes VERSIONS.txt beside the files with the version, licence
# and sha256 of each package tarball.
set -euo pipefail
cd "$(dirname "$0")/.."

HTMX_VERSION=2.0.11
CHARTJS_VERSION=4.6.1
dest=src/minipublic/web/static/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fetch() {  # fetch NAME VERSION -> unpacks into $work/NAME, prints the tarball path
  local name=$1 version=$2
  (cd "$work" && npm pack --silent "$name@$version" >/dev/null)
  local tgz
  tgz=$(ls "$work"/"${name%%.*}"*-"$version".tgz 2>/dev/null | head -1)
  [ -n "$tgz" ] || tgz=$(ls -t "$work"/*.tgz | head -1)
  mkdir -p "$work/$name"
  tar -xzf "$tgz" -C "$work/$name"
  echo "$tgz"
}

mkdir -p "$dest/htmx" "$dest/chartjs"
htmx_tgz=$(fetch htmx.org "$HTMX_VERSION")
cp "$work/htmx.org/package/dist/htmx.min.js" "$dest/htmx/htmx.min.js"
cp "$work/htmx.org/package/LICENSE" "$dest/htmx/LICENSE"

chart_tgz=$(fetch chart.js "$CHARTJS_VERSION")
cp "$work/chart.js/package/dist/chart.umd.min.js" "$dest/chartjs/chart.umd.min.js" 2>/dev/null \
  || cp "$work/chart.js/package/dist/chart.umd.js" "$dest/chartjs/chart.umd.min.js"
cp "$work/chart.js/package/LICENSE.md" "$dest/chartjs/LICENSE.md"

{
  echo "Front-end libraries vendored by scripts/vendor_static.sh from the npm registry."
  echo "package   version   licence   file   tarball sha256"
  echo "htmx.org  $HTMX_VERSION  $(node -p "require('$work/htmx.org/package/package.json').license")  htmx/htmx.min.js  $(sha256sum "$htmx_tgz" | cut -d' ' -f1)"
  echo "chart.js  $CHARTJS_VERSION  $(node -p "require('$work/chart.js/package/package.json').license")  chartjs/chart.umd.min.js  $(sha256sum "$chart_tgz" | cut -d' ' -f1)"
} > "$dest/VERSIONS.txt"
cat "$dest/VERSIONS.txt"
