#include "transcode/outbox.h"

#include <algorithm>

namespace lp {

Outbox::Outbox(size_t renditions) : progress_(renditions) {}

void Outbox::open(guint token, SegmentInfo source, BufferPtr source_buffer) {
  Bundle bundle;
  bundle.token = token;
  bundle.source = std::move(source);
  bundle.source_buffer = std::move(source_buffer);
  bundle.renditions.resize(progress_.size());
  open_.push_back(std::move(bundle));
}

const SegmentInfo *Outbox::source(guint token) const {
  for (const Bundle &b : open_)
    if (b.token == token)
      return &b.source;
  return nullptr;
}

void Outbox::complete(size_t r, guint token, BufferPtr buffer) {
  for (Bundle &b : open_) {
    if (b.token == token) {
      b.renditions.at(r) = std::move(buffer);
      return;
    }
  }
}

void Outbox::advance(size_t r, guint token) {
  Progress &p = progress_.at(r);
  p.started = true;
  p.token = std::max(p.token, token);
}

void Outbox::end(size_t r) {
  progress_.at(r).ended = true;
}

bool Outbox::all_ended() const {
  return std::all_of(progress_.begin(), progress_.end(), [](const Progress &p) { return p.ended; });
}

bool Outbox::done_with(const Progress &p, guint token) const {
  return p.ended || (p.started && p.token > token);
}

std::vector<Bundle> Outbox::take_ready() {
  std::vector<Bundle> ready;
  while (!open_.empty()) {
    const guint token = open_.front().token;
    const bool done = std::all_of(progress_.begin(), progress_.end(),
                                  [&](const Progress &p) { return done_with(p, token); });
    if (!done)
      break;
    ready.push_back(std::move(open_.front()));
    open_.pop_front();
  }
  return ready;
}

void Outbox::reset() {
  open_.clear();
  std::fill(progress_.begin(), progress_.end(), Progress{});
}

}  // namespace lp
