// The direct chain backend: lp-cli's chain operations done in-process over JSON-RPC, with the
// account's keystore for transactions, awaiting the chain layer's calls (awaiter.h).
#include <glib.h>

#include <optional>

#include "chain/deploy.h"
#include "chain/explain.h"
#include "chain/reader.h"
#include "chain/txmanager.h"
#include "cli/awaiter.h"
#include "cli/backend.h"
#include "cli/keys.h"
#include "cli/views.h"
#include "util/json.h"

namespace lp::cli {

namespace {

using chain::ChainError;
using eth::U256;

U256 param_u256(const Params &p, const char *name, std::optional<U256> fallback = std::nullopt) {
  auto it = p.find(name);
  if (it == p.end() || it->second.empty()) {
    if (fallback) {
      return *fallback;
    }
    throw Error(std::string("missing parameter ") + name);
  }
  return U256::parse(it->second, name);
}

std::optional<std::string> param(const Params &p, const char *name) {
  auto it = p.find(name);
  if (it == p.end() || it->second.empty()) {
    return std::nullopt;
  }
  return it->second;
}

// A percentage ("10", "12.5") as Livepeer's parts per million.
U256 param_percent(const Params &p, const char *name) {
  std::string text = param(p, name).value_or("");
  if (text.empty()) {
    throw Error(std::string("missing parameter ") + name);
  }
  mpq_class q;
  size_t dot = text.find('.');
  std::string digits = text;
  size_t decimals = 0;
  if (dot != std::string::npos) {
    digits = text.substr(0, dot) + text.substr(dot + 1);
    decimals = text.size() - dot - 1;
  }
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos ||
      decimals > 4) {
    throw Error(std::string(name) +
                ": expected a percentage such as 10 or 12.5 (up to 4 decimals)");
  }
  mpz_class v(digits);
  for (size_t i = decimals; i < 4; ++i) {
    v *= 10;
  }
  if (v > 1000000) {
    throw Error(std::string(name) + ": more than 100%");
  }
  return U256::from_mpz(v);
}

JsonNodePtr tx_json(const eth::Receipt &r, const std::string &what) {
  json::ObjectWriter w;
  w.set("what", what)
      .set("hash", to_hex(r.transaction_hash))
      .set("block", static_cast<int64_t>(r.block_number))
      .set("gasUsed", static_cast<int64_t>(r.gas_used));
  return w.node();
}

class DirectBackend : public ChainBackend {
 public:
  explicit DirectBackend(ChainOptions options)
      : options_(std::move(options)), awaiter_(options_.timeout_s) {
    if (options_.rpc.empty()) {
      throw Error("no JSON-RPC endpoint: give --rpc URL (or \"rpc\" in the config file)");
    }
    rpc_ = std::make_unique<eth::RpcClient>(
        eth::RpcClient::Options{options_.rpc, std::min(options_.timeout_s, 60u) * 1000});
    reader_ = std::make_unique<chain::Reader>(*rpc_);
  }

  ~DirectBackend() override {
    // Before the awaiter pops its context: the client cancels what is left on it.
    tx_.reset();
    reader_.reset();
    rpc_.reset();
  }

  JsonNodePtr call(const std::string &endpoint, const Params &p) override {
    using Op = JsonNodePtr (DirectBackend::*)(const Params &);
    static const std::map<std::string, Op> ops = {
        {"deploy", &DirectBackend::deploy},
        {"status", &DirectBackend::status},
        {"currentRound", &DirectBackend::current_round},
        {"initializeRound", &DirectBackend::initialize_round},
        {"senderInfo", &DirectBackend::sender_info},
        {"delegatorInfo", &DirectBackend::delegator_info},
        {"transcoderInfo", &DirectBackend::transcoder_info},
        {"registeredOrchestrators", &DirectBackend::orchestrators},
        {"activateOrchestrator", &DirectBackend::activate_orchestrator},
        {"bond", &DirectBackend::bond},
        {"unbond", &DirectBackend::unbond},
        {"rebond", &DirectBackend::rebond},
        {"withdrawStake", &DirectBackend::withdraw_stake},
        {"withdrawFees", &DirectBackend::withdraw_fees},
        {"claimEarnings", &DirectBackend::claim_earnings},
        {"reward", &DirectBackend::reward},
        {"fundDeposit", &DirectBackend::fund_deposit},
        {"fundReserve", &DirectBackend::fund_reserve},
        {"fundDepositAndReserve", &DirectBackend::fund_deposit_and_reserve},
        {"unlock", &DirectBackend::unlock},
        {"cancelUnlock", &DirectBackend::cancel_unlock},
        {"withdraw", &DirectBackend::withdraw},
        {"transferTokens", &DirectBackend::transfer_tokens},
    };
    auto it = ops.find(endpoint);
    if (it == ops.end()) {
      throw Error("unknown operation " + endpoint);
    }
    return (this->*(it->second))(p);
  }

