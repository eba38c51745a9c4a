#!/usr/bin/env bash
# Copies GStreamer, the plugins lptranscodebin's NVIDIA chains need, our plugin and the
# library closure of all of them (minus glibc) into a folder that runs on another x86-64
# Linux with a newer glibc, e.g. the GPU machine of the `device` tool, which has no GStreamer.
#   scripts/bundle_gstreamer.sh OUTDIR [with-libav]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$1
libav=${2:-}
arch=/usr/lib/x86_64-linux-gnu
rm -rf "$out" && mkdir -p "$out/lib" "$out/plugins" "$out/bin"
plugins="coreelements videotestsrc videoconvertscale app x264 videoparsersbad mpegtsmux
  mpegtsdemux nvcodec audiotestsrc audioparsers typefindfunctions playback"
[ -n "$libav" ] && plugins="$plugins libav"
files=("$root/build/gst/libgstlivepeer.so" "$root/build/examples/lp-transcode"
  /usr/bin/gst-launch-1.0 /usr/bin/gst-inspect-1.0 "$arch/gstreamer1.0/gstreamer-1.0/gst-plugin-scanner")
for p in $plugins; do files+=("$arch/gstreamer-1.0/libgst$p.so"); done
for f in "${files[@]}"; do
  case "$f" in
    *.so) cp -L "$f" "$out/plugins/" ;;
    *) cp -L "$f" "$out/bin/" ;;
  esac
done
# Library closure; glibc and the loader stay the host's. libcuda/libnvcuvid/libnvidia-encode
# are loaded at run time from the host's driver, never bundled.
ldd "${files[@]}" 2>/dev/null | awk '/=> \//{print $3}' | sort -u | while read -r lib; do
  case "$(basename "$lib")" in
    libc.so*|libm.so*|libpthread.so*|libdl.so*|librt.so*|ld-linux*|libresolv.so*) ;;
    *) cp -Ln "$lib" "$out/lib/" ;;
  esac
done
cat > "$out/env.sh" <<'ENV'
b=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export LD_LIBRARY_PATH="$b/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export PATH="$b/bin:$PATH"
export GST_PLUGIN_SYSTEM_PATH_1_0="$b/plugins"
export GST_PLUGIN_PATH_1_0=
export GST_PLUGIN_SCANNER_1_0="$b/bin/gst-plugin-scanner"
export GST_REGISTRY_1_0="${TMPDIR:-/tmp}/gst-bundle-registry.bin"
ENV
du -sh "$out"
