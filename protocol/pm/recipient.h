// The orchestrator side of PM (go-livepeer pm/recipient.go and core ProcessPayment): issues ticket
// params bound to one sender, validates received tickets, keeps winning ones and credits EV.
//
// The recipient's 32-byte secret is created here (or handed in) and never leaves the object: no
// accessor, no serialized form, no log line or error message carries it or a recipientRand.
// All methods are safe to call from several threads at once.
#pragma once

#include <gmpxx.h>

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "pm/balance.h"
#include "pm/chain.h"
#include "pm/errors.h"
#include "pm/params.h"
#include "pm/sendermonitor.h"
#include "pm/ticket.h"
#include "util/secret.h"

namespace lp::pm {

inline constexpr uint64_t kParamsExpirationBlocks = 40;
inline constexpr size_t kMaxSenderNonces = 600;

// Where winning tickets go before a payment is acknowledged; throws on failure.
class TicketStore {
 public:
  virtual ~TicketStore() = default;
  // Durable when it returns. Storing the same ticket (same signature) twice keeps one copy.
  virtual void store_winning_ticket(const SignedTicket &ticket) = 0;
};

struct RecipientConfig {
  U256 ev;  // the expected value asked per ticket (-ticketEV)
  uint64_t redeem_gas = 350000;
  uint64_t tx_cost_multiplier = 100;
  U256 max_face_value;  // 0: no cap
};

struct ReceiveResult {
  bool won = false;
  std::optional<Failure> error;
};

struct PaymentResult {
  mpq_class credited{0};         // EV credited to the session balance
  size_t accepted = 0;           // tickets credited
  size_t winners = 0;            // winning tickets stored
  std::optional<Failure> error;  // the first error; fatal ones stop the payment
};

class Recipient {
 public:
  // A fresh random secret.
  Recipient(const Address &self, RecipientConfig config, SenderMonitor &monitor,
            const ChainTime &time, const GasPriceSource &gas, TicketStore &store);
  // A given 32-byte secret (tests, or a deployment that shares one across processes).
  Recipient(const Address &self, RecipientConfig config, SenderMonitor &monitor,
            const ChainTime &time, const GasPriceSource &gas, TicketStore &store,
            SecretBytes secret);
  Recipient(const Recipient &) = delete;
  Recipient &operator=(const Recipient &) = delete;

  const Address &address() const { return self_; }
  mpq_class ev() const { return mpq_class(config_.ev.mpz()); }

  // Fresh params for `sender` at `price` (wei per pixel). Throws PmError
  // (kInsufficientSenderReserve) when the sender's max float cannot cover a ticket.
  TicketParams ticket_params(const Address &sender, const mpq_class &price);
  // faceValue / txCost for this sender (0 when the gas price is unknown).
  mpq_class tx_cost_multiplier(const Address &sender);

  // Validates one ticket and stores it if it wins. `seed` comes from the params the ticket was
  // made from. A winning ticket is stored even when a later check (nonce, expiry) fails.
  ReceiveResult receive_ticket(const Ticket &ticket, ByteView sig, const U256 &seed);
  // Every ticket of a payment, crediting the EV of accepted ones to (sender, session).
  PaymentResult receive_payment(const TicketBatch &batch, const std::string &session);

  Balances &balances() { return balances_; }

  // Forgets nonce sets of params that expired at or before `block`.
  void on_new_block(const U256 &block);
  size_t tracked_recipient_rands() const;

 private:
  U256 rand_for(const U256 &seed, const Address &sender, const U256 &face_value,
                const U256 &win_prob, const U256 &expiration_block, const mpq_class &price,
                const ExpirationParams &expiration) const;
  U256 tx_cost() const;
  U256 face_value(const Address &sender);
  U256 win_prob(const U256 &face_value) const;
  std::optional<Failure> update_sender_nonce(const U256 &rand, uint32_t nonce,
                                             const U256 &expiration_block);

  Address self_;
  RecipientConfig config_;
  SenderMonitor &monitor_;
  const ChainTime &time_;
  const GasPriceSource &gas_;
  TicketStore &store_;
  RecipientRandKey rand_key_;  // the secret, as a keyed HMAC
  Balances balances_;

  struct NonceSet {
    std::vector<uint32_t> nonces;
    U256 expiration_block;
  };
  mutable std::mutex nonce_mu_;
  // Keyed by the 32-byte recipientRand: one set per params instance.
  std::unordered_map<std::string, NonceSet> nonces_;
};

}  // namespace lp::pm
