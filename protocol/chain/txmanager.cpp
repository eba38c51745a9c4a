// A transaction's life here (estimate, quote, nonce, send, poll, replace, resend, until a
// receipt) is one state machine over asynchronous answers; it stays in one file so that every
// transition can be read beside the others. The decisions that need no node are in txpolicy.
#include "chain/txmanager.h"

#include <algorithm>
#include <deque>
#include <set>

#include "chain/loop.h"
#include "chain/txpolicy.h"
#include "eth/transaction.h"
#include "util/json.h"

namespace lp::chain {

struct Job {
  Call call;
  Callback<eth::Receipt> done;
  std::function<void(const SentTx &)> on_broadcast;
  uint64_t gas_limit = 0;
  uint64_t nonce = 0;
  Fees fees;
  std::vector<Hash32> hashes;  // every transaction sent at the nonce: any of them may be mined
  Bytes raw;                   // the last one, as signed, to send again
  gint64 first_sent_us = 0;
  gint64 last_sent_us = 0;
  unsigned replacements = 0;
  unsigned nonce_retries = 0;
  bool can_replace = true;
  // The last send's answer was lost: the node may or may not have the transaction.
  bool unsure = false;
  bool busy = false;      // a poll, replacement or resend is under way
  bool reported = false;  // `done` has run (a timeout is reported while the nonce stays ours)
  bool finished = false;  // no longer followed
  std::unique_ptr<Timer> timer;
};
using JobPtr = std::shared_ptr<Job>;

struct TxManager::Impl : std::enable_shared_from_this<Impl> {
  eth::RpcClient &rpc;
  crypto::PrivateKey key;
  TxConfig config;
  GMainContext *context;
  std::optional<U256> chain_id;
  std::optional<uint64_t> next_nonce;
  std::deque<JobPtr> queue;
  bool preparing = false;
  std::set<JobPtr> mining;
  std::function<void(const SentTx &)> observer;
  bool alive = true;

  Impl(eth::RpcClient &r, crypto::PrivateKey k, TxConfig c)
      : rpc(r), key(std::move(k)), config(std::move(c)), context(current_context()) {}

  // Wraps a member continuation so it does nothing once the manager is gone.
  template <typename T>
  std::function<void(eth::RpcResult<T>)> then(void (Impl::*step)(const JobPtr &, eth::RpcResult<T>),
                                              const JobPtr &job) {
    std::weak_ptr<Impl> weak = shared_from_this();
    return [weak, step, job](eth::RpcResult<T> r) {
      auto self = weak.lock();
      if (self && self->alive) {
        ((*self).*step)(job, std::move(r));
      }
    };
  }

  void pump() {
    if (preparing || queue.empty() || !alive) {
      return;
    }
    preparing = true;
    prepare(queue.front());
  }

  // The job at the head of the queue failed before anything was broadcast.
  void fail_front(const JobPtr &job, ChainError error) {
    queue.pop_front();
    preparing = false;
    auto keep = shared_from_this();
    job->done(std::move(error));
    if (alive) {
      pump();
    }
  }

  void prepare(const JobPtr &job) {
    if (!chain_id) {
      rpc.chain_id(then<U256>(&Impl::on_chain_id, job));
      return;
    }
    eth::CallRequest req;
    req.from = key.address();
    req.to = job->call.to;
    req.data = job->call.data;
    if (!job->call.value.is_zero()) {
      req.value = job->call.value;
    }
    rpc.estimate_gas(req, then<uint64_t>(&Impl::on_estimate, job));
  }

  void on_chain_id(const JobPtr &job, eth::RpcResult<U256> r) {
    if (!r.ok()) {
      fail_front(job, ChainError::from_rpc(r.error(), job->call.what));
      return;
    }
    chain_id = r.value();
    prepare(job);
  }

  // The node's error, reworded when it is about the account's ether.
  ChainError rejection(const JobPtr &job, const eth::RpcError &e) const {
    ChainError err = ChainError::from_rpc(e, job->call.what);
    if (node_says(e, "insufficient funds")) {
      err.message = job->call.what + ": the account " + key.address().checksummed() +
                    " cannot pay for gas and value: " + e.message;
    }
    return err;
  }

