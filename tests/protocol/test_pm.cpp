// PM against go-livepeer's vectors (reference appendix A.1-A.4, A.7), the JSON forms, the sender
// side, balances and the sender monitor.
#include <gtest/gtest.h>

#include "crypto/keccak.h"
#include "pm/balance.h"
#include "pm/params.h"
#include "pm/queue.h"
#include "pm/recipient.h"
#include "pm/sender.h"
#include "pm/sendermonitor.h"
#include "pm/ticket.h"
#include "pm_fixture.h"

namespace lp::pm {
namespace {

Hash32 h32(const std::string &hex) {
  return from_hex_fixed<32>(hex, "hash", HexPrefix::kOptional);
}

// pm/ticket_test.go TestHash.
TEST(Ticket, UpstreamHashVectors) {
  struct Row {
    std::string recipient;
    uint64_t face_value, win_prob;
    uint32_t nonce;
    std::string rrh;
    int64_t round;
    std::string round_hash;
    std::string expected;
  } rows[] = {
      {"", 0, 0, 4294967295u, "", 0, "",
       "e1393fc7f6de093780674022f96cb8e3872235167d037c04d554e58c0e63d280"},
      {"", 0, 0, 1, "", 0, "", "ce0918ba94518293e9712effbe5fca4f1f431089833a5b8c257cb1e024595f68"},
      {"", 1, 500, 0, "", 0, "",
       "87ef13f2d37e4d5352a01d3c77b8179d80e0887f1953bfabfd0bfd7b0f689ddd"},
      {"", 500, 1, 0, "", 0, "",
       "aa4b35071043587992ac8b9dd1b2cf1d8311130e6458cf0b2342484e21af5f5b"},
      {"0x73AEd7b5dEb30222fa896f399d46cC99c7BEe57F", 0, 0, 0, "", 0, "",
       "81e353ae39046e2b77b9f996abbaeed527fda559b61ef90f299c4499dd508ccc"},
      {"", 0, 0, 0, "41b1a0649752af1b28b3dc29a1556eee781e4a4c3a1f7f53f90fa834de098c4d", 0, "",
       "be5eaf9a49a39540b9bb02f1a21904f61324a29819e2c032824bfaa10c100b17"},
      {"", 0, 0, 0, "", 10, "41b1a0649752af1b28b3dc29a1556eee781e4a4c3a1f7f53f90fa834de098c4d",
       "e502907c16036ab3d11b78c5a2e93c20f3d6415c67f91de4ed01348182b3b2e2"},
  };
  for (const Row &r : rows) {
    Ticket t;
    if (!r.recipient.empty()) {
      t.recipient = Address::parse(r.recipient);
    }
    t.face_value = r.face_value;
    t.win_prob = r.win_prob;
    t.sender_nonce = r.nonce;
    if (!r.rrh.empty()) {
      t.recipient_rand_hash = h32(r.rrh);
    }
    t.expiration.creation_round = r.round;
    if (!r.round_hash.empty()) {
      t.expiration.creation_round_block_hash = h32(r.round_hash);
    }
    EXPECT_EQ(to_hex_bare(t.hash()), r.expected) << r.expected;
    EXPECT_EQ(t.flatten().size(), r.round ? 232u : 168u);
  }
}

// pm/ticket_test.go TestAuxData.
TEST(Ticket, UpstreamAuxData) {
  ExpirationParams a{0, h32("7624778dedc75f8b322b9fa1632a610d40b85e106c7d9bf0e743a9ce291b9c6f")};
  EXPECT_EQ(
      to_hex_bare(a.aux_data()),
      std::string(64, '0') + "7624778dedc75f8b322b9fa1632a610d40b85e106c7d9bf0e743a9ce291b9c6f");
  ExpirationParams b{5, Hash32{}};
  EXPECT_EQ(to_hex_bare(b.aux_data()), std::string(63, '0') + "5" + std::string(64, '0'));
  EXPECT_TRUE(ExpirationParams{}.aux_data().empty());
  EXPECT_THROW((ExpirationParams{-1, Hash32{}}.aux_data()), Error);
}

// pm/ticket_test.go TestEV and TestWinProbRat.
TEST(Ticket, UpstreamEv) {
  U256 half = U256::max() / U256(2);
  EXPECT_EQ(ticket_ev(1000, half), mpq_class(1000) * mpq_class(half.mpz(), U256::max().mpz()));
  EXPECT_EQ(eth::ceil_rational(ticket_ev(1000, half)), 500);
  EXPECT_EQ(mpz_class(ticket_ev(1000, half).get_num() / ticket_ev(1000, half).get_den()), 499);
  EXPECT_EQ(ticket_ev(1000, 0), 0);
  EXPECT_EQ(ticket_ev(1000, U256::max()), 1000);
  EXPECT_EQ(ticket_ev(0, half), 0);
  EXPECT_NEAR(mpq_class(half.mpz(), U256::max().mpz()).get_d(), 0.5, 1e-12);
  EXPECT_NEAR(mpq_class((U256::max() / U256(4)).mpz(), U256::max().mpz()).get_d(), 0.25, 1e-12);
}

// pm/validator_test.go and the recipientRandHash of 10 (reference A.7).
TEST(Ticket, UpstreamWinCheck) {
  Bytes foo{'f', 'o', 'o'};
  U256 rand(10);
  EXPECT_EQ(to_hex(recipient_rand_hash(rand)),
            "0xc65a7bb8d6351c1cf70c95a316cc6a92839c986682d98bc35f958f4883f9d2a8");
  Hash32 h = crypto::Keccak256().update(foo).update(ByteView(rand.to_be32())).finish();
  // The reference prints 0x212117bf…6810; the middle is from ethers' keccak256 of the same bytes.
  EXPECT_EQ(to_hex(ByteView(h)),
            "0x212117bf5ec66d480ab4d362ce2f1ae19d6b5df92c5f8633bcecf62bfaea6810");
  EXPECT_FALSE(is_winning_ticket(foo, rand, U256()));
  EXPECT_TRUE(is_winning_ticket(foo, rand, U256::max()));
  U256 hv = U256::from_be(ByteView(h));
  EXPECT_FALSE(is_winning_ticket(foo, rand, hv)) << "strictly less than winProb";
  EXPECT_TRUE(is_winning_ticket(foo, rand, hv + U256(1)));
}

struct ParamsCase {
  uint64_t gas_price;
  std::string max_float;  // reserve the monitor reports (pool of 1)
  std::string face_value;
  std::string win_prob;
};

// pm/recipient_test.go ticket params: EV 5, RedeemGas 10000, TxCostMultiplier 100.
TEST(Recipient, UpstreamTicketParams) {
  ParamsCase cases[] = {
      {100, "1000000000000000000", "100000000",
       "5789604461865809771178549250434395392663499233282028201972879200395660"},
      {777, "1000000000000000000", "777000000",
       "745122839364969082519761808292714979750772102095499125093034646125570"},
      {1, "10001", "10001",
       "57890255593098787833002192285115442382396752657554526567072084795477017120"},
  };
  for (const ParamsCase &c : cases) {
    test::FakeChain chain;
    chain.set_gas_price(c.gas_price);
    crypto::PrivateKey b = crypto::PrivateKey::generate();
    chain.set_sender(b.address(), SenderInfo{U256(1000), U256(), {U256::parse(c.max_float), 0}});
    Address o = crypto::PrivateKey::generate().address();
    SenderMonitor monitor(o, chain, chain);
    auto queue = RedemptionQueue::open(":memory:");
    Recipient r(o, RecipientConfig{5, 10000, 100, 0}, monitor, chain, chain, *queue);
    TicketParams p = r.ticket_params(b.address(), 1);
    EXPECT_EQ(p.face_value.to_dec(), c.face_value);
    EXPECT_EQ(p.win_prob.to_dec(), c.win_prob);
    EXPECT_EQ(p.expiration_block, U256(140)) << "40 blocks after the last seen block";
    EXPECT_EQ(p.expiration_params.creation_round, 5);
    EXPECT_GE(p.ev(), 5) << "ceiling division never undershoots the EV";
    EXPECT_LT(p.ev(), 6);
  }
}

TEST(Recipient, InsufficientSenderReserve) {
  test::FakeChain chain;
  chain.set_gas_price(100);
  crypto::PrivateKey b = crypto::PrivateKey::generate();
  Address o = crypto::PrivateKey::generate().address();
  SenderMonitor monitor(o, chain, chain);
  auto queue = RedemptionQueue::open(":memory:");
  Recipient r(o, RecipientConfig{5, 10000, 100, 0}, monitor, chain, chain, *queue);
  // max float = EV - 1.
  chain.set_sender(b.address(), SenderInfo{U256(1000), U256(), {U256(4), 0}});
  try {
    r.ticket_params(b.address(), 1);
    FAIL() << "params issued above the sender's max float";
  } catch (const PmError &e) {
    EXPECT_EQ(e.code(), ErrorCode::kInsufficientSenderReserve);
    EXPECT_STREQ(e.what(), "insufficient sender reserve");
  }
  // Above EV but below both the transaction cost and redeemGas * 3 gwei.
  monitor.on_sender_changed(b.address());
  chain.set_sender(b.address(), SenderInfo{U256(1000), U256(), {U256(500000), 0}});
  EXPECT_THROW(r.ticket_params(b.address(), 1), PmError);
  // A price of 0 asks for no tickets at all.
  TicketParams free_params = r.ticket_params(b.address(), 0);
  EXPECT_TRUE(free_params.face_value.is_zero());
  EXPECT_TRUE(free_params.win_prob.is_zero());
}

TEST(Recipient, MaxFaceValueCapsAndTxCostMultiplier) {
  test::FakeChain chain;
  chain.set_gas_price(100);
  crypto::PrivateKey b = crypto::PrivateKey::generate();
  chain.set_sender(b.address(), SenderInfo{U256(1000), U256(), {U256(1'000'000'000'000), 0}});
  Address o = crypto::PrivateKey::generate().address();
  SenderMonitor monitor(o, chain, chain);
  auto queue = RedemptionQueue::open(":memory:");
  Recipient r(o, RecipientConfig{5, 10000, 100, U256(50'000'000)}, monitor, chain, chain, *queue);
  EXPECT_EQ(r.ticket_params(b.address(), 1).face_value, U256(50'000'000));
  EXPECT_EQ(r.tx_cost_multiplier(b.address()), 50);  // 5e7 / (10000 * 100)
}

TEST(ParamsJson, RoundTripAndFieldNames) {
  TicketParams p;
  p.recipient = crypto::PrivateKey::generate().address();
  p.face_value = U256::parse("123456789012345678901234567890");
  p.win_prob = U256::max();
  p.recipient_rand_hash = crypto::keccak256(ByteView(std::string_view("x")));
  p.seed = 42;
  p.expiration_block = 140;
  p.price_per_pixel = mpq_class(3, 7);
  p.expiration_params = {12, crypto::keccak256(ByteView(std::string_view("y")))};
  TicketBatch batch{
      p, crypto::PrivateKey::generate().address(), {{1, Bytes(65, 1)}, {2, Bytes(65, 2)}}};
  std::string text = json::stringify(to_json(batch).get());
  JsonNodePtr node = json::parse(text);
  TicketBatch back = ticket_batch_from_json(json::ObjectReader(node.get(), ""));
  EXPECT_EQ(back.params.face_value, p.face_value);
  EXPECT_EQ(back.params.win_prob, p.win_prob);
  EXPECT_EQ(back.params.recipient_rand_hash, p.recipient_rand_hash);
  EXPECT_EQ(back.params.price_per_pixel, p.price_per_pixel);
  EXPECT_EQ(back.params.expiration_params, p.expiration_params);
  EXPECT_EQ(back.sender, batch.sender);
  ASSERT_EQ(back.sender_params.size(), 2u);
  EXPECT_EQ(back.sender_params[1].sig, Bytes(65, 2));
  EXPECT_EQ(back.ticket(1).hash(), batch.ticket(1).hash());

  struct Bad {
    std::string replace, with, field;
  } bad[] = {
      {"\"faceValue\"", "\"faceValueX\"", "ticketParams.faceValue: missing field"},
      {"\"seed\":\"42\"", "\"seed\":\"0xzz\"", "ticketParams.seed"},
      {"\"senderNonce\":\"2\"", "\"senderNonce\":\"4294967296\"",
       "ticketSenderParams[1].senderNonce"},
      {"\"creationRound\":\"12\"", "\"creationRound\":\"-3\"",
       "ticketParams.expirationParams.creationRound"},
      {"\"priceDen\":\"7\"", "\"priceDen\":\"0\"", "ticketParams.priceDen"},
  };
  for (const Bad &b : bad) {
    std::string broken = text;
    size_t at = broken.find(b.replace);
    ASSERT_NE(at, std::string::npos) << b.replace;
    broken.replace(at, b.replace.size(), b.with);
    try {
      JsonNodePtr n = json::parse(broken);
      ticket_batch_from_json(json::ObjectReader(n.get(), ""));
      FAIL() << "accepted " << b.with;
    } catch (const Error &e) {
      EXPECT_NE(std::string(e.what()).find(b.field), std::string::npos)
          << e.what() << " should name " << b.field;
    }
  }
}

TEST(ParamsJson, IntegersInEveryAcceptedForm) {
  JsonNodePtr n = json::parse(R"({"recipient":"0x0000000000000000000000000000000000000000",
    "sender":"0x0000000000000000000000000000000000000000","faceValue":500,"winProb":"0x01",
    "senderNonce":"0","recipientRandHash":"0x0000000000000000000000000000000000000000000000000000000000000000",
    "creationRound":0,"creationRoundBlockHash":"0x0000000000000000000000000000000000000000000000000000000000000000"})");
  Ticket t = ticket_from_json(json::ObjectReader(n.get(), ""));
  EXPECT_EQ(to_hex_bare(t.hash()),
            "aa4b35071043587992ac8b9dd1b2cf1d8311130e6458cf0b2342484e21af5f5b");
}

class SenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    chain.set_block(100);
    chain.set_sender(key_address, SenderInfo{U256(1'000'000'000), U256(), {U256(1'000'000), 0}});
  }
  TicketParams params(uint64_t face_value, const U256 &win_prob, uint64_t expiration = 140) {
    TicketParams p;
    p.recipient = crypto::PrivateKey::generate().address();
    p.face_value = face_value;
    p.win_prob = win_prob;
    p.recipient_rand_hash = crypto::keccak256(ByteView(std::string_view("session")));
    p.seed = 7;
    p.expiration_block = expiration;
    p.price_per_pixel = 1;
    p.expiration_params = {5, Hash32{0x11}};
    return p;
  }
  test::FakeChain chain;
  crypto::PrivateKey key = crypto::PrivateKey::generate();
  Address key_address = key.address();
};

TEST_F(SenderTest, NoncesStartAtOneAndSignaturesVerify) {
  Sender s(std::move(key), chain, chain);
  TicketParams p = params(1000, U256::max() / U256(1000));
  std::string id = s.start_session(p);
  EXPECT_EQ(id, to_hex_bare(p.recipient_rand_hash));
  TicketBatch b1 = s.create_ticket_batch(id, 3);
  TicketBatch b2 = s.create_ticket_batch(id, 2);
  ASSERT_EQ(b1.sender_params.size(), 3u);
  EXPECT_EQ(b1.sender_params[0].sender_nonce, 1u);
  EXPECT_EQ(b1.sender_params[2].sender_nonce, 3u);
  EXPECT_EQ(b2.sender_params[0].sender_nonce, 4u);
  for (size_t i = 0; i < b1.sender_params.size(); ++i) {
    EXPECT_TRUE(crypto::verify_personal(key_address, b1.ticket(i).hash(), b1.sender_params[i].sig));
  }
  EXPECT_THROW(s.create_ticket_batch("unknown", 1), PmError);
  s.end_session(id);
  EXPECT_THROW(s.create_ticket_batch(id, 1), PmError);
}

TEST_F(SenderTest, FillsMissingExpirationParams) {
  Sender s(std::move(key), chain, chain);
  TicketParams p = params(1000, U256::max() / U256(1000));
  p.expiration_params = {};
  std::string id = s.start_session(p);
  TicketBatch b = s.create_ticket_batch(id, 1);
  EXPECT_EQ(b.params.expiration_params.creation_round, 5);
  EXPECT_EQ(b.params.expiration_params.creation_round_block_hash, Hash32{0x11});
}

TEST_F(SenderTest, ZeroDepositMultiplierIsRefused) {
  SenderConfig cfg;
  cfg.deposit_multiplier = 0;
  EXPECT_THROW(Sender(std::move(key), chain, chain, cfg), Error);
}

TEST_F(SenderTest, ValidatesParamsBeforePaying) {
  SenderConfig cfg;
  cfg.max_ticket_ev = 2'000;
  cfg.max_total_ev = 5'000;
  cfg.deposit_multiplier = 2;
  Sender s(std::move(key), chain, chain, cfg);
  auto code_of = [&](const TicketParams &p, size_t n) -> std::optional<ErrorCode> {
    try {
      s.validate_ticket_params(p, n);
      return std::nullopt;
    } catch (const PmError &e) {
      return e.code();
    }
  };
  TicketParams ok = params(1'000'000, U256::max() / U256(1000));  // EV ~1000
  EXPECT_EQ(code_of(ok, 5), std::nullopt);
  EXPECT_EQ(code_of(params(1'000'000, U256::max() / U256(1000), 101), 1),
            ErrorCode::kParamsExpired);
  EXPECT_EQ(code_of(params(1'000'000, U256::max() / U256(1000), 102), 1), std::nullopt);
  EXPECT_EQ(code_of(params(1'000, U256::max()), 1), ErrorCode::kFaceValueTooLow);
  EXPECT_EQ(code_of(params(1'000'000, U256::max() / U256(100)), 1), ErrorCode::kTicketEvTooHigh);
  EXPECT_EQ(code_of(ok, 6), ErrorCode::kTotalEvTooHigh);
  EXPECT_EQ(code_of(params(600'000'000, U256::max() / U256(600'000)), 1),
            ErrorCode::kFaceValueOverDeposit);
  EXPECT_EQ(code_of(params(0, 0), 1), std::nullopt) << "free params need no checks";
  TicketParams no_expiry = ok;
  no_expiry.expiration_block = 0;
  EXPECT_EQ(code_of(no_expiry, 1), ErrorCode::kInvalidParams);

  chain.set_sender(key_address, SenderInfo{U256(1'000'000'000), U256(6), {U256(1'000'000), 0}});
  EXPECT_EQ(code_of(ok, 1), ErrorCode::kSenderUnlocking);
  chain.set_sender(key_address, SenderInfo{U256(1'000'000'000), U256(), {U256(), 0}});
  EXPECT_EQ(code_of(ok, 1), ErrorCode::kNoSenderReserve);
  chain.set_sender(key_address, SenderInfo{U256(), U256(), {U256(1'000'000), 0}});
  EXPECT_EQ(code_of(ok, 1), ErrorCode::kNoSenderDeposit);
}

TEST(SenderFee, EstimateAndTicketCount) {
  std::vector<OutputProfile> profiles = {
      {1280, 720, 30, 1}, {640, 360, 30000, 1001}, {256, 144, 0, 1}};
  // 2.5 s rounds up to 3 s; 29.97 fps rounds up to 30; passthrough counts as 60 fps.
  mpz_class pixels = 1280 * 720 * 30 * 3 + 640 * 360 * 30 * 3 + 256 * 144 * 60 * 3;
  EXPECT_EQ(estimate_fee(profiles, 2500, mpq_class(1, 10)),
            mpq_class(pixels) * mpq_class(102, 100) * mpq_class(1, 10));
  EXPECT_EQ(tickets_needed(10, 3, 0), 4);
  EXPECT_EQ(tickets_needed(10, 3, 10), 0);
  EXPECT_EQ(tickets_needed(1, 3, 0), 1) << "at least one ticket's worth";
  EXPECT_EQ(tickets_needed(10, 3, 4), 2);
  EXPECT_EQ(tickets_needed(10, 0, 0), 0);
  EXPECT_NO_THROW(validate_price(2, 1));
  EXPECT_THROW(validate_price(mpq_class(201, 100), 1), PmError);
}

TEST(SenderFee, BalanceStagesSettlesAndRefunds) {
  SenderBalance b;
  SenderBalance::Staged s = b.stage_update(10, 3);
  EXPECT_EQ(s.num_tickets, 4);
  EXPECT_EQ(s.new_credit, 12);
  b.settle(s, 10);
  EXPECT_EQ(b.balance(), 2);
  SenderBalance::Staged s2 = b.stage_update(10, 3);
  EXPECT_EQ(s2.existing, 2);
  EXPECT_EQ(s2.num_tickets, 3);
  EXPECT_EQ(b.balance(), 0) << "the balance is reserved while the request is in flight";
  b.refund(s2);
  EXPECT_EQ(b.balance(), 2);
  Balances o;
  Address a = crypto::PrivateKey::generate().address();
  o.credit(a, "s1", mpq_class(5, 2));
  o.debit(a, "s1", 1);
  EXPECT_EQ(o.balance(a, "s1"), mpq_class(3, 2));
  EXPECT_EQ(o.balance(a, "s2"), 0);
}

TEST(SenderMonitorTest, MaxFloatFollowsReserveShareAndPending) {
  test::FakeChain chain;
  Address o = crypto::PrivateKey::generate().address();
  Address b = crypto::PrivateKey::generate().address();
  chain.set_pool_size(4);
  chain.set_sender(b, SenderInfo{U256(300), U256(), {U256(1000), U256(200)}});
  chain.set_claimed(b, 50);
  SenderMonitor m(o, chain, chain);
  std::vector<std::string> heard;
  int id = m.subscribe([&](const Address &, const U256 &mf) { heard.push_back(mf.to_dec()); });
  EXPECT_EQ(m.max_float(b), U256(250));  // 1200 / 4 - 50
  m.add_pending(b, 100);                 // deposit / pending = 3: pending not subtracted
  EXPECT_EQ(m.max_float(b), U256(250));
  m.add_pending(b, 1);  // 300 / 101 < 3
  EXPECT_EQ(m.max_float(b), U256(149));
  m.sub_pending(b, 101);
  EXPECT_EQ(m.max_float(b), U256(250));
  chain.set_sender(b, SenderInfo{U256(300), U256(), {U256(2000), U256(200)}});
  EXPECT_EQ(m.max_float(b), U256(250)) << "cached until the chain says it changed";
  m.on_sender_changed(b);
  EXPECT_EQ(m.max_float(b), U256(500));
  chain.set_pool_size(2);
  m.on_new_round();
  EXPECT_EQ(m.max_float(b), U256(1050));
  EXPECT_EQ(heard, (std::vector<std::string>{"250", "149", "250", "500", "1050"}));
  m.unsubscribe(id);
  m.add_pending(b, 1);
  EXPECT_EQ(heard.size(), 5u);
  chain.set_claimed(b, 5000);
  m.on_sender_changed(b);
  EXPECT_EQ(m.max_float(b), U256()) << "never below zero";
}

TEST(SenderMonitorTest, UnlockingSendersAndEviction) {
  test::FakeChain chain;
  chain.set_round(10, Hash32{});
  Address o = crypto::PrivateKey::generate().address();
  Address b = crypto::PrivateKey::generate().address();
  SenderMonitor m(o, chain, chain, SenderMonitorConfig{std::chrono::seconds(60)});
  chain.set_sender(b, SenderInfo{U256(1), U256(12), {U256(1), 0}});
  EXPECT_FALSE(m.validate_sender(b).has_value());
  m.on_sender_changed(b);
  chain.set_sender(b, SenderInfo{U256(1), U256(11), {U256(1), 0}});
  auto f = m.validate_sender(b);
  ASSERT_TRUE(f.has_value());
  EXPECT_TRUE(f->fatal);
  EXPECT_EQ(f->code, ErrorCode::kSenderUnlocking);
  int reads = chain.sender_info_reads;
  EXPECT_EQ(m.cleanup(SenderMonitor::Clock::now()), 0u);
  EXPECT_EQ(m.cleanup(SenderMonitor::Clock::now() + std::chrono::seconds(61)), 1u);
  m.max_float(b);
  EXPECT_EQ(chain.sender_info_reads, reads + 1) << "an evicted sender is read again";
}

}  // namespace
}  // namespace lp::pm
