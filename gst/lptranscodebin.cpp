/**
 * SECTION:element-lptranscodebin
 * @title: lptranscodebin
 *
 * Transcodes a segment stream into an ABR ladder. For each input segment it outputs one
 * segment per rendition (same sequence number, start PTS and duration as the input, IDR first,
 * decodable alone), grouped by input segment and in input order, plus the input segment itself
 * when #lptranscodebin:include-source is set.
 *
 * The video is decoded once and shared by every rendition, which is scaled to fit the
 * profile's box (keeping the aspect ratio), brought down to the profile's frame rate (never
 * up), encoded and muxed with the source audio. Renditions encode in parallel.
 *
 * #lptranscodebin:accel picks the hardware: auto tries NVIDIA (NVDEC + CUDA scaling + NVENC,
 * then NVDEC + CUDA scaling + x264 for GPUs without NVENC), VA, VA-API, then software
 * (avdec_h264 + videoscale + x264enc), proving each chain on a few frames before using it.
 * The choice is logged and posted as an element message "lptranscodebin-accel" (fields chain,
 * decoder, scaler, encoder).
 *
 * A segment that cannot be demuxed or decoded is skipped with a warning that names its
 * sequence number; the stream goes on with the next one.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=in.ts ! tsdemux name=d d. ! h264parse ! lpsegmenter name=s \
 *   ! lptranscodebin profiles=P360p30fps16x9,P240p30fps16x9 include-source=true \
 *   ! lps3sink location=/tmp/hls  d. ! aacparse ! s.audio
 * ]|
 */
#include "lptranscodebin.h"

#include "media/profiles.h"
#include "media/segmentmeta.h"
#include "media/tsscan.h"
#include "transcode/accel.h"
#include "transcode/ladder.h"
#include "transcode/outbox.h"
#include "transcode/segmentdemuxer.h"

#include <gst/video/video.h>

#include <condition_variable>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

GST_DEBUG_CATEGORY_STATIC(lp_transcode_bin_debug);
#define GST_CAT_DEFAULT lp_transcode_bin_debug

#define DEFAULT_PROFILES lp::kDefaultProfiles
#define DEFAULT_ACCEL lp::Accel::kAuto
#define DEFAULT_INCLUDE_SOURCE FALSE

