/**
 * SECTION:element-lpsegmenter
 * @title: lpsegmenter
 *
 * Cuts parsed H.264 video (and optional AAC audio) into a segment stream: one whole MPEG-TS
 * segment per buffer, each starting with PAT/PMT and an IDR frame, each carrying the
 * "LpSegmentMeta" custom meta (rendition "source", sequence number, start PTS, duration,
 * size, frame rate, bandwidth, codecs, stream ID, discontinuity flag).
 *
 * A segment is cut at the first keyframe at or after #lpsegmenter:target-duration; a
 * force-key-unit request goes upstream at that time so live encoders put a keyframe there.
 * Timestamps stay continuous across segments: one muxer writes the whole stream.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=in.ts ! tsdemux name=d \
 *   d. ! h264parse ! lpsegmenter name=s ! lps3sink location=/tmp/hls \
 *   d. ! aacparse ! s.audio
 * ]|
 */
#include "lpsegmenter.h"

#include "media/muxcollector.h"
#include "media/segmentcutter.h"
#include "media/segmentmeta.h"
#include "media/tsscan.h"

#include <gst/video/video.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

GST_DEBUG_CATEGORY_STATIC(lp_segmenter_debug);
#define GST_CAT_DEFAULT lp_segmenter_debug

#define DEFAULT_TARGET_DURATION 2
#define DEFAULT_MAX_DURATION 8
#define DEFAULT_STREAM_ID nullptr

enum { PROP_0, PROP_TARGET_DURATION, PROP_MAX_DURATION, PROP_STREAM_ID };

static GstStaticPadTemplate video_template =
    GST_STATIC_PAD_TEMPLATE("video", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS("video/x-h264"));

