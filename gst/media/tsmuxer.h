// MPEG-TS for the segment stream, written by libavformat's muxer.
//
// H.264 access units (and optional AAC frames) go in from their streaming threads; they are
// interleaved by decode time and written into memory; the output is cut into segments at the
// frames the caller marks, each segment starting with PAT/PMT and that frame. GStreamer's
// mpegtsmux makes a GstBuffer per 188-byte packet and costs several times the remux; writing
// into one growing array does not.
//
// Waiting for the other stream: a frame is written once the other stream has something at
// least as late, or has ended. When one stream runs kMaxSkew ahead:
//  - live: the other has stalled (a publisher dropped its audio); write on without it;
//  - not live, each stream pushed by its own thread: block the one ahead (back-pressure, as
//    an aggregator does), so every segment holds exactly the audio of its video;
//  - not live, one thread pushes both (a demuxer without queues): blocking would deadlock, so
//    write on as in the live case. A thread that has not pushed anything yet is waited for
//    briefly, then taken to be the same thread.
// Finished segments go downstream outside the muxer's lock, in order, so a downstream that
// takes its time (a transcoder working in the pushing thread) never keeps the other stream
// from queueing.
#pragma once

#include "media/segmentbytes.h"

#include <gst/gst.h>

#include <array>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

struct AVFormatContext;
struct AVIOContext;

namespace lp {

class TsMuxer {
 public:
  // A finished segment, in some pushing thread, without the muxer's lock; calls are serialized
  // and in order. The callee owns `bytes` and returns downstream's flow.
  using SegmentReady = std::function<GstFlowReturn(guint64 seq, GstBuffer *bytes)>;
  // Something the user should hear about: fatal (the push returns GST_FLOW_ERROR) or not
  // (e.g. late audio left out). Called with the muxer's lock held.
  using Problem = std::function<void(bool fatal, const std::string &text)>;
  // Every stream ended and the last segment went out (serialized with SegmentReady; once).
  using Finished = std::function<void()>;

  TsMuxer(SegmentReady ready, Problem problem, Finished finished);
  ~TsMuxer();
  TsMuxer(const TsMuxer &) = delete;
  TsMuxer &operator=(const TsMuxer &) = delete;

  // An audio pad exists: interleaving waits for its frames until it ends.
  void expect_audio(bool expect);
  // Whether the source is live (see above); taken from a latency query by the caller.
  void set_live(bool live);
  // The calling thread is the one that pushes that stream (call from its events, which come
  // before its first frame) so that the other stream knows whether it may wait.
  void note_video_thread();
  void note_audio_thread();
  // AAC: ADTS, or raw with codec_data. False (with a message) for anything else.
  bool set_audio_caps(GstCaps *caps, std::string *error);

  // An H.264 access unit (byte-stream, SPS/PPS in band); running times, dts may be negative.
  // `starts` marks the frame that starts segment `seq`.
  GstFlowReturn push_video(GstBuffer *au, GstClockTime pts, gint64 dts, bool keyframe,
                           std::optional<guint64> starts);
  GstFlowReturn push_audio(GstBuffer *frame, GstClockTime pts);
  // Ends a stream; once every stream has ended the last segment goes out.
  GstFlowReturn end_video();
  GstFlowReturn end_audio();
  // Flush start or shutdown: a push blocked for the other stream returns FLUSHING, as do
  // pushes until flush().
  void set_flushing();
  // After a flush: what is queued is dropped; the next marked frame starts a segment afresh.
  void flush();
  // Back to a new stream (state change): closes the muxer.
  void reset();

 private:
  struct Queued {
    GstBuffer *buffer;
    gint64 pts;  // running time, ns
    gint64 dts;
    bool keyframe;
    std::optional<guint64> starts;
  };

  // A finished segment (bytes) or the end of the stream (nullptr), waiting to go downstream.
  struct Output {
    guint64 seq;
    GstBuffer *bytes;
  };
  enum class Stream { kVideo, kAudio };

  GstFlowReturn push(Stream stream, Queued item);
  GstFlowReturn end(Stream stream);
  GstFlowReturn drain();
  bool may_run_ahead(Stream ahead) const;
  bool other_alive(Stream stream) const;
  enum class OtherPusher { kUnknown, kSameThread, kOwnThread };
  OtherPusher other_pusher(Stream stream) const;
  void wait_for_other(std::unique_lock<std::mutex> &guard, Stream stream);
  GstFlowReturn write(Queued &q, bool video);
  void finish_segment();
  void finish_stream();
  GstFlowReturn deliver();
  bool open_muxer(std::string *error);
  void close_muxer();
  void clear_queues();
  static int write_packet(void *opaque, uint8_t *data, int size);

  SegmentReady ready_;
  Problem problem_;
  Finished finished_cb_;
  std::mutex lock_;
  std::condition_variable other_moved_;  // a stream pushed, ended or flushed
  std::deque<Queued> video_;
  std::deque<Queued> audio_;
  bool expect_audio_ = false;
  bool live_ = false;
  bool flushing_ = false;
  GstFlowReturn downstream_ = GST_FLOW_OK;  // the last non-OK answer from downstream
  std::thread::id video_thread_;
  std::thread::id audio_thread_;
  bool gave_up_waiting_ = false;  // for a thread that never showed itself
  bool video_ended_ = false;
  bool audio_ended_ = false;
  GstCaps *audio_caps_ = nullptr;
  bool warned_audio_ = false;

  AVFormatContext *format_ = nullptr;
  AVIOContext *io_ = nullptr;
  int audio_index_ = -1;
  std::array<int64_t, 2> last_dts_{};  // video, audio: the latest written, in 90 kHz ticks
  bool warned_order_ = false;
  SegmentBytes bytes_;
  std::vector<uint8_t> partial_;  // a packet split across two write callbacks
  std::optional<guint64> seq_;    // the segment being written
  bool finished_ = false;
  std::deque<Output> out_;

  // Held while pushing downstream, taken after lock_ is released: keeps outputs in order.
  std::mutex deliver_lock_;
};

}  // namespace lp
