// Deployment: every contract is registered in the Controller under Livepeer's name, the first
// round is initialized, and the deployer holds the LPT supply.
#include "chain_fixture.h"

namespace lp {
namespace {

using chain::ChainError;
using test::ChainTest;

class Deploy : public ChainTest {};

TEST_F(Deploy, ControllerResolvesEveryContract) {
  auto r = test::await_chain<chain::ContractAddresses>(
      [&](chain::Callback<chain::ContractAddresses> cb) {
        chain::resolve_contracts(reader(), contracts().controller, cb);
      });
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value().bonding_manager, contracts().bonding_manager);
  EXPECT_EQ(r.value().ticket_broker, contracts().ticket_broker);
  EXPECT_EQ(r.value().rounds_manager, contracts().rounds_manager);
  EXPECT_EQ(r.value().token, contracts().token);
  EXPECT_EQ(r.value().service_registry, contracts().service_registry);
  EXPECT_EQ(r.value().minter, contracts().minter);
  EXPECT_FALSE(read(chain::Controller(contracts().controller).paused()));
}

TEST_F(Deploy, FirstRoundIsInitializedWithABlockHash) {
  EXPECT_TRUE(read(rounds().current_round_initialized()));
  eth::U256 round = current_round();
  EXPECT_EQ(read(rounds().last_initialized_round()), round);
  Hash32 h = read(rounds().block_hash_for_round(round));
  EXPECT_FALSE(is_all_zero(h));
  EXPECT_EQ(read(rounds().round_length()), eth::U256(deploy_config().round_length));
}

TEST_F(Deploy, DeployerHoldsTheSupply) {
  EXPECT_EQ(read(token().balance_of(deployer().address())), deploy_config().initial_supply);
}

TEST_F(Deploy, RoundsAdvanceByMining) {
  eth::U256 before = current_round();
  next_round();
  EXPECT_EQ(current_round(), before + 1);
  EXPECT_TRUE(read(rounds().current_round_initialized()));
  ChainError e = send_fails(deployer(), rounds().initialize_round());
  EXPECT_EQ(e.kind, ChainError::Kind::kRevert);
  EXPECT_EQ(e.revert_reason, "round already initialized");
}

TEST_F(Deploy, PausingTheControllerStopsTheProtocol) {
  chain::Call pause{contracts().controller, eth::abi::Function::parse("pause()").encode_call({}),
                    eth::U256(), "pause"};
  chain::Call unpause{contracts().controller,
                      eth::abi::Function::parse("unpause()").encode_call({}), eth::U256(),
                      "unpause"};
  send(deployer(), pause);
  EXPECT_TRUE(read(chain::Controller(contracts().controller).paused()));
  EXPECT_EQ(send_fails(deployer(), broker().fund_deposit(eth::U256(1))).revert_reason,
            "system is paused");
  EXPECT_EQ(
      send_fails(deployer(), bonding().bond(eth::U256(1), deployer().address())).revert_reason,
      "system is paused");
  send(deployer(), unpause);
  send(deployer(), broker().fund_deposit(eth::U256(1)));
  // Only the owner may pause.
  auto other = manager(new_account(test::ether_milli(1000)));
  EXPECT_EQ(send_fails(*other, pause).revert_reason, "caller must be owner");
}

TEST_F(Deploy, AControllerWithoutContractsIsReportedByName) {
  auto r = test::await_chain<chain::ContractAddresses>(
      [&](chain::Callback<chain::ContractAddresses> cb) {
        // The token is a contract but no Controller: every lookup fails to decode.
        chain::resolve_contracts(reader(), contracts().token, cb);
      });
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("Controller"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace lp
