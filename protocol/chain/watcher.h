// Follows the chain: polls for new blocks, reads the protocol's logs in each new range (new
// rounds, sender funding, unlocks and withdrawals, ticket redemptions, pool changes) and tells
// listeners, in block order. It is the node's pm::ChainTime: the last block seen (the L1 block
// on Arbitrum, where Livepeer's rounds and ticket expiry count L1 blocks) and the last
// initialized round with its block hash. Each new range of blocks must build on the last block
// dispatched (its parent hash); when it does not, the watcher goes back to the newest block the
// chain still has and reads the logs after it again.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "chain/bindings.h"
#include "chain/events.h"
#include "chain/result.h"
#include "eth/jsonrpc.h"
#include "pm/chain.h"

namespace lp::chain {

struct WatcherConfig {
  unsigned poll_ms = 1000;
  uint64_t max_log_blocks = 2000;  // per eth_getLogs request, when catching up
  // Blocks remembered to find where a reorg forked; a deeper one is read on from the head.
  uint64_t reorg_depth = 64;
};

class BlockWatcher : public pm::ChainTime {
 public:
  using BlockListener = std::function<void(const eth::Block &)>;
  using RoundListener = std::function<void(const U256 &round, const Hash32 &block_hash)>;
  using EventListener = std::function<void(const events::ChainEvent &)>;

  BlockWatcher(eth::RpcClient &rpc, const ContractAddresses &contracts, WatcherConfig config = {});
  ~BlockWatcher() override;
  BlockWatcher(const BlockWatcher &) = delete;
  BlockWatcher &operator=(const BlockWatcher &) = delete;

  // Reads the head block and the last initialized round, then polls every poll_ms; `ready`
  // runs once the first state is known (or with the error that prevented it).
  void start(Callback<Unit> ready);
  void stop();
  // Polls now instead of at the next tick; `done` runs after the new blocks were dispatched.
  void poll_now(Callback<Unit> done);

  // Listeners run on the watcher's context, events before the block that carried them.
  void on_block(BlockListener listener);
  void on_new_round(RoundListener listener);
  void on_event(EventListener listener);

  // pm::ChainTime, safe from any thread.
  U256 last_seen_block() const override;
  U256 last_initialized_round() const override;
  Hash32 last_initialized_block_hash() const override;
  // The chain's own block number (L2 on Arbitrum).
  uint64_t head() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace lp::chain
