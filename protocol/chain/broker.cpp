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

  mutable std::mutex mu;
  std::unordered_map<Address, pm::SenderInfo> info;
  std::map<std::pair<Address, Address>, U256> claimed;
  std::optional<uint64_t> pool_size;
  std::set<Address> fetching;
  bool fetching_pool = false;

  Impl(eth::RpcClient &rpc, const ContractAddresses &c, const Address &self)
      : reader(rpc),
        broker(c.ticket_broker),
        bonding(c.bonding_manager),
        claimant(self),
        context(current_context()) {}

  // From any thread: fetch on the chain context unless a fetch is already under way.
  void fetch_later(const Address &sender) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (!fetching.insert(sender).second) {
        return;
      }
    }
    std::weak_ptr<Impl> w = shared_from_this();
    post(context, [w, sender] {
      if (auto self = w.lock()) {
        self->fetch(sender, [](Result<Unit>) {});
      }
    });
  }

  void fetch(const Address &sender, Callback<Unit> done) {
    {
      std::lock_guard<std::mutex> lock(mu);
      fetching.insert(sender);
    }
    auto got_info = std::make_shared<pm::SenderInfo>();
    auto got_claimed = std::make_shared<U256>();
    auto batch = ReadBatch::make(reader);
    batch->add<pm::SenderInfo>(broker.get_sender_info(sender),
                               [got_info](pm::SenderInfo i) { *got_info = i; });
    batch->add<U256>(broker.claimed_reserve(sender, claimant),
                     [got_claimed](U256 c) { *got_claimed = c; });
    std::weak_ptr<Impl> w = shared_from_this();
    batch->run([w, sender, got_info, got_claimed, done](std::optional<ChainError> err) {
      auto self = w.lock();
      if (!self || !self->alive) {
        return;
      }
      {
        std::lock_guard<std::mutex> lock(self->mu);
        self->fetching.erase(sender);
        if (!err) {
          self->info[sender] = *got_info;
          self->claimed[{sender, self->claimant}] = *got_claimed;
        }
      }
      if (err) {
        g_warning("broker cache: cannot read sender %s: %s", sender.checksummed().c_str(),
                  err->message.c_str());
        done(*err);
        return;
      }
      if (self->listener) {
        self->listener(sender);
      }
      done(Unit{});
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
      bool known;
      {
        std::lock_guard<std::mutex> lock(self->mu);
        known = self->info.count(ev.subject) != 0;
      }
      if (known) {
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
