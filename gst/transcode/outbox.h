// Orders lptranscodebin's output. Renditions finish a segment on their own threads and at
// their own pace; the outbox releases segment N (source first, then renditions in profile
// order) once every rendition has moved past N or ended, so the output is grouped by input
// segment and in input order.
#pragma once

#include "media/segmentmeta.h"

#include <gst/gst.h>

#include <deque>
#include <memory>
#include <vector>

namespace lp {

struct BufferUnref {
  void operator()(GstBuffer *b) const { gst_buffer_unref(b); }
};
using BufferPtr = std::unique_ptr<GstBuffer, BufferUnref>;

struct Bundle {
  guint token = 0;
  SegmentInfo source;
  BufferPtr source_buffer;            // set when the source rendition is passed through
  std::vector<BufferPtr> renditions;  // one slot per rendition; empty when it produced none
};

class Outbox {
 public:
  explicit Outbox(size_t renditions);

  // An input segment entered the transcoder under `token` (tokens increase).
  void open(guint token, SegmentInfo source, BufferPtr source_buffer);
  // The source meta of an open segment, or nullptr.
  const SegmentInfo *source(guint token) const;
  // Rendition r completed segment `token`.
  void complete(size_t r, guint token, BufferPtr buffer);
  // Rendition r started segment `token`: it is done with every earlier one.
  void advance(size_t r, guint token);
  // Rendition r reached EOS.
  void end(size_t r);
  bool all_ended() const;
  // Segments every rendition is done with, oldest first.
  std::vector<Bundle> take_ready();
  // Forget every rendition's progress (after a drain), keeping nothing open.
  void reset();
  size_t open_count() const { return open_.size(); }

 private:
  struct Progress {
    bool started = false;
    guint token = 0;
    bool ended = false;
  };
  bool done_with(const Progress &p, guint token) const;

  std::deque<Bundle> open_;
  std::vector<Progress> progress_;
};

}  // namespace lp
