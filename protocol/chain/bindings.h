// Typed bindings for the calls the node makes on Livepeer's contracts, built on protocol/eth's
// ABI codec. Signatures, selectors and return layouts are Livepeer's (reference section 5), so
// the same bindings work against protocol/contracts on a local chain and against Livepeer's
// deployment. A binding only builds calldata and decodes return data; Reader runs queries
// (eth_call) and TxManager sends calls as transactions.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "crypto/address.h"
#include "eth/abi.h"
#include "eth/uint256.h"
#include "pm/chain.h"
#include "pm/ticket.h"
#include "util/bytes.h"

namespace lp::chain {

using crypto::Address;
using eth::U256;

// A contract call: read with eth_call or sent as a transaction.
struct Call {
  std::optional<Address> to;  // none: contract creation
  Bytes data;
  U256 value;
  std::string what;  // "BondingManager.bond", for messages
  // The least gas to give it. Estimation finds the least gas with which the outer call
  // succeeds, which for calls that swallow inner failures (batch redemption) can be too little
  // for the inner calls to succeed.
  uint64_t min_gas = 0;
};

template <typename T>
struct Query {
  Call call;
  std::function<T(ByteView)> decode;  // throws lp::Error on malformed return data
};

// The contract names the Controller registers (getContract(keccak256(name))).
namespace names {
inline constexpr const char *kLivepeerToken = "LivepeerToken";
inline constexpr const char *kBondingManager = "BondingManager";
inline constexpr const char *kTicketBroker = "TicketBroker";
inline constexpr const char *kRoundsManager = "RoundsManager";
inline constexpr const char *kServiceRegistry = "ServiceRegistry";
inline constexpr const char *kMinter = "Minter";
}  // namespace names

// keccak256(name), the Controller's key.
Hash32 contract_id(const std::string &name);

struct ContractAddresses {
  Address controller;
  Address token;
  Address bonding_manager;
  Address ticket_broker;
  Address rounds_manager;
  Address service_registry;
  Address minter;
};

// BondingManager.getDelegator's seven fields.
struct Delegator {
  U256 bonded_amount;
  U256 fees;
  Address delegate_address;
  U256 delegated_amount;
  U256 start_round;
  U256 last_claim_round;
  U256 next_unbonding_lock_id;
};

struct UnbondingLock {
  U256 amount;
  U256 withdraw_round;  // 0: no such lock (withdrawn, rebonded or never made)
};

// BondingManager.getTranscoder's ten fields.
struct Transcoder {
  U256 last_reward_round;
  U256 reward_cut;  // of 1,000,000
  U256 fee_share;   // of 1,000,000
  U256 last_active_stake_update_round;
  U256 activation_round;
  U256 deactivation_round;
  U256 active_cumulative_rewards;
  U256 cumulative_rewards;
  U256 cumulative_fees;
  U256 last_fee_round;
};

struct EarningsPool {
  U256 total_stake;
  U256 transcoder_reward_cut;
  U256 transcoder_fee_share;
  U256 cumulative_reward_factor;
  U256 cumulative_fee_factor;
};

class Controller {
 public:
  explicit Controller(const Address &at) : at_(at) {}
  Query<Address> get_contract(const std::string &name) const;
  Query<bool> paused() const;
  Call set_contract_info(const std::string &name, const Address &contract) const;

 private:
  Address at_;
};

class LivepeerToken {
 public:
  explicit LivepeerToken(const Address &at) : at_(at) {}
  Query<U256> balance_of(const Address &owner) const;
  Query<U256> allowance(const Address &owner, const Address &spender) const;
  Call approve(const Address &spender, const U256 &amount) const;
  Call transfer(const Address &to, const U256 &amount) const;

 private:
  Address at_;
};

class BondingManager {
 public:
  explicit BondingManager(const Address &at) : at_(at) {}
  Call bond(const U256 &amount, const Address &to) const;
  Call unbond(const U256 &amount) const;
  Call rebond(const U256 &lock_id) const;
  Call rebond_from_unbonded(const Address &to, const U256 &lock_id) const;
  Call withdraw_stake(const U256 &lock_id) const;
  Call withdraw_fees(const Address &recipient, const U256 &amount) const;
  Call claim_earnings(const U256 &end_round) const;
  Call reward() const;
  Call transcoder(const U256 &reward_cut, const U256 &fee_share) const;

