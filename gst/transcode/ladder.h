// The transcoding graph inside lptranscodebin: decode once, tee, and per rendition
// decimate + scale + encode + mux, with an MPEG-TS collector at the end of each rendition.
//
//   video feed -> h264parse -> decoder -> tee -+-> queue -> decimator -> scaler -> caps
//                                              |     [-> download] -> encoder -> h264parse -> mux
//   audio feed -> parser -> tee ---------------+-> queue -----------------------------------> mux
//
// Scaling cascades: a rendition scales from the smallest larger rendition whose box holds it
// and whose frame rate is at least its own (a tee after that rendition's scaler), else from
// the decoded source. Scaling reads far fewer pixels that way (P144p from P360p rather than
// from 1080p), which is most of the scaling cost.
//
// A segment boundary enters as a custom "lp-segment-start" event just before the segment's
// first frame; the decoder keeps it with that frame. After the decoder it becomes a
// force-key-unit event "as soon as possible" whose count is the segment's token: each encoder
// makes that very frame an IDR and re-emits the event, mpegtsmux forwards it just before the
// IDR (after fresh PAT/PMT), and the collector cuts the rendition's bytes there. (A request
// carrying a running time is not used: GstVideoEncoder 1.22 mis-times requests that arrive
// before its first output and then ignores every later one.)
#pragma once

#include "media/muxcollector.h"
#include "media/profiles.h"
#include "transcode/accel.h"

#include <gst/gst.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace lp {

// Buffer timestamps inside the ladder are running time + this base, with a segment that
// starts here. x264enc (min-pts) otherwise shifts its first frame by 1000 h and, in
// GStreamer 1.22.0, then ignores every later force-key-unit event; negative decode times of
// B-frame streams also stay representable.
inline constexpr GstClockTime kLadderTimeBase = 1000ull * 3600 * GST_SECOND;

class Ladder {
 public:
  // Called on a rendition's streaming thread.
  struct Callbacks {
    // Rendition r started segment `token`; `finished` holds the bytes of the segment it was on
    // (nullptr when it was on none), with the token of that segment in `finished_token`.
    std::function<void(size_t r, guint token, GstBuffer *finished, guint finished_token)> started;
    // Rendition r reached EOS; `finished` as above.
    std::function<void(size_t r, GstBuffer *finished, guint finished_token)> ended;
  };

  struct Format {
    int width = 0;
    int height = 0;
    int fps_n = 0;
    int fps_d = 1;
  };

  // Builds the graph into `bin` (already in PAUSED or PLAYING is fine). `audio_caps` is null
  // for video-only streams.
  static std::unique_ptr<Ladder> build(GstBin *bin, const ChainSpec &chain,
                                       const std::vector<VideoProfile> &profiles,
                                       GstCaps *audio_caps, Callbacks callbacks,
                                       std::string *error);
  ~Ladder();

  bool has_audio() const { return audio_feed_ != nullptr; }
  size_t size() const { return renditions_.size(); }
  const VideoProfile &profile(size_t r) const { return renditions_[r]->profile; }
  // The negotiated output of rendition r (0 until its encoder has caps).
  Format format(size_t r) const;

  // Stream-start, caps and a TIME segment on the feeds.
  void start_stream(const std::string &stream_id, GstCaps *video_caps, GstCaps *audio_caps);
  // A fresh TIME segment on the feeds, as needed after a flush.
  void new_segment();
  void set_video_caps(GstCaps *caps);
  // The next video buffer pushed starts segment `token`.
  void mark_segment_start(guint token);
  GstFlowReturn push_video(GstBuffer *buffer);
  GstFlowReturn push_audio(GstBuffer *buffer);
  void push_video_event(GstEvent *event);
  void push_audio_event(GstEvent *event);
  // EOS into both feeds: every rendition drains and ends.
  void send_eos();
  // Flush-start/stop through the whole graph; both feeds get the same seqnum, as the
  // muxers (aggregators) only flush once every sink pad has seen it.
  void flush_start(guint32 seqnum);
  void flush_stop(guint32 seqnum);

 private:
  struct Rendition {
    size_t index = 0;
    VideoProfile profile;
    Ladder *ladder = nullptr;
    GstElement *scale_filter = nullptr;
    GstElement *scaled_tee = nullptr;  // when other renditions scale from this one
    std::unique_ptr<MuxCollector> collector;
    std::atomic<int> width{0}, height{0}, fps_n{0}, fps_d{1};
  };

  Ladder(GstBin *bin, const ChainSpec &chain) : bin_(bin), chain_(chain) {}
  bool build_video(std::string *error);
  bool build_audio(GstCaps *audio_caps, std::string *error);
  bool build_rendition(Rendition &r, GstElement *input_tee, bool feeds_others, std::string *error);
  // Index of the rendition r scales from, or -1 for the decoded source.
  int cascade_parent(size_t r) const;
  GstElement *add(const char *factory, std::string *error);
  void update_scaling(GstCaps *decoded_caps);
  static GstPadProbeReturn decoded_event_probe(GstPad *pad, GstPadProbeInfo *info, gpointer data);
  static GstPadProbeReturn encoder_caps_probe(GstPad *pad, GstPadProbeInfo *info, gpointer data);

  GstBin *bin_;
  const ChainSpec &chain_;
  Callbacks callbacks_;
  std::vector<GstElement *> elements_;
  GstPad *video_feed_ = nullptr;
  GstPad *audio_feed_ = nullptr;
  GstElement *video_tee_ = nullptr;
  GstElement *audio_tee_ = nullptr;
  std::vector<std::unique_ptr<Rendition>> renditions_;
};

}  // namespace lp
