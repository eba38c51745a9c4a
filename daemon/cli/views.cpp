#include "cli/views.h"

#include "util/json.h"

namespace lp::cli {

using eth::U256;

JsonNodePtr Views::round() {
  json::ObjectWriter w;
  w.set("currentRound", read(rm().current_round()).to_dec())
      .set("initialized", read(rm().current_round_initialized()))
      .set("lastInitializedRound", read(rm().last_initialized_round()).to_dec())
      .set("startBlock", read(rm().current_round_start_block()).to_dec())
      .set("roundLength", read(rm().round_length()).to_dec())
      .set("locked", read(rm().current_round_locked()));
  return w.node();
}

JsonNodePtr Views::sender(const crypto::Address &who) {
  pm::SenderInfo info = read(tb().get_sender_info(who));
  U256 round = read(rm().current_round());
  json::ObjectWriter reserve;
  reserve.set("fundsRemaining", info.reserve.funds_remaining.to_dec())
      .set("claimedInCurrentRound", info.reserve.claimed_in_current_round.to_dec());
  json::ObjectWriter w;
  w.set("address", who.checksummed())
      .set("deposit", info.deposit.to_dec())
      .set("reserve", reserve.node())
      .set("withdrawRound", info.withdraw_round.to_dec())
      .set("unlockInProgress", !info.withdraw_round.is_zero())
      .set("withdrawable", !info.withdraw_round.is_zero() && round >= info.withdraw_round)
      .set("currentRound", round.to_dec());
  return w.node();
}

JsonNodePtr Views::delegator(const crypto::Address &who) {
  chain::Delegator d = read(bm().get_delegator(who));
  U256 round = read(rm().current_round());
  std::string status = d.bonded_amount.is_zero() ? "Unbonded"
                       : d.start_round > round   ? "Pending"
                                                 : "Bonded";
  std::vector<JsonNodePtr> locks;
  for (U256 id; id < d.next_unbonding_lock_id; id = id + U256(1)) {
    chain::UnbondingLock l = read(bm().get_delegator_unbonding_lock(who, id));
    if (l.withdraw_round.is_zero()) {
      continue;  // withdrawn or rebonded
    }
    json::ObjectWriter lw;
    lw.set("id", id.to_dec())
        .set("amount", l.amount.to_dec())
        .set("withdrawRound", l.withdraw_round.to_dec())
        .set("withdrawable", round >= l.withdraw_round);
    locks.push_back(lw.node());
  }
  json::ObjectWriter w;
  w.set("address", who.checksummed())
      .set("status", status)
      .set("bondedAmount", d.bonded_amount.to_dec())
      .set("fees", d.fees.to_dec())
      .set("delegateAddress", d.delegate_address.checksummed())
      .set("delegatedAmount", d.delegated_amount.to_dec())
      .set("startRound", d.start_round.to_dec())
      .set("lastClaimRound", d.last_claim_round.to_dec())
      .set("nextUnbondingLockId", d.next_unbonding_lock_id.to_dec())
      .set("pendingStake", read(bm().pending_stake(who, round)).to_dec())
      .set("pendingFees", read(bm().pending_fees(who, round)).to_dec())
      .set("unbondingLocks", array_node(std::move(locks)))
      .set("currentRound", round.to_dec());
  return w.node();
}

JsonNodePtr Views::transcoder(const crypto::Address &who) {
  chain::Transcoder t = read(bm().get_transcoder(who));
  chain::Delegator d = read(bm().get_delegator(who));
  chain::ServiceRegistry sr(c_.service_registry);
  json::ObjectWriter w;
  w.set("address", who.checksummed())
      .set("registered", d.delegate_address == who && !d.bonded_amount.is_zero())
      .set("active", read(bm().is_active_transcoder(who)))
      .set("totalStake", read(bm().transcoder_total_stake(who)).to_dec())
      .set("rewardCut", t.reward_cut.to_dec())
      .set("feeShare", t.fee_share.to_dec())
      .set("lastRewardRound", t.last_reward_round.to_dec())
      .set("activationRound", t.activation_round.to_dec())
      .set("deactivationRound", t.deactivation_round == U256::max() ? std::string("none")
                                                                    : t.deactivation_round.to_dec())
      .set("serviceURI", read(sr.get_service_uri(who)));
  return w.node();
}

JsonNodePtr Views::pool() {
  U256 size = read(bm().get_transcoder_pool_size());
  std::vector<JsonNodePtr> list;
  crypto::Address next = read(bm().get_first_transcoder_in_pool());
  for (U256 i; i < size && !next.is_zero(); i = i + U256(1)) {
    list.push_back(transcoder(next));
    next = read(bm().get_next_transcoder_in_pool(next));
  }
  json::ObjectWriter w;
  w.set("poolSize", size.to_dec())
      .set("poolMaxSize", read(bm().get_transcoder_pool_max_size()).to_dec())
      .set("totalBonded", read(bm().get_total_bonded()).to_dec())
      .set("orchestrators", array_node(std::move(list)));
  return w.node();
}

U256 Views::eth_balance(const crypto::Address &who) {
  return a_.await<U256>([&](chain::Callback<U256> cb) {
    JsonArray *arr = json_array_new();
    json_array_add_string_element(arr, who.lower_hex().c_str());
    json_array_add_string_element(arr, "latest");
    JsonNode *p = json_node_alloc();
    json_node_take_array(json_node_init(p, JSON_NODE_ARRAY), arr);
    reader_.rpc().call("eth_getBalance", JsonNodePtr(p), [cb](eth::RpcResult<JsonNodePtr> r) {
      if (!r.ok()) {
        cb(chain::ChainError::from_rpc(r.error(), "eth_getBalance"));
        return;
      }
      try {
        cb(eth::quantity_from_json(r.value().get(), "balance"));
      } catch (const Error &e) {
        cb(chain::ChainError::make(chain::ChainError::Kind::kMalformed, e.what()));
      }
    });
  });
}

}  // namespace lp::cli
