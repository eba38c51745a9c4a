// Credit bookkeeping on both sides of a PM session.
#pragma once

#include <gmpxx.h>

#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "crypto/address.h"

namespace lp::pm {

// Orchestrator side: credit per (sender, session); EV of accepted tickets in, fees out.
class Balances {
 public:
  void credit(const crypto::Address &sender, const std::string &session, const mpq_class &amount);
  void debit(const crypto::Address &sender, const std::string &session, const mpq_class &amount);
  mpq_class balance(const crypto::Address &sender, const std::string &session) const;
  void clear(const crypto::Address &sender, const std::string &session);

 private:
  mutable std::mutex mu_;
  std::map<std::pair<crypto::Address, std::string>, mpq_class> balances_;
};

// Broadcaster side, per orchestrator session (go-livepeer core/accounting.go).
class SenderBalance {
 public:
  struct Staged {
    int64_t num_tickets = 0;
    mpq_class new_credit;  // num_tickets * EV
    mpq_class existing;    // the balance reserved (and zeroed) for this update
  };
  // Reserves the current balance and says how many tickets of `ev` cover min_credit =
  // max(fee, ev): none when the balance already covers it, else ceil((min_credit - existing) / ev).
  Staged stage_update(const mpq_class &fee, const mpq_class &ev);
  // After a result: balance += existing + new_credit - debit.
  void settle(const Staged &staged, const mpq_class &debit);
  // The request was never sent: give back what stage_update reserved.
  void refund(const Staged &staged);
  mpq_class balance() const;

 private:
  mutable std::mutex mu_;
  mpq_class balance_{0};
};

// ceil((min_credit - existing) / ev) with min_credit = max(fee, ev); 0 when existing covers it or
// ev is not positive.
int64_t tickets_needed(const mpq_class &fee, const mpq_class &ev, const mpq_class &existing);

}  // namespace lp::pm