enum { PROP_0, PROP_PROFILES, PROP_ACCEL, PROP_INCLUDE_SOURCE, PROP_CHAIN };

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE(
    "sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS(lp::kSegmentStreamCapsString));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE(
    "src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS(lp::kSegmentStreamCapsString));

GType lp_accel_get_type(void) {
  static gsize type = 0;
  if (g_once_init_enter(&type)) {
    static const GEnumValue values[] = {
        {static_cast<gint>(lp::Accel::kAuto), "First working chain: NVIDIA, VA, VA-API, software",
         "auto"},
        {static_cast<gint>(lp::Accel::kNvidia), "NVIDIA (nvcodec: NVDEC, CUDA, NVENC or x264)",
         "nvidia"},
        {static_cast<gint>(lp::Accel::kVaapi), "VA / VA-API (Intel, AMD)", "vaapi"},
        {static_cast<gint>(lp::Accel::kSoftware), "Software (avdec_h264, videoscale, x264enc)",
         "software"},
        {0, nullptr, nullptr},
    };
    g_once_init_leave(&type, g_enum_register_static("LpAccel", values));
  }
  return type;
}

struct LpTranscodeBinPrivate {
  std::mutex settings_lock;
  std::string profiles_spec = DEFAULT_PROFILES;
  lp::Accel accel = DEFAULT_ACCEL;
  bool include_source = DEFAULT_INCLUDE_SOURCE;
  std::string chain_name;  // read-only property, set when going to PAUSED

  GstPad *sinkpad = nullptr;
  GstPad *srcpad = nullptr;

  // Fixed from READY->PAUSED until PAUSED->READY.
  const lp::ChainSpec *chain = nullptr;
  std::vector<lp::VideoProfile> profiles;
  bool run_include_source = false;

  // Input thread.
  std::unique_ptr<lp::Ladder> ladder;  // built at the first good segment
  GstCaps *video_caps = nullptr;
  guint next_token = 1;
  guint64 next_auto_seq = 0;
  guint64 segments_in = 0;
  bool warned_audio_mismatch = false;

  // Output side, shared with the renditions' threads.
  std::mutex output_lock;
  std::condition_variable all_ended;
  std::unique_ptr<lp::Outbox> outbox;
  bool draining = false;
  bool flushing = false;
  bool src_started = false;
  // What downstream last answered a push from a rendition thread; the input returns it
  // upstream, as a pad's chain function would.
  GstFlowReturn downstream = GST_FLOW_OK;
  std::string stream_id = "lptranscodebin";
};

struct _LpTranscodeBin {
  GstBin parent;
  LpTranscodeBinPrivate *priv;
};

#define lp_transcode_bin_parent_class parent_class
G_DEFINE_TYPE(LpTranscodeBin, lp_transcode_bin, GST_TYPE_BIN)
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE(lptranscodebin, "lptranscodebin", GST_RANK_NONE,
                                      LP_TYPE_TRANSCODE_BIN,
                                      GST_DEBUG_CATEGORY_INIT(lp_transcode_bin_debug,
                                                              "lptranscodebin", 0,
                                                              "Livepeer transcoding bin"));

// ---- output: bundles leave in input order ------------------------------------------------

// Called with output_lock held. Pushes what is ready and remembers downstream's answer.
static void push_ready(LpTranscodeBin *self) {
  LpTranscodeBinPrivate *p = self->priv;
  for (lp::Bundle &bundle : p->outbox->take_ready()) {
    if (!p->src_started) {
      p->src_started = true;
      lp::segment_stream_start(p->srcpad, p->stream_id);
    }
    std::vector<GstBuffer *> out;
    if (bundle.source_buffer)
      out.push_back(bundle.source_buffer.release());
    for (size_t r = 0; r < bundle.renditions.size(); ++r) {
      if (bundle.renditions[r])
        out.push_back(bundle.renditions[r].release());
      else
        GST_ELEMENT_WARNING(self, STREAM, ENCODE,
                            ("Rendition %s has no output for segment %" G_GUINT64_FORMAT ".",
                             p->profiles[r].name.c_str(), bundle.source.seq),
                            (nullptr));
    }
    for (GstBuffer *buf : out) {
      if (p->downstream != GST_FLOW_OK) {
        gst_buffer_unref(buf);
        continue;
      }
      p->downstream = gst_pad_push(p->srcpad, buf);
      if (p->downstream == GST_FLOW_NOT_LINKED || p->downstream < GST_FLOW_EOS)
        GST_ELEMENT_FLOW_ERROR(self, p->downstream);
    }
  }
}

// Turns a rendition's bytes for one segment into a segment buffer with meta.
static GstBuffer *make_rendition_segment(LpTranscodeBin *self, size_t r, GstBuffer *bytes,
                                         const lp::SegmentInfo &source) {
  LpTranscodeBinPrivate *p = self->priv;
  lp::SegmentInfo info = source;
  info.rendition = p->profiles[r].name;
  const lp::Ladder::Format format = p->ladder->format(r);
  info.width = format.width;
  info.height = format.height;
  info.fps_n = format.fps_n;
  info.fps_d = format.fps_d;
  GstMapInfo map;
  if (gst_buffer_map(bytes, &map, GST_MAP_READ)) {
    const lp::ts::ScanResult scan = lp::ts::scan(map.data, map.size);
    info.codecs = scan.codecs();
    info.frames = scan.video_pes;
    if (GST_CLOCK_TIME_IS_VALID(info.duration) && info.duration > 0)
      info.bandwidth = gst_util_uint64_scale(map.size * 8, GST_SECOND, info.duration);
    gst_buffer_unmap(bytes, &map);
  }
  GST_BUFFER_PTS(bytes) = info.pts;
  GST_BUFFER_DTS(bytes) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION(bytes) = info.duration;
  GST_BUFFER_OFFSET(bytes) = info.seq;
  if (info.discont)
    GST_BUFFER_FLAG_SET(bytes, GST_BUFFER_FLAG_DISCONT);
  lp::segment_meta_set(bytes, info);
  return bytes;
}

static void complete_locked(LpTranscodeBin *self, size_t r, GstBuffer *finished, guint token) {
  LpTranscodeBinPrivate *p = self->priv;
  if (!finished)
    return;
  const lp::SegmentInfo *source = p->outbox->source(token);
  if (!source) {
    gst_buffer_unref(finished);
    return;
  }
  p->outbox->complete(r, token, lp::BufferPtr(make_rendition_segment(self, r, finished, *source)));
}

static void on_rendition_started(LpTranscodeBin *self, size_t r, guint token, GstBuffer *finished,
                                 guint finished_token) {
  LpTranscodeBinPrivate *p = self->priv;
  std::lock_guard<std::mutex> guard(p->output_lock);
  complete_locked(self, r, finished, finished_token);
  p->outbox->advance(r, token);
  push_ready(self);
}

static void on_rendition_ended(LpTranscodeBin *self, size_t r, GstBuffer *finished, guint token) {
  LpTranscodeBinPrivate *p = self->priv;
  std::lock_guard<std::mutex> guard(p->output_lock);
  complete_locked(self, r, finished, token);
  p->outbox->end(r);
  push_ready(self);
  if (!p->outbox->all_ended())
    return;
  if (p->draining) {
    p->all_ended.notify_all();
  } else {
    GST_DEBUG_OBJECT(self, "every rendition ended; EOS");
    gst_pad_push_event(p->srcpad, gst_event_new_eos());
  }
}

// ---- input: one segment at a time into the ladder -----------------------------------------

static std::string build_ladder(LpTranscodeBin *self, GstCaps *audio_caps) {
  LpTranscodeBinPrivate *p = self->priv;
  lp::Ladder::Callbacks callbacks;
  callbacks.started = [self](size_t r, guint token, GstBuffer *finished, guint finished_token) {
    on_rendition_started(self, r, token, finished, finished_token);
  };
  callbacks.ended = [self](size_t r, GstBuffer *finished, guint token) {
    on_rendition_ended(self, r, finished, token);
  };
  std::string error;
  p->ladder = lp::Ladder::build(GST_BIN(self), *p->chain, p->profiles, audio_caps,
                                std::move(callbacks), &error);
  if (!p->ladder)
    return error;
  {
    std::lock_guard<std::mutex> guard(p->output_lock);
    p->outbox = std::make_unique<lp::Outbox>(p->profiles.size());
  }
  p->ladder->start_stream(p->stream_id, p->video_caps, audio_caps);
  return {};
}

// EOS through the ladder, wait until every rendition has emptied, then flush it so it takes
// new data. Used before a discontinuity: the encoders and muxers must not see time go back.
static bool drain_ladder(LpTranscodeBin *self) {
  LpTranscodeBinPrivate *p = self->priv;
  {
    std::lock_guard<std::mutex> guard(p->output_lock);
    p->draining = true;
  }
  p->ladder->send_eos();
  bool flushed;
  {
    std::unique_lock<std::mutex> guard(p->output_lock);
    p->all_ended.wait(guard, [p] { return p->flushing || p->outbox->all_ended(); });
    flushed = p->flushing;
    p->draining = false;
  }
  if (flushed)
    return false;
  const guint32 seqnum = gst_util_seqnum_next();
  p->ladder->flush_start(seqnum);
  p->ladder->flush_stop(seqnum);
  {
    std::lock_guard<std::mutex> guard(p->output_lock);
    p->outbox->reset();
  }
  p->ladder->new_segment();
  return true;
}

// Meta for a buffer that came without one: what the bytes themselves say.
static lp::SegmentInfo derive_info(LpTranscodeBin *self, GstBuffer *buf,
                                   const lp::ts::ScanResult &scan) {
  LpTranscodeBinPrivate *p = self->priv;
  lp::SegmentInfo info;
  info.seq = p->next_auto_seq;
  if (scan.first_video_pts) {
    const GstClockTime ts = lp::ts::ticks_to_ns(*scan.first_video_pts);
    info.pts = ts >= lp::kTsMuxPtsBase ? ts - lp::kTsMuxPtsBase : ts;
  } else {
    info.pts = GST_BUFFER_PTS(buf);
  }
  info.duration = GST_BUFFER_DURATION(buf);
  if (!GST_CLOCK_TIME_IS_VALID(info.duration) && scan.first_video_pts && scan.max_video_pts &&
      scan.video_pes > 1) {
    const guint64 span = *scan.max_video_pts - *scan.first_video_pts;
    // The span covers n-1 frame intervals; add one more for the last frame.
    info.duration = lp::ts::ticks_to_ns(span + span / (scan.video_pes - 1));
  }
  info.discont = GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DISCONT);
  return info;
}

