// Opens the store a sink writes to from its settings: a directory, or an S3 / presigned-POST
// destination behind an UploadQueue. Shared by lps3sink and lppaysink.
#pragma once

#include "storage/objectstore.h"
#include "storage/s3location.h"
#include "storage/uploadqueue.h"

#include <glib.h>

#include <functional>
#include <memory>
#include <string>

namespace lp {

struct StoreSettings {
  std::string location;        // directory, file://, s3://, s3+http(s)://
  S3Overrides s3;              // credentials and endpoint set apart from the location
  std::string presigned_post;  // JSON of a PresignedPost; used instead of location when set
  guint64 part_size = 8 * 1024 * 1024;
  guint concurrency = 4;
  guint max_pending = 16;
  guint retry_attempts = 8;
  guint request_timeout_s = 15;
};

struct OpenedStore {
  std::unique_ptr<ObjectStore> store;
  // The store itself: every destination is written through an upload queue.
  UploadQueue *queue = nullptr;
};

struct StoreEvents {
  std::function<void(const GError *error)> failed;     // an upload failed for good
  std::function<void(size_t pending)> falling_behind;  // the queue is full
  std::function<void(const GError *error)> warning;    // a segment could not be deleted
};

// True when the settings name a remote store (uploads go through a queue).
bool store_is_remote(const StoreSettings &settings);

// Where the store writes, for messages; never includes credentials.
std::string describe_store(const StoreSettings &settings);

// Opens the store; for S3 it also checks that the bucket answers. Null with *error set.
OpenedStore open_store(const StoreSettings &settings, StoreEvents events, GError **error);

}  // namespace lp
