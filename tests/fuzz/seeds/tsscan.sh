#!/usr/bin/env bash
# Seeds for fuzz-tsscan: small real segments (H.264 + AAC, and video only).
set -euo pipefail
out=$1
ffmpeg -v error -y -f lavfi -i testsrc2=size=64x64:rate=10 -f lavfi -i sine=sample_rate=8000 \
  -t 0.5 -c:v libx264 -g 5 -c:a aac -b:a 16k -f mpegts "$out/av.ts"
ffmpeg -v error -y -f lavfi -i testsrc2=size=64x64:rate=10 -t 0.3 -c:v libx264 -g 3 \
  -f mpegts "$out/v.ts"