  void on_estimate(const JobPtr &job, eth::RpcResult<uint64_t> r) {
    if (!r.ok()) {
      fail_front(job, rejection(job, r.error()));
      return;
    }
    job->gas_limit = std::max(with_margin(r.value(), config.gas_margin_percent), job->call.min_gas);
    quote(job, [this, job](std::optional<ChainError> err, Fees fees) {
      if (err) {
        fail_front(job, *err);
        return;
      }
      job->fees = fees;
      assign_nonce(job);
    });
  }

  // Current fees: base fee and tip for EIP-1559 chains, the gas price otherwise, within the cap.
  void quote(const JobPtr &job, std::function<void(std::optional<ChainError>, Fees)> done) {
    std::weak_ptr<Impl> weak = shared_from_this();
    rpc.get_block_by_number(
        eth::BlockTag::latest(), [weak, job, done](eth::RpcResult<std::optional<eth::Block>> r) {
          auto self = weak.lock();
          if (!self || !self->alive) {
            return;
          }
          if (!r.ok() || !r.value()) {
            done(r.ok() ? ChainError::make(ChainError::Kind::kMalformed,
                                           job->call.what + ": the node has no latest block")
                        : ChainError::from_rpc(r.error(), job->call.what),
                 {});
            return;
          }
          if (r.value()->base_fee_per_gas) {
            U256 base = *r.value()->base_fee_per_gas;
            self->rpc.call("eth_maxPriorityFeePerGas", nullptr,
                           [weak, job, done, base](eth::RpcResult<JsonNodePtr> tip_r) {
                             auto s = weak.lock();
                             if (!s || !s->alive) {
                               return;
                             }
                             U256 tip = s->config.default_priority_fee;
                             if (tip_r.ok()) {
                               try {
                                 tip = eth::quantity_from_json(tip_r.value().get(), "tip");
                               } catch (const Error &) {
                                 // keep the default
                               }
                             }
                             s->finish_quote(job, base, tip, false, done);
                           });
          } else {
            self->rpc.gas_price([weak, job, done](eth::RpcResult<U256> gp) {
              auto s = weak.lock();
              if (!s || !s->alive) {
                return;
              }
              if (!gp.ok()) {
                done(ChainError::from_rpc(gp.error(), job->call.what), {});
                return;
              }
              s->finish_quote(job, gp.value(), U256(), true, done);
            });
          }
        });
  }

  void finish_quote(const JobPtr &job, const U256 &base, const U256 &tip, bool legacy,
                    const std::function<void(std::optional<ChainError>, Fees)> &done) {
    Fees f;
    if (auto over_cap = quote_fees(base, tip, legacy, config.max_fee_cap, &f)) {
      done(ChainError::make(ChainError::Kind::kFeeCap, job->call.what + ": " + *over_cap), f);
      return;
    }
    done(std::nullopt, f);
  }

  void assign_nonce(const JobPtr &job) {
    if (next_nonce) {
      sign_and_send(job);
      return;
    }
    rpc.get_transaction_count(key.address(), eth::BlockTag::pending(),
                              then<uint64_t>(&Impl::on_nonce, job));
  }

  void on_nonce(const JobPtr &job, eth::RpcResult<uint64_t> r) {
    if (!r.ok()) {
      fail_front(job, ChainError::from_rpc(r.error(), job->call.what));
      return;
    }
    next_nonce = r.value();
    sign_and_send(job);
  }

  eth::SignedTx sign_job(const JobPtr &job) const {
    if (job->fees.legacy) {
      eth::LegacyTx tx;
      tx.nonce = job->nonce;
      tx.gas_price = job->fees.max_fee;
      tx.gas_limit = job->gas_limit;
      tx.to = job->call.to;
      tx.value = job->call.value;
      tx.data = job->call.data;
      tx.chain_id = *chain_id;
      return eth::sign(tx, key);
    }
    eth::Eip1559Tx tx;
    tx.chain_id = *chain_id;
    tx.nonce = job->nonce;
    tx.max_priority_fee_per_gas = job->fees.tip;
    tx.max_fee_per_gas = job->fees.max_fee;
    tx.gas_limit = job->gas_limit;
    tx.to = job->call.to;
    tx.value = job->call.value;
    tx.data = job->call.data;
    return eth::sign(tx, key);
  }

