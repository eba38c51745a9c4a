#include "transcode/ladder.h"

#include "media/segmentmeta.h"
#include "transcode/framedecimator.h"

#include <gst/video/video.h>

#include <algorithm>

GST_DEBUG_CATEGORY_STATIC(lp_ladder_debug);
#define GST_CAT_DEFAULT lp_ladder_debug

namespace lp {
namespace {

// Raw frames waiting for one rendition's encoder. Small: the decoder waits for the slowest
// encoder anyway, and 720p frames are 1.4 MB each.
constexpr guint kVideoQueueFrames = 8;
// Audio waits for the video encoders' delay (lookahead, threads), which is well under this.
constexpr guint64 kAudioQueueTime = 10 * GST_SECOND;
constexpr const char *kSegmentStartEvent = "lp-segment-start";

void set_if_exists(GstElement *element, const char *property, const char *value) {
  if (g_object_class_find_property(G_OBJECT_GET_CLASS(element), property))
    gst_util_set_object_arg(G_OBJECT(element), property, value);
}

bool link_request(GstElement *tee_or_mux_src, GstElement *sink, const char *request_template,
                  bool request_on_sink) {
  // Links src -> sink through a request pad on whichever side has the template.
  GstPad *src_pad = request_on_sink
                        ? gst_element_get_static_pad(tee_or_mux_src, "src")
                        : gst_element_request_pad_simple(tee_or_mux_src, request_template);
  GstPad *sink_pad = request_on_sink ? gst_element_request_pad_simple(sink, request_template)
                                     : gst_element_get_static_pad(sink, "sink");
  const bool ok = src_pad && sink_pad && gst_pad_link(src_pad, sink_pad) == GST_PAD_LINK_OK;
  if (src_pad)
    gst_object_unref(src_pad);
  if (sink_pad)
    gst_object_unref(sink_pad);
  return ok;
}

const char *audio_parser_for(GstCaps *caps) {
  const GstStructure *s = gst_caps_get_structure(caps, 0);
  if (gst_structure_has_name(s, "audio/mpeg")) {
    gint version = 0;
    gst_structure_get_int(s, "mpegversion", &version);
    return version == 1 ? "mpegaudioparse" : "aacparse";
  }
  if (gst_structure_has_name(s, "audio/x-ac3") || gst_structure_has_name(s, "audio/x-eac3"))
    return "ac3parse";
  return nullptr;
}

// The feeds push whole segments as fast as the ladder takes them: not live, no latency. The
// renditions' muxers ask (and log a warning each time nobody answers).
gboolean feed_query(GstPad *pad, GstObject *parent, GstQuery *query) {
  if (GST_QUERY_TYPE(query) == GST_QUERY_LATENCY) {
    gst_query_set_latency(query, FALSE, 0, GST_CLOCK_TIME_NONE);
    return TRUE;
  }
  return gst_pad_query_default(pad, parent, query);
}

}  // namespace

std::unique_ptr<Ladder> Ladder::build(GstBin *bin, const ChainSpec &chain,
                                      const std::vector<VideoProfile> &profiles,
                                      GstCaps *audio_caps, Callbacks callbacks,
                                      std::string *error) {
  static gsize debug_once = 0;
  if (g_once_init_enter(&debug_once)) {
    GST_DEBUG_CATEGORY_INIT(lp_ladder_debug, "lpladder", 0, "lptranscodebin graph");
    g_once_init_leave(&debug_once, 1);
  }
  std::unique_ptr<Ladder> ladder(new Ladder(bin, chain));
  ladder->callbacks_ = std::move(callbacks);
  for (size_t i = 0; i < profiles.size(); ++i) {
    auto r = std::make_unique<Rendition>();
    r->index = i;
    r->profile = profiles[i];
    r->ladder = ladder.get();
    ladder->renditions_.push_back(std::move(r));
  }
  if (!ladder->build_video(error))
    return nullptr;
  if (audio_caps && !ladder->build_audio(audio_caps, error))
    return nullptr;
  // Larger renditions first, so a cascade parent exists before its children.
  std::vector<size_t> order(ladder->renditions_.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const VideoProfile &pa = ladder->renditions_[a]->profile;
    const VideoProfile &pb = ladder->renditions_[b]->profile;
    return pa.width * pa.height > pb.width * pb.height;
  });
  std::vector<bool> feeds_others(order.size(), false);
  for (size_t i = 0; i < order.size(); ++i)
    if (const int parent = ladder->cascade_parent(i); parent >= 0)
      feeds_others[parent] = true;
  for (size_t i : order) {
    const int parent = ladder->cascade_parent(i);
    GstElement *input = parent < 0 ? ladder->video_tee_ : ladder->renditions_[parent]->scaled_tee;
    if (!ladder->build_rendition(*ladder->renditions_[i], input, feeds_others[i], error))
      return nullptr;
  }
  // Bring the new elements to the bin's state, downstream first.
  for (auto it = ladder->elements_.rbegin(); it != ladder->elements_.rend(); ++it)
    gst_element_sync_state_with_parent(*it);
  for (auto &r : ladder->renditions_)
    r->collector->set_active(true);
  gst_pad_set_active(ladder->video_feed_, TRUE);
  if (ladder->audio_feed_)
    gst_pad_set_active(ladder->audio_feed_, TRUE);
  return ladder;
}

