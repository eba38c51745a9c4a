// The orchestrator's receive path: every refusal the issue lists (replayed nonce, also from two
// threads at once, the 601st nonce, expired params, a wrong recipientRand, a forged signature),
// the secret staying inside, and the SQLite redemption queue across a restart.
#include <glib.h>
#include <glib/gstdio.h>
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <thread>

#include "pm/queue.h"
#include "pm/recipient.h"
#include "pm/sender.h"
#include "pm_fixture.h"

namespace lp::pm {
namespace {

// A temporary directory removed with its files.
class TempDir {
 public:
  TempDir() {
    gchar *p = g_dir_make_tmp("lp-pm-XXXXXX", nullptr);
    path_ = p;
    g_free(p);
  }
  ~TempDir() {
    for (const char *f : {"queue.db", "queue.db-wal", "queue.db-shm"}) {
      g_unlink((path_ + "/" + f).c_str());
    }
    g_rmdir(path_.c_str());
  }
  std::string file(const char *name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// An orchestrator and a broadcaster wired to one fake chain. The secret is known to the test so
// it can check that nothing reveals it.
class RecipientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    random_bytes(secret_copy.data(), secret_copy.size());
    chain.set_block(100);
    chain.set_sender(sender_address,
                     SenderInfo{U256(1'000'000'000'000), U256(), {U256(1'000'000'000'000), 0}});
    queue = RedemptionQueue::open(dir.file("queue.db"));
    monitor = std::make_unique<SenderMonitor>(self, chain, chain);
    recipient = std::make_unique<Recipient>(self, RecipientConfig{U256(5), 10000, 100, U256()},
                                            *monitor, chain, chain, *queue,
                                            SecretBytes(secret_copy.data(), secret_copy.size()));
  }

  // gas price 100: face value 1e8, win probability 5e-8 (tickets essentially never win).
  TicketParams losing_params(const mpq_class &price = 1) {
    chain.set_gas_price(100);
    return recipient->ticket_params(sender_address, price);
  }
  // A max float equal to EV forces faceValue = EV and winProb = 2^256 - 1: every ticket wins.
  TicketParams winning_params() {
    chain.set_gas_price(0);
    chain.set_sender(sender_address, SenderInfo{U256(1'000'000'000'000), U256(), {U256(5), 0}});
    monitor->on_sender_changed(sender_address);
    return recipient->ticket_params(sender_address, 1);
  }

  Ticket ticket(const TicketParams &p, uint32_t nonce) const {
    return make_ticket(p, sender_address, nonce);
  }
  Bytes sign(const Ticket &t) const {
    crypto::Signature s = sign_ticket(t, sender_key);
    return Bytes(s.begin(), s.end());
  }
  ReceiveResult receive(const TicketParams &p, uint32_t nonce) {
    Ticket t = ticket(p, nonce);
    return recipient->receive_ticket(t, sign(t), p.seed);
  }

  TempDir dir;
  Hash32 secret_copy{};
  test::FakeChain chain;
  crypto::PrivateKey sender_key = crypto::PrivateKey::generate();
  Address sender_address = sender_key.address();
  Address self = crypto::PrivateKey::generate().address();
  std::unique_ptr<RedemptionQueue> queue;
  std::unique_ptr<SenderMonitor> monitor;
  std::unique_ptr<Recipient> recipient;
};

TEST_F(RecipientTest, AcceptsAValidTicketAndCreditsEv) {
  TicketParams p = losing_params();
  ReceiveResult r = receive(p, 1);
  EXPECT_FALSE(r.error.has_value()) << r.error->message;
  EXPECT_FALSE(r.won);

  TicketBatch batch{p, sender_address, {}};
  for (uint32_t n = 2; n <= 4; ++n) {
    batch.sender_params.push_back({n, sign(ticket(p, n))});
  }
  PaymentResult pay = recipient->receive_payment(batch, "session-1");
  EXPECT_FALSE(pay.error.has_value());
  EXPECT_EQ(pay.accepted, 3u);
  EXPECT_EQ(pay.credited, p.ev() * 3);
  EXPECT_EQ(recipient->balances().balance(sender_address, "session-1"), p.ev() * 3);
}

TEST_F(RecipientTest, ReplayedNonceIsRefused) {
  TicketParams p = losing_params();
  EXPECT_FALSE(receive(p, 7).error.has_value());
  ReceiveResult again = receive(p, 7);
  ASSERT_TRUE(again.error.has_value());
  EXPECT_EQ(again.error->code, ErrorCode::kNonceAlreadySeen);
  EXPECT_EQ(again.error->message, "invalid ticket senderNonce: already seen");
  EXPECT_FALSE(again.error->fatal);
  // Nonces need not arrive in order.
  EXPECT_FALSE(receive(p, 3).error.has_value());
  // The same nonce under other params (another recipientRand) is a different ticket.
  TicketParams q = losing_params();
  EXPECT_FALSE(receive(q, 7).error.has_value());
}

TEST_F(RecipientTest, ConcurrentReplayPassesOnce) {
  TicketParams p = losing_params();
  constexpr int kThreads = 8;
  for (uint32_t nonce = 1; nonce <= 40; ++nonce) {
    Ticket t = ticket(p, nonce);
    Bytes sig = sign(t);
    std::atomic<int> ready{0};
    std::atomic<int> passed{0};
    std::atomic<int> replays{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&] {
        ++ready;
        while (ready.load() < kThreads) {
          std::this_thread::yield();  // start together
        }
        ReceiveResult r = recipient->receive_ticket(t, sig, p.seed);
        if (!r.error) {
          ++passed;
        } else if (r.error->code == ErrorCode::kNonceAlreadySeen) {
          ++replays;
        }
      });
    }
    for (std::thread &th : threads) {
      th.join();
    }
    EXPECT_EQ(passed.load(), 1) << "nonce " << nonce;
    EXPECT_EQ(replays.load(), kThreads - 1) << "nonce " << nonce;
  }
}

