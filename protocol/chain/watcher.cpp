#include "chain/watcher.h"

#include <mutex>

#include "chain/loop.h"
#include "chain/reader.h"

namespace lp::chain {

struct BlockWatcher::Impl : std::enable_shared_from_this<Impl> {
  eth::RpcClient &rpc;
  Reader reader;
  ContractAddresses contracts;
  WatcherConfig config;
  GMainContext *context;
  bool alive = true;
  bool started = false;
  bool polling = false;
  std::vector<Callback<Unit>> waiting;  // poll_now callers for the poll in flight or next
  std::unique_ptr<Timer> timer;

  std::vector<BlockListener> block_listeners;
  std::vector<RoundListener> round_listeners;
  std::vector<EventListener> event_listeners;

  mutable std::mutex mu;
  uint64_t head = 0;
  U256 seen_block;
  U256 round;
  Hash32 round_hash{};

  Impl(eth::RpcClient &r, const ContractAddresses &c, WatcherConfig cfg)
      : rpc(r), reader(r), contracts(c), config(cfg), context(current_context()) {}

  std::weak_ptr<Impl> weak() { return shared_from_this(); }

  void set_block(const eth::Block &b) {
    std::lock_guard<std::mutex> lock(mu);
    head = b.number;
    seen_block = U256(b.l1_block_number ? *b.l1_block_number : b.number);
  }

  void set_round(const U256 &r, const Hash32 &h) {
    std::lock_guard<std::mutex> lock(mu);
    round = r;
    round_hash = h;
  }

  void start(Callback<Unit> ready) {
    auto w = weak();
    rpc.get_block_by_number(
        eth::BlockTag::latest(), [w, ready](eth::RpcResult<std::optional<eth::Block>> r) {
          auto self = w.lock();
          if (!self || !self->alive) {
            return;
          }
          if (!r.ok() || !r.value()) {
            ready(r.ok() ? ChainError::make(ChainError::Kind::kMalformed, "no latest block")
                         : ChainError::from_rpc(r.error(), "reading the head block"));
            return;
          }
          eth::Block head = *r.value();
          RoundsManager rm(self->contracts.rounds_manager);
          self->reader.read<U256>(
              rm.last_initialized_round(), [w, ready, head, rm](Result<U256> round) {
                auto self = w.lock();
                if (!self || !self->alive) {
                  return;
                }
                if (!round.ok()) {
                  ready(round.error());
                  return;
                }
                U256 rnd = round.value();
                self->reader.read<Hash32>(rm.block_hash_for_round(rnd), [w, ready, head,
                                                                         rnd](Result<Hash32> hash) {
                  auto self = w.lock();
                  if (!self || !self->alive) {
                    return;
                  }
                  if (!hash.ok()) {
                    ready(hash.error());
                    return;
                  }
                  self->set_block(head);
                  self->set_round(rnd, hash.value());
                  self->started = true;
                  self->timer = std::make_unique<Timer>(self->context, self->config.poll_ms, [w] {
                    auto s = w.lock();
                    if (!s || !s->alive) {
                      return false;
                    }
                    s->poll();
                    return true;
                  });
                  ready(Unit{});
                });
              });
        });
  }

  void finish_poll(const std::optional<ChainError> &error) {
    polling = false;
    std::vector<Callback<Unit>> done = std::move(waiting);
    waiting.clear();
    for (auto &cb : done) {
      if (error) {
        cb(*error);
      } else {
        cb(Unit{});
      }
    }
  }

  void poll() {
    if (polling || !started) {
      return;
    }
    polling = true;
    auto w = weak();
    rpc.block_number([w](eth::RpcResult<uint64_t> r) {
      auto self = w.lock();
      if (!self || !self->alive) {
        return;
      }
      if (!r.ok()) {
        self->finish_poll(ChainError::from_rpc(r.error(), "polling for blocks"));
        return;
      }
      uint64_t last;
      {
        std::lock_guard<std::mutex> lock(self->mu);
        last = self->head;
      }
      if (r.value() <= last) {
        self->finish_poll(std::nullopt);
        return;
      }
      uint64_t to = std::min(r.value(), last + self->config.max_log_blocks);
      self->fetch(last + 1, to, r.value());
    });
  }

