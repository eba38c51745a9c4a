#include "media/muxtimeline.h"

#include <algorithm>

namespace lp {

gint64 JumpShifts::jumped_back(Stream stream, gint64 time) {
  std::lock_guard<std::mutex> guard(lock_);
  const size_t jump = ++jumps_[stream];
  if (jump == shifts_.size()) {
    const gint64 later_end = std::max(end_[kVideo], end_[kAudio]);
    // Nothing written yet (cannot happen for a stream that jumped, but stay in range).
    shifts_.push_back(later_end == G_MININT64 ? shifts_.back()
                                              : std::max<gint64>(later_end - time, 0));
  }
  // Audio picked the shift while video still had frames to write past audio's end: video
  // carries on after them, a little out of step, because overlapping them would cost the
  // keyframe that opens the next segment. Audio in the opposite case keeps in step; the muxer
  // leaves out its few overlapping frames.
  gint64 shift = shifts_[jump];
  if (stream == kVideo && end_[stream] != G_MININT64)
    shift = std::max(shift, end_[stream] - time);
  own_[stream] = shift;
  return shift;
}

gint64 JumpShifts::shift(Stream stream) const {
  std::lock_guard<std::mutex> guard(lock_);
  return own_[stream];
}

void JumpShifts::ended_at(Stream stream, gint64 end) {
  std::lock_guard<std::mutex> guard(lock_);
  end_[stream] = std::max(end_[stream], end);
}

void JumpShifts::reset() {
  std::lock_guard<std::mutex> guard(lock_);
  shifts_.assign(1, 0);
  jumps_ = {};
  own_ = {};
  end_ = {G_MININT64, G_MININT64};
}

gint64 DecodeTimes::next(GstClockTime pts_in, GstClockTime duration_in) {
  const gint64 pts = static_cast<gint64>(pts_in);
  const gint64 duration = duration_in > 0 && GST_CLOCK_TIME_IS_VALID(duration_in)
                              ? static_cast<gint64>(duration_in)
                              : GST_SECOND / 30;
  const gint64 trailing = pts - kReorderFrames * duration;
  const gint64 expected = last_ + duration;
  // The first frame; time going back; time jumping forward: the decode times jump with it, so
  // the segmenter sees the jump too.
  if (!have_last_ || pts + kTimeJump < last_ || trailing > expected + kTimeJump) {
    have_last_ = true;
    last_ = trailing;
    return last_;
  }
  // One frame on. Decode times fall behind when frames come faster than `duration` says (a
  // rounded duration, a rising frame rate): beyond twice the reordering, catch up a frame at
  // a time. A P-frame's own lead over its decode time is no reason to: that is the reordering.
  gint64 dts = expected;
  if (dts < trailing - kReorderFrames * duration)
    dts = std::min(trailing, expected + duration);
  dts = std::min(dts, pts);  // never decoded after it is shown
  if (dts <= last_)
    return last_;  // reordered deeper than assumed: the segmenter leaves this frame out
  last_ = dts;
  return dts;
}

}  // namespace lp
