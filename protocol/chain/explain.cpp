#include "chain/explain.h"

#include <map>

namespace lp::chain {

namespace {

struct Facts {
  U256 round;
  U256 round_start;
  U256 round_length;
  U256 lock_amount;
  Delegator delegator;
  UnbondingLock lock;
  Transcoder transcoder;
  pm::SenderInfo sender;
  U256 pending_fees;
  U256 lpt_balance;
  U256 allowance;
};

std::string dec(const U256 &v) {
  return v.to_dec();
}

using Explainer = std::function<std::string(const ExplainContext &, const Facts &)>;

// Revert reason -> explanation from the facts.
const std::map<std::string, Explainer> &explainers() {
  static const std::map<std::string, Explainer> table = {
      {"withdraw round must be before or equal to the current round",
       [](const ExplainContext &c, const Facts &f) {
         return "unbonding lock " + dec(c.lock_id.value_or(U256())) +
                " is withdrawable from round " + dec(f.lock.withdraw_round) +
                "; current round is " + dec(f.round);
       }},
      {"invalid unbonding lock ID",
       [](const ExplainContext &c, const Facts &f) {
         std::string s =
             c.account.checksummed() + " has no unbonding lock " + dec(c.lock_id.value_or(U256()));
         if (f.delegator.next_unbonding_lock_id.is_zero()) {
           return s + " (it never unbonded)";
         }
         return s + " (ids so far run from 0 to " +
                dec(f.delegator.next_unbonding_lock_id - U256(1)) +
                "; withdrawn or rebonded locks are gone)";
       }},
      {"caller must be bonded",
       [](const ExplainContext &c, const Facts &f) {
         if (f.delegator.bonded_amount.is_zero()) {
           return c.account.checksummed() + " has no bonded stake";
         }
         return c.account.checksummed() + "'s bond takes effect in round " +
                dec(f.delegator.start_round) + "; current round is " + dec(f.round);
       }},
      {"caller must be unbonded",
       [](const ExplainContext &c, const Facts &f) {
         return c.account.checksummed() + " is still bonded (" +
                format_units(f.delegator.bonded_amount, "LPT") + " to " +
                f.delegator.delegate_address.checksummed() +
                "): rebond to the current delegate instead";
       }},
      {"amount is greater than bonded amount",
       [](const ExplainContext &c, const Facts &f) {
         return "cannot unbond " + format_units(c.amount.value_or(U256()), "LPT") + ": " +
                c.account.checksummed() + " has " + format_units(f.delegator.bonded_amount, "LPT") +
                " bonded";
       }},
      {"insufficient fees to withdraw",
       [](const ExplainContext &c, const Facts &f) {
         return "cannot withdraw " + format_units(c.amount.value_or(U256()), "ETH") +
                " of fees: " + c.account.checksummed() + " has " +
                format_units(f.pending_fees, "ETH");
       }},
      {"current round is not initialized",
       [](const ExplainContext &, const Facts &f) {
         return "round " + dec(f.round) +
                " is not initialized yet (lp-cli initialize-round initializes it)";
       }},
      {"round already initialized",
       [](const ExplainContext &, const Facts &f) {
         return "round " + dec(f.round) + " is already initialized; the next one starts at block " +
                dec(f.round_start + f.round_length);
       }},
      {"transcoder must be active",
       [](const ExplainContext &c, const Facts &f) {
         if (f.transcoder.activation_round > f.round &&
             f.transcoder.deactivation_round > f.transcoder.activation_round) {
           return c.account.checksummed() + " becomes active in round " +
                  dec(f.transcoder.activation_round) + "; current round is " + dec(f.round);
         }
         return c.account.checksummed() + " is not an active orchestrator in round " + dec(f.round);
       }},
      {"caller has already called reward for the current round",
       [](const ExplainContext &, const Facts &f) {
         return "reward was already called for round " + dec(f.round);
       }},
      {"transcoder must be registered",
       [](const ExplainContext &c, const Facts &) {
         return c.account.checksummed() +
                " must bond to itself before it can register as an orchestrator";
       }},
      {"caller can't be active or must have already called reward for the current round",
       [](const ExplainContext &, const Facts &f) {
         return "an active orchestrator changes its reward cut and fee share only after calling "
                "reward in the round (lp-cli reward), and round " +
                dec(f.round) + " has no reward call yet";
       }},
      {"can't update transcoder params, current round is locked",
       [](const ExplainContext &, const Facts &f) {
         return "round " + dec(f.round) +
                " is in its lock period; orchestrator settings can change again from round " +
                dec(f.round + U256(1)) + " (block " + dec(f.round_start + f.round_length) + ")";
       }},
      {"ERC20: insufficient allowance",
       [](const ExplainContext &c, const Facts &f) {
         return c.account.checksummed() + " allowed the BondingManager " +
                format_units(f.allowance, "LPT") + ", less than " +
                format_units(c.amount.value_or(U256()), "LPT");
       }},
      {"ERC20: transfer amount exceeds balance",
       [](const ExplainContext &c, const Facts &f) {
         return c.account.checksummed() + " holds " + format_units(f.lpt_balance, "LPT") +
                ", less than " + format_units(c.amount.value_or(U256()), "LPT");
       }},
      {"account is locked",
       [](const ExplainContext &, const Facts &f) {
         return "deposit and reserve are withdrawable from round " + dec(f.sender.withdraw_round) +
                "; current round is " + dec(f.round);
       }},
      {"no unlock request in progress",
       [](const ExplainContext &c, const Facts &) {
         return "no unlock is in progress for " + c.account.checksummed() +
                " (lp-cli unlock starts one)";
       }},
      {"unlock already initiated",
       [](const ExplainContext &, const Facts &f) {
         return "an unlock is already in progress: deposit and reserve are withdrawable from "
                "round " +
                dec(f.sender.withdraw_round) + "; current round is " + dec(f.round);
       }},
      {"sender deposit and reserve are zero",
       [](const ExplainContext &c, const Facts &) {
         return c.account.checksummed() + " has no deposit and no reserve";
       }},
  };
  return table;
}

}  // namespace

std::string format_units(const U256 &amount, const std::string &unit) {
  std::string digits = amount.to_dec();
  if (digits.size() <= 18) {
    digits = std::string(19 - digits.size(), '0') + digits;
  }
  std::string whole = digits.substr(0, digits.size() - 18);
  std::string frac = digits.substr(digits.size() - 18);
  while (!frac.empty() && frac.back() == '0') {
    frac.pop_back();
  }
  return whole + (frac.empty() ? "" : "." + frac) + " " + unit;
}

void explain(const Reader &reader, const ContractAddresses &contracts, const ExplainContext &ctx,
             const ChainError &error, std::function<void(std::string)> done) {
  auto it = explainers().find(error.revert_reason);
  if (error.kind != ChainError::Kind::kRevert || it == explainers().end()) {
    done(error.message);
    return;
  }
  auto facts = std::make_shared<Facts>();
  RoundsManager rm(contracts.rounds_manager);
  BondingManager bm(contracts.bonding_manager);
  TicketBroker tb(contracts.ticket_broker);
  LivepeerToken token(contracts.token);
  auto batch = ReadBatch::make(reader);
  batch->add<U256>(rm.current_round(), [facts](U256 v) { facts->round = v; })
      .add<U256>(rm.current_round_start_block(), [facts](U256 v) { facts->round_start = v; })
      .add<U256>(rm.round_length(), [facts](U256 v) { facts->round_length = v; })
      .add<Delegator>(bm.get_delegator(ctx.account), [facts](Delegator d) { facts->delegator = d; })
      .add<Transcoder>(bm.get_transcoder(ctx.account),
                       [facts](Transcoder t) { facts->transcoder = t; })
      .add<U256>(bm.pending_fees(ctx.account, U256()), [facts](U256 v) { facts->pending_fees = v; })
      .add<pm::SenderInfo>(tb.get_sender_info(ctx.account),
                           [facts](pm::SenderInfo s) { facts->sender = s; })
      .add<U256>(token.balance_of(ctx.account), [facts](U256 v) { facts->lpt_balance = v; })
      .add<U256>(token.allowance(ctx.account, contracts.bonding_manager),
                 [facts](U256 v) { facts->allowance = v; });
  if (ctx.lock_id) {
    batch->add<UnbondingLock>(bm.get_delegator_unbonding_lock(ctx.account, *ctx.lock_id),
                              [facts](UnbondingLock l) { facts->lock = l; });
  }
  Explainer explainer = it->second;
  batch->run([facts, ctx, error, explainer, done](std::optional<ChainError> err) {
    if (err) {
      done(error.message);
      return;
    }
    done(explainer(ctx, *facts));
  });
}

}  // namespace lp::chain
