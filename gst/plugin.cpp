// The "livepeer" GStreamer plugin.
#include "config.h"

#include "lps3sink.h"
#include "lpsegmenter.h"
#include "lptranscodebin.h"
#include "media/segmentmeta.h"

static gboolean plugin_init(GstPlugin *plugin) {
  lp::segment_meta_register();
  gboolean ok = FALSE;
  ok |= GST_ELEMENT_REGISTER(lpsegmenter, plugin);
  ok |= GST_ELEMENT_REGISTER(lptranscodebin, plugin);
  ok |= GST_ELEMENT_REGISTER(lps3sink, plugin);
  return ok;
}

GST_PLUGIN_DEFINE(GST_VERSION_MAJOR, GST_VERSION_MINOR, livepeer,
                  "Livepeer live transcoding: segmenter, transcoder bin and HLS/S3 sink",
                  plugin_init, VERSION, "LGPL", GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
