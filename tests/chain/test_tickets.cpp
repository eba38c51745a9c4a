// Tickets end to end on the local chain: a broadcaster funds its deposit and reserve, pays an
// orchestrator with tickets made by pm::Sender from the orchestrator's pm::Recipient params
// (winProb at its maximum, so every ticket wins), the orchestrator's node (chain services,
// sender monitor, redemption queue) redeems them once their params expired; its fees grow by
// the face values and the broadcaster's deposit shrinks by them. Replays, expired tickets, a
// wrong recipientRand and a forged signature revert with Livepeer's reasons, and a redemption
// that failed with a retryable error is retried after a restart.
#include <glib/gstdio.h>

#include "chain/redeemer.h"
#include "chain/services.h"
#include "chain_fixture.h"
#include "pm/queue.h"
#include "pm/recipient.h"
#include "pm/sender.h"
#include "pm/sendermonitor.h"
#include "util/json.h"

namespace lp {
namespace {

using chain::ChainError;
using eth::U256;
using test::ether_milli;
using test::lpt;

// The face value (the recipient's cap) and the EV asked per ticket: one wei less, so winProb
// is max * (1 - 1e-16). A sender refuses winProb = max itself (EV must stay below the face
// value, as in go-livepeer), and this one wins all but once in 10^16 tickets.
const U256 kFace = ether_milli(10);
const U256 kEv = kFace - U256(1);

class Tickets : public test::ChainTest {
 protected:
  void SetUp() override {
    ChainTest::SetUp();
    gchar *dir = g_dir_make_tmp("lp-chain-XXXXXX", nullptr);
    dir_ = dir;
    g_free(dir);
    // The orchestrator: registered, keeping all fees (fee share 0), active from next round.
    o_key_ = new_account(ether_milli(10000), lpt(1000));
    auto o = manager(o_key_);
    bond(*o, lpt(1000), o->address());
    send(*o, bonding().transcoder(U256(), U256()));
    next_round();
    b_key_ = new_account(ether_milli(10000));
  }
  void TearDown() override {
    node_.reset();
    for (const char *f : {"queue.db", "queue.db-wal", "queue.db-shm"}) {
      g_unlink((dir_ + "/" + f).c_str());
    }
    g_rmdir(dir_.c_str());
    ChainTest::TearDown();
  }

