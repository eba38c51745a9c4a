// A one-pass structural scan of an MPEG-TS segment: PAT/PMT, the first video and audio
// streams, their first timestamps, the H.264 SPS profile/level and the AAC object type.
//
// It does not demux (tsdemux does that); it answers the questions the segment-stream elements
// need before or after muxing: is this a well-formed segment that starts with PAT/PMT and an IDR
// frame, what is its RFC 6381 codecs string, where does it start in time. Its input can come
// from the network (a broadcaster's segment), so it never trusts a length field.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace lp::ts {

inline constexpr size_t kPacketSize = 188;
inline constexpr uint8_t kStreamTypeH264 = 0x1b;
inline constexpr uint8_t kStreamTypeHevc = 0x24;
inline constexpr uint8_t kStreamTypeAacAdts = 0x0f;

struct ScanResult {
  // Empty when the segment is structurally sound; else the first problem, in words.
  std::string error;
  size_t packets = 0;
  // A PAT and then the PMT came before the first PES packet.
  bool starts_with_psi = false;
  uint16_t pmt_pid = 0;
  uint16_t video_pid = 0;
  uint8_t video_stream_type = 0;
  uint16_t audio_pid = 0;
  uint8_t audio_stream_type = 0;
  unsigned video_pes = 0;
  unsigned audio_pes = 0;
  // 90 kHz timestamps as written in the PES headers.
  std::optional<uint64_t> first_video_pts;
  std::optional<uint64_t> first_video_dts;
  std::optional<uint64_t> max_video_pts;
  std::optional<uint64_t> first_audio_pts;
  // The first video access unit holds an IDR slice (H.264 NAL type 5).
  bool first_video_is_idr = false;
  bool has_sps = false;
  uint8_t avc_profile = 0;
  uint8_t avc_constraints = 0;
  uint8_t avc_level = 0;
  int aac_object_type = 0;
  unsigned continuity_errors = 0;

  bool ok() const { return error.empty(); }
  bool has_video() const { return video_pid != 0; }
  bool has_audio() const { return audio_pid != 0; }
  // RFC 6381 codecs, e.g. "avc1.64001f,mp4a.40.2"; empty parts are left out.
  std::string codecs() const;
  // Why this is not a decodable segment of the segment stream (empty when it is).
  std::string segment_problem() const;
};

ScanResult scan(const uint8_t *data, size_t size);

// Stops as soon as the codecs are known (PMT, the first video access unit's SPS, the first AAC
// header): for the codecs string of a segment we made ourselves. Counts are then partial.
ScanResult scan_codecs(const uint8_t *data, size_t size);

// 90 kHz ticks to nanoseconds.
inline uint64_t ticks_to_ns(uint64_t ticks) {
  return ticks * 100000 / 9;
}

}  // namespace lp::ts