// A demuxed timestamp on the ladder's timeline, exact to the 90 kHz tick: the source frame
// `ts - first` after the segment's first frame has MPEG-TS time start_ticks + that offset, and
// mpegtsmux turns running time into ticks by rounding down, so the running time given is the
// first nanosecond of that tick. (Shifting nanoseconds instead lands some frames one tick early:
// tsdemux rounds down too.)
static GstClockTime ladder_time(GstClockTime ts, GstClockTime first, guint64 start_ticks) {
  if (!GST_CLOCK_TIME_IS_VALID(ts))
    return GST_CLOCK_TIME_NONE;
  const gint64 delta_ns = static_cast<gint64>(ts) - static_cast<gint64>(first);
  const gint64 delta_ticks =
      (delta_ns >= 0 ? 1 : -1) * static_cast<gint64>(gst_util_uint64_scale_round(
                                     static_cast<guint64>(std::llabs(delta_ns)), 9, 100000));
  const gint64 ticks = static_cast<gint64>(start_ticks) + delta_ticks;
  if (ticks < 0)
    return GST_CLOCK_TIME_NONE;
  return lp::kLadderTimeBase + gst_util_uint64_scale_ceil(static_cast<guint64>(ticks), 100000, 9);
}

static void skip_segment(LpTranscodeBin *self, guint64 seq, const std::string &why) {
  GST_ELEMENT_WARNING(self, STREAM, DEMUX,
                      ("Segment %" G_GUINT64_FORMAT " is corrupt; skipped.", seq),
                      ("%s", why.c_str()));
}

