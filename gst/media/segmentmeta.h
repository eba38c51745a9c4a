// Segment meta: what every buffer of a segment stream carries.
//
// A segment stream (caps video/mpegts, systemstream=true, packetsize=188) has one whole MPEG-TS
// segment per buffer. Each buffer carries a GstCustomMeta named "LpSegmentMeta" whose structure
// ("lp-segment") holds the fields below, so an application can read them with
// gst_buffer_get_custom_meta (buf, "LpSegmentMeta") without linking to this plugin:
//
//   rendition (string)       "source" for the input, else the profile name (e.g. P360p30fps16x9)
//   seq (guint64)            sequence number, shared by all renditions of one input segment
//   pts (guint64, ns)        running time of the first video frame; MPEG-TS PTS = pts + 3600 s
//   duration (guint64, ns)   presentation duration of the segment
//   width, height (gint)     coded picture size of the video
//   fps-n, fps-d (gint)      frame rate (0/1 when unknown)
//   frames (guint)           number of video frames
//   bandwidth (guint64)      bits per second of this segment (size * 8 / duration)
//   codecs (string)          RFC 6381 codecs, e.g. "avc1.64001f,mp4a.40.2"
//   stream-id (string)       manifest / stream ID the segment belongs to
//   discont (boolean)        a discontinuity precedes this segment (EXT-X-DISCONTINUITY)
//   target-duration (guint64, ns)  the segmenter's target duration
#pragma once

#include <gst/gst.h>

#include <optional>
#include <string>

namespace lp {

inline constexpr const char *kSegmentMetaName = "LpSegmentMeta";
inline constexpr const char *kSourceRendition = "source";
// mpegtsmux writes PTS = running time + this base (TS_MUX_CLOCK_BASE); lpsegmenter does too.
inline constexpr GstClockTime kTsMuxPtsBase = 3600 * GST_SECOND;

struct SegmentInfo {
  std::string rendition{kSourceRendition};
  guint64 seq = 0;
  GstClockTime pts = GST_CLOCK_TIME_NONE;
  GstClockTime duration = GST_CLOCK_TIME_NONE;
  gint width = 0;
  gint height = 0;
  gint fps_n = 0;
  gint fps_d = 1;
  guint frames = 0;
  guint64 bandwidth = 0;
  std::string codecs;
  std::string stream_id;
  bool discont = false;
  GstClockTime target_duration = GST_CLOCK_TIME_NONE;

  double duration_seconds() const {
    return GST_CLOCK_TIME_IS_VALID(duration) ? static_cast<double>(duration) / GST_SECOND : 0.0;
  }
};

// Registers the custom meta; safe to call more than once and from several threads.
void segment_meta_register();

// Attaches (or replaces) the meta; the buffer must be writable.
void segment_meta_set(GstBuffer *buffer, const SegmentInfo &info);

std::optional<SegmentInfo> segment_meta_get(GstBuffer *buffer);

// The caps of a segment stream.
GstCaps *segment_stream_caps();
inline constexpr const char *kSegmentStreamCapsString =
    "video/mpegts, systemstream = (boolean) true, packetsize = (int) 188";

// Stream-start, the segment stream's caps and a TIME segment in which buffer PTS is running
// time: what a segment stream's source pad sends before its first segment.
void segment_stream_start(GstPad *srcpad, const std::string &stream_id);

}  // namespace lp
