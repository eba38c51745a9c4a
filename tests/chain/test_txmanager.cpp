// The transaction manager against anvil: nonces in send order, reverts caught before anything
// is sent, fees within the cap, a stuck transaction (anvil stops automining) replaced at the
// same nonce with raised fees, a transaction that fails once mined (its target's code swapped
// while it waits), and nonce recovery when another sender used the account.
#include <atomic>

#include "chain_fixture.h"
#include "util/json.h"

namespace lp {
namespace {

using chain::ChainError;
using eth::U256;
using test::ether_milli;

class TxManagerTest : public test::ChainTest {
 protected:
  uint64_t nonce_of(const crypto::Address &a) {
    auto r = test::await_rpc<uint64_t>([&](eth::RpcClient::Callback<uint64_t> cb) {
      rpc().get_transaction_count(a, eth::BlockTag::latest(), cb);
    });
    EXPECT_TRUE(r.ok());
    return r.ok() ? r.value() : 0;
  }
  // A manager whose node is reached through `proxy`.
  std::unique_ptr<chain::TxManager> proxied(test::RpcProxy &proxy, const crypto::PrivateKey &key,
                                            chain::TxConfig config = {}) {
    clients_.push_back(
        std::make_unique<eth::RpcClient>(eth::RpcClient::Options{proxy.url(), 20000}));
    config.receipt_poll_ms = 20;
    return std::make_unique<chain::TxManager>(
        *clients_.back(), crypto::PrivateKey::from_bytes(key.secret().view()), config);
  }
  void TearDown() override {
    clients_.clear();
    ChainTest::TearDown();
  }
  std::vector<std::unique_ptr<eth::RpcClient>> clients_;

  std::optional<eth::Receipt> receipt_of(const Hash32 &h) {
    auto r = test::await_rpc<std::optional<eth::Receipt>>(
        [&](eth::RpcClient::Callback<std::optional<eth::Receipt>> cb) {
          rpc().get_transaction_receipt(h, cb);
        });
    EXPECT_TRUE(r.ok());
    return r.ok() ? r.value() : std::nullopt;
  }
};

TEST_F(TxManagerTest, ConcurrentSendsGetConsecutiveNonces) {
  auto key = new_account(ether_milli(10000));
  auto tx = manager(key);
  std::vector<chain::SentTx> sent;
  tx->set_observer([&](const chain::SentTx &s) { sent.push_back(s); });
  std::vector<std::optional<chain::Result<eth::Receipt>>> results(5);
  crypto::Address to = crypto::PrivateKey::generate().address();
  for (size_t i = 0; i < results.size(); ++i) {
    chain::Call c{to, {}, U256(i + 1), "transfer"};
    tx->send(c, [&results, i](chain::Result<eth::Receipt> r) { results[i].emplace(r); });
  }
  ASSERT_TRUE(test::run_until([&] {
    for (auto &r : results) {
      if (!r) {
        return false;
      }
    }
    return true;
  }));
  for (auto &r : results) {
    ASSERT_TRUE(r->ok()) << r->error().message;
  }
  ASSERT_EQ(sent.size(), 5u);
  for (size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(sent[i].nonce, i);
    EXPECT_EQ(sent[i].attempt, 0u);
  }
  EXPECT_EQ(eth_balance(to), U256(1 + 2 + 3 + 4 + 5));
  EXPECT_EQ(tx->pending(), 0u);
}

TEST_F(TxManagerTest, ARevertIsReportedWithItsReasonAndNothingIsSent) {
  auto key = new_account(ether_milli(10000));
  auto tx = manager(key);
  uint64_t before = nonce_of(key.address());
  ChainError e = send_fails(*tx, bonding().unbond(U256(1)));
  EXPECT_EQ(e.kind, ChainError::Kind::kRevert);
  EXPECT_EQ(e.revert_reason, "caller must be bonded");
  EXPECT_EQ(e.message, "BondingManager.unbond: reverted: caller must be bonded");
  EXPECT_EQ(nonce_of(key.address()), before);
  // The next transaction takes the nonce the failed one did not use.
  eth::Receipt r = send(*tx, broker().fund_deposit(U256(1)));
  EXPECT_TRUE(r.status);
  EXPECT_EQ(nonce_of(key.address()), before + 1);
}

TEST_F(TxManagerTest, FeesStayWithinTheCap) {
  auto key = new_account(ether_milli(10000));
  chain::TxConfig tight;
  tight.max_fee_cap = U256(1);
  auto tx = manager(key, tight);
  ChainError e = send_fails(*tx, broker().fund_deposit(U256(1)));
  EXPECT_EQ(e.kind, ChainError::Kind::kFeeCap);
  EXPECT_TRUE(e.retryable());
  EXPECT_NE(e.message.find("max fee cap of 1 wei"), std::string::npos) << e.message;
  EXPECT_EQ(nonce_of(key.address()), 0u);

  // A cap above the base fee but below what would be offered: the offer is the cap.
  std::optional<eth::Block> head;
  auto b = test::await_rpc<std::optional<eth::Block>>(
      [&](eth::RpcClient::Callback<std::optional<eth::Block>> cb) {
        rpc().get_block_by_number(eth::BlockTag::latest(), cb);
      });
  ASSERT_TRUE(b.ok() && b.value() && b.value()->base_fee_per_gas);
  U256 base = *b.value()->base_fee_per_gas;
  chain::TxConfig capped;
  capped.max_fee_cap = base + base / U256(2);
  auto tx2 = manager(key, capped);
  std::vector<chain::SentTx> sent;
  tx2->set_observer([&](const chain::SentTx &s) { sent.push_back(s); });
  send(*tx2, broker().fund_deposit(U256(1)));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].max_fee_per_gas, capped.max_fee_cap);
  EXPECT_LE(sent[0].max_priority_fee_per_gas, capped.max_fee_cap - base);
}

