// The S3 backend of ObjectStore: PutObject (or a multipart upload above part_size),
// DeleteObject, GetObject and HeadObject, all SigV4-signed over libsoup, against AWS
// (virtual-host style) or any S3-compatible server (path style). Synchronous and confined to
// the thread that opened it; UploadQueue runs several on worker threads.
#pragma once

#include "storage/objectstore.h"
#include "storage/s3client.h"
#include "storage/s3location.h"

#include <memory>
#include <string>

namespace lp {

struct S3StoreOptions {
  S3ClientOptions client;
  // Objects larger than this go as multipart uploads in parts of this size. S3 needs at least
  // 5 MiB for every part but the last.
  guint64 part_size = 8 * 1024 * 1024;
};

inline constexpr guint64 kS3MinPartSize = 5 * 1024 * 1024;
inline constexpr unsigned kS3MaxParts = 10000;

class S3Store final : public ObjectStore {
 public:
  // No network traffic here; see check().
  static std::unique_ptr<S3Store> open(const S3Location &location, const S3StoreOptions &options,
                                       GCancellable *cancellable, GError **error);

  bool put(const std::string &key, GBytes *data, const ObjectAttrs &attrs, GError **error) override;
  bool remove(const std::string &key, GError **error) override;
  std::string url(const std::string &key) const override;
  std::string describe() const override { return client_.location().describe(); }
  void cancel() override;

  // Reachability, credentials and the bucket, with few retries: lists at most one key under
  // the prefix. A credential allowed to write but not to list passes (it cannot be told).
  bool check(GError **error);
  bool get(const std::string &key, GBytes **data, GError **error);
  // Content-Type and Cache-Control as stored; false for a missing object.
  bool head(const std::string &key, ObjectAttrs *attrs, guint64 *size, GError **error);
  // A GET (or PUT) URL anyone can use until it expires.
  std::string presigned_url(const std::string &method, const std::string &key,
                            unsigned expires_seconds) const;

  guint64 multipart_uploads() const { return multipart_uploads_; }

 private:
  S3Store(const S3Location &location, const S3StoreOptions &options, GCancellable *cancellable)
      : client_(location, options.client, cancellable), options_(options) {}
  bool put_multipart(const std::string &full_key, GBytes *data, const ObjectAttrs &attrs,
                     GError **error);

  S3Client client_;
  S3StoreOptions options_;
  guint64 multipart_uploads_ = 0;
};

}  // namespace lp
