// The redemption queue (go-livepeer pm/queue.go with common/db.go's ticketQueue table): winning
// tickets are written to SQLite before the payment that carried them is acknowledged, so a crash
// or restart loses none, and each is redeemed at most once.
//
// On every new L1 block, per sender and oldest first, a ticket whose params have expired (so its
// recipientRand can be revealed) and whose creation round is still valid on chain is handed to
// the TicketRedeemer; one redemption per sender is in flight at a time. A ticket whose creation
// round has expired is closed (redeemedAt set, no tx hash) and not offered again. The outcome
// decides:
//   redeemed                       -> marked redeemed with the tx hash
//   "ticket already used", any error containing "transaction failed" or
//   "ticket creationRound does not have a block hash" -> final: marked redeemed, never retried
//   anything else                  -> retried on a later block; a transaction it sent is
//                                     remembered with the ticket and handed back to the redeemer
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pm/recipient.h"
#include "pm/sendermonitor.h"
#include "pm/ticket.h"

namespace lp::pm {

// Tickets older than this many rounds are expired on chain (TicketBroker ticketValidityPeriod).
inline constexpr uint64_t kTicketValidityPeriod = 2;

struct RedeemOutcome {
  enum class Kind { kRedeemed, kRetry, kFinal };
  Kind kind = Kind::kRetry;
  Hash32 tx_hash{};  // zero when no transaction was mined
  std::string error;

  static RedeemOutcome redeemed(const Hash32 &tx) { return {Kind::kRedeemed, tx, {}}; }
  // Classifies an error from the chain as final or retryable, as go-livepeer does.
  static RedeemOutcome failed(const std::string &error, const Hash32 &tx = {});
};

// The chain side of redemption, implemented by the on-chain issue on TicketBroker
// (redeemWinningTicket, 0xec8b3cb6). It decides whether redeeming is worth it now (recipient
// active, funds and face value above the transaction cost, ticket not already used) and reports
// RedeemOutcome::failed(...) with a retryable message when it is not.
class TicketRedeemer {
 public:
  virtual ~TicketRedeemer() = default;
  // Must call `done` exactly once, from any thread, now or later. `sent_tx`: the last
  // transaction an earlier attempt sent for this ticket and did not see mined (a timeout, a
  // lost answer; zero: none). Where it may still be mined, a second one must not be sent.
  virtual void redeem(const SignedTicket &ticket, const Hash32 &sent_tx,
                      std::function<void(RedeemOutcome)> done) = 0;
};

struct QueuedTicket {
  SignedTicket ticket;
  bool redeemed = false;
  // Redeemed: the transaction that did it (zero if none was mined). Not yet: the last one sent
  // for it that was not seen mined, if any (a retryable outcome's tx_hash).
  Hash32 tx_hash{};
  std::string last_error;
};

class RedemptionQueue : public TicketStore {
 public:
  // Opens or creates the database at `path` (":memory:" for a throwaway one). Throws lp::Error.
  static std::unique_ptr<RedemptionQueue> open(const std::string &path);
  ~RedemptionQueue() override;
  RedemptionQueue(const RedemptionQueue &) = delete;
  RedemptionQueue &operator=(const RedemptionQueue &) = delete;

  void store_winning_ticket(const SignedTicket &ticket) override;

  // Pending redemptions count against the sender's max float while in flight.
  void set_sender_monitor(SenderMonitor *monitor);

  // Starts the redemptions due at this block; returns how many started.
  size_t on_new_block(const U256 &latest_l1_block, const U256 &last_initialized_round,
                      TicketRedeemer &redeemer);

  std::vector<QueuedTicket> unredeemed() const;
  std::optional<QueuedTicket> find(const crypto::Signature &sig) const;
  size_t in_flight() const;

 private:
  struct Impl;
  explicit RedemptionQueue(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace lp::pm
