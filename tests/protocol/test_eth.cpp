// uint256, ABI (Solidity documentation examples, Livepeer selectors and topics), RLP (the
// Ethereum wiki examples), transactions, and the B<->O signature digests.
#include <gtest/gtest.h>

#include "chain/txpolicy.h"
#include "crypto/keccak.h"
#include "eth/abi.h"
#include "eth/rlp.h"
#include "eth/transaction.h"
#include "eth/uint256.h"
#include "net/sigs.h"

namespace lp::eth {
namespace {

using abi::Type;
using abi::Value;

Bytes hex(const std::string &s) {
  return from_hex(s, "test", HexPrefix::kOptional);
}

TEST(U256, ParsesDecimalAndHexWithinRange) {
  EXPECT_EQ(U256::parse("0").to_dec(), "0");
  EXPECT_EQ(U256::parse("0x0").to_dec(), "0");
  EXPECT_EQ(U256::parse("0xff").to_dec(), "255");
  EXPECT_EQ(U256::parse("0x" + std::string(64, 'f')), U256::max());
  EXPECT_EQ(U256::max().to_dec(),
            "115792089237316195423570985008687907853269984665640564039457584007913129639935");
  EXPECT_THROW(U256::parse("0x1" + std::string(64, '0')), Error);
  EXPECT_THROW(
      U256::parse("115792089237316195423570985008687907853269984665640564039457584007913129639936"),
      Error);
  for (const char *bad : {"", "-1", "0x", "12a", " 1", "1.5", "0xg"}) {
    EXPECT_THROW(U256::parse(bad, "faceValue"), Error) << bad;
  }
  try {
    U256::parse("x", "faceValue");
  } catch (const Error &e) {
    EXPECT_NE(std::string(e.what()).find("faceValue"), std::string::npos);
  }
}

TEST(U256, BytesAndCheckedArithmetic) {
  EXPECT_TRUE(U256().to_minimal_be().empty());
  EXPECT_EQ(U256(256).to_minimal_be(), hex("0100"));
  EXPECT_EQ(to_hex(U256(1).to_be32()),
            "0x0000000000000000000000000000000000000000000000000000000000000001");
  EXPECT_EQ(U256::from_be(hex("0001")), U256(1));
  EXPECT_THROW(U256::from_be(Bytes(33, 1)), Error);
  EXPECT_THROW(U256::max() + U256(1), Error);
  EXPECT_THROW(U256(1) - U256(2), Error);
  EXPECT_THROW(U256(1) / U256(), Error);
  EXPECT_EQ(U256(7) / U256(2), U256(3));
  EXPECT_EQ(U256(7) % U256(2), U256(1));
  EXPECT_EQ(ceil_rational(mpq_class(7, 2)), 4);
  EXPECT_EQ(ceil_rational(mpq_class(6, 2)), 3);
  EXPECT_EQ(U256::saturate(U256::max().mpz() * 3), U256::max());
  EXPECT_EQ(U256::saturate(mpz_class(-5)), U256());
  EXPECT_EQ(U256::saturate(mpz_class(42)), U256(42));
}

// The worked examples of the Solidity ABI specification.
TEST(Abi, SolidityDocumentationExamples) {
  abi::Function baz = abi::Function::parse("baz(uint32 x, bool y)");
  EXPECT_EQ(to_hex(baz.encode_call({Value::of_uint(69), Value::of_bool(true)})),
            "0xcdcd77c0"
            "0000000000000000000000000000000000000000000000000000000000000045"
            "0000000000000000000000000000000000000000000000000000000000000001");

  abi::Function bar = abi::Function::parse("bar(bytes3[2])");
  EXPECT_EQ(to_hex(bar.encode_call({Value::of_list(
                {Value::of_bytes(hex("616263")), Value::of_bytes(hex("646566"))})})),
            "0xfce353f6"
            "6162630000000000000000000000000000000000000000000000000000000000"
            "6465660000000000000000000000000000000000000000000000000000000000");

  abi::Function sam = abi::Function::parse("sam(bytes,bool,uint256[])");
  Bytes sam_data =
      sam.encode_call({Value::of_bytes(hex("64617665")), Value::of_bool(true),
                       Value::of_list({Value::of_uint(1), Value::of_uint(2), Value::of_uint(3)})});
  EXPECT_EQ(to_hex(sam_data),
            "0xa5643bf2"
            "0000000000000000000000000000000000000000000000000000000000000060"
            "0000000000000000000000000000000000000000000000000000000000000001"
            "00000000000000000000000000000000000000000000000000000000000000a0"
            "0000000000000000000000000000000000000000000000000000000000000004"
            "6461766500000000000000000000000000000000000000000000000000000000"
            "0000000000000000000000000000000000000000000000000000000000000003"
            "0000000000000000000000000000000000000000000000000000000000000001"
            "0000000000000000000000000000000000000000000000000000000000000002"
            "0000000000000000000000000000000000000000000000000000000000000003");
  std::vector<Value> back = sam.decode_call(sam_data);
  ASSERT_EQ(back.size(), 3u);
  EXPECT_EQ(back[0].as_bytes(), hex("64617665"));
  EXPECT_TRUE(back[1].as_bool());
  EXPECT_EQ(back[2].as_list().size(), 3u);
  EXPECT_EQ(back[2].as_list()[2].as_uint(), U256(3));

  abi::Function f = abi::Function::parse("f(uint256,uint32[],bytes10,bytes)");
  EXPECT_EQ(
      to_hex(f.encode_call(
          {Value::of_uint(0x123), Value::of_list({Value::of_uint(0x456), Value::of_uint(0x789)}),
           Value::of_bytes(Bytes{'1', '2', '3', '4', '5', '6', '7', '8', '9', '0'}),
           Value::of_bytes(
               Bytes{'H', 'e', 'l', 'l', 'o', ',', ' ', 'w', 'o', 'r', 'l', 'd', '!'})})),
      "0x8be65246"
      "0000000000000000000000000000000000000000000000000000000000000123"
      "0000000000000000000000000000000000000000000000000000000000000080"
      "3132333435363738393000000000000000000000000000000000000000000000"
      "00000000000000000000000000000000000000000000000000000000000000e0"
      "0000000000000000000000000000000000000000000000000000000000000002"
      "0000000000000000000000000000000000000000000000000000000000000456"
      "0000000000000000000000000000000000000000000000000000000000000789"
      "000000000000000000000000000000000000000000000000000000000000000d"
      "48656c6c6f2c20776f726c642100000000000000000000000000000000000000");
}

// Selectors and topics as listed in the reference (§5), recomputed from the signatures.
TEST(Abi, LivepeerSelectorsAndTopics) {
  struct {
    const char *sig;
    const char *selector;
  } fns[] = {
      {"transfer(address,uint256)", "a9059cbb"},
      {"redeemWinningTicket((address,address,uint256,uint256,uint256,bytes32,bytes),bytes,"
       "uint256)",
       "ec8b3cb6"},
      {"batchRedeemWinningTickets((address,address,uint256,uint256,uint256,bytes32,bytes)[],"
       "bytes[],uint256[])",
       "d01b808e"},
      {"fundDepositAndReserve(uint256,uint256)", "511f4073"},
      {"getSenderInfo(address)", "e1a589da"},
      {"claimedReserve(address,address)", "4ac826da"},
      {"blockHashForRound(uint256)", "3aa4add4"},
      {"bondWithHint(uint256,address,address,address,address,address)", "6bd9add4"},
  };
  for (const auto &f : fns) {
    abi::Function parsed = abi::Function::parse(f.sig);
    EXPECT_EQ(to_hex_bare(ByteView(parsed.selector)), f.selector) << f.sig;
  }
  EXPECT_EQ(to_hex(abi::Event::parse("NewRound(uint256 indexed round, bytes32 blockHash)").topic0),
            "0x22f2fc17c5daf07db2379b3a03a8ef20a183f761097a58fce219c8a14619e786");
  EXPECT_EQ(to_hex(abi::Event::parse("WinningTicketRedeemed(address indexed,address indexed,"
                                     "uint256,uint256,uint256,uint256,bytes)")
                       .topic0),
            "0xc389eb51ed006dbf2528507f010efdf5225ea596e1e1741d74f550dab1925ee7");
}

TEST(Abi, TypeParsing) {
  EXPECT_EQ(Type::parse("uint").canonical(), "uint256");
  EXPECT_EQ(Type::parse(" ( address , bytes ) [ ] [2]").canonical(), "(address,bytes)[][2]");
  EXPECT_TRUE(Type::parse("(uint8,string)").is_dynamic());
  EXPECT_FALSE(Type::parse("(uint8,bytes32)[3]").is_dynamic());
  EXPECT_EQ(Type::parse("(uint8,bytes32)[3]").head_size(), 192u);
  for (const char *bad : {"uint7", "uint264", "bytes33", "bytes0", "()", "uint[0]", "foo", "bytes$",
                          "uint8a", "int1x", "uint256[", "(uint256", "int08", ""}) {
    EXPECT_THROW(Type::parse(bad), Error) << bad;
  }
  std::string deep(40, '(');
  deep += "uint256" + std::string(40, ')');
  EXPECT_THROW(Type::parse(deep), Error);
  // Component names, as human-readable ABIs write them.
  EXPECT_EQ(Type::parse("(address recipient, uint256 faceValue)").canonical(), "(address,uint256)");
  EXPECT_THROW(Type::parse("(address indexed a)"), Error);
  EXPECT_THROW(abi::Function::parse("f(uint256 indexed)"), Error);
}

TEST(Abi, SignedIntegersAndRanges) {
  std::vector<Type> types = {Type::parse("int8"), Type::parse("int256")};
  Bytes data = abi::encode(types, {Value::of_int(-1), Value::of_int(mpz_class("-12345678901234"))});
  EXPECT_EQ(to_hex(ByteView(data.data(), 32)), "0x" + std::string(64, 'f'));
  std::vector<Value> back = abi::decode(types, data);
  EXPECT_EQ(back[0].as_int(), -1);
  EXPECT_EQ(back[1].as_int(), mpz_class("-12345678901234"));
  EXPECT_THROW(abi::encode({Type::parse("int8")}, {Value::of_int(128)}), Error);
  EXPECT_THROW(abi::encode({Type::parse("uint8")}, {Value::of_int(256)}), Error);
  EXPECT_THROW(abi::encode({Type::parse("uint8")}, {Value::of_int(-1)}), Error);
  // A uint8 word with high bits set, an int8 that is not sign-extended.
  Bytes dirty(32, 0);
  dirty[30] = 1;
  EXPECT_THROW(abi::decode({Type::parse("uint8")}, dirty), Error);
  EXPECT_THROW(abi::decode({Type::parse("int8")}, dirty), Error);
}

TEST(Abi, DecoderRejectsMalformedData) {
  std::vector<Type> bytes_t = {Type::parse("bytes")};
  Bytes offset_past_end(32, 0);
  offset_past_end[31] = 0x40;
  EXPECT_THROW(abi::decode(bytes_t, offset_past_end), Error);

  Bytes huge_length(64, 0);
  huge_length[31] = 0x20;
  huge_length[40] = 0xff;  // length word far larger than the data
  EXPECT_THROW(abi::decode(bytes_t, huge_length), Error);
  EXPECT_THROW(abi::decode({Type::parse("uint256[]")}, huge_length), Error);

  Bytes bad_bool(32, 0);
  bad_bool[31] = 2;
  EXPECT_THROW(abi::decode({Type::parse("bool")}, bad_bool), Error);
  Bytes bad_address(32, 0xff);
  EXPECT_THROW(abi::decode({Type::parse("address")}, bad_address), Error);
  Bytes bad_padding(32, 0);
  bad_padding[5] = 1;
  EXPECT_THROW(abi::decode({Type::parse("bytes4")}, bad_padding), Error);
  EXPECT_THROW(abi::decode({Type::parse("uint256")}, Bytes(31, 0)), Error);
}

// Offsets may be shared; a crafted input with every element pointing at the same nested array
// must not expand exponentially.
TEST(Abi, SharedOffsetsCannotBlowUp) {
  // uint256[][][] where each level has 2 elements that all point at one child.
  Bytes data;
  auto word = [&](uint64_t v) {
    Bytes w(32, 0);
    for (int i = 0; i < 8; ++i) {
      w[31 - i] = static_cast<uint8_t>(v >> (8 * i));
    }
    append(data, w);
  };
  word(0x20);  // offset of the outer array
  for (int level = 0; level < 20; ++level) {
    word(2);     // length 2
    word(0x40);  // both elements point right after the two offsets
    word(0x40);
  }
  word(0);
  std::string type = "uint256";
  for (int i = 0; i < 20; ++i) {
    type += "[]";
  }
  EXPECT_THROW(abi::decode({Type::parse(type)}, data), Error);
  // Static containers own no words of their own: a canonical encoding of nested fixed arrays of
  // tuples decodes within the budget.
  std::vector<Type> nested = {Type::parse("((int8)[8])[4]")};
  Value::List outer;
  for (int i = 0; i < 4; ++i) {
    Value::List row;
    for (int j = 0; j < 8; ++j) {
      row.push_back(Value::of_list({Value::of_int(j - i)}));
    }
    outer.push_back(Value::of_list({Value::of_list(row)}));
  }
  std::vector<Value> values = {Value::of_list(outer)};
  EXPECT_EQ(abi::decode(nested, abi::encode(nested, values)), values);
}

TEST(Abi, EventLogDecoding) {
  abi::Event transfer =
      abi::Event::parse("Transfer(address indexed from, address indexed to, uint256 value)");
  crypto::Address from = crypto::Address::parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
  crypto::Address to = crypto::Address::parse("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359");
  auto topic = [](const crypto::Address &a) {
    Hash32 t{};
    std::copy(a.bytes().begin(), a.bytes().end(), t.begin() + 12);
    return t;
  };
  Bytes data = abi::encode({Type::parse("uint256")}, {Value::of_uint(1000)});
  std::vector<Value> v = transfer.decode({transfer.topic0, topic(from), topic(to)}, data);
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0].as_address(), from);
  EXPECT_EQ(v[1].as_address(), to);
  EXPECT_EQ(v[2].as_uint(), U256(1000));
  EXPECT_THROW(transfer.decode({transfer.topic0, topic(from)}, data), Error);
  EXPECT_THROW(transfer.decode({Hash32{}, topic(from), topic(to)}, data), Error);
}

