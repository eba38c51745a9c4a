#!/usr/bin/env bash
# A clip damaged in the middle goes through the whole chain: warnings or an error, never a
# crash or a hang, and what was written before the damage still plays.
source "$(dirname "$0")/lib.sh"
make_clip "$WORK/in.ts" 8 -c:v libx264 -g 30 -c:a aac -f mpegts
size=$(stat -c %s "$WORK/in.ts")
python3 - "$WORK/in.ts" "$size" <<'PY'
import random, sys
path, size = sys.argv[1], int(sys.argv[2])
random.seed(5)
with open(path, "r+b") as f:
    for start in (size // 3, size // 2):  # two 20 kB stretches of noise
        f.seek(start)
        f.write(bytes(random.getrandbits(8) for _ in range(20000)))
PY
set +e
out=$(timeout 120 "$LP_BUILD_ROOT/examples/lp-transcode" --out "$WORK/hls" \
  --profiles P240p30fps16x9 "$WORK/in.ts" 2>&1)
rc=$?
set -e
[ "$rc" -lt 2 ] || fail "exit status $rc (crash or hang): $out"
[ -f "$WORK/hls/index.m3u8" ] || fail "nothing was written: $out"
n=$(grep -c EXTINF "$WORK/hls/P240p30fps16x9.m3u8")
[ "$n" -ge 2 ] || fail "expected most segments to survive, got $n"
ffmpeg -v error -i "$WORK/hls/P240p30fps16x9.m3u8" -f null - >/dev/null 2>&1 \
  || fail "the rendition does not decode"
echo "corrupt input OK (exit $rc, $n segments)"
