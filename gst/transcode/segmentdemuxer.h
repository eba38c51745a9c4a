// Demuxes one MPEG-TS segment into its elementary streams, synchronously, with a private
// tsdemux instance per segment.
//
// A fresh demuxer per segment keeps segments independent (a damaged segment cannot leave state
// behind), and EOS at the end of each segment flushes the last PES packet out, which a
// long-lived demuxer would only emit when the next segment arrives.
#pragma once

#include <gst/gst.h>

#include <string>
#include <vector>

namespace lp {

struct DemuxedSegment {
  // In the order the demuxer emitted them (decode order per stream).
  std::vector<GstBuffer *> video;
  std::vector<GstBuffer *> audio;
  GstCaps *video_caps = nullptr;
  GstCaps *audio_caps = nullptr;
  std::string error;

  DemuxedSegment() = default;
  DemuxedSegment(const DemuxedSegment &) = delete;
  DemuxedSegment &operator=(const DemuxedSegment &) = delete;
  ~DemuxedSegment();
};

// Returns false (with out->error set) when the demuxer failed or found no video.
bool demux_segment(GstBuffer *segment, DemuxedSegment *out);

}  // namespace lp
