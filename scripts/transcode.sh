#!/usr/bin/env bash
# The main job: transcodes INPUT (a path or URL; with none, a test clip it makes itself) into an
# ABR HLS ladder under out/<name>/ and prints the master playlist's path as its last line.
# Installs what it needs (Debian packages, npm) and builds first. Extra options go to
# lp-transcode (see `build/examples/lp-transcode --help`).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh" >&2
"$root/scripts/build.sh" >/dev/null
export GST_PLUGIN_PATH_1_0="$root/build/gst${GST_PLUGIN_PATH_1_0:+:$GST_PLUGIN_PATH_1_0}"
exec "$root/build/examples/lp-transcode" "$@"
