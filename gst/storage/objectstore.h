// Object storage behind lps3sink (and, later, lppaysink): a flat key space under a root.
//
// Keys are relative paths such as "P360p30fps16x9/12.ts". A put replaces the object atomically
// (a reader sees the old object or the new one, never a partial one). Backends: a local
// directory (file:// or a plain path) and S3 (s3://, s3+http(s)://, see s3store.h).
#pragma once

#include <glib.h>

#include <memory>
#include <string>

namespace lp {

struct ObjectAttrs {
  std::string content_type;
  std::string cache_control;
  // An immutable object that nothing stored before it depends on (a segment): an asynchronous
  // store may write it concurrently with, or ahead of, objects put earlier. Every other object
  // is stored only after everything put before it (a playlist after its segments).
  bool independent = false;
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
  // Waits until every object put so far is stored (a no-op for synchronous stores); false with
  // the first failure otherwise.
  virtual bool flush(GError **error) {
    (void)error;
    return true;
  }
  // Abandons work in flight and makes pending and later calls fail promptly (pipeline stop).
  virtual void cancel() {}
  // Local path of the object when the store is a directory, else "".
  virtual std::string local_path(const std::string &key) const {
    (void)key;
    return {};
  }
};

// A key is a relative path of safe components: no "..", no empty or absolute parts.
bool object_key_is_valid(const std::string &key);

// Opens the store for a location: a directory path or file:///dir (created if missing), or an
// S3 location (credentials and region from the URL, else the AWS environment variables; no
// network traffic until the first request).
std::unique_ptr<ObjectStore> open_object_store(const std::string &location, GError **error);

GQuark object_store_error_quark();
#define LP_OBJECT_STORE_ERROR (lp::object_store_error_quark())
enum ObjectStoreError {
  kObjectStoreErrorLocation,
  kObjectStoreErrorKey,
  kObjectStoreErrorIo,
  kObjectStoreErrorAuth,         // credentials refused (403, bad signature, unknown key)
  kObjectStoreErrorNotFound,     // no such bucket
  kObjectStoreErrorRefused,      // any other 4xx, e.g. a key outside a presigned POST policy
  kObjectStoreErrorUnreachable,  // connection errors and timeouts that outlasted the retries
  kObjectStoreErrorServer,       // 5xx that outlasted the retries
  kObjectStoreErrorCancelled,    // the pipeline is stopping
};

}  // namespace lp
