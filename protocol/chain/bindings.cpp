#include "chain/bindings.h"

#include <map>
#include <memory>
#include <mutex>

#include "crypto/keccak.h"

namespace lp::chain {

namespace abi = eth::abi;
using abi::Value;

namespace {

struct Signature {
  const char *contract;
  const char *signature;
  const char *outputs;
};

// Every function the node calls, with Livepeer's return layouts.
constexpr Signature kSignatures[] = {
    {"Controller", "getContract(bytes32)", "address"},
    {"Controller", "paused()", "bool"},
    {"Controller", "setContractInfo(bytes32,address,bytes20)", ""},
    {"LivepeerToken", "balanceOf(address)", "uint256"},
    {"LivepeerToken", "allowance(address,address)", "uint256"},
    {"LivepeerToken", "approve(address,uint256)", "bool"},
    {"LivepeerToken", "transfer(address,uint256)", "bool"},
    {"BondingManager", "bond(uint256,address)", ""},
    {"BondingManager", "unbond(uint256)", ""},
    {"BondingManager", "rebond(uint256)", ""},
    {"BondingManager", "rebondFromUnbonded(address,uint256)", ""},
    {"BondingManager", "withdrawStake(uint256)", ""},
    {"BondingManager", "withdrawFees(address,uint256)", ""},
    {"BondingManager", "claimEarnings(uint256)", ""},
    {"BondingManager", "reward()", ""},
    {"BondingManager", "transcoder(uint256,uint256)", ""},
    {"BondingManager", "getDelegator(address)",
     "uint256,uint256,address,uint256,uint256,uint256,uint256"},
    {"BondingManager", "getDelegatorUnbondingLock(address,uint256)", "uint256,uint256"},
    {"BondingManager", "getTranscoder(address)",
     "uint256,uint256,uint256,uint256,uint256,uint256,uint256,uint256,uint256,uint256"},
    {"BondingManager", "getTranscoderEarningsPoolForRound(address,uint256)",
     "uint256,uint256,uint256,uint256,uint256"},
    {"BondingManager", "isActiveTranscoder(address)", "bool"},
    {"BondingManager", "transcoderTotalStake(address)", "uint256"},
    {"BondingManager", "pendingStake(address,uint256)", "uint256"},
    {"BondingManager", "pendingFees(address,uint256)", "uint256"},
    {"BondingManager", "getTranscoderPoolSize()", "uint256"},
    {"BondingManager", "getTranscoderPoolMaxSize()", "uint256"},
    {"BondingManager", "getFirstTranscoderInPool()", "address"},
    {"BondingManager", "getNextTranscoderInPool(address)", "address"},
    {"BondingManager", "getTotalBonded()", "uint256"},
    {"TicketBroker", "fundDeposit()", ""},
    {"TicketBroker", "fundReserve()", ""},
    {"TicketBroker", "fundDepositAndReserve(uint256,uint256)", ""},
    {"TicketBroker", "unlock()", ""},
    {"TicketBroker", "cancelUnlock()", ""},
    {"TicketBroker", "withdraw()", ""},
    {"TicketBroker",
     "redeemWinningTicket((address,address,uint256,uint256,uint256,bytes32,bytes),bytes,uint256)",
     ""},
    {"TicketBroker",
     "batchRedeemWinningTickets((address,address,uint256,uint256,uint256,bytes32,bytes)[],bytes[],"
     "uint256[])",
     ""},
    {"TicketBroker", "getSenderInfo(address)", "((uint256,uint256),(uint256,uint256))"},
    {"TicketBroker", "claimableReserve(address,address)", "uint256"},
    {"TicketBroker", "claimedReserve(address,address)", "uint256"},
    {"TicketBroker", "usedTickets(bytes32)", "bool"},
    {"TicketBroker", "getTicketHash((address,address,uint256,uint256,uint256,bytes32,bytes))",
     "bytes32"},
    {"TicketBroker", "unlockPeriod()", "uint256"},
    {"TicketBroker", "ticketValidityPeriod()", "uint256"},
    {"TicketBroker", "isUnlockInProgress(address)", "bool"},
    {"RoundsManager", "initializeRound()", ""},
    {"RoundsManager", "currentRound()", "uint256"},
    {"RoundsManager", "currentRoundInitialized()", "bool"},
    {"RoundsManager", "currentRoundLocked()", "bool"},
    {"RoundsManager", "blockHashForRound(uint256)", "bytes32"},
    {"RoundsManager", "lastInitializedRound()", "uint256"},
    {"RoundsManager", "currentRoundStartBlock()", "uint256"},
    {"RoundsManager", "roundLength()", "uint256"},
    {"RoundsManager", "roundLockAmount()", "uint256"},
    {"ServiceRegistry", "setServiceURI(string)", ""},
    {"ServiceRegistry", "getServiceURI(address)", "string"},
    {"Minter", "currentMintableTokens()", "uint256"},
};

// Parsed once, on first use, by signature.
const abi::Function &fn(const char *signature) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<abi::Function>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(signature);
  if (it != cache.end()) {
    return *it->second;
  }
  for (const Signature &s : kSignatures) {
    if (std::string_view(s.signature) == signature) {
      auto f = std::make_unique<abi::Function>(abi::Function::parse(s.signature, s.outputs));
      return *cache.emplace(signature, std::move(f)).first->second;
    }
  }
  throw Error(std::string("no binding for ") + signature);
}

Call call(const Address &at, const char *contract, const char *signature,
          const std::vector<Value> &args, const U256 &value = U256()) {
  const abi::Function &f = fn(signature);
  return Call{at, f.encode_call(args), value, std::string(contract) + "." + f.name};
}

template <typename T>
Query<T> query(const Address &at, const char *contract, const char *signature,
               const std::vector<Value> &args, std::function<T(const std::vector<Value> &)> take) {
  const abi::Function &f = fn(signature);
  Query<T> q;
  q.call = Call{at, f.encode_call(args), U256(), std::string(contract) + "." + f.name};
  q.decode = [&f, take = std::move(take)](ByteView data) { return take(f.decode_output(data)); };
  return q;
}

Query<U256> uint_query(const Address &at, const char *contract, const char *signature,
                       const std::vector<Value> &args = {}) {
  return query<U256>(at, contract, signature, args,
                     [](const std::vector<Value> &v) { return v.at(0).as_uint(); });
}

Query<bool> bool_query(const Address &at, const char *contract, const char *signature,
                       const std::vector<Value> &args = {}) {
  return query<bool>(at, contract, signature, args,
                     [](const std::vector<Value> &v) { return v.at(0).as_bool(); });
}

Query<Address> address_query(const Address &at, const char *contract, const char *signature,
                             const std::vector<Value> &args = {}) {
  return query<Address>(at, contract, signature, args,
                        [](const std::vector<Value> &v) { return v.at(0).as_address(); });
}

Query<Hash32> hash_query(const Address &at, const char *contract, const char *signature,
                         const std::vector<Value> &args) {
  return query<Hash32>(at, contract, signature, args, [](const std::vector<Value> &v) {
    const Bytes &b = v.at(0).as_bytes();
    Hash32 h{};
    std::copy(b.begin(), b.end(), h.begin());
    return h;
  });
}

Value u(const U256 &v) {
  return Value::of_uint(v);
}
Value a(const Address &v) {
  return Value::of_address(v);
}
Value b32(const Hash32 &h) {
  return Value::of_bytes(Bytes(h.begin(), h.end()));
}

constexpr const char *kC = "Controller";
constexpr const char *kT = "LivepeerToken";
constexpr const char *kB = "BondingManager";
constexpr const char *kK = "TicketBroker";
constexpr const char *kR = "RoundsManager";
constexpr const char *kS = "ServiceRegistry";
constexpr const char *kM = "Minter";

}  // namespace