static GstStaticPadTemplate audio_template = GST_STATIC_PAD_TEMPLATE(
    "audio", GST_PAD_SINK, GST_PAD_REQUEST,
    GST_STATIC_CAPS("audio/mpeg, mpegversion = (int) 4, stream-format = (string) { raw, adts }; "
                    "audio/mpeg, mpegversion = (int) 2, stream-format = (string) adts"));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE(
    "src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS(lp::kSegmentStreamCapsString));

struct LpSegmenterPrivate {
  std::mutex settings_lock;
  guint target_duration = DEFAULT_TARGET_DURATION;
  guint max_duration = DEFAULT_MAX_DURATION;
  std::string stream_id;

  GstElement *parse = nullptr;
  GstElement *filter = nullptr;
  GstElement *video_queue = nullptr;
  GstElement *audio_queue = nullptr;
  GstElement *mux = nullptr;
  GstPad *video_pad = nullptr;
  GstPad *audio_pad = nullptr;
  GstPad *srcpad = nullptr;
  // Cuts the muxer's output into segments.
  std::unique_ptr<lp::MuxCollector> collector;

  // Settings as the running stream uses them (taken when going to PAUSED).
  GstClockTime target = 0;
  GstClockTime max = 0;
  std::string run_stream_id;

  // Video streaming thread.
  GstSegment video_segment;
  std::unique_ptr<lp::SegmentCutter> cutter;
  std::atomic<bool> saw_video{false};

  // Audio streaming thread.
  GstSegment audio_segment;
  GstClockTime first_audio_rt = GST_CLOCK_TIME_NONE;

  // Video thread -> collector.
  std::mutex lock;
  // Segments the cutter has closed, by sequence number, until the collector takes them.
  std::map<guint64, lp::SegmentSpan> segments;

  // The muxer's streaming thread.
  bool src_started = false;
};

struct _LpSegmenter {
  GstBin parent;
  LpSegmenterPrivate *priv;
};

#define lp_segmenter_parent_class parent_class
G_DEFINE_TYPE(LpSegmenter, lp_segmenter, GST_TYPE_BIN)
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE(lpsegmenter, "lpsegmenter", GST_RANK_NONE, LP_TYPE_SEGMENTER,
                                      GST_DEBUG_CATEGORY_INIT(lp_segmenter_debug, "lpsegmenter", 0,
                                                              "Livepeer segmenter"));

static void reset_stream_state(LpSegmenter *self) {
  LpSegmenterPrivate *p = self->priv;
  gst_segment_init(&p->video_segment, GST_FORMAT_TIME);
  gst_segment_init(&p->audio_segment, GST_FORMAT_TIME);
  p->cutter = std::make_unique<lp::SegmentCutter>(p->target, p->max);
  p->first_audio_rt = GST_CLOCK_TIME_NONE;
  p->saw_video = false;
  {
    std::lock_guard<std::mutex> guard(p->lock);
    p->segments.clear();
  }
  p->collector->reset();
}

static GstClockTime running_time(const GstSegment *segment, GstClockTime ts) {
  if (!GST_CLOCK_TIME_IS_VALID(ts) || segment->format != GST_FORMAT_TIME)
    return GST_CLOCK_TIME_NONE;
  return gst_segment_to_running_time(segment, GST_FORMAT_TIME, ts);
}

// Running time that may be negative; false when ts is not valid.
static bool signed_running_time(const GstSegment *segment, GstClockTime ts, gint64 *out) {
  if (!GST_CLOCK_TIME_IS_VALID(ts) || segment->format != GST_FORMAT_TIME)
    return false;
  guint64 abs_rt = 0;
  const gint sign = gst_segment_to_running_time_full(segment, GST_FORMAT_TIME, ts, &abs_rt);
  if (sign == 0)
    return false;
  *out = sign > 0 ? static_cast<gint64>(abs_rt) : -static_cast<gint64>(abs_rt);
  return true;
}

// ---- video thread: where to cut ----------------------------------------------------------

static void close_segment(LpSegmenterPrivate *p, const lp::SegmentSpan &span) {
  std::lock_guard<std::mutex> guard(p->lock);
  p->segments[span.seq] = span;
}

// A segment starts with this keyframe: mark the spot for the muxer and the collector.
static void mark_segment_start(LpSegmenter *self, GstPad *pad, GstBuffer *keyframe,
                               const lp::SegmentSpan &span) {
  LpSegmenterPrivate *p = self->priv;
  GST_DEBUG_OBJECT(self, "segment %" G_GUINT64_FORMAT " starts at %" GST_TIME_FORMAT "%s", span.seq,
                   GST_TIME_ARGS(span.start), span.discont ? " (discontinuity)" : "");
  // mpegtsmux forwards this event just before the keyframe, after re-sending PAT/PMT: that is
  // where the collector cuts. The count carries the sequence number through.
  const GstClockTime stream_time =
      gst_segment_to_stream_time(&p->video_segment, GST_FORMAT_TIME, GST_BUFFER_PTS(keyframe));
  gst_pad_push_event(pad, gst_video_event_new_downstream_force_key_unit(
                              GST_BUFFER_PTS(keyframe), stream_time, span.start, TRUE,
                              static_cast<guint>(span.seq)));
  // Ask a live encoder upstream for the next keyframe at the target.
  gst_pad_send_event(pad, gst_video_event_new_upstream_force_key_unit(
                              span.start + p->target, TRUE, static_cast<guint>(span.seq + 1)));
}

static GstPadProbeReturn fail_probe(GstPadProbeInfo *info) {
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER)
    gst_buffer_unref(GST_PAD_PROBE_INFO_BUFFER(info));
  else
    gst_mini_object_unref(GST_MINI_OBJECT_CAST(GST_PAD_PROBE_INFO_DATA(info)));
  GST_PAD_PROBE_INFO_DATA(info) = nullptr;
  GST_PAD_PROBE_INFO_FLOW_RETURN(info) = GST_FLOW_ERROR;
  return GST_PAD_PROBE_HANDLED;
}