 private:
  // ---- plumbing ----

  template <typename T>
  T await(const std::function<void(chain::Callback<T>)> &start) {
    return awaiter_.await<T>(start);
  }

  template <typename T>
  T read(const chain::Query<T> &q) {
    return awaiter_.read<T>(*reader_, q);
  }

  Views views() { return Views(awaiter_, *reader_, contracts()); }

  const chain::ContractAddresses &contracts() {
    if (!contracts_) {
      if (options_.controller.empty()) {
        throw Error(
            "no Controller address: give --controller ADDR (or \"controller\" in the "
            "config file); lp-cli deploy prints it");
      }
      crypto::Address controller = crypto::Address::parse(options_.controller, "--controller");
      contracts_ =
          await<chain::ContractAddresses>([&](chain::Callback<chain::ContractAddresses> cb) {
            chain::resolve_contracts(*reader_, controller, cb);
          });
    }
    return *contracts_;
  }

  chain::TxManager &tx() {
    if (!tx_) {
      if (options_.keystore.empty() || options_.password_file.empty()) {
        throw Error(
            "this command sends a transaction: give --keystore FILE and --password-file "
            "FILE (or \"keystore\" and \"passwordFile\" in the config file)");
      }
      chain::TxConfig config;
      if (!options_.max_fee.empty()) {
        config.max_fee_cap = U256::parse(options_.max_fee, "--max-fee");
      }
      config.mine_timeout_ms = options_.timeout_s * 1000;
      config.receipt_poll_ms = 100;
      tx_ = std::make_unique<chain::TxManager>(
          *rpc_, unlock_keystore(options_.keystore, options_.password_file), config);
    }
    return *tx_;
  }

  // The account a read is about: the "address" parameter, else the keystore's.
  crypto::Address subject(const Params &p) {
    if (auto a = param(p, "address")) {
      return crypto::Address::parse(*a, "address");
    }
    if (!options_.keystore.empty()) {
      return tx().address();
    }
    throw Error("whose? give an address, or --keystore for your own");
  }

  // Sends, and on failure says why in words (from the chain's state at the time).
  eth::Receipt send(chain::Call call, const chain::ExplainContext &ctx,
                    std::vector<JsonNodePtr> &log) {
    std::string what = call.what;
    std::optional<chain::Result<eth::Receipt>> result = awaiter_.run<eth::Receipt>(
        [&](chain::Callback<eth::Receipt> cb) { tx().send(std::move(call), cb); }, 5);
    if (!result) {
      throw Error(what + ": no outcome within " + std::to_string(options_.timeout_s) + " s");
    }
    if (result->ok()) {
      log.push_back(tx_json(result->value(), what));
      return result->value();
    }
    const ChainError &e = result->error();
    std::string explanation = await<std::string>([&](chain::Callback<std::string> cb) {
      chain::explain(*reader_, contracts(), ctx, e, [cb](std::string s) { cb(std::move(s)); });
    });
    std::string message = explanation;
    if (!e.revert_reason.empty() && explanation.find(e.revert_reason) == std::string::npos) {
      message += " (the contract said: " + e.revert_reason + ")";
    }
    if (e.kind == ChainError::Kind::kTxFailed || e.kind == ChainError::Kind::kTimeout) {
      message += " [tx " + to_hex(e.tx_hash) + "]";
    }
    throw Error(message);
  }

  chain::ExplainContext context_for(const Params &p) {
    chain::ExplainContext ctx;
    ctx.account = tx().address();
    if (auto id = param(p, "unbondingLockId")) {
      ctx.lock_id = U256::parse(*id, "unbondingLockId");
    }
    if (auto a = param(p, "amount")) {
      ctx.amount = U256::parse(*a, "amount");
    }
    return ctx;
  }

  JsonNodePtr tx_result(std::vector<JsonNodePtr> log, json::ObjectWriter w = {}) {
    w.set("account", tx().address().checksummed());
    w.set("transactions", array_node(std::move(log)));
    return w.node();
  }