Hash32 contract_id(const std::string &name) {
  return crypto::keccak256(ByteView(std::string_view(name)));
}

const std::vector<std::string> &function_signatures() {
  static const std::vector<std::string> all = [] {
    std::vector<std::string> v;
    for (const Signature &s : kSignatures) {
      v.push_back(abi::Function::parse(s.signature).canonical());
    }
    return v;
  }();
  return all;
}

Value ticket_tuple(const pm::Ticket &t) {
  return Value::of_list({a(t.recipient), a(t.sender), u(t.face_value), u(t.win_prob),
                         u(U256(t.sender_nonce)), b32(t.recipient_rand_hash),
                         Value::of_bytes(t.expiration.aux_data())});
}

Call deploy_call(const std::string &contract, const Bytes &bytecode,
                 const std::vector<abi::Type> &types, const std::vector<Value> &args) {
  Call c;
  c.data = bytecode;
  append(c.data, abi::encode(types, args));
  c.what = "deploy " + contract;
  return c;
}

// ---- Controller ----

Query<Address> Controller::get_contract(const std::string &name) const {
  return address_query(at_, kC, "getContract(bytes32)", {b32(contract_id(name))});
}
Query<bool> Controller::paused() const {
  return bool_query(at_, kC, "paused()");
}
Call Controller::set_contract_info(const std::string &name, const Address &contract) const {
  return call(at_, kC, "setContractInfo(bytes32,address,bytes20)",
              {b32(contract_id(name)), a(contract), Value::of_bytes(Bytes(20, 0))});
}

