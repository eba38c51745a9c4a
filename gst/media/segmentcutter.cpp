#include "media/segmentcutter.h"

#include "media/muxtimeline.h"

namespace lp {

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
  open_start_ = static_cast<gint64>(start) + shift_;
  open_gap_ = 0;
  return span;
}

SegmentCutter::Decision SegmentCutter::push(const Frame &frame) {
  Decision d;
  const GstClockTime duration = frame_duration(frame);
  if (!saw_video_) {
    saw_video_ = true;
    first_dts_ = frame.dts;
  }
  bool forward_jump = false;
  gint64 forward_step = 0;
  if (open_ && have_last_dts_) {
    const gint64 expected = last_dts_ + static_cast<gint64>(duration);
    if (frame.dts + kTimeJump < last_dts_) {
      // Time went back (a restarted source, files concatenated without adjusting). Durations
      // are counted on a timeline that carries on from the last frame.
      shift_ += expected - frame.dts;
      pending_discont_ = true;
      d.went_back = true;
    } else if (frame.dts <= last_dts_) {
      // A broken stamp, not a new timeline: MPEG-TS cannot hold a frame that decodes before
      // its predecessor, so it is left out (and is not the reference for the next frame).
      d.verdict = Verdict::kOutOfOrder;
      return d;
    } else if (frame.dts > last_dts_ + kTimeJump) {
      forward_jump = true;
      forward_step = frame.dts - expected;
      pending_discont_ = true;
    }
  }
  // A DISCONT flag on a keyframe starts a new stream. On a delta frame with times that carry
  // on, it only says data was lost (or, from matroskademux, that a B-frame is shown before the
  // frame decoded ahead of it): nothing for a playlist to mark.
  if (frame.discont && frame.keyframe && open_)
    pending_discont_ = true;
  const gint64 pts = static_cast<gint64>(frame.pts) + shift_;
  if (!open_) {
    if (!frame.keyframe) {
      d.verdict = frame.dts > first_dts_ + static_cast<gint64>(max_) ? Verdict::kNoKeyframe
                                                                     : Verdict::kDrop;
      return d;
    }
    open_ = open_segment(frame.pts);
    d.verdict = Verdict::kStart;
  } else {
    d.elapsed = elapsed_until(pts);
    // A quarter frame of slack absorbs 90 kHz rounding without cutting a whole GOP later.
    const GstClockTime slack = fps_n_ > 0
                                   ? gst_util_uint64_scale(GST_SECOND, static_cast<guint64>(fps_d_),
                                                           4 * static_cast<guint64>(fps_n_))
                                   : GST_MSECOND;
    if (frame.keyframe && (pending_discont_ || d.elapsed + slack >= target_)) {
      SegmentSpan ended = *open_;
      // A continuous stream ends a segment where the next one starts, so durations add up;
      // across a discontinuity it ends with its last frame.
      ended.end = open_->start + elapsed_until(pending_discont_ ? last_end_ : pts);
      d.ended = ended;
      open_ = open_segment(frame.pts);
      d.verdict = Verdict::kStart;
      d.elapsed = 0;
    } else {
      // A jump inside a GOP: the frames after it still belong here (they need the keyframe
      // before them), but the segment lasts only as long as its media, not across the gap.
      if (forward_jump) {
        open_gap_ += forward_step;
        d.elapsed = elapsed_until(pts);
      }
      if (d.elapsed > max_ && !warned_long_gop_) {
        warned_long_gop_ = true;
        d.long_gop = true;
      }
    }
  }
  const gint64 end = pts + static_cast<gint64>(duration);
  if (d.verdict == Verdict::kStart || pending_discont_ || end > last_end_)
    last_end_ = end;
  last_dts_ = frame.dts;
  have_last_dts_ = true;
  open_->frames++;
  d.started = *open_;
  return d;
}

GstClockTime SegmentCutter::elapsed_until(gint64 until) const {
  const gint64 elapsed = until - open_start_ - open_gap_;
  return elapsed > 0 ? static_cast<GstClockTime>(elapsed) : 0;
}

std::optional<SegmentSpan> SegmentCutter::finish() {
  if (!open_)
    return std::nullopt;
  SegmentSpan span = *open_;
  span.end = open_->start + elapsed_until(last_end_);
  open_.reset();
  return span;
}

void SegmentCutter::flush() {
  if (open_)
    pending_discont_ = true;
  have_last_dts_ = false;
  // The muxer starts afresh after a flush, and so does the timeline it is given.
  shift_ = 0;
}

}  // namespace lp