TEST(Abi, RevertReasons) {
  Bytes error = abi::Function::parse("Error(string)").encode_call({Value::of_string("nope")});
  EXPECT_EQ(abi::decode_revert(error).value(), "nope");
  Bytes panic = abi::Function::parse("Panic(uint256)").encode_call({Value::of_uint(0x11)});
  EXPECT_EQ(abi::decode_revert(panic).value(), "panic 0x11 (arithmetic underflow or overflow)");
  EXPECT_EQ(abi::decode_revert(hex("deadbeef")).value(), "custom error 0xdeadbeef");
  EXPECT_FALSE(abi::decode_revert(Bytes{}).has_value());
  EXPECT_NE(abi::decode_revert(hex("08c379a0ff")).value().find("malformed"), std::string::npos);
}

// Examples from the Ethereum wiki's RLP page.
TEST(Rlp, WikiExamples) {
  using rlp::Item;
  auto s = [](const std::string &text) { return Item::str(Bytes(text.begin(), text.end())); };
  EXPECT_EQ(to_hex(rlp::encode(s("dog"))), "0x83646f67");
  EXPECT_EQ(to_hex(rlp::encode(Item::list({s("cat"), s("dog")}))), "0xc88363617483646f67");
  EXPECT_EQ(to_hex(rlp::encode(s(""))), "0x80");
  EXPECT_EQ(to_hex(rlp::encode(Item::list({}))), "0xc0");
  EXPECT_EQ(to_hex(rlp::encode(Item::uint(0))), "0x80");
  EXPECT_EQ(to_hex(rlp::encode(Item::str(Bytes{0}))), "0x00");
  EXPECT_EQ(to_hex(rlp::encode(Item::uint(15))), "0x0f");
  EXPECT_EQ(to_hex(rlp::encode(Item::uint(1024))), "0x820400");
  Item empty = Item::list({});
  Item set = Item::list({empty, Item::list({empty}), Item::list({empty, Item::list({empty})})});
  EXPECT_EQ(to_hex(rlp::encode(set)), "0xc7c0c1c0c3c0c1c0");
  std::string lorem = "Lorem ipsum dolor sit amet, consectetur adipisicing elit";
  Bytes enc = rlp::encode(s(lorem));
  EXPECT_EQ(to_hex(ByteView(enc.data(), 2)), "0xb838");
  EXPECT_EQ(rlp::decode(enc), s(lorem));
  EXPECT_EQ(rlp::decode(rlp::encode(set)), set);
}