  Query<Delegator> get_delegator(const Address &delegator) const;
  Query<UnbondingLock> get_delegator_unbonding_lock(const Address &delegator,
                                                    const U256 &lock_id) const;
  Query<Transcoder> get_transcoder(const Address &transcoder) const;
  Query<EarningsPool> get_transcoder_earnings_pool_for_round(const Address &transcoder,
                                                             const U256 &round) const;
  Query<bool> is_active_transcoder(const Address &transcoder) const;
  Query<U256> transcoder_total_stake(const Address &transcoder) const;
  Query<U256> pending_stake(const Address &delegator, const U256 &end_round) const;
  Query<U256> pending_fees(const Address &delegator, const U256 &end_round) const;
  Query<U256> get_transcoder_pool_size() const;
  Query<U256> get_transcoder_pool_max_size() const;
  Query<Address> get_first_transcoder_in_pool() const;
  Query<Address> get_next_transcoder_in_pool(const Address &transcoder) const;
  Query<U256> get_total_bonded() const;

 private:
  Address at_;
};

class TicketBroker {
 public:
  explicit TicketBroker(const Address &at) : at_(at) {}
  Call fund_deposit(const U256 &amount) const;
  Call fund_reserve(const U256 &amount) const;
  Call fund_deposit_and_reserve(const U256 &deposit, const U256 &reserve) const;
  Call unlock() const;
  Call cancel_unlock() const;
  Call withdraw() const;
  Call redeem_winning_ticket(const pm::SignedTicket &ticket) const;
  Call batch_redeem_winning_tickets(const std::vector<pm::SignedTicket> &tickets) const;

  Query<pm::SenderInfo> get_sender_info(const Address &sender) const;
  Query<U256> claimable_reserve(const Address &reserve_holder, const Address &claimant) const;
  Query<U256> claimed_reserve(const Address &reserve_holder, const Address &claimant) const;
  Query<bool> used_tickets(const Hash32 &ticket_hash) const;
  Query<Hash32> get_ticket_hash(const pm::Ticket &ticket) const;
  Query<U256> unlock_period() const;
  Query<U256> ticket_validity_period() const;
  Query<bool> is_unlock_in_progress(const Address &sender) const;

 private:
  Address at_;
};

class RoundsManager {
 public:
  explicit RoundsManager(const Address &at) : at_(at) {}
  Call initialize_round() const;
  Query<U256> current_round() const;
  Query<bool> current_round_initialized() const;
  Query<bool> current_round_locked() const;
  Query<Hash32> block_hash_for_round(const U256 &round) const;
  Query<U256> last_initialized_round() const;
  Query<U256> current_round_start_block() const;
  Query<U256> round_length() const;
  Query<U256> round_lock_amount() const;

 private:
  Address at_;
};

class ServiceRegistry {
 public:
  explicit ServiceRegistry(const Address &at) : at_(at) {}
  Call set_service_uri(const std::string &uri) const;
  Query<std::string> get_service_uri(const Address &addr) const;

 private:
  Address at_;
};

class Minter {
 public:
  explicit Minter(const Address &at) : at_(at) {}
  Query<U256> current_mintable_tokens() const;

 private:
  Address at_;
};

// The ticket as redeemWinningTicket's tuple (recipient, sender, faceValue, winProb,
// senderNonce, recipientRandHash, auxData).
eth::abi::Value ticket_tuple(const pm::Ticket &ticket);

// The canonical signatures of every function the bindings call, for checks against ABIs.
const std::vector<std::string> &function_signatures();

// Contract creation: bytecode followed by the ABI-encoded constructor arguments.
Call deploy_call(const std::string &contract, const Bytes &bytecode,
                 const std::vector<eth::abi::Type> &types,
                 const std::vector<eth::abi::Value> &args);

}  // namespace lp::chain
