// The orchestrator's side of redemption on TicketBroker (pm::TicketRedeemer for the
// RedemptionQueue). Before paying for a transaction it checks, from the chain:
//   - the ticket is not used already                     -> final: "ticket already used"
//   - the recipient is an active transcoder this round   -> retry (fees need an active recipient)
//   - deposit + the sender's remaining reserve cover the face value (Livepeer protocol #657
//     reverts otherwise and the ticket stays redeemable)   -> retry
//   - the face value, and what the redemption pays (deposit + this recipient's claimable
//     reserve, which may be less than the face value), exceed the transaction's cost -> retry
// then sends redeemWinningTicket. Reverts that can never succeed later (bad signature,
// recipientRand, expired, used, no round hash) are final; the rest are retried by the queue on
// a later block. A transaction mined with status 0 is final only for such a reason or when the
// ticket is used by then: the state it failed on (a drained deposit, a round not yet
// initialized) may not last.
#pragma once

#include <functional>

#include "chain/reader.h"
#include "chain/txmanager.h"
#include "pm/queue.h"

namespace lp::chain {

struct RedeemerConfig {
  // go-livepeer's L1 figure: for the cost check, and the least gas a redemption is sent with.
  uint64_t redeem_gas = 350000;
};

class Redeemer : public pm::TicketRedeemer {
 public:
  Redeemer(eth::RpcClient &rpc, TxManager &tx, const ContractAddresses &contracts,
           const pm::GasPriceSource &gas, RedeemerConfig config = {});
  ~Redeemer() override;

  // May be called from any thread; the work runs on the chain context. Transactions sent for
  // the ticket earlier (`sent_tx`, and those this object saw sent and not mined) are looked
  // for first: one that was mined is the redemption, and while one is pending no other is sent.
  void redeem(const pm::SignedTicket &ticket, const Hash32 &sent_tx,
              std::function<void(pm::RedeemOutcome)> done) override;
  void redeem(const pm::SignedTicket &ticket, std::function<void(pm::RedeemOutcome)> done);

  // The outcome for an error from the chain: final when retrying cannot succeed.
  static pm::RedeemOutcome classify(const ChainError &error);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace lp::chain
