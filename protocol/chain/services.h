// The node's chain layer assembled: a JSON-RPC client, the contracts resolved through the
// Controller, the transaction manager for the node's account, the block and round watcher, the
// gas price and broker caches behind the PM interfaces, and the ticket redeemer. An
// orchestrator attaches its redemption queue and sender monitor: every new block then offers
// the queue's due tickets to the redeemer, sender events refresh the monitor's view of that
// sender, and new rounds reset what depends on the round.
#pragma once

#include <memory>
#include <string>

#include "chain/broker.h"
#include "chain/reader.h"
#include "chain/redeemer.h"
#include "chain/txmanager.h"
#include "chain/watcher.h"
#include "pm/queue.h"
#include "pm/sendermonitor.h"

namespace lp::chain {

struct ChainConfig {
  std::string rpc_url;
  Address controller;
  unsigned rpc_timeout_ms = 10000;
  TxConfig tx;
  WatcherConfig watcher;
  RedeemerConfig redeemer;
};

class ChainServices {
 public:
  ChainServices(ChainConfig config, crypto::PrivateKey key);
  ~ChainServices();
  ChainServices(const ChainServices &) = delete;
  ChainServices &operator=(const ChainServices &) = delete;

  // Resolves the contracts, reads the current block, round and gas price and starts
  // watching. The accessors below other than rpc(), reader() and tx() need a started object.
  void start(Callback<Unit> ready);
  bool started() const;

  const Address &address() const;
  eth::RpcClient &rpc();
  const Reader &reader() const;
  TxManager &tx();
  const ContractAddresses &contracts() const;
  BlockWatcher &watcher();
  BrokerCache &broker();
  GasPriceMonitor &gas();
  Redeemer &redeemer();

  // Orchestrator wiring; both must outlive this object.
  void attach_redemption(pm::RedemptionQueue &queue, pm::SenderMonitor &monitor);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace lp::chain