Ladder::~Ladder() {
  for (GstPad *feed : {video_feed_, audio_feed_}) {
    if (feed) {
      gst_pad_set_active(feed, FALSE);
      gst_object_unref(feed);
    }
  }
  for (GstElement *e : elements_) {
    gst_element_set_state(e, GST_STATE_NULL);
    gst_bin_remove(bin_, e);
  }
  // The collectors go with renditions_, after the elements.
}

GstElement *Ladder::add(const char *factory, std::string *error) {
  GstElement *e = gst_element_factory_make(factory, nullptr);
  if (!e) {
    *error = std::string("element ") + factory + " is not installed";
    return nullptr;
  }
  gst_bin_add(bin_, e);
  elements_.push_back(e);
  return e;
}

bool Ladder::build_video(std::string *error) {
  GstElement *parse = add("h264parse", error);
  GstElement *decoder = parse ? add(chain_.decoder, error) : nullptr;
  video_tee_ = decoder ? add("tee", error) : nullptr;
  if (!video_tee_)
    return false;
  // Damaged frames are concealed and reported, never fatal: one bad segment must not end
  // the stream.
  set_if_exists(decoder, "max-errors", "-1");
  if (!gst_element_link_many(parse, decoder, video_tee_, nullptr)) {
    *error = std::string("cannot link h264parse ! ") + chain_.decoder;
    return false;
  }
  video_feed_ = gst_pad_new("video-feed", GST_PAD_SRC);
  gst_object_ref_sink(video_feed_);
  gst_pad_set_query_function(video_feed_, feed_query);
  GstPad *parse_sink = gst_element_get_static_pad(parse, "sink");
  gst_pad_link_full(video_feed_, parse_sink, GST_PAD_LINK_CHECK_NOTHING);
  gst_object_unref(parse_sink);
  GstPad *decoded = gst_element_get_static_pad(decoder, "src");
  gst_pad_add_probe(decoded, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, decoded_event_probe, this,
                    nullptr);
  gst_object_unref(decoded);
  return true;
}

bool Ladder::build_audio(GstCaps *audio_caps, std::string *error) {
  const char *parser_name = audio_parser_for(audio_caps);
  if (!parser_name) {
    // Not fatal: the renditions go out video-only.
    GST_WARNING("audio %" GST_PTR_FORMAT " is not passed through",
                static_cast<gpointer>(audio_caps));
    return true;
  }
  GstElement *parser = add(parser_name, error);
  audio_tee_ = parser ? add("tee", error) : nullptr;
  if (!audio_tee_)
    return false;
  gst_element_link(parser, audio_tee_);
  audio_feed_ = gst_pad_new("audio-feed", GST_PAD_SRC);
  gst_object_ref_sink(audio_feed_);
  gst_pad_set_query_function(audio_feed_, feed_query);
  GstPad *parser_sink = gst_element_get_static_pad(parser, "sink");
  gst_pad_link_full(audio_feed_, parser_sink, GST_PAD_LINK_CHECK_NOTHING);
  gst_object_unref(parser_sink);
  return true;
}

