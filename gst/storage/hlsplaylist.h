// HLS playlists (RFC 8216) for a segment stream: one media playlist per rendition and a master
// playlist listing every rendition.
//
// Rules kept here rather than in the sink: EXTINF with millisecond precision; a TARGETDURATION
// that starts at the ceiling of the configured target and only ever grows (when a segment whose
// rounded duration exceeds it arrives, as RFC 8216 4.3.3.1 requires); a sliding window with
// MEDIA-SEQUENCE and DISCONTINUITY-SEQUENCE kept consistent as segments leave it.
#pragma once

#include <glib.h>

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace lp {

class MediaPlaylist {
 public:
  struct Entry {
    std::string uri;      // relative to the playlist
    std::string key;      // object key of the segment
    double duration = 0;  // seconds
    bool discont = false;
  };

  // window: entries kept (0 = all, written as an EVENT playlist).
  // target_seconds: the segmenter's target duration (0 if unknown).
  MediaPlaylist(unsigned window, double target_seconds);

  // Appends a segment; returns the entries that left the window.
  std::vector<Entry> add(Entry entry);
  void end() { ended_ = true; }
  bool ended() const { return ended_; }
  bool empty() const { return entries_.empty(); }
  unsigned target_duration() const { return target_duration_; }
  std::string render() const;

 private:
  unsigned window_;
  unsigned target_duration_;
  std::deque<Entry> entries_;
  uint64_t media_sequence_ = 0;
  uint64_t discontinuity_sequence_ = 0;
  bool ended_ = false;
};

class MasterPlaylist {
 public:
  struct Variant {
    std::string rendition;
    std::string uri;         // media playlist, relative to the master
    uint64_t bandwidth = 0;  // peak bits per second
    int width = 0;
    int height = 0;
    int fps_n = 0;
    int fps_d = 1;
    std::string codecs;
  };

  // Adds or refreshes a rendition. The advertised BANDWIDTH is the peak seen plus 10%
  // headroom and only grows; returns true when the rendered playlist changes.
  bool update(const Variant &variant);
  bool empty() const { return variants_.empty(); }
  std::string render() const;

 private:
  std::vector<Variant> variants_;
};

// "1.234" for 1.2344 seconds; never locale-dependent.
std::string format_duration(double seconds);

}  // namespace lp