TEST(Rlp, StrictDecoding) {
  for (const char *bad : {"", "8100",    // single byte below 0x80 wrapped
                          "b800",        // long form for a short string
                          "b90000",      // length with a leading zero
                          "83646f",      // truncated
                          "83646f6767",  // trailing byte
                          "c3836461",    // list payload shorter than declared
                          "bf0102030405060708"}) {
    EXPECT_THROW(rlp::decode(hex(bad)), Error) << bad;
  }
  rlp::Item deep = rlp::Item::list({});
  for (int i = 0; i < 70; ++i) {
    deep = rlp::Item::list({deep});
  }
  Bytes nested = rlp::encode(deep);
  EXPECT_THROW(rlp::decode(nested), Error);  // past the default depth of 64
  EXPECT_EQ(rlp::decode(nested, 100), deep);
  EXPECT_THROW(rlp::Item::str(hex("0001")).as_uint("nonce"), Error);
}

TEST(Transaction, Eip1559SignAndDecode) {
  crypto::PrivateKey key = crypto::PrivateKey::generate();
  Eip1559Tx tx;
  tx.chain_id = 42161;
  tx.nonce = 7;
  tx.max_priority_fee_per_gas = 1'000'000;
  tx.max_fee_per_gas = 2'000'000'000;
  tx.gas_limit = 500000;
  tx.to = crypto::Address::parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
  tx.value = 12345;
  tx.data = hex("ec8b3cb6");
  Eip1559Tx inverted = tx;
  inverted.max_priority_fee_per_gas = tx.max_fee_per_gas + U256(1);
  EXPECT_THROW(sign(inverted, key), Error);
  tx.access_list.push_back({*tx.to, {Hash32{}}});
  SignedTx signed_tx = sign(tx, key);
  EXPECT_EQ(signed_tx.raw[0], 0x02);
  EXPECT_EQ(signed_tx.hash, crypto::keccak256(signed_tx.raw));
  DecodedTx d = decode_signed(signed_tx.raw);
  EXPECT_EQ(d.type, 2);
  EXPECT_EQ(d.from, key.address());
  ASSERT_TRUE(d.eip1559);
  EXPECT_EQ(d.eip1559->nonce, 7u);
  EXPECT_EQ(d.eip1559->data, tx.data);
  EXPECT_EQ(d.eip1559->access_list, tx.access_list);
  Bytes corrupted = signed_tx.raw;
  corrupted[corrupted.size() - 40] ^= 1;  // inside s
  DecodedTx other;
  try {
    other = decode_signed(corrupted);
    EXPECT_NE(other.from, key.address());
  } catch (const Error &) {
    SUCCEED();  // an s that no key recovers from
  }
}