  // Approves the BondingManager for `amount` when the allowance is short (as go-livepeer does).
  void ensure_allowance(const U256 &amount, const chain::ExplainContext &ctx,
                        std::vector<JsonNodePtr> &log) {
    chain::LivepeerToken token(contracts().token);
    U256 allowed = read(token.allowance(tx().address(), contracts().bonding_manager));
    if (allowed < amount) {
      send(token.approve(contracts().bonding_manager, amount), ctx, log);
    }
  }

  chain::BondingManager bm() { return chain::BondingManager(contracts().bonding_manager); }
  chain::TicketBroker tb() { return chain::TicketBroker(contracts().ticket_broker); }
  chain::RoundsManager rm() { return chain::RoundsManager(contracts().rounds_manager); }

  // ---- reads ----

  // ---- reads ----

  JsonNodePtr current_round(const Params &) { return views().round(); }
  JsonNodePtr sender_info(const Params &p) { return views().sender(subject(p)); }
  JsonNodePtr delegator_info(const Params &p) { return views().delegator(subject(p)); }
  JsonNodePtr transcoder_info(const Params &p) { return views().transcoder(subject(p)); }
  JsonNodePtr orchestrators(const Params &) { return views().pool(); }

  JsonNodePtr status(const Params &p) {
    crypto::Address who = subject(p);
    Views v = views();
    json::ObjectWriter w;
    w.set("address", who.checksummed())
        .set("ethBalance", v.eth_balance(who).to_dec())
        .set("lptBalance", read(chain::LivepeerToken(contracts().token).balance_of(who)).to_dec())
        .set("round", v.round())
        .set("delegator", v.delegator(who))
        .set("orchestrator", v.transcoder(who))
        .set("broadcaster", v.sender(who))
        .set("controller", contracts().controller.checksummed());
    return w.node();
  }

  // ---- rounds ----

  JsonNodePtr initialize_round(const Params &p) {
    U256 round = read(rm().current_round());
    json::ObjectWriter w;
    w.set("round", round.to_dec());
    if (read(rm().current_round_initialized())) {
      // Nothing to do; as go-livepeer's /initializeRound, not an error.
      w.set("alreadyInitialized", true);
      w.set("account", tx().address().checksummed());
      w.set("transactions", array_node({}));
      return w.node();
    }
    std::vector<JsonNodePtr> log;
    send(rm().initialize_round(), context_for(p), log);
    w.set("alreadyInitialized", false);
    return tx_result(std::move(log), std::move(w));
  }

  // ---- staking ----

  JsonNodePtr activate_orchestrator(const Params &p) {
    U256 cut = param_percent(p, "blockRewardCut");
    U256 share = param_percent(p, "feeShare");
    std::string uri = param(p, "serviceURI").value_or("");
    if (uri.empty()) {
      throw Error("missing parameter serviceURI");
    }
    U256 amount = param_u256(p, "amount", U256());
    chain::ExplainContext ctx = context_for(p);
    std::vector<JsonNodePtr> log;
    if (!amount.is_zero()) {
      ensure_allowance(amount, ctx, log);
      send(bm().bond(amount, tx().address()), ctx, log);
    }
    send(bm().transcoder(cut, share), ctx, log);
    send(chain::ServiceRegistry(contracts().service_registry).set_service_uri(uri), ctx, log);
    chain::Transcoder t = read(bm().get_transcoder(tx().address()));
    json::ObjectWriter w;
    w.set("activationRound", t.activation_round.to_dec())
        .set("rewardCut", cut.to_dec())
        .set("feeShare", share.to_dec())
        .set("serviceURI", uri);
    return tx_result(std::move(log), std::move(w));
  }

  JsonNodePtr bond(const Params &p) {
    U256 amount = param_u256(p, "amount");
    crypto::Address to = param(p, "toAddr")
                             ? crypto::Address::parse(*param(p, "toAddr"), "toAddr")
                             : read(bm().get_delegator(tx().address())).delegate_address;
    if (to.is_zero()) {
      throw Error("bond to whom? give --to ADDR (the account is not bonded yet)");
    }
    chain::ExplainContext ctx = context_for(p);
    std::vector<JsonNodePtr> log;
    ensure_allowance(amount, ctx, log);
    send(bm().bond(amount, to), ctx, log);
    json::ObjectWriter w;
    w.set("to", to.checksummed()).set("amount", amount.to_dec());
    return tx_result(std::move(log), std::move(w));
  }

