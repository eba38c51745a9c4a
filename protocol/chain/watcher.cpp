#include "chain/watcher.h"

#include <algorithm>
#include <deque>
#include <mutex>

#include "chain/loop.h"
#include "chain/reader.h"

namespace lp::chain {

namespace {

// A block the watcher asked for by number: the node's error, or its answer that it has none.
std::optional<ChainError> block_problem(const eth::RpcResult<std::optional<eth::Block>> &b,
                                        uint64_t number) {
  if (!b.ok()) {
    return ChainError::from_rpc(b.error(), "reading a block");
  }
  if (!b.value()) {
    return ChainError::make(ChainError::Kind::kMalformed,
                            "block " + std::to_string(number) + " is missing");
  }
  return std::nullopt;
}

}  // namespace

struct BlockWatcher::Impl : std::enable_shared_from_this<Impl> {
  eth::RpcClient &rpc;
  Reader reader;
  ContractAddresses contracts;
  WatcherConfig config;
  GMainContext *context;
  bool alive = true;
  bool started = false;
  bool polling = false;
  std::vector<Callback<Unit>> waiting;  // poll_now callers answered by the poll in flight
  // poll_now callers that came while a poll was under way: it may have read the block number
  // before the blocks they mean to see, so another poll answers them.
  std::vector<Callback<Unit>> waiting_next;
  std::unique_ptr<Timer> timer;

  std::vector<BlockListener> block_listeners;
  std::vector<RoundListener> round_listeners;
  std::vector<EventListener> event_listeners;

  mutable std::mutex mu;
  uint64_t head = 0;
  U256 seen_block;
  U256 round;
  Hash32 round_hash{};
  // The last blocks dispatched (number, hash), oldest first: where a reorg forked is the newest
  // of them the chain still has.
  std::deque<std::pair<uint64_t, Hash32>> recent;

  Impl(eth::RpcClient &r, const ContractAddresses &c, WatcherConfig cfg)
      : rpc(r), reader(r), contracts(c), config(cfg), context(current_context()) {}

  std::weak_ptr<Impl> weak() { return shared_from_this(); }

  void set_block(const eth::Block &b) {
    {
      std::lock_guard<std::mutex> lock(mu);
      head = b.number;
      seen_block = U256(b.l1_block_number ? *b.l1_block_number : b.number);
    }
    while (!recent.empty() && recent.back().first >= b.number) {
      recent.pop_back();
    }
    recent.emplace_back(b.number, b.hash);
    while (recent.size() > std::max<uint64_t>(config.reorg_depth, 1)) {
      recent.pop_front();
    }
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
    waiting = std::move(waiting_next);
    waiting_next.clear();
    auto keep = shared_from_this();
    for (auto &cb : done) {
      if (error) {
        cb(*error);
      } else {
        cb(Unit{});
      }
    }
    if (alive && !waiting.empty()) {
      poll();
    }
  }

  void poll() {
    if (polling || !started) {
      return;
    }
    polling = true;
    step();
  }

  uint64_t last_head() const {
    std::lock_guard<std::mutex> lock(mu);
    return head;
  }