TEST(Transaction, LegacyEip155VEncodesTheChain) {
  crypto::PrivateKey key = crypto::PrivateKey::generate();
  LegacyTx tx;
  tx.nonce = 0;
  tx.gas_price = 1'000'000'000;
  tx.gas_limit = 21000;
  tx.to = crypto::Address::parse("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359");
  tx.value = 1;
  tx.chain_id = 1337;
  SignedTx s = sign(tx, key);
  rlp::Item root = rlp::decode(s.raw);
  U256 v = root.items.at(6).as_uint("v");
  EXPECT_TRUE(v == U256(1337 * 2 + 35) || v == U256(1337 * 2 + 36));
  DecodedTx d = decode_signed(s.raw);
  EXPECT_EQ(d.type, 0);
  EXPECT_EQ(d.from, key.address());
  EXPECT_EQ(d.legacy->chain_id, U256(1337));
}

// go-livepeer core/stream_test.go TestSegmentFlatten (reference A.6) and the profile ID table.
TEST(NetSigs, SegmentDigestAndProfileIds) {
  Hash32 seg_hash{};
  std::string browns = "browns";
  std::copy(browns.begin(), browns.end(), seg_hash.begin());
  EXPECT_EQ(
      to_hex(net::segment_digest("abcdef", 1234, seg_hash, {"P144p30fps16x9", "P240p30fps16x9"})),
      "0x08a398e7e7a5a545b0b07d9e7e1eab52b4131e0df1621bd53ee6e7550a15465b");
  EXPECT_EQ(net::profile_id("P720p30fps16x9"), "49d54ea9");
  EXPECT_EQ(net::profile_id("P360p30fps16x9"), "93c717e7");
  EXPECT_EQ(net::profile_id("P144p25fps16x9"), "03f01d1f");
  crypto::Address b = crypto::Address::parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
  EXPECT_EQ(
      net::orchestrator_request_digest(b),
      crypto::keccak256(ByteView(std::string_view("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"))));
}

}  // namespace
}  // namespace lp::eth