static GstFlowReturn feed_segment(LpTranscodeBin *self, GstBuffer *buf, lp::SegmentInfo info,
                                  lp::DemuxedSegment &demuxed) {
  LpTranscodeBinPrivate *p = self->priv;
  const GstClockTime first_pts = GST_BUFFER_PTS(demuxed.video.front());
  if (!GST_CLOCK_TIME_IS_VALID(first_pts) || !GST_CLOCK_TIME_IS_VALID(info.pts)) {
    skip_segment(self, info.seq, "the first video frame has no timestamp");
    return GST_FLOW_OK;
  }
  // tsdemux emits one access unit per PES; saying so lets h264parse pass each frame on at
  // once, keeping the segment-start event exactly before the segment's first frame.
  GstCaps *video_caps = gst_caps_copy(demuxed.video_caps);
  gst_caps_set_simple(video_caps, "alignment", G_TYPE_STRING, "au", nullptr);
  if (!p->video_caps || !gst_caps_is_equal(p->video_caps, video_caps)) {
    gst_caps_replace(&p->video_caps, video_caps);
    if (p->ladder)
      p->ladder->set_video_caps(p->video_caps);
  }
  gst_caps_unref(video_caps);
  if (!p->ladder) {
    const std::string error = build_ladder(self, demuxed.audio_caps);
    if (!error.empty()) {
      GST_ELEMENT_ERROR(self, CORE, MISSING_PLUGIN, ("Could not build the transcoding chain."),
                        ("%s", error.c_str()));
      return GST_FLOW_ERROR;
    }
  } else if (info.discont && p->segments_in > 0) {
    GST_INFO_OBJECT(self, "discontinuity before segment %" G_GUINT64_FORMAT "; draining", info.seq);
    if (!drain_ladder(self))
      return GST_FLOW_FLUSHING;
  }
  if ((demuxed.audio_caps != nullptr) != p->ladder->has_audio() && !p->warned_audio_mismatch) {
    p->warned_audio_mismatch = true;
    GST_ELEMENT_WARNING(self, STREAM, FORMAT, ("The audio of the stream changed."),
                        ("segment %" G_GUINT64_FORMAT " %s audio; renditions keep the audio "
                         "layout of the first segment",
                         info.seq, demuxed.audio_caps ? "has" : "has no"));
  }

  const guint token = p->next_token++;
  {
    std::lock_guard<std::mutex> guard(p->output_lock);
    lp::BufferPtr source;
    if (p->run_include_source) {
      GstBuffer *copy = gst_buffer_make_writable(gst_buffer_ref(buf));
      lp::segment_meta_set(copy, info);
      source.reset(copy);
    }
    p->outbox->open(token, info, std::move(source));
  }
  // The segment starts at info.pts on the output timeline: every encoder makes an IDR there.
  // The segment's first frame in 90 kHz ticks, as lpsegmenter wrote the source (rounding down).
  const guint64 start_ticks = gst_util_uint64_scale(info.pts, 9, 100000);
  p->ladder->mark_segment_start(token);

  // Interleave by time so no muxer waits on a stream that is not being fed.
  size_t v = 0, a = 0;
  GstFlowReturn ret = GST_FLOW_OK;
  while (ret == GST_FLOW_OK && (v < demuxed.video.size() || a < demuxed.audio.size())) {
    bool take_video = a >= demuxed.audio.size();
    if (!take_video && v < demuxed.video.size()) {
      GstBuffer *vb = demuxed.video[v];
      const GstClockTime vt = GST_BUFFER_DTS_IS_VALID(vb) ? GST_BUFFER_DTS(vb) : GST_BUFFER_PTS(vb);
      take_video = !GST_CLOCK_TIME_IS_VALID(vt) || vt <= GST_BUFFER_PTS(demuxed.audio[a]);
    }
    GstBuffer *in = take_video ? demuxed.video[v++] : demuxed.audio[a++];
    GstBuffer *out = gst_buffer_copy(in);  // shares the memory, owns the timestamps
    GST_BUFFER_PTS(out) = ladder_time(GST_BUFFER_PTS(in), first_pts, start_ticks);
    GST_BUFFER_DTS(out) = ladder_time(GST_BUFFER_DTS(in), first_pts, start_ticks);
    if (!take_video && GST_BUFFER_PTS(out) < lp::kLadderTimeBase) {
      gst_buffer_unref(out);  // audio from before the stream's time zero
      continue;
    }
    ret = take_video ? p->ladder->push_video(out) : p->ladder->push_audio(out);
  }
  p->segments_in++;
  return ret;
}

