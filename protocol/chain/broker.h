// The chain behind the micropayment objects' synchronous interfaces. pm::SenderMonitor and
// pm::Recipient ask for sender info, claimed reserves, the pool size and the gas price while
// validating a payment, on whatever thread that runs; these classes answer from a cache and
// never touch the network in the caller. The cache is filled and refreshed asynchronously on
// the chain context: on demand (refresh), on a miss (answered with zeros, the conservative
// value: no reserve means no credit), and when the block watcher sees the sender's funds
// change, a new round, or the pool change. Listeners hear which sender was refreshed, so the
// sender monitor can drop what it derived from the old values.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <unordered_map>

#include "chain/reader.h"
#include "chain/watcher.h"
#include "pm/chain.h"

namespace lp::chain {

class BrokerCache : public pm::BrokerReader {
 public:
  // `claimant`: the orchestrator whose claimed reserve is tracked for each sender.
  BrokerCache(eth::RpcClient &rpc, const ContractAddresses &contracts, const Address &claimant);
  ~BrokerCache() override;
  BrokerCache(const BrokerCache &) = delete;
  BrokerCache &operator=(const BrokerCache &) = delete;

  pm::SenderInfo sender_info(const Address &sender) override;
  U256 claimed_reserve(const Address &reserve_holder, const Address &claimant) override;
  uint64_t transcoder_pool_size() override;

  // Reads the sender's info and claimed reserve now; `done` runs once they are cached.
  void refresh(const Address &sender, Callback<Unit> done);
  void refresh_pool_size(Callback<Unit> done);
  bool cached(const Address &sender) const;

  // Called on the chain context after a sender's cached values changed.
  void set_listener(std::function<void(const Address &sender)> listener);
  // Called after the pool size was read again (each new round, and when the pool changes):
  // every sender's reserve share may have changed with it.
  void set_pool_listener(std::function<void(uint64_t pool_size)> listener);
  // Keeps the cache current from the watcher's events and rounds.
  void attach(BlockWatcher &watcher);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

// The gas price the orchestrator prices tickets against (eth_gasPrice), refreshed every block.
class GasPriceMonitor : public pm::GasPriceSource {
 public:
  explicit GasPriceMonitor(eth::RpcClient &rpc);
  ~GasPriceMonitor() override;
  U256 gas_price() const override;
  void update(Callback<Unit> done);
  void attach(BlockWatcher &watcher);

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace lp::chain
