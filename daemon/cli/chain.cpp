// lp-cli's chain commands: deployment, staking, broadcaster funding and reads. Each command
// turns its flags into the parameters of a backend operation named like go-livepeer's CLI API
// endpoint (backend.h) and prints the answer for people or, with --json, as JSON for scripts.
// Connection settings come from flags or a JSON config file ({"rpc", "controller", "keystore",
// "passwordFile", "maxFee"}; relative paths are relative to the file); flags win.
#include <glib.h>

#include <iostream>

#include "cli/backend.h"
#include "cli/command.h"
#include "cli/keys.h"
#include "cli/render.h"
#include "util/json.h"

namespace lp::cli {

namespace {

std::vector<OptionSpec> connection_options() {
  return {
      {"rpc", "URL", false, "Ethereum JSON-RPC endpoint"},
      {"controller", "ADDR", false, "the protocol's Controller (lp-cli deploy prints it)"},
      {"keystore", "FILE", false, "keystore v3 file of the account (needed to send)"},
      {"password-file", "FILE", false, "file holding the keystore password"},
      {"config", "FILE", false, "JSON file with rpc, controller, keystore, passwordFile, maxFee"},
      {"max-fee", "AMOUNT", false, "never pay more per gas than this (e.g. 50gwei)"},
      {"timeout", "SECONDS", false, "give up waiting for the chain after this long (120)"},
      {"json", "", false, "print the answer as JSON"},
  };
}

std::string resolve_relative(const std::string &path, const std::string &base_dir) {
  if (path.empty() || g_path_is_absolute(path.c_str())) {
    return path;
  }
  GCharPtr full(g_build_filename(base_dir.c_str(), path.c_str(), nullptr));
  return full.get();
}

ChainOptions chain_options(const Args &args) {
  ChainOptions o;
  if (auto config = args.get("config")) {
    JsonNodePtr root;
    try {
      root = json::parse(read_file(*config, "config file"));
    } catch (const Error &e) {
      throw Error("--config " + *config + ": " + e.what());
    }
    if (!JSON_NODE_HOLDS_OBJECT(root.get())) {
      throw Error("--config " + *config + ": expected a JSON object");
    }
    json::ObjectReader r(root.get(), "");
    GCharPtr dir(g_path_get_dirname(config->c_str()));
    o.rpc = r.optional_string("rpc").value_or("");
    o.controller = r.optional_string("controller").value_or("");
    o.keystore = resolve_relative(r.optional_string("keystore").value_or(""), dir.get());
    o.password_file = resolve_relative(r.optional_string("passwordFile").value_or(""), dir.get());
    if (auto fee = r.optional_string("maxFee")) {
      o.max_fee = parse_amount(*fee, "maxFee").to_dec();
    }
  }
  if (auto v = args.get("rpc")) {
    o.rpc = *v;
  }
  if (auto v = args.get("controller")) {
    o.controller = *v;
  }
  if (auto v = args.get("keystore")) {
    o.keystore = *v;
  }
  if (auto v = args.get("password-file")) {
    o.password_file = *v;
  }
  if (auto v = args.get("max-fee")) {
    o.max_fee = parse_amount(*v, "--max-fee").to_dec();
  }
  if (auto v = args.get("timeout")) {
    uint64_t t = eth::U256::parse(*v, "--timeout").to_u64("--timeout");
    if (t == 0 || t > 86400) {
      throw Error("--timeout: between 1 and 86400 seconds");
    }
    o.timeout_s = static_cast<unsigned>(t);
  }
  return o;
}

// A flag's value mapped to a backend parameter, converted on the way.
struct Mapping {
  std::string flag;
  std::string param;
  enum class Kind { kText, kAmount, kInteger, kAddress, kPercent } kind = Kind::kText;
};

std::string convert(const Mapping &m, const std::string &value) {
  switch (m.kind) {
    case Mapping::Kind::kAmount:
      return parse_amount(value, "--" + m.flag).to_dec();
    case Mapping::Kind::kInteger:
      return eth::U256::parse(value, "--" + m.flag).to_dec();
    case Mapping::Kind::kAddress:
      return crypto::Address::parse(value, "--" + m.flag).checksummed();
    case Mapping::Kind::kPercent:
    case Mapping::Kind::kText:
      return value;
  }
  return value;
}

struct ChainCommand {
  std::string name;
  std::string endpoint;
  std::string summary;
  std::vector<OptionSpec> options;
  std::vector<Mapping> mappings;
  bool deploy = false;
};

int run_chain(const ChainCommand &c, const Args &args, Io &io) {
  Params params;
  for (const Mapping &m : c.mappings) {
    if (auto v = args.get(m.flag)) {
      params[m.param] = convert(m, *v);
    }
  }
  ChainOptions options = chain_options(args);
  std::unique_ptr<ChainBackend> backend = make_direct_backend(options);
  JsonNodePtr result;
  try {
    result = backend->call(c.endpoint, params);
  } catch (const Error &e) {
    throw Error(c.name + ": " + e.what());
  }
  if (args.has("json")) {
    io.out << json::stringify(result.get()) << "\n";
  } else {
    io.out << render_human(c.endpoint, result.get());
    if (c.deploy) {
      // Scripts take the Controller from the last line.
      io.out << json_object_get_string_member(json_node_get_object(result.get()), "controller")
             << "\n";
    }
  }
  return 0;
}

using K = Mapping::Kind;

std::vector<ChainCommand> chain_command_specs() {
  OptionSpec amount{"amount", "AMOUNT", true, "e.g. 100LPT or 0.5ETH; a bare number is wei"};
  OptionSpec address{"address", "ADDR", false, "whose (default: the keystore's account)"};
  OptionSpec lock{"lock-id", "N", true, "unbonding lock id (lp-cli delegator lists them)"};
  Mapping amount_m{"amount", "amount", K::kAmount};
  Mapping address_m{"address", "address", K::kAddress};
  Mapping lock_m{"lock-id", "unbondingLockId", K::kInteger};
  return {
      {"deploy",
       "deploy",
       "deploys a fresh protocol from the keystore's account; prints the Controller last",
       {{"round-length", "BLOCKS", false, "blocks per round (100)"},
        {"round-lock", "PERCENT", false, "lock period at the end of a round (10)"},
        {"unbonding-period", "ROUNDS", false, "rounds before unbonded stake is withdrawable (7)"},
        {"unlock-period", "ROUNDS", false, "rounds before unlocked funds are withdrawable (2)"},
        {"ticket-validity-period", "ROUNDS", false, "rounds a ticket stays redeemable (2)"},
        {"active-set-size", "N", false, "most orchestrators active at once (100)"},
        {"reward-per-round", "AMOUNT", false, "LPT minted per round (1000LPT)"},
        {"initial-supply", "AMOUNT", false, "LPT the deployer holds (10000000LPT)"}},
       {{"round-length", "roundLength", K::kInteger},
        {"round-lock", "roundLockAmount", K::kPercent},
        {"unbonding-period", "unbondingPeriod", K::kInteger},
        {"unlock-period", "unlockPeriod", K::kInteger},
        {"ticket-validity-period", "ticketValidityPeriod", K::kInteger},
        {"active-set-size", "numActiveTranscoders", K::kInteger},
        {"reward-per-round", "rewardPerRound", K::kAmount},
        {"initial-supply", "initialSupply", K::kAmount}},
       true},
      {"activate-orchestrator",
       "activateOrchestrator",
       "bonds to itself (--amount), sets reward cut and fee share, advertises the service URI",
       {{"reward-cut", "PERCENT", true, "share of rewards the orchestrator keeps"},
        {"fee-share", "PERCENT", true, "share of fees passed on to delegators"},
        {"service-uri", "URI", true, "where broadcasters reach the orchestrator"},
        {"amount", "AMOUNT", false, "LPT to bond to itself first"}},
       {{"reward-cut", "blockRewardCut", K::kPercent},
        {"fee-share", "feeShare", K::kPercent},
        {"service-uri", "serviceURI", K::kText},
        amount_m}},
      {"bond",
       "bond",
       "bonds LPT to an orchestrator (approving the BondingManager first when needed)",
       {amount, {"to", "ADDR", false, "the orchestrator (default: the current delegate)"}},
       {amount_m, {"to", "toAddr", K::kAddress}}},
      {"unbond",
       "unbond",
       "starts unbonding bonded LPT; prints the unbonding lock",
       {amount},
       {amount_m}},
      {"rebond",
       "rebond",
       "bonds an unbonding lock again (--to when the account is fully unbonded)",
       {lock, {"to", "ADDR", false, "delegate, for a fully unbonded account"}},
       {lock_m, {"to", "toAddr", K::kAddress}}},
      {"withdraw-stake",
       "withdrawStake",
       "withdraws the LPT of an unbonding lock",
       {lock},
       {lock_m}},
      {"claim-earnings",
       "claimEarnings",
       "claims rewards and fees into the account's bond",
       {{"end-round", "N", false, "kept for compatibility; earnings are claimed through now"}},
       {{"end-round", "endRound", K::kInteger}}},
      {"withdraw-fees",
       "withdrawFees",
       "withdraws earned fees as ETH",
       {{"amount", "AMOUNT", false, "default: all of them"},
        {"recipient", "ADDR", false, "default: the account"}},
       {amount_m, {"recipient", "recipient", K::kAddress}}},
      {"reward", "reward", "mints this round's reward for an active orchestrator", {}, {}},
      {"initialize-round", "initializeRound", "initializes the current round", {}, {}},
      {"fund-deposit", "fundDeposit", "adds ETH to the broadcaster deposit", {amount}, {amount_m}},
      {"fund-reserve", "fundReserve", "adds ETH to the broadcaster reserve", {amount}, {amount_m}},
      {"fund-deposit-and-reserve",
       "fundDepositAndReserve",
       "adds ETH to both in one transaction",
       {{"deposit", "AMOUNT", true, "to the deposit"},
        {"reserve", "AMOUNT", true, "to the reserve"}},
       {{"deposit", "depositAmount", K::kAmount}, {"reserve", "reserveAmount", K::kAmount}}},
      {"unlock", "unlock", "starts the unlock period of deposit and reserve", {}, {}},
      {"cancel-unlock", "cancelUnlock", "cancels an unlock in progress", {}, {}},
      {"withdraw", "withdraw", "withdraws deposit and reserve after the unlock period", {}, {}},
      {"transfer-tokens",
       "transferTokens",
       "sends LPT to another account",
       {{"to", "ADDR", true, "recipient"}, amount},
       {{"to", "to", K::kAddress}, amount_m}},
      {"status",
       "status",
       "balances, round, and the account as delegator, orchestrator and broadcaster",
       {address},
       {address_m}},
      {"sender-info",
       "senderInfo",
       "a broadcaster's deposit, reserve and unlock state",
       {address},
       {address_m}},
      {"delegator",
       "delegatorInfo",
       "a delegator's bond, earnings and unbonding locks",
       {address},
       {address_m}},
      {"transcoder",
       "transcoderInfo",
       "an orchestrator's settings, stake and service URI",
       {address},
       {address_m}},
      {"orchestrators",
       "registeredOrchestrators",
       "the orchestrator pool, largest stake first",
       {},
       {}},
      {"current-round", "currentRound", "the current round and whether it is initialized", {}, {}},
  };
}

}  // namespace

std::vector<Command> chain_commands() {
  std::vector<Command> out;
  for (const ChainCommand &c : chain_command_specs()) {
    Command cmd;
    cmd.path = {c.name};
    cmd.summary = c.summary;
    cmd.options = c.options;
    for (OptionSpec &o : connection_options()) {
      cmd.options.push_back(o);
    }
    cmd.run = [c](const Args &args, Io &io) { return run_chain(c, args, io); };
    out.push_back(std::move(cmd));
  }
  return out;
}

}  // namespace lp::cli
