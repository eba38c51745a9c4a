#include "media/segmentbytes.h"

namespace lp {
namespace {
// One second of 4 Mb/s: a first guess until the first segment tells the real size.
constexpr gsize kInitialReserve = 512 * 1024;
}  // namespace

SegmentBytes::SegmentBytes() : bytes_(g_byte_array_sized_new(kInitialReserve)) {}

SegmentBytes::~SegmentBytes() {
  g_byte_array_unref(bytes_);
}

void SegmentBytes::append(GstBuffer *buffer) {
  GstMapInfo map;
  if (!gst_buffer_map(buffer, &map, GST_MAP_READ))
    return;
  g_byte_array_append(bytes_, map.data, static_cast<guint>(map.size));
  gst_buffer_unmap(buffer, &map);
}

void SegmentBytes::append(const guint8 *data, gsize size) {
  g_byte_array_append(bytes_, data, static_cast<guint>(size));
}

void SegmentBytes::append(GstBufferList *list) {
  const guint n = gst_buffer_list_length(list);
  for (guint i = 0; i < n; ++i)
    append(gst_buffer_list_get(list, i));
}

GstBuffer *SegmentBytes::take() {
  if (bytes_->len == 0)
    return nullptr;
  last_size_ = bytes_->len;
  GBytes *bytes = g_byte_array_free_to_bytes(bytes_);
  GstBuffer *buffer = gst_buffer_new_wrapped_bytes(bytes);
  g_bytes_unref(bytes);
  reserve_for_next();
  return buffer;
}

void SegmentBytes::clear() {
  g_byte_array_set_size(bytes_, 0);
}

void SegmentBytes::reserve_for_next() {
  // Segments of a stream are alike in size: start the next one with room for a bit more.
  const gsize reserve = last_size_ ? last_size_ + last_size_ / 4 : kInitialReserve;
  bytes_ = g_byte_array_sized_new(static_cast<guint>(reserve));
}

}  // namespace lp
