# Sourced by the example scripts: use the uninstalled plugin from build/gst when there is one.
_lp_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ -f "$_lp_root/build/gst/libgstlivepeer.so" ]; then
  export GST_PLUGIN_PATH_1_0="$_lp_root/build/gst${GST_PLUGIN_PATH_1_0:+:$GST_PLUGIN_PATH_1_0}"
fi
# Unbounded queues: demuxers of live streams deliver audio and video far apart (nginx-rtmp
# sends audio a second before the first video keyframe).
LP_Q="queue max-size-time=0 max-size-bytes=0 max-size-buffers=0"