static GstPadProbeReturn on_video_buffer(LpSegmenter *self, GstPad *pad, GstPadProbeInfo *info) {
  LpSegmenterPrivate *p = self->priv;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
  lp::SegmentCutter::Frame frame;
  frame.pts = running_time(&p->video_segment, GST_BUFFER_PTS(buf));
  if (!GST_CLOCK_TIME_IS_VALID(frame.pts)) {
    GST_ELEMENT_ERROR(self, STREAM, FORMAT, ("The video has no timestamps."),
                      ("lpsegmenter needs timestamped H.264 (a demuxer or an encoder upstream), "
                       "got a buffer without PTS"));
    return fail_probe(info);
  }
  if (!signed_running_time(&p->video_segment, GST_BUFFER_DTS(buf), &frame.dts))
    frame.dts = static_cast<gint64>(frame.pts);
  frame.duration = GST_BUFFER_DURATION(buf);
  frame.keyframe = !GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT);
  frame.discont = GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DISCONT);
  p->saw_video = true;

  const lp::SegmentCutter::Decision d = p->cutter->push(frame);
  switch (d.verdict) {
    case lp::SegmentCutter::Verdict::kNoKeyframe:
      GST_ELEMENT_ERROR(self, STREAM, DECODE, ("The video has no keyframe."),
                        ("no keyframe in the first %u s of video; lpsegmenter cuts only at "
                         "keyframes (set the encoder's keyframe interval, e.g. x264enc "
                         "key-int-max)",
                         static_cast<guint>(p->max / GST_SECOND)));
      return fail_probe(info);
    case lp::SegmentCutter::Verdict::kDrop:
      GST_LOG_OBJECT(self, "dropping a frame before the first keyframe");
      return GST_PAD_PROBE_DROP;
    case lp::SegmentCutter::Verdict::kStart:
      if (d.ended)
        close_segment(p, *d.ended);
      mark_segment_start(self, pad, buf, d.started);
      break;
    case lp::SegmentCutter::Verdict::kKeep:
      break;
  }
  if (d.long_gop)
    GST_ELEMENT_WARNING(self, STREAM, FORMAT, ("The video's keyframe interval is too long."),
                        ("segment %" G_GUINT64_FORMAT " is already %.1f s long, more than "
                         "max-duration (%u s); cutting at the next keyframe",
                         d.started.seq, static_cast<double>(d.elapsed) / GST_SECOND,
                         static_cast<guint>(p->max / GST_SECOND)));
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn on_video_event(LpSegmenter *self, GstPadProbeInfo *info) {
  LpSegmenterPrivate *p = self->priv;
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT(info);
  switch (GST_EVENT_TYPE(event)) {
    case GST_EVENT_SEGMENT:
      gst_event_copy_segment(event, &p->video_segment);
      break;
    case GST_EVENT_CAPS: {
      GstCaps *caps;
      gst_event_parse_caps(event, &caps);
      const GstStructure *s = gst_caps_get_structure(caps, 0);
      gint width = 0, height = 0, fps_n = 0, fps_d = 1;
      gst_structure_get_int(s, "width", &width);
      gst_structure_get_int(s, "height", &height);
      gst_structure_get_fraction(s, "framerate", &fps_n, &fps_d);
      p->cutter->set_format(width, height, fps_n, fps_d);
      break;
    }
    case GST_EVENT_FLUSH_STOP:
      // After a seek the next keyframe starts a new segment, marked as a discontinuity.
      p->cutter->flush();
      break;
    case GST_EVENT_EOS: {
      if (!p->cutter->saw_video()) {
        GST_ELEMENT_ERROR(self, STREAM, FAILED, ("The video stream ended without any frame."),
                          ("lpsegmenter got EOS on its video pad before any H.264 frame"));
        break;
      }
      if (!p->cutter->started()) {
        GST_ELEMENT_ERROR(self, STREAM, DECODE, ("The video has no keyframe."),
                          ("the video ended without a single keyframe; nothing can be cut"));
        break;
      }
      close_segment(p, *p->cutter->finish());
      break;
    }
    default:
      break;
  }
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn video_probe(GstPad *pad, GstPadProbeInfo *info, gpointer user_data) {
  LpSegmenter *self = LP_SEGMENTER(user_data);
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER)
    return on_video_buffer(self, pad, info);
  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM)
    return on_video_event(self, info);
  return GST_PAD_PROBE_OK;
}

