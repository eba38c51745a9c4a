#include "eth/rpc_types.h"

#include "util/json.h"

namespace lp::eth {

namespace {

std::string string_of(JsonNode *node, const std::string &what) {
  if (!node || !JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING) {
    throw Error(what + ": expected a string");
  }
  return json_node_get_string(node);
}

JsonNode *member(JsonObject *obj, const char *key) {
  JsonNode *n = json_object_get_member(obj, key);
  return (n && !JSON_NODE_HOLDS_NULL(n)) ? n : nullptr;
}

JsonObject *object_of(JsonNode *node, const std::string &what) {
  if (!node || !JSON_NODE_HOLDS_OBJECT(node)) {
    throw Error(what + ": expected an object");
  }
  return json_node_get_object(node);
}

JsonArray *array_of(JsonNode *node, const std::string &what) {
  if (!node || !JSON_NODE_HOLDS_ARRAY(node)) {
    throw Error(what + ": expected an array");
  }
  return json_node_get_array(node);
}

uint64_t u64_member(JsonObject *obj, const char *key, const std::string &what) {
  return quantity_from_json(member(obj, key), what + "." + key).to_u64(what + "." + key);
}

crypto::Address address_member(JsonNode *node, const std::string &what) {
  return crypto::Address::from_bytes(data_from_json(node, what), what);
}

JsonNodePtr hash_array(const std::vector<Hash32> &hashes) {
  JsonArray *arr = json_array_new();
  for (const Hash32 &h : hashes) {
    json_array_add_string_element(arr, to_hex(h).c_str());
  }
  JsonNode *n = json_node_alloc();
  json_node_take_array(json_node_init(n, JSON_NODE_ARRAY), arr);
  return JsonNodePtr(n);
}

}  // namespace

BlockTag BlockTag::number(uint64_t n) {
  return {U256(n).to_hex()};
}

U256 quantity_from_json(JsonNode *node, const std::string &what) {
  std::string s = string_of(node, what);
  if (s.size() < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) {
    throw Error(what + ": expected a 0x-hex quantity");
  }
  return U256::parse(s, what);
}

Bytes data_from_json(JsonNode *node, const std::string &what) {
  return from_hex(string_of(node, what), what);
}

Hash32 hash_from_json(JsonNode *node, const std::string &what) {
  return from_hex_fixed<32>(string_of(node, what), what);
}

JsonNodePtr to_json(const CallRequest &call) {
  json::ObjectWriter w;
  if (call.from) {
    w.set("from", call.from->lower_hex());
  }
  if (call.to) {
    w.set("to", call.to->lower_hex());
  }
  w.set("data", to_hex(call.data));
  if (call.value) {
    w.set("value", call.value->to_hex());
  }
  if (call.gas) {
    w.set("gas", U256(*call.gas).to_hex());
  }
  return w.node();
}

JsonNodePtr to_json(const LogFilter &f) {
  json::ObjectWriter w;
  if (f.from_block) {
    w.set("fromBlock", f.from_block->tag);
  }
  if (f.to_block) {
    w.set("toBlock", f.to_block->tag);
  }
  if (!f.addresses.empty()) {
    JsonArray *arr = json_array_new();
    for (const crypto::Address &a : f.addresses) {
      json_array_add_string_element(arr, a.lower_hex().c_str());
    }
    JsonNode *n = json_node_alloc();
    json_node_take_array(json_node_init(n, JSON_NODE_ARRAY), arr);
    w.set("address", JsonNodePtr(n));
  }
  if (!f.topics.empty()) {
    JsonArray *arr = json_array_new();
    for (const auto &slot : f.topics) {
      if (!slot) {
        json_array_add_null_element(arr);
      } else {
        json_array_add_element(arr, hash_array(*slot).release());
      }
    }
    JsonNode *n = json_node_alloc();
    json_node_take_array(json_node_init(n, JSON_NODE_ARRAY), arr);
    w.set("topics", JsonNodePtr(n));
  }
  return w.node();
}

Block block_from_json(JsonNode *node) {
  JsonObject *o = object_of(node, "block");
  Block b;
  b.number = u64_member(o, "number", "block");
  b.hash = hash_from_json(member(o, "hash"), "block.hash");
  b.parent_hash = hash_from_json(member(o, "parentHash"), "block.parentHash");
  b.timestamp = u64_member(o, "timestamp", "block");
  if (JsonNode *fee = member(o, "baseFeePerGas")) {
    b.base_fee_per_gas = quantity_from_json(fee, "block.baseFeePerGas");
  }
  if (JsonNode *l1 = member(o, "l1BlockNumber")) {
    b.l1_block_number = quantity_from_json(l1, "block.l1BlockNumber").to_u64("l1BlockNumber");
  }
  return b;
}

FeeHistory fee_history_from_json(JsonNode *node) {
  JsonObject *o = object_of(node, "feeHistory");
  FeeHistory h;
  h.oldest_block = u64_member(o, "oldestBlock", "feeHistory");
  JsonArray *base = array_of(member(o, "baseFeePerGas"), "feeHistory.baseFeePerGas");
  for (guint i = 0; i < json_array_get_length(base); ++i) {
    h.base_fee_per_gas.push_back(
        quantity_from_json(json_array_get_element(base, i), "feeHistory.baseFeePerGas"));
  }
  JsonArray *ratio = array_of(member(o, "gasUsedRatio"), "feeHistory.gasUsedRatio");
  for (guint i = 0; i < json_array_get_length(ratio); ++i) {
    JsonNode *r = json_array_get_element(ratio, i);
    if (!JSON_NODE_HOLDS_VALUE(r)) {
      throw Error("feeHistory.gasUsedRatio: expected numbers");
    }
    h.gas_used_ratio.push_back(json_node_get_double(r));
  }
  if (JsonNode *reward = member(o, "reward")) {
    JsonArray *rows = array_of(reward, "feeHistory.reward");
    for (guint i = 0; i < json_array_get_length(rows); ++i) {
      JsonArray *row = array_of(json_array_get_element(rows, i), "feeHistory.reward");
      std::vector<U256> values;
      for (guint j = 0; j < json_array_get_length(row); ++j) {
        values.push_back(quantity_from_json(json_array_get_element(row, j), "feeHistory.reward"));
      }
      h.reward.push_back(std::move(values));
    }
  }
  return h;
}

Log log_from_json(JsonNode *node) {
  JsonObject *o = object_of(node, "log");
  Log l;
  l.address = address_member(member(o, "address"), "log.address");
  JsonArray *topics = array_of(member(o, "topics"), "log.topics");
  for (guint i = 0; i < json_array_get_length(topics); ++i) {
    l.topics.push_back(hash_from_json(json_array_get_element(topics, i), "log.topics"));
  }
  l.data = data_from_json(member(o, "data"), "log.data");
  if (member(o, "blockNumber")) {
    l.block_number = u64_member(o, "blockNumber", "log");
  }
  if (JsonNode *bh = member(o, "blockHash")) {
    l.block_hash = hash_from_json(bh, "log.blockHash");
  }
  if (JsonNode *th = member(o, "transactionHash")) {
    l.transaction_hash = hash_from_json(th, "log.transactionHash");
  }
  if (member(o, "logIndex")) {
    l.log_index = u64_member(o, "logIndex", "log");
  }
  if (JsonNode *removed = member(o, "removed")) {
    l.removed = JSON_NODE_HOLDS_VALUE(removed) && json_node_get_boolean(removed);
  }
  return l;
}

Receipt receipt_from_json(JsonNode *node) {
  JsonObject *o = object_of(node, "receipt");
  Receipt r;
  r.transaction_hash = hash_from_json(member(o, "transactionHash"), "receipt.transactionHash");
  r.block_number = u64_member(o, "blockNumber", "receipt");
  r.block_hash = hash_from_json(member(o, "blockHash"), "receipt.blockHash");
  r.status = quantity_from_json(member(o, "status"), "receipt.status") == U256(1);
  r.gas_used = u64_member(o, "gasUsed", "receipt");
  if (JsonNode *p = member(o, "effectiveGasPrice")) {
    r.effective_gas_price = quantity_from_json(p, "receipt.effectiveGasPrice");
  }
  r.from = address_member(member(o, "from"), "receipt.from");
  if (JsonNode *to = member(o, "to")) {
    r.to = address_member(to, "receipt.to");
  }
  if (JsonNode *ca = member(o, "contractAddress")) {
    r.contract_address = address_member(ca, "receipt.contractAddress");
  }
  JsonArray *logs = array_of(member(o, "logs"), "receipt.logs");
  for (guint i = 0; i < json_array_get_length(logs); ++i) {
    r.logs.push_back(log_from_json(json_array_get_element(logs, i)));
  }
  return r;
}

}  // namespace lp::eth
