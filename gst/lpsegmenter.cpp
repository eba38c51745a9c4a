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
 * Timestamps stay continuous across segments: one muxer (libavformat's) writes the whole
 * stream. Audio and video are interleaved by decode time inside the element. Without a live
 * source, a stream that runs 3 s ahead of the other waits for it (give each stream its own
 * queue, as for any muxer); with a live source, or one thread pushing both, it is written on
 * and a stalled stream loses nothing of the other.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=in.ts ! tsdemux name=d \
 *   d. ! h264parse ! lpsegmenter name=s ! lps3sink location=/tmp/hls \
 *   d. ! aacparse ! s.audio
 * ]|
 */
#include "lpsegmenter.h"

#include "media/muxtimeline.h"
#include "media/segmentcutter.h"
#include "media/segmentmeta.h"
#include "media/tsmuxer.h"
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

  // h264parse (SPS/PPS before every IDR, avc to byte-stream) and a byte-stream capsfilter.
  GstElement *parse = nullptr;
  GstElement *filter = nullptr;
  GstPad *video_pad = nullptr;  // ghost of the parser's sink
  GstPad *video_in = nullptr;   // the filter's output comes here; not an element pad
  GstPad *audio_pad = nullptr;
  GstPad *srcpad = nullptr;

  // Settings as the running stream uses them (taken when going to PAUSED).
  GstClockTime target = 0;
  GstClockTime max = 0;
  std::string run_stream_id;

  std::unique_ptr<lp::TsMuxer> muxer;
  // Shared by both streaming threads: one shift for both when time jumps back.
  lp::JumpShifts shifts;

  // Video streaming thread.
  GstSegment video_segment;
  std::unique_ptr<lp::SegmentCutter> cutter;
  std::atomic<bool> saw_video{false};
  lp::DecodeTimes decode_times;     // for H.264 that comes without DTS
  GstClockTime frame_duration = 0;  // from the caps' frame rate; 0 when unknown
  bool warned_out_of_order = false;

  // Audio streaming thread.
  GstSegment audio_segment;
  GstClockTime first_audio_rt = GST_CLOCK_TIME_NONE;
  // Where the last audio frame ended (running time), to see time jump back. A forward gap is
  // not a jump for audio: audio that dropped out stays in sync with the video around it.
  GstClockTime audio_end = GST_CLOCK_TIME_NONE;

  // Segments the cutter has closed, by sequence number, until the muxer finishes them.
  std::mutex lock;
  std::map<guint64, lp::SegmentSpan> segments;
  bool src_started = false;  // only touched by push_segment, which the muxer serializes
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
  p->audio_end = GST_CLOCK_TIME_NONE;
  p->shifts.reset();
  p->decode_times.reset();
  p->warned_out_of_order = false;
  p->saw_video = false;
  {
    std::lock_guard<std::mutex> guard(p->lock);
    p->segments.clear();
  }
  p->muxer->reset();
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

// ---- output: a finished segment with its meta ----------------------------------------------

// Called by the muxer for each finished segment, one at a time and in order.
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
      info.codecs = lp::ts::scan_codecs(map.data, map.size).codecs();
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
    lp::segment_stream_start(p->srcpad, upstream_id + "/lpsegmenter");
  }
  GST_DEBUG_OBJECT(self,
                   "segment %" G_GUINT64_FORMAT ": %" G_GSIZE_FORMAT " bytes, %u frames, %.3f s",
                   seq, size, info.frames, info.duration_seconds());
  return gst_pad_push(p->srcpad, buf);
}

// ---- video: where to cut ---------------------------------------------------------------------

static void close_segment(LpSegmenterPrivate *p, const lp::SegmentSpan &span) {
  std::lock_guard<std::mutex> guard(p->lock);
  p->segments[span.seq] = span;
}

