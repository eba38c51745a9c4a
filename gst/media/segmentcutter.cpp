#include "media/segmentcutter.h"

namespace lp {
namespace {
// A decode-time step larger than this (or any step backwards) is a discontinuity.
constexpr gint64 kTimestampJump = GST_SECOND;
}  // namespace

void SegmentCutter::set_format(gint width, gint height, gint fps_n, gint fps_d) {
  width_ = width;
  height_ = height;
  fps_n_ = fps_d > 0 ? fps_n : 0;
  fps_d_ = fps_d > 0 ? fps_d : 1;
}

GstClockTime SegmentCutter::frame_duration(const Frame &frame) const {
  if (GST_CLOCK_TIME_IS_VALID(frame.duration))
    return frame.duration;
  return fps_n_ > 0 ? gst_util_uint64_scale(GST_SECOND, fps_d_, fps_n_) : 0;
}

SegmentSpan SegmentCutter::open_segment(GstClockTime start) {
  SegmentSpan span;
  span.seq = next_seq_++;
  span.start = start;
  span.discont = pending_discont_;
  span.width = width_;
  span.height = height_;
  span.fps_n = fps_n_;
  span.fps_d = fps_d_;
  pending_discont_ = false;
  warned_long_gop_ = false;
  return span;
}

SegmentCutter::Decision SegmentCutter::push(const Frame &frame) {
  Decision d;
  if (!saw_video_) {
    saw_video_ = true;
    first_dts_ = frame.dts;
  }
  if (!open_) {
    if (!frame.keyframe) {
      d.verdict = frame.dts > first_dts_ + static_cast<gint64>(max_) ? Verdict::kNoKeyframe
                                                                     : Verdict::kDrop;
      return d;
    }
    open_ = open_segment(frame.pts);
    d.verdict = Verdict::kStart;
  } else {
    const bool jumped =
        have_last_dts_ && (frame.dts < last_dts_ || frame.dts > last_dts_ + kTimestampJump);
    if (frame.discont || jumped)
      pending_discont_ = true;
    d.elapsed = frame.pts > open_->start ? frame.pts - open_->start : 0;
    // A quarter frame of slack absorbs 90 kHz rounding without cutting a whole GOP later.
    const GstClockTime slack =
        fps_n_ > 0 ? gst_util_uint64_scale(GST_SECOND, fps_d_, 4 * fps_n_) : GST_MSECOND;
    if (frame.keyframe && (pending_discont_ || d.elapsed + slack >= target_)) {
      SegmentSpan ended = *open_;
      // A continuous stream ends a segment where the next one starts, so durations add up;
      // across a discontinuity it ends with its last frame.
      ended.end = pending_discont_ ? last_end_ : frame.pts;
      d.ended = ended;
      open_ = open_segment(frame.pts);
      d.verdict = Verdict::kStart;
      d.elapsed = 0;
    } else if (d.elapsed > max_ && !warned_long_gop_) {
      warned_long_gop_ = true;
      d.long_gop = true;
    }
  }
  const GstClockTime end = frame.pts + frame_duration(frame);
  if (!GST_CLOCK_TIME_IS_VALID(last_end_) || end > last_end_ || d.verdict == Verdict::kStart ||
      pending_discont_)
    last_end_ = end;
  last_dts_ = frame.dts;
  have_last_dts_ = true;
  open_->frames++;
  d.started = *open_;
  return d;
}

std::optional<SegmentSpan> SegmentCutter::finish() {
  if (!open_)
    return std::nullopt;
  SegmentSpan span = *open_;
  span.end = last_end_;
  open_.reset();
  return span;
}

void SegmentCutter::flush() {
  if (open_)
    pending_discont_ = true;
  have_last_dts_ = false;
}

}  // namespace lp
