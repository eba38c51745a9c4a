#include "storage/hlsplaylist.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace lp {

std::string format_duration(double seconds) {
  if (!(seconds >= 0) || !std::isfinite(seconds))
    seconds = 0;
  const long long ms = std::llround(seconds * 1000.0);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%lld.%03lld", ms / 1000, ms % 1000);
  return buf;
}

MediaPlaylist::MediaPlaylist(unsigned window, double target_seconds)
    : window_(window),
      target_duration_(target_seconds > 0 ? static_cast<unsigned>(std::ceil(target_seconds - 1e-6))
                                          : 0) {}

std::vector<MediaPlaylist::Entry> MediaPlaylist::add(Entry entry) {
  const double rounded_ms = std::llround(entry.duration * 1000.0) / 1000.0;
  // EXTINF rounded to the nearest integer must not exceed TARGETDURATION.
  if (target_duration_ == 0 || std::lround(rounded_ms) > static_cast<long>(target_duration_))
    target_duration_ =
        std::max(target_duration_, static_cast<unsigned>(std::ceil(std::max(rounded_ms, 1.0))));
  entries_.push_back(std::move(entry));
  std::vector<Entry> removed;
  while (window_ > 0 && entries_.size() > window_) {
    // A discontinuity leaving the window moves the discontinuity sequence on (RFC 8216 6.2.1).
    if (entries_.front().discont)
      ++discontinuity_sequence_;
    removed.push_back(std::move(entries_.front()));
    entries_.pop_front();
    ++media_sequence_;
  }
  return removed;
}

std::string MediaPlaylist::render() const {
  std::string out = "#EXTM3U\n#EXT-X-VERSION:3\n";
  out += "#EXT-X-TARGETDURATION:" + std::to_string(target_duration_) + "\n";
  out += "#EXT-X-MEDIA-SEQUENCE:" + std::to_string(media_sequence_) + "\n";
  if (discontinuity_sequence_ > 0)
    out += "#EXT-X-DISCONTINUITY-SEQUENCE:" + std::to_string(discontinuity_sequence_) + "\n";
  if (window_ == 0)
    out += ended_ ? "#EXT-X-PLAYLIST-TYPE:VOD\n" : "#EXT-X-PLAYLIST-TYPE:EVENT\n";
  for (const Entry &e : entries_) {
    if (e.discont)
      out += "#EXT-X-DISCONTINUITY\n";
    out += "#EXTINF:" + format_duration(e.duration) + ",\n" + e.uri + "\n";
  }
  if (ended_)
    out += "#EXT-X-ENDLIST\n";
  return out;
}

bool MasterPlaylist::update(const Variant &variant) {
  auto it = std::find_if(variants_.begin(), variants_.end(),
                         [&](const Variant &v) { return v.rendition == variant.rendition; });
  // Advertise 110% of the peak, rounded up to a kbit/s, so small peaks do not force rewrites.
  const uint64_t advertised = (variant.bandwidth * 11 / 10 + 999) / 1000 * 1000;
  if (it == variants_.end()) {
    Variant v = variant;
    v.bandwidth = advertised;
    variants_.push_back(std::move(v));
    return true;
  }
  bool changed = false;
  if (variant.bandwidth > it->bandwidth) {
    it->bandwidth = advertised;
    changed = true;
  }
  if (variant.width != it->width || variant.height != it->height ||
      variant.fps_n * it->fps_d != it->fps_n * variant.fps_d ||
      (!variant.codecs.empty() && variant.codecs != it->codecs) || variant.uri != it->uri) {
    const uint64_t bandwidth = it->bandwidth;
    *it = variant;
    it->bandwidth = std::max(bandwidth, advertised);
    changed = true;
  }
  return changed;
}

std::string MasterPlaylist::render() const {
  std::string out = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-INDEPENDENT-SEGMENTS\n";
  for (const Variant &v : variants_) {
    out += "#EXT-X-STREAM-INF:BANDWIDTH=" + std::to_string(std::max<uint64_t>(v.bandwidth, 1));
    if (v.width > 0 && v.height > 0)
      out += ",RESOLUTION=" + std::to_string(v.width) + "x" + std::to_string(v.height);
    if (v.fps_n > 0 && v.fps_d > 0) {
      char fps[G_ASCII_DTOSTR_BUF_SIZE];
      // g_ascii_formatd: a locale with a decimal comma must not leak into the playlist.
      g_ascii_formatd(fps, sizeof fps, "%.3f", static_cast<double>(v.fps_n) / v.fps_d);
      out += std::string(",FRAME-RATE=") + fps;
    }
    if (!v.codecs.empty())
      out += ",CODECS=\"" + v.codecs + "\"";
    out += "\n" + v.uri + "\n";
  }
  return out;
}

}  // namespace lp
