#include "chain/broker.h"

#include "chain/loop.h"

namespace lp::chain {

struct BrokerCache::Impl : std::enable_shared_from_this<Impl> {
  Reader reader;
  TicketBroker broker;
  BondingManager bonding;
  Address claimant;
  GMainContext *context;
  bool alive = true;
  std::function<void(const Address &)> listener;
  std::function<void(uint64_t)> pool_listener;

  // Per sender, one fetch at a time. A request while one runs (an event, a refresh) marks the
  // sender to be read again once it is done: the running fetch may have read the chain before
  // what the request is about, and two fetches in flight could finish out of order and leave
  // the older values in the cache.
  struct Fetch {
    bool running = false;
    bool again = false;
    std::vector<Callback<Unit>> now;   // answered by the running fetch
    std::vector<Callback<Unit>> next;  // by the one after it
  };

  mutable std::mutex mu;
  std::unordered_map<Address, pm::SenderInfo> info;
  std::map<std::pair<Address, Address>, U256> claimed;
  std::optional<uint64_t> pool_size;
  std::unordered_map<Address, Fetch> fetches;
  bool fetching_pool = false;

  Impl(eth::RpcClient &rpc, const ContractAddresses &c, const Address &self)
      : reader(rpc),
        broker(c.ticket_broker),
        bonding(c.bonding_manager),
        claimant(self),
        context(current_context()) {}

  // From any thread, on a cache miss: one fetch on the chain context unless one is under way
  // (whose values are as new as the miss).
  void fetch_later(const Address &sender) {
    {
      std::lock_guard<std::mutex> lock(mu);
      Fetch &f = fetches[sender];
      if (f.running) {
        return;
      }
      f.running = true;
    }
    std::weak_ptr<Impl> w = shared_from_this();
    post(context, [w, sender] {
      if (auto self = w.lock(); self && self->alive) {
        self->run_fetch(sender);
      }
    });
  }

  // On the chain context: values read after this call; `done` runs once they are cached.
  void fetch(const Address &sender, Callback<Unit> done) {
    {
      std::lock_guard<std::mutex> lock(mu);
      Fetch &f = fetches[sender];
      if (f.running) {
        f.again = true;
        f.next.push_back(std::move(done));
        return;
      }
      f.running = true;
      f.now.push_back(std::move(done));
    }
    run_fetch(sender);
  }

  // A sender the cache holds or is reading for the first time: an event about it must reach
  // the cache, also one that arrives while the first read is under way.
  bool tracked(const Address &sender) const {
    std::lock_guard<std::mutex> lock(mu);
    auto it = fetches.find(sender);
    return info.count(sender) != 0 || (it != fetches.end() && it->second.running);
  }

  void run_fetch(const Address &sender) {
    auto got_info = std::make_shared<pm::SenderInfo>();
    auto got_claimed = std::make_shared<U256>();
    auto batch = ReadBatch::make(reader);
    batch->add<pm::SenderInfo>(broker.get_sender_info(sender),
                               [got_info](pm::SenderInfo i) { *got_info = i; });
    batch->add<U256>(broker.claimed_reserve(sender, claimant),
                     [got_claimed](U256 c) { *got_claimed = c; });
    std::weak_ptr<Impl> w = shared_from_this();
    batch->run([w, sender, got_info, got_claimed](std::optional<ChainError> err) {
      auto self = w.lock();
      if (!self || !self->alive) {
        return;
      }
      std::vector<Callback<Unit>> done;
      bool again = false;
      {
        std::lock_guard<std::mutex> lock(self->mu);
        Fetch &f = self->fetches[sender];
        done = std::move(f.now);
        f.now.clear();
        if (f.again) {
          again = true;
          f.again = false;
          f.now = std::move(f.next);
          f.next.clear();
        } else {
          self->fetches.erase(sender);
        }
        if (!err) {
          self->info[sender] = *got_info;
          self->claimed[{sender, self->claimant}] = *got_claimed;
        }
      }
      if (err) {
        g_warning("broker cache: cannot read sender %s: %s", sender.checksummed().c_str(),
                  err->message.c_str());
      } else if (self->listener) {
        self->listener(sender);
      }
      for (auto &cb : done) {
        if (!self->alive) {
          return;
        }
        if (err) {
          cb(*err);
        } else {
          cb(Unit{});
        }
      }
      if (again && self->alive) {
        self->run_fetch(sender);
      }
    });
  }

  void fetch_pool(Callback<Unit> done) {
    std::weak_ptr<Impl> w = shared_from_this();
    reader.read<U256>(bonding.get_transcoder_pool_size(), [w, done](Result<U256> r) {
      auto self = w.lock();
      if (!self || !self->alive) {
        return;
      }
      uint64_t size = 0;
      {
        std::lock_guard<std::mutex> lock(self->mu);
        self->fetching_pool = false;
        if (r.ok()) {
          size = r.value().fits_u64() ? r.value().to_u64() : UINT64_MAX;
          self->pool_size = size;
        }
      }
      if (!r.ok()) {
        done(r.error());
        return;
      }
      if (self->pool_listener) {
        self->pool_listener(size);
      }
      done(Unit{});
    });
  }