static GstFlowReturn lp_transcode_bin_chain(GstPad *pad, GstObject *parent, GstBuffer *buf) {
  (void)pad;
  LpTranscodeBin *self = LP_TRANSCODE_BIN(parent);
  LpTranscodeBinPrivate *p = self->priv;
  {
    std::lock_guard<std::mutex> guard(p->output_lock);
    if (p->downstream != GST_FLOW_OK) {
      gst_buffer_unref(buf);
      return p->downstream;
    }
  }
  lp::ts::ScanResult scan;
  {
    GstMapInfo map;
    if (!gst_buffer_map(buf, &map, GST_MAP_READ)) {
      gst_buffer_unref(buf);
      return GST_FLOW_ERROR;
    }
    scan = lp::ts::scan(map.data, map.size);
    gst_buffer_unmap(buf, &map);
  }
  std::optional<lp::SegmentInfo> meta = lp::segment_meta_get(buf);
  lp::SegmentInfo info = meta ? *meta : derive_info(self, buf, scan);
  p->next_auto_seq = info.seq + 1;

  GstFlowReturn ret = GST_FLOW_OK;
  const std::string problem = scan.segment_problem();
  lp::DemuxedSegment demuxed;
  if (!problem.empty()) {
    skip_segment(self, info.seq, problem);
  } else if (!lp::demux_segment(buf, &demuxed)) {
    skip_segment(self, info.seq, demuxed.error);
  } else {
    ret = feed_segment(self, buf, std::move(info), demuxed);
  }
  gst_buffer_unref(buf);
  return ret;
}

