#!/usr/bin/env bash
# A live source encoded on the spot: the test pattern (default) or a V4L2 camera. lpsegmenter
# asks x264enc for a keyframe at every segment boundary, so no fixed GOP is needed.
#   examples/live-source-to-hls.sh OUTDIR [SECONDS] [test|camera]
set -euo pipefail
source "$(dirname "$0")/env.sh"
out=$1 seconds=${2:-10} kind=${3:-test}
frames=$((seconds * 30))
if [ "$kind" = camera ]; then
  video="v4l2src device=${LP_CAMERA:-/dev/video0} num-buffers=$frames ! videoconvert ! videoscale ! videorate"
  audio="audiotestsrc is-live=true wave=silence num-buffers=$((seconds * 47))"
else
  video="videotestsrc is-live=true num-buffers=$frames pattern=ball"
  audio="audiotestsrc is-live=true num-buffers=$((seconds * 47))"
fi
gst-launch-1.0 -q -e $video ! video/x-raw,width=1280,height=720,framerate=30/1,format=I420 \
  ! timeoverlay ! x264enc tune=zerolatency speed-preset=veryfast bitrate=3000 ! h264parse \
  ! lpsegmenter name=seg ! lptranscodebin include-source=true ! lps3sink location="$out" \
  $audio samplesperbuffer=1024 ! audio/x-raw,rate=48000,channels=2 ! audioconvert \
  ! avenc_aac ! aacparse ! seg.audio
echo "$out/index.m3u8"
