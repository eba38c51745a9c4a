// Cross-checks against ethers 6 (an independent implementation, run through node): keccak,
// addresses, personal_sign, keystores in both directions, ABI encoding of Livepeer calls, RLP and
// signed transactions. Inputs are pseudo-random with a fixed seed, so a failure reproduces.
#include <gtest/gtest.h>

#include <random>

#include "crypto/ecdsa.h"
#include "crypto/keccak.h"
#include "crypto/keystore.h"
#include "eth/abi.h"
#include "eth/rlp.h"
#include "eth/transaction.h"
#include "pm/ticket.h"
#include "support.h"

namespace lp {
namespace {

using eth::U256;
using eth::abi::Type;
using eth::abi::Value;
using test::ask_ethers;
using test::string_node;

class Ethers : public ::testing::Test {
 protected:
  Bytes random_bytes_of(size_t n) {
    Bytes b(n);
    for (uint8_t &x : b) {
      x = static_cast<uint8_t>(rng() & 0xff);
    }
    return b;
  }
  crypto::PrivateKey random_key() {
    for (;;) {
      try {
        return crypto::PrivateKey::from_bytes(random_bytes_of(32));
      } catch (const Error &) {
      }
    }
  }
  U256 random_u256(size_t max_bytes = 32) {
    return U256::from_be(random_bytes_of(rng() % (max_bytes + 1)));
  }
  std::mt19937_64 rng{20261124};
};

json::ObjectWriter request(const char *op) {
  json::ObjectWriter w;
  w.set("op", op);
  return w;
}

std::string field(const JsonNodePtr &answer, const char *key) {
  json::ObjectReader r(answer.get(), "ethers");
  if (r.has("error")) {
    return "ethers error: " + r.string("error");
  }
  return r.string(key);
}

JsonNodePtr array_of(std::vector<JsonNodePtr> items) {
  JsonArray *arr = json_array_new();
  for (JsonNodePtr &i : items) {
    json_array_add_element(arr, i.release());
  }
  JsonNode *n = json_node_alloc();
  json_node_take_array(json_node_init(n, JSON_NODE_ARRAY), arr);
  return JsonNodePtr(n);
}

TEST_F(Ethers, Keccak) {
  std::vector<JsonNodePtr> reqs;
  std::vector<Bytes> inputs;
  for (size_t len = 0; len <= 300; ++len) {
    inputs.push_back(random_bytes_of(len));
    reqs.push_back(request("keccak").set("data", to_hex(inputs.back())).node());
  }
  std::vector<JsonNodePtr> answers = ask_ethers(reqs);
  for (size_t i = 0; i < inputs.size(); ++i) {
    EXPECT_EQ(field(answers[i], "hash"), to_hex(crypto::keccak256(inputs[i]))) << "length " << i;
  }
}

TEST_F(Ethers, AddressesAndPersonalSign) {
  std::vector<JsonNodePtr> reqs;
  std::vector<crypto::PrivateKey> keys;
  std::vector<Hash32> messages;
  for (int i = 0; i < 25; ++i) {
    keys.push_back(random_key());
    Hash32 m{};
    Bytes b = random_bytes_of(32);
    std::copy(b.begin(), b.end(), m.begin());
    messages.push_back(m);
    std::string key_hex = to_hex(keys.back().secret().view());
    reqs.push_back(request("address")
                       .set("key", key_hex)
                       .set("lower", keys.back().address().lower_hex())
                       .node());
    reqs.push_back(request("personal_sign").set("key", key_hex).set("message", to_hex(m)).node());
  }
  std::vector<JsonNodePtr> answers = ask_ethers(reqs);
  for (size_t i = 0; i < keys.size(); ++i) {
    std::string checksummed = keys[i].address().checksummed();
    EXPECT_EQ(field(answers[2 * i], "address"), checksummed);
    EXPECT_EQ(field(answers[2 * i], "checksummed"), checksummed);
    EXPECT_EQ(field(answers[2 * i + 1], "digest"), to_hex(crypto::personal_digest(messages[i])));
    EXPECT_EQ(field(answers[2 * i + 1], "sig"), to_hex(keys[i].personal_sign(messages[i])))
        << "RFC 6979 on both sides gives identical signatures";
  }
}

TEST_F(Ethers, KeystoresBothWays) {
  crypto::PrivateKey ours = random_key();
  crypto::PrivateKey theirs = random_key();
  std::string our_json = crypto::encrypt_keystore(ours, "correct horse", {1024, 8, 1});
  std::vector<JsonNodePtr> reqs;
  reqs.push_back(
      request("keystore_decrypt").set("json", our_json).set("password", "correct horse").node());
  reqs.push_back(request("keystore_decrypt").set("json", our_json).set("password", "wrong").node());
  reqs.push_back(request("keystore_encrypt")
                     .set("key", to_hex(theirs.secret().view()))
                     .set("password", "battery staple")
                     .set("n", int64_t{1024})
                     .node());
  std::vector<JsonNodePtr> answers = ask_ethers(reqs);
  EXPECT_EQ(field(answers[0], "key"), to_hex(ours.secret().view()));
  EXPECT_EQ(field(answers[0], "address"), ours.address().checksummed());
  EXPECT_NE(field(answers[1], "key").find("incorrect password"), std::string::npos);
  std::string their_json = field(answers[2], "json");
  EXPECT_EQ(crypto::decrypt_keystore(their_json, "battery staple").address(), theirs.address());
  EXPECT_THROW(crypto::decrypt_keystore(their_json, "battery"), crypto::KeystoreError);
}

// ethers' JSON form of an ABI value: integers as decimal strings, bytes and addresses as hex,
// tuples and arrays as JSON arrays.
JsonNodePtr ethers_value(const Type &t, const Value &v) {
  switch (t.kind) {
    case Type::Kind::kUint:
    case Type::Kind::kInt:
      return string_node(v.as_int().get_str(10));
    case Type::Kind::kAddress:
      return string_node(v.as_address().checksummed());
    case Type::Kind::kBool: {
      JsonNode *n = json_node_alloc();
      json_node_init_boolean(n, v.as_bool());
      return JsonNodePtr(n);
    }
    case Type::Kind::kFixedBytes:
    case Type::Kind::kBytes:
      return string_node(to_hex(v.as_bytes()));
    case Type::Kind::kString:
      return string_node(v.as_string());
    default: {
      std::vector<JsonNodePtr> items;
      const Value::List &list = v.as_list();
      for (size_t i = 0; i < list.size(); ++i) {
        const Type &child = t.kind == Type::Kind::kTuple ? t.components[i] : t.components[0];
        items.push_back(ethers_value(child, list[i]));
      }
      return array_of(std::move(items));
    }
  }
}

TEST_F(Ethers, RedeemWinningTicketCall) {
  const char *sig =
      "redeemWinningTicket((address recipient,address sender,uint256 faceValue,uint256 winProb,"
      "uint256 senderNonce,bytes32 recipientRandHash,bytes auxData) _ticket,bytes _sig,"
      "uint256 _recipientRand)";
  eth::abi::Function fn = eth::abi::Function::parse(sig);
  std::vector<JsonNodePtr> reqs;
  std::vector<Bytes> ours;
  for (int i = 0; i < 10; ++i) {
    crypto::PrivateKey sender = random_key();
    pm::Ticket t;
    t.recipient = random_key().address();
    t.sender = sender.address();
    t.face_value = random_u256();
    t.win_prob = random_u256();
    t.sender_nonce = static_cast<uint32_t>(rng());
    t.recipient_rand_hash = crypto::keccak256(random_bytes_of(8));
    t.expiration = {static_cast<int64_t>(rng() % 100000), crypto::keccak256(random_bytes_of(8))};
    crypto::Signature s = pm::sign_ticket(t, sender);
    U256 rand = random_u256();
    Value ticket = Value::of_list(
        {Value::of_address(t.recipient), Value::of_address(t.sender), Value::of_uint(t.face_value),
         Value::of_uint(t.win_prob), Value::of_uint(t.sender_nonce),
         Value::of_bytes(Bytes(t.recipient_rand_hash.begin(), t.recipient_rand_hash.end())),
         Value::of_bytes(t.expiration.aux_data())});
    std::vector<Value> args = {ticket, Value::of_bytes(Bytes(s.begin(), s.end())),
                               Value::of_uint(rand)};
    ours.push_back(fn.encode_call(args));
    std::vector<JsonNodePtr> ethers_args;
    for (size_t a = 0; a < args.size(); ++a) {
      ethers_args.push_back(ethers_value(fn.inputs[a], args[a]));
    }
    reqs.push_back(request("encode_call")
                       .set("signature", std::string(sig))
                       .set("args", array_of(std::move(ethers_args)))
                       .node());
    EXPECT_EQ(fn.decode_call(ours.back()), args);
  }
  std::vector<JsonNodePtr> answers = ask_ethers(reqs);
  for (size_t i = 0; i < ours.size(); ++i) {
    EXPECT_EQ(field(answers[i], "data"), to_hex(ours[i]));
    EXPECT_EQ(to_hex_bare(ByteView(ours[i].data(), 4)), "ec8b3cb6");
  }
}

TEST_F(Ethers, AbiEncodingOfMixedTypes) {
  std::vector<std::string> type_names = {
      "uint256[]", "string",  "(address,bytes)[]",          "int24",
      "bytes7",    "bool[2]", "(uint8,(string,bytes32)[2])"};
  std::vector<Type> types;
  for (const std::string &n : type_names) {
    types.push_back(Type::parse(n));
  }
  std::vector<JsonNodePtr> reqs;
  std::vector<Bytes> ours;
  std::vector<std::vector<Value>> all_values;
  for (int round = 0; round < 8; ++round) {
    Value::List numbers;
    for (size_t i = 0; i < rng() % 4; ++i) {
      numbers.push_back(Value::of_uint(random_u256()));
    }
    Value::List pairs;
    for (size_t i = 0; i < rng() % 3; ++i) {
      pairs.push_back(Value::of_list({Value::of_address(random_key().address()),
                                      Value::of_bytes(random_bytes_of(rng() % 70))}));
    }
    mpz_class small = static_cast<long>(rng() % (1 << 23)) - (1 << 22);
    std::vector<Value> values = {
        Value::of_list(numbers),
        Value::of_string(std::string(rng() % 50, 'a') + "ü"),
        Value::of_list(pairs),
        Value::of_int(small),
        Value::of_bytes(random_bytes_of(7)),
        Value::of_list({Value::of_bool(rng() & 1), Value::of_bool(rng() & 1)}),
        Value::of_list(
            {Value::of_uint(rng() % 256),
             Value::of_list(
                 {Value::of_list({Value::of_string("x"), Value::of_bytes(random_bytes_of(32))}),
                  Value::of_list({Value::of_string(""), Value::of_bytes(random_bytes_of(32))})})}),
    };
    ours.push_back(eth::abi::encode(types, values));
    EXPECT_EQ(eth::abi::decode(types, ours.back()), values);
    std::vector<JsonNodePtr> type_nodes;
    std::vector<JsonNodePtr> value_nodes;
    for (size_t i = 0; i < types.size(); ++i) {
      type_nodes.push_back(string_node(type_names[i]));
      value_nodes.push_back(ethers_value(types[i], values[i]));
    }
    reqs.push_back(request("abi_encode")
                       .set("types", array_of(std::move(type_nodes)))
                       .set("values", array_of(std::move(value_nodes)))
                       .node());
  }
  std::vector<JsonNodePtr> answers = ask_ethers(reqs);
  for (size_t i = 0; i < ours.size(); ++i) {
    EXPECT_EQ(field(answers[i], "data"), to_hex(ours[i])) << "round " << i;
  }
}

// ethers' form of an RLP item: hex strings and nested arrays.
JsonNodePtr ethers_rlp(const eth::rlp::Item &item) {
  if (!item.is_list) {
    return string_node(to_hex(item.bytes));
  }
  std::vector<JsonNodePtr> children;
  for (const eth::rlp::Item &c : item.items) {
    children.push_back(ethers_rlp(c));
  }
  return array_of(std::move(children));
}

TEST_F(Ethers, Rlp) {
  std::function<eth::rlp::Item(int)> make = [&](int depth) -> eth::rlp::Item {
    if (depth > 3 || rng() % 3 == 0) {
      size_t sizes[] = {0, 1, 1, 2, 55, 56, 300, 70000};
      Bytes b = random_bytes_of(sizes[rng() % 8]);
      return eth::rlp::Item::str(b);
    }
    std::vector<eth::rlp::Item> items;
    size_t n = rng() % 6;
    for (size_t i = 0; i < n; ++i) {
      items.push_back(make(depth + 1));
    }
    return eth::rlp::Item::list(std::move(items));
  };
  std::vector<JsonNodePtr> reqs;
  std::vector<Bytes> ours;
  for (int i = 0; i < 30; ++i) {
    eth::rlp::Item item = make(0);
    ours.push_back(eth::rlp::encode(item));
    EXPECT_EQ(eth::rlp::decode(ours.back()), item);
    json::ObjectWriter w = request("rlp");
    w.set("item", ethers_rlp(item));
    reqs.push_back(w.node());
  }
  std::vector<JsonNodePtr> answers = ask_ethers(reqs);
  for (size_t i = 0; i < ours.size(); ++i) {
    EXPECT_EQ(field(answers[i], "data"), to_hex(ours[i])) << i;
  }
}

TEST_F(Ethers, SignedTransactions) {
  std::vector<JsonNodePtr> reqs;
  std::vector<eth::SignedTx> ours;
  std::vector<crypto::Address> senders;
  for (int i = 0; i < 12; ++i) {
    crypto::PrivateKey key = random_key();
    senders.push_back(key.address());
    bool legacy = i % 2 == 1;
    bool create = i % 4 == 2;
    uint64_t chain = i % 3 == 0 ? 42161 : 31337;
    uint64_t nonce = rng() % 1000;
    uint64_t gas = 21000 + rng() % 1'000'000;
    U256 value = random_u256(12);
    Bytes data = random_bytes_of(rng() % 100);
    std::optional<crypto::Address> to;
    if (!create) {
      to = random_key().address();
    }
    json::ObjectWriter tx;
    tx.set("chainId", std::to_string(chain))
        .set("nonce", static_cast<int64_t>(nonce))
        .set("gasLimit", std::to_string(gas))
        .set("value", value.to_dec())
        .set("data", to_hex(data));
    if (to) {
      tx.set("to", to->checksummed());
    }
    if (legacy) {
      eth::LegacyTx t{nonce, random_u256(8), gas, to, value, data, chain};
      tx.set("type", int64_t{0}).set("gasPrice", t.gas_price.to_dec());
      ours.push_back(eth::sign(t, key));
    } else {
      eth::Eip1559Tx t;
      t.chain_id = chain;
      t.nonce = nonce;
      t.max_priority_fee_per_gas = random_u256(6);
      t.max_fee_per_gas = t.max_priority_fee_per_gas + random_u256(8);
      t.gas_limit = gas;
      t.to = to;
      t.value = value;
      t.data = data;
      tx.set("type", int64_t{2})
          .set("maxPriorityFeePerGas", t.max_priority_fee_per_gas.to_dec())
          .set("maxFeePerGas", t.max_fee_per_gas.to_dec());
      if (i % 3 == 1) {
        // An access list entry, which ethers writes in the same RLP shape.
        crypto::Address a = random_key().address();
        Hash32 k = crypto::keccak256(random_bytes_of(4));
        t.access_list.push_back({a, {k}});
        JsonArray *keys = json_array_new();
        json_array_add_string_element(keys, to_hex(k).c_str());
        JsonNode *keys_node = json_node_alloc();
        json_node_take_array(json_node_init(keys_node, JSON_NODE_ARRAY), keys);
        json::ObjectWriter entry;
        entry.set("address", a.checksummed()).set("storageKeys", JsonNodePtr(keys_node));
        std::vector<JsonNodePtr> list;
        list.push_back(entry.node());
        tx.set("accessList", array_of(std::move(list)));
      }
      ours.push_back(eth::sign(t, key));
    }
    reqs.push_back(
        request("sign_tx").set("key", to_hex(key.secret().view())).set("tx", tx.node()).node());
  }
  std::vector<JsonNodePtr> parse_reqs;
  for (const eth::SignedTx &s : ours) {
    parse_reqs.push_back(request("parse_tx").set("raw", to_hex(s.raw)).node());
  }
  std::vector<JsonNodePtr> answers = ask_ethers(reqs);
  std::vector<JsonNodePtr> parsed = ask_ethers(parse_reqs);
  for (size_t i = 0; i < ours.size(); ++i) {
    EXPECT_EQ(field(answers[i], "raw"), to_hex(ours[i].raw)) << "transaction " << i;
    EXPECT_EQ(field(answers[i], "hash"), to_hex(ours[i].hash));
    EXPECT_EQ(field(parsed[i], "from"), senders[i].checksummed());
    EXPECT_EQ(field(parsed[i], "hash"), to_hex(ours[i].hash));
    EXPECT_EQ(eth::decode_signed(ours[i].raw).from, senders[i]);
  }
}

}  // namespace
}  // namespace lp