  // The orchestrator's node: chain services with its queue and monitor attached.
  struct Node {
    std::unique_ptr<chain::ChainServices> services;
    std::unique_ptr<pm::RedemptionQueue> queue;
    std::unique_ptr<pm::SenderMonitor> monitor;
    std::unique_ptr<pm::Recipient> recipient;
    ~Node() {
      // The services hold callbacks into the queue and monitor: they go first.
      services.reset();
    }
  };
  // `rpc_url`: the node's chain endpoint when not anvil itself (a proxy in front of it).
  void start_node(const std::string &rpc_url = "") {
    node_ = std::make_unique<Node>();
    chain::ChainConfig config;
    config.rpc_url = rpc_url.empty() ? url() : rpc_url;
    config.controller = contracts().controller;
    config.tx = node_tx_;
    config.tx.receipt_poll_ms = 20;
    config.watcher.poll_ms = 50;
    node_->services = std::make_unique<chain::ChainServices>(
        config, crypto::PrivateKey::from_bytes(o_key_.secret().view()));
    auto r = test::await_chain<chain::Unit>(
        [&](chain::Callback<chain::Unit> cb) { node_->services->start(cb); });
    ASSERT_TRUE(r.ok()) << r.error().message;
    node_->queue = pm::RedemptionQueue::open(dir_ + "/queue.db");
    chain::ChainServices &s = *node_->services;
    node_->monitor = std::make_unique<pm::SenderMonitor>(s.address(), s.broker(), s.watcher());
    pm::RecipientConfig rc;
    rc.ev = kEv;
    rc.max_face_value = kFace;
    node_->recipient = std::make_unique<pm::Recipient>(s.address(), rc, *node_->monitor,
                                                       s.watcher(), s.gas(), *node_->queue);
    s.attach_redemption(*node_->queue, *node_->monitor);
  }
  void refresh_sender(const crypto::Address &sender) {
    auto r = test::await_chain<chain::Unit>(
        [&](chain::Callback<chain::Unit> cb) { node_->services->broker().refresh(sender, cb); });
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  void poll() {
    auto r = test::await_chain<chain::Unit>(
        [&](chain::Callback<chain::Unit> cb) { node_->services->watcher().poll_now(cb); });
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  // Mines past the params' expiration and lets the node redeem until nothing is left.
  bool redeem_all() {
    mine(pm::kParamsExpirationBlocks + 1);
    return test::run_until(
        [&] { return node_->queue->unredeemed().empty() && node_->queue->in_flight() == 0; });
  }
  pm::RedeemOutcome redeem_directly(const pm::SignedTicket &t) {
    std::optional<pm::RedeemOutcome> out;
    node_->services->redeemer().redeem(t, [&](pm::RedeemOutcome o) { out = o; });
    test::run_until([&] { return out.has_value(); });
    EXPECT_TRUE(out.has_value());
    return out.value_or(pm::RedeemOutcome{});
  }
  U256 o_fees() { return read(bonding().pending_fees(o_key_.address(), U256())); }
  pm::SignedTicket fresh_ticket(const crypto::PrivateKey &sender, uint32_t nonce) {
    U256 round = current_round();
    return test::winning_ticket(sender, o_key_.address(), kFace, nonce, round,
                                read(rounds().block_hash_for_round(round)));
  }

  std::string dir_;
  chain::TxConfig node_tx_;  // the node's transaction settings, for start_node()
  crypto::PrivateKey o_key_ = crypto::PrivateKey::generate();
  crypto::PrivateKey b_key_ = crypto::PrivateKey::generate();
  std::unique_ptr<Node> node_;
};

TEST_F(Tickets, WinningTicketsAreRedeemedForTheirFaceValue) {
  auto b = manager(b_key_);
  send(*b, broker().fund_deposit_and_reserve(ether_milli(100), ether_milli(500)));
  start_node();
  refresh_sender(b->address());

  // The broadcaster's side, reading the same chain through its own services.
  chain::ChainConfig bc;
  bc.rpc_url = url();
  bc.controller = contracts().controller;
  chain::ChainServices b_node(bc, crypto::PrivateKey::from_bytes(b_key_.secret().view()));
  auto started =
      test::await_chain<chain::Unit>([&](chain::Callback<chain::Unit> cb) { b_node.start(cb); });
  ASSERT_TRUE(started.ok()) << started.error().message;
  auto refreshed = test::await_chain<chain::Unit>(
      [&](chain::Callback<chain::Unit> cb) { b_node.broker().refresh(b->address(), cb); });
  ASSERT_TRUE(refreshed.ok());
  pm::SenderConfig sc;
  sc.max_ticket_ev = kFace;
  sc.max_total_ev = U256(10) * kFace;
  pm::Sender sender(crypto::PrivateKey::from_bytes(b_key_.secret().view()), b_node.watcher(),
                    b_node.broker(), sc);

  pm::TicketParams params = node_->recipient->ticket_params(b->address(), mpq_class(1, 1000));
  EXPECT_EQ(params.face_value, kFace);
  EXPECT_GT(params.win_prob, pm::max_win_prob() - pm::max_win_prob() / U256(1000000000000000));
  EXPECT_EQ(params.expiration_params.creation_round,
            static_cast<int64_t>(current_round().to_u64()));
  std::string session = sender.start_session(params);
  pm::TicketBatch batch = sender.create_ticket_batch(session, 3);
  pm::PaymentResult paid = node_->recipient->receive_payment(batch, "s1");
  ASSERT_FALSE(paid.error) << paid.error->message;
  EXPECT_EQ(paid.winners, 3u);
  EXPECT_EQ(node_->queue->unredeemed().size(), 3u);

  // Nothing is redeemed while the params are live: recipientRand stays secret until then.
  poll();
  test::run_until([] { return false; }, 200);
  EXPECT_EQ(node_->queue->unredeemed().size(), 3u);
  U256 fees_before = o_fees();

  ASSERT_TRUE(redeem_all()) << node_->queue->unredeemed().size() << " left";
  EXPECT_EQ(o_fees(), fees_before + U256(3) * kFace);
  pm::SenderInfo info = read(broker().get_sender_info(b->address()));
  EXPECT_EQ(info.deposit, ether_milli(100) - U256(3) * kFace);
  EXPECT_EQ(info.reserve.funds_remaining, ether_milli(500));
  for (size_t i = 0; i < 3; ++i) {
    pm::Ticket t = batch.ticket(i);
    EXPECT_TRUE(read(broker().used_tickets(t.hash())));
    crypto::Signature sig{};
    std::copy(batch.sender_params[i].sig.begin(), batch.sender_params[i].sig.end(), sig.begin());
    auto q = node_->queue->find(sig);
    ASSERT_TRUE(q.has_value());
    EXPECT_TRUE(q->redeemed);
    EXPECT_FALSE(is_all_zero(q->tx_hash));
  }
  // The monitor saw the deposit change and no redemption is pending any more.
  EXPECT_TRUE(node_->monitor->pending(b->address()).is_zero());

  // The same ticket twice: the node says "ticket already used", final; the contract reverts.
  crypto::Signature sig0{};
  std::copy(batch.sender_params[0].sig.begin(), batch.sender_params[0].sig.end(), sig0.begin());
  pm::SignedTicket used = node_->queue->find(sig0)->ticket;
  pm::RedeemOutcome again = redeem_directly(used);
  EXPECT_EQ(again.kind, pm::RedeemOutcome::Kind::kFinal);
  EXPECT_EQ(again.error, "ticket already used");
  auto o = manager(o_key_);
  EXPECT_EQ(send_fails(*o, broker().redeem_winning_ticket(used)).revert_reason, "ticket is used");
}

TEST_F(Tickets, InvalidTicketsRevertWithLivepeersReasons) {
  auto b = manager(b_key_);
  send(*b, broker().fund_deposit(ether_milli(100)));
  auto o = manager(o_key_);

  pm::SignedTicket wrong_rand = fresh_ticket(b_key_, 1);
  wrong_rand.recipient_rand = wrong_rand.recipient_rand + U256(1);
  EXPECT_EQ(send_fails(*o, broker().redeem_winning_ticket(wrong_rand)).revert_reason,
            "recipientRand does not match recipientRandHash");

  // Signed by someone else: a valid signature, by the wrong key.
  pm::SignedTicket forged = fresh_ticket(b_key_, 2);
  forged.sig = pm::sign_ticket(forged.ticket, crypto::PrivateKey::generate());
  EXPECT_EQ(send_fails(*o, broker().redeem_winning_ticket(forged)).revert_reason,
            "invalid signature over ticket hash");

  pm::SignedTicket losing = fresh_ticket(b_key_, 3);
  losing.ticket.win_prob = U256();
  losing.sig = pm::sign_ticket(losing.ticket, b_key_);
  EXPECT_EQ(send_fails(*o, broker().redeem_winning_ticket(losing)).revert_reason,
            "ticket did not win");

  pm::SignedTicket wrong_hash = fresh_ticket(b_key_, 4);
  wrong_hash.ticket.expiration.creation_round_block_hash[0] ^= 1;
  wrong_hash.sig = pm::sign_ticket(wrong_hash.ticket, b_key_);
  EXPECT_EQ(send_fails(*o, broker().redeem_winning_ticket(wrong_hash)).revert_reason,
            "ticket creationRoundBlockHash invalid for creationRound");

  pm::SignedTicket no_round = fresh_ticket(b_key_, 5);
  no_round.ticket.expiration.creation_round += 100;
  no_round.sig = pm::sign_ticket(no_round.ticket, b_key_);
  EXPECT_EQ(send_fails(*o, broker().redeem_winning_ticket(no_round)).revert_reason,
            "ticket creationRound does not have a block hash");

  // Created in this round, redeemed after ticketValidityPeriod rounds: expired.
  pm::SignedTicket old = fresh_ticket(b_key_, 6);
  next_round(deploy_config().ticket_validity_period);
  EXPECT_EQ(send_fails(*o, broker().redeem_winning_ticket(old)).revert_reason, "ticket is expired");
  // The node treats these as final: no later block can make them valid.
  EXPECT_EQ(chain::Redeemer::classify(send_fails(*o, broker().redeem_winning_ticket(old))).kind,
            pm::RedeemOutcome::Kind::kFinal);

  // A valid one still goes through, and only once.
  pm::SignedTicket good = fresh_ticket(b_key_, 7);
  send(*o, broker().redeem_winning_ticket(good));
  EXPECT_EQ(send_fails(*o, broker().redeem_winning_ticket(good)).revert_reason, "ticket is used");
}

TEST_F(Tickets, TicketsTheSenderCannotCoverStayRedeemable) {
  auto b = manager(b_key_);
  auto o = manager(o_key_);
  // No funds at all, then too little: the ticket is not marked used (protocol PR #657).
  pm::SignedTicket t = fresh_ticket(b_key_, 1);
  EXPECT_EQ(send_fails(*o, broker().redeem_winning_ticket(t)).revert_reason,
            "sender deposit and reserve are zero");
  send(*b, broker().fund_deposit(kFace - U256(1)));
  EXPECT_EQ(send_fails(*o, broker().redeem_winning_ticket(t)).revert_reason,
            "sender deposit and reserve insufficient to cover ticket face value");
  EXPECT_FALSE(read(broker().used_tickets(t.ticket.hash())));
  send(*b, broker().fund_reserve(ether_milli(1)));
  U256 before = o_fees();
  send(*o, broker().redeem_winning_ticket(t));
  EXPECT_EQ(o_fees(), before + kFace);
  // The deposit paid what it had, the reserve the rest.
  pm::SenderInfo info = read(broker().get_sender_info(b->address()));
  EXPECT_TRUE(info.deposit.is_zero());
  EXPECT_EQ(info.reserve.funds_remaining, ether_milli(1) - U256(1));
  EXPECT_EQ(read(broker().claimed_reserve(b->address(), o->address())), U256(1));
}

TEST_F(Tickets, ATicketAboveTheRecipientsReserveShareIsRedeemedForWhatItCovers) {
  // A second orchestrator: the sender's reserve is shared by a pool of two.
  auto o2_key = new_account(ether_milli(10000), lpt(1000));
  auto o2 = manager(o2_key);
  bond(*o2, lpt(1000), o2->address());
  send(*o2, bonding().transcoder(U256(), U256()));
  next_round();
  auto b = manager(b_key_);
  send(*b, broker().fund_deposit_and_reserve(ether_milli(2), ether_milli(14)));
  ASSERT_EQ(read(broker().claimable_reserve(b->address(), o_key_.address())), ether_milli(7));
  start_node();

  // Deposit + this orchestrator's share (9) is below the face value (10), deposit + the whole
  // reserve (16) is not: the contract accepts the ticket and pays 9. Waiting would not pay more.
  pm::SignedTicket t = fresh_ticket(b_key_, 1);
  U256 before = o_fees();
  pm::RedeemOutcome out = redeem_directly(t);
  ASSERT_EQ(out.kind, pm::RedeemOutcome::Kind::kRedeemed) << out.error;
  EXPECT_EQ(o_fees(), before + ether_milli(9));
  EXPECT_TRUE(read(broker().used_tickets(t.ticket.hash())));
  pm::SenderInfo info = read(broker().get_sender_info(b->address()));
  EXPECT_TRUE(info.deposit.is_zero());
  EXPECT_EQ(info.reserve.funds_remaining, ether_milli(7));

  // Past what deposit and reserve together hold, the contract would revert: retried later.
  pm::RedeemOutcome short_of = redeem_directly(fresh_ticket(b_key_, 2));
  EXPECT_EQ(short_of.kind, pm::RedeemOutcome::Kind::kRetry);
  EXPECT_NE(short_of.error.find("sender deposit and reserve insufficient"), std::string::npos)
      << short_of.error;
}

TEST_F(Tickets, ARedemptionMinedWithStatusZeroIsRetriedWhileTheTicketIsUnused) {
  auto b = manager(b_key_);
  send(*b, broker().fund_deposit(kFace));
  start_node();
  // Two tickets, and a deposit for one: the node checks and estimates its redemption of the
  // first against the full deposit, then someone else's redemption of the second, with a
  // higher tip, is mined ahead of it in the same block and drains the deposit.
  pm::SignedTicket t = fresh_ticket(b_key_, 1);
  pm::SignedTicket other = fresh_ticket(b_key_, 2);
  automine(false);
  std::vector<chain::SentTx> broadcast;
  node_->services->tx().set_observer([&](const chain::SentTx &s) { broadcast.push_back(s); });
  std::optional<pm::RedeemOutcome> out;
  node_->services->redeemer().redeem(t, [&](pm::RedeemOutcome o) { out = o; });
  ASSERT_TRUE(test::run_until([&] { return broadcast.size() == 1; }));
  // Never less gas than the configured redeem gas, whatever the estimate said.
  EXPECT_GE(broadcast[0].gas_limit, chain::RedeemerConfig{}.redeem_gas);
  json::ObjectWriter ahead;
  ahead.set(
      "from",
      crypto::PrivateKey::from_bytes(from_hex(test::Anvil::kKey0, "key")).address().lower_hex());
  ahead.set("to", contracts().ticket_broker.lower_hex());
  ahead.set("data", to_hex(broker().redeem_winning_ticket(other).data));
  ahead.set("gas", U256(1000000).to_hex());
  ahead.set("maxFeePerGas", U256(200000000000).to_hex());
  ahead.set("maxPriorityFeePerGas", U256(100000000000).to_hex());
  std::vector<JsonNodePtr> params;
  params.push_back(ahead.node());
  auto sent = test::await_rpc<JsonNodePtr>([&](eth::RpcClient::Callback<JsonNodePtr> cb) {
    rpc().call("eth_sendTransaction", json::array_node(std::move(params)), cb);
  });
  ASSERT_TRUE(sent.ok()) << sent.error().describe();
  mine(1);
  ASSERT_TRUE(test::run_until([&] { return out.has_value(); }));
  EXPECT_EQ(out->kind, pm::RedeemOutcome::Kind::kRetry) << out->error;
  EXPECT_NE(out->error.find("status 0"), std::string::npos) << out->error;
  // The reason, from replaying the call on the block that mined it.
  EXPECT_NE(out->error.find("sender deposit and reserve are zero"), std::string::npos)
      << out->error;
  EXPECT_FALSE(is_all_zero(out->tx_hash));
  EXPECT_TRUE(read(broker().used_tickets(other.ticket.hash())));
  EXPECT_FALSE(read(broker().used_tickets(t.ticket.hash())));

  // Funded again, the same ticket pays.
  automine(true);
  send(*b, broker().fund_deposit(kFace));
  U256 before = o_fees();
  pm::RedeemOutcome again = redeem_directly(t);
  ASSERT_EQ(again.kind, pm::RedeemOutcome::Kind::kRedeemed) << again.error;
  EXPECT_EQ(o_fees(), before + kFace);

  // A permanent reason stays final.
  chain::ChainError failed = chain::ChainError::make(chain::ChainError::Kind::kTxFailed, "x");
  failed.revert_reason = "ticket is expired";
  EXPECT_EQ(chain::Redeemer::classify(failed).kind, pm::RedeemOutcome::Kind::kFinal);
}

TEST_F(Tickets, ATimedOutRedemptionIsLookedForNotSentAgain) {
  auto b = manager(b_key_);
  send(*b, broker().fund_deposit(ether_milli(50)));
  node_tx_.mine_timeout_ms = 300;
  node_tx_.max_replacements = 0;
  start_node();
  size_t broadcast = 0;
  node_->services->tx().set_observer([&](const chain::SentTx &) { ++broadcast; });
  pm::SignedTicket t = fresh_ticket(b_key_, 1);
  automine(false);
  pm::RedeemOutcome first = redeem_directly(t);
  EXPECT_EQ(first.kind, pm::RedeemOutcome::Kind::kRetry) << first.error;
  ASSERT_FALSE(is_all_zero(first.tx_hash)) << first.error;
  EXPECT_EQ(broadcast, 1u);
  // Still pending: the next attempt waits for it instead of paying for a second transaction.
  pm::RedeemOutcome second = redeem_directly(t);
  EXPECT_EQ(second.kind, pm::RedeemOutcome::Kind::kRetry);
  EXPECT_NE(second.error.find("not mined yet"), std::string::npos) << second.error;
  EXPECT_EQ(broadcast, 1u);
  // Mined: that transaction is the redemption.
  U256 before = o_fees();
  mine(1);
  pm::RedeemOutcome third = redeem_directly(t);
  EXPECT_EQ(third.kind, pm::RedeemOutcome::Kind::kRedeemed) << third.error;
  EXPECT_EQ(third.tx_hash, first.tx_hash);
  EXPECT_EQ(broadcast, 1u);
  EXPECT_EQ(o_fees(), before + kFace);
}

TEST_F(Tickets, ARedemptionSentBeforeARestartIsFoundAfterIt) {
  auto b = manager(b_key_);
  send(*b, broker().fund_deposit(ether_milli(50)));
  node_tx_.mine_timeout_ms = 300;
  node_tx_.max_replacements = 0;
  start_node();
  pm::SignedTicket t = fresh_ticket(b_key_, 1);
  t.ticket.params_expiration_block = U256(block_number());
  node_->queue->store_winning_ticket(t);
  // Sent on the next block and not mined in time (automining is off): the queue keeps the
  // transaction's hash with the ticket.
  automine(false);
  mine(1);
  ASSERT_TRUE(test::run_until([&] {
    auto q = node_->queue->find(t.sig);
    return q && !is_all_zero(q->tx_hash) && node_->queue->in_flight() == 0;
  }));
  Hash32 sent = node_->queue->find(t.sig)->tx_hash;
  EXPECT_FALSE(node_->queue->find(t.sig)->redeemed);

  // A new process, a new transaction manager: the queue hands the hash to the redeemer, which
  // finds it mined instead of sending another.
  node_.reset();
  node_tx_ = chain::TxConfig{};
  start_node();
  mine(1);
  ASSERT_TRUE(test::run_until([&] { return node_->queue->unredeemed().empty(); }));
  EXPECT_EQ(node_->queue->find(t.sig)->tx_hash, sent);
  auto count = raw("eth_getTransactionCount", {o_key_.address().lower_hex(), "latest"});
  U256 o_nonce = eth::quantity_from_json(count.get(), "nonce");
  auto again = raw("eth_getTransactionCount", {o_key_.address().lower_hex(), "pending"});
  EXPECT_EQ(eth::quantity_from_json(again.get(), "nonce"), o_nonce) << "nothing else was sent";
}

TEST_F(Tickets, BatchRedemptionSkipsTheBadTickets) {
  auto b = manager(b_key_);
  auto o = manager(o_key_);
  send(*b, broker().fund_deposit_and_reserve(ether_milli(100), ether_milli(30)));
  // The reserve is shared by the pool's one member.
  EXPECT_EQ(read(broker().claimable_reserve(b->address(), o->address())), ether_milli(30));
  pm::SignedTicket good1 = fresh_ticket(b_key_, 1);
  pm::SignedTicket good2 = fresh_ticket(b_key_, 2);
  pm::SignedTicket used = fresh_ticket(b_key_, 3);
  send(*o, broker().redeem_winning_ticket(used));
  pm::SignedTicket forged = fresh_ticket(b_key_, 4);
  forged.sig = pm::sign_ticket(forged.ticket, crypto::PrivateKey::generate());
  U256 before = o_fees();
  send(*o, broker().batch_redeem_winning_tickets({good1, used, forged, good2}));
  EXPECT_EQ(o_fees(), before + U256(2) * kFace);
  EXPECT_TRUE(read(broker().used_tickets(good1.ticket.hash())));
  EXPECT_TRUE(read(broker().used_tickets(good2.ticket.hash())));
  EXPECT_FALSE(read(broker().used_tickets(forged.ticket.hash())));
  EXPECT_EQ(read(broker().get_sender_info(b->address())).deposit,
            ether_milli(100) - U256(3) * kFace);
}

TEST_F(Tickets, ARetryableFailureIsRetriedAfterARestart) {
  start_node();
  // A winning ticket from a sender with no funds yet, due for redemption.
  pm::SignedTicket t = fresh_ticket(b_key_, 1);
  t.ticket.params_expiration_block = U256(block_number());
  node_->queue->store_winning_ticket(t);
  mine(1);
  ASSERT_TRUE(test::run_until([&] {
    auto q = node_->queue->find(t.sig);
    return q && !q->last_error.empty() && node_->queue->in_flight() == 0;
  }));
  auto q = node_->queue->find(t.sig);
  EXPECT_FALSE(q->redeemed);
  EXPECT_NE(q->last_error.find("sender deposit and reserve insufficient"), std::string::npos)
      << q->last_error;

  // The node stops; meanwhile the broadcaster funds its deposit; the node starts again from
  // the same queue file and redeems the ticket.
  node_.reset();
  auto b = manager(b_key_);
  send(*b, broker().fund_deposit(ether_milli(50)));
  U256 before = o_fees();
  start_node();
  EXPECT_EQ(node_->queue->unredeemed().size(), 1u);
  mine(1);
  ASSERT_TRUE(test::run_until([&] { return node_->queue->unredeemed().empty(); }));
  EXPECT_TRUE(node_->queue->find(t.sig)->redeemed);
  EXPECT_EQ(o_fees(), before + kFace);
  EXPECT_EQ(read(broker().get_sender_info(b_key_.address())).deposit, ether_milli(50) - kFace);
}

TEST_F(Tickets, AnInactiveRecipientIsRetriedNotDropped) {
  start_node();
  auto b = manager(b_key_);
  send(*b, broker().fund_deposit(ether_milli(50)));
  // A ticket to someone who is not an orchestrator.
  crypto::PrivateKey stranger = crypto::PrivateKey::generate();
  U256 round = current_round();
  pm::SignedTicket t = test::winning_ticket(b_key_, stranger.address(), kFace, 1, round,
                                            read(rounds().block_hash_for_round(round)));
  pm::RedeemOutcome out = redeem_directly(t);
  EXPECT_EQ(out.kind, pm::RedeemOutcome::Kind::kRetry);
  EXPECT_NE(out.error.find("not an active orchestrator"), std::string::npos) << out.error;
}

TEST_F(Tickets, AHostileNodesHugeNumbersAreRetriedNotThrown) {
  // A node that claims the sender holds 2^256 - 1 wei in deposit and claimable reserve, and a
  // gas price as large: the sums and the transaction cost leave uint256 inside callbacks,
  // where an exception would end the process.
  const std::string max_word(64, 'f');
  const std::string zero_word(64, '0');
  test::RpcProxy proxy(url());
  proxy.set_hook([&](const test::RpcProxy::Request &req,
                     const test::RpcProxy::Forward &) -> std::optional<test::RpcProxy::Reply> {
    if (req.method == "eth_gasPrice") {
      return test::RpcProxy::result(req, "\"0x" + max_word + "\"");
    }
    if (req.method == "eth_call" && req.params.find("0xe1a589da") != std::string::npos) {
      // getSenderInfo: ((deposit, withdrawRound), (fundsRemaining, claimedInCurrentRound))
      return test::RpcProxy::result(req,
                                    "\"0x" + max_word + zero_word + max_word + zero_word + "\"");
    }
    if (req.method == "eth_call" && req.params.find("0x81779f38") != std::string::npos) {
      return test::RpcProxy::result(req, "\"0x" + max_word + "\"");  // claimableReserve
    }
    return std::nullopt;
  });
  start_node(proxy.url());
  // Ticket params priced against that gas price: refused in words, or capped, not thrown.
  try {
    node_->recipient->ticket_params(b_key_.address(), mpq_class(1, 1000));
  } catch (const pm::PmError &) {
  }
  pm::RedeemOutcome out = redeem_directly(fresh_ticket(b_key_, 1));
  EXPECT_EQ(out.kind, pm::RedeemOutcome::Kind::kRetry);
  EXPECT_NE(out.error.find("insufficient ticket face value"), std::string::npos) << out.error;
}

}  // namespace
}  // namespace lp