  JsonNodePtr unbond(const Params &p) {
    U256 amount = param_u256(p, "amount");
    U256 lock_id = read(bm().get_delegator(tx().address())).next_unbonding_lock_id;
    std::vector<JsonNodePtr> log;
    send(bm().unbond(amount), context_for(p), log);
    chain::UnbondingLock lock = read(bm().get_delegator_unbonding_lock(tx().address(), lock_id));
    json::ObjectWriter w;
    w.set("unbondingLockId", lock_id.to_dec())
        .set("amount", lock.amount.to_dec())
        .set("withdrawRound", lock.withdraw_round.to_dec());
    return tx_result(std::move(log), std::move(w));
  }

  JsonNodePtr rebond(const Params &p) {
    U256 id = param_u256(p, "unbondingLockId");
    chain::Delegator d = read(bm().get_delegator(tx().address()));
    std::vector<JsonNodePtr> log;
    chain::ExplainContext ctx = context_for(p);
    json::ObjectWriter w;
    if (auto to = param(p, "toAddr"); to || d.bonded_amount.is_zero()) {
      if (!to) {
        throw Error("the account is unbonded: rebond needs --to ADDR, the delegate to bond to");
      }
      crypto::Address target = crypto::Address::parse(*to, "toAddr");
      send(bm().rebond_from_unbonded(target, id), ctx, log);
      w.set("to", target.checksummed());
    } else {
      send(bm().rebond(id), ctx, log);
      w.set("to", d.delegate_address.checksummed());
    }
    w.set("unbondingLockId", id.to_dec());
    return tx_result(std::move(log), std::move(w));
  }

  JsonNodePtr withdraw_stake(const Params &p) {
    U256 id = param_u256(p, "unbondingLockId");
    chain::UnbondingLock lock = read(bm().get_delegator_unbonding_lock(tx().address(), id));
    std::vector<JsonNodePtr> log;
    send(bm().withdraw_stake(id), context_for(p), log);
    json::ObjectWriter w;
    w.set("unbondingLockId", id.to_dec()).set("amount", lock.amount.to_dec());
    return tx_result(std::move(log), std::move(w));
  }

  JsonNodePtr withdraw_fees(const Params &p) {
    U256 round = read(rm().current_round());
    U256 amount = param_u256(p, "amount", read(bm().pending_fees(tx().address(), round)));
    crypto::Address to = param(p, "recipient")
                             ? crypto::Address::parse(*param(p, "recipient"), "recipient")
                             : tx().address();
    chain::ExplainContext ctx = context_for(p);
    ctx.amount = amount;
    std::vector<JsonNodePtr> log;
    send(bm().withdraw_fees(to, amount), ctx, log);
    json::ObjectWriter w;
    w.set("amount", amount.to_dec()).set("recipient", to.checksummed());
    return tx_result(std::move(log), std::move(w));
  }

  JsonNodePtr claim_earnings(const Params &p) {
    U256 end = param_u256(p, "endRound", read(rm().current_round()));
    std::vector<JsonNodePtr> log;
    send(bm().claim_earnings(end), context_for(p), log);
    chain::Delegator d = read(bm().get_delegator(tx().address()));
    json::ObjectWriter w;
    w.set("bondedAmount", d.bonded_amount.to_dec())
        .set("fees", d.fees.to_dec())
        .set("lastClaimRound", d.last_claim_round.to_dec());
    return tx_result(std::move(log), std::move(w));
  }

  JsonNodePtr reward(const Params &p) {
    U256 before = read(bm().transcoder_total_stake(tx().address()));
    std::vector<JsonNodePtr> log;
    send(bm().reward(), context_for(p), log);
    U256 after = read(bm().transcoder_total_stake(tx().address()));
    json::ObjectWriter w;
    w.set("minted", (after - before).to_dec()).set("totalStake", after.to_dec());
    return tx_result(std::move(log), std::move(w));
  }

  JsonNodePtr transfer_tokens(const Params &p) {
    crypto::Address to = crypto::Address::parse(param(p, "to").value_or(""), "to");
    U256 amount = param_u256(p, "amount");
    std::vector<JsonNodePtr> log;
    send(chain::LivepeerToken(contracts().token).transfer(to, amount), context_for(p), log);
    json::ObjectWriter w;
    w.set("to", to.checksummed()).set("amount", amount.to_dec());
    return tx_result(std::move(log), std::move(w));
  }

  // ---- broadcaster funds ----

