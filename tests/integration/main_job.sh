#!/usr/bin/env bash
# The quick start's main job (lp-transcode): with no input it makes a clip; with a file of any
# codec it encodes what is not H.264/AAC; the master playlist it prints plays.
source "$(dirname "$0")/lib.sh"
tool="$LP_BUILD_ROOT/examples/lp-transcode"
cd "$WORK"

master=$("$tool" --quiet | tail -n 1)
[ "$master" = "$WORK/out/testclip/index.m3u8" ] || fail "unexpected master path '$master'"
assert_plays "$master"
grep -c EXT-X-STREAM-INF "$master" | grep -qx 4 || fail "expected source + 3 renditions"
for r in source P720p30fps16x9 P360p30fps16x9 P240p30fps16x9; do
  grep -q '#EXT-X-ENDLIST' "$WORK/out/testclip/$r.m3u8" || fail "$r playlist not ended"
  [ "$(ls "$WORK/out/testclip/$r" | wc -l)" -eq 5 ] || fail "$r should have 5 segments"
done

# MPEG-4 part 2 video and MP3 audio in MP4: both get encoded before segmenting.
make_clip "$WORK/in.mp4" 4 -c:v mpeg4 -q:v 5 -c:a libmp3lame
master=$("$tool" --quiet --out "$WORK/mp4" --profiles P240p30fps16x9 "$WORK/in.mp4" | tail -n 1)
assert_plays "$master"
grep -q 'RESOLUTION=426x240' "$master" || fail "no 240p rendition"
grep -q 'mp4a.40.2' "$master" || fail "audio should have become AAC"

# A bad input is an error with a message and a non-zero status, not a crash or a hang.
echo "not a video" > "$WORK/junk.mp4"
set +e
msg=$("$tool" --quiet --out "$WORK/junk" "$WORK/junk.mp4" 2>&1)
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "junk input: expected exit 1, got $rc ($msg)"
echo "$msg" | grep -qi "error" || fail "junk input: no error message: $msg"
echo "main job OK"