static gboolean lp_transcode_bin_sink_event(GstPad *pad, GstObject *parent, GstEvent *event) {
  LpTranscodeBin *self = LP_TRANSCODE_BIN(parent);
  LpTranscodeBinPrivate *p = self->priv;
  switch (GST_EVENT_TYPE(event)) {
    case GST_EVENT_STREAM_START: {
      const gchar *id = nullptr;
      gst_event_parse_stream_start(event, &id);
      if (id)
        p->stream_id = std::string(id) + "/lptranscodebin";
      gst_event_unref(event);
      return TRUE;
    }
    case GST_EVENT_CAPS:
    case GST_EVENT_SEGMENT:
      // Our output has its own caps and a plain TIME segment: buffer PTS is running time.
      gst_event_unref(event);
      return TRUE;
    case GST_EVENT_EOS:
      if (!p->ladder)
        return gst_pad_push_event(p->srcpad, event);
      gst_event_unref(event);
      p->ladder->send_eos();  // the renditions' collectors forward EOS once all have ended
      return TRUE;
    case GST_EVENT_FLUSH_START: {
      {
        std::lock_guard<std::mutex> guard(p->output_lock);
        p->flushing = true;
        p->all_ended.notify_all();
      }
      if (p->ladder)
        p->ladder->flush_start(gst_event_get_seqnum(event));
      return gst_pad_push_event(p->srcpad, event);
    }
    case GST_EVENT_FLUSH_STOP: {
      if (p->ladder) {
        p->ladder->flush_stop(gst_event_get_seqnum(event));
        p->ladder->new_segment();
      }
      {
        std::lock_guard<std::mutex> guard(p->output_lock);
        p->flushing = false;
        p->downstream = GST_FLOW_OK;
        if (p->outbox)
          p->outbox->reset();
      }
      return gst_pad_push_event(p->srcpad, event);
    }
    default:
      return gst_pad_event_default(pad, parent, event);
  }
}

// ---- element --------------------------------------------------------------------------

