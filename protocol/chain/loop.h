// Small helpers for code that runs on a GLib main context: a repeating timer owned by an object
// (removed with it) and posting work to a context's thread. Everything in protocol/chain runs
// on the context its objects were created on and never blocks it.
#pragma once

#include <glib.h>

#include <functional>
#include <memory>

namespace lp::chain {

class Timer {
 public:
  // Calls `tick` every `interval_ms` on `context` (nullptr: the thread-default context) while it
  // returns true. Destroying the timer stops it, also from inside `tick`.
  Timer(GMainContext *context, unsigned interval_ms, std::function<bool()> tick);
  ~Timer();
  Timer(const Timer &) = delete;
  Timer &operator=(const Timer &) = delete;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

// Runs `fn` on `context`'s thread at its next iteration (never inside the caller).
void post(GMainContext *context, std::function<void()> fn);

// The context callbacks should run on: the thread-default one, else the global default.
GMainContext *current_context();

}  // namespace lp::chain