static GstFlowReturn on_video_buffer(LpSegmenter *self, GstBuffer *buf) {
  LpSegmenterPrivate *p = self->priv;
  lp::SegmentCutter::Frame frame;
  frame.pts = running_time(&p->video_segment, GST_BUFFER_PTS(buf));
  if (!GST_CLOCK_TIME_IS_VALID(frame.pts)) {
    GST_ELEMENT_ERROR(self, STREAM, FORMAT, ("The video has no timestamps."),
                      ("lpsegmenter needs timestamped H.264 (a demuxer or an encoder upstream), "
                       "got a buffer without PTS"));
    return GST_FLOW_ERROR;
  }
  frame.duration = GST_BUFFER_DURATION(buf);
  if (!signed_running_time(&p->video_segment, GST_BUFFER_DTS(buf), &frame.dts)) {
    frame.dts = p->decode_times.next(
        frame.pts, GST_CLOCK_TIME_IS_VALID(frame.duration) ? frame.duration : p->frame_duration);
  }
  frame.keyframe = !GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT);
  frame.discont = GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DISCONT);
  if (!p->saw_video) {
    p->saw_video = true;
    // Whether to wait for late audio or write on without it (see TsMuxer).
    GstQuery *latency = gst_query_new_latency();
    gboolean live = FALSE;
    if (gst_pad_peer_query(p->video_in, latency))
      gst_query_parse_latency(latency, &live, nullptr, nullptr);
    gst_query_unref(latency);
    p->muxer->set_live(live);
    GST_DEBUG_OBJECT(self, "the source is %slive", live ? "" : "not ");
  }

  const lp::SegmentCutter::Decision d = p->cutter->push(frame);
  std::optional<guint64> starts;
  switch (d.verdict) {
    case lp::SegmentCutter::Verdict::kNoKeyframe:
      GST_ELEMENT_ERROR(self, STREAM, DECODE, ("The video has no keyframe."),
                        ("no keyframe in the first %u s of video; lpsegmenter cuts only at "
                         "keyframes (set the encoder's keyframe interval, e.g. x264enc "
                         "key-int-max)",
                         static_cast<guint>(p->max / GST_SECOND)));
      return GST_FLOW_ERROR;
    case lp::SegmentCutter::Verdict::kDrop:
      GST_LOG_OBJECT(self, "dropping a frame before the first keyframe");
      return GST_FLOW_OK;
    case lp::SegmentCutter::Verdict::kOutOfOrder:
      if (!p->warned_out_of_order) {
        p->warned_out_of_order = true;
        GST_ELEMENT_WARNING(self, STREAM, FORMAT, ("Some video frames have broken timestamps."),
                            ("a frame decodes at %" GST_STIME_FORMAT
                             ", before the frame it follows; MPEG-TS cannot hold it, so it and "
                             "any like it are left out",
                             GST_STIME_ARGS(frame.dts)));
      }
      return GST_FLOW_OK;
    case lp::SegmentCutter::Verdict::kStart:
      if (d.ended)
        close_segment(p, *d.ended);
      starts = d.started.seq;
      GST_DEBUG_OBJECT(self, "segment %" G_GUINT64_FORMAT " starts at %" GST_TIME_FORMAT "%s",
                       d.started.seq, GST_TIME_ARGS(d.started.start),
                       d.started.discont ? " (discontinuity)" : "");
      // Ask a live encoder upstream for the next keyframe at the target.
      gst_pad_push_event(p->video_in, gst_video_event_new_upstream_force_key_unit(
                                          d.started.start + p->target, TRUE,
                                          static_cast<guint>(d.started.seq + 1)));
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
  const gint64 shift =
      d.went_back ? p->shifts.jumped_back(lp::JumpShifts::kVideo, static_cast<gint64>(frame.pts))
                  : p->shifts.shift(lp::JumpShifts::kVideo);
  const GstClockTime duration =
      GST_CLOCK_TIME_IS_VALID(frame.duration) ? frame.duration : p->frame_duration;
  p->shifts.ended_at(lp::JumpShifts::kVideo, static_cast<gint64>(frame.pts + duration) + shift);
  return p->muxer->push_video(buf, frame.pts + shift, frame.dts + shift, frame.keyframe, starts);
}

static GstFlowReturn video_chain(GstPad *pad, GstObject *, GstBuffer *buf) {
  auto *self = LP_SEGMENTER(gst_pad_get_element_private(pad));
  const GstFlowReturn ret = on_video_buffer(self, buf);
  gst_buffer_unref(buf);
  return ret;
}