static bool prepare(LpTranscodeBin *self) {
  LpTranscodeBinPrivate *p = self->priv;
  std::string spec;
  lp::Accel accel;
  {
    std::lock_guard<std::mutex> guard(p->settings_lock);
    spec = p->profiles_spec;
    accel = p->accel;
    p->run_include_source = p->include_source;
  }
  std::string error;
  if (!lp::parse_profiles(spec, &p->profiles, &error)) {
    GST_ELEMENT_ERROR(self, RESOURCE, SETTINGS, ("Invalid profiles: %s.", error.c_str()),
                      ("profiles=\"%s\"", spec.c_str()));
    return false;
  }
  const lp::ChainChoice choice = lp::choose_chain(accel);
  const std::string &report = choice.report;
  p->chain = choice.chain;
  if (!p->chain) {
    if (accel == lp::Accel::kAuto)
      GST_ELEMENT_ERROR(self, CORE, MISSING_PLUGIN, ("No transcoding chain works."),
                        ("%s", report.c_str()));
    else
      GST_ELEMENT_ERROR(self, RESOURCE, NOT_FOUND,
                        ("accel=%s was requested, but no %s chain works.", lp::accel_name(accel),
                         lp::accel_name(accel)),
                        ("%s", report.c_str()));
    return false;
  }
  if (choice.hardware_failed)
    GST_ELEMENT_WARNING(self, RESOURCE, NOT_FOUND,
                        ("Falling back to the %s chain.", p->chain->name), ("%s", report.c_str()));
  GST_INFO_OBJECT(self, "transcoding with the %s chain (%s, %s, %s)%s%s", p->chain->name,
                  p->chain->decoder, p->chain->scaler, p->chain->encoder,
                  report.empty() ? "" : "; not used: ", report.c_str());
  {
    std::lock_guard<std::mutex> guard(p->settings_lock);
    p->chain_name = p->chain->name;
  }
  gst_element_post_message(
      GST_ELEMENT(self),
      gst_message_new_element(
          GST_OBJECT(self),
          gst_structure_new("lptranscodebin-accel", "chain", G_TYPE_STRING, p->chain->name,
                            "decoder", G_TYPE_STRING, p->chain->decoder, "scaler", G_TYPE_STRING,
                            p->chain->scaler, "encoder", G_TYPE_STRING, p->chain->encoder,
                            "requested", G_TYPE_STRING, lp::accel_name(accel), "not-used",
                            G_TYPE_STRING, report.c_str(), nullptr)));
  p->next_token = 1;
  p->next_auto_seq = 0;
  p->segments_in = 0;
  p->warned_audio_mismatch = false;
  p->flushing = false;
  p->draining = false;
  p->src_started = false;
  p->downstream = GST_FLOW_OK;
  return true;
}

static GstStateChangeReturn lp_transcode_bin_change_state(GstElement *element,
                                                          GstStateChange transition) {
  LpTranscodeBin *self = LP_TRANSCODE_BIN(element);
  LpTranscodeBinPrivate *p = self->priv;
  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED && !prepare(self))
    return GST_STATE_CHANGE_FAILURE;
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY) {
    // Wake an input thread waiting for a drain before the pads deactivate.
    std::lock_guard<std::mutex> guard(p->output_lock);
    p->flushing = true;
    p->all_ended.notify_all();
  }
  const GstStateChangeReturn ret =
      GST_ELEMENT_CLASS(parent_class)->change_state(element, transition);
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY) {
    p->ladder.reset();
    std::lock_guard<std::mutex> guard(p->output_lock);
    p->outbox.reset();
    gst_caps_replace(&p->video_caps, nullptr);
  }
  return ret;
}