  void step() {
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
      uint64_t last = self->last_head();
      if (r.value() < last) {
        // The chain is shorter than what was dispatched: a reorg (or another node behind).
        self->find_fork();
        return;
      }
      if (r.value() == last) {
        self->finish_poll(std::nullopt);
        return;
      }
      uint64_t to = std::min(r.value(), last + self->config.max_log_blocks);
      self->fetch(last + 1, to, r.value());
    });
  }

  // Reads the first block of the range [from, to] and checks that it builds on the last one
  // dispatched, then the range's logs and its last block.
  void fetch(uint64_t from, uint64_t to, uint64_t latest) {
    auto w = weak();
    rpc.get_block_by_number(
        eth::BlockTag::number(from),
        [w, from, to, latest](eth::RpcResult<std::optional<eth::Block>> b) {
          auto self = w.lock();
          if (!self || !self->alive) {
            return;
          }
          if (auto problem = block_problem(b, from)) {
            self->finish_poll(*problem);
            return;
          }
          const std::deque<std::pair<uint64_t, Hash32>> &recent = self->recent;
          if (!recent.empty() && recent.back().first + 1 == from &&
              recent.back().second != b.value()->parent_hash) {
            g_message("block watcher: block %llu does not build on block %llu as seen: a reorg",
                      static_cast<unsigned long long>(from),
                      static_cast<unsigned long long>(from - 1));
            self->find_fork();
            return;
          }
          self->fetch_logs(from, to, latest, from == to ? b.value() : std::nullopt);
        });
  }

  void fetch_logs(uint64_t from, uint64_t to, uint64_t latest,
                  std::optional<eth::Block> last_block) {
    eth::LogFilter f;
    f.from_block = eth::BlockTag::number(from);
    f.to_block = eth::BlockTag::number(to);
    f.addresses = {contracts.rounds_manager, contracts.ticket_broker, contracts.bonding_manager};
    f.topics.push_back(events::watched_topics());
    auto w = weak();
    rpc.get_logs(f, [w, to, latest, last_block](eth::RpcResult<std::vector<eth::Log>> logs) {
      auto self = w.lock();
      if (!self || !self->alive) {
        return;
      }
      if (!logs.ok()) {
        self->finish_poll(ChainError::from_rpc(logs.error(), "reading protocol logs"));
        return;
      }
      if (last_block) {
        self->range_done(logs.value(), *last_block, to, latest);
        return;
      }
      self->rpc.get_block_by_number(eth::BlockTag::number(to),
                                    [w, to, latest, logs = std::move(logs.value())](
                                        eth::RpcResult<std::optional<eth::Block>> b) {
                                      auto self = w.lock();
                                      if (!self || !self->alive) {
                                        return;
                                      }
                                      if (auto problem = block_problem(b, to)) {
                                        self->finish_poll(*problem);
                                        return;
                                      }
                                      self->range_done(logs, *b.value(), to, latest);
                                    });
    });
  }

  void range_done(const std::vector<eth::Log> &logs, const eth::Block &block, uint64_t to,
                  uint64_t latest) {
    dispatch(logs, block);
    if (!alive) {
      return;
    }
    if (to < latest) {
      fetch(to + 1, std::min(latest, to + config.max_log_blocks), latest);
      return;
    }
    finish_poll(std::nullopt);
  }

  // Walks back through the blocks dispatched, newest first, to the newest one the chain still
  // has; the watcher goes back to it and reads the logs after it again, so the events of the
  // blocks that replaced the others are heard. Events of the dropped blocks are not undone:
  // what listeners derived from them is re-read from the chain, which the new events prompt.
  void find_fork() {
    if (recent.empty()) {
      g_warning(
          "block watcher: a reorg deeper than the %llu blocks remembered; reading on from "
          "the chain's head",
          static_cast<unsigned long long>(config.reorg_depth));
      rewound_to(std::nullopt);
      return;
    }
    Hash32 hash = recent.back().second;
    auto w = weak();
    rpc.get_block_by_number(
        eth::BlockTag::number(recent.back().first),
        [w, hash](eth::RpcResult<std::optional<eth::Block>> b) {
          auto self = w.lock();
          if (!self || !self->alive) {
            return;
          }
          if (!b.ok()) {
            self->finish_poll(ChainError::from_rpc(b.error(), "reading a block"));
            return;
          }
          if (b.value() && b.value()->hash == hash) {
            self->rewound_to(*b.value());
            return;
          }
          // Gone, or replaced: it was not the fork point.
          self->recent.pop_back();
          self->find_fork();
        });
  }

  // Back at `fork` (nullopt: too deep to tell, so the head). The last initialized round may
  // have changed with the blocks: it is read again before the logs after the fork point.
  void rewound_to(std::optional<eth::Block> fork) {
    RoundsManager rm(contracts.rounds_manager);
    auto w = weak();
    reader.read<U256>(rm.last_initialized_round(), [w, rm, fork](Result<U256> round) {
      auto self = w.lock();
      if (!self || !self->alive) {
        return;
      }
      if (!round.ok()) {
        self->finish_poll(round.error());
        return;
      }
      U256 rnd = round.value();
      self->reader.read<Hash32>(rm.block_hash_for_round(rnd), [w, rnd, fork](Result<Hash32> hash) {
        auto self = w.lock();
        if (!self || !self->alive) {
          return;
        }
        if (!hash.ok()) {
          self->finish_poll(hash.error());
          return;
        }
        uint64_t before = self->last_head();
        if (fork) {
          self->set_block(*fork);
        }
        bool changed;
        {
          std::lock_guard<std::mutex> lock(self->mu);
          changed = self->round != rnd || self->round_hash != hash.value();
        }
        if (changed) {
          self->set_round(rnd, hash.value());
          for (const RoundListener &l : self->round_listeners) {
            l(rnd, hash.value());
          }
          if (!self->alive) {
            return;
          }
        }
        if (!fork) {
          // Nothing to go back to: carry on from the chain's head as start() does.
          self->rpc.get_block_by_number(
              eth::BlockTag::latest(), [w](eth::RpcResult<std::optional<eth::Block>> b) {
                auto self = w.lock();
                if (!self || !self->alive) {
                  return;
                }
                if (!b.ok() || !b.value()) {
                  self->finish_poll(
                      b.ok() ? ChainError::make(ChainError::Kind::kMalformed, "no latest block")
                             : ChainError::from_rpc(b.error(), "reading the head block"));
                  return;
                }
                self->set_block(*b.value());
                self->finish_poll(std::nullopt);
              });
          return;
        }
        if (fork->number >= before) {
          // Nothing was dropped (a node behind the others answered the block number): the
          // next poll asks again.
          self->finish_poll(std::nullopt);
          return;
        }
        self->step();
      });
    });
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
  if (impl_->polling) {
    impl_->waiting_next.push_back(std::move(done));
    return;
  }
  impl_->waiting.push_back(std::move(done));
  impl_->poll();
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
