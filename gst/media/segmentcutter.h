// Where lpsegmenter cuts, decided frame by frame in decode order on running times.
//
// Pure logic, so it can be tested without pipelines; the element turns its decisions into
// force-key-unit events, messages and segment meta. A segment starts at a keyframe once the
// current one has lasted at least the target, or at once after a discontinuity (a keyframe
// with the DISCONT flag, a flush, or decode time jumping back or forward by more than a
// second).
//
// Segment starts in the meta are the input's running times; durations count media, not gaps.
#pragma once

#include <gst/gst.h>

#include <optional>

namespace lp {

// What a segment's meta needs to know about its video.
struct SegmentSpan {
  guint64 seq = 0;
  GstClockTime start = GST_CLOCK_TIME_NONE;  // running time of the first frame
  GstClockTime end = GST_CLOCK_TIME_NONE;    // where it ends (set when it closes)
  guint frames = 0;
  bool discont = false;
  gint width = 0;
  gint height = 0;
  gint fps_n = 0;
  gint fps_d = 1;
};

class SegmentCutter {
 public:
  struct Frame {
    GstClockTime pts;       // running time; must be valid
    gint64 dts;             // signed running time (B-frames decode before time zero)
    GstClockTime duration;  // GST_CLOCK_TIME_NONE when unknown
    bool keyframe;
    bool discont;  // the buffer's DISCONT flag
  };

  enum class Verdict {
    kKeep,        // the frame belongs to the current segment
    kStart,       // the frame starts segment `started`; `ended` is the one it closes, if any
    kDrop,        // a frame before the first keyframe: nothing can decode it
    kNoKeyframe,  // no keyframe within max: the stream cannot be segmented
    kOutOfOrder,  // decodes before the frame it follows (a broken stamp): leave it out
  };

  struct Decision {
    Verdict verdict = Verdict::kKeep;
    // Decode time went back by more than a second: the muxer's timeline must be shifted (see
    // JumpShifts) from this frame on.
    bool went_back = false;
    std::optional<SegmentSpan> ended;
    SegmentSpan started;
    // Set once per segment, on the first frame past max without a keyframe.
    bool long_gop = false;
    GstClockTime elapsed = 0;  // of the current segment
  };

  SegmentCutter(GstClockTime target, GstClockTime max) : target_(target), max_(max) {}

  void set_format(gint width, gint height, gint fps_n, gint fps_d);
  Decision push(const Frame &frame);
  // At EOS: the open segment, closed at the end of its last frame.
  std::optional<SegmentSpan> finish();
  // After a flush (seek): the next keyframe starts a segment marked as a discontinuity.
  void flush();

  bool saw_video() const { return saw_video_; }
  bool started() const { return open_.has_value(); }
  guint64 current_seq() const { return open_ ? open_->seq : 0; }

 private:
  SegmentSpan open_segment(GstClockTime start);
  GstClockTime frame_duration(const Frame &frame) const;
  // The open segment's media duration up to `until` (a shifted time).
  GstClockTime elapsed_until(gint64 until) const;

  GstClockTime target_;
  GstClockTime max_;
  gint width_ = 0, height_ = 0, fps_n_ = 0, fps_d_ = 1;
  std::optional<SegmentSpan> open_;
  guint64 next_seq_ = 0;
  bool saw_video_ = false;
  gint64 first_dts_ = 0;
  bool have_last_dts_ = false;
  gint64 last_dts_ = 0;
  gint64 last_end_ = 0;    // shifted end of the latest frame
  gint64 shift_ = 0;       // keeps durations counting across time going back
  gint64 open_start_ = 0;  // shifted start of the open segment
  gint64 open_gap_ = 0;    // forward jumps inside the open segment
  bool pending_discont_ = false;
  bool warned_long_gop_ = false;
};

}  // namespace lp
