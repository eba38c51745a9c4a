#include "eth/jsonrpc.h"

#include <libsoup/soup.h>

#include <set>

#include "eth/abi.h"
#include "util/json.h"

namespace lp::eth {

namespace {

// JSON-RPC error code geth and anvil use for reverts carrying data.
constexpr int64_t kExecutionReverted = 3;

std::string kind_name(RpcError::Kind k) {
  switch (k) {
    case RpcError::Kind::kTimeout:
      return "timeout";
    case RpcError::Kind::kTransport:
      return "transport error";
    case RpcError::Kind::kHttp:
      return "HTTP error";
    case RpcError::Kind::kRpc:
      return "JSON-RPC error";
    case RpcError::Kind::kRevert:
      return "execution reverted";
    case RpcError::Kind::kMalformed:
      return "malformed response";
  }
  return "error";
}

JsonNodePtr string_node(const std::string &s) {
  JsonNode *n = json_node_alloc();
  json_node_init_string(n, s.c_str());
  return JsonNodePtr(n);
}

JsonNodePtr bool_node(bool b) {
  JsonNode *n = json_node_alloc();
  json_node_init_boolean(n, b);
  return JsonNodePtr(n);
}

using json::array_node;

RpcError make_error(RpcError::Kind kind, const std::string &method, std::string message) {
  RpcError e;
  e.kind = kind;
  e.method = method;
  e.message = std::move(message);
  return e;
}

// A JSON-RPC error object: revert data is decoded into a reason when present.
RpcError error_from_object(const std::string &method, JsonNode *node) {
  RpcError e = make_error(RpcError::Kind::kRpc, method, "error object without a message");
  if (!JSON_NODE_HOLDS_OBJECT(node)) {
    return make_error(RpcError::Kind::kMalformed, method, "\"error\" is not an object");
  }
  JsonObject *o = json_node_get_object(node);
  JsonNode *code = json_object_get_member(o, "code");
  if (code && JSON_NODE_HOLDS_VALUE(code) && json_node_get_value_type(code) == G_TYPE_INT64) {
    e.code = json_node_get_int(code);
  }
  JsonNode *msg = json_object_get_member(o, "message");
  if (msg && JSON_NODE_HOLDS_VALUE(msg) && json_node_get_value_type(msg) == G_TYPE_STRING) {
    e.message = json_node_get_string(msg);
  }
  JsonNode *data = json_object_get_member(o, "data");
  if (data && JSON_NODE_HOLDS_VALUE(data) && json_node_get_value_type(data) == G_TYPE_STRING) {
    try {
      e.data = from_hex(json_node_get_string(data), "data");
    } catch (const Error &) {
      e.data.clear();  // some nodes put prose in "data"; the message already says it
    }
  }
  bool reverted = e.code == kExecutionReverted || e.message.rfind("execution reverted", 0) == 0 ||
                  !e.data.empty();
  if (reverted) {
    e.kind = RpcError::Kind::kRevert;
    if (auto reason = abi::decode_revert(e.data)) {
      e.revert_reason = *reason;
    }
  }
  return e;
}

}  // namespace

std::string RpcError::describe() const {
  std::string out = method.empty() ? kind_name(kind) : method + ": " + kind_name(kind);
  switch (kind) {
    case Kind::kHttp:
      out += " " + std::to_string(http_status);
      break;
    case Kind::kRpc:
      out += " " + std::to_string(code);
      break;
    case Kind::kRevert:
      if (!revert_reason.empty()) {
        return out + ": " + revert_reason;
      }
      break;
    default:
      break;
  }
  return message.empty() ? out : out + ": " + message;
}

struct RpcClient::State {
  Options options;
  GObjectPtr<SoupSession> session;
  GMainContextPtr context;
  uint64_t next_id = 1;
  bool alive = true;
  std::set<GCancellable *> pending;
};

namespace {

struct Request {
  std::shared_ptr<RpcClient::State> state;
  std::string method;
  uint64_t id = 0;
  GObjectPtr<SoupMessage> msg;
  GObjectPtr<GCancellable> cancellable;
  GSource *timer = nullptr;  // owned by the context once attached
  bool timed_out = false;
  RpcClient::Callback<JsonNodePtr> done;
};

gboolean on_timeout(gpointer data) {
  auto *req = static_cast<Request *>(data);
  req->timed_out = true;
  req->timer = nullptr;
  g_cancellable_cancel(req->cancellable.get());
  return G_SOURCE_REMOVE;
}

RpcResult<JsonNodePtr> interpret(Request &req, GBytes *body, GError *error) {
  if (error) {
    if (req.timed_out) {
      return make_error(RpcError::Kind::kTimeout, req.method,
                        "no response within " + std::to_string(req.state->options.timeout_ms) +
                            " ms from " + req.state->options.url);
    }
    return make_error(RpcError::Kind::kTransport, req.method,
                      std::string(error->message) + " (" + req.state->options.url + ")");
  }
  guint status = soup_message_get_status(req.msg.get());
  gsize size = 0;
  const char *data = body ? static_cast<const char *>(g_bytes_get_data(body, &size)) : "";
  std::string_view text(data ? data : "", size);
  if (status < 200 || status >= 300) {
    RpcError e = make_error(RpcError::Kind::kHttp, req.method,
                            soup_message_get_reason_phrase(req.msg.get())
                                ? soup_message_get_reason_phrase(req.msg.get())
                                : "");
    e.http_status = static_cast<int>(status);
    if (!text.empty()) {
      e.message += (e.message.empty() ? "" : ": ") + std::string(text.substr(0, 200));
    }
    return e;
  }
  JsonNodePtr root;
  try {
    root = json::parse(text);
  } catch (const Error &e) {
    return make_error(RpcError::Kind::kMalformed, req.method, e.what());
  }
  if (!JSON_NODE_HOLDS_OBJECT(root.get())) {
    return make_error(RpcError::Kind::kMalformed, req.method, "response is not a JSON object");
  }
  JsonObject *o = json_node_get_object(root.get());
  JsonNode *id = json_object_get_member(o, "id");
  if (!id || !JSON_NODE_HOLDS_VALUE(id) || json_node_get_value_type(id) != G_TYPE_INT64 ||
      static_cast<uint64_t>(json_node_get_int(id)) != req.id) {
    return make_error(RpcError::Kind::kMalformed, req.method, "response id does not match");
  }
  if (JsonNode *err = json_object_get_member(o, "error")) {
    if (!JSON_NODE_HOLDS_NULL(err)) {
      return error_from_object(req.method, err);
    }
  }
  JsonNode *result = json_object_get_member(o, "result");
  if (!result) {
    return make_error(RpcError::Kind::kMalformed, req.method, "response has no result");
  }
  return JsonNodePtr(json_node_copy(result));
}

void on_done(GObject *source, GAsyncResult *res, gpointer data) {
  std::unique_ptr<Request> req(static_cast<Request *>(data));
  GError *raw = nullptr;
  GBytesPtr body(soup_session_send_and_read_finish(SOUP_SESSION(source), res, &raw));
  GErrorPtr error(raw);
  if (req->timer) {
    g_source_destroy(req->timer);
    req->timer = nullptr;
  }
  req->state->pending.erase(req->cancellable.get());
  if (!req->state->alive) {
    return;
  }
  RpcResult<JsonNodePtr> result = interpret(*req, body.get(), error.get());
  req->done(std::move(result));
}

// Runs `done` with an error from the client's context, never from inside the caller's call.
void fail_later(const std::shared_ptr<RpcClient::State> &state,
                RpcClient::Callback<JsonNodePtr> done, RpcError error) {
  struct Deferred {
    std::shared_ptr<RpcClient::State> state;
    RpcClient::Callback<JsonNodePtr> done;
    RpcError error;
  };
  auto *d = new Deferred{state, std::move(done), std::move(error)};
  GSourcePtr idle(g_idle_source_new());
  g_source_set_callback(
      idle.get(),
      [](gpointer p) -> gboolean {
        auto *deferred = static_cast<Deferred *>(p);
        if (deferred->state->alive) {
          deferred->done(deferred->error);
        }
        return G_SOURCE_REMOVE;
      },
      d, [](gpointer p) { delete static_cast<Deferred *>(p); });
  g_source_attach(idle.get(), state->context.get());
}

template <typename T, typename Convert>
void typed(RpcClient &client, const std::string &method, JsonNodePtr params,
           RpcClient::Callback<T> done, Convert convert) {
  client.call(method, std::move(params),
              [method, done = std::move(done), convert](RpcResult<JsonNodePtr> r) {
                if (!r.ok()) {
                  done(r.error());
                  return;
                }
                std::optional<T> value;
                RpcError error;
                try {
                  value.emplace(convert(r.value().get()));
                } catch (const Error &e) {
                  error = make_error(RpcError::Kind::kMalformed, method, e.what());
                }
                if (value) {
                  done(std::move(*value));
                } else {
                  done(std::move(error));
                }
              });
}

}  // namespace

RpcClient::RpcClient(Options options) : state_(std::make_shared<State>()) {
  state_->options = std::move(options);
  GMainContext *ctx = g_main_context_get_thread_default();
  state_->context.reset(g_main_context_ref(ctx ? ctx : g_main_context_default()));
  state_->session.reset(soup_session_new());
}

RpcClient::~RpcClient() {
  state_->alive = false;
  for (GCancellable *c : state_->pending) {
    g_cancellable_cancel(c);
  }
}

size_t RpcClient::pending_requests() const {
  return state_->pending.size();
}

void RpcClient::call(const std::string &method, JsonNodePtr params, Callback<JsonNodePtr> done) {
  if (!params) {
    params = array_node({});
  }
  if (!JSON_NODE_HOLDS_ARRAY(params.get())) {
    fail_later(state_, std::move(done),
               make_error(RpcError::Kind::kMalformed, method, "params must be a JSON array"));
    return;
  }
  auto req = std::make_unique<Request>();
  req->state = state_;
  req->method = method;
  req->id = state_->next_id++;
  req->done = std::move(done);
  req->msg.reset(soup_message_new(SOUP_METHOD_POST, state_->options.url.c_str()));
  if (!req->msg) {
    fail_later(state_, std::move(req->done),
               make_error(RpcError::Kind::kTransport, method,
                          "invalid JSON-RPC URL \"" + state_->options.url + "\""));
    return;
  }
  json::ObjectWriter body;
  body.set("jsonrpc", "2.0")
      .set("id", static_cast<int64_t>(req->id))
      .set("method", method)
      .set("params", std::move(params));
  std::string text = body.to_string();
  GBytesPtr bytes(g_bytes_new(text.data(), text.size()));
  soup_message_set_request_body_from_bytes(req->msg.get(), "application/json", bytes.get());
  req->cancellable.reset(g_cancellable_new());
  GSourcePtr timer(g_timeout_source_new(state_->options.timeout_ms));
  g_source_set_callback(timer.get(), on_timeout, req.get(), nullptr);
  g_source_attach(timer.get(), state_->context.get());
  req->timer = timer.get();  // the context keeps it alive until destroyed
  state_->pending.insert(req->cancellable.get());
  Request *raw = req.release();
  soup_session_send_and_read_async(state_->session.get(), raw->msg.get(), G_PRIORITY_DEFAULT,
                                   raw->cancellable.get(), on_done, raw);
}

void RpcClient::chain_id(Callback<U256> done) {
  typed<U256>(*this, "eth_chainId", nullptr, std::move(done),
              [](JsonNode *n) { return quantity_from_json(n, "chainId"); });
}

void RpcClient::block_number(Callback<uint64_t> done) {
  typed<uint64_t>(*this, "eth_blockNumber", nullptr, std::move(done), [](JsonNode *n) {
    return quantity_from_json(n, "blockNumber").to_u64("blockNumber");
  });
}

void RpcClient::get_block_by_number(const BlockTag &block, Callback<std::optional<Block>> done) {
  std::vector<JsonNodePtr> p;
  p.push_back(string_node(block.tag));
  p.push_back(bool_node(false));
  typed<std::optional<Block>>(*this, "eth_getBlockByNumber", array_node(std::move(p)),
                              std::move(done), [](JsonNode *n) -> std::optional<Block> {
                                if (JSON_NODE_HOLDS_NULL(n)) {
                                  return std::nullopt;
                                }
                                return block_from_json(n);
                              });
}

void RpcClient::eth_call(const CallRequest &call, const BlockTag &block, Callback<Bytes> done) {
  std::vector<JsonNodePtr> p;
  p.push_back(to_json(call));
  p.push_back(string_node(block.tag));
  typed<Bytes>(*this, "eth_call", array_node(std::move(p)), std::move(done),
               [](JsonNode *n) { return data_from_json(n, "result"); });
}

void RpcClient::estimate_gas(const CallRequest &call, Callback<uint64_t> done) {
  std::vector<JsonNodePtr> p;
  p.push_back(to_json(call));
  typed<uint64_t>(*this, "eth_estimateGas", array_node(std::move(p)), std::move(done),
                  [](JsonNode *n) { return quantity_from_json(n, "gas").to_u64("gas"); });
}

void RpcClient::gas_price(Callback<U256> done) {
  typed<U256>(*this, "eth_gasPrice", nullptr, std::move(done),
              [](JsonNode *n) { return quantity_from_json(n, "gasPrice"); });
}

void RpcClient::fee_history(uint64_t block_count, const BlockTag &newest,
                            const std::vector<double> &reward_percentiles,
                            Callback<FeeHistory> done) {
  std::vector<JsonNodePtr> percentiles;
  for (double pct : reward_percentiles) {
    JsonNode *n = json_node_alloc();
    json_node_init_double(n, pct);
    percentiles.push_back(JsonNodePtr(n));
  }
  std::vector<JsonNodePtr> p;
  p.push_back(string_node(U256(block_count).to_hex()));
  p.push_back(string_node(newest.tag));
  p.push_back(array_node(std::move(percentiles)));
  typed<FeeHistory>(*this, "eth_feeHistory", array_node(std::move(p)), std::move(done),
                    [](JsonNode *n) { return fee_history_from_json(n); });
}

void RpcClient::get_transaction_count(const crypto::Address &account, const BlockTag &block,
                                      Callback<uint64_t> done) {
  std::vector<JsonNodePtr> p;
  p.push_back(string_node(account.lower_hex()));
  p.push_back(string_node(block.tag));
  typed<uint64_t>(*this, "eth_getTransactionCount", array_node(std::move(p)), std::move(done),
                  [](JsonNode *n) { return quantity_from_json(n, "nonce").to_u64("nonce"); });
}

void RpcClient::send_raw_transaction(ByteView raw, Callback<Hash32> done) {
  std::vector<JsonNodePtr> p;
  p.push_back(string_node(to_hex(raw)));
  typed<Hash32>(*this, "eth_sendRawTransaction", array_node(std::move(p)), std::move(done),
                [](JsonNode *n) { return hash_from_json(n, "transaction hash"); });
}

void RpcClient::get_transaction_receipt(const Hash32 &tx, Callback<std::optional<Receipt>> done) {
  std::vector<JsonNodePtr> p;
  p.push_back(string_node(to_hex(tx)));
  typed<std::optional<Receipt>>(*this, "eth_getTransactionReceipt", array_node(std::move(p)),
                                std::move(done), [](JsonNode *n) -> std::optional<Receipt> {
                                  if (JSON_NODE_HOLDS_NULL(n)) {
                                    return std::nullopt;
                                  }
                                  return receipt_from_json(n);
                                });
}

void RpcClient::get_logs(const LogFilter &filter, Callback<std::vector<Log>> done) {
  std::vector<JsonNodePtr> p;
  p.push_back(to_json(filter));
  typed<std::vector<Log>>(*this, "eth_getLogs", array_node(std::move(p)), std::move(done),
                          [](JsonNode *n) {
                            if (!JSON_NODE_HOLDS_ARRAY(n)) {
                              throw Error("logs: expected an array");
                            }
                            JsonArray *arr = json_node_get_array(n);
                            std::vector<Log> logs;
                            for (guint i = 0; i < json_array_get_length(arr); ++i) {
                              logs.push_back(log_from_json(json_array_get_element(arr, i)));
                            }
                            return logs;
                          });
}

}  // namespace lp::eth
