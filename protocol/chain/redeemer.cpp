#include "chain/redeemer.h"

#include <algorithm>
#include <map>

#include "chain/loop.h"

namespace lp::chain {

namespace {

// Revert reasons of redeemWinningTicket that no later block can change.
constexpr const char *kPermanentReverts[] = {
    "ticket recipient is null address",
    "ticket sender is null address",
    "invalid length for ticket auxData",
    "ticket creationRound does not have a block hash",
    "ticket creationRoundBlockHash invalid for creationRound",
    "ticket is expired",
    "recipientRand does not match recipientRandHash",
    "invalid signature over ticket hash",
    "INVALID_SIGNATURE_LENGTH",
    "ECDSA: invalid signature",
    "ticket did not win",
};

pm::RedeemOutcome final_outcome(const std::string &error, const Hash32 &tx = {}) {
  return pm::RedeemOutcome{pm::RedeemOutcome::Kind::kFinal, tx, error};
}

}  // namespace

pm::RedeemOutcome Redeemer::classify(const ChainError &e) {
  if (e.kind == ChainError::Kind::kRevert) {
    // Livepeer's contract says "ticket is used"; the queue and go-livepeer say this.
    if (e.revert_reason == "ticket is used") {
      return final_outcome("ticket already used");
    }
    for (const char *permanent : kPermanentReverts) {
      if (e.revert_reason.rfind(permanent, 0) == 0) {
        return final_outcome(e.revert_reason);
      }
    }
    return pm::RedeemOutcome::failed(e.revert_reason.empty() ? e.message : e.revert_reason);
  }
  if (e.kind == ChainError::Kind::kTxFailed) {
    // Mined with status 0: the state moved between the estimate and the block (the deposit
    // drained, a round not yet initialized, too little gas). Only a permanent reason, or the
    // ticket being used (which the caller checks), makes that final.
    for (const char *permanent : kPermanentReverts) {
      if (e.revert_reason.rfind(permanent, 0) == 0) {
        return final_outcome(e.message, e.tx_hash);
      }
    }
    return pm::RedeemOutcome{pm::RedeemOutcome::Kind::kRetry, e.tx_hash, e.message};
  }
  // Unreachable node, fees over the cap, not mined in time, refused: all may pass. A
  // transaction that was sent (a timeout) goes with the outcome, to be looked for first.
  return pm::RedeemOutcome{pm::RedeemOutcome::Kind::kRetry, e.tx_hash, e.message};
}

struct Redeemer::Impl : std::enable_shared_from_this<Impl> {
  Reader reader;
  TxManager &tx;
  TicketBroker broker;
  BondingManager bonding;
  const pm::GasPriceSource &gas;
  RedeemerConfig config;
  GMainContext *context;
  bool alive = true;
  // Per ticket hash, the transactions sent for it and not seen mined (a timeout, a lost
  // answer): any may still be mined, so the next attempt looks for them before sending.
  std::map<Hash32, std::vector<Hash32>> sent;

  Impl(eth::RpcClient &rpc, TxManager &t, const ContractAddresses &c, const pm::GasPriceSource &g,
       RedeemerConfig cfg)
      : reader(rpc),
        tx(t),
        broker(c.ticket_broker),
        bonding(c.bonding_manager),
        gas(g),
        config(cfg),
        context(current_context()) {}

  void redeem(const pm::SignedTicket &st, const Hash32 &sent_tx,
              std::function<void(pm::RedeemOutcome)> done) {
    std::vector<Hash32> earlier;
    if (auto it = sent.find(st.ticket.hash()); it != sent.end()) {
      earlier = it->second;
    }
    if (!is_all_zero(sent_tx) &&
        std::find(earlier.begin(), earlier.end(), sent_tx) == earlier.end()) {
      earlier.push_back(sent_tx);
    }
    if (earlier.empty()) {
      check_and_send(st, std::move(done));
    } else {
      look_for(st, earlier, std::move(done));
    }
  }