int Ladder::cascade_parent(size_t r) const {
  const VideoProfile &child = renditions_[r]->profile;
  int best = -1;
  for (size_t p = 0; p < renditions_.size(); ++p) {
    const VideoProfile &parent = renditions_[p]->profile;
    if (p == r || parent.width < child.width || parent.height < child.height)
      continue;
    // Same box: only the first of equal boxes may parent the others, never each other.
    if (parent.width == child.width && parent.height == child.height && p > r)
      continue;
    // The parent must keep at least the child's frames.
    const bool rate_ok =
        parent.fps == 0 ||
        (child.fps > 0 && gst_util_fraction_compare(parent.fps, std::max(1, parent.fps_den),
                                                    child.fps, std::max(1, child.fps_den)) >= 0);
    if (!rate_ok)
      continue;
    const VideoProfile *current = best < 0 ? nullptr : &renditions_[best]->profile;
    if (!current || parent.width * parent.height < current->width * current->height)
      best = static_cast<int>(p);
  }
  return best;
}

bool Ladder::build_rendition(Rendition &r, GstElement *input_tee, bool feeds_others,
                             std::string *error) {
  GstElement *queue = add("queue", error);
  if (!queue)
    return false;
  g_object_set(queue, "max-size-buffers", kVideoQueueFrames, "max-size-bytes", 0, "max-size-time",
               static_cast<guint64>(0), nullptr);
  auto *decimator = GST_ELEMENT(g_object_new(LP_TYPE_FRAME_DECIMATOR, nullptr));
  gst_bin_add(bin_, decimator);
  elements_.push_back(decimator);
  if (r.profile.fps > 0)
    gst_util_set_object_arg(
        G_OBJECT(decimator), "max-framerate",
        (std::to_string(r.profile.fps) + "/" + std::to_string(std::max(1, r.profile.fps_den)))
            .c_str());
  GstElement *scaler = add(chain_.scaler, error);
  r.scale_filter = scaler ? add("capsfilter", error) : nullptr;
  if (!r.scale_filter)
    return false;
  // Exact fit-to-box sizes are computed from the decoded caps; no letterboxing.
  set_if_exists(scaler, "add-borders", "false");
  GstElement *download = nullptr;
  if (*chain_.download && !(download = add(chain_.download, error)))
    return false;
  GstElement *encoder = add(chain_.encoder, error);
  if (!encoder)
    return false;
  configure_encoder(encoder, r.profile, r.profile.fps, std::max(1, r.profile.fps_den));
  GstElement *profile_filter = nullptr;
  if (const char *h264_profile = h264_profile_caps_name(r.profile.profile); *h264_profile) {
    if (!(profile_filter = add("capsfilter", error)))
      return false;
    GstCaps *caps =
        gst_caps_new_simple("video/x-h264", "profile", G_TYPE_STRING, h264_profile, nullptr);
    g_object_set(profile_filter, "caps", caps, nullptr);
    gst_caps_unref(caps);
  }
  GstElement *parse = add("h264parse", error);
  GstElement *mux = parse ? add("mpegtsmux", error) : nullptr;
  if (!mux)
    return false;
  g_object_set(parse, "config-interval", -1, nullptr);

  std::vector<GstElement *> chain = {queue, decimator, scaler, r.scale_filter};
  if (feeds_others) {
    // The renditions that scale from this one take their frames here.
    r.scaled_tee = add("tee", error);
    GstElement *encoder_queue = r.scaled_tee ? add("queue", error) : nullptr;
    if (!encoder_queue)
      return false;
    g_object_set(encoder_queue, "max-size-buffers", kVideoQueueFrames, "max-size-bytes", 0,
                 "max-size-time", static_cast<guint64>(0), nullptr);
    chain.push_back(r.scaled_tee);
    chain.push_back(encoder_queue);
  }
  if (download)
    chain.push_back(download);
  chain.push_back(encoder);
  if (profile_filter)
    chain.push_back(profile_filter);
  chain.push_back(parse);
  bool linked = link_request(input_tee, queue, "src_%u", false);
  for (size_t i = 0; linked && i + 1 < chain.size(); ++i)
    linked = gst_element_link(chain[i], chain[i + 1]);
  linked = linked && link_request(parse, mux, "sink_%d", true);
  if (!linked) {
    *error = std::string("cannot link the ") + chain_.name + " chain for " + r.profile.name;
    return false;
  }
  GstPad *encoder_sink = gst_element_get_static_pad(encoder, "sink");
  gst_pad_add_probe(encoder_sink, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, encoder_caps_probe, &r,
                    nullptr);
  gst_object_unref(encoder_sink);

  if (audio_tee_) {
    GstElement *audio_queue = add("queue", error);
    if (!audio_queue)
      return false;
    g_object_set(audio_queue, "max-size-buffers", 0, "max-size-bytes", 0, "max-size-time",
                 kAudioQueueTime, nullptr);
    if (!link_request(audio_tee_, audio_queue, "src_%u", false) ||
        !link_request(audio_queue, mux, "sink_%d", true)) {
      *error = "cannot link audio into the muxer of " + r.profile.name;
      return false;
    }
  }

  MuxCollector::Callbacks callbacks;
  callbacks.started = [this, &r](guint token, GstBuffer *finished, guint finished_token) {
    callbacks_.started(r.index, token, finished, finished_token);
    return GST_FLOW_OK;
  };
  callbacks.ended = [this, &r](GstBuffer *finished, guint token) {
    callbacks_.ended(r.index, finished, token);
    return GST_FLOW_OK;
  };
  // Flushes inside the ladder (a drain) stay inside it.
  callbacks.flushed = [](GstEvent *event) {
    gst_event_unref(event);
    return TRUE;
  };
  r.collector = std::make_unique<MuxCollector>("collect-" + r.profile.name, std::move(callbacks));
  r.collector->attach(mux);
  return true;
}

