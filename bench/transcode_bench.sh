#!/usr/bin/env bash
# Throughput of lptranscodebin against the ffmpeg CLI on the same 3-rendition ladder, and of
# lpsegmenter against `ffmpeg -c copy -f hls`. Runs alternate; medians are compared.
#   bench/transcode_bench.sh [RUNS]        (after scripts/build.sh)
# Equal settings on both sides: libx264 veryfast, P360p30fps16x9 (1200k), P240p30fps16x9
# (600k), P144p30fps16x9 (400k), VBV = 1 s at the bitrate, an IDR every 2 s (segment starts)
# and a keyint ceiling of 10 s, audio copied into every rendition, MPEG-TS out.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-3}
export GST_PLUGIN_PATH_1_0="$root/build/gst"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
in="$work/in.ts"
ffmpeg -v error -f lavfi -i testsrc2=size=1280x720:rate=30 -f lavfi -i sine=sample_rate=48000 \
  -t 30 -c:v libx264 -preset veryfast -b:v 4000k -g 60 -keyint_min 60 -sc_threshold 0 \
  -pix_fmt yuv420p -c:a aac -b:a 128k -f mpegts "$in"

time_of() {  # prints wall seconds of the command
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || { echo "command failed: $*" >&2; exit 1; }
  end=$(date +%s.%N)
  python3 -c "print(f'{$end - $start:.3f}')"
}

gst_ladder() {
  rm -rf "$work/gst"
  gst-launch-1.0 -q filesrc location="$in" ! tsdemux name=d d. ! queue ! h264parse \
    ! lpsegmenter name=s ! lptranscodebin accel=software \
      profiles=P360p30fps16x9,P240p30fps16x9,P144p30fps16x9 \
    ! lps3sink location="$work/gst" playlist-length=0 d. ! queue ! aacparse ! s.audio
}

ffmpeg_ladder() {
  local enc="-c:v libx264 -preset veryfast -g 300 -force_key_frames expr:gte(t,n_forced*2)"
  mkdir -p "$work/ff"
  # shellcheck disable=SC2086
  ffmpeg -v error -y -i "$in" -filter_complex \
    "[0:v]split=3[a][b][c];[a]scale=640:360[v1];[b]scale=426:240[v2];[c]scale=256:144[v3]" \
    -map "[v1]" -map 0:a $enc -b:v 1200k -maxrate 1200k -bufsize 1200k -c:a copy -f mpegts "$work/ff/360.ts" \
    -map "[v2]" -map 0:a $enc -b:v 600k -maxrate 600k -bufsize 600k -c:a copy -f mpegts "$work/ff/240.ts" \
    -map "[v3]" -map 0:a $enc -b:v 400k -maxrate 400k -bufsize 400k -c:a copy -f mpegts "$work/ff/144.ts"
}

gst_segment() {
  rm -rf "$work/gseg"
  gst-launch-1.0 -q filesrc location="$in" ! tsdemux name=d d. ! queue ! h264parse \
    ! lpsegmenter name=s ! lps3sink location="$work/gseg" playlist-length=0 \
    d. ! queue ! aacparse ! s.audio
}

ffmpeg_segment() {
  rm -rf "$work/fseg" && mkdir -p "$work/fseg"
  ffmpeg -v error -y -i "$in" -map 0 -c copy -f hls -hls_time 2 -hls_playlist_type vod \
    -hls_segment_filename "$work/fseg/%d.ts" "$work/fseg/index.m3u8"
}

median() { python3 -c "import statistics,sys; print(f'{statistics.median(map(float, sys.argv[1:])):.3f}')" "$@"; }

gst_ladder >/dev/null 2>&1  # warm-up: caches, plugin registry, hardware probe
g=() f=()
for _ in $(seq "$runs"); do
  g+=("$(time_of gst_ladder)")
  f+=("$(time_of ffmpeg_ladder)")
done
gm=$(median "${g[@]}") fm=$(median "${f[@]}")
echo "ladder, 30 s of 720p30 -> 360p/240p/144p, x264 veryfast ($runs runs each, alternating)"
echo "  lpsegmenter ! lptranscodebin : ${g[*]} s  (median $gm s, $(python3 -c "print(f'{30/$gm:.1f}')")x realtime)"
echo "  ffmpeg split+scale           : ${f[*]} s  (median $fm s, $(python3 -c "print(f'{30/$fm:.1f}')")x realtime)"
echo "  throughput ratio lptranscodebin/ffmpeg = $(python3 -c "print(f'{$fm/$gm:.2f}')")x (target >= 1.2x)"

g=() f=()
for _ in $(seq $((runs * 3))); do
  g+=("$(time_of gst_segment)")
  f+=("$(time_of ffmpeg_segment)")
done
gm=$(median "${g[@]}") fm=$(median "${f[@]}")
echo "segmenting only, 30 s of 720p30 + AAC into 2 s HLS segments ($((runs * 3)) runs each)"
echo "  lpsegmenter ! lps3sink       : median $gm s"
echo "  ffmpeg -c copy -f hls        : median $fm s"
echo "  speed ratio lpsegmenter/ffmpeg = $(python3 -c "print(f'{$fm/$gm:.2f}')")x (target >= 1.0x)"
