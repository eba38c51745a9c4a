#!/usr/bin/env bash
# Pulls a live RTMP stream (rtmp2src) and publishes a live HLS ladder with a 6-segment window,
# deleting segments that leave it. Ends when the publisher stops (or on Ctrl-C, with -e).
#   examples/rtmp-pull-to-hls.sh rtmp://HOST/APP/STREAM OUTDIR [PROFILES]
set -euo pipefail
source "$(dirname "$0")/env.sh"
url=$1 out=$2 profiles=${3:-P360p30fps16x9,P240p30fps16x9}
gst-launch-1.0 -q -e rtmp2src location="$url" ! flvdemux name=demux \
  demux.video ! $LP_Q ! h264parse ! lpsegmenter name=seg \
  ! lptranscodebin profiles="$profiles" include-source=true \
  ! lps3sink location="$out" playlist-length=6 delete-segments=true \
  demux.audio ! $LP_Q ! aacparse ! seg.audio
echo "$out/index.m3u8"