void Ladder::update_scaling(GstCaps *decoded_caps) {
  GstVideoInfo info;
  if (!gst_video_info_from_caps(&info, decoded_caps))
    return;
  GstCapsFeatures *features = gst_caps_features_copy(gst_caps_get_features(decoded_caps, 0));
  // Renditions keep the source's colorimetry and chroma siting. Otherwise caps default to
  // BT.601 below 720 lines and the scaler converts the colour matrix of every pixel: colours
  // shift, and the scale costs twenty times more than GStreamer's per-plane fast path.
  g_autofree gchar *colorimetry = gst_video_colorimetry_to_string(&info.colorimetry);
  g_autofree gchar *chroma_site = gst_video_chroma_site_to_string(info.chroma_site);
  for (auto &r : renditions_) {
    int width = 0, height = 0;
    fit_to_box(GST_VIDEO_INFO_WIDTH(&info), GST_VIDEO_INFO_HEIGHT(&info),
               GST_VIDEO_INFO_PAR_N(&info), GST_VIDEO_INFO_PAR_D(&info), r->profile.width,
               r->profile.height, &width, &height);
    GstCaps *caps = gst_caps_new_simple("video/x-raw", "width", G_TYPE_INT, width, "height",
                                        G_TYPE_INT, height, "pixel-aspect-ratio", GST_TYPE_FRACTION,
                                        1, 1, "format", G_TYPE_STRING, chain_.format, nullptr);
    if (colorimetry)
      gst_caps_set_simple(caps, "colorimetry", G_TYPE_STRING, colorimetry, nullptr);
    if (chroma_site)
      gst_caps_set_simple(caps, "chroma-site", G_TYPE_STRING, chroma_site, nullptr);
    if (*chain_.memory)
      gst_caps_set_features(caps, 0, gst_caps_features_from_string(chain_.memory));
    else
      gst_caps_set_features(caps, 0, gst_caps_features_copy(features));
    GST_INFO("%s: %dx%d -> %dx%d", r->profile.name.c_str(), GST_VIDEO_INFO_WIDTH(&info),
             GST_VIDEO_INFO_HEIGHT(&info), width, height);
    g_object_set(r->scale_filter, "caps", caps, nullptr);
    gst_caps_unref(caps);
  }
  gst_caps_features_free(features);
}

GstPadProbeReturn Ladder::decoded_event_probe(GstPad *, GstPadProbeInfo *info, gpointer data) {
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT(info);
  if (GST_EVENT_TYPE(event) == GST_EVENT_CAPS) {
    GstCaps *caps;
    gst_event_parse_caps(event, &caps);
    static_cast<Ladder *>(data)->update_scaling(caps);
  } else if (gst_event_has_name(event, kSegmentStartEvent)) {
    guint token = 0;
    gst_structure_get_uint(gst_event_get_structure(event), "token", &token);
    GST_PAD_PROBE_INFO_DATA(info) = gst_video_event_new_downstream_force_key_unit(
        GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE, TRUE, token);
    gst_event_unref(event);
  }
  return GST_PAD_PROBE_OK;
}