  void fetch(uint64_t from, uint64_t to, uint64_t latest) {
    eth::LogFilter f;
    f.from_block = eth::BlockTag::number(from);
    f.to_block = eth::BlockTag::number(to);
    f.addresses = {contracts.rounds_manager, contracts.ticket_broker, contracts.bonding_manager};
    f.topics.push_back(events::watched_topics());
    auto w = weak();
    rpc.get_logs(f, [w, to, latest](eth::RpcResult<std::vector<eth::Log>> logs) {
      auto self = w.lock();
      if (!self || !self->alive) {
        return;
      }
      if (!logs.ok()) {
        self->finish_poll(ChainError::from_rpc(logs.error(), "reading protocol logs"));
        return;
      }
      self->rpc.get_block_by_number(
          eth::BlockTag::number(to), [w, to, latest, logs = std::move(logs.value())](
                                         eth::RpcResult<std::optional<eth::Block>> b) {
            auto self = w.lock();
            if (!self || !self->alive) {
              return;
            }
            if (!b.ok() || !b.value()) {
              self->finish_poll(
                  b.ok() ? ChainError::make(ChainError::Kind::kMalformed,
                                            "block " + std::to_string(to) + " is missing")
                         : ChainError::from_rpc(b.error(), "reading a block"));
              return;
            }
            self->dispatch(logs, *b.value());
            if (!self->alive) {
              return;
            }
            if (to < latest) {
              self->polling = false;
              self->fetch_more(to + 1, latest);
              return;
            }
            self->finish_poll(std::nullopt);
          });
    });
  }

  void fetch_more(uint64_t from, uint64_t latest) {
    polling = true;
    fetch(from, std::min(latest, from + config.max_log_blocks - 1), latest);
  }

  void dispatch(const std::vector<eth::Log> &logs, const eth::Block &block) {
    auto keep = shared_from_this();
    for (const eth::Log &log : logs) {
      if (log.removed) {
        continue;  // a reorg took it back; the replacing block's logs arrive on their own
      }
      std::optional<events::ChainEvent> ev;
      try {
        ev = events::decode(log);
      } catch (const Error &e) {
        g_warning("block watcher: skipping an undecodable log in block %llu: %s",
                  static_cast<unsigned long long>(log.block_number), e.what());
        continue;
      }
      if (!ev) {
        continue;
      }
      if (ev->kind == events::ChainEvent::Kind::kNewRound) {
        set_round(ev->round, ev->block_hash);
        for (const RoundListener &l : round_listeners) {
          l(ev->round, ev->block_hash);
        }
      }
      for (const EventListener &l : event_listeners) {
        l(*ev);
      }
      if (!alive) {
        return;
      }
    }
    set_block(block);
    for (const BlockListener &l : block_listeners) {
      l(block);
    }
  }
};

BlockWatcher::BlockWatcher(eth::RpcClient &rpc, const ContractAddresses &contracts,
                           WatcherConfig config)
    : impl_(std::make_shared<Impl>(rpc, contracts, config)) {}

BlockWatcher::~BlockWatcher() {
  impl_->alive = false;
  impl_->timer.reset();
}

void BlockWatcher::start(Callback<Unit> ready) {
  impl_->start(std::move(ready));
}

void BlockWatcher::stop() {
  impl_->timer.reset();
  impl_->started = false;
}

void BlockWatcher::poll_now(Callback<Unit> done) {
  if (!impl_->started) {
    post(impl_->context, [done = std::move(done)] {
      done(ChainError::make(ChainError::Kind::kUnavailable, "the block watcher is not running"));
    });
    return;
  }
  impl_->waiting.push_back(std::move(done));
  if (!impl_->polling) {
    impl_->poll();
  }
}

void BlockWatcher::on_block(BlockListener listener) {
  impl_->block_listeners.push_back(std::move(listener));
}
void BlockWatcher::on_new_round(RoundListener listener) {
  impl_->round_listeners.push_back(std::move(listener));
}
void BlockWatcher::on_event(EventListener listener) {
  impl_->event_listeners.push_back(std::move(listener));
}

U256 BlockWatcher::last_seen_block() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->seen_block;
}
U256 BlockWatcher::last_initialized_round() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->round;
}
Hash32 BlockWatcher::last_initialized_block_hash() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->round_hash;
}
uint64_t BlockWatcher::head() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->head;
}

}  // namespace lp::chain
