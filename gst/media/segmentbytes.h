// Accumulates a muxer's output into one contiguous segment.
//
// mpegtsmux pushes every 188-byte packet as a buffer of its own (in buffer lists): merging
// tens of thousands of them through a GstAdapter costs more than the muxing. This copies each
// packet once into a growing array and hands the array over as the segment buffer's memory.
#pragma once

#include <gst/gst.h>

namespace lp {

class SegmentBytes {
 public:
  SegmentBytes();
  ~SegmentBytes();
  SegmentBytes(const SegmentBytes &) = delete;
  SegmentBytes &operator=(const SegmentBytes &) = delete;

  void append(GstBuffer *buffer);  // copies; the caller keeps its reference
  void append(GstBufferList *list);
  void append(const guint8 *data, gsize size);
  gsize size() const { return bytes_->len; }
  // The bytes so far as a buffer (nullptr when empty); the accumulator starts over.
  GstBuffer *take();
  void clear();

 private:
  void reserve_for_next();
  GByteArray *bytes_;
  gsize last_size_ = 0;
};

}  // namespace lp
