#include "chain/services.h"

#include "chain/loop.h"

namespace lp::chain {

namespace {

// Offers the queue's next due ticket as soon as a redemption made progress (redeemed, or
// finally failed), instead of waiting for another block: a sender's tickets are redeemed one at
// a time, and on a chain with slow blocks (or a devnet that mines only on demand) waiting a
// block per ticket would hold the rest back. A retryable failure waits for the next block.
class RedemptionDriver : public pm::TicketRedeemer {
 public:
  RedemptionDriver(pm::RedemptionQueue &queue, BlockWatcher &watcher, Redeemer &redeemer)
      : queue_(queue),
        watcher_(watcher),
        redeemer_(redeemer),
        context_(current_context()),
        alive_(std::make_shared<bool>(true)) {}
  ~RedemptionDriver() override { *alive_ = false; }

  void redeem(const pm::SignedTicket &ticket, const Hash32 &sent_tx,
              std::function<void(pm::RedeemOutcome)> done) override {
    std::weak_ptr<bool> alive = alive_;
    GMainContext *context = context_;
    redeemer_.redeem(ticket, sent_tx, [this, alive, context, done](pm::RedeemOutcome outcome) {
      bool progress = outcome.kind != pm::RedeemOutcome::Kind::kRetry;
      done(outcome);
      if (progress) {
        // `this` is only touched once `alive` says the driver still exists.
        post(context, [this, alive] {
          if (auto a = alive.lock(); a && *a) {
            offer();
          }
        });
      }
    });
  }

  void offer() {
    queue_.on_new_block(watcher_.last_seen_block(), watcher_.last_initialized_round(), *this);
  }

 private:
  pm::RedemptionQueue &queue_;
  BlockWatcher &watcher_;
  Redeemer &redeemer_;
  GMainContext *context_;
  std::shared_ptr<bool> alive_;
};

}  // namespace

struct ChainServices::Impl : std::enable_shared_from_this<Impl> {
  ChainConfig config;
  eth::RpcClient rpc;
  Reader reader;
  TxManager tx;
  ContractAddresses contracts;
  std::unique_ptr<BlockWatcher> watcher;
  std::unique_ptr<BrokerCache> broker;
  std::unique_ptr<GasPriceMonitor> gas;
  std::unique_ptr<Redeemer> redeemer;
  std::unique_ptr<RedemptionDriver> driver;
  bool alive = true;

  Impl(ChainConfig c, crypto::PrivateKey key)
      : config(std::move(c)),
        rpc(eth::RpcClient::Options{config.rpc_url, config.rpc_timeout_ms}),
        reader(rpc),
        tx(rpc, std::move(key), config.tx) {}
};

ChainServices::ChainServices(ChainConfig config, crypto::PrivateKey key)
    : impl_(std::make_shared<Impl>(std::move(config), std::move(key))) {}

ChainServices::~ChainServices() {
  impl_->alive = false;
  // Users of the RPC client go first; the client cancels what is left.
  impl_->driver.reset();
  impl_->redeemer.reset();
  impl_->broker.reset();
  impl_->gas.reset();
  impl_->watcher.reset();
}

void ChainServices::start(Callback<Unit> ready) {
  std::weak_ptr<Impl> w = impl_;
  resolve_contracts(
      impl_->reader, impl_->config.controller, [w, ready](Result<ContractAddresses> r) {
        auto self = w.lock();
        if (!self || !self->alive) {
          return;
        }
        if (!r.ok()) {
          ready(r.error());
          return;
        }
        self->contracts = r.value();
        self->watcher =
            std::make_unique<BlockWatcher>(self->rpc, self->contracts, self->config.watcher);
        self->broker =
            std::make_unique<BrokerCache>(self->rpc, self->contracts, self->tx.address());
        self->gas = std::make_unique<GasPriceMonitor>(self->rpc);
        self->redeemer = std::make_unique<Redeemer>(self->rpc, self->tx, self->contracts,
                                                    *self->gas, self->config.redeemer);
        self->broker->attach(*self->watcher);
        self->gas->attach(*self->watcher);
        self->gas->update([w, ready](Result<Unit> g) {
          auto self = w.lock();
          if (!self || !self->alive) {
            return;
          }
          if (!g.ok()) {
            ready(g.error());
            return;
          }
          self->broker->refresh_pool_size([w, ready](Result<Unit> p) {
            auto self = w.lock();
            if (!self || !self->alive) {
              return;
            }
            if (!p.ok()) {
              ready(p.error());
              return;
            }
            self->watcher->start(ready);
          });
        });
      });
}

bool ChainServices::started() const {
  return impl_->watcher != nullptr;
}

const Address &ChainServices::address() const {
  return impl_->tx.address();
}
eth::RpcClient &ChainServices::rpc() {
  return impl_->rpc;
}
const Reader &ChainServices::reader() const {
  return impl_->reader;
}
TxManager &ChainServices::tx() {
  return impl_->tx;
}
const ContractAddresses &ChainServices::contracts() const {
  return impl_->contracts;
}

namespace {
template <typename T>
T &need(const std::unique_ptr<T> &p) {
  if (!p) {
    throw Error("the chain services are not started");
  }
  return *p;
}
}  // namespace

BlockWatcher &ChainServices::watcher() {
  return need(impl_->watcher);
}
BrokerCache &ChainServices::broker() {
  return need(impl_->broker);
}
GasPriceMonitor &ChainServices::gas() {
  return need(impl_->gas);
}
Redeemer &ChainServices::redeemer() {
  return need(impl_->redeemer);
}

void ChainServices::attach_redemption(pm::RedemptionQueue &queue, pm::SenderMonitor &monitor) {
  queue.set_sender_monitor(&monitor);
  BlockWatcher &w = watcher();
  broker().set_listener([&monitor](const Address &sender) { monitor.on_sender_changed(sender); });
  // The monitor drops its round-dependent values (pool size, claims) once the cache has the
  // new ones, not at the NewRound event itself, or it would cache the old ones again.
  broker().set_pool_listener([&monitor](uint64_t) { monitor.on_new_round(); });
  impl_->driver = std::make_unique<RedemptionDriver>(queue, w, redeemer());
  RedemptionDriver *driver = impl_->driver.get();
  w.on_block([driver](const eth::Block &) { driver->offer(); });
}

}  // namespace lp::chain
