// lp-cli runs the chain layer's asynchronous calls to completion one at a time: it owns a main
// context (thread-default while it lives) and iterates it until the call at hand calls back.
// lp-cli is a one-shot program with nothing else to do meanwhile; the daemon uses the same chain
// layer from its main loop without waiting.
#pragma once

#include <glib.h>

#include <functional>
#include <optional>
#include <string>

#include "chain/reader.h"
#include "chain/result.h"
#include "util/glib_ptr.h"

namespace lp::cli {

class Awaiter {
 public:
  explicit Awaiter(unsigned timeout_s) : timeout_s_(timeout_s), context_(g_main_context_new()) {
    g_main_context_push_thread_default(context_.get());
  }
  ~Awaiter() {
    for (int i = 0; i < 100 && g_main_context_pending(context_.get()); ++i) {
      g_main_context_iteration(context_.get(), FALSE);
    }
    g_main_context_pop_thread_default(context_.get());
  }
  Awaiter(const Awaiter &) = delete;
  Awaiter &operator=(const Awaiter &) = delete;

  // The result, or nullopt when nothing came back in time.
  template <typename T>
  std::optional<chain::Result<T>> run(const std::function<void(chain::Callback<T>)> &start,
                                      unsigned extra_s = 0) {
    std::optional<chain::Result<T>> result;
    start([&](chain::Result<T> r) { result.emplace(std::move(r)); });
    gint64 deadline =
        g_get_monotonic_time() + static_cast<gint64>(timeout_s_ + extra_s) * G_USEC_PER_SEC;
    while (!result && g_get_monotonic_time() < deadline) {
      g_main_context_iteration(context_.get(), TRUE);
    }
    return result;
  }

  // The value; lp::Error with the chain layer's message otherwise.
  template <typename T>
  T await(const std::function<void(chain::Callback<T>)> &start) {
    std::optional<chain::Result<T>> result = run<T>(start);
    if (!result) {
      throw Error("no answer from the chain within " + std::to_string(timeout_s_) + " s");
    }
    if (!result->ok()) {
      throw Error(result->error().message);
    }
    return std::move(result->value());
  }

  template <typename T>
  T read(const chain::Reader &reader, const chain::Query<T> &q) {
    return await<T>([&](chain::Callback<T> cb) { reader.read<T>(q, cb); });
  }

  unsigned timeout_s() const { return timeout_s_; }

 private:
  unsigned timeout_s_;
  GMainContextPtr context_;
};

}  // namespace lp::cli
