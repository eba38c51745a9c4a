#include "media/tsscan.h"

#include <array>
#include <cstdio>
#include <vector>

namespace lp::ts {
namespace {

constexpr size_t kMaxSection = 1024;        // PSI sections are at most 1021 bytes + header
constexpr size_t kMaxProbedPayload = 8192;  // enough for AUD + SPS + PPS + slice header

uint32_t crc32_mpeg(const uint8_t *data, size_t size) {
  uint32_t crc = 0xffffffffu;
  for (size_t i = 0; i < size; ++i) {
    crc ^= static_cast<uint32_t>(data[i]) << 24;
    for (int bit = 0; bit < 8; ++bit)
      crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04c11db7u : crc << 1;
  }
  return crc;
}

bool is_video_type(uint8_t t) {
  return t == 0x01 || t == 0x02 || t == 0x1b || t == 0x24;
}
bool is_audio_type(uint8_t t) {
  return t == 0x03 || t == 0x04 || t == 0x0f || t == 0x11 || t == 0x81 || t == 0x87;
}

// 33-bit timestamp from the 5-byte PES encoding.
uint64_t read_timestamp(const uint8_t *p) {
  return (static_cast<uint64_t>((p[0] >> 1) & 0x07) << 30) | (static_cast<uint64_t>(p[1]) << 22) |
         (static_cast<uint64_t>(p[2] >> 1) << 15) | (static_cast<uint64_t>(p[3]) << 7) |
         (static_cast<uint64_t>(p[4]) >> 1);
}

struct PesHeader {
  bool valid = false;
  std::optional<uint64_t> pts;
  std::optional<uint64_t> dts;
  size_t payload_offset = 0;
};

PesHeader parse_pes_header(const uint8_t *p, size_t n) {
  PesHeader h;
  if (n < 6 || p[0] != 0 || p[1] != 0 || p[2] != 1)
    return h;
  const uint8_t stream_id = p[3];
  // Streams without the optional header (padding, private_2, ...).
  if (stream_id == 0xbc || stream_id == 0xbe || stream_id == 0xbf || stream_id == 0xf0 ||
      stream_id == 0xf1 || stream_id == 0xff || stream_id == 0xf2 || stream_id == 0xf8) {
    h.valid = true;
    h.payload_offset = 6;
    return h;
  }
  if (n < 9 || (p[6] & 0xc0) != 0x80)
    return h;
  const uint8_t flags = p[7] >> 6;
  const size_t header_len = p[8];
  if (9 + header_len > n)
    return h;
  if ((flags & 0x2) && header_len >= 5)
    h.pts = read_timestamp(p + 9);
  if (flags == 0x3 && header_len >= 10)
    h.dts = read_timestamp(p + 14);
  h.valid = true;
  h.payload_offset = 9 + header_len;
  return h;
}

class Scanner {
 public:
  explicit Scanner(bool codecs_only = false) : codecs_only_(codecs_only) {}

  ScanResult run(const uint8_t *data, size_t size) {
    if (size == 0) {
      r_.error = "empty segment";
      return r_;
    }
    if (size % kPacketSize != 0) {
      r_.error = "size " + std::to_string(size) + " is not a multiple of 188";
      return r_;
    }
    for (size_t off = 0; off < size; off += kPacketSize) {
      if (!packet(data + off, off / kPacketSize))
        break;
      ++r_.packets;
      if (codecs_only_ && codecs_known())
        break;
    }
    finish_video_probe();
    return r_;
  }

 private:
  bool packet(const uint8_t *p, size_t index) {
    if (p[0] != 0x47) {
      r_.error = "lost sync at packet " + std::to_string(index);
      return false;
    }
    const bool pusi = p[1] & 0x40;
    const uint16_t pid = static_cast<uint16_t>(((p[1] & 0x1f) << 8) | p[2]);
    const uint8_t afc = (p[3] >> 4) & 0x3;
    const uint8_t cc = p[3] & 0x0f;
    if (p[1] & 0x80)  // transport_error_indicator
      return true;
    if (afc == 0) {
      r_.error = "reserved adaptation_field_control at packet " + std::to_string(index);
      return false;
    }
    size_t off = 4;
    if (afc & 0x2) {
      off += 1 + static_cast<size_t>(p[4]);
      if (off > kPacketSize) {
        r_.error = "adaptation field overruns packet " + std::to_string(index);
        return false;
      }
    }
    if (!(afc & 0x1) || pid == 0x1fff)
      return true;
    check_continuity(pid, cc);
    const uint8_t *payload = p + off;
    const size_t n = kPacketSize - off;
    if (pid == 0 || (r_.pmt_pid && pid == r_.pmt_pid)) {
      psi(pid, pusi, payload, n);
    } else if (pid == r_.video_pid && r_.video_pid) {
      video(pusi, payload, n);
    } else if (pid == r_.audio_pid && r_.audio_pid) {
      audio(pusi, payload, n);
    }
    return r_.ok();
  }