// The video pad refuses caps the internal h264parse does not take; say why in words.
static GstPadProbeReturn video_caps_probe(GstPad *pad, GstPadProbeInfo *info, gpointer user_data) {
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT(info);
  if (GST_EVENT_TYPE(event) != GST_EVENT_CAPS)
    return GST_PAD_PROBE_OK;
  GstCaps *caps;
  gst_event_parse_caps(event, &caps);
  if (!gst_pad_query_accept_caps(pad, caps)) {
    g_autofree gchar *text = gst_caps_to_string(caps);
    GST_ELEMENT_ERROR(user_data, CORE, NEGOTIATION, ("lpsegmenter needs H.264 video."),
                      ("its video pad takes video/x-h264 (byte-stream or avc), got %s; put an "
                       "encoder (x264enc) or a parser (h264parse) upstream",
                       text));
  }
  return GST_PAD_PROBE_OK;
}

// ---- audio thread: only watches for audio without video ----------------------------------

static GstPadProbeReturn audio_probe(GstPad *pad, GstPadProbeInfo *info, gpointer user_data) {
  (void)pad;
  LpSegmenter *self = LP_SEGMENTER(user_data);
  LpSegmenterPrivate *p = self->priv;
  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    GstEvent *event = GST_PAD_PROBE_INFO_EVENT(info);
    if (GST_EVENT_TYPE(event) == GST_EVENT_SEGMENT) {
      gst_event_copy_segment(event, &p->audio_segment);
    } else if (GST_EVENT_TYPE(event) == GST_EVENT_EOS && !p->saw_video &&
               !gst_pad_is_linked(p->video_pad)) {
      GST_ELEMENT_ERROR(self, STREAM, FORMAT, ("lpsegmenter got audio but no video."),
                        ("audio-only streams are not supported: link H.264 video to the video "
                         "pad"));
    }
    return GST_PAD_PROBE_OK;
  }
  if (!(info->type & GST_PAD_PROBE_TYPE_BUFFER) || p->saw_video)
    return GST_PAD_PROBE_OK;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
  const GstClockTime rt = running_time(&p->audio_segment, GST_BUFFER_PTS(buf));
  if (!GST_CLOCK_TIME_IS_VALID(rt))
    return GST_PAD_PROBE_OK;
  if (!GST_CLOCK_TIME_IS_VALID(p->first_audio_rt))
    p->first_audio_rt = rt;
  if (rt > p->first_audio_rt + p->max) {
    GST_ELEMENT_ERROR(self, STREAM, FORMAT, ("lpsegmenter got audio but no video."),
                      ("%u s of audio arrived without any video frame; audio-only streams are "
                       "not supported: link H.264 video to the video pad",
                       static_cast<guint>(p->max / GST_SECOND)));
    return fail_probe(info);
  }
  return GST_PAD_PROBE_OK;
}

// ---- collector: the muxer's output between two force-key-unit events is one segment ------

