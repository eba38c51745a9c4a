#include "storage/uploadqueue.h"

#include <algorithm>

namespace lp {

UploadQueue::UploadQueue(std::unique_ptr<ObjectStore> primary, Factory factory, Options options)
    : primary_(std::move(primary)),
      factory_(std::move(factory)),
      options_(std::move(options)),
      cancellable_(g_cancellable_new()) {
  options_.workers = std::max(1u, options_.workers);
  options_.max_pending = std::max(1u, options_.max_pending);
  for (unsigned i = 0; i < options_.workers; ++i)
    workers_.emplace_back(&UploadQueue::worker_main, this, i);
}

UploadQueue::~UploadQueue() {
  cancel();
  g_clear_error(&failure_);
  g_object_unref(cancellable_);
}

bool UploadQueue::refuse_locked(GError **error) {
  if (failure_) {
    g_set_error(error, failure_->domain, failure_->code, "%s", failure_->message);
    return true;
  }
  if (stopping_ || interrupted_) {
    g_set_error(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorCancelled, "uploads stopped");
    return true;
  }
  return false;
}

bool UploadQueue::enqueue(Item item, GError **error) {
  std::unique_lock<std::mutex> guard(lock_);
  auto objects = [this] {
    return static_cast<size_t>(std::count_if(pending_.begin(), pending_.end(), [](const Item &i) {
      return i.kind != Item::Kind::kCallback;
    }));
  };
  const bool counts = item.kind != Item::Kind::kCallback;
  if (counts && objects() < options_.max_pending / 2)
    stalled_ = false;
  while (counts && !refuse_locked(nullptr) && objects() >= options_.max_pending) {
    if (!stalled_) {
      stalled_ = true;
      stats_.stalls++;
      const size_t n = objects();
      if (options_.on_backpressure) {
        guard.unlock();
        options_.on_backpressure(n);
        guard.lock();
        continue;
      }
    }
    space_cond_.wait(guard);
  }
  if (refuse_locked(error)) {
    if (item.data)
      g_bytes_unref(item.data);
    return false;
  }
  item.seq = next_seq_++;
  pending_.push_back(std::move(item));
  work_cond_.notify_all();
  return true;
}

bool UploadQueue::put(const std::string &key, GBytes *data, const ObjectAttrs &attrs,
                      GError **error) {
  if (!object_key_is_valid(key)) {
    g_set_error(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorKey, "invalid object key '%s'",
                key.c_str());
    return false;
  }
  Item item;
  item.kind = Item::Kind::kPut;
  item.key = key;
  item.data = g_bytes_ref(data);
  item.attrs = attrs;
  return enqueue(std::move(item), error);
}

bool UploadQueue::remove(const std::string &key, GError **error) {
  Item item;
  item.kind = Item::Kind::kRemove;
  item.key = key;
  return enqueue(std::move(item), error);
}

bool UploadQueue::after_stored(std::function<void()> fn, GError **error) {
  Item item;
  item.kind = Item::Kind::kCallback;
  item.callback = std::move(fn);
  return enqueue(std::move(item), error);
}

bool UploadQueue::can_start_locked(const Item &item) const {
  if (item.kind == Item::Kind::kPut && item.attrs.independent)
    return true;
  // Everything before it must be stored: it is the oldest waiting item and nothing older is
  // still in flight.
  return !pending_.empty() && pending_.front().seq == item.seq &&
         (in_flight_.empty() || *in_flight_.begin() > item.seq);
}

void UploadQueue::worker_main(unsigned index) {
  GError *error = nullptr;
  std::unique_ptr<ObjectStore> backend = factory_(cancellable_, &error);
  if (!backend) {
    std::lock_guard<std::mutex> guard(lock_);
    if (!failure_ && !stopping_)
      failure_ = error ? error
                       : g_error_new(LP_OBJECT_STORE_ERROR, kObjectStoreErrorIo,
                                     "upload worker %u could not start", index);
    else
      g_clear_error(&error);
    space_cond_.notify_all();
    work_cond_.notify_all();
    return;
  }
  std::unique_lock<std::mutex> guard(lock_);
  for (;;) {
    auto next = pending_.end();
    if (!stopping_ && !failure_) {
      for (auto it = pending_.begin(); it != pending_.end(); ++it) {
        if (can_start_locked(*it)) {
          next = it;
          break;
        }
      }
    }
    if (next == pending_.end()) {
      if (stopping_)
        return;
      work_cond_.wait(guard);
      continue;
    }
    Item item = std::move(*next);
    pending_.erase(next);
    in_flight_.insert(item.seq);
    stats_.max_in_flight = std::max(stats_.max_in_flight, in_flight_.size());
    // A slot is free: a blocked producer may go on.
    space_cond_.notify_all();
    guard.unlock();
    run(*backend, item);
    guard.lock();
    in_flight_.erase(item.seq);
    space_cond_.notify_all();
    work_cond_.notify_all();
  }
}

void UploadQueue::run(ObjectStore &backend, Item &item) {
  GError *error = nullptr;
  bool ok = true;
  guint64 bytes = 0;
  switch (item.kind) {
    case Item::Kind::kPut:
      bytes = g_bytes_get_size(item.data);
      ok = backend.put(item.key, item.data, item.attrs, &error);
      break;
    case Item::Kind::kRemove:
      ok = backend.remove(item.key, &error);
      break;
    case Item::Kind::kCallback:
      item.callback();
      break;
  }
  if (item.data)
    g_bytes_unref(item.data);
  item.data = nullptr;
  bool report = false;
  bool warn = false;
  {
    std::lock_guard<std::mutex> guard(lock_);
    if (ok) {
      if (item.kind != Item::Kind::kCallback) {
        stats_.stored++;
        stats_.bytes += bytes;
      }
    } else if (item.kind == Item::Kind::kRemove &&
               !g_error_matches(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorCancelled) &&
               !g_error_matches(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorUnreachable)) {
      // A segment that cannot be deleted costs space, not correctness: say so and go on.
      warn = true;
    } else if (!failure_ && !stopping_) {
      failure_ = g_error_copy(error);
      report = !g_error_matches(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorCancelled);
    }
  }
  if (report && options_.on_error)
    options_.on_error(error);
  if (warn && options_.on_warning)
    options_.on_warning(error);
  g_clear_error(&error);
}

bool UploadQueue::flush(GError **error) {
  std::unique_lock<std::mutex> guard(lock_);
  space_cond_.wait(guard, [this] {
    return failure_ || stopping_ || interrupted_ || (pending_.empty() && in_flight_.empty());
  });
  if (failure_ || stopping_ || interrupted_)
    return !refuse_locked(error);
  return true;
}

void UploadQueue::interrupt() {
  std::lock_guard<std::mutex> guard(lock_);
  interrupted_ = true;
  space_cond_.notify_all();
}

void UploadQueue::resume() {
  std::lock_guard<std::mutex> guard(lock_);
  interrupted_ = false;
}

void UploadQueue::cancel() {
  {
    std::lock_guard<std::mutex> guard(lock_);
    if (stopping_ && workers_.empty())
      return;
    stopping_ = true;
    work_cond_.notify_all();
    space_cond_.notify_all();
  }
  g_cancellable_cancel(cancellable_);
  for (auto &worker : workers_)
    worker.join();
  workers_.clear();
  std::lock_guard<std::mutex> guard(lock_);
  for (Item &item : pending_) {
    if (item.data)
      g_bytes_unref(item.data);
  }
  pending_.clear();
}

UploadQueue::Stats UploadQueue::stats() const {
  std::lock_guard<std::mutex> guard(lock_);
  return stats_;
}

}  // namespace lp
