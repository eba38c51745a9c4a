// A protocol deployed on a fresh anvil for each test program, reset between tests with anvil's
// snapshots (evm_snapshot / evm_revert), so every test starts from the same chain: contracts
// deployed, round 1 initialized, the deployer holding all LPT. Accounts are fresh keys funded
// with anvil_setBalance. Asynchronous chain calls are awaited by running the test's main
// context until their callback fires.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "chain/bindings.h"
#include "chain/deploy.h"
#include "chain/reader.h"
#include "chain/result.h"
#include "chain/txmanager.h"
#include "crypto/ecdsa.h"
#include "pm/ticket.h"
#include "support.h"

namespace lp::test {

// Runs the thread-default context until `start`'s callback has run (or the time is up).
template <typename T>
chain::Result<T> await_chain(const std::function<void(chain::Callback<T>)> &start,
                             unsigned timeout_ms = 60000) {
  std::optional<chain::Result<T>> result;
  start([&](chain::Result<T> r) { result.emplace(std::move(r)); });
  gint64 deadline = g_get_monotonic_time() + static_cast<gint64>(timeout_ms) * 1000;
  GMainContext *ctx = g_main_context_get_thread_default();
  while (!result && g_get_monotonic_time() < deadline) {
    g_main_context_iteration(ctx, TRUE);
  }
  if (!result) {
    return chain::ChainError::make(chain::ChainError::Kind::kTimeout,
                                   "test gave up waiting for the callback");
  }
  return std::move(*result);
}

// Iterates the context until `done()` holds or the time is up; returns done().
bool run_until(const std::function<bool()> &done, unsigned timeout_ms = 30000);

// The chain parameters every chain test deploys with: rounds long enough for a test's
// transactions (one block each) to fit in one, passed by mining (anvil_mine) when a test needs.
chain::DeployConfig test_deploy_config();

class ChainTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;
  void TearDown() override;

  static const std::string &url();
  static const chain::ContractAddresses &contracts();
  static const chain::DeployConfig &deploy_config();

  eth::RpcClient &rpc() { return *rpc_; }
  const chain::Reader &reader() { return *reader_; }

  // The deployer (anvil's first account), owner of the Controller and of all LPT.
  chain::TxManager &deployer() { return *deployer_; }
  // A fresh account with `eth` wei of ETH (and `lpt` LPT from the deployer).
  crypto::PrivateKey new_account(const eth::U256 &eth, const eth::U256 &lpt = eth::U256());
  std::unique_ptr<chain::TxManager> manager(const crypto::PrivateKey &key,
                                            chain::TxConfig config = {});

  // A JSON-RPC call with string parameters (anvil_*, evm_*).
  JsonNodePtr raw(const std::string &method, const std::vector<std::string> &params = {});
  void mine(uint64_t blocks);
  // Off: transactions wait in anvil's pool until mine() (TearDown turns it back on).
  void automine(bool on);
  uint64_t block_number();
  // Mines to the start of the next round(s) and initializes the round reached.
  void next_round(unsigned rounds = 1);
  eth::U256 current_round();
  eth::U256 eth_balance(const crypto::Address &a);

  template <typename T>
  T read(const chain::Query<T> &q) {
    auto r = await_chain<T>([&](chain::Callback<T> cb) { reader_->read<T>(q, cb); });
    if (!r.ok()) {
      ADD_FAILURE() << r.error().message;
      throw Error(r.error().message);
    }
    return std::move(r.value());
  }
  // Sends and expects success.
  eth::Receipt send(chain::TxManager &tx, chain::Call call);
  // Sends and expects a failure; returns it.
  chain::ChainError send_fails(chain::TxManager &tx, chain::Call call);
  // Approves and bonds `amount` LPT from `who` to `to`.
  void bond(chain::TxManager &who, const eth::U256 &amount, const crypto::Address &to);

  chain::BondingManager bonding() const {
    return chain::BondingManager(contracts().bonding_manager);
  }
  chain::TicketBroker broker() const { return chain::TicketBroker(contracts().ticket_broker); }
  chain::RoundsManager rounds() const { return chain::RoundsManager(contracts().rounds_manager); }
  chain::LivepeerToken token() const { return chain::LivepeerToken(contracts().token); }
  chain::ServiceRegistry registry() const {
    return chain::ServiceRegistry(contracts().service_registry);
  }

 private:
  std::unique_ptr<MainContextScope> scope_;
  std::unique_ptr<eth::RpcClient> rpc_;
  std::unique_ptr<chain::Reader> reader_;
  std::unique_ptr<chain::TxManager> deployer_;
  std::string snapshot_;
};

// A JSON-RPC proxy in front of a node, serving on its own thread, for what anvil does not do by
// itself: lose the connection after taking a transaction, answer "already known" or "nonce too
// high", or return hostile values. Requests pass through unchanged unless the hook answers them.
class RpcProxy {
 public:
  struct Request {
    std::string method;
    std::string id;      // as JSON text
    std::string params;  // as JSON text
    std::string body;
  };
  struct Reply {
    unsigned status = 200;
    std::string body;
    // Held back this long (longer than the client waits: a timeout); other requests are
    // answered meanwhile.
    unsigned delay_ms = 0;
  };
  using Forward = std::function<Reply()>;
  // Runs on the proxy's thread; nullopt passes the request on. `forward` may be called first.
  using Hook = std::function<std::optional<Reply>(const Request &, const Forward &forward)>;

  explicit RpcProxy(std::string upstream);
  ~RpcProxy();
  RpcProxy(const RpcProxy &) = delete;
  RpcProxy &operator=(const RpcProxy &) = delete;

  void set_hook(Hook hook);
  const std::string &url() const { return url_; }
  size_t count(const std::string &method) const;

  // Replies for hooks: a JSON-RPC result (JSON text) or error object for `request`.
  static Reply result(const Request &request, const std::string &result_json);
  static Reply error(const Request &request, int code, const std::string &message);
  // A connection lost after the node took the request: no JSON-RPC answer at all.
  static Reply lost() { return Reply{502, "", 0}; }

  struct State;

 private:
  std::shared_ptr<State> state_;
  std::thread thread_;
  std::string url_;
};

eth::U256 lpt(uint64_t whole);
eth::U256 ether_milli(uint64_t milli);

// A ticket from `sender` to `recipient` that wins (winProb at its maximum), created in `round`,
// signed, with a fresh recipientRand.
pm::SignedTicket winning_ticket(const crypto::PrivateKey &sender, const crypto::Address &recipient,
                                const eth::U256 &face_value, uint32_t nonce, const eth::U256 &round,
                                const Hash32 &round_hash);

}  // namespace lp::test
