#include "chain/txpolicy.h"

#include <algorithm>
#include <cctype>

namespace lp::chain {

namespace {

U256 percent_of(const U256 &v, unsigned percent) {
  return U256::saturate(v.mpz() * percent / 100);
}

const U256 &max_of(const U256 &a, const U256 &b) {
  return a < b ? b : a;
}

const U256 &min_of(const U256 &a, const U256 &b) {
  return a < b ? a : b;
}

}  // namespace

std::optional<std::string> quote_fees(const U256 &base, const U256 &tip, bool legacy,
                                      const U256 &cap, Fees *out) {
  Fees f;
  f.legacy = legacy;
  if (legacy) {
    if (!cap.is_zero() && base > cap) {
      return "the gas price is " + base.to_dec() + " wei, above the max fee cap of " +
             cap.to_dec() + " wei";
    }
    f.max_fee = base;
    *out = f;
    return std::nullopt;
  }
  f.tip = tip;
  f.max_fee = U256::saturate(base.mpz() * 2 + tip.mpz());
  if (!cap.is_zero()) {
    if (base >= cap) {
      return "the base fee is " + base.to_dec() + " wei per gas, at or above the max fee cap of " +
             cap.to_dec() + " wei";
    }
    f.max_fee = min_of(f.max_fee, cap);
    f.tip = min_of(f.tip, cap - base);
  }
  *out = f;
  return std::nullopt;
}

std::optional<Fees> replacement_fees(const Fees &sent, const Fees &now, unsigned bump_percent,
                                     const U256 &cap) {
  const unsigned bump = 100 + bump_percent;
  Fees f = sent;
  f.max_fee = max_of(percent_of(sent.max_fee, bump), now.max_fee);
  f.tip = max_of(percent_of(sent.tip, bump), now.tip);
  if (!cap.is_zero()) {
    f.max_fee = min_of(f.max_fee, cap);
  }
  f.tip = min_of(f.tip, f.max_fee);
  if (f.max_fee < percent_of(sent.max_fee, 110) ||
      (!f.legacy && f.tip < percent_of(sent.tip, 110))) {
    return std::nullopt;
  }
  return f;
}

uint64_t with_margin(uint64_t gas, unsigned percent) {
  const uint64_t extra = gas / 100 * percent + gas % 100 * percent / 100;
  return gas > UINT64_MAX - extra ? UINT64_MAX : gas + extra;
}

bool node_says(const eth::RpcError &e, const char *needle) {
  std::string message = e.message;
  std::transform(message.begin(), message.end(), message.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return message.find(needle) != std::string::npos;
}

// Geth says "already known" ("known transaction" before 1.9.x), anvil "transaction already
// imported".
bool already_known(const eth::RpcError &e) {
  return e.kind == eth::RpcError::Kind::kRpc &&
         (node_says(e, "already known") || node_says(e, "known transaction") ||
          node_says(e, "already imported"));
}

bool nonce_used(const eth::RpcError &e) {
  return node_says(e, "nonce too low") || node_says(e, "already been used");
}

bool nonce_refused(const eth::RpcError &e) {
  return e.kind == eth::RpcError::Kind::kRpc &&
         (nonce_used(e) || node_says(e, "nonce too high") ||
          node_says(e, "replacement transaction underpriced"));
}

}  // namespace lp::chain
