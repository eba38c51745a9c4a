// Staking on the deployed contracts through the node's bindings and transaction manager: an
// orchestrator registers, a delegator bonds to it, round rewards and ticket fees accrue to
// both by stake and commission, earnings are claimed, fees withdrawn, stake unbonded and
// withdrawn after the unbonding period, and rebonded.
#include <gmpxx.h>

#include "chain_fixture.h"

namespace lp {
namespace {

using chain::ChainError;
using eth::U256;
using test::ether_milli;
using test::lpt;

constexpr uint64_t kPercent = 10000;  // of Livepeer's 1,000,000

class Staking : public test::ChainTest {
 protected:
  // A registered orchestrator with `stake` LPT bonded to itself.
  std::unique_ptr<chain::TxManager> orchestrator(const U256 &stake, uint64_t reward_cut_pct,
                                                 uint64_t fee_share_pct) {
    auto key = new_account(ether_milli(10000), stake);
    auto o = manager(key);
    bond(*o, stake, o->address());
    send(*o, bonding().transcoder(U256(reward_cut_pct * kPercent), U256(fee_share_pct * kPercent)));
    return o;
  }
  U256 fee_cost(const eth::Receipt &r) { return U256(r.gas_used) * *r.effective_gas_price; }
};

TEST_F(Staking, RegisteringJoinsThePoolAndActivatesNextRound) {
  auto o = orchestrator(lpt(1000), 10, 50);
  U256 round = current_round();
  EXPECT_EQ(read(bonding().get_transcoder_pool_size()), U256(1));
  EXPECT_EQ(read(bonding().get_first_transcoder_in_pool()), o->address());
  chain::Transcoder t = read(bonding().get_transcoder(o->address()));
  EXPECT_EQ(t.activation_round, round + 1);
  EXPECT_EQ(t.reward_cut, U256(10 * kPercent));
  EXPECT_EQ(t.fee_share, U256(50 * kPercent));
  EXPECT_FALSE(read(bonding().is_active_transcoder(o->address())));
  ChainError e = send_fails(*o, bonding().reward());
  EXPECT_EQ(e.revert_reason, "transcoder must be active");

  next_round();
  EXPECT_TRUE(read(bonding().is_active_transcoder(o->address())));
  EXPECT_EQ(read(bonding().get_total_bonded()), lpt(1000));
  EXPECT_EQ(read(bonding().transcoder_total_stake(o->address())), lpt(1000));
}

TEST_F(Staking, PoolIsSortedByStake) {
  auto small = orchestrator(lpt(100), 0, 100);
  auto big = orchestrator(lpt(300), 0, 100);
  auto mid = orchestrator(lpt(200), 0, 100);
  EXPECT_EQ(read(bonding().get_transcoder_pool_size()), U256(3));
  crypto::Address first = read(bonding().get_first_transcoder_in_pool());
  crypto::Address second = read(bonding().get_next_transcoder_in_pool(first));
  crypto::Address third = read(bonding().get_next_transcoder_in_pool(second));
  EXPECT_EQ(first, big->address());
  EXPECT_EQ(second, mid->address());
  EXPECT_EQ(third, small->address());
  EXPECT_TRUE(read(bonding().get_next_transcoder_in_pool(third)).is_zero());
}

// The whole cycle with exact figures: O bonds 1000 LPT to itself (10% reward cut, 50% fee
// share), D bonds 500 LPT to O; the round's 1000 LPT reward and a 0.1 ETH ticket are shared.
TEST_F(Staking, RewardsAndFeesAccrueThenAreClaimedAndWithdrawn) {
  auto o = orchestrator(lpt(1000), 10, 50);
  auto d_key = new_account(ether_milli(10000), lpt(500));
  auto d = manager(d_key);
  bond(*d, lpt(500), o->address());
  chain::Delegator dd = read(bonding().get_delegator(d->address()));
  EXPECT_EQ(dd.bonded_amount, lpt(500));
  EXPECT_EQ(dd.delegate_address, o->address());
  EXPECT_EQ(dd.start_round, current_round() + 1);
  EXPECT_EQ(read(bonding().get_delegator(o->address())).delegated_amount, lpt(1500));
  EXPECT_EQ(read(bonding().pending_stake(d->address(), U256())), lpt(500));

  next_round();
  send(*o, bonding().reward());
  ChainError again = send_fails(*o, bonding().reward());
  EXPECT_EQ(again.revert_reason, "caller has already called reward for the current round");
  // 1000 LPT minted on 1500 active: 100 commission; 900 shared 1000:500 (600 and 300).
  EXPECT_EQ(read(bonding().pending_stake(o->address(), U256())), lpt(1700));
  EXPECT_EQ(read(bonding().pending_stake(d->address(), U256())), lpt(800));
  EXPECT_EQ(read(bonding().transcoder_total_stake(o->address())), lpt(2500));

  // A broadcaster pays O a 0.1 ETH winning ticket out of its deposit.
  auto b_key = new_account(ether_milli(10000));
  auto b = manager(b_key);
  send(*b, broker().fund_deposit(ether_milli(1000)));
  U256 round = current_round();
  Hash32 round_hash = read(rounds().block_hash_for_round(round));
  U256 face = ether_milli(100);
  pm::SignedTicket ticket = test::winning_ticket(b_key, o->address(), face, 1, round, round_hash);
  send(*o, broker().redeem_winning_ticket(ticket));
  EXPECT_EQ(read(broker().get_sender_info(b->address())).deposit, ether_milli(900));
  U256 o_fees = read(bonding().pending_fees(o->address(), U256()));
  U256 d_fees = read(bonding().pending_fees(d->address(), U256()));
  // 0.05 ETH commission; 0.05 shared 1000:500 on the round's starting stake.
  mpz_class half = face.mpz() / 2;
  mpz_class d_share = half / 3;
  EXPECT_LE(mpz_class(abs(d_fees.mpz() - d_share)), 2) << d_fees.to_dec();
  EXPECT_LE(mpz_class(abs(o_fees.mpz() - (half + 2 * d_share))), 2) << o_fees.to_dec();
  EXPECT_LE(o_fees + d_fees, face);
  EXPECT_LE(mpz_class(face.mpz() - (o_fees + d_fees).mpz()), 2);

  // Claiming moves pending stake and fees into the delegator record.
  send(*d, bonding().claim_earnings(current_round()));
  dd = read(bonding().get_delegator(d->address()));
  EXPECT_EQ(dd.bonded_amount, lpt(800));
  EXPECT_EQ(dd.fees, d_fees);
  EXPECT_EQ(dd.last_claim_round, current_round());

  // Fees leave as ETH, no more than there are.
  ChainError too_much = send_fails(*d, bonding().withdraw_fees(d->address(), d_fees + U256(1)));
  EXPECT_EQ(too_much.revert_reason, "insufficient fees to withdraw");
  U256 before = eth_balance(d->address());
  eth::Receipt r = send(*d, bonding().withdraw_fees(d->address(), d_fees));
  EXPECT_EQ(eth_balance(d->address()), before + d_fees - fee_cost(r));
  EXPECT_TRUE(read(bonding().get_delegator(d->address())).fees.is_zero());

  // O's commission is claimed automatically by its next operation.
  U256 o_before = eth_balance(o->address());
  eth::Receipt ro = send(*o, bonding().withdraw_fees(o->address(), o_fees));
  EXPECT_EQ(eth_balance(o->address()), o_before + o_fees - fee_cost(ro));
  EXPECT_EQ(read(bonding().get_delegator(o->address())).bonded_amount, lpt(1700));

  // The next round's reward compounds: O's 2500 now includes the 100 commission, whose share
  // of the delegators' 900 (36) goes to O as well.
  next_round();
  send(*o, bonding().reward());
  EXPECT_EQ(read(bonding().pending_stake(d->address(), U256())), lpt(800 + 800 * 900 / 2500));
  EXPECT_EQ(read(bonding().pending_stake(o->address(), U256())) +
                read(bonding().pending_stake(d->address(), U256())),
            lpt(3500));
}

TEST_F(Staking, UnbondWaitsTheUnbondingPeriodBeforeWithdrawal) {
  auto o = orchestrator(lpt(1000), 0, 100);
  auto d_key = new_account(ether_milli(10000), lpt(500));
  auto d = manager(d_key);
  bond(*d, lpt(500), o->address());
  // Pending until the next round: nothing to unbond yet.
  EXPECT_EQ(send_fails(*d, bonding().unbond(lpt(1))).revert_reason, "caller must be bonded");
  next_round();
  EXPECT_EQ(send_fails(*d, bonding().unbond(lpt(501))).revert_reason,
            "amount is greater than bonded amount");
  EXPECT_EQ(send_fails(*d, bonding().unbond(U256())).revert_reason,
            "unbond amount must be greater than 0");

  U256 round = current_round();
  send(*d, bonding().unbond(lpt(300)));
  chain::UnbondingLock lock = read(bonding().get_delegator_unbonding_lock(d->address(), U256()));
  EXPECT_EQ(lock.amount, lpt(300));
  EXPECT_EQ(lock.withdraw_round, round + deploy_config().unbonding_period);
  EXPECT_EQ(read(bonding().get_delegator(d->address())).bonded_amount, lpt(200));
  EXPECT_EQ(read(bonding().get_delegator(d->address())).next_unbonding_lock_id, U256(1));
  EXPECT_EQ(read(bonding().transcoder_total_stake(o->address())), lpt(1200));

  ChainError early = send_fails(*d, bonding().withdraw_stake(U256()));
  EXPECT_EQ(early.revert_reason, "withdraw round must be before or equal to the current round");
  EXPECT_EQ(send_fails(*d, bonding().withdraw_stake(U256(7))).revert_reason,
            "invalid unbonding lock ID");

  next_round(deploy_config().unbonding_period);
  U256 lpt_before = read(token().balance_of(d->address()));
  send(*d, bonding().withdraw_stake(U256()));
  EXPECT_EQ(read(token().balance_of(d->address())), lpt_before + lpt(300));
  // A lock is used once.
  EXPECT_EQ(send_fails(*d, bonding().withdraw_stake(U256())).revert_reason,
            "invalid unbonding lock ID");
}

TEST_F(Staking, RebondToTheSameOrAnotherDelegate) {
  auto o = orchestrator(lpt(1000), 0, 100);
  auto o2 = orchestrator(lpt(100), 0, 100);
  auto d_key = new_account(ether_milli(10000), lpt(500));
  auto d = manager(d_key);
  bond(*d, lpt(500), o->address());
  next_round();

  send(*d, bonding().unbond(lpt(200)));
  EXPECT_EQ(read(bonding().transcoder_total_stake(o->address())), lpt(1300));
  send(*d, bonding().rebond(U256()));
  EXPECT_EQ(read(bonding().get_delegator(d->address())).bonded_amount, lpt(500));
  EXPECT_EQ(read(bonding().transcoder_total_stake(o->address())), lpt(1500));
  EXPECT_EQ(send_fails(*d, bonding().rebond(U256())).revert_reason, "invalid unbonding lock ID");

  // Unbonding everything leaves no delegate; rebonding then names one.
  send(*d, bonding().unbond(lpt(500)));
  chain::Delegator dd = read(bonding().get_delegator(d->address()));
  EXPECT_TRUE(dd.delegate_address.is_zero());
  EXPECT_EQ(send_fails(*d, bonding().rebond(U256(1))).revert_reason, "caller must be bonded");
  send(*d, bonding().rebond_from_unbonded(o2->address(), U256(1)));
  dd = read(bonding().get_delegator(d->address()));
  EXPECT_EQ(dd.delegate_address, o2->address());
  EXPECT_EQ(dd.bonded_amount, lpt(500));
  EXPECT_EQ(read(bonding().transcoder_total_stake(o2->address())), lpt(600));
  // O2 now has less than O but more than before: the pool keeps its order.
  EXPECT_EQ(read(bonding().get_first_transcoder_in_pool()), o->address());
}

TEST_F(Staking, TranscoderRulesRevertWithLivepeersReasons) {
  auto key = new_account(ether_milli(10000), lpt(10));
  auto x = manager(key);
  EXPECT_EQ(send_fails(*x, bonding().transcoder(U256(), U256())).revert_reason,
            "transcoder must be registered");
  bond(*x, lpt(10), x->address());
  EXPECT_EQ(send_fails(*x, bonding().transcoder(U256(1000001), U256())).revert_reason,
            "invalid rewardCut percentage");
  EXPECT_EQ(send_fails(*x, bonding().transcoder(U256(), U256(1000001))).revert_reason,
            "invalid feeShare percentage");
  send(*x, bonding().transcoder(U256(5 * kPercent), U256(50 * kPercent)));
  next_round();
  // Active transcoders change their rates only after calling reward in the round.
  EXPECT_EQ(send_fails(*x, bonding().transcoder(U256(), U256())).revert_reason,
            "caller can't be active or must have already called reward for the current round");
  send(*x, bonding().reward());
  send(*x, bonding().transcoder(U256(), U256()));
  // A registered transcoder cannot delegate elsewhere.
  auto other = orchestrator(lpt(10), 0, 0);
  EXPECT_EQ(send_fails(*x, bonding().bond(U256(), other->address())).revert_reason,
            "registered transcoders can't delegate towards other addresses");
  // Fees come from the TicketBroker only.
  EXPECT_EQ(send_fails(*x, chain::Call{contracts().bonding_manager,
                                       eth::abi::Function::parse(
                                           "updateTranscoderWithFees(address,uint256,uint256)")
                                           .encode_call({eth::abi::Value::of_address(x->address()),
                                                         eth::abi::Value::of_uint(U256(1)),
                                                         eth::abi::Value::of_uint(U256(1))}),
                                       U256(), "updateTranscoderWithFees"})
                .revert_reason,
            "caller must be TicketBroker");
}

TEST_F(Staking, AFullPoolEvictsTheSmallestStake) {
  // Only the Controller's owner sets the active set size.
  eth::abi::Function set_size = eth::abi::Function::parse("setNumActiveTranscoders(uint256)");
  chain::Call two{contracts().bonding_manager,
                  set_size.encode_call({eth::abi::Value::of_uint(U256(2))}), U256(),
                  "setNumActiveTranscoders"};
  auto o1 = orchestrator(lpt(100), 0, 0);
  EXPECT_EQ(send_fails(*o1, two).revert_reason, "caller must be Controller owner");
  send(deployer(), two);
  EXPECT_EQ(read(bonding().get_transcoder_pool_max_size()), U256(2));
  auto o2 = orchestrator(lpt(200), 0, 0);
  next_round();
  // Too small to enter a full pool: registered, but not in the pool.
  auto small = orchestrator(lpt(50), 0, 0);
  EXPECT_EQ(read(bonding().get_transcoder_pool_size()), U256(2));
  EXPECT_TRUE(read(bonding().get_transcoder(small->address())).activation_round.is_zero());
  EXPECT_EQ(read(bonding().get_first_transcoder_in_pool()), o2->address());
  EXPECT_EQ(read(bonding().get_next_transcoder_in_pool(o2->address())), o1->address());
  // Larger than the smallest member: takes its place from the next round.
  auto big = orchestrator(lpt(300), 0, 0);
  EXPECT_EQ(read(bonding().get_transcoder_pool_size()), U256(2));
  EXPECT_EQ(read(bonding().get_first_transcoder_in_pool()), big->address());
  EXPECT_EQ(read(bonding().get_next_transcoder_in_pool(big->address())), o2->address());
  U256 round = current_round();
  EXPECT_EQ(read(bonding().get_transcoder(o1->address())).deactivation_round, round + 1);
  EXPECT_TRUE(read(bonding().is_active_transcoder(o1->address())));
  next_round();
  EXPECT_FALSE(read(bonding().is_active_transcoder(o1->address())));
  EXPECT_TRUE(read(bonding().is_active_transcoder(big->address())));
  EXPECT_EQ(read(bonding().get_total_bonded()), lpt(500));
}

TEST_F(Staking, HintVariantsIgnoreTheirHints) {
  auto key = new_account(ether_milli(10000), lpt(20));
  auto o = manager(key);
  crypto::Address junk = crypto::PrivateKey::generate().address();
  auto a = [](const crypto::Address &x) { return eth::abi::Value::of_address(x); };
  auto u = [](const U256 &x) { return eth::abi::Value::of_uint(x); };
  auto call = [&](const char *sig, std::vector<eth::abi::Value> args) {
    return chain::Call{contracts().bonding_manager,
                       eth::abi::Function::parse(sig).encode_call(args), U256(), sig};
  };
  send(*o, token().approve(contracts().bonding_manager, lpt(20)));
  send(*o, call("bondWithHint(uint256,address,address,address,address,address)",
                {u(lpt(20)), a(o->address()), a(junk), a(junk), a(junk), a(junk)}));
  send(*o, call("transcoderWithHint(uint256,uint256,address,address)",
                {u(U256(1000)), u(U256(2000)), a(junk), a(junk)}));
  next_round();
  // Each round makes a fixed number of LPT mintable, shared by stake.
  EXPECT_EQ(read(chain::Minter(contracts().minter).current_mintable_tokens()),
            deploy_config().reward_per_round);
  send(*o, call("rewardWithHint(address,address)", {a(junk), a(junk)}));
  send(*o, call("unbondWithHint(uint256,address,address)", {u(lpt(1)), a(junk), a(junk)}));
  send(*o, call("rebondWithHint(uint256,address,address)", {u(U256()), a(junk), a(junk)}));
  EXPECT_EQ(read(bonding().transcoder_total_stake(o->address())),
            lpt(20) + deploy_config().reward_per_round);
}

TEST_F(Staking, FullSelfUnbondDeactivatesNextRound) {
  auto o = orchestrator(lpt(100), 0, 100);
  next_round();
  send(*o, bonding().reward());
  U256 stake = read(bonding().get_delegator(o->address())).bonded_amount;
  send(*o, bonding().unbond(read(bonding().pending_stake(o->address(), U256()))));
  EXPECT_TRUE(read(bonding().get_delegator(o->address())).bonded_amount.is_zero());
  EXPECT_GT(read(bonding().get_delegator_unbonding_lock(o->address(), U256())).amount, stake);
  EXPECT_EQ(read(bonding().get_transcoder_pool_size()), U256());
  EXPECT_TRUE(read(bonding().is_active_transcoder(o->address())));  // until the round ends
  next_round();
  EXPECT_FALSE(read(bonding().is_active_transcoder(o->address())));
}

}  // namespace
}  // namespace lp