  void check_continuity(uint16_t pid, uint8_t cc) {
    int &last = last_cc_[pid];
    if (last >= 0 && cc != ((last + 1) & 0x0f) && cc != last)
      ++r_.continuity_errors;
    last = cc;
  }

  void psi(uint16_t pid, bool pusi, const uint8_t *p, size_t n) {
    std::vector<uint8_t> &buf = pid == 0 ? pat_buf_ : pmt_buf_;
    if (pusi) {
      const size_t pointer = p[0];
      if (1 + pointer > n)
        return;
      buf.assign(p + 1 + pointer, p + n);
    } else if (!buf.empty() && buf.size() < kMaxSection) {
      buf.insert(buf.end(), p, p + n);
    } else {
      return;
    }
    if (buf.size() < 3)
      return;
    const size_t length = 3 + (((buf[1] & 0x0f) << 8) | buf[2]);
    if (length > kMaxSection || buf.size() < length)
      return;  // incomplete: wait for more packets
    if (length < 12 || crc32_mpeg(buf.data(), length) != 0) {
      buf.clear();
      return;  // a damaged table is ignored, as a demuxer would
    }
    if (pid == 0 && buf[0] == 0x00)
      parse_pat(buf.data(), length);
    else if (pid != 0 && buf[0] == 0x02)
      parse_pmt(buf.data(), length);
    buf.clear();
  }

  void parse_pat(const uint8_t *s, size_t length) {
    for (size_t i = 8; i + 4 <= length - 4; i += 4) {
      const uint16_t program = static_cast<uint16_t>((s[i] << 8) | s[i + 1]);
      const uint16_t pid = static_cast<uint16_t>(((s[i + 2] & 0x1f) << 8) | s[i + 3]);
      if (program != 0) {
        r_.pmt_pid = pid;
        if (!seen_pes_)
          pat_before_pes_ = true;
        return;
      }
    }
  }

  void parse_pmt(const uint8_t *s, size_t length) {
    const size_t program_info = ((s[10] & 0x0f) << 8) | s[11];
    size_t i = 12 + program_info;
    const size_t end = length - 4;
    while (i + 5 <= end) {
      const uint8_t type = s[i];
      const uint16_t pid = static_cast<uint16_t>(((s[i + 1] & 0x1f) << 8) | s[i + 2]);
      const size_t es_info = ((s[i + 3] & 0x0f) << 8) | s[i + 4];
      if (!r_.video_pid && is_video_type(type)) {
        r_.video_pid = pid;
        r_.video_stream_type = type;
      } else if (!r_.audio_pid && is_audio_type(type)) {
        r_.audio_pid = pid;
        r_.audio_stream_type = type;
      }
      i += 5 + es_info;
    }
    if (!seen_pes_ && pat_before_pes_)
      r_.starts_with_psi = true;
  }

  void video(bool pusi, const uint8_t *p, size_t n) {
    seen_pes_ = true;
    if (pusi) {
      const PesHeader h = parse_pes_header(p, n);
      if (!h.valid)
        return;
      ++r_.video_pes;
      if (h.pts) {
        if (!r_.first_video_pts)
          r_.first_video_pts = h.pts;
        if (!r_.max_video_pts || *h.pts > *r_.max_video_pts)
          r_.max_video_pts = h.pts;
      }
      if (r_.video_pes == 1) {
        r_.first_video_dts = h.dts ? h.dts : h.pts;
        probing_video_ = true;
        probe_.assign(p + h.payload_offset, p + n);
        return;
      }
      if (probing_video_)
        finish_video_probe();
    } else if (probing_video_ && probe_.size() < kMaxProbedPayload) {
      probe_.insert(probe_.end(), p, p + n);
    }
  }

