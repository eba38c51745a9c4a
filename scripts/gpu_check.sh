#!/usr/bin/env bash
# Runs lptranscodebin's NVIDIA chains on a GPU machine with the bundle made by
# scripts/bundle_gstreamer.sh (in .device/gst). Writes what it saw to stdout and the HLS trees
# to $OUT (for checking with ffprobe where ffmpeg is installed).
set -uo pipefail
source .device/gst/env.sh
T=$(mktemp -d)
nvidia-smi -L
echo "== nvcodec features"
gst-inspect-1.0 nvcodec 2>&1 | grep -E "^ *(nv|cuda)" | sed 's/^ */  /'
echo "== make a 20 s 1080p30 H.264 clip"
gst-launch-1.0 -q videotestsrc num-buffers=600 pattern=smpte ! \
  video/x-raw,width=1920,height=1080,framerate=30/1,format=I420 ! timeoverlay ! \
  x264enc speed-preset=ultrafast key-int-max=60 bitrate=6000 ! h264parse ! mpegtsmux ! \
  filesink location=$T/in.ts || exit 1
ls -la $T/in.ts
for accel in auto nvidia; do
  echo "== accel=$accel"
  start=$(date +%s.%N)
  gst-launch-1.0 -m filesrc location=$T/in.ts ! tsdemux ! h264parse ! lpsegmenter ! \
    lptranscodebin accel=$accel include-source=true \
      profiles=P720p30fps16x9,P360p30fps16x9,P240p30fps16x9 ! \
    lps3sink location=$T/$accel playlist-length=0 2>&1 | \
    grep -E "lptranscodebin-accel|ERROR|WARN|error" | head -5
  end=$(date +%s.%N)
  echo "  wall $(python3 -c "print(f'{$end-$start:.2f}')") s for 20 s of 1080p30"
  cat $T/$accel/index.m3u8
  echo "  decode every rendition on the GPU:"
  for r in $T/$accel/*/; do
    n=0; bad=0
    for f in $r*.ts; do
      gst-launch-1.0 -q filesrc location=$f ! tsdemux ! h264parse ! nvh264dec ! fakesink \
        >/dev/null 2>&1 && n=$((n+1)) || bad=$((bad+1))
    done
    echo "    $(basename $r): $n segments decode, $bad fail"
  done
done
tar czf $OUT/hls.tgz -C $T auto nvidia
