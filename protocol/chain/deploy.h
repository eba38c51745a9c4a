// Deploys a fresh protocol (protocol/contracts) from one account: the Controller, then each
// contract registered in it under Livepeer's name, then the first round initialized. The
// deployer owns the Controller and holds the whole initial LPT supply.
#pragma once

#include <vector>

#include "chain/bindings.h"
#include "chain/txmanager.h"

namespace lp::chain {

struct DeployConfig {
  U256 initial_supply = U256::parse("10000000000000000000000000");  // 10M LPT
  U256 reward_per_round = U256::parse("1000000000000000000000");    // 1000 LPT
  uint64_t round_length = 100;                                      // blocks
  uint64_t round_lock_amount = 100000;                              // 10% of a round
  uint64_t unbonding_period = 7;                                    // rounds
  uint64_t num_active_transcoders = 100;
  uint64_t unlock_period = 2;           // rounds
  uint64_t ticket_validity_period = 2;  // rounds
};

struct Deployment {
  ContractAddresses contracts;
  std::vector<Hash32> transactions;
};

// `progress` hears each step as it completes ("deployed BondingManager at 0x...").
void deploy_protocol(TxManager &tx, const DeployConfig &config,
                     std::function<void(const std::string &)> progress, Callback<Deployment> done);

}  // namespace lp::chain