static gboolean video_event(GstPad *pad, GstObject *, GstEvent *event) {
  auto *self = LP_SEGMENTER(gst_pad_get_element_private(pad));
  LpSegmenterPrivate *p = self->priv;
  if (GST_EVENT_IS_STICKY(event))
    p->muxer->note_video_thread();
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
      p->frame_duration = fps_n > 0 && fps_d > 0
                              ? gst_util_uint64_scale(GST_SECOND, static_cast<guint64>(fps_d),
                                                      static_cast<guint64>(fps_n))
                              : 0;
      break;
    }
    case GST_EVENT_FLUSH_START:
      p->muxer->set_flushing();
      gst_pad_push_event(p->srcpad, event);
      return TRUE;
    case GST_EVENT_FLUSH_STOP:
      // After a seek the next keyframe starts a new segment, marked as a discontinuity.
      p->cutter->flush();
      p->muxer->flush();
      p->shifts.reset();
      p->decode_times.reset();
      {
        std::lock_guard<std::mutex> guard(p->lock);
        p->segments.clear();
      }
      gst_pad_push_event(p->srcpad, event);
      return TRUE;
    case GST_EVENT_EOS: {
      gst_event_unref(event);
      if (!p->cutter->saw_video()) {
        GST_ELEMENT_ERROR(self, STREAM, FAILED, ("The video stream ended without any frame."),
                          ("lpsegmenter got EOS on its video pad before any H.264 frame"));
        return FALSE;
      }
      if (!p->cutter->started()) {
        GST_ELEMENT_ERROR(self, STREAM, DECODE, ("The video has no keyframe."),
                          ("the video ended without a single keyframe; nothing can be cut"));
        return FALSE;
      }
      close_segment(p, *p->cutter->finish());
      // EOS goes downstream when the muxer has finished both streams (see on_finished).
      p->muxer->end_video();
      return TRUE;
    }
    default:
      break;
  }
  // Stream-start, caps, segment and the like stop here: the source pad has its own.
  gst_event_unref(event);
  return TRUE;
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

// ---- audio -----------------------------------------------------------------------------------

static GstFlowReturn audio_chain(GstPad *pad, GstObject *parent, GstBuffer *buf) {
  (void)pad;
  LpSegmenter *self = LP_SEGMENTER(parent);
  LpSegmenterPrivate *p = self->priv;
  const GstClockTime rt = running_time(&p->audio_segment, GST_BUFFER_PTS(buf));
  if (!p->saw_video && GST_CLOCK_TIME_IS_VALID(rt)) {
    if (!GST_CLOCK_TIME_IS_VALID(p->first_audio_rt))
      p->first_audio_rt = rt;
    if (rt > p->first_audio_rt + p->max) {
      GST_ELEMENT_ERROR(self, STREAM, FORMAT, ("lpsegmenter got audio but no video."),
                        ("%u s of audio arrived without any video frame; audio-only streams are "
                         "not supported: link H.264 video to the video pad",
                         static_cast<guint>(p->max / GST_SECOND)));
      gst_buffer_unref(buf);
      return GST_FLOW_ERROR;
    }
  }
  gint64 shift = 0;
  if (GST_CLOCK_TIME_IS_VALID(rt)) {
    if (GST_CLOCK_TIME_IS_VALID(p->audio_end) &&
        static_cast<gint64>(rt) + lp::kTimeJump < static_cast<gint64>(p->audio_end)) {
      GST_DEBUG_OBJECT(self, "audio time jumped back to %" GST_TIME_FORMAT, GST_TIME_ARGS(rt));
      shift = p->shifts.jumped_back(lp::JumpShifts::kAudio, static_cast<gint64>(rt));
      p->audio_end = rt;
    } else {
      shift = p->shifts.shift(lp::JumpShifts::kAudio);
    }
    const GstClockTime end =
        rt + (GST_BUFFER_DURATION_IS_VALID(buf) ? GST_BUFFER_DURATION(buf) : 0);
    if (!GST_CLOCK_TIME_IS_VALID(p->audio_end) || end > p->audio_end)
      p->audio_end = end;
    p->shifts.ended_at(lp::JumpShifts::kAudio, static_cast<gint64>(end) + shift);
  }
  const GstFlowReturn ret =
      p->muxer->push_audio(buf, GST_CLOCK_TIME_IS_VALID(rt) ? rt + shift : GST_CLOCK_TIME_NONE);
  gst_buffer_unref(buf);
  return ret;
}

