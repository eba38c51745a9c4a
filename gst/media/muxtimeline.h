// The times lpsegmenter gives its muxer, which MPEG-TS constrains more than GStreamer does:
// decode times only move forward, never past presentation times, and audio and video share one
// clock.
#pragma once

#include <gst/gst.h>

#include <array>
#include <mutex>
#include <vector>

namespace lp {

// A step in time larger than this, either way, is a jump to a new timeline (a discontinuity);
// a smaller step back is a broken stamp.
constexpr gint64 kTimeJump = GST_SECOND;

// When input time jumps back (a restarted publisher, files concatenated without adjusting),
// the muxer's timeline carries on instead, shifted. Both streams must take the same shift or
// they drift apart: the first to jump picks it, so that its new time follows the later of the
// two streams' ends; the other takes it when it jumps in turn (video, though, never overlaps
// its own frames). Called from both streaming threads.
class JumpShifts {
 public:
  enum Stream { kVideo = 0, kAudio = 1 };

  // `stream`'s time went back to `time` (running time, ns): its shift from now on.
  gint64 jumped_back(Stream stream, gint64 time);
  gint64 shift(Stream stream) const;
  // Where `stream`'s latest frame ends on the muxer's timeline (shift included).
  void ended_at(Stream stream, gint64 end);
  void reset();

 private:
  mutable std::mutex lock_;
  std::vector<gint64> shifts_{0};  // one per jump, in order
  std::array<size_t, 2> jumps_{};  // how many each stream has taken
  std::array<gint64, 2> own_{};    // each stream's shift now
  std::array<gint64, 2> end_{G_MININT64, G_MININT64};
};

// H.264 from containers that keep only presentation times (Matroska, some RTP) arrives with
// B-frames and no DTS. This makes up decode times that increase by a frame and trail the
// presentation times by kReorderFrames, enough for x264's and most encoders' reordering.
class DecodeTimes {
 public:
  static constexpr gint64 kReorderFrames = 4;
  // `duration`: the frame's (or the frame rate's); 0 when unknown.
  gint64 next(GstClockTime pts, GstClockTime duration);
  void reset() { have_last_ = false; }

 private:
  bool have_last_ = false;
  gint64 last_ = 0;
};

}  // namespace lp