  JsonNodePtr funded(std::vector<JsonNodePtr> log) {
    json::ObjectWriter w;
    w.set("sender", views().sender(tx().address()));
    return tx_result(std::move(log), std::move(w));
  }

  JsonNodePtr fund_deposit(const Params &p) {
    std::vector<JsonNodePtr> log;
    send(tb().fund_deposit(param_u256(p, "amount")), context_for(p), log);
    return funded(std::move(log));
  }

  JsonNodePtr fund_reserve(const Params &p) {
    std::vector<JsonNodePtr> log;
    send(tb().fund_reserve(param_u256(p, "amount")), context_for(p), log);
    return funded(std::move(log));
  }

  JsonNodePtr fund_deposit_and_reserve(const Params &p) {
    std::vector<JsonNodePtr> log;
    send(tb().fund_deposit_and_reserve(param_u256(p, "depositAmount"),
                                       param_u256(p, "reserveAmount")),
         context_for(p), log);
    return funded(std::move(log));
  }

  JsonNodePtr unlock(const Params &p) {
    std::vector<JsonNodePtr> log;
    send(tb().unlock(), context_for(p), log);
    return funded(std::move(log));
  }

  JsonNodePtr cancel_unlock(const Params &p) {
    std::vector<JsonNodePtr> log;
    send(tb().cancel_unlock(), context_for(p), log);
    return funded(std::move(log));
  }

  JsonNodePtr withdraw(const Params &p) {
    pm::SenderInfo before = read(tb().get_sender_info(tx().address()));
    std::vector<JsonNodePtr> log;
    send(tb().withdraw(), context_for(p), log);
    json::ObjectWriter w;
    w.set("deposit", before.deposit.to_dec())
        .set("reserve", before.reserve.funds_remaining.to_dec());
    return tx_result(std::move(log), std::move(w));
  }

  // ---- deployment ----

  JsonNodePtr deploy(const Params &p) {
    chain::DeployConfig c;
    c.round_length = param_u256(p, "roundLength", U256(c.round_length)).to_u64("roundLength");
    c.round_lock_amount =
        param_percent_or(p, "roundLockAmount", c.round_lock_amount).to_u64("roundLockAmount");
    c.unbonding_period =
        param_u256(p, "unbondingPeriod", U256(c.unbonding_period)).to_u64("unbondingPeriod");
    c.unlock_period = param_u256(p, "unlockPeriod", U256(c.unlock_period)).to_u64("unlockPeriod");
    c.ticket_validity_period = param_u256(p, "ticketValidityPeriod", U256(c.ticket_validity_period))
                                   .to_u64("ticketValidityPeriod");
    c.num_active_transcoders = param_u256(p, "numActiveTranscoders", U256(c.num_active_transcoders))
                                   .to_u64("numActiveTranscoders");
    c.reward_per_round = param_u256(p, "rewardPerRound", c.reward_per_round);
    c.initial_supply = param_u256(p, "initialSupply", c.initial_supply);
    chain::Deployment d = await<chain::Deployment>([&](chain::Callback<chain::Deployment> cb) {
      chain::deploy_protocol(tx(), c, nullptr, cb);
    });
    json::ObjectWriter addrs;
    addrs.set("LivepeerToken", d.contracts.token.checksummed())
        .set("BondingManager", d.contracts.bonding_manager.checksummed())
        .set("TicketBroker", d.contracts.ticket_broker.checksummed())
        .set("RoundsManager", d.contracts.rounds_manager.checksummed())
        .set("ServiceRegistry", d.contracts.service_registry.checksummed())
        .set("Minter", d.contracts.minter.checksummed());
    json::ObjectWriter w;
    w.set("deployer", tx().address().checksummed())
        .set("contracts", addrs.node())
        .set("transactions", static_cast<int64_t>(d.transactions.size()))
        .set("controller", d.contracts.controller.checksummed());
    return w.node();
  }

  static U256 param_percent_or(const Params &p, const char *name, uint64_t fallback) {
    return param(p, name) ? param_percent(p, name) : U256(fallback);
  }

  ChainOptions options_;
  Awaiter awaiter_;
  std::unique_ptr<eth::RpcClient> rpc_;
  std::unique_ptr<chain::Reader> reader_;
  std::unique_ptr<chain::TxManager> tx_;
  std::optional<chain::ContractAddresses> contracts_;
};

}  // namespace

std::unique_ptr<ChainBackend> make_direct_backend(const ChainOptions &options) {
  return std::make_unique<DirectBackend>(options);
}

}  // namespace lp::cli