GstPadProbeReturn Ladder::encoder_caps_probe(GstPad *, GstPadProbeInfo *info, gpointer data) {
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT(info);
  if (GST_EVENT_TYPE(event) == GST_EVENT_CAPS) {
    GstCaps *caps;
    gst_event_parse_caps(event, &caps);
    auto *r = static_cast<Rendition *>(data);
    const GstStructure *s = gst_caps_get_structure(caps, 0);
    int v = 0, n = 0, d = 1;
    if (gst_structure_get_int(s, "width", &v))
      r->width = v;
    if (gst_structure_get_int(s, "height", &v))
      r->height = v;
    if (gst_structure_get_fraction(s, "framerate", &n, &d) && d > 0) {
      r->fps_n = n;
      r->fps_d = d;
    }
  }
  return GST_PAD_PROBE_OK;
}

Ladder::Format Ladder::format(size_t r) const {
  const Rendition &rendition = *renditions_.at(r);
  return {rendition.width, rendition.height, rendition.fps_n, rendition.fps_d};
}

static void ladder_segment(GstSegment *segment) {
  gst_segment_init(segment, GST_FORMAT_TIME);
  segment->start = kLadderTimeBase;
  segment->position = kLadderTimeBase;
  segment->time = 0;
}

void Ladder::start_stream(const std::string &stream_id, GstCaps *video_caps, GstCaps *audio_caps) {
  GstSegment segment;
  ladder_segment(&segment);
  const guint group = gst_util_group_id_next();
  auto start = [&](GstPad *feed, const char *suffix, GstCaps *caps) {
    if (!feed)
      return;
    GstEvent *event = gst_event_new_stream_start((stream_id + suffix).c_str());
    gst_event_set_group_id(event, group);
    gst_pad_push_event(feed, event);
    if (caps)
      gst_pad_push_event(feed, gst_event_new_caps(caps));
    gst_pad_push_event(feed, gst_event_new_segment(&segment));
  };
  start(video_feed_, "/video", video_caps);
  start(audio_feed_, "/audio", audio_caps);
}

void Ladder::set_video_caps(GstCaps *caps) {
  gst_pad_push_event(video_feed_, gst_event_new_caps(caps));
}

void Ladder::mark_segment_start(guint token) {
  push_video_event(gst_event_new_custom(
      GST_EVENT_CUSTOM_DOWNSTREAM,
      gst_structure_new(kSegmentStartEvent, "token", G_TYPE_UINT, token, nullptr)));
}

GstFlowReturn Ladder::push_video(GstBuffer *buffer) {
  return gst_pad_push(video_feed_, buffer);
}

GstFlowReturn Ladder::push_audio(GstBuffer *buffer) {
  if (!audio_feed_) {
    gst_buffer_unref(buffer);
    return GST_FLOW_OK;
  }
  return gst_pad_push(audio_feed_, buffer);
}

void Ladder::push_video_event(GstEvent *event) {
  gst_pad_push_event(video_feed_, event);
}

void Ladder::push_audio_event(GstEvent *event) {
  if (audio_feed_)
    gst_pad_push_event(audio_feed_, event);
  else
    gst_event_unref(event);
}

void Ladder::send_eos() {
  push_audio_event(gst_event_new_eos());
  push_video_event(gst_event_new_eos());
}

void Ladder::new_segment() {
  GstSegment segment;
  ladder_segment(&segment);
  push_video_event(gst_event_new_segment(&segment));
  push_audio_event(gst_event_new_segment(&segment));
}

void Ladder::flush_start(guint32 seqnum) {
  for (GstPad *feed : {video_feed_, audio_feed_}) {
    if (!feed)
      continue;
    GstEvent *event = gst_event_new_flush_start();
    gst_event_set_seqnum(event, seqnum);
    gst_pad_push_event(feed, event);
  }
}

void Ladder::flush_stop(guint32 seqnum) {
  for (GstPad *feed : {video_feed_, audio_feed_}) {
    if (!feed)
      continue;
    GstEvent *event = gst_event_new_flush_stop(TRUE);
    gst_event_set_seqnum(event, seqnum);
    gst_pad_push_event(feed, event);
  }
}

}  // namespace lp
