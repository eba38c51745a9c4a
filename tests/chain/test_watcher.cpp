// The block and round watcher and the caches it keeps fresh: new rounds update the node's
// ChainTime, sender funding and unlocks reach the broker cache and the sender monitor (whose
// max float follows the reserve), pool changes the pool size, and a watcher that fell behind
// catches up in bounded log ranges without missing events.
#include <atomic>

#include "chain/services.h"
#include "chain_fixture.h"
#include "pm/sendermonitor.h"

namespace lp {
namespace {

using eth::U256;
using test::ether_milli;
using test::lpt;

class Watcher : public test::ChainTest {
 protected:
  std::unique_ptr<chain::ChainServices> start(const crypto::PrivateKey &key,
                                              uint64_t max_log_blocks = 2000,
                                              const std::string &rpc_url = "") {
    chain::ChainConfig config;
    config.rpc_url = rpc_url.empty() ? url() : rpc_url;
    config.controller = contracts().controller;
    config.tx.receipt_poll_ms = 20;
    config.watcher.poll_ms = 50;
    config.watcher.max_log_blocks = max_log_blocks;
    auto s = std::make_unique<chain::ChainServices>(
        config, crypto::PrivateKey::from_bytes(key.secret().view()));
    auto r = test::await_chain<chain::Unit>([&](chain::Callback<chain::Unit> cb) { s->start(cb); });
    EXPECT_TRUE(r.ok()) << r.error().message;
    return s;
  }
  // An orchestrator with 10 LPT bonded to itself, active from the round this starts.
  crypto::PrivateKey bonded_orchestrator() {
    crypto::PrivateKey key = new_account(ether_milli(10000), lpt(10));
    auto o = manager(key);
    bond(*o, lpt(10), o->address());
    next_round();
    return key;
  }
  void poll(chain::ChainServices &s) {
    auto r = test::await_chain<chain::Unit>(
        [&](chain::Callback<chain::Unit> cb) { s.watcher().poll_now(cb); });
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
};

TEST_F(Watcher, NewRoundsUpdateChainTime) {
  auto s = start(crypto::PrivateKey::generate());
  U256 round = current_round();
  EXPECT_EQ(s->watcher().last_initialized_round(), round);
  EXPECT_EQ(s->watcher().last_initialized_block_hash(), read(rounds().block_hash_for_round(round)));
  EXPECT_EQ(s->watcher().last_seen_block(), U256(block_number()));

  std::vector<U256> heard;
  s->watcher().on_new_round([&](const U256 &r, const Hash32 &) { heard.push_back(r); });
  next_round();
  poll(*s);
  ASSERT_EQ(heard.size(), 1u);
  EXPECT_EQ(heard[0], round + 1);
  EXPECT_EQ(s->watcher().last_initialized_round(), round + 1);
  EXPECT_EQ(s->watcher().last_initialized_block_hash(),
            read(rounds().block_hash_for_round(round + 1)));
  EXPECT_EQ(s->watcher().last_seen_block(), U256(block_number()));
}

TEST_F(Watcher, SenderEventsReachTheCacheAndTheMonitor) {
  // An orchestrator so that the pool has one member and reserves have an owner.
  auto o_key = bonded_orchestrator();
  auto b = manager(new_account(ether_milli(10000)));
  send(*b, broker().fund_reserve(ether_milli(100)));

  auto s = start(o_key);
  pm::SenderMonitor monitor(s->address(), s->broker(), s->watcher());
  s->broker().set_listener([&](const crypto::Address &a) { monitor.on_sender_changed(a); });
  s->broker().set_pool_listener([&](uint64_t) { monitor.on_new_round(); });
  std::vector<U256> floats;
  monitor.subscribe([&](const crypto::Address &, const U256 &mf) { floats.push_back(mf); });

  // First sight of a sender: a miss answers zeros (no credit) and fetches in the background;
  // the monitor hears when the real values are in.
  EXPECT_TRUE(monitor.max_float(b->address()).is_zero());
  ASSERT_TRUE(test::run_until([&] { return s->broker().cached(b->address()); }));
  ASSERT_TRUE(test::run_until([&] { return !floats.empty(); }));
  EXPECT_EQ(monitor.max_float(b->address()), ether_milli(100));

  // More reserve: the watcher sees ReserveFunded, the cache refetches, the monitor follows.
  send(*b, broker().fund_reserve(ether_milli(50)));
  poll(*s);
  ASSERT_TRUE(test::run_until([&] { return monitor.max_float(b->address()) == ether_milli(150); }))
      << monitor.max_float(b->address()).to_dec();
  // An unlock reaches the cache at once; a round before the funds unlock, the orchestrator
  // stops accepting the sender's tickets.
  send(*b, broker().unlock());
  poll(*s);
  ASSERT_TRUE(test::run_until(
      [&] { return !s->broker().sender_info(b->address()).withdraw_round.is_zero(); }));
  EXPECT_FALSE(monitor.validate_sender(b->address()).has_value());
  next_round();
  poll(*s);
  ASSERT_TRUE(test::run_until([&] { return monitor.validate_sender(b->address()).has_value(); }));

  // A second orchestrator halves everyone's share of the reserve.
  auto o2_key = new_account(ether_milli(10000), lpt(10));
  auto o2 = manager(o2_key);
  send(*b, broker().cancel_unlock());
  bond(*o2, lpt(10), o2->address());
  poll(*s);
  ASSERT_TRUE(test::run_until([&] { return s->broker().transcoder_pool_size() == 2; }));
  ASSERT_TRUE(test::run_until([&] { return monitor.max_float(b->address()) == ether_milli(75); }))
      << monitor.max_float(b->address()).to_dec();
}

// The proxy answers the next getSenderInfo with what the chain holds when it is asked, but
// only `hold_ms` later, as a slow node would: the chain moves on meanwhile.
void hold_next_sender_info(test::RpcProxy &proxy, std::atomic<int> &asked, unsigned hold_ms) {
  proxy.set_hook(
      [&asked, hold_ms](
          const test::RpcProxy::Request &req,
          const test::RpcProxy::Forward &forward) -> std::optional<test::RpcProxy::Reply> {
        if (req.method != "eth_call" || req.params.find("0xe1a589da") == std::string::npos ||
            asked++ > 0) {
          return std::nullopt;
        }
        test::RpcProxy::Reply reply = forward();
        reply.delay_ms = hold_ms;
        return reply;
      });
}

TEST_F(Watcher, AnEventDuringTheFirstReadOfASenderIsNotLost) {
  auto o_key = bonded_orchestrator();
  auto b = manager(new_account(ether_milli(10000)));
  send(*b, broker().fund_reserve(ether_milli(100)));

  test::RpcProxy proxy(url());
  auto s = start(o_key, 2000, proxy.url());
  std::atomic<int> asked{0};
  hold_next_sender_info(proxy, asked, 1500);
  // First sight of the sender: the read starts, and the node takes its time answering.
  EXPECT_TRUE(s->broker().sender_info(b->address()).reserve.funds_remaining.is_zero());
  ASSERT_TRUE(test::run_until([&] { return asked.load() > 0; }));
  // Meanwhile the sender adds to its reserve, and the watcher sees it before the read is in.
  send(*b, broker().fund_reserve(ether_milli(50)));
  poll(*s);
  EXPECT_FALSE(s->broker().cached(b->address())) << "the first read is still under way";
  ASSERT_TRUE(test::run_until(
      [&] {
        return s->broker().sender_info(b->address()).reserve.funds_remaining == ether_milli(150);
      },
      10000))
      << s->broker().sender_info(b->address()).reserve.funds_remaining.to_dec();
}

TEST_F(Watcher, ASlowReadDoesNotOverwriteANewerOne) {
  auto b_key = new_account(ether_milli(10000));
  auto b = manager(b_key);
  send(*b, broker().fund_deposit(ether_milli(100)));
  test::RpcProxy proxy(url());
  auto s = start(crypto::PrivateKey::generate(), 2000, proxy.url());
  std::atomic<int> asked{0};
  hold_next_sender_info(proxy, asked, 1000);
  std::optional<chain::Result<chain::Unit>> slow, fast;
  s->broker().refresh(b->address(), [&](chain::Result<chain::Unit> r) { slow.emplace(r); });
  ASSERT_TRUE(test::run_until([&] { return asked.load() > 0; }));
  send(*b, broker().fund_deposit(ether_milli(1)));
  // A second refresh, after the deposit changed, answered at once by the node.
  s->broker().refresh(b->address(), [&](chain::Result<chain::Unit> r) { fast.emplace(r); });
  ASSERT_TRUE(test::run_until([&] { return slow.has_value() && fast.has_value(); }, 10000));
  ASSERT_TRUE(slow->ok() && fast->ok());
  EXPECT_EQ(s->broker().sender_info(b->address()).deposit, ether_milli(101));
}

TEST_F(Watcher, AReorgIsReadAgainFromWhereItForked) {
  auto s = start(crypto::PrivateKey::generate());
  std::vector<std::string> heard;
  s->watcher().on_event([&](const chain::events::ChainEvent &e) {
    if (e.name == "DepositFunded") {
      heard.push_back(e.name);
    }
  });
  auto b_key = new_account(ether_milli(10000));
  auto b = manager(b_key);
  uint64_t fork = block_number();
  poll(*s);
  std::string snapshot = json_node_get_string(raw("evm_snapshot").get());
  // The branch the watcher sees first: a deposit, then two more blocks.
  send(*b, broker().fund_deposit(U256(1)));
  mine(2);
  poll(*s);
  ASSERT_EQ(heard.size(), 1u);
  ASSERT_EQ(s->watcher().head(), fork + 3);
  // The chain reorganizes from the fork: the deposit on this branch is another one, and the
  // branch is longer, so the watcher only sees blocks past its head to start with.
  raw("evm_revert", {snapshot});
  b = manager(b_key);  // its nonce count belonged to the dropped branch
  send(*b, broker().fund_deposit(U256(2)));
  mine(3);
  poll(*s);
  EXPECT_EQ(heard.size(), 2u) << "the new branch's deposit was heard";
  EXPECT_EQ(s->watcher().head(), block_number());
  EXPECT_EQ(read(broker().get_sender_info(b->address())).deposit, U256(2));

  // A chain that became shorter than the watcher's head is noticed too.
  snapshot = json_node_get_string(raw("evm_snapshot").get());
  mine(5);
  poll(*s);
  raw("evm_revert", {snapshot});
  send(*b, broker().fund_deposit(U256(3)));
  poll(*s);
  EXPECT_EQ(heard.size(), 3u);
  EXPECT_EQ(s->watcher().head(), block_number());
}

TEST_F(Watcher, CatchesUpInBoundedRangesWithoutMissingEvents) {
  auto s = start(crypto::PrivateKey::generate(), 7);
  std::vector<std::string> names;
  s->watcher().on_event([&](const chain::events::ChainEvent &e) { names.push_back(e.name); });
  size_t blocks = 0;
  s->watcher().on_block([&](const eth::Block &) { ++blocks; });
  // Stop the watcher's own polling from running while the chain moves: no iterations here.
  auto b_key = new_account(ether_milli(10000));
  auto b = manager(b_key);
  for (int i = 0; i < 3; ++i) {
    send(*b, broker().fund_deposit(U256(1)));
    mine(10);
  }
  poll(*s);
  ASSERT_TRUE(test::run_until([&] { return s->watcher().head() == block_number(); }));
  EXPECT_EQ(std::count(names.begin(), names.end(), "DepositFunded"), 3);
  EXPECT_GE(blocks, 2u);  // more than one range was needed
}

}  // namespace
}  // namespace lp
