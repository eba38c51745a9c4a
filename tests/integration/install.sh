#!/usr/bin/env bash
# `meson install` puts the plugin into GStreamer's plugin directory, where gst-inspect finds it
# with no GST_PLUGIN_PATH.
source "$(dirname "$0")/lib.sh"
plugins_dir=$(pkg-config --variable=pluginsdir gstreamer-1.0)
meson install -C "$LP_BUILD_ROOT" --no-rebuild --destdir "$WORK/root" >/dev/null
so="$WORK/root$plugins_dir/libgstlivepeer.so"
[ -f "$so" ] || fail "plugin not installed at $so"
[ -x "$WORK/root/usr/local/bin/lp-transcode" ] || fail "lp-transcode not installed"
out=$(env -u GST_PLUGIN_PATH_1_0 GST_PLUGIN_SYSTEM_PATH_1_0="$WORK/root$plugins_dir" \
  GST_REGISTRY_1_0="$WORK/registry.bin" gst-inspect-1.0 lptranscodebin 2>&1) \
  || fail "gst-inspect cannot load the installed plugin: $out"
echo "$out" | grep -q "Livepeer transcoder" || fail "unexpected inspect output"
echo "install OK"