TEST_F(RecipientTest, The601stNonceIsRefused) {
  TicketParams p = losing_params();
  for (uint32_t n = 1; n <= kMaxSenderNonces; ++n) {
    ReceiveResult r = receive(p, n);
    ASSERT_FALSE(r.error.has_value()) << "nonce " << n << ": " << r.error->message;
  }
  ReceiveResult r = receive(p, kMaxSenderNonces + 1);
  ASSERT_TRUE(r.error.has_value());
  EXPECT_EQ(r.error->code, ErrorCode::kTooManyNonces);
  EXPECT_EQ(r.error->message, "invalid ticket senderNonce: too many values");
}

TEST_F(RecipientTest, ExpiredParamsAreRefused) {
  TicketParams p = losing_params();
  EXPECT_FALSE(receive(p, 1).error.has_value());
  chain.set_block(140);  // expirationBlock = 100 + 40; expired once seen
  ReceiveResult r = receive(p, 2);
  ASSERT_TRUE(r.error.has_value());
  EXPECT_EQ(r.error->code, ErrorCode::kParamsExpired);
  EXPECT_EQ(r.error->message, "TicketParams expired");
  // Nonce sets of expired params are dropped on the next block; the ticket is still refused.
  EXPECT_EQ(recipient->tracked_recipient_rands(), 1u);
  recipient->on_new_block(140);
  EXPECT_EQ(recipient->tracked_recipient_rands(), 0u);
  EXPECT_EQ(receive(p, 1).error->code, ErrorCode::kParamsExpired);
}

TEST_F(RecipientTest, WrongRecipientRandIsRefused) {
  TicketParams p = losing_params(mpq_class(2, 3));
  // Same params, but the broadcaster claims another price: the recomputed recipientRand differs.
  TicketParams other_price = p;
  other_price.price_per_pixel = mpq_class(1, 3);
  ReceiveResult r = receive(other_price, 1);
  ASSERT_TRUE(r.error.has_value());
  EXPECT_EQ(r.error->code, ErrorCode::kInvalidRecipientRand);
  EXPECT_TRUE(r.error->fatal);
  // An equal price written unreduced is the same price.
  TicketParams unreduced = p;
  unreduced.price_per_pixel = mpq_class(4, 6);
  EXPECT_FALSE(receive(unreduced, 1).error.has_value());
  TicketParams other_seed = p;
  other_seed.seed = p.seed + U256(1);
  EXPECT_EQ(receive(other_seed, 2).error->code, ErrorCode::kInvalidRecipientRand);
  TicketParams other_fv = p;
  other_fv.face_value = p.face_value + U256(1);
  EXPECT_EQ(receive(other_fv, 3).error->code, ErrorCode::kInvalidRecipientRand);
}