static gboolean audio_event(GstPad *pad, GstObject *parent, GstEvent *event) {
  (void)pad;
  LpSegmenter *self = LP_SEGMENTER(parent);
  LpSegmenterPrivate *p = self->priv;
  gboolean ok = TRUE;
  if (GST_EVENT_IS_STICKY(event))
    p->muxer->note_audio_thread();
  switch (GST_EVENT_TYPE(event)) {
    case GST_EVENT_SEGMENT:
      gst_event_copy_segment(event, &p->audio_segment);
      break;
    case GST_EVENT_CAPS: {
      GstCaps *caps;
      gst_event_parse_caps(event, &caps);
      std::string error;
      if (!p->muxer->set_audio_caps(caps, &error)) {
        GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, ("lpsegmenter cannot use this audio."),
                          ("%s", error.c_str()));
        ok = FALSE;
      }
      break;
    }
    case GST_EVENT_EOS:
      if (!p->saw_video && !gst_pad_is_linked(p->video_pad))
        GST_ELEMENT_ERROR(self, STREAM, FORMAT, ("lpsegmenter got audio but no video."),
                          ("audio-only streams are not supported: link H.264 video to the video "
                           "pad"));
      p->muxer->end_audio();
      break;
    case GST_EVENT_FLUSH_STOP:
      // The muxer and the shifts restart with the video's flush.
      p->audio_end = GST_CLOCK_TIME_NONE;
      break;
    default:
      // Flushes come with the video; the audio's stream-start and the like stop here.
      break;
  }
  gst_event_unref(event);
  return ok;
}

// ---- element --------------------------------------------------------------------------------

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
  GstPad *pad = gst_pad_new_from_template(templ, "audio");
  gst_pad_set_chain_function(pad, GST_DEBUG_FUNCPTR(audio_chain));
  gst_pad_set_event_function(pad, GST_DEBUG_FUNCPTR(audio_event));
  gst_pad_set_active(pad, TRUE);
  gst_element_add_pad(element, pad);
  p->muxer->expect_audio(true);
  GST_OBJECT_LOCK(self);
  p->audio_pad = pad;
  GST_OBJECT_UNLOCK(self);
  return pad;
}

static void lp_segmenter_release_pad(GstElement *element, GstPad *pad) {
  LpSegmenter *self = LP_SEGMENTER(element);
  LpSegmenterPrivate *p = self->priv;
  GST_OBJECT_LOCK(self);
  if (pad != p->audio_pad) {
    GST_OBJECT_UNLOCK(self);
    return;
  }
  p->audio_pad = nullptr;
  GST_OBJECT_UNLOCK(self);
  p->muxer->expect_audio(false);
  gst_pad_set_active(pad, FALSE);
  gst_element_remove_pad(element, pad);
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
      if (!p->parse) {
        GST_ELEMENT_ERROR(self, CORE, MISSING_PLUGIN, ("lpsegmenter cannot run."),
                          ("h264parse is missing: install gstreamer1.0-plugins-bad"));
        return GST_STATE_CHANGE_FAILURE;
      }
      if (p->run_stream_id.empty()) {
        // go-livepeer names an anonymous stream with 4 random bytes in hex.
        g_autofree gchar *id = g_strdup_printf("%08x", g_random_int());
        p->run_stream_id = id;
      }
      reset_stream_state(self);
      p->src_started = false;
      gst_pad_set_active(p->video_in, TRUE);
      break;
    }
    case GST_STATE_CHANGE_PAUSED_TO_READY:
      // A stream blocked waiting for the other one lets go before the pads deactivate.
      p->muxer->set_flushing();
      break;
    default:
      break;
  }
  GstStateChangeReturn ret = GST_ELEMENT_CLASS(parent_class)->change_state(element, transition);
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY) {
    gst_pad_set_active(p->video_in, FALSE);
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
  gst_object_unref(self->priv->video_in);
  delete self->priv;
  G_OBJECT_CLASS(parent_class)->finalize(object);
}