  // Before sending again: an earlier transaction that was mined is the redemption; one that
  // is still pending may be, and a second would pay gas for nothing (or wait behind it).
  void look_for(const pm::SignedTicket &st, const std::vector<Hash32> &txs,
                std::function<void(pm::RedeemOutcome)> done) {
    struct Search {
      size_t outstanding = 0;
      std::optional<Hash32> mined;
      std::optional<Hash32> pending;
      std::string error;
    };
    auto search = std::make_shared<Search>();
    search->outstanding = txs.size();
    std::weak_ptr<Impl> w = shared_from_this();
    auto one_done = [w, st, txs, search, done] {
      if (--search->outstanding != 0) {
        return;
      }
      auto self = w.lock();
      if (!self || !self->alive) {
        return;
      }
      using Kind = pm::RedeemOutcome::Kind;
      if (search->mined) {
        self->sent.erase(st.ticket.hash());
        done(pm::RedeemOutcome::redeemed(*search->mined));
      } else if (search->pending) {
        done(pm::RedeemOutcome{
            Kind::kRetry, *search->pending,
            "redeem transaction " + to_hex(*search->pending) + " is not mined yet"});
      } else if (!search->error.empty()) {
        done(pm::RedeemOutcome{Kind::kRetry, txs.back(),
                               "cannot tell whether redeem transaction " + to_hex(txs.back()) +
                                   " was mined: " + search->error});
      } else {
        // Failed or gone (dropped, or its nonce taken by another): nothing will pay; start over.
        self->sent.erase(st.ticket.hash());
        self->check_and_send(st, done);
      }
    };
    eth::RpcClient &rpc = reader.rpc();
    for (const Hash32 &h : txs) {
      rpc.get_transaction_receipt(
          h, [w, h, search, one_done](eth::RpcResult<std::optional<eth::Receipt>> r) {
            auto self = w.lock();
            if (!self || !self->alive) {
              return;
            }
            if (!r.ok()) {
              search->error = r.error().describe();
            } else if (r.value()) {
              if (r.value()->status) {
                search->mined = h;
              }
            } else {
              JsonArray *arr = json_array_new();
              json_array_add_string_element(arr, to_hex(h).c_str());
              JsonNode *params = json_node_alloc();
              json_node_take_array(json_node_init(params, JSON_NODE_ARRAY), arr);
              self->reader.rpc().call("eth_getTransactionByHash", JsonNodePtr(params),
                                      [h, search, one_done](eth::RpcResult<JsonNodePtr> t) {
                                        if (!t.ok()) {
                                          search->error = t.error().describe();
                                        } else if (!JSON_NODE_HOLDS_NULL(t.value().get())) {
                                          search->pending = h;
                                        }
                                        one_done();
                                      });
              return;
            }
            one_done();
          });
    }
  }