TEST_F(RecipientTest, ForgedSignatureIsRefused) {
  TicketParams p = losing_params();
  Ticket t = ticket(p, 1);
  crypto::PrivateKey mallory = crypto::PrivateKey::generate();
  crypto::Signature forged = sign_ticket(t, mallory);
  ReceiveResult r = recipient->receive_ticket(t, Bytes(forged.begin(), forged.end()), p.seed);
  ASSERT_TRUE(r.error.has_value());
  EXPECT_EQ(r.error->code, ErrorCode::kInvalidSignature);
  EXPECT_FALSE(r.error->fatal);
  Bytes flipped = sign(t);
  flipped[5] ^= 0x40;
  EXPECT_EQ(recipient->receive_ticket(t, flipped, p.seed).error->code,
            ErrorCode::kInvalidSignature);
  EXPECT_EQ(recipient->receive_ticket(t, Bytes(64, 1), p.seed).error->code,
            ErrorCode::kInvalidSignature);
  // A refused signature does not use up the nonce.
  EXPECT_FALSE(receive(p, 1).error.has_value());
}

TEST_F(RecipientTest, OtherRefusalsAreFatal) {
  TicketParams p = losing_params();
  Ticket wrong_recipient = ticket(p, 1);
  wrong_recipient.recipient = sender_address;
  EXPECT_EQ(recipient->receive_ticket(wrong_recipient, sign(wrong_recipient), p.seed).error->code,
            ErrorCode::kInvalidRecipient);
  Ticket zero_sender = ticket(p, 1);
  zero_sender.sender = Address();
  EXPECT_EQ(recipient->receive_ticket(zero_sender, sign(zero_sender), p.seed).error->code,
            ErrorCode::kInvalidSender);
  chain.set_sender(sender_address,
                   SenderInfo{U256(1'000'000'000'000), U256(6), {U256(1'000'000'000'000), 0}});
  monitor->on_sender_changed(sender_address);
  ReceiveResult r = receive(p, 1);
  ASSERT_TRUE(r.error.has_value());
  EXPECT_EQ(r.error->code, ErrorCode::kSenderUnlocking);
  EXPECT_TRUE(r.error->fatal);
}

TEST_F(RecipientTest, PaymentStopsCreditingAfterAnError) {
  TicketParams p = losing_params();
  TicketBatch batch{p, sender_address, {}};
  batch.sender_params.push_back({1, sign(ticket(p, 1))});
  batch.sender_params.push_back({2, Bytes(65, 0)});  // bad signature: non-fatal
  batch.sender_params.push_back({3, sign(ticket(p, 3))});
  PaymentResult pay = recipient->receive_payment(batch, "s");
  ASSERT_TRUE(pay.error.has_value());
  EXPECT_EQ(pay.error->code, ErrorCode::kInvalidSignature);
  EXPECT_EQ(pay.accepted, 1u);
  EXPECT_EQ(pay.credited, p.ev());

  TicketBatch foreign = batch;
  foreign.params.recipient = sender_address;  // fatal for every ticket
  PaymentResult none = recipient->receive_payment(foreign, "s2");
  EXPECT_TRUE(none.error->fatal);
  EXPECT_EQ(none.accepted, 0u);
  EXPECT_EQ(recipient->balances().balance(sender_address, "s2"), 0);
}

TEST_F(RecipientTest, SecretNeverLeaves) {
  TicketParams p = losing_params();
  U256 rand =
      recipient_rand(ByteView(secret_copy), p.seed, sender_address, p.face_value, p.win_prob,
                     p.expiration_block, p.price_per_pixel, p.expiration_params);
  ASSERT_EQ(recipient_rand_hash(rand), p.recipient_rand_hash);
  std::vector<std::string> needles = {to_hex_bare(ByteView(secret_copy)),
                                      to_hex_bare(rand.to_be32()), rand.to_dec()};
  std::vector<std::string> outputs = {json::stringify(to_json(p).get())};
  Ticket t = ticket(p, 1);
  TicketParams wrong = p;
  wrong.seed = 1;
  outputs.push_back(receive(wrong, 1).error->message);
  outputs.push_back(recipient->receive_ticket(t, Bytes(65, 0), p.seed).error->message);
  receive(p, 1);
  outputs.push_back(receive(p, 1).error->message);
  chain.set_block(1000);
  outputs.push_back(receive(p, 2).error->message);
  for (const std::string &out : outputs) {
    for (const std::string &needle : needles) {
      EXPECT_EQ(out.find(needle), std::string::npos) << out;
    }
  }
}

// Reports outcomes when the test says so, as a chain would after some blocks.
class TestRedeemer : public TicketRedeemer {
 public:
  void redeem(const SignedTicket &t, const Hash32 &sent_tx,
              std::function<void(RedeemOutcome)> done) override {
    calls.push_back(t);
    sent.push_back(sent_tx);
    pending.push_back(std::move(done));
  }
  void finish(size_t i, RedeemOutcome outcome) { pending.at(i)(std::move(outcome)); }
  std::vector<SignedTicket> calls;
  std::vector<Hash32> sent;
  std::vector<std::function<void(RedeemOutcome)>> pending;
};

