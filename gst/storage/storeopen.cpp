#include "storage/storeopen.h"

#include "storage/presignedpost.h"
#include "storage/s3store.h"

namespace lp {
namespace {

S3ClientOptions client_options(const StoreSettings &s) {
  S3ClientOptions options;
  options.request_timeout_s = s.request_timeout_s;
  options.retry_attempts = s.retry_attempts;
  return options;
}

// Local and remote stores alike are written through the worker queue.
std::unique_ptr<UploadQueue> make_queue(const StoreSettings &s,
                                        std::unique_ptr<ObjectStore> primary,
                                        UploadQueue::Factory factory, StoreEvents events) {
  UploadQueue::Options options;
  options.workers = s.concurrency;
  options.max_pending = s.max_pending;
  options.on_error = std::move(events.failed);
  options.on_backpressure = std::move(events.falling_behind);
  options.on_warning = std::move(events.warning);
  return std::make_unique<UploadQueue>(std::move(primary), std::move(factory), std::move(options));
}

std::unique_ptr<ObjectStore> open_remote(const StoreSettings &s, StoreEvents events,
                                         GError **error) {
  UploadQueue::Factory factory;
  std::unique_ptr<ObjectStore> primary;
  if (!s.presigned_post.empty()) {
    PresignedPost post;
    std::string why;
    if (!PresignedPost::from_json(s.presigned_post, &post, &why)) {
      g_set_error(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorLocation, "%s", why.c_str());
      return nullptr;
    }
    const S3ClientOptions options = client_options(s);
    primary = std::make_unique<PresignedPostStore>(post, options, nullptr);
    factory = [post, options](GCancellable *cancellable, GError **) {
      return std::make_unique<PresignedPostStore>(post, options, cancellable);
    };
  } else {
    S3Location location;
    std::string why;
    if (!resolve_s3_location(s.location, s.s3, &location, &why)) {
      g_set_error(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorLocation, "%s", why.c_str());
      return nullptr;
    }
    S3StoreOptions options;
    options.client = client_options(s);
    options.part_size = s.part_size;
    std::unique_ptr<S3Store> store = S3Store::open(location, options, nullptr, error);
    if (!store || !store->check(error))
      return nullptr;
    primary = std::move(store);
    factory = [location, options](GCancellable *cancellable, GError **e) {
      return std::unique_ptr<ObjectStore>(S3Store::open(location, options, cancellable, e));
    };
  }
  return make_queue(s, std::move(primary), std::move(factory), std::move(events));
}

}  // namespace

bool store_is_remote(const StoreSettings &settings) {
  return !settings.presigned_post.empty() || is_s3_location(settings.location);
}

std::string describe_store(const StoreSettings &settings) {
  if (!settings.presigned_post.empty())
    return "the presigned POST URL";
  // Resolved with the properties, so that an endpoint-uri is what the messages name.
  S3Location resolved;
  std::string ignored;
  return resolve_s3_location(settings.location, settings.s3, &resolved, &ignored)
             ? resolved.describe()
             : redact_location(settings.location);
}

OpenedStore open_store(const StoreSettings &settings, StoreEvents events, GError **error) {
  OpenedStore opened;
  if (!store_is_remote(settings)) {
    // A directory too is written from worker threads: the streaming thread never waits for
    // the disk, and ordering and EOS behave as for S3.
    std::unique_ptr<ObjectStore> primary = open_object_store(settings.location, error);
    if (!primary)
      return opened;
    const std::string location = settings.location;
    UploadQueue::Factory factory = [location](GCancellable *, GError **e) {
      return open_object_store(location, e);
    };
    opened.store = make_queue(settings, std::move(primary), std::move(factory), std::move(events));
  } else {
    opened.store = open_remote(settings, std::move(events), error);
  }
  opened.queue = static_cast<UploadQueue *>(opened.store.get());
  return opened;
}

}  // namespace lp
