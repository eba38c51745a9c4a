#include "chain/deploy.h"

#include "contracts/artifacts.h"

namespace lp::chain {

namespace abi = eth::abi;

namespace {

struct Step {
  std::string description;
  std::function<Call(const Deployment &)> make;
  std::function<void(Deployment &, const eth::Receipt &)> record;
};

abi::Value uint_value(const U256 &v) {
  return abi::Value::of_uint(v);
}

// A contract whose constructor takes the Controller and then `args` (all uint256).
Step deploy_step(const std::string &name, Address ContractAddresses::*field,
                 std::vector<U256> args) {
  Step s;
  s.description = "deploy " + name;
  s.make = [name, args](const Deployment &d) {
    std::vector<abi::Type> types{abi::Type::parse("address")};
    std::vector<abi::Value> values{abi::Value::of_address(d.contracts.controller)};
    for (const U256 &a : args) {
      types.push_back(abi::Type::parse("uint256"));
      values.push_back(uint_value(a));
    }
    return deploy_call(name, contracts::get(name).bytecode(), types, values);
  };
  s.record = [name, field](Deployment &d, const eth::Receipt &r) {
    if (!r.contract_address) {
      throw Error("deploy " + name + ": the receipt has no contract address");
    }
    d.contracts.*field = *r.contract_address;
  };
  return s;
}

Step register_step(const std::string &name, Address ContractAddresses::*field) {
  Step s;
  s.description = "register " + name;
  s.make = [name, field](const Deployment &d) {
    return Controller(d.contracts.controller).set_contract_info(name, d.contracts.*field);
  };
  s.record = [](Deployment &, const eth::Receipt &) {};
  return s;
}

struct Run : std::enable_shared_from_this<Run> {
  TxManager &tx;
  std::vector<Step> steps;
  size_t next = 0;
  Deployment deployment;
  std::function<void(const std::string &)> progress;
  Callback<Deployment> done;

  explicit Run(TxManager &t) : tx(t) {}

  void step() {
    if (next == steps.size()) {
      done(deployment);
      return;
    }
    const Step &s = steps[next];
    Call call;
    try {
      call = s.make(deployment);
    } catch (const Error &e) {
      done(ChainError::make(ChainError::Kind::kMalformed, s.description + ": " + e.what()));
      return;
    }
    auto self = shared_from_this();
    tx.send(std::move(call), [self](Result<eth::Receipt> r) {
      const Step &s = self->steps[self->next];
      if (!r.ok()) {
        ChainError e = r.error();
        e.message = "deployment stopped at \"" + s.description + "\": " + e.message;
        self->done(e);
        return;
      }
      try {
        s.record(self->deployment, r.value());
      } catch (const Error &e) {
        self->done(ChainError::make(ChainError::Kind::kMalformed, e.what()));
        return;
      }
      self->deployment.transactions.push_back(r.value().transaction_hash);
      if (self->progress) {
        self->progress(s.description + " (tx " + to_hex(r.value().transaction_hash) + ")");
      }
      ++self->next;
      self->step();
    });
  }
};

}  // namespace

void deploy_protocol(TxManager &tx, const DeployConfig &config,
                     std::function<void(const std::string &)> progress, Callback<Deployment> done) {
  if (!contracts::available()) {
    // get() explains why the bytecode is missing.
    try {
      contracts::get("Controller");
    } catch (const Error &e) {
      done(ChainError::make(ChainError::Kind::kMalformed, e.what()));
      return;
    }
  }
  auto run = std::make_shared<Run>(tx);
  run->progress = std::move(progress);
  run->done = std::move(done);
  using C = ContractAddresses;
  Step controller;
  controller.description = "deploy Controller";
  controller.make = [](const Deployment &) {
    return deploy_call("Controller", contracts::get("Controller").bytecode(), {}, {});
  };
  controller.record = [](Deployment &d, const eth::Receipt &r) {
    if (!r.contract_address) {
      throw Error("deploy Controller: the receipt has no contract address");
    }
    d.contracts.controller = *r.contract_address;
  };
  run->steps.push_back(controller);
  struct Part {
    const char *name;
    Address C::*field;
    std::vector<U256> args;
  };
  std::vector<Part> parts = {
      {names::kMinter, &C::minter, {config.reward_per_round}},
      {names::kLivepeerToken, &C::token, {config.initial_supply}},
      {names::kRoundsManager,
       &C::rounds_manager,
       {U256(config.round_length), U256(config.round_lock_amount)}},
      {names::kBondingManager,
       &C::bonding_manager,
       {U256(config.unbonding_period), U256(config.num_active_transcoders)}},
      {names::kTicketBroker,
       &C::ticket_broker,
       {U256(config.unlock_period), U256(config.ticket_validity_period)}},
      {names::kServiceRegistry, &C::service_registry, {}},
  };
  for (const Part &p : parts) {
    run->steps.push_back(deploy_step(p.name, p.field, p.args));
    run->steps.push_back(register_step(p.name, p.field));
  }
  Step init;
  init.description = "initialize the first round";
  init.make = [](const Deployment &d) {
    return RoundsManager(d.contracts.rounds_manager).initialize_round();
  };
  init.record = [](Deployment &, const eth::Receipt &) {};
  run->steps.push_back(init);
  run->step();
}

}  // namespace lp::chain