static GstFlowReturn push_segment(LpSegmenter *self, GstBuffer *buf, guint64 seq) {
  LpSegmenterPrivate *p = self->priv;
  const gsize size = gst_buffer_get_size(buf);
  lp::SegmentSpan seg;
  {
    std::lock_guard<std::mutex> guard(p->lock);
    auto it = p->segments.find(seq);
    if (it == p->segments.end()) {
      GST_WARNING_OBJECT(self, "no bookkeeping for segment %" G_GUINT64_FORMAT, seq);
      gst_buffer_unref(buf);
      return GST_FLOW_OK;
    }
    seg = it->second;
    p->segments.erase(it);
  }

  lp::SegmentInfo info;
  info.seq = seq;
  info.pts = seg.start;
  if (GST_CLOCK_TIME_IS_VALID(seg.end) && seg.end > seg.start)
    info.duration = seg.end - seg.start;
  info.width = seg.width;
  info.height = seg.height;
  info.fps_n = seg.fps_n;
  info.fps_d = seg.fps_d;
  info.frames = seg.frames;
  if (GST_CLOCK_TIME_IS_VALID(info.duration) && info.duration > 0)
    info.bandwidth = gst_util_uint64_scale(size * 8, GST_SECOND, info.duration);
  info.discont = seg.discont;
  info.stream_id = p->run_stream_id;
  info.target_duration = p->target;
  {
    GstMapInfo map;
    if (gst_buffer_map(buf, &map, GST_MAP_READ)) {
      info.codecs = lp::ts::scan(map.data, map.size).codecs();
      gst_buffer_unmap(buf, &map);
    }
  }
  GST_BUFFER_PTS(buf) = info.pts;
  GST_BUFFER_DTS(buf) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION(buf) = info.duration;
  GST_BUFFER_OFFSET(buf) = seq;
  if (info.discont)
    GST_BUFFER_FLAG_SET(buf, GST_BUFFER_FLAG_DISCONT);
  lp::segment_meta_set(buf, info);

  if (!p->src_started) {
    p->src_started = true;
    // One output stream per input stream: derive our ID from the video's stream-start.
    std::string upstream_id = p->run_stream_id;
    if (GstEvent *start = gst_pad_get_sticky_event(p->video_pad, GST_EVENT_STREAM_START, 0)) {
      const gchar *id = nullptr;
      gst_event_parse_stream_start(start, &id);
      if (id)
        upstream_id = id;
      gst_event_unref(start);
    }
    const std::string stream_id = upstream_id + "/lpsegmenter";
    gst_pad_push_event(p->srcpad, gst_event_new_stream_start(stream_id.c_str()));
    GstCaps *caps = lp::segment_stream_caps();
    gst_pad_push_event(p->srcpad, gst_event_new_caps(caps));
    gst_caps_unref(caps);
    GstSegment segment;
    gst_segment_init(&segment, GST_FORMAT_TIME);
    gst_pad_push_event(p->srcpad, gst_event_new_segment(&segment));
  }
  GST_DEBUG_OBJECT(self,
                   "segment %" G_GUINT64_FORMAT ": %" G_GSIZE_FORMAT " bytes, %u frames, %.3f s",
                   seq, size, info.frames, info.duration_seconds());
  return gst_pad_push(p->srcpad, buf);
}

static GstFlowReturn on_segment_started(LpSegmenter *self, GstBuffer *finished,
                                        guint finished_seq) {
  return finished ? push_segment(self, finished, finished_seq) : GST_FLOW_OK;
}

static GstFlowReturn on_mux_ended(LpSegmenter *self, GstBuffer *finished, guint finished_seq) {
  const GstFlowReturn ret = finished ? push_segment(self, finished, finished_seq) : GST_FLOW_OK;
  if (ret != GST_FLOW_OK && ret != GST_FLOW_FLUSHING && ret != GST_FLOW_EOS)
    GST_ELEMENT_FLOW_ERROR(self, ret);
  gst_pad_push_event(self->priv->srcpad, gst_event_new_eos());
  return GST_FLOW_OK;
}

// ---- element -------------------------------------------------------------------------

