// The block watcher and the transaction manager read receipts and logs from JSON-RPC servers,
// which may be hostile, and decode the protocol's events out of them. Input: a JSON receipt
// ('{'), a JSON array of logs ('['), or binary: one byte picking a known event, one byte of
// extra topic count, 32-byte topics, then the log data. Whatever decodes must decode the same
// again from its re-encoded data.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "chain/events.h"
#include "eth/rpc_types.h"
#include "util/json.h"

namespace {

namespace abi = lp::eth::abi;

void check(const lp::eth::Log &log) {
  std::optional<lp::chain::events::ChainEvent> ev;
  try {
    ev = lp::chain::events::decode(log);
  } catch (const lp::Error &) {
    return;
  }
  if (!ev) {
    return;
  }
  std::vector<abi::Type> types;
  std::vector<abi::Value> values;
  for (size_t i = 0; i < ev->event->params.size(); ++i) {
    if (!ev->event->params[i].indexed) {
      types.push_back(ev->event->params[i].type);
      values.push_back(ev->values.at(i));
    }
  }
  lp::eth::Log again = log;
  again.data = abi::encode(types, values);
  auto ev2 = lp::chain::events::decode(again);
  if (!ev2 || ev2->values != ev->values || ev2->subject != ev->subject || ev2->round != ev->round ||
      ev2->block_hash != ev->block_hash) {
    std::abort();
  }
}

void json_input(const uint8_t *data, size_t size) {
  lp::JsonNodePtr root;
  try {
    root = lp::json::parse(std::string_view(reinterpret_cast<const char *>(data), size));
  } catch (const lp::Error &) {
    return;
  }
  try {
    if (JSON_NODE_HOLDS_OBJECT(root.get())) {
      lp::eth::Receipt r = lp::eth::receipt_from_json(root.get());
      for (const lp::eth::Log &log : r.logs) {
        check(log);
      }
    } else if (JSON_NODE_HOLDS_ARRAY(root.get())) {
      JsonArray *arr = json_node_get_array(root.get());
      for (guint i = 0; i < json_array_get_length(arr) && i < 64; ++i) {
        check(lp::eth::log_from_json(json_array_get_element(arr, i)));
      }
    }
  } catch (const lp::Error &) {
  }
}

void binary_input(const uint8_t *data, size_t size) {
  if (size < 2) {
    return;
  }
  const auto &known = lp::chain::events::all();
  lp::eth::Log log;
  log.topics.push_back(known[data[0] % known.size()].event->topic0);
  size_t extra = data[1] % 4;
  data += 2;
  size -= 2;
  for (size_t i = 0; i < extra && size >= 32; ++i) {
    lp::Hash32 t{};
    std::copy(data, data + 32, t.begin());
    log.topics.push_back(t);
    data += 32;
    size -= 32;
  }
  log.data.assign(data, data + size);
  check(log);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) {
    return 0;
  }
  if (data[0] == '{' || data[0] == '[') {
    json_input(data, size);
  } else {
    binary_input(data, size);
  }
  return 0;
}