TEST_F(TxManagerTest, AStuckTransactionIsReplacedAtTheSameNonce) {
  auto key = new_account(ether_milli(10000));
  chain::TxConfig config;
  config.replace_after_ms = 200;
  config.max_replacements = 1;
  auto tx = manager(key, config);
  std::vector<chain::SentTx> sent;
  tx->set_observer([&](const chain::SentTx &s) { sent.push_back(s); });

  automine(false);
  std::optional<chain::Result<eth::Receipt>> result;
  tx->send(broker().fund_deposit(ether_milli(1)),
           [&](chain::Result<eth::Receipt> r) { result.emplace(r); });
  // Nothing is mined, so after replace_after_ms the manager sends a replacement.
  ASSERT_TRUE(test::run_until([&] { return sent.size() == 2; }, 10000));
  EXPECT_FALSE(result.has_value());
  EXPECT_EQ(sent[1].attempt, 1u);
  EXPECT_EQ(sent[1].nonce, sent[0].nonce);
  EXPECT_NE(sent[1].hash, sent[0].hash);
  // Both fees rise by at least the 10% nodes require of a replacement.
  EXPECT_GE(sent[1].max_fee_per_gas.mpz() * 100, sent[0].max_fee_per_gas.mpz() * 110);
  EXPECT_GE(sent[1].max_priority_fee_per_gas.mpz() * 100,
            sent[0].max_priority_fee_per_gas.mpz() * 110);

  mine(1);
  ASSERT_TRUE(test::run_until([&] { return result.has_value(); }, 10000));
  ASSERT_TRUE(result->ok()) << result->error().message;
  // The replacement was mined; the original was dropped for it.
  EXPECT_EQ(result->value().transaction_hash, sent[1].hash);
  EXPECT_FALSE(receipt_of(sent[0].hash).has_value());
  EXPECT_EQ(nonce_of(key.address()), sent[0].nonce + 1);
  EXPECT_EQ(read(broker().get_sender_info(key.address())).deposit, ether_milli(1));
  EXPECT_EQ(sent.size(), 2u);  // max_replacements is 1
}