// ---- the transaction manager's fee and refusal policy (no node needed) ----------------------

namespace lp::chain {
namespace {

using eth::U256;

TEST(TxPolicy, FeesFromAQuoteWithinTheCap) {
  Fees f;
  EXPECT_FALSE(quote_fees(U256(10), U256(2), false, U256(), &f));
  EXPECT_EQ(f.max_fee, U256(22));  // twice the base fee plus the tip
  EXPECT_EQ(f.tip, U256(2));
  EXPECT_FALSE(quote_fees(U256(10), U256(8), false, U256(15), &f));
  EXPECT_EQ(f.max_fee, U256(15));
  EXPECT_EQ(f.tip, U256(5)) << "the tip fits under the cap with the base fee";
  auto over = quote_fees(U256(15), U256(1), false, U256(15), &f);
  ASSERT_TRUE(over);
  EXPECT_NE(over->find("at or above the max fee cap of 15 wei"), std::string::npos) << *over;
  EXPECT_FALSE(quote_fees(U256(20), U256(), true, U256(20), &f));
  EXPECT_TRUE(f.legacy);
  EXPECT_EQ(f.max_fee, U256(20));
  EXPECT_TRUE(quote_fees(U256(21), U256(), true, U256(20), &f));
  // A hostile node's base fee saturates instead of throwing.
  EXPECT_FALSE(quote_fees(U256::max(), U256::max(), false, U256(), &f));
  EXPECT_EQ(f.max_fee, U256::max());
}

TEST(TxPolicy, ReplacementRaisesBothFeesOrGivesUp) {
  Fees sent;
  sent.max_fee = U256(100);
  sent.tip = U256(10);
  Fees now;
  now.max_fee = U256(50);
  now.tip = U256(5);
  auto raised = replacement_fees(sent, now, 25, U256());
  ASSERT_TRUE(raised);
  EXPECT_EQ(raised->max_fee, U256(125));
  EXPECT_EQ(raised->tip, U256(12));
  now.max_fee = U256(300);  // fees rose faster than the bump
  EXPECT_EQ(replacement_fees(sent, now, 25, U256())->max_fee, U256(300));
  EXPECT_EQ(replacement_fees(sent, now, 25, U256(112))->max_fee, U256(112));
  EXPECT_FALSE(replacement_fees(sent, now, 25, U256(105)))
      << "a raise under 10% is dropped by nodes: not worth sending";
  EXPECT_EQ(with_margin(1000, 20), 1200u);
  EXPECT_EQ(with_margin(UINT64_MAX - 5, 20), UINT64_MAX);
}

TEST(TxPolicy, WhatANodesRefusalMeans) {
  eth::RpcError e;
  e.kind = eth::RpcError::Kind::kRpc;
  e.message = "Transaction already imported";
  EXPECT_TRUE(already_known(e));
  e.message = "already known";
  EXPECT_TRUE(already_known(e));
  EXPECT_FALSE(nonce_refused(e));
  e.message = "nonce too low: next nonce 7, tx nonce 5";
  EXPECT_TRUE(nonce_used(e));
  EXPECT_TRUE(nonce_refused(e));
  e.message = "replacement transaction underpriced";
  EXPECT_FALSE(nonce_used(e));
  EXPECT_TRUE(nonce_refused(e));
  e.kind = eth::RpcError::Kind::kTransport;
  e.message = "already known";
  EXPECT_FALSE(already_known(e)) << "only the node's own answer counts";
}

}  // namespace
}  // namespace lp::chain
