#!/usr/bin/env bash
# A file (any container with H.264 video and AAC audio) to an HLS ladder in a directory.
#   examples/file-to-hls.sh INPUT OUTDIR [PROFILES]
set -euo pipefail
source "$(dirname "$0")/env.sh"
input=$1 out=$2 profiles=${3:-P360p30fps16x9,P240p30fps16x9}
gst-launch-1.0 -q filesrc location="$input" ! parsebin name=demux \
  demux. ! $LP_Q ! h264parse ! lpsegmenter name=seg \
  ! lptranscodebin profiles="$profiles" include-source=true \
  ! lps3sink location="$out" playlist-length=0 \
  demux. ! $LP_Q ! aacparse ! seg.audio
echo "$out/index.m3u8"