TEST_F(TxManagerTest, AFeeCapHitDoesNotStopReplacementForGood) {
  // For a while the node reports a base fee above the cap (anvil itself would drop the waiting
  // transaction from its pool if a block really had such a base fee).
  test::RpcProxy proxy(url());
  std::atomic<bool> fees_high{false};
  const std::string high = U256(150'000'000'000).to_hex();
  proxy.set_hook([&](const test::RpcProxy::Request &req, const test::RpcProxy::Forward &forward)
                     -> std::optional<test::RpcProxy::Reply> {
    if (!fees_high || req.method != "eth_getBlockByNumber") {
      return std::nullopt;
    }
    test::RpcProxy::Reply reply = forward();
    JsonNodePtr doc = json::parse(reply.body);
    JsonObject *block = json_object_get_object_member(json_node_get_object(doc.get()), "result");
    json_object_set_string_member(block, "baseFeePerGas", high.c_str());
    reply.body = json::stringify(doc.get());
    return reply;
  });
  auto key = new_account(ether_milli(10000));
  chain::TxConfig config;
  config.max_fee_cap = U256(100'000'000'000);  // 100 gwei
  config.replace_after_ms = 200;
  config.max_replacements = 1;
  auto tx = proxied(proxy, key, config);
  std::vector<chain::SentTx> sent;
  tx->set_observer([&](const chain::SentTx &s) { sent.push_back(s); });
  automine(false);
  std::optional<chain::Result<eth::Receipt>> result;
  tx->send(broker().fund_deposit(U256(1)),
           [&](chain::Result<eth::Receipt> r) { result.emplace(r); });
  ASSERT_TRUE(test::run_until([&] { return sent.size() == 1; }));
  fees_high = true;
  test::run_until([] { return false; }, 700);
  EXPECT_EQ(sent.size(), 1u) << "no replacement can be priced under the cap";
  fees_high = false;
  ASSERT_TRUE(test::run_until([&] { return sent.size() == 2; }, 10000));
  EXPECT_EQ(sent[1].nonce, sent[0].nonce);
  EXPECT_LE(sent[1].max_fee_per_gas, config.max_fee_cap);
  mine(1);
  ASSERT_TRUE(test::run_until([&] { return result.has_value(); }, 10000));
  ASSERT_TRUE(result->ok()) << result->error().message;
  EXPECT_EQ(result->value().transaction_hash, sent[1].hash);
}

TEST_F(TxManagerTest, ATransactionThatFailsWhenMinedReportsItsHash) {
  auto key = new_account(ether_milli(10000));
  auto tx = manager(key);
  // A contract that succeeds when the call is estimated and reverts by the time it is mined:
  // its code is swapped (anvil_setCode) while the transaction waits in the pool.
  crypto::Address target = crypto::PrivateKey::generate().address();
  raw("anvil_setCode", {target.lower_hex(), "0x00"});  // STOP
  automine(false);
  std::optional<chain::Result<eth::Receipt>> result;
  size_t broadcast = 0;
  tx->set_observer([&](const chain::SentTx &) { ++broadcast; });
  tx->send(chain::Call{target, {}, U256(), "target"},
           [&](chain::Result<eth::Receipt> r) { result.emplace(r); });
  ASSERT_TRUE(test::run_until([&] { return broadcast == 1; }, 10000));
  raw("anvil_setCode", {target.lower_hex(), "0x60006000fd"});  // REVERT(0, 0)
  mine(1);
  ASSERT_TRUE(test::run_until([&] { return result.has_value(); }, 10000));
  ASSERT_FALSE(result->ok());
  EXPECT_EQ(result->error().kind, ChainError::Kind::kTxFailed);
  EXPECT_FALSE(result->error().retryable());
  EXPECT_NE(result->error().message.find("transaction failed"), std::string::npos);
  auto r = receipt_of(result->error().tx_hash);
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->status);
}

TEST_F(TxManagerTest, AnotherSenderOnTheSameAccountIsRecoveredFrom) {
  auto key = new_account(ether_milli(10000));
  auto a = manager(key);
  auto b = manager(key);
  send(*a, broker().fund_deposit(U256(1)));  // a now counts nonce 1 as next
  send(*b, broker().fund_deposit(U256(1)));  // b reads nonce 1 from the chain and uses it
  eth::Receipt r = send(*a, broker().fund_deposit(U256(1)));  // a's nonce 1 is stale
  EXPECT_TRUE(r.status);
  EXPECT_EQ(nonce_of(key.address()), 3u);
  EXPECT_EQ(read(broker().get_sender_info(key.address())).deposit, U256(3));
}

TEST_F(TxManagerTest, AlreadyKnownMeansOurTransactionWasSent) {
  // The node takes the transaction but its answer is "already known", as when an earlier send
  // of the same bytes reached it: that is our transaction, not a reason to sign another.
  test::RpcProxy proxy(url());
  std::atomic<int> sends{0};
  proxy.set_hook(
      [&](const test::RpcProxy::Request &req,
          const test::RpcProxy::Forward &forward) -> std::optional<test::RpcProxy::Reply> {
        if (req.method != "eth_sendRawTransaction" || sends++ > 0) {
          return std::nullopt;
        }
        forward();
        return test::RpcProxy::error(req, -32000, "already known");
      });
  auto key = new_account(ether_milli(10000));
  auto tx = proxied(proxy, key);
  std::vector<chain::SentTx> sent;
  tx->set_observer([&](const chain::SentTx &s) { sent.push_back(s); });
  eth::Receipt r = send(*tx, broker().fund_deposit(U256(1)));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(r.transaction_hash, sent[0].hash);
  EXPECT_EQ(sends.load(), 1);
  EXPECT_EQ(nonce_of(key.address()), 1u);
  EXPECT_EQ(read(broker().get_sender_info(key.address())).deposit, U256(1));
}

TEST_F(TxManagerTest, AnUnderpricedReplacementMovesToTheNextFreeNonce) {
  auto key = new_account(ether_milli(10000));
  auto a = manager(key);
  auto b = manager(key);
  send(*b, broker().fund_deposit(U256(1)));  // b counts nonce 1 as next
  automine(false);
  // a takes nonce 1 and waits in the pool; b's other call at nonce 1 and the same fees is an
  // underpriced replacement of a's transaction.
  std::optional<chain::Result<eth::Receipt>> ra, rb;
  size_t a_sent = 0;
  a->set_observer([&](const chain::SentTx &) { ++a_sent; });
  a->send(broker().fund_deposit(U256(1)), [&](chain::Result<eth::Receipt> r) { ra.emplace(r); });
  ASSERT_TRUE(test::run_until([&] { return a_sent == 1; }));
  std::vector<chain::SentTx> b_sent;
  b->set_observer([&](const chain::SentTx &s) { b_sent.push_back(s); });
  b->send(broker().fund_deposit(U256(2)), [&](chain::Result<eth::Receipt> r) { rb.emplace(r); });
  ASSERT_TRUE(test::run_until([&] { return !b_sent.empty() || rb.has_value(); }));
  ASSERT_FALSE(rb.has_value()) << rb->error().message;
  EXPECT_EQ(b_sent[0].nonce, 2u);
  mine(1);
  ASSERT_TRUE(test::run_until([&] { return ra.has_value() && rb.has_value(); }));
  ASSERT_TRUE(ra->ok()) << ra->error().message;
  ASSERT_TRUE(rb->ok()) << rb->error().message;
  EXPECT_EQ(nonce_of(key.address()), 3u);
  EXPECT_EQ(read(broker().get_sender_info(key.address())).deposit, U256(4));
}

TEST_F(TxManagerTest, ARefusedNonceOrSendIsNotRepeated) {
  test::RpcProxy proxy(url());
  std::atomic<int> sends{0};
  proxy.set_hook([&](const test::RpcProxy::Request &req,
                     const test::RpcProxy::Forward &) -> std::optional<test::RpcProxy::Reply> {
    if (req.method != "eth_sendRawTransaction") {
      return std::nullopt;
    }
    int n = sends++;
    if (n == 0) {
      // A node that refuses nonce gaps (Arbitrum's sequencer) after it lost what we counted.
      return test::RpcProxy::error(req, -32000, "nonce too high");
    }
    if (n == 2) {
      return test::RpcProxy::error(req, -32000, "rejected by the node's policy");
    }
    return std::nullopt;
  });
  auto key = new_account(ether_milli(10000));
  auto tx = proxied(proxy, key);
  // "nonce too high": the count is read again and the same call sent at it.
  send(*tx, broker().fund_deposit(U256(1)));
  EXPECT_EQ(proxy.count("eth_getTransactionCount"), 2u);
  // Any other refusal fails the call, and the next send asks the node for the nonce again.
  ChainError e = send_fails(*tx, broker().fund_deposit(U256(1)));
  EXPECT_EQ(e.kind, ChainError::Kind::kRejected) << e.message;
  send(*tx, broker().fund_deposit(U256(1)));
  EXPECT_EQ(proxy.count("eth_getTransactionCount"), 3u);
  EXPECT_EQ(nonce_of(key.address()), 2u);
}

TEST_F(TxManagerTest, ASendWhoseAnswerWasLostIsLookedUpNotAbandoned) {
  // The node takes the transaction and the connection drops before its answer: the manager
  // asks for it by hash, finds it, and waits for its receipt.
  test::RpcProxy proxy(url());
  std::atomic<int> sends{0};
  std::atomic<int> lookups{0};
  proxy.set_hook(
      [&](const test::RpcProxy::Request &req,
          const test::RpcProxy::Forward &forward) -> std::optional<test::RpcProxy::Reply> {
        if (req.method == "eth_sendRawTransaction") {
          int n = sends++;
          if (n == 0) {
            forward();
            return test::RpcProxy::lost();
          }
          if (n == 1) {
            return test::RpcProxy::lost();  // lost on the way: the node never has it
          }
        }
        if (req.method == "eth_getTransactionByHash" && lookups++ == 1) {
          return test::RpcProxy::lost();  // and the node cannot be asked either
        }
        return std::nullopt;
      });
  auto key = new_account(ether_milli(10000));
  chain::TxConfig config;
  config.resend_unsure_ms = 100;
  auto tx = proxied(proxy, key, config);
  std::vector<chain::SentTx> sent;
  tx->set_observer([&](const chain::SentTx &s) { sent.push_back(s); });
  eth::Receipt r = send(*tx, broker().fund_deposit(U256(1)));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(r.transaction_hash, sent[0].hash);
  EXPECT_EQ(nonce_of(key.address()), 1u);

  // Second call: the send and the lookup both fail, so nothing is known; the nonce stays the
  // call's and the same transaction is sent again until the node has it.
  eth::Receipt r2 = send(*tx, broker().fund_deposit(U256(1)));
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(r2.transaction_hash, sent[1].hash);
  EXPECT_EQ(sent[1].nonce, 1u);
  EXPECT_GE(sends.load(), 3);
  EXPECT_EQ(nonce_of(key.address()), 2u);
  EXPECT_EQ(read(broker().get_sender_info(key.address())).deposit, U256(2));
}

TEST_F(TxManagerTest, ATimedOutTransactionKeepsItsNonceUntilMined) {
  auto key = new_account(ether_milli(10000));
  chain::TxConfig config;
  config.mine_timeout_ms = 300;
  config.replace_after_ms = 100;
  config.max_replacements = 0;
  auto tx = manager(key, config);
  std::vector<chain::SentTx> sent;
  tx->set_observer([&](const chain::SentTx &s) { sent.push_back(s); });
  automine(false);
  ChainError e = send_fails(*tx, broker().fund_deposit(U256(1)));
  EXPECT_EQ(e.kind, ChainError::Kind::kTimeout) << e.message;
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(e.tx_hash, sent[0].hash);
  // Still followed after the timeout was reported: when the node drops it, it is sent again.
  EXPECT_EQ(tx->pending(), 1u);
  raw("anvil_dropTransaction", {to_hex(sent[0].hash)});
  ASSERT_TRUE(test::run_until([&] {
    return !JSON_NODE_HOLDS_NULL(raw("eth_getTransactionByHash", {to_hex(sent[0].hash)}).get());
  }));
  // The next call takes the next nonce rather than a second transaction at the same one.
  std::optional<chain::Result<eth::Receipt>> next;
  tx->send(broker().fund_deposit(U256(1)), [&](chain::Result<eth::Receipt> r) { next.emplace(r); });
  ASSERT_TRUE(test::run_until([&] { return sent.size() == 2; }));
  EXPECT_EQ(sent[1].nonce, sent[0].nonce + 1);
  mine(1);
  ASSERT_TRUE(test::run_until([&] { return next.has_value() && tx->pending() == 0; }));
  ASSERT_TRUE(next->ok()) << next->error().message;
  auto first = receipt_of(sent[0].hash);
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(first->status);
  EXPECT_EQ(nonce_of(key.address()), 2u);
  EXPECT_EQ(read(broker().get_sender_info(key.address())).deposit, U256(2));
}

TEST_F(TxManagerTest, AnAccountWithoutEtherIsRejectedInWords) {
  auto tx = manager(crypto::PrivateKey::generate());
  ChainError e = send_fails(*tx, broker().fund_deposit(U256(1)));
  EXPECT_TRUE(e.kind == ChainError::Kind::kRejected || e.kind == ChainError::Kind::kRevert)
      << e.message;
  EXPECT_NE(e.message.find("the account " + tx->address().checksummed() +
                           " cannot pay for gas and value"),
            std::string::npos)
      << e.message;
}

// The largest uint256, as a node would send a quantity.
const std::string kHugeQuantity = "\"0x" + std::string(64, 'f') + "\"";

TEST_F(TxManagerTest, AHostileNodesHugeFeesFailTheSendAndNothingThrows) {
  // A base fee and tip at 2^256 - 1: twice the base fee plus the tip leaves uint256. The
  // arithmetic runs inside libsoup's callback, where an exception would end the process.
  test::RpcProxy proxy(url());
  proxy.set_hook([](const test::RpcProxy::Request &req, const test::RpcProxy::Forward &forward)
                     -> std::optional<test::RpcProxy::Reply> {
    if (req.method == "eth_maxPriorityFeePerGas") {
      return test::RpcProxy::result(req, kHugeQuantity);
    }
    if (req.method != "eth_getBlockByNumber") {
      return std::nullopt;
    }
    test::RpcProxy::Reply reply = forward();
    JsonNodePtr doc = json::parse(reply.body);
    JsonObject *block = json_object_get_object_member(json_node_get_object(doc.get()), "result");
    json_object_set_string_member(block, "baseFeePerGas", ("0x" + std::string(64, 'f')).c_str());
    reply.body = json::stringify(doc.get());
    return reply;
  });
  auto key = new_account(ether_milli(10000));
  eth::RpcClient rpc(eth::RpcClient::Options{proxy.url(), 20000});
  chain::TxConfig fast;
  fast.receipt_poll_ms = 20;
  chain::TxManager tx(rpc, crypto::PrivateKey::from_bytes(key.secret().view()), fast);
  // No cap: the offer saturates at 2^256 - 1 and the node refuses an account that cannot pay it.
  ChainError e = send_fails(tx, broker().fund_deposit(U256(1)));
  EXPECT_EQ(e.kind, ChainError::Kind::kRejected) << e.message;

  chain::TxConfig capped = fast;
  capped.max_fee_cap = U256(1000000000);
  chain::TxManager tx2(rpc, crypto::PrivateKey::from_bytes(key.secret().view()), capped);
  e = send_fails(tx2, broker().fund_deposit(U256(1)));
  EXPECT_EQ(e.kind, ChainError::Kind::kFeeCap) << e.message;
  EXPECT_EQ(nonce_of(key.address()), 0u);
}

}  // namespace
}  // namespace lp