static GstPad *lp_segmenter_request_new_pad(GstElement *element, GstPadTemplate *templ,
                                            const gchar *name, const GstCaps *caps) {
  (void)name;
  (void)caps;
  LpSegmenter *self = LP_SEGMENTER(element);
  LpSegmenterPrivate *p = self->priv;
  GST_OBJECT_LOCK(self);
  if (p->audio_pad) {
    GST_OBJECT_UNLOCK(self);
    GST_WARNING_OBJECT(self, "lpsegmenter has a single audio pad, already requested");
    return nullptr;
  }
  GST_OBJECT_UNLOCK(self);

  GstElement *queue = gst_element_factory_make("queue", "audio-queue");
  g_object_set(queue, "max-size-buffers", 0, "max-size-bytes", 0, "max-size-time",
               static_cast<guint64>(p->max_duration + 2) * GST_SECOND, nullptr);
  gst_bin_add(GST_BIN(self), queue);
  GstPad *mux_pad = gst_element_request_pad_simple(p->mux, "sink_%d");
  GstPad *queue_src = gst_element_get_static_pad(queue, "src");
  GstPad *queue_sink = gst_element_get_static_pad(queue, "sink");
  gst_pad_link(queue_src, mux_pad);
  gst_object_unref(queue_src);
  gst_object_unref(mux_pad);
  gst_element_sync_state_with_parent(queue);

  GstPad *ghost = gst_ghost_pad_new_from_template("audio", queue_sink, templ);
  gst_pad_add_probe(
      queue_sink, GstPadProbeType(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM),
      audio_probe, self, nullptr);
  gst_object_unref(queue_sink);
  gst_pad_set_active(ghost, TRUE);
  gst_element_add_pad(element, ghost);
  GST_OBJECT_LOCK(self);
  // Our own reference: at dispose the bin drops its children before request pads go.
  p->audio_queue = GST_ELEMENT(gst_object_ref(queue));
  p->audio_pad = ghost;
  GST_OBJECT_UNLOCK(self);
  return ghost;
}

static void lp_segmenter_release_pad(GstElement *element, GstPad *pad) {
  LpSegmenter *self = LP_SEGMENTER(element);
  LpSegmenterPrivate *p = self->priv;
  GST_OBJECT_LOCK(self);
  if (pad != p->audio_pad) {
    GST_OBJECT_UNLOCK(self);
    return;
  }
  GstElement *queue = p->audio_queue;
  p->audio_queue = nullptr;
  p->audio_pad = nullptr;
  GST_OBJECT_UNLOCK(self);

  GstPad *queue_src = gst_element_get_static_pad(queue, "src");
  GstPad *mux_pad = gst_pad_get_peer(queue_src);
  gst_object_unref(queue_src);
  gst_element_set_state(queue, GST_STATE_NULL);
  gst_element_remove_pad(element, pad);
  if (GST_OBJECT_PARENT(queue) == GST_OBJECT(self))
    gst_bin_remove(GST_BIN(self), queue);
  gst_object_unref(queue);
  if (mux_pad) {
    if (GST_OBJECT_PARENT(mux_pad) == GST_OBJECT(p->mux))
      gst_element_release_request_pad(p->mux, mux_pad);
    gst_object_unref(mux_pad);
  }
}

static GstStateChangeReturn lp_segmenter_change_state(GstElement *element,
                                                      GstStateChange transition) {
  LpSegmenter *self = LP_SEGMENTER(element);
  LpSegmenterPrivate *p = self->priv;
  switch (transition) {
    case GST_STATE_CHANGE_READY_TO_PAUSED: {
      {
        std::lock_guard<std::mutex> guard(p->settings_lock);
        p->target = static_cast<GstClockTime>(p->target_duration) * GST_SECOND;
        p->max = static_cast<GstClockTime>(p->max_duration) * GST_SECOND;
        p->run_stream_id = p->stream_id;
      }
      if (!p->mux) {
        GST_ELEMENT_ERROR(self, CORE, MISSING_PLUGIN, ("lpsegmenter cannot run."),
                          ("h264parse, queue or mpegtsmux is missing: install "
                           "gstreamer1.0-plugins-base and gstreamer1.0-plugins-bad"));
        return GST_STATE_CHANGE_FAILURE;
      }
      if (p->run_stream_id.empty()) {
        // go-livepeer names an anonymous stream with 4 random bytes in hex.
        g_autofree gchar *id = g_strdup_printf("%08x", g_random_int());
        p->run_stream_id = id;
      }
      // Queues must hold more than a whole GOP of one stream while the other catches up.
      const guint64 queue_time = p->max + 2 * GST_SECOND;
      g_object_set(p->video_queue, "max-size-time", queue_time, nullptr);
      if (p->audio_queue)
        g_object_set(p->audio_queue, "max-size-time", queue_time, nullptr);
      reset_stream_state(self);
      p->src_started = false;
      p->collector->set_active(true);
      break;
    }
    default:
      break;
  }
  GstStateChangeReturn ret = GST_ELEMENT_CLASS(parent_class)->change_state(element, transition);
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY) {
    p->collector->set_active(false);
    reset_stream_state(self);
  }
  return ret;
}