  void check_and_send(const pm::SignedTicket &st, std::function<void(pm::RedeemOutcome)> done) {
    const pm::Ticket &t = st.ticket;
    struct State {
      bool used = false;
      bool active = false;
      pm::SenderInfo info;
      U256 claimable;
    };
    auto state = std::make_shared<State>();
    auto batch = ReadBatch::make(reader);
    batch->add<bool>(broker.used_tickets(t.hash()), [state](bool u) { state->used = u; });
    batch->add<bool>(bonding.is_active_transcoder(t.recipient),
                     [state](bool a) { state->active = a; });
    batch->add<pm::SenderInfo>(broker.get_sender_info(t.sender),
                               [state](pm::SenderInfo i) { state->info = i; });
    batch->add<U256>(broker.claimable_reserve(t.sender, t.recipient),
                     [state](U256 c) { state->claimable = c; });
    std::weak_ptr<Impl> w = shared_from_this();
    batch->run([w, st, state, done](std::optional<ChainError> err) {
      auto self = w.lock();
      if (!self || !self->alive) {
        return;
      }
      if (err) {
        done(classify(*err));
        return;
      }
      const pm::Ticket &t = st.ticket;
      if (state->used) {
        done(final_outcome("ticket already used"));
        return;
      }
      if (!state->active) {
        done(pm::RedeemOutcome::failed("recipient " + t.recipient.checksummed() +
                                       " is not an active orchestrator this round"));
        return;
      }
      const pm::SenderInfo &info = state->info;
      // The contract's rule (Livepeer protocol #657): the deposit and the sender's whole
      // remaining reserve must cover the face value, or it reverts and the ticket stays
      // redeemable. Only this orchestrator's share of the reserve is paid out, but that is no
      // reason to wait: the shortfall is never paid, however long the ticket waits.
      if (U256::saturate(info.deposit.mpz() + info.reserve.funds_remaining.mpz()) < t.face_value) {
        done(pm::RedeemOutcome::failed(
            "sender deposit and reserve insufficient to cover ticket face value: deposit " +
            info.deposit.to_dec() + " + reserve " + info.reserve.funds_remaining.to_dec() +
            " < face value " + t.face_value.to_dec() + " wei"));
        return;
      }
      U256 tx_cost =
          U256::saturate(U256(self->config.redeem_gas).mpz() * self->gas.gas_price().mpz());
      if (t.face_value <= tx_cost) {
        done(pm::RedeemOutcome::failed("insufficient ticket face value " + t.face_value.to_dec() +
                                       " for the redeem transaction cost " + tx_cost.to_dec() +
                                       " wei"));
        return;
      }
      // What the redemption would pay now (go-livepeer's availableFunds): worth a transaction
      // only above its cost.
      U256 available = U256::saturate(info.deposit.mpz() + state->claimable.mpz());
      if (available <= tx_cost) {
        done(pm::RedeemOutcome::failed("sender deposit " + info.deposit.to_dec() +
                                       " + claimable reserve " + state->claimable.to_dec() +
                                       " wei do not exceed the redeem transaction cost " +
                                       tx_cost.to_dec() + " wei"));
        return;
      }
      Call call = self->broker.redeem_winning_ticket(st);
      // The estimate is the least gas that succeeds on the state at estimation; a redemption
      // that then pays from the reserve instead of the deposit needs more.
      call.min_gas = std::max(call.min_gas, self->config.redeem_gas);
      Hash32 ticket_hash = t.hash();
      auto record = [w, ticket_hash](const SentTx &sent) {
        if (auto self = w.lock(); self && self->alive) {
          self->sent[ticket_hash].push_back(sent.hash);
        }
      };
      self->tx.send(
          std::move(call),
          [w, st, ticket_hash, done](Result<eth::Receipt> r) {
            auto self = w.lock();
            if (!self || !self->alive) {
              return;
            }
            if (r.ok()) {
              self->sent.erase(ticket_hash);
              done(pm::RedeemOutcome::redeemed(r.value().transaction_hash));
              return;
            }
            pm::RedeemOutcome out = classify(r.error());
            if (r.error().kind == ChainError::Kind::kTxFailed) {
              self->sent.erase(ticket_hash);
              if (out.kind == pm::RedeemOutcome::Kind::kFinal) {
                done(out);
              } else {
                self->after_failed_tx(st, std::move(out), done);
              }
              return;
            }
            auto it = self->sent.find(ticket_hash);
            if (it != self->sent.end() && is_all_zero(out.tx_hash)) {
              out.tx_hash = it->second.back();
            }
            done(out);
          },
          record);
    });
  }

  // A redemption mined with status 0 is final only if the ticket is used now (by someone
  // else's transaction, or an earlier one of ours); otherwise the ticket can still pay.
  void after_failed_tx(const pm::SignedTicket &st, pm::RedeemOutcome failed,
                       const std::function<void(pm::RedeemOutcome)> &done) {
    std::weak_ptr<Impl> w = shared_from_this();
    reader.read<bool>(broker.used_tickets(st.ticket.hash()), [w, failed, done](Result<bool> used) {
      auto self = w.lock();
      if (!self || !self->alive) {
        return;
      }
      pm::RedeemOutcome out = failed;
      if (used.ok() && used.value()) {
        out.kind = pm::RedeemOutcome::Kind::kFinal;
        out.error += "; the ticket is used";
      } else {
        out.error += "; the ticket is still unused: retrying";
      }
      done(out);
    });
  }
};

Redeemer::Redeemer(eth::RpcClient &rpc, TxManager &tx, const ContractAddresses &contracts,
                   const pm::GasPriceSource &gas, RedeemerConfig config)
    : impl_(std::make_shared<Impl>(rpc, tx, contracts, gas, config)) {}

Redeemer::~Redeemer() {
  impl_->alive = false;
}

void Redeemer::redeem(const pm::SignedTicket &ticket, const Hash32 &sent_tx,
                      std::function<void(pm::RedeemOutcome)> done) {
  std::weak_ptr<Impl> w = impl_;
  post(impl_->context, [w, ticket, sent_tx, done = std::move(done)] {
    if (auto self = w.lock(); self && self->alive) {
      self->redeem(ticket, sent_tx, done);
    }
  });
}

void Redeemer::redeem(const pm::SignedTicket &ticket, std::function<void(pm::RedeemOutcome)> done) {
  redeem(ticket, Hash32{}, std::move(done));
}

}  // namespace lp::chain
