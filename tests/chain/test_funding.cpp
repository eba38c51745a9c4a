// A broadcaster's deposit and reserve on the TicketBroker: funding, unlocking, cancelling,
// withdrawing after the unlock period (and not before), with the events the node watches.
#include "chain/events.h"
#include "chain_fixture.h"

namespace lp {
namespace {

using chain::ChainError;
using eth::U256;
using test::ether_milli;

class Funding : public test::ChainTest {
 protected:
  // The decoded protocol events of a receipt, by name.
  std::vector<chain::events::ChainEvent> events_of(const eth::Receipt &r) {
    std::vector<chain::events::ChainEvent> out;
    for (const eth::Log &log : r.logs) {
      if (auto ev = chain::events::decode(log)) {
        out.push_back(*ev);
      }
    }
    return out;
  }
  bool has_event(const eth::Receipt &r, const std::string &name) {
    for (const auto &ev : events_of(r)) {
      if (ev.name == name) {
        return true;
      }
    }
    return false;
  }
};

TEST_F(Funding, DepositAndReserveAreFundedAndReported) {
  auto key = new_account(ether_milli(10000));
  auto b = manager(key);
  eth::Receipt r = send(*b, broker().fund_deposit_and_reserve(ether_milli(300), ether_milli(200)));
  pm::SenderInfo info = read(broker().get_sender_info(b->address()));
  EXPECT_EQ(info.deposit, ether_milli(300));
  EXPECT_EQ(info.reserve.funds_remaining, ether_milli(200));
  EXPECT_TRUE(info.withdraw_round.is_zero());
  EXPECT_TRUE(info.reserve.claimed_in_current_round.is_zero());
  auto evs = events_of(r);
  ASSERT_EQ(evs.size(), 2u);
  for (const auto &ev : evs) {
    EXPECT_EQ(ev.kind, chain::events::ChainEvent::Kind::kSenderFunds);
    EXPECT_EQ(ev.subject, b->address());
    EXPECT_EQ(ev.values.at(1).as_uint(),
              ev.name == "DepositFunded" ? ether_milli(300) : ether_milli(200));
  }

  send(*b, broker().fund_deposit(ether_milli(50)));
  send(*b, broker().fund_reserve(ether_milli(25)));
  info = read(broker().get_sender_info(b->address()));
  EXPECT_EQ(info.deposit, ether_milli(350));
  EXPECT_EQ(info.reserve.funds_remaining, ether_milli(225));

  // The value sent must be the sum of the two amounts.
  chain::Call bad = broker().fund_deposit_and_reserve(ether_milli(1), ether_milli(1));
  bad.value = ether_milli(3);
  EXPECT_EQ(send_fails(*b, bad).revert_reason,
            "msg.value does not equal sum of deposit amount and reserve amount");
}

TEST_F(Funding, UnlockCancelUnlockAgainThenWithdrawAfterThePeriod) {
  auto key = new_account(ether_milli(10000));
  auto b = manager(key);
  EXPECT_EQ(send_fails(*b, broker().unlock()).revert_reason, "sender deposit and reserve are zero");
  send(*b, broker().fund_deposit_and_reserve(ether_milli(300), ether_milli(200)));

  U256 round = current_round();
  eth::Receipt r = send(*b, broker().unlock());
  ASSERT_TRUE(has_event(r, "Unlock"));
  U256 withdraw_round = round + deploy_config().unlock_period;
  EXPECT_EQ(read(broker().get_sender_info(b->address())).withdraw_round, withdraw_round);
  EXPECT_TRUE(read(broker().is_unlock_in_progress(b->address())));
  EXPECT_EQ(send_fails(*b, broker().unlock()).revert_reason, "unlock already initiated");

  r = send(*b, broker().cancel_unlock());
  EXPECT_TRUE(has_event(r, "UnlockCancelled"));
  EXPECT_FALSE(read(broker().is_unlock_in_progress(b->address())));
  EXPECT_EQ(send_fails(*b, broker().cancel_unlock()).revert_reason,
            "no unlock request in progress");
  EXPECT_EQ(send_fails(*b, broker().withdraw()).revert_reason, "no unlock request in progress");

  send(*b, broker().unlock());
  EXPECT_EQ(send_fails(*b, broker().withdraw()).revert_reason, "account is locked");
  next_round();
  EXPECT_EQ(send_fails(*b, broker().withdraw()).revert_reason, "account is locked");
  next_round();
  EXPECT_EQ(current_round(), withdraw_round);

  U256 before = eth_balance(b->address());
  r = send(*b, broker().withdraw());
  EXPECT_TRUE(has_event(r, "Withdrawal"));
  U256 gas = U256(r.gas_used) * *r.effective_gas_price;
  EXPECT_EQ(eth_balance(b->address()), before + ether_milli(500) - gas);
  pm::SenderInfo info = read(broker().get_sender_info(b->address()));
  EXPECT_TRUE(info.deposit.is_zero());
  EXPECT_TRUE(info.reserve.funds_remaining.is_zero());
  EXPECT_EQ(send_fails(*b, broker().withdraw()).revert_reason,
            "sender deposit and reserve are zero");
}

TEST_F(Funding, FundingDuringAnUnlockCancelsIt) {
  auto key = new_account(ether_milli(10000));
  auto b = manager(key);
  send(*b, broker().fund_deposit(ether_milli(100)));
  send(*b, broker().unlock());
  eth::Receipt r = send(*b, broker().fund_reserve(ether_milli(10)));
  EXPECT_TRUE(has_event(r, "UnlockCancelled"));
  EXPECT_TRUE(has_event(r, "ReserveFunded"));
  EXPECT_FALSE(read(broker().is_unlock_in_progress(b->address())));
}

TEST_F(Funding, ParametersAreReadable) {
  EXPECT_EQ(read(broker().unlock_period()), U256(deploy_config().unlock_period));
  EXPECT_EQ(read(broker().ticket_validity_period()), U256(deploy_config().ticket_validity_period));
}

}  // namespace
}  // namespace lp
