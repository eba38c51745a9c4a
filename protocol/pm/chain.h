// What the micropayment objects need to know about the chain, as interfaces: the on-chain issue
// implements them over RoundsManager, TicketBroker and BondingManager with a block watcher.
#pragma once

#include <cstdint>

#include "crypto/address.h"
#include "eth/uint256.h"
#include "util/bytes.h"

namespace lp::pm {

using crypto::Address;
using eth::U256;

// Rounds and L1 blocks as last observed; values change between calls as blocks arrive.
class ChainTime {
 public:
  virtual ~ChainTime() = default;
  virtual U256 last_seen_block() const = 0;
  virtual U256 last_initialized_round() const = 0;
  virtual Hash32 last_initialized_block_hash() const = 0;
};

class GasPriceSource {
 public:
  virtual ~GasPriceSource() = default;
  // Current gas price in wei (0 when unknown).
  virtual U256 gas_price() const = 0;
};

struct ReserveInfo {
  U256 funds_remaining;
  U256 claimed_in_current_round;
};

// TicketBroker.getSenderInfo(sender).
struct SenderInfo {
  U256 deposit;
  U256 withdraw_round;
  ReserveInfo reserve;
};

// Reads of TicketBroker / BondingManager state. Calls may block on the network; callers cache.
class BrokerReader {
 public:
  virtual ~BrokerReader() = default;
  virtual SenderInfo sender_info(const Address &sender) = 0;
  // TicketBroker.claimedReserve(reserveHolder, claimant).
  virtual U256 claimed_reserve(const Address &reserve_holder, const Address &claimant) = 0;
  // BondingManager.getTranscoderPoolSize().
  virtual uint64_t transcoder_pool_size() = 0;
};

}  // namespace lp::pm