  SentTx describe(const JobPtr &job, const Hash32 &hash) const {
    SentTx s;
    s.hash = hash;
    s.nonce = job->nonce;
    s.max_fee_per_gas = job->fees.max_fee;
    s.max_priority_fee_per_gas = job->fees.tip;
    s.gas_limit = job->gas_limit;
    s.attempt = job->replacements;
    s.what = job->call.what;
    return s;
  }

  void sign_and_send(const JobPtr &job) {
    job->nonce = *next_nonce;
    eth::SignedTx signed_tx = sign_job(job);
    job->raw = signed_tx.raw;
    Hash32 hash = signed_tx.hash;
    std::weak_ptr<Impl> weak = shared_from_this();
    rpc.send_raw_transaction(signed_tx.raw, [weak, job, hash](eth::RpcResult<Hash32> r) {
      auto self = weak.lock();
      if (self && self->alive) {
        self->on_sent(job, hash, std::move(r));
      }
    });
  }

  void on_sent(const JobPtr &job, const Hash32 &hash, eth::RpcResult<Hash32> r) {
    if (!r.ok()) {
      const eth::RpcError &e = r.error();
      if (already_known(e)) {
        // The node holds this very transaction (the same hash): an earlier send of it reached
        // the node though its answer did not reach us. It is ours, sent; signing again at the
        // next nonce would send it twice.
        broadcast(job, hash, false);
        return;
      }
      if (nonce_refused(e) && job->nonce_retries < 3) {
        // Another wallet or process used this account, or the node lost transactions we
        // counted: start again from the node's count.
        ++job->nonce_retries;
        next_nonce.reset();
        assign_nonce(job);
        return;
      }
      ChainError err = rejection(job, e);
      if (err.kind == ChainError::Kind::kUnavailable) {
        look_up_sent(job, hash, err);
        return;
      }
      // Whatever the node refused, the next send asks it for the nonce rather than repeat one
      // it may refuse again.
      next_nonce.reset();
      fail_front(job, err);
      return;
    }
    broadcast(job, hash, false);
  }

  // The answer to a send was lost (timeout, connection reset): the node may have taken the
  // transaction. Asking for it by hash tells; until the node can say, the nonce stays this
  // job's, or the next send would sign a second transaction for the same call.
  void look_up_sent(const JobPtr &job, const Hash32 &hash, ChainError err) {
    node_has({hash}, [this, job, hash, err](std::optional<bool> has) {
      if (!has) {
        g_message("%s: cannot tell whether the node has %s (%s); sending it again until it can",
                  job->call.what.c_str(), to_hex(hash).c_str(), err.message.c_str());
        broadcast(job, hash, true);
      } else if (*has) {
        broadcast(job, hash, false);
      } else {
        // Not taken: the nonce is free again, and the count is asked for anew.
        ChainError e = err;
        e.message += " (the node does not have the transaction)";
        next_nonce.reset();
        fail_front(job, e);
      }
    });
  }

  // Whether the node has any of `hashes` (pending or mined); nullopt when it cannot say.
  // `done` runs only while the manager is alive.
  void node_has(const std::vector<Hash32> &hashes, std::function<void(std::optional<bool>)> done) {
    struct Ask {
      size_t outstanding;
      bool has = false;
      bool failed = false;
    };
    auto ask = std::make_shared<Ask>(Ask{hashes.size()});
    std::weak_ptr<Impl> weak = shared_from_this();
    for (const Hash32 &h : hashes) {
      JsonArray *arr = json_array_new();
      json_array_add_string_element(arr, to_hex(h).c_str());
      JsonNode *params = json_node_alloc();
      json_node_take_array(json_node_init(params, JSON_NODE_ARRAY), arr);
      rpc.call("eth_getTransactionByHash", JsonNodePtr(params),
               [weak, ask, done](eth::RpcResult<JsonNodePtr> r) {
                 auto self = weak.lock();
                 if (!self || !self->alive) {
                   return;
                 }
                 if (!r.ok()) {
                   ask->failed = true;
                 } else if (!JSON_NODE_HOLDS_NULL(r.value().get())) {
                   ask->has = true;
                 }
                 if (--ask->outstanding == 0) {
                   done(ask->has      ? std::optional<bool>(true)
                        : ask->failed ? std::nullopt
                                      : std::optional<bool>(false));
                 }
               });
    }
  }