static void lp_segmenter_init(LpSegmenter *self) {
  LpSegmenterPrivate *p = self->priv = new LpSegmenterPrivate();
  gst_segment_init(&p->video_segment, GST_FORMAT_TIME);
  gst_segment_init(&p->audio_segment, GST_FORMAT_TIME);
  p->cutter = std::make_unique<lp::SegmentCutter>(p->target, p->max);
  p->muxer = std::make_unique<lp::TsMuxer>(
      [self](guint64 seq, GstBuffer *bytes) { return push_segment(self, bytes, seq); },
      [self](bool fatal, const std::string &text) {
        if (fatal)
          GST_ELEMENT_ERROR(self, STREAM, MUX, ("Could not write the MPEG-TS segment."),
                            ("%s", text.c_str()));
        else
          GST_ELEMENT_WARNING(self, STREAM, MUX, ("%s", text.c_str()), (nullptr));
      },
      [self] { gst_pad_push_event(self->priv->srcpad, gst_event_new_eos()); });

  p->parse = gst_element_factory_make("h264parse", "parse");
  p->filter = gst_element_factory_make("capsfilter", "filter");
  if (!p->parse || !p->filter) {
    // Reported at state change; gst-inspect still works without the plugins.
    GST_ERROR_OBJECT(self, "missing h264parse (gstreamer1.0-plugins-bad)");
    for (GstElement *e : {p->parse, p->filter})
      if (e)
        gst_object_unref(e);
    p->parse = p->filter = nullptr;
  } else {
    // SPS/PPS before every IDR, so every segment decodes on its own.
    g_object_set(p->parse, "config-interval", -1, nullptr);
    GstCaps *caps = gst_caps_from_string("video/x-h264, stream-format=byte-stream, alignment=au");
    g_object_set(p->filter, "caps", caps, nullptr);
    gst_caps_unref(caps);
    gst_bin_add_many(GST_BIN(self), p->parse, p->filter, nullptr);
    gst_element_link(p->parse, p->filter);
  }

  GstPad *parse_sink = p->parse ? gst_element_get_static_pad(p->parse, "sink") : nullptr;
  p->video_pad = gst_ghost_pad_new_from_template("video", parse_sink,
                                                 gst_static_pad_template_get(&video_template));
  if (parse_sink)
    gst_object_unref(parse_sink);
  gst_pad_add_probe(p->video_pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, video_caps_probe, self,
                    nullptr);
  gst_element_add_pad(GST_ELEMENT(self), p->video_pad);

  p->video_in = gst_pad_new("video-in", GST_PAD_SINK);
  gst_object_ref_sink(p->video_in);
  gst_pad_set_element_private(p->video_in, self);
  gst_pad_set_chain_function(p->video_in, video_chain);
  gst_pad_set_event_function(p->video_in, video_event);
  if (p->filter) {
    GstPad *filter_src = gst_element_get_static_pad(p->filter, "src");
    gst_pad_link_full(filter_src, p->video_in, GST_PAD_LINK_CHECK_NOTHING);
    gst_object_unref(filter_src);
  }

  p->srcpad = gst_pad_new_from_static_template(&src_template, "src");
  gst_pad_use_fixed_caps(p->srcpad);
  gst_element_add_pad(GST_ELEMENT(self), p->srcpad);
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

  // Audio first: a link by caps from an element whose caps are not known yet (a queue behind
  // a demuxer) tries templates in order, and the video one, always present, cannot be requested.
  gst_element_class_add_static_pad_template(element_class, &audio_template);
  gst_element_class_add_static_pad_template(element_class, &video_template);
  gst_element_class_add_static_pad_template(element_class, &src_template);
  gst_element_class_set_static_metadata(
      element_class, "Livepeer segmenter", "Codec/Muxer",
      "Cuts H.264 (+AAC) at keyframes into MPEG-TS segments, one per buffer, with segment meta",
      "gst-livepeer developers");

  element_class->change_state = GST_DEBUG_FUNCPTR(lp_segmenter_change_state);
  element_class->request_new_pad = GST_DEBUG_FUNCPTR(lp_segmenter_request_new_pad);
  element_class->release_pad = GST_DEBUG_FUNCPTR(lp_segmenter_release_pad);
}
