// Sends transactions from one account: gas estimation (a call that would revert fails fast with
// its reason and nothing is sent), EIP-1559 fees from the latest base fee and the node's tip
// suggestion under a max-fee cap (legacy gas price on chains without a base fee), nonces handed
// out in order, the receipt awaited, and a transaction that stays unmined replaced at the same
// nonce with fees raised enough for nodes to accept the replacement.
//
// All of it is asynchronous on the GMainContext that was thread-default when the manager was
// made (the RpcClient's). The private key never leaves the object.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "chain/bindings.h"
#include "chain/result.h"
#include "crypto/ecdsa.h"
#include "eth/jsonrpc.h"

namespace lp::chain {

struct TxConfig {
  // Never offer more than this per gas (wei); 0: no cap. When the base fee alone is above the
  // cap the send fails with kFeeCap (retry later) rather than overpay.
  U256 max_fee_cap;
  // Used when the node has no eth_maxPriorityFeePerGas.
  U256 default_priority_fee{1'000'000'000};
  unsigned gas_margin_percent = 20;  // over the estimate, for state that moves before mining
  unsigned receipt_poll_ms = 250;
  unsigned replace_after_ms = 60'000;
  unsigned max_replacements = 1;
  // Each replacement raises both fees by this much (nodes require at least 10%).
  unsigned fee_bump_percent = 25;
  // After this the caller hears kTimeout, but the nonce stays the transaction's: it is still
  // polled for, replaced or sent again, until one of its transactions is mined or the node
  // says another took the nonce. Moving on to the next nonce would leave a gap, or send the
  // same call twice.
  unsigned mine_timeout_ms = 300'000;
  // How often a transaction is sent again while the node has not confirmed it has it (its
  // answer to the send was lost and the node could not be asked since).
  unsigned resend_unsure_ms = 5'000;
};

// One signed transaction as sent: the first, or a replacement (attempt > 0).
struct SentTx {
  Hash32 hash{};
  uint64_t nonce = 0;
  U256 max_fee_per_gas;           // the gas price, for legacy transactions
  U256 max_priority_fee_per_gas;  // 0 for legacy transactions
  uint64_t gas_limit = 0;
  unsigned attempt = 0;
  std::string what;
};

class TxManager {
 public:
  TxManager(eth::RpcClient &rpc, crypto::PrivateKey key, TxConfig config = {});
  ~TxManager();
  TxManager(const TxManager &) = delete;
  TxManager &operator=(const TxManager &) = delete;

  const Address &address() const;

  // Sends `call` from this account and reports its receipt once mined with status 1. Errors:
  // kRevert (estimation reverted; nothing sent), kRejected (the node refused it), kFeeCap,
  // kUnavailable, kTxFailed (mined with status 0; tx_hash set, and revert_reason when replaying
  // the call on that block's state reverts with one), kTimeout (tx_hash set).
  // Calls are signed in the order they were sent; their nonces follow that order.
  // `on_broadcast` hears each transaction sent for this call (the first and replacements), so
  // a caller can look for their receipts itself after a timeout, or after a restart.
  void send(Call call, Callback<eth::Receipt> done,
            std::function<void(const SentTx &)> on_broadcast = nullptr);

  // Hears every transaction as it is broadcast (first sends and replacements).
  void set_observer(std::function<void(const SentTx &)> observer);

  // Transactions queued or awaiting their receipt (also those whose timeout was reported).
  size_t pending() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace lp::chain