static void lp_segmenter_set_property(GObject *object, guint prop_id, const GValue *value,
                                      GParamSpec *pspec) {
  LpSegmenterPrivate *p = LP_SEGMENTER(object)->priv;
  std::lock_guard<std::mutex> guard(p->settings_lock);
  switch (prop_id) {
    case PROP_TARGET_DURATION:
      p->target_duration = g_value_get_uint(value);
      break;
    case PROP_MAX_DURATION:
      p->max_duration = g_value_get_uint(value);
      break;
    case PROP_STREAM_ID: {
      const gchar *id = g_value_get_string(value);
      p->stream_id = id ? id : "";
      break;
    }
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
}

static void lp_segmenter_get_property(GObject *object, guint prop_id, GValue *value,
                                      GParamSpec *pspec) {
  LpSegmenterPrivate *p = LP_SEGMENTER(object)->priv;
  std::lock_guard<std::mutex> guard(p->settings_lock);
  switch (prop_id) {
    case PROP_TARGET_DURATION:
      g_value_set_uint(value, p->target_duration);
      break;
    case PROP_MAX_DURATION:
      g_value_set_uint(value, p->max_duration);
      break;
    case PROP_STREAM_ID:
      g_value_set_string(value, p->stream_id.empty() ? nullptr : p->stream_id.c_str());
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
}

static void lp_segmenter_finalize(GObject *object) {
  LpSegmenter *self = LP_SEGMENTER(object);
  delete self->priv;
  G_OBJECT_CLASS(parent_class)->finalize(object);
}

static void lp_segmenter_init(LpSegmenter *self) {
  LpSegmenterPrivate *p = self->priv = new LpSegmenterPrivate();
  p->cutter = std::make_unique<lp::SegmentCutter>(p->target, p->max);
  gst_segment_init(&p->video_segment, GST_FORMAT_TIME);
  gst_segment_init(&p->audio_segment, GST_FORMAT_TIME);

  p->parse = gst_element_factory_make("h264parse", "parse");
  p->filter = gst_element_factory_make("capsfilter", "filter");
  p->video_queue = gst_element_factory_make("queue", "video-queue");
  p->mux = gst_element_factory_make("mpegtsmux", "mux");
  if (!p->parse || !p->filter || !p->video_queue || !p->mux) {
    // Reported at state change; gst-inspect still works without the plugins.
    GST_ERROR_OBJECT(self, "missing h264parse, queue or mpegtsmux (gstreamer1.0-plugins-bad)");
    for (GstElement *e : {p->parse, p->filter, p->video_queue, p->mux})
      if (e)
        gst_object_unref(e);
    p->parse = p->filter = p->video_queue = p->mux = nullptr;
  } else {
    // SPS/PPS before every IDR, so every segment decodes on its own.
    g_object_set(p->parse, "config-interval", -1, nullptr);
    GstCaps *caps = gst_caps_from_string("video/x-h264, stream-format=byte-stream, alignment=au");
    g_object_set(p->filter, "caps", caps, nullptr);
    gst_caps_unref(caps);
    g_object_set(p->video_queue, "max-size-buffers", 0, "max-size-bytes", 0, nullptr);
    gst_bin_add_many(GST_BIN(self), p->parse, p->filter, p->video_queue, p->mux, nullptr);
    gst_element_link_many(p->parse, p->filter, p->video_queue, nullptr);
    GstPad *mux_pad = gst_element_request_pad_simple(p->mux, "sink_%d");
    GstPad *queue_src = gst_element_get_static_pad(p->video_queue, "src");
    gst_pad_link(queue_src, mux_pad);
    gst_object_unref(queue_src);
    gst_object_unref(mux_pad);

    GstPad *filter_src = gst_element_get_static_pad(p->filter, "src");
    gst_pad_add_probe(
        filter_src,
        GstPadProbeType(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM),
        video_probe, self, nullptr);
    gst_object_unref(filter_src);
  }

  GstPad *parse_sink = p->parse ? gst_element_get_static_pad(p->parse, "sink") : nullptr;
  p->video_pad = gst_ghost_pad_new_from_template("video", parse_sink,
                                                 gst_static_pad_template_get(&video_template));
  if (parse_sink)
    gst_object_unref(parse_sink);
  gst_pad_add_probe(p->video_pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, video_caps_probe, self,
                    nullptr);
  gst_element_add_pad(GST_ELEMENT(self), p->video_pad);

  p->srcpad = gst_pad_new_from_static_template(&src_template, "src");
  gst_pad_use_fixed_caps(p->srcpad);
  gst_element_add_pad(GST_ELEMENT(self), p->srcpad);

  lp::MuxCollector::Callbacks callbacks;
  callbacks.started = [self](guint, GstBuffer *finished, guint finished_seq) {
    return on_segment_started(self, finished, finished_seq);
  };
  callbacks.ended = [self](GstBuffer *finished, guint finished_seq) {
    return on_mux_ended(self, finished, finished_seq);
  };
  callbacks.flushed = [self](GstEvent *event) {
    return gst_pad_push_event(self->priv->srcpad, event);
  };
  p->collector = std::make_unique<lp::MuxCollector>("collect", std::move(callbacks));
  if (p->mux)
    p->collector->attach(p->mux);
}

static void lp_segmenter_class_init(LpSegmenterClass *klass) {
  GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS(klass);

  gobject_class->set_property = lp_segmenter_set_property;
  gobject_class->get_property = lp_segmenter_get_property;
  gobject_class->finalize = lp_segmenter_finalize;

  g_object_class_install_property(
      gobject_class, PROP_TARGET_DURATION,
      g_param_spec_uint(
          "target-duration", "Target duration",
          "Seconds after which a segment is cut at the next keyframe; a "
          "force-key-unit request goes upstream at that time",
          1, 3600, DEFAULT_TARGET_DURATION,
          GParamFlags(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY)));
  g_object_class_install_property(
      gobject_class, PROP_MAX_DURATION,
      g_param_spec_uint(
          "max-duration", "Maximum duration",
          "Seconds a segment may run without a keyframe before a warning is posted "
          "(the cut still waits for a keyframe); also how long video may go "
          "without any keyframe, or audio without video, before an error",
          1, 3600, DEFAULT_MAX_DURATION,
          GParamFlags(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY)));
  g_object_class_install_property(
      gobject_class, PROP_STREAM_ID,
      g_param_spec_string(
          "stream-id", "Stream ID",
          "Manifest/stream ID written into every segment's meta (NULL: 8 random "
          "hex digits, as go-livepeer names anonymous streams)",
          DEFAULT_STREAM_ID,
          GParamFlags(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY)));

  gst_element_class_add_static_pad_template(element_class, &video_template);
  gst_element_class_add_static_pad_template(element_class, &audio_template);
  gst_element_class_add_static_pad_template(element_class, &src_template);
  gst_element_class_set_static_metadata(
      element_class, "Livepeer segmenter", "Codec/Muxer",
      "Cuts H.264 (+AAC) at keyframes into MPEG-TS segments, one per buffer, with segment meta",
      "gst-livepeer developers");

  element_class->change_state = GST_DEBUG_FUNCPTR(lp_segmenter_change_state);
  element_class->request_new_pad = GST_DEBUG_FUNCPTR(lp_segmenter_request_new_pad);
  element_class->release_pad = GST_DEBUG_FUNCPTR(lp_segmenter_release_pad);
}