  // The job's transaction `hash` was sent (`unsure`: maybe): from now on the nonce is the job's
  // until one of its transactions has a receipt.
  void broadcast(const JobPtr &job, const Hash32 &hash, bool unsure) {
    next_nonce = job->nonce + 1;
    job->hashes.push_back(hash);
    job->unsure = unsure;
    job->first_sent_us = job->last_sent_us = g_get_monotonic_time();
    queue.pop_front();
    preparing = false;
    mining.insert(job);
    announce(job, hash);
    std::weak_ptr<Impl> weak = shared_from_this();
    job->timer = std::make_unique<Timer>(context, config.receipt_poll_ms, [weak, job] {
      auto self = weak.lock();
      return self && self->alive && self->tick(job);
    });
    pump();
  }

  void announce(const JobPtr &job, const Hash32 &hash) {
    SentTx sent = describe(job, hash);
    if (job->on_broadcast) {
      job->on_broadcast(sent);
    }
    if (observer) {
      observer(sent);
    }
  }

  bool tick(const JobPtr &job) {
    if (job->finished) {
      return false;
    }
    if (!job->busy) {
      poll(job);
    }
    return true;
  }

  static gint64 ms(unsigned v) { return static_cast<gint64>(v) * 1000; }

  void poll(const JobPtr &job) {
    job->busy = true;
    struct Poll {
      size_t outstanding;
      std::optional<eth::Receipt> receipt;
    };
    auto state = std::make_shared<Poll>(Poll{job->hashes.size(), std::nullopt});
    std::weak_ptr<Impl> weak = shared_from_this();
    for (const Hash32 &h : job->hashes) {
      rpc.get_transaction_receipt(
          h, [weak, job, state](eth::RpcResult<std::optional<eth::Receipt>> r) {
            auto self = weak.lock();
            if (!self || !self->alive) {
              return;
            }
            // Transport errors while waiting are not fatal: the next tick asks again.
            if (r.ok() && r.value() && !state->receipt) {
              state->receipt = r.value();
            }
            if (--state->outstanding == 0) {
              job->busy = false;
              self->polled(job, state->receipt);
            }
          });
    }
  }

  void polled(const JobPtr &job, const std::optional<eth::Receipt> &receipt) {
    if (job->finished) {
      return;
    }
    if (receipt) {
      mined(job, *receipt);
      return;
    }
    gint64 now = g_get_monotonic_time();
    if (!job->reported && now - job->first_sent_us >= ms(config.mine_timeout_ms)) {
      // Declared only after a poll that found no receipt. The caller hears now; the nonce
      // stays this job's until one of its transactions is mined or another takes the nonce.
      ChainError e = ChainError::make(
          ChainError::Kind::kTimeout,
          job->call.what + ": not mined within " + std::to_string(config.mine_timeout_ms / 1000) +
              " s (last transaction " + to_hex(job->hashes.back()) + ")");
      e.tx_hash = job->hashes.back();
      report(job, e);
      if (job->finished || !alive) {
        return;
      }
    }
    if (job->unsure) {
      if (now - job->last_sent_us >= ms(config.resend_unsure_ms)) {
        resend(job);
      }
      return;
    }
    if (now - job->last_sent_us >= ms(config.replace_after_ms)) {
      if (job->can_replace && job->replacements < config.max_replacements) {
        replace(job);
      } else {
        // Nodes drop transactions (restarts, pool limits): sending the same bytes again keeps
        // the nonce from becoming a gap that holds back every later transaction.
        resend(job);
      }
    }
  }