  void finish_video_probe() {
    if (!probing_video_)
      return;
    probing_video_ = false;
    if (r_.video_stream_type != kStreamTypeH264)
      return;
    // Walk Annex B start codes; each NAL header follows 00 00 01.
    for (size_t i = 0; i + 3 < probe_.size(); ++i) {
      if (probe_[i] != 0 || probe_[i + 1] != 0 || probe_[i + 2] != 1)
        continue;
      const uint8_t type = probe_[i + 3] & 0x1f;
      if (type == 5)
        r_.first_video_is_idr = true;
      if (type == 7 && !r_.has_sps && i + 6 < probe_.size()) {
        r_.has_sps = true;
        r_.avc_profile = probe_[i + 4];
        r_.avc_constraints = probe_[i + 5];
        r_.avc_level = probe_[i + 6];
      }
      i += 2;
    }
    probe_.clear();
  }

  void audio(bool pusi, const uint8_t *p, size_t n) {
    seen_pes_ = true;
    if (!pusi)
      return;
    const PesHeader h = parse_pes_header(p, n);
    if (!h.valid)
      return;
    ++r_.audio_pes;
    if (h.pts && !r_.first_audio_pts)
      r_.first_audio_pts = h.pts;
    const size_t o = h.payload_offset;
    if (r_.aac_object_type == 0 && r_.audio_stream_type == kStreamTypeAacAdts && o + 3 <= n &&
        p[o] == 0xff && (p[o + 1] & 0xf6) == 0xf0)
      r_.aac_object_type = ((p[o + 2] >> 6) & 0x3) + 1;
  }

  // The video probe is done (a second video PES began) and the audio, if any, was seen.
  bool codecs_known() const {
    return r_.pmt_pid && r_.video_pes >= 2 && (!r_.audio_pid || r_.audio_pes >= 1);
  }

  const bool codecs_only_;
  ScanResult r_;
  std::array<int, 8192> last_cc_ = make_cc_table();
  std::vector<uint8_t> pat_buf_;
  std::vector<uint8_t> pmt_buf_;
  std::vector<uint8_t> probe_;
  bool probing_video_ = false;
  bool seen_pes_ = false;
  bool pat_before_pes_ = false;

  static std::array<int, 8192> make_cc_table() {
    std::array<int, 8192> t{};
    t.fill(-1);
    return t;
  }
};

}  // namespace

std::string ScanResult::codecs() const {
  std::string out;
  char buf[32];
  if (video_stream_type == kStreamTypeH264 && has_sps) {
    std::snprintf(buf, sizeof buf, "avc1.%02x%02x%02x", avc_profile, avc_constraints, avc_level);
    out = buf;
  } else if (video_stream_type == kStreamTypeHevc) {
    out = "hvc1";
  }
  if (audio_stream_type == kStreamTypeAacAdts && aac_object_type > 0) {
    std::snprintf(buf, sizeof buf, "mp4a.40.%d", aac_object_type);
    out += out.empty() ? buf : std::string(",") + buf;
  } else if (audio_stream_type == 0x03 || audio_stream_type == 0x04) {
    out += out.empty() ? "mp4a.40.34" : ",mp4a.40.34";
  }
  return out;
}

std::string ScanResult::segment_problem() const {
  if (!ok())
    return error;
  if (!pmt_pid)
    return "no PAT";
  if (!has_video())
    return "no video stream in the PMT";
  if (video_stream_type != kStreamTypeH264)
    return "video is not H.264";
  if (!starts_with_psi)
    return "does not start with PAT/PMT";
  if (video_pes == 0)
    return "no video frames";
  if (!first_video_is_idr)
    return "first video frame is not an IDR frame";
  if (!first_video_pts)
    return "first video frame has no PTS";
  return {};
}

ScanResult scan(const uint8_t *data, size_t size) {
  return Scanner().run(data, size);
}

ScanResult scan_codecs(const uint8_t *data, size_t size) {
  return Scanner(true).run(data, size);
}

}  // namespace lp::ts