static void lp_transcode_bin_set_property(GObject *object, guint prop_id, const GValue *value,
                                          GParamSpec *pspec) {
  LpTranscodeBinPrivate *p = LP_TRANSCODE_BIN(object)->priv;
  std::lock_guard<std::mutex> guard(p->settings_lock);
  switch (prop_id) {
    case PROP_PROFILES: {
      const gchar *spec = g_value_get_string(value);
      p->profiles_spec = spec ? spec : DEFAULT_PROFILES;
      break;
    }
    case PROP_ACCEL:
      p->accel = static_cast<lp::Accel>(g_value_get_enum(value));
      break;
    case PROP_INCLUDE_SOURCE:
      p->include_source = g_value_get_boolean(value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
}

static void lp_transcode_bin_get_property(GObject *object, guint prop_id, GValue *value,
                                          GParamSpec *pspec) {
  LpTranscodeBinPrivate *p = LP_TRANSCODE_BIN(object)->priv;
  std::lock_guard<std::mutex> guard(p->settings_lock);
  switch (prop_id) {
    case PROP_PROFILES:
      g_value_set_string(value, p->profiles_spec.c_str());
      break;
    case PROP_ACCEL:
      g_value_set_enum(value, static_cast<gint>(p->accel));
      break;
    case PROP_INCLUDE_SOURCE:
      g_value_set_boolean(value, p->include_source);
      break;
    case PROP_CHAIN:
      g_value_set_string(value, p->chain_name.empty() ? nullptr : p->chain_name.c_str());
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
}

static void lp_transcode_bin_finalize(GObject *object) {
  LpTranscodeBinPrivate *p = LP_TRANSCODE_BIN(object)->priv;
  gst_caps_replace(&p->video_caps, nullptr);
  delete p;
  G_OBJECT_CLASS(parent_class)->finalize(object);
}

static void lp_transcode_bin_init(LpTranscodeBin *self) {
  LpTranscodeBinPrivate *p = self->priv = new LpTranscodeBinPrivate();
  p->sinkpad = gst_pad_new_from_static_template(&sink_template, "sink");
  gst_pad_set_chain_function(p->sinkpad, GST_DEBUG_FUNCPTR(lp_transcode_bin_chain));
  gst_pad_set_event_function(p->sinkpad, GST_DEBUG_FUNCPTR(lp_transcode_bin_sink_event));
  gst_element_add_pad(GST_ELEMENT(self), p->sinkpad);
  p->srcpad = gst_pad_new_from_static_template(&src_template, "src");
  gst_pad_use_fixed_caps(p->srcpad);
  gst_element_add_pad(GST_ELEMENT(self), p->srcpad);
}

static void lp_transcode_bin_class_init(LpTranscodeBinClass *klass) {
  GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
  gobject_class->set_property = lp_transcode_bin_set_property;
  gobject_class->get_property = lp_transcode_bin_get_property;
  gobject_class->finalize = lp_transcode_bin_finalize;

  const auto flags =
      GParamFlags(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
  g_object_class_install_property(
      gobject_class, PROP_PROFILES,
      g_param_spec_string(
          "profiles", "Profiles",
          "The renditions: comma-separated Livepeer profile names (P720p60fps16x9, "
          "P720p30fps16x9, P720p25fps16x9, P720p30fps4x3, P576p30fps16x9, P576p25fps16x9, "
          "P360p30fps16x9, P360p25fps16x9, P360p30fps4x3, P240p30fps16x9, P240p25fps16x9, "
          "P240p30fps4x3, P144p30fps16x9, P144p25fps16x9) or a JSON array of objects with "
          "name, width, height, bitrate (bit/s), fps, fpsDen, gop (seconds or \"intra\") and "
          "profile (H264Baseline, H264Main, H264High, H264ConstrainedHigh)",
          DEFAULT_PROFILES, flags));
  g_object_class_install_property(
      gobject_class, PROP_ACCEL,
      g_param_spec_enum("accel", "Acceleration",
                        "Which hardware decodes, scales and encodes; an explicit choice that does "
                        "not work is an error",
                        LP_TYPE_ACCEL, static_cast<gint>(DEFAULT_ACCEL), flags));
  g_object_class_install_property(
      gobject_class, PROP_INCLUDE_SOURCE,
      g_param_spec_boolean("include-source", "Include source",
                           "Also output each input segment (rendition \"source\") ahead of its "
                           "renditions",
                           DEFAULT_INCLUDE_SOURCE, flags));
  g_object_class_install_property(
      gobject_class, PROP_CHAIN,
      g_param_spec_string("chain", "Chain",
                          "The chain in use (nvidia, nvidia-decode, va, vaapi or software), "
                          "known from PAUSED on",
                          nullptr, GParamFlags(G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)));

  gst_element_class_add_static_pad_template(element_class, &sink_template);
  gst_element_class_add_static_pad_template(element_class, &src_template);
  gst_element_class_set_static_metadata(
      element_class, "Livepeer transcoder", "Codec/Transcoder/Video",
      "Transcodes a segment stream into an ABR ladder: decode once, scale and encode each "
      "rendition in parallel, on NVIDIA, VA or the CPU",
      "gst-livepeer developers");
  element_class->change_state = GST_DEBUG_FUNCPTR(lp_transcode_bin_change_state);
  gst_type_mark_as_plugin_api(LP_TYPE_ACCEL, GstPluginAPIFlags(0));
}