  void mined(const JobPtr &job, const eth::Receipt &receipt) {
    if (receipt.status) {
      finish(job, receipt);
      return;
    }
    // Receipts carry no revert reason: the call is replayed on the state of the block that
    // mined it, which is where whatever changed since the estimate took effect. A later
    // transaction in the same block can make the replay differ; the reason is then unknown.
    job->finished = true;
    eth::CallRequest req;
    req.from = key.address();
    req.to = job->call.to;
    req.data = job->call.data;
    if (!job->call.value.is_zero()) {
      req.value = job->call.value;
    }
    req.gas = job->gas_limit;
    std::string what = job->call.what + ": transaction failed (mined in block " +
                       std::to_string(receipt.block_number) + ", status 0";
    if (receipt.gas_used >= job->gas_limit) {
      what += ", all " + std::to_string(job->gas_limit) + " gas used";
    }
    what += ")";
    std::weak_ptr<Impl> weak = shared_from_this();
    rpc.eth_call(req, eth::BlockTag::number(receipt.block_number),
                 [weak, job, what, hash = receipt.transaction_hash](eth::RpcResult<Bytes> r) {
                   auto self = weak.lock();
                   if (!self || !self->alive) {
                     return;
                   }
                   ChainError e = ChainError::make(ChainError::Kind::kTxFailed, what);
                   e.tx_hash = hash;
                   if (!r.ok() && r.error().kind == eth::RpcError::Kind::kRevert) {
                     e.revert_reason = r.error().revert_reason;
                     if (!e.revert_reason.empty()) {
                       e.message += ": " + e.revert_reason;
                     }
                   }
                   self->finish(job, e);
                 });
  }

  // Tells the caller, once; the job may go on being followed.
  void report(const JobPtr &job, Result<eth::Receipt> result) {
    if (job->reported) {
      return;
    }
    job->reported = true;
    auto keep = shared_from_this();
    Callback<eth::Receipt> done = std::move(job->done);
    done(std::move(result));
  }

  void finish(const JobPtr &job, Result<eth::Receipt> result) {
    job->finished = true;
    mining.erase(job);
    if (job->reported) {
      // The caller heard of the timeout already; the log tells how it ended.
      if (result.ok()) {
        g_message("%s: %s was mined after its timeout was reported", job->call.what.c_str(),
                  to_hex(result.value().transaction_hash).c_str());
      } else {
        g_message("%s: after its timeout: %s", job->call.what.c_str(),
                  result.error().message.c_str());
      }
    } else {
      report(job, std::move(result));
    }
    job->timer.reset();
  }

  // The job's nonce was used by a transaction that is none of the job's: the job is over, and
  // the count is asked for anew.
  void lost_nonce(const JobPtr &job, const std::string &why) {
    ChainError e = ChainError::make(ChainError::Kind::kRejected,
                                    job->call.what + ": nonce " + std::to_string(job->nonce) +
                                        " was used by another transaction (" + why + ")");
    e.tx_hash = job->hashes.back();
    next_nonce.reset();
    finish(job, e);
  }

  // The node says the nonce is taken: by one of ours (its receipt is there, or shortly), or by
  // someone else's transaction. One more poll decides.
  void nonce_taken(const JobPtr &job, const std::string &why) {
    job->busy = true;
    struct Poll {
      size_t outstanding;
      std::optional<eth::Receipt> receipt;
      bool failed = false;
    };
    auto state = std::make_shared<Poll>(Poll{job->hashes.size(), std::nullopt});
    std::weak_ptr<Impl> weak = shared_from_this();
    for (const Hash32 &h : job->hashes) {
      rpc.get_transaction_receipt(
          h, [weak, job, state, why](eth::RpcResult<std::optional<eth::Receipt>> r) {
            auto self = weak.lock();
            if (!self || !self->alive) {
              return;
            }
            if (!r.ok()) {
              state->failed = true;
            } else if (r.value() && !state->receipt) {
              state->receipt = r.value();
            }
            if (--state->outstanding != 0) {
              return;
            }
            job->busy = false;
            if (job->finished) {
              return;
            }
            if (state->receipt) {
              self->mined(job, *state->receipt);
            } else if (!state->failed) {
              self->lost_nonce(job, why);
            }
            // On a failed poll the next tick polls again.
          });
    }
  }

