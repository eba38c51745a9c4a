#include "transcode/segmentdemuxer.h"

#include "media/segmentmeta.h"

#include <algorithm>

namespace lp {
namespace {

struct Capture {
  DemuxedSegment *out;
  std::vector<GstPad *> pads;
};

enum class Kind { kVideo, kAudio, kIgnored };

Kind kind_of(GstPad *pad) {
  return static_cast<Kind>(GPOINTER_TO_INT(g_object_get_data(G_OBJECT(pad), "lp-kind")));
}

GstFlowReturn capture_chain(GstPad *pad, GstObject *, GstBuffer *buf) {
  auto *capture = static_cast<Capture *>(gst_pad_get_element_private(pad));
  switch (kind_of(pad)) {
    case Kind::kVideo:
      capture->out->video.push_back(buf);
      break;
    case Kind::kAudio:
      capture->out->audio.push_back(buf);
      break;
    case Kind::kIgnored:
      gst_buffer_unref(buf);
      break;
  }
  return GST_FLOW_OK;
}

gboolean capture_event(GstPad *pad, GstObject *, GstEvent *event) {
  auto *capture = static_cast<Capture *>(gst_pad_get_element_private(pad));
  if (GST_EVENT_TYPE(event) == GST_EVENT_CAPS) {
    GstCaps *caps;
    gst_event_parse_caps(event, &caps);
    if (kind_of(pad) == Kind::kVideo)
      gst_caps_replace(&capture->out->video_caps, caps);
    else if (kind_of(pad) == Kind::kAudio)
      gst_caps_replace(&capture->out->audio_caps, caps);
  }
  gst_event_unref(event);
  return TRUE;
}

void on_pad_added(GstElement *, GstPad *pad, gpointer user_data) {
  auto *capture = static_cast<Capture *>(user_data);
  Kind kind = Kind::kIgnored;
  g_autofree gchar *name = gst_pad_get_name(pad);
  // Keep the first video and the first audio stream, as the PMT lists them.
  auto have = [&](Kind k) {
    return std::any_of(capture->pads.begin(), capture->pads.end(),
                       [k](GstPad *p) { return kind_of(p) == k; });
  };
  if (g_str_has_prefix(name, "video") && !have(Kind::kVideo))
    kind = Kind::kVideo;
  else if (g_str_has_prefix(name, "audio") && !have(Kind::kAudio))
    kind = Kind::kAudio;
  GstPad *sink = gst_pad_new("capture", GST_PAD_SINK);
  g_object_set_data(G_OBJECT(sink), "lp-kind", GINT_TO_POINTER(static_cast<int>(kind)));
  gst_pad_set_element_private(sink, capture);
  gst_pad_set_chain_function(sink, capture_chain);
  gst_pad_set_event_function(sink, capture_event);
  gst_pad_set_active(sink, TRUE);
  gst_pad_link_full(pad, sink, GST_PAD_LINK_CHECK_NOTHING);
  capture->pads.push_back(sink);
}

}  // namespace

DemuxedSegment::~DemuxedSegment() {
  for (GstBuffer *b : video)
    gst_buffer_unref(b);
  for (GstBuffer *b : audio)
    gst_buffer_unref(b);
  if (video_caps)
    gst_caps_unref(video_caps);
  if (audio_caps)
    gst_caps_unref(audio_caps);
}

bool demux_segment(GstBuffer *segment, DemuxedSegment *out) {
  GstElement *demux = gst_element_factory_make("tsdemux", nullptr);
  if (!demux) {
    out->error = "tsdemux is missing (gstreamer1.0-plugins-bad)";
    return false;
  }
  gst_object_ref_sink(demux);
  // A private bus: a damaged segment's errors are ours to report, not the pipeline's.
  GstBus *bus = gst_bus_new();
  gst_element_set_bus(demux, bus);
  Capture capture{out, {}};
  g_signal_connect(demux, "pad-added", G_CALLBACK(on_pad_added), &capture);

  GstPad *feed = gst_pad_new("feed", GST_PAD_SRC);
  GstPad *demux_sink = gst_element_get_static_pad(demux, "sink");
  gst_pad_link_full(feed, demux_sink, GST_PAD_LINK_CHECK_NOTHING);
  gst_object_unref(demux_sink);
  gst_pad_set_active(feed, TRUE);

  if (gst_element_set_state(demux, GST_STATE_PAUSED) == GST_STATE_CHANGE_FAILURE) {
    out->error = "tsdemux refused to start";
  } else {
    gst_pad_push_event(feed, gst_event_new_stream_start("lp-segment"));
    GstCaps *caps = segment_stream_caps();
    gst_pad_push_event(feed, gst_event_new_caps(caps));
    gst_caps_unref(caps);
    GstSegment bytes;
    gst_segment_init(&bytes, GST_FORMAT_BYTES);
    gst_pad_push_event(feed, gst_event_new_segment(&bytes));
    const GstFlowReturn ret = gst_pad_push(feed, gst_buffer_ref(segment));
    gst_pad_push_event(feed, gst_event_new_eos());
    if (ret != GST_FLOW_OK && ret != GST_FLOW_EOS)
      out->error = std::string("tsdemux: ") + gst_flow_get_name(ret);
  }
  gst_element_set_state(demux, GST_STATE_NULL);

  while (GstMessage *msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR)) {
    if (out->error.empty()) {
      GError *err = nullptr;
      gst_message_parse_error(msg, &err, nullptr);
      out->error = std::string("tsdemux: ") + err->message;
      g_error_free(err);
    }
    gst_message_unref(msg);
  }
  gst_element_set_bus(demux, nullptr);
  gst_object_unref(bus);
  gst_pad_set_active(feed, FALSE);
  gst_object_unref(feed);
  for (GstPad *pad : capture.pads) {
    gst_pad_set_active(pad, FALSE);
    gst_object_unref(pad);
  }
  gst_object_unref(demux);

  if (out->error.empty() && out->video.empty())
    out->error = "no video frames";
  return out->error.empty();
}

}  // namespace lp
