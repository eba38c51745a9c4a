// Publishes a segment stream as HLS into an ObjectStore: <rendition>/<seq>.ts, one media
// playlist <rendition>.m3u8 per rendition and one master playlist listing them all.
//
// Order is the contract: a segment is stored before the media playlist that names it, and a
// media playlist before the master playlist that names it. Segments are put as `independent`
// objects, so an asynchronous store (UploadQueue) may upload them in parallel while it still
// holds each playlist back until everything put before it is stored. Shared by lps3sink and
// lppaysink.
#pragma once

#include "media/segmentmeta.h"
#include "storage/hlsplaylist.h"
#include "storage/objectstore.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace lp {

class HlsPublisher {
 public:
  struct Options {
    unsigned playlist_length = 6;  // 0 keeps every segment
    bool delete_segments = false;  // delete segments that left the window
    std::string master_name = "index.m3u8";
  };
  struct Published {
    std::string segment_url;
    std::string playlist_url;
    bool master_changed = false;
    // Problems that lost no data (e.g. an old segment that could not be deleted).
    std::vector<std::string> warnings;
  };

  HlsPublisher(std::unique_ptr<ObjectStore> store, Options options);

  // Stores one segment and the playlists that change with it.
  bool publish(GBytes *segment, const SegmentInfo &info, Published *out, GError **error);
  // Ends every media playlist (EXT-X-ENDLIST).
  bool finish(GError **error);

  std::string master_url() const { return store_->url(options_.master_name); }
  ObjectStore &store() { return *store_; }

  static std::string segment_key(const std::string &rendition, guint64 seq);
  static std::string playlist_key(const std::string &rendition);

 private:
  bool put_text(const std::string &key, const std::string &text, const char *cache_control,
                GError **error);

  std::unique_ptr<ObjectStore> store_;
  Options options_;
  std::map<std::string, MediaPlaylist> playlists_;
  MasterPlaylist master_;
};

}  // namespace lp