// ---- LivepeerToken ----

Query<U256> LivepeerToken::balance_of(const Address &owner) const {
  return uint_query(at_, kT, "balanceOf(address)", {a(owner)});
}
Query<U256> LivepeerToken::allowance(const Address &owner, const Address &spender) const {
  return uint_query(at_, kT, "allowance(address,address)", {a(owner), a(spender)});
}
Call LivepeerToken::approve(const Address &spender, const U256 &amount) const {
  return call(at_, kT, "approve(address,uint256)", {a(spender), u(amount)});
}
Call LivepeerToken::transfer(const Address &to, const U256 &amount) const {
  return call(at_, kT, "transfer(address,uint256)", {a(to), u(amount)});
}

// ---- BondingManager ----

Call BondingManager::bond(const U256 &amount, const Address &to) const {
  return call(at_, kB, "bond(uint256,address)", {u(amount), a(to)});
}
Call BondingManager::unbond(const U256 &amount) const {
  return call(at_, kB, "unbond(uint256)", {u(amount)});
}
Call BondingManager::rebond(const U256 &lock_id) const {
  return call(at_, kB, "rebond(uint256)", {u(lock_id)});
}
Call BondingManager::rebond_from_unbonded(const Address &to, const U256 &lock_id) const {
  return call(at_, kB, "rebondFromUnbonded(address,uint256)", {a(to), u(lock_id)});
}
Call BondingManager::withdraw_stake(const U256 &lock_id) const {
  return call(at_, kB, "withdrawStake(uint256)", {u(lock_id)});
}
Call BondingManager::withdraw_fees(const Address &recipient, const U256 &amount) const {
  return call(at_, kB, "withdrawFees(address,uint256)", {a(recipient), u(amount)});
}
Call BondingManager::claim_earnings(const U256 &end_round) const {
  return call(at_, kB, "claimEarnings(uint256)", {u(end_round)});
}
Call BondingManager::reward() const {
  return call(at_, kB, "reward()", {});
}
Call BondingManager::transcoder(const U256 &reward_cut, const U256 &fee_share) const {
  return call(at_, kB, "transcoder(uint256,uint256)", {u(reward_cut), u(fee_share)});
}

