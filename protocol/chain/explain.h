// Turns a failed call into a sentence about the account's situation, read from the chain at
// the time: a revert reason such as "withdraw round must be before or equal to the current
// round" becomes "unbonding lock 0 is withdrawable from round 12; current round is 9". Used by
// lp-cli and meant for the node's control API, so both explain failures the same way.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "chain/reader.h"

namespace lp::chain {

// What the failed operation was about, as far as the explanation needs it.
struct ExplainContext {
  Address account;
  std::optional<U256> lock_id;
  std::optional<U256> amount;
};

// Calls `done` with the explanation, or with the error's own message when the reason is not
// one it knows or the state cannot be read.
void explain(const Reader &reader, const ContractAddresses &contracts, const ExplainContext &ctx,
             const ChainError &error, std::function<void(std::string)> done);

// "1.5 LPT", "0.0833 ETH": an 18-decimal amount with trailing zeros dropped.
std::string format_units(const U256 &amount, const std::string &unit);

}  // namespace lp::chain
