#include "pm/balance.h"

#include "eth/uint256.h"
#include "util/error.h"

namespace lp::pm {

void Balances::credit(const crypto::Address &sender, const std::string &session,
                      const mpq_class &amount) {
  std::lock_guard<std::mutex> lock(mu_);
  balances_[{sender, session}] += amount;
}

void Balances::debit(const crypto::Address &sender, const std::string &session,
                     const mpq_class &amount) {
  std::lock_guard<std::mutex> lock(mu_);
  balances_[{sender, session}] -= amount;
}

mpq_class Balances::balance(const crypto::Address &sender, const std::string &session) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = balances_.find({sender, session});
  return it == balances_.end() ? mpq_class(0) : it->second;
}

void Balances::clear(const crypto::Address &sender, const std::string &session) {
  std::lock_guard<std::mutex> lock(mu_);
  balances_.erase({sender, session});
}

int64_t tickets_needed(const mpq_class &fee, const mpq_class &ev, const mpq_class &existing) {
  if (ev <= 0) {
    return 0;
  }
  mpq_class min_credit = fee > ev ? fee : ev;
  if (existing >= min_credit) {
    return 0;
  }
  mpz_class n = eth::ceil_rational(mpq_class((min_credit - existing) / ev));
  if (!n.fits_slong_p()) {
    throw Error("ticket count out of range");
  }
  return n.get_si();
}

SenderBalance::Staged SenderBalance::stage_update(const mpq_class &fee, const mpq_class &ev) {
  std::lock_guard<std::mutex> lock(mu_);
  Staged s;
  s.existing = balance_;
  balance_ = 0;
  s.num_tickets = tickets_needed(fee, ev, s.existing);
  s.new_credit = ev * s.num_tickets;
  return s;
}

void SenderBalance::settle(const Staged &staged, const mpq_class &debit) {
  std::lock_guard<std::mutex> lock(mu_);
  balance_ += staged.existing + staged.new_credit - debit;
}

void SenderBalance::refund(const Staged &staged) {
  std::lock_guard<std::mutex> lock(mu_);
  balance_ += staged.existing;
}

mpq_class SenderBalance::balance() const {
  std::lock_guard<std::mutex> lock(mu_);
  return balance_;
}

}  // namespace lp::pm