Query<Delegator> BondingManager::get_delegator(const Address &d) const {
  return query<Delegator>(
      at_, kB, "getDelegator(address)", {a(d)}, [](const std::vector<Value> &v) {
        return Delegator{v.at(0).as_uint(), v.at(1).as_uint(), v.at(2).as_address(),
                         v.at(3).as_uint(), v.at(4).as_uint(), v.at(5).as_uint(),
                         v.at(6).as_uint()};
      });
}
Query<UnbondingLock> BondingManager::get_delegator_unbonding_lock(const Address &d,
                                                                  const U256 &lock_id) const {
  return query<UnbondingLock>(at_, kB, "getDelegatorUnbondingLock(address,uint256)",
                              {a(d), u(lock_id)}, [](const std::vector<Value> &v) {
                                return UnbondingLock{v.at(0).as_uint(), v.at(1).as_uint()};
                              });
}
Query<Transcoder> BondingManager::get_transcoder(const Address &t) const {
  return query<Transcoder>(at_, kB, "getTranscoder(address)", {a(t)},
                           [](const std::vector<Value> &v) {
                             Transcoder r;
                             U256 *fields[] = {&r.last_reward_round,
                                               &r.reward_cut,
                                               &r.fee_share,
                                               &r.last_active_stake_update_round,
                                               &r.activation_round,
                                               &r.deactivation_round,
                                               &r.active_cumulative_rewards,
                                               &r.cumulative_rewards,
                                               &r.cumulative_fees,
                                               &r.last_fee_round};
                             for (size_t i = 0; i < 10; ++i) {
                               *fields[i] = v.at(i).as_uint();
                             }
                             return r;
                           });
}
Query<EarningsPool> BondingManager::get_transcoder_earnings_pool_for_round(
    const Address &t, const U256 &round) const {
  return query<EarningsPool>(at_, kB, "getTranscoderEarningsPoolForRound(address,uint256)",
                             {a(t), u(round)}, [](const std::vector<Value> &v) {
                               return EarningsPool{v.at(0).as_uint(), v.at(1).as_uint(),
                                                   v.at(2).as_uint(), v.at(3).as_uint(),
                                                   v.at(4).as_uint()};
                             });
}
Query<bool> BondingManager::is_active_transcoder(const Address &t) const {
  return bool_query(at_, kB, "isActiveTranscoder(address)", {a(t)});
}
Query<U256> BondingManager::transcoder_total_stake(const Address &t) const {
  return uint_query(at_, kB, "transcoderTotalStake(address)", {a(t)});
}
Query<U256> BondingManager::pending_stake(const Address &d, const U256 &end_round) const {
  return uint_query(at_, kB, "pendingStake(address,uint256)", {a(d), u(end_round)});
}
Query<U256> BondingManager::pending_fees(const Address &d, const U256 &end_round) const {
  return uint_query(at_, kB, "pendingFees(address,uint256)", {a(d), u(end_round)});
}
Query<U256> BondingManager::get_transcoder_pool_size() const {
  return uint_query(at_, kB, "getTranscoderPoolSize()");
}
Query<U256> BondingManager::get_transcoder_pool_max_size() const {
  return uint_query(at_, kB, "getTranscoderPoolMaxSize()");
}
Query<Address> BondingManager::get_first_transcoder_in_pool() const {
  return address_query(at_, kB, "getFirstTranscoderInPool()");
}
Query<Address> BondingManager::get_next_transcoder_in_pool(const Address &t) const {
  return address_query(at_, kB, "getNextTranscoderInPool(address)", {a(t)});
}
Query<U256> BondingManager::get_total_bonded() const {
  return uint_query(at_, kB, "getTotalBonded()");
}

// ---- TicketBroker ----

Call TicketBroker::fund_deposit(const U256 &amount) const {
  return call(at_, kK, "fundDeposit()", {}, amount);
}
Call TicketBroker::fund_reserve(const U256 &amount) const {
  return call(at_, kK, "fundReserve()", {}, amount);
}
Call TicketBroker::fund_deposit_and_reserve(const U256 &deposit, const U256 &reserve) const {
  return call(at_, kK, "fundDepositAndReserve(uint256,uint256)", {u(deposit), u(reserve)},
              deposit + reserve);
}
Call TicketBroker::unlock() const {
  return call(at_, kK, "unlock()", {});
}
Call TicketBroker::cancel_unlock() const {
  return call(at_, kK, "cancelUnlock()", {});
}
Call TicketBroker::withdraw() const {
  return call(at_, kK, "withdraw()", {});
}
Call TicketBroker::redeem_winning_ticket(const pm::SignedTicket &t) const {
  return call(
      at_, kK,
      "redeemWinningTicket((address,address,uint256,uint256,uint256,bytes32,bytes),bytes,uint256)",
      {ticket_tuple(t.ticket), Value::of_bytes(Bytes(t.sig.begin(), t.sig.end())),
       u(t.recipient_rand)});
}
Call TicketBroker::batch_redeem_winning_tickets(const std::vector<pm::SignedTicket> &ts) const {
  Value::List tickets, sigs, rands;
  for (const pm::SignedTicket &t : ts) {
    tickets.push_back(ticket_tuple(t.ticket));
    sigs.push_back(Value::of_bytes(Bytes(t.sig.begin(), t.sig.end())));
    rands.push_back(u(t.recipient_rand));
  }
  Call c =
      call(at_, kK,
           "batchRedeemWinningTickets((address,address,uint256,uint256,uint256,bytes32,bytes)[],"
           "bytes[],uint256[])",
           {Value::of_list(std::move(tickets)), Value::of_list(std::move(sigs)),
            Value::of_list(std::move(rands))});
  // Enough for every ticket to pay out; a redemption costs well under this.
  c.min_gas = 100000 + 400000 * ts.size();
  return c;
}