  std::vector<Address> cached_senders() const {
    std::lock_guard<std::mutex> lock(mu);
    std::vector<Address> out;
    for (const auto &[addr, i] : info) {
      out.push_back(addr);
    }
    return out;
  }
};

BrokerCache::BrokerCache(eth::RpcClient &rpc, const ContractAddresses &contracts,
                         const Address &claimant)
    : impl_(std::make_shared<Impl>(rpc, contracts, claimant)) {}

BrokerCache::~BrokerCache() {
  impl_->alive = false;
}

pm::SenderInfo BrokerCache::sender_info(const Address &sender) {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    auto it = impl_->info.find(sender);
    if (it != impl_->info.end()) {
      return it->second;
    }
  }
  impl_->fetch_later(sender);
  return pm::SenderInfo{};
}

U256 BrokerCache::claimed_reserve(const Address &holder, const Address &claimant) {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    auto it = impl_->claimed.find({holder, claimant});
    if (it != impl_->claimed.end()) {
      return it->second;
    }
  }
  if (claimant == impl_->claimant) {
    impl_->fetch_later(holder);
  }
  return U256();
}

uint64_t BrokerCache::transcoder_pool_size() {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    if (impl_->pool_size) {
      return *impl_->pool_size;
    }
    if (impl_->fetching_pool) {
      return 0;
    }
    impl_->fetching_pool = true;
  }
  std::weak_ptr<Impl> w = impl_;
  post(impl_->context, [w] {
    if (auto self = w.lock()) {
      self->fetch_pool([](Result<Unit>) {});
    }
  });
  return 0;
}

void BrokerCache::refresh(const Address &sender, Callback<Unit> done) {
  impl_->fetch(sender, std::move(done));
}

void BrokerCache::refresh_pool_size(Callback<Unit> done) {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->fetching_pool = true;
  }
  impl_->fetch_pool(std::move(done));
}

bool BrokerCache::cached(const Address &sender) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->info.count(sender) != 0;
}

void BrokerCache::set_listener(std::function<void(const Address &)> listener) {
  impl_->listener = std::move(listener);
}

void BrokerCache::set_pool_listener(std::function<void(uint64_t)> listener) {
  impl_->pool_listener = std::move(listener);
}

void BrokerCache::attach(BlockWatcher &watcher) {
  std::weak_ptr<Impl> w = impl_;
  watcher.on_event([w](const events::ChainEvent &ev) {
    auto self = w.lock();
    if (!self || !self->alive) {
      return;
    }
    if (ev.kind == events::ChainEvent::Kind::kSenderFunds) {
      if (self->tracked(ev.subject)) {
        self->fetch(ev.subject, [](Result<Unit>) {});
      }
    } else if (ev.kind == events::ChainEvent::Kind::kPool) {
      self->fetch_pool([](Result<Unit>) {});
    }
  });
  watcher.on_new_round([w](const U256 &, const Hash32 &) {
    auto self = w.lock();
    if (!self || !self->alive) {
      return;
    }
    // Claims are counted per round, and the pool's membership changes at round boundaries.
    self->fetch_pool([](Result<Unit>) {});
    for (const Address &s : self->cached_senders()) {
      self->fetch(s, [](Result<Unit>) {});
    }
  });
}

// ---- GasPriceMonitor ----

struct GasPriceMonitor::State : std::enable_shared_from_this<State> {
  eth::RpcClient &rpc;
  mutable std::mutex mu;
  U256 price;
  bool alive = true;
  explicit State(eth::RpcClient &r) : rpc(r) {}
};

GasPriceMonitor::GasPriceMonitor(eth::RpcClient &rpc) : state_(std::make_shared<State>(rpc)) {}

GasPriceMonitor::~GasPriceMonitor() {
  state_->alive = false;
}

U256 GasPriceMonitor::gas_price() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->price;
}

void GasPriceMonitor::update(Callback<Unit> done) {
  std::weak_ptr<State> w = state_;
  state_->rpc.gas_price([w, done](eth::RpcResult<U256> r) {
    auto s = w.lock();
    if (!s || !s->alive) {
      return;
    }
    if (!r.ok()) {
      done(ChainError::from_rpc(r.error(), "eth_gasPrice"));
      return;
    }
    {
      std::lock_guard<std::mutex> lock(s->mu);
      s->price = r.value();
    }
    done(Unit{});
  });
}

void GasPriceMonitor::attach(BlockWatcher &watcher) {
  std::weak_ptr<State> w = state_;
  watcher.on_block([this, w](const eth::Block &) {
    if (auto s = w.lock(); s && s->alive) {
      update([](Result<Unit>) {});
    }
  });
}

}  // namespace lp::chain