  // Sends the last signed transaction again, unchanged.
  void resend(const JobPtr &job) {
    job->busy = true;
    job->last_sent_us = g_get_monotonic_time();
    std::weak_ptr<Impl> weak = shared_from_this();
    rpc.send_raw_transaction(job->raw, [weak, job](eth::RpcResult<Hash32> r) {
      auto self = weak.lock();
      if (!self || !self->alive) {
        return;
      }
      job->busy = false;
      if (job->finished) {
        return;
      }
      if (r.ok() || already_known(r.error())) {
        job->unsure = false;
        return;
      }
      const eth::RpcError &e = r.error();
      if (nonce_used(e)) {
        self->nonce_taken(job, e.message);
        return;
      }
      if (ChainError::from_rpc(e, "").kind == ChainError::Kind::kUnavailable) {
        return;  // the next interval sends again
      }
      if (e.kind != eth::RpcError::Kind::kRpc) {
        return;
      }
      // Refused: some nodes check fees before noticing they hold the transaction already, so
      // only the node's word that it has none of the job's ends the job.
      ChainError err = self->rejection(job, e);
      err.tx_hash = job->hashes.back();
      job->busy = true;
      self->node_has(job->hashes, [self = self.get(), job, err](std::optional<bool> has) {
        job->busy = false;
        if (job->finished || !has) {
          return;
        }
        if (*has) {
          job->unsure = false;
          return;
        }
        // Nothing of the job's holds the nonce: the node's count says what the next send uses.
        self->next_nonce.reset();
        self->finish(job, err);
      });
    });
  }

  void replace(const JobPtr &job) {
    job->busy = true;
    quote(job, [this, job](std::optional<ChainError> err, Fees now) {
      job->busy = false;
      if (job->finished) {
        return;
      }
      if (err) {
        // Fees over the cap now (or no answer) may pass: the replacement waits an interval,
        // and what was sent is sent again meanwhile.
        resend(job);
        return;
      }
      std::optional<Fees> raised =
          replacement_fees(job->fees, now, config.fee_bump_percent, config.max_fee_cap);
      if (!raised) {
        g_message("%s: cannot replace %s within the max fee cap; waiting for it to be mined",
                  job->call.what.c_str(), to_hex(job->hashes.back()).c_str());
        job->can_replace = false;
        resend(job);
        return;
      }
      Fees old = job->fees;
      job->fees = *raised;
      eth::SignedTx signed_tx = sign_job(job);
      job->busy = true;
      job->last_sent_us = g_get_monotonic_time();
      std::weak_ptr<Impl> weak = shared_from_this();
      rpc.send_raw_transaction(
          signed_tx.raw, [weak, job, old, signed_tx](eth::RpcResult<Hash32> r) {
            auto self = weak.lock();
            if (!self || !self->alive) {
              return;
            }
            job->busy = false;
            if (job->finished) {
              return;
            }
            bool lost_answer = !r.ok() && ChainError::from_rpc(r.error(), "").kind ==
                                              ChainError::Kind::kUnavailable;
            if (r.ok() || already_known(r.error()) || lost_answer) {
              // A replacement whose answer was lost may be in the pool: it is followed like
              // the others, and sent again until the node says.
              job->replacements += 1;
              job->hashes.push_back(signed_tx.hash);
              job->raw = signed_tx.raw;
              job->unsure = lost_answer;
              self->announce(job, signed_tx.hash);
              return;
            }
            job->fees = old;
            const eth::RpcError &e = r.error();
            if (nonce_used(e)) {
              // Most likely one of ours was mined meanwhile.
              self->nonce_taken(job, e.message);
              return;
            }
            // Refused (underpriced for this node, say): keep waiting for what was sent.
            job->can_replace = false;
          });
    });
  }
};

TxManager::TxManager(eth::RpcClient &rpc, crypto::PrivateKey key, TxConfig config)
    : impl_(std::make_shared<Impl>(rpc, std::move(key), std::move(config))) {}

TxManager::~TxManager() {
  impl_->alive = false;
  for (const JobPtr &job : impl_->mining) {
    job->timer.reset();
  }
}

const Address &TxManager::address() const {
  return impl_->key.address();
}

void TxManager::send(Call call, Callback<eth::Receipt> done,
                     std::function<void(const SentTx &)> on_broadcast) {
  auto job = std::make_shared<Job>();
  job->call = std::move(call);
  job->done = std::move(done);
  job->on_broadcast = std::move(on_broadcast);
  impl_->queue.push_back(job);
  // Start on the next iteration so `done` never runs inside send().
  std::weak_ptr<Impl> weak = impl_;
  post(impl_->context, [weak] {
    if (auto self = weak.lock()) {
      self->pump();
    }
  });
}

void TxManager::set_observer(std::function<void(const SentTx &)> observer) {
  impl_->observer = std::move(observer);
}

size_t TxManager::pending() const {
  return impl_->queue.size() + impl_->mining.size();
}

}  // namespace lp::chain
