#!/usr/bin/env bash
# examples/rtmp-pull-to-hls.sh against a real RTMP server (nginx-rtmp) fed by ffmpeg.
source "$(dirname "$0")/lib.sh"
port=$(free_port)
mkdir -p "$WORK/nginx/logs"
cat > "$WORK/nginx/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
daemon off; master_process off; worker_processes 1;
pid $WORK/nginx/nginx.pid; error_log $WORK/nginx/logs/error.log info;
events { worker_connections 64; }
rtmp { server { listen 127.0.0.1:$port; chunk_size 4096;
  application live { live on; record off; } } }
CONF
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/logs/error.log" &
PIDS+=($!)
for _ in $(seq 50); do (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done

make_clip "$WORK/in.ts" 8 -c:v libx264 -g 60 -c:a aac -f mpegts
ffmpeg -v error -re -i "$WORK/in.ts" -c copy -f flv "rtmp://127.0.0.1:$port/live/test" &
publisher=$!
PIDS+=($publisher)
sleep 1  # the stream must exist before the puller asks for it
master=$(timeout 60 "$LP_SOURCE_ROOT/examples/rtmp-pull-to-hls.sh" \
  "rtmp://127.0.0.1:$port/live/test" "$WORK/hls" P240p30fps16x9 | tail -n 1)
wait "$publisher" || true
[ -f "$master" ] || fail "no master playlist"
assert_plays "$master"
n=$(grep -c EXTINF "$WORK/hls/P240p30fps16x9.m3u8")
[ "$n" -ge 2 ] || fail "expected at least 2 live segments, got $n"
grep -q '#EXT-X-ENDLIST' "$WORK/hls/source.m3u8" || fail "the stream's end should end the playlist"
echo "rtmp pull OK ($n segments)"
