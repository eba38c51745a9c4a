#include "chain/loop.h"

namespace lp::chain {

struct Timer::State {
  std::function<bool()> tick;
  GSource *source = nullptr;
  bool stopped = false;
};

namespace {

gboolean on_tick(gpointer data) {
  // The state is kept alive by the source's own reference for the duration of the call, so a
  // tick that destroys its Timer still returns safely.
  auto state = *static_cast<std::shared_ptr<Timer::State> *>(data);
  if (state->stopped) {
    return G_SOURCE_REMOVE;
  }
  bool again = state->tick();
  if (!again || state->stopped) {
    state->source = nullptr;
    return G_SOURCE_REMOVE;
  }
  return G_SOURCE_CONTINUE;
}

}  // namespace

GMainContext *current_context() {
  GMainContext *ctx = g_main_context_get_thread_default();
  return ctx ? ctx : g_main_context_default();
}

Timer::Timer(GMainContext *context, unsigned interval_ms, std::function<bool()> tick)
    : state_(std::make_shared<State>()) {
  state_->tick = std::move(tick);
  GSource *source = g_timeout_source_new(interval_ms);
  g_source_set_callback(source, on_tick, new std::shared_ptr<State>(state_),
                        [](gpointer p) { delete static_cast<std::shared_ptr<State> *>(p); });
  g_source_attach(source, context ? context : current_context());
  state_->source = source;
  g_source_unref(source);  // the context holds it until it is destroyed
}

Timer::~Timer() {
  state_->stopped = true;
  if (state_->source) {
    g_source_destroy(state_->source);
    state_->source = nullptr;
  }
}

void post(GMainContext *context, std::function<void()> fn) {
  GSource *idle = g_idle_source_new();
  g_source_set_callback(
      idle,
      [](gpointer p) -> gboolean {
        (*static_cast<std::function<void()> *>(p))();
        return G_SOURCE_REMOVE;
      },
      new std::function<void()>(std::move(fn)),
      [](gpointer p) { delete static_cast<std::function<void()> *>(p); });
  g_source_attach(idle, context ? context : current_context());
  g_source_unref(idle);
}

}  // namespace lp::chain