Query<pm::SenderInfo> TicketBroker::get_sender_info(const Address &sender) const {
  return query<pm::SenderInfo>(at_, kK, "getSenderInfo(address)", {a(sender)},
                               [](const std::vector<Value> &v) {
                                 const Value::List &s = v.at(0).as_list();
                                 const Value::List &r = v.at(1).as_list();
                                 pm::SenderInfo info;
                                 info.deposit = s.at(0).as_uint();
                                 info.withdraw_round = s.at(1).as_uint();
                                 info.reserve.funds_remaining = r.at(0).as_uint();
                                 info.reserve.claimed_in_current_round = r.at(1).as_uint();
                                 return info;
                               });
}
Query<U256> TicketBroker::claimable_reserve(const Address &holder, const Address &claimant) const {
  return uint_query(at_, kK, "claimableReserve(address,address)", {a(holder), a(claimant)});
}
Query<U256> TicketBroker::claimed_reserve(const Address &holder, const Address &claimant) const {
  return uint_query(at_, kK, "claimedReserve(address,address)", {a(holder), a(claimant)});
}
Query<bool> TicketBroker::used_tickets(const Hash32 &hash) const {
  return bool_query(at_, kK, "usedTickets(bytes32)", {b32(hash)});
}
Query<Hash32> TicketBroker::get_ticket_hash(const pm::Ticket &t) const {
  return hash_query(at_, kK,
                    "getTicketHash((address,address,uint256,uint256,uint256,bytes32,bytes))",
                    {ticket_tuple(t)});
}
Query<U256> TicketBroker::unlock_period() const {
  return uint_query(at_, kK, "unlockPeriod()");
}
Query<U256> TicketBroker::ticket_validity_period() const {
  return uint_query(at_, kK, "ticketValidityPeriod()");
}
Query<bool> TicketBroker::is_unlock_in_progress(const Address &sender) const {
  return bool_query(at_, kK, "isUnlockInProgress(address)", {a(sender)});
}

// ---- RoundsManager ----

Call RoundsManager::initialize_round() const {
  return call(at_, kR, "initializeRound()", {});
}
Query<U256> RoundsManager::current_round() const {
  return uint_query(at_, kR, "currentRound()");
}
Query<bool> RoundsManager::current_round_initialized() const {
  return bool_query(at_, kR, "currentRoundInitialized()");
}
Query<bool> RoundsManager::current_round_locked() const {
  return bool_query(at_, kR, "currentRoundLocked()");
}
Query<Hash32> RoundsManager::block_hash_for_round(const U256 &round) const {
  return hash_query(at_, kR, "blockHashForRound(uint256)", {u(round)});
}
Query<U256> RoundsManager::last_initialized_round() const {
  return uint_query(at_, kR, "lastInitializedRound()");
}
Query<U256> RoundsManager::current_round_start_block() const {
  return uint_query(at_, kR, "currentRoundStartBlock()");
}
Query<U256> RoundsManager::round_length() const {
  return uint_query(at_, kR, "roundLength()");
}
Query<U256> RoundsManager::round_lock_amount() const {
  return uint_query(at_, kR, "roundLockAmount()");
}

// ---- ServiceRegistry, Minter ----

Call ServiceRegistry::set_service_uri(const std::string &uri) const {
  return call(at_, kS, "setServiceURI(string)", {Value::of_string(uri)});
}
Query<std::string> ServiceRegistry::get_service_uri(const Address &addr) const {
  return query<std::string>(at_, kS, "getServiceURI(address)", {a(addr)},
                            [](const std::vector<Value> &v) { return v.at(0).as_string(); });
}

Query<U256> Minter::current_mintable_tokens() const {
  return uint_query(at_, kM, "currentMintableTokens()");
}

}  // namespace lp::chain
