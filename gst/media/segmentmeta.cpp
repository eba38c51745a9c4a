#include "media/segmentmeta.h"

namespace lp {
namespace {

constexpr const char *kStructureName = "lp-segment";

std::string get_string(const GstStructure *s, const char *field) {
  const gchar *value = gst_structure_get_string(s, field);
  return value ? value : "";
}

}  // namespace

void segment_meta_register() {
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    // An application may hold two copies of this code (its own and the loaded plugin's); the
    // meta is one, found by name, and registered by whichever copy comes first.
    if (!gst_meta_get_info(kSegmentMetaName)) {
      static const gchar *tags[] = {nullptr};
      // The default transform copies the structure, so the meta follows buffer copies.
      gst_meta_register_custom(kSegmentMetaName, tags, nullptr, nullptr, nullptr);
    }
    g_once_init_leave(&once, 1);
  }
}

void segment_meta_set(GstBuffer *buffer, const SegmentInfo &info) {
  segment_meta_register();
  GstCustomMeta *meta = gst_buffer_get_custom_meta(buffer, kSegmentMetaName);
  if (!meta)
    meta = gst_buffer_add_custom_meta(buffer, kSegmentMetaName);
  GstStructure *s = gst_custom_meta_get_structure(meta);
  gst_structure_set_name(s, kStructureName);
  gst_structure_set(s, "rendition", G_TYPE_STRING, info.rendition.c_str(), "seq", G_TYPE_UINT64,
                    info.seq, "pts", G_TYPE_UINT64, static_cast<guint64>(info.pts), "duration",
                    G_TYPE_UINT64, static_cast<guint64>(info.duration), "width", G_TYPE_INT,
                    info.width, "height", G_TYPE_INT, info.height, "fps-n", G_TYPE_INT, info.fps_n,
                    "fps-d", G_TYPE_INT, info.fps_d, "frames", G_TYPE_UINT, info.frames,
                    "bandwidth", G_TYPE_UINT64, info.bandwidth, "codecs", G_TYPE_STRING,
                    info.codecs.c_str(), "stream-id", G_TYPE_STRING, info.stream_id.c_str(),
                    "discont", G_TYPE_BOOLEAN, info.discont ? TRUE : FALSE, "target-duration",
                    G_TYPE_UINT64, static_cast<guint64>(info.target_duration), nullptr);
}

std::optional<SegmentInfo> segment_meta_get(GstBuffer *buffer) {
  segment_meta_register();
  GstCustomMeta *meta = gst_buffer_get_custom_meta(buffer, kSegmentMetaName);
  if (!meta)
    return std::nullopt;
  const GstStructure *s = gst_custom_meta_get_structure(meta);
  SegmentInfo info;
  guint64 u64 = 0;
  gint i = 0;
  guint u = 0;
  gboolean b = FALSE;
  info.rendition = get_string(s, "rendition");
  if (gst_structure_get_uint64(s, "seq", &u64))
    info.seq = u64;
  if (gst_structure_get_uint64(s, "pts", &u64))
    info.pts = u64;
  if (gst_structure_get_uint64(s, "duration", &u64))
    info.duration = u64;
  if (gst_structure_get_int(s, "width", &i))
    info.width = i;
  if (gst_structure_get_int(s, "height", &i))
    info.height = i;
  if (gst_structure_get_int(s, "fps-n", &i))
    info.fps_n = i;
  if (gst_structure_get_int(s, "fps-d", &i) && i > 0)
    info.fps_d = i;
  if (gst_structure_get_uint(s, "frames", &u))
    info.frames = u;
  if (gst_structure_get_uint64(s, "bandwidth", &u64))
    info.bandwidth = u64;
  info.codecs = get_string(s, "codecs");
  info.stream_id = get_string(s, "stream-id");
  if (gst_structure_get_boolean(s, "discont", &b))
    info.discont = b;
  if (gst_structure_get_uint64(s, "target-duration", &u64))
    info.target_duration = u64;
  return info;
}

GstCaps *segment_stream_caps() {
  return gst_caps_from_string(kSegmentStreamCapsString);
}

void segment_stream_start(GstPad *srcpad, const std::string &stream_id) {
  gst_pad_push_event(srcpad, gst_event_new_stream_start(stream_id.c_str()));
  GstCaps *caps = segment_stream_caps();
  gst_pad_push_event(srcpad, gst_event_new_caps(caps));
  gst_caps_unref(caps);
  GstSegment segment;
  gst_segment_init(&segment, GST_FORMAT_TIME);
  gst_pad_push_event(srcpad, gst_event_new_segment(&segment));
}

}  // namespace lp
