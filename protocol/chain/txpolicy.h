// What the transaction manager decides without asking the node: the fees of a new transaction,
// the raise that replaces a stuck one, the gas margin, and what a node's refusal means. The
// numbers come from the node, so none of this may throw on values a hostile one sends.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "eth/jsonrpc.h"
#include "eth/uint256.h"

namespace lp::chain {

using eth::U256;

struct Fees {
  bool legacy = false;
  U256 max_fee;  // legacy: the gas price
  U256 tip;
};

// EIP-1559 (legacy false): a max fee of twice the base fee plus the tip, which leaves room for
// six full blocks of base fee growth; legacy: the gas price (`base`). Within `cap` (zero: no
// cap). Without a price the cap allows, the reason (for the caller to prefix) and no fees.
std::optional<std::string> quote_fees(const U256 &base, const U256 &tip, bool legacy,
                                      const U256 &cap, Fees *out);

// The fees that replace a transaction sent with `sent`, given a fresh quote `now`: both raised
// by bump_percent and at least the quote, within the cap. Nodes drop a replacement that does
// not raise both by 10%: when the cap leaves less, nullopt.
std::optional<Fees> replacement_fees(const Fees &sent, const Fees &now, unsigned bump_percent,
                                     const U256 &cap);

// `gas` plus `percent` of it, saturating.
uint64_t with_margin(uint64_t gas, unsigned percent);

// The node's error message contains `needle`, in any case.
bool node_says(const eth::RpcError &e, const char *needle);
// The node's pool holds a transaction with this hash already: ours was sent.
bool already_known(const eth::RpcError &e);
// The nonce is taken: mined, or held by a transaction with higher fees.
bool nonce_used(const eth::RpcError &e);
// The node refused the nonce itself: used, or beyond its count (nodes that refuse gaps, like
// Arbitrum's sequencer), or held by a transaction this one cannot replace.
bool nonce_refused(const eth::RpcError &e);

}  // namespace lp::chain
