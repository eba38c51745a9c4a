#include "storage/hlspublisher.h"

namespace lp {
namespace {

// Segments never change once written; live playlists change every segment.
constexpr const char *kSegmentCacheControl = "max-age=86400";
constexpr const char *kLiveCacheControl = "max-age=1";
constexpr const char *kEndedCacheControl = "max-age=86400";

bool rendition_name_is_valid(const std::string &name) {
  return object_key_is_valid(name) && name.find('/') == std::string::npos;
}

}  // namespace

HlsPublisher::HlsPublisher(std::unique_ptr<ObjectStore> store, Options options)
    : store_(std::move(store)), options_(std::move(options)) {}

std::string HlsPublisher::segment_key(const std::string &rendition, guint64 seq) {
  return rendition + "/" + std::to_string(seq) + ".ts";
}

std::string HlsPublisher::playlist_key(const std::string &rendition) {
  return rendition + ".m3u8";
}

bool HlsPublisher::put_text(const std::string &key, const std::string &text,
                            const char *cache_control, GError **error) {
  GBytes *bytes = g_bytes_new(text.data(), text.size());
  const bool ok = store_->put(key, bytes, {kContentTypeM3u8, cache_control}, error);
  g_bytes_unref(bytes);
  return ok;
}

bool HlsPublisher::publish(GBytes *segment, const SegmentInfo &info, Published *out,
                           GError **error) {
  if (!rendition_name_is_valid(info.rendition)) {
    g_set_error(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorKey,
                "rendition name '%s' cannot name a file", info.rendition.c_str());
    return false;
  }
  const std::string key = segment_key(info.rendition, info.seq);
  if (!store_->put(key, segment, {kContentTypeTs, kSegmentCacheControl, true}, error))
    return false;

  auto it = playlists_.find(info.rendition);
  if (it == playlists_.end()) {
    const double target = GST_CLOCK_TIME_IS_VALID(info.target_duration)
                              ? static_cast<double>(info.target_duration) / GST_SECOND
                              : 0.0;
    it = playlists_.emplace(info.rendition, MediaPlaylist(options_.playlist_length, target)).first;
  }
  const std::vector<MediaPlaylist::Entry> removed =
      it->second.add({key, key, info.duration_seconds(), info.discont});
  const std::string playlist = playlist_key(info.rendition);
  if (!put_text(playlist, it->second.render(), kLiveCacheControl, error))
    return false;

  MasterPlaylist::Variant variant;
  variant.rendition = info.rendition;
  variant.uri = playlist;
  variant.bandwidth = info.bandwidth;
  variant.width = info.width;
  variant.height = info.height;
  variant.fps_n = info.fps_n;
  variant.fps_d = info.fps_d;
  variant.codecs = info.codecs;
  const bool master_changed = master_.update(variant);
  if (master_changed && !put_text(options_.master_name, master_.render(), kLiveCacheControl, error))
    return false;

  Published result;
  if (options_.delete_segments) {
    for (const auto &entry : removed) {
      GError *remove_error = nullptr;
      // A segment that cannot be deleted costs space, not correctness: keep going.
      if (!store_->remove(entry.key, &remove_error)) {
        result.warnings.push_back("could not delete " + entry.key + ": " + remove_error->message);
        g_error_free(remove_error);
      }
    }
  }
  result.segment_url = store_->url(key);
  result.playlist_url = store_->url(playlist);
  result.master_changed = master_changed;
  if (out)
    *out = std::move(result);
  return true;
}

bool HlsPublisher::finish(GError **error) {
  for (auto &[rendition, playlist] : playlists_) {
    if (playlist.ended())
      continue;
    playlist.end();
    if (!put_text(playlist_key(rendition), playlist.render(), kEndedCacheControl, error))
      return false;
  }
  return true;
}

}  // namespace lp
