#!/usr/bin/env bash
# The gst-launch examples in examples/ work as written.
source "$(dirname "$0")/lib.sh"
ex="$LP_SOURCE_ROOT/examples"
make_clip "$WORK/in.ts" 4 -c:v libx264 -g 30 -c:a aac -f mpegts
master=$("$ex/file-to-hls.sh" "$WORK/in.ts" "$WORK/file" | tail -n 1)
assert_plays "$master"
[ "$(grep -c EXT-X-STREAM-INF "$master")" -eq 3 ] || fail "file example: expected 3 variants"

master=$("$ex/live-source-to-hls.sh" "$WORK/live" 4 | tail -n 1)
assert_plays "$master"
[ "$(grep -c EXTINF "$WORK/live/source.m3u8")" -eq 2 ] || fail "live example: expected 2 segments"
echo "examples OK"
