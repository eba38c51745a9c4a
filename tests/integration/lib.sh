# Shared by the integration tests: temp dirs, free ports, background servers, checks.
set -euo pipefail
: "${LP_SOURCE_ROOT:?run through meson test}"
: "${LP_BUILD_ROOT:?run through meson test}"
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -n "${LP_KEEP_TEMP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# The HLS tree at $1 plays end to end: ffmpeg decodes every stream and prints nothing.
assert_plays() {
  local out
  out=$(ffmpeg -v error -i "$1" -map 0 -f null - 2>&1) || fail "ffmpeg failed on $1: $out"
  [ -z "$out" ] || fail "ffmpeg reported problems on $1: $out"
}

# A clip: make_clip PATH SECONDS [extra ffmpeg output options...]
make_clip() {
  local path=$1 seconds=$2
  shift 2
  ffmpeg -v error -y -f lavfi -i testsrc2=size=640x360:rate=30 \
    -f lavfi -i sine=frequency=440:sample_rate=48000 -t "$seconds" "$@" "$path"
}
