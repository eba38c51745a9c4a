// An ObjectStore that stores through worker threads, so a streaming thread hands an object
// over and goes on while the network is slow.
//
// - Ordering: an object whose attrs are not `independent` (a playlist, a delete) starts only
//   once everything put before it is stored; independent objects (segments) may run
//   concurrently. A segment is therefore always stored before a playlist that names it.
// - Bounded: at most max_pending objects wait; put() then blocks (backpressure) and
//   on_backpressure is called once per stall. Nothing is ever dropped.
// - Failures: the first permanent failure is kept, reported once through on_error, and every
//   later call fails with it.
// - flush() waits for everything queued (EOS); interrupt() makes blocked callers return
//   kObjectStoreErrorCancelled without touching uploads (basesink unlock); cancel() abandons
//   uploads in flight and joins the workers (stop).
#pragma once

#include "storage/objectstore.h"

#include <gio/gio.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace lp {

class UploadQueue final : public ObjectStore {
 public:
  // Creates one backend per worker, on that worker's thread, with the queue's cancellable.
  using Factory =
      std::function<std::unique_ptr<ObjectStore>(GCancellable *cancellable, GError **error)>;
  struct Options {
    unsigned workers = 4;
    unsigned max_pending = 16;
    std::function<void(const GError *error)> on_error;
    std::function<void(size_t pending)> on_backpressure;
    // Something lost that costs space, not correctness (a segment that could not be deleted).
    std::function<void(const GError *error)> on_warning;
  };

  // `primary` answers url() and describe(); the workers store through their own backends.
  UploadQueue(std::unique_ptr<ObjectStore> primary, Factory factory, Options options);
  ~UploadQueue() override;

  bool put(const std::string &key, GBytes *data, const ObjectAttrs &attrs, GError **error) override;
  bool remove(const std::string &key, GError **error) override;
  std::string url(const std::string &key) const override { return primary_->url(key); }
  std::string describe() const override { return primary_->describe(); }
  bool flush(GError **error) override;
  void cancel() override;

  // Runs fn on a worker once everything queued before it is stored (never if that fails).
  bool after_stored(std::function<void()> fn, GError **error);
  void interrupt();
  void resume();

  struct Stats {
    guint64 stored = 0;
    guint64 bytes = 0;
    guint64 stalls = 0;
    size_t max_in_flight = 0;
  };
  Stats stats() const;

 private:
  struct Item {
    uint64_t seq = 0;
    enum class Kind { kPut, kRemove, kCallback } kind = Kind::kPut;
    std::string key;
    GBytes *data = nullptr;  // owned
    ObjectAttrs attrs;
    std::function<void()> callback;
  };
  bool enqueue(Item item, GError **error);
  bool refuse_locked(GError **error);
  bool can_start_locked(const Item &item) const;
  void worker_main(unsigned index);
  void run(ObjectStore &backend, Item &item);

  std::unique_ptr<ObjectStore> primary_;
  Factory factory_;
  Options options_;
  GCancellable *cancellable_;

  mutable std::mutex lock_;
  std::condition_variable work_cond_;   // workers: something may start
  std::condition_variable space_cond_;  // producers and flush: something finished
  std::deque<Item> pending_;
  std::set<uint64_t> in_flight_;
  uint64_t next_seq_ = 0;
  GError *failure_ = nullptr;
  bool interrupted_ = false;
  bool stopping_ = false;
  bool stalled_ = false;
  Stats stats_;
  std::vector<std::thread> workers_;
};

}  // namespace lp