TEST_F(RecipientTest, WinningTicketIsQueuedAndSurvivesARestart) {
  TicketParams p = winning_params();
  ASSERT_EQ(p.win_prob, U256::max());
  Ticket t = ticket(p, 1);
  Bytes sig = sign(t);
  ReceiveResult r = recipient->receive_ticket(t, sig, p.seed);
  EXPECT_TRUE(r.won);
  EXPECT_FALSE(r.error.has_value());
  // A replay of the winner is refused and does not queue it twice.
  EXPECT_EQ(recipient->receive_ticket(t, sig, p.seed).error->code, ErrorCode::kNonceAlreadySeen);

  // Restart: everything in memory is gone, the database stays.
  recipient.reset();
  monitor.reset();
  queue.reset();
  queue = RedemptionQueue::open(dir.file("queue.db"));
  std::vector<QueuedTicket> pending = queue->unredeemed();
  ASSERT_EQ(pending.size(), 1u);
  const SignedTicket &stored = pending[0].ticket;
  EXPECT_EQ(stored.ticket.hash(), t.hash());
  EXPECT_EQ(Bytes(stored.sig.begin(), stored.sig.end()), sig);
  EXPECT_EQ(recipient_rand_hash(stored.recipient_rand), t.recipient_rand_hash);
  EXPECT_TRUE(is_winning_ticket(stored.sig, stored.recipient_rand, stored.ticket.win_prob));
  EXPECT_EQ(stored.ticket.params_expiration_block, U256(140));

  // Redeemed only once the params expired, then never again.
  TestRedeemer redeemer;
  EXPECT_EQ(queue->on_new_block(139, 5, redeemer), 0u);
  EXPECT_EQ(queue->on_new_block(140, 5, redeemer), 1u);
  EXPECT_EQ(queue->on_new_block(141, 5, redeemer), 0u) << "already in flight";
  Hash32 tx{0xab};
  redeemer.finish(0, RedeemOutcome::redeemed(tx));
  EXPECT_TRUE(queue->unredeemed().empty());
  auto row = queue->find(stored.sig);
  ASSERT_TRUE(row.has_value());
  EXPECT_TRUE(row->redeemed);
  EXPECT_EQ(row->tx_hash, tx);
  EXPECT_EQ(queue->on_new_block(142, 5, redeemer), 0u);
  EXPECT_EQ(redeemer.calls.size(), 1u);
}

TEST_F(RecipientTest, QueueRetriesAndFinalErrors) {
  TicketParams p = winning_params();
  for (uint32_t n = 1; n <= 3; ++n) {
    ASSERT_TRUE(receive(p, n).won);
  }
  monitor->max_float(sender_address);
  queue->set_sender_monitor(monitor.get());
  TestRedeemer redeemer;
  EXPECT_EQ(queue->on_new_block(140, 5, redeemer), 1u) << "one redemption per sender at a time";
  EXPECT_EQ(monitor->pending(sender_address), p.face_value);
  redeemer.finish(0, RedeemOutcome::failed("replacement transaction underpriced"));
  EXPECT_TRUE(monitor->pending(sender_address).is_zero());
  EXPECT_EQ(queue->unredeemed().size(), 3u);
  EXPECT_EQ(queue->unredeemed()[0].last_error, "replacement transaction underpriced");

  EXPECT_EQ(queue->on_new_block(141, 5, redeemer), 1u);
  EXPECT_EQ(redeemer.calls[1].sig, redeemer.calls[0].sig) << "oldest first, retried";
  redeemer.finish(1, RedeemOutcome::failed("execution reverted: ticket already used"));
  EXPECT_EQ(queue->unredeemed().size(), 2u) << "a used ticket is final";

  EXPECT_EQ(queue->on_new_block(142, 5, redeemer), 1u);
  redeemer.finish(2, RedeemOutcome::failed("transaction failed txHash=0x12"));
  EXPECT_EQ(queue->unredeemed().size(), 1u);

  // Round 8: creation round 5 is older than the 2-round validity period; the ticket is closed
  // rather than read again on every block.
  EXPECT_EQ(queue->on_new_block(143, 8, redeemer), 0u);
  EXPECT_TRUE(queue->unredeemed().empty());
  EXPECT_EQ(queue->on_new_block(144, 7, redeemer), 0u);
}

