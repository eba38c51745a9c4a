// Object storage behind lps3sink (and, later, lppaysink): a flat key space under a root.
//
// Keys are relative paths such as "P360p30fps16x9/12.ts". A put replaces the object atomically
// (a reader sees the old object or the new one, never a partial one). Backends: a local
// directory (file:// or a plain path) here; the S3 backend implements the same interface.
#pragma once

#include <glib.h>

#include <memory>
#include <string>

namespace lp {

struct ObjectAttrs {
  std::string content_type;
  std::string cache_control;
};

inline constexpr const char *kContentTypeTs = "video/mp2t";
inline constexpr const char *kContentTypeM3u8 = "application/vnd.apple.mpegurl";

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;
  // Stores the object; blocks until it is durable enough to be read back by URL.
  virtual bool put(const std::string &key, GBytes *data, const ObjectAttrs &attrs,
                   GError **error) = 0;
  // Deleting a missing object is not an error.
  virtual bool remove(const std::string &key, GError **error) = 0;
  // Where a reader finds the object (a file:// or http(s):// URL).
  virtual std::string url(const std::string &key) const = 0;
  // The location for messages; never includes credentials.
  virtual std::string describe() const = 0;
  // Local path of the object when the store is a directory, else "".
  virtual std::string local_path(const std::string &key) const {
    (void)key;
    return {};
  }
};

// A key is a relative path of safe components: no "..", no empty or absolute parts.
bool object_key_is_valid(const std::string &key);

// Opens the store for a location: a directory path or file:///dir (created if missing).
std::unique_ptr<ObjectStore> open_object_store(const std::string &location, GError **error);

GQuark object_store_error_quark();
#define LP_OBJECT_STORE_ERROR (lp::object_store_error_quark())
enum ObjectStoreError { kObjectStoreErrorLocation, kObjectStoreErrorKey, kObjectStoreErrorIo };

}  // namespace lp