TEST_F(RecipientTest, ExpiredTicketsAreClosed) {
  TicketParams p = winning_params();
  ASSERT_TRUE(receive(p, 1).won);
  TestRedeemer redeemer;
  EXPECT_EQ(queue->on_new_block(140, 7, redeemer), 1u) << "round 5 is valid in round 7";
  redeemer.finish(0, RedeemOutcome::failed("node unreachable"));
  EXPECT_EQ(queue->on_new_block(141, 8, redeemer), 0u);
  std::optional<QueuedTicket> q = queue->find(redeemer.calls[0].sig);
  ASSERT_TRUE(q.has_value());
  EXPECT_TRUE(q->redeemed);
  EXPECT_TRUE(is_all_zero(q->tx_hash));
  EXPECT_NE(q->last_error.find("ticket expired"), std::string::npos) << q->last_error;
  EXPECT_TRUE(queue->unredeemed().empty());
}

TEST_F(RecipientTest, ARetryRemembersTheTransactionItSentAcrossARestart) {
  TicketParams p = winning_params();
  ASSERT_TRUE(receive(p, 1).won);
  TestRedeemer redeemer;
  EXPECT_EQ(queue->on_new_block(140, 5, redeemer), 1u);
  EXPECT_TRUE(is_all_zero(redeemer.sent[0]));
  // Sent, but not seen mined: the redeemer must look for this one before sending another.
  Hash32 tx{0xcd};
  redeemer.finish(0, RedeemOutcome{RedeemOutcome::Kind::kRetry, tx, "not mined within 300 s"});
  ASSERT_EQ(queue->unredeemed().size(), 1u);
  EXPECT_EQ(queue->unredeemed()[0].tx_hash, tx);

  recipient.reset();
  monitor.reset();
  queue.reset();
  queue = RedemptionQueue::open(dir.file("queue.db"));
  EXPECT_EQ(queue->on_new_block(141, 5, redeemer), 1u);
  EXPECT_EQ(redeemer.sent[1], tx);
  redeemer.finish(1, RedeemOutcome::redeemed(tx));
  EXPECT_TRUE(queue->unredeemed().empty());
}

TEST(RedeemOutcomeTest, ClassifiesLikeGoLivepeer) {
  using Kind = RedeemOutcome::Kind;
  EXPECT_EQ(RedeemOutcome::failed("ticket already used").kind, Kind::kFinal);
  EXPECT_EQ(RedeemOutcome::failed("transaction failed").kind, Kind::kFinal);
  EXPECT_EQ(RedeemOutcome::failed("ticket creationRound does not have a block hash").kind,
            Kind::kFinal);
  EXPECT_EQ(RedeemOutcome::failed("sender deposit and reserve insufficient to cover ticket face "
                                  "value")
                .kind,
            Kind::kRetry);
  EXPECT_EQ(RedeemOutcome::failed("context deadline exceeded").kind, Kind::kRetry);
}

TEST_F(RecipientTest, StoringIsIdempotent) {
  TicketParams p = winning_params();
  Ticket t = ticket(p, 9);
  SignedTicket st;
  st.ticket = t;
  Bytes sig = sign(t);
  std::copy(sig.begin(), sig.end(), st.sig.begin());
  st.recipient_rand = 1;
  queue->store_winning_ticket(st);
  queue->store_winning_ticket(st);
  EXPECT_EQ(queue->unredeemed().size(), 1u);
}

TEST_F(RecipientTest, SenderTicketsPassTheRecipient) {
  TicketParams p = losing_params(mpq_class(1, 1000));
  Sender s(crypto::PrivateKey::from_bytes(sender_key.secret().view()), chain, chain);
  std::string id = s.start_session(p);
  TicketBatch batch = s.create_ticket_batch(id, 5);
  PaymentResult pay = recipient->receive_payment(batch, "e2e");
  EXPECT_FALSE(pay.error.has_value()) << pay.error->message;
  EXPECT_EQ(pay.accepted, 5u);
  // Through JSON, as the wire will carry it.
  TicketBatch next = s.create_ticket_batch(id, 2);
  JsonNodePtr node = json::parse(json::stringify(to_json(next).get()));
  PaymentResult pay2 = recipient->receive_payment(
      ticket_batch_from_json(json::ObjectReader(node.get(), "payment")), "e2e");
  EXPECT_EQ(pay2.accepted, 2u);
  EXPECT_EQ(recipient->balances().balance(sender_address, "e2e"), p.ev() * 7);
}

}  // namespace
}  // namespace lp::pm
