#include "chain_fixture.h"

#include <libsoup/soup.h>

#include <future>

#include "contracts/artifacts.h"
#include "util/json.h"
#include "util/secret.h"

namespace lp::test {

namespace {

struct Suite {
  std::unique_ptr<Anvil> anvil;
  chain::ContractAddresses contracts;
  chain::DeployConfig config;
};
Suite *suite = nullptr;

JsonNodePtr params_node(const std::vector<std::string> &params) {
  JsonArray *arr = json_array_new();
  for (const std::string &p : params) {
    json_array_add_string_element(arr, p.c_str());
  }
  JsonNode *n = json_node_alloc();
  json_node_take_array(json_node_init(n, JSON_NODE_ARRAY), arr);
  return JsonNodePtr(n);
}

JsonNodePtr call_raw(eth::RpcClient &rpc, const std::string &method,
                     const std::vector<std::string> &params) {
  auto r = await_rpc<JsonNodePtr>(
      [&](eth::RpcClient::Callback<JsonNodePtr> cb) { rpc.call(method, params_node(params), cb); });
  if (!r.ok()) {
    throw Error(method + ": " + r.error().describe());
  }
  return std::move(r.value());
}

}  // namespace

struct RpcProxy::State {
  std::string upstream;
  mutable std::mutex mu;
  Hook hook;
  std::map<std::string, size_t> counts;
  GMainContext *context = nullptr;
  GMainLoop *loop = nullptr;
  SoupSession *session = nullptr;

  Reply forward(const std::string &body) const {
    GObjectPtr<SoupMessage> msg(soup_message_new("POST", upstream.c_str()));
    GBytesPtr bytes(g_bytes_new(body.data(), body.size()));
    soup_message_set_request_body_from_bytes(msg.get(), "application/json", bytes.get());
    GError *raw = nullptr;
    GBytesPtr answer(soup_session_send_and_read(session, msg.get(), nullptr, &raw));
    if (!answer) {
      GErrorPtr err(raw);
      return lost();
    }
    gsize n = 0;
    const char *data = static_cast<const char *>(g_bytes_get_data(answer.get(), &n));
    return Reply{soup_message_get_status(msg.get()), std::string(data, n), 0};
  }

  static void handle(SoupServer *, SoupServerMessage *msg, const char *, GHashTable *,
                     gpointer user_data) {
    auto *self = static_cast<State *>(user_data);
    SoupMessageBody *in = soup_server_message_get_request_body(msg);
    GBytesPtr flat(soup_message_body_flatten(in));
    gsize n = 0;
    const char *data = static_cast<const char *>(g_bytes_get_data(flat.get(), &n));
    Request req;
    req.body.assign(data, n);
    try {
      JsonNodePtr doc = json::parse(req.body);
      json::ObjectReader r(doc.get(), "");
      req.method = r.string("method");
      req.id = json::stringify(r.node("id"));
      req.params = r.has("params") ? json::stringify(r.node("params")) : "[]";
    } catch (const Error &) {
      // Not one JSON-RPC request: passed on as it is.
    }
    Hook hook;
    {
      std::lock_guard<std::mutex> lock(self->mu);
      hook = self->hook;
      ++self->counts[req.method];
    }
    Forward fwd = [self, &req] { return self->forward(req.body); };
    std::optional<Reply> reply;
    if (hook) {
      reply = hook(req, fwd);
    }
    if (!reply) {
      reply = fwd();
    }
    if (!reply->delay_ms) {
      respond(msg, *reply);
      return;
    }
    // Held without holding up the other requests: they are answered meanwhile.
    struct Held {
      SoupServerMessage *msg;
      Reply reply;
    };
    soup_server_message_pause(msg);
    auto *held = new Held{SOUP_SERVER_MESSAGE(g_object_ref(msg)), *reply};
    GSource *later = g_timeout_source_new(reply->delay_ms);
    g_source_set_callback(
        later,
        [](gpointer data) -> gboolean {
          auto *h = static_cast<Held *>(data);
          respond(h->msg, h->reply);
          soup_server_message_unpause(h->msg);
          g_object_unref(h->msg);
          delete h;
          return G_SOURCE_REMOVE;
        },
        held, nullptr);
    g_source_attach(later, self->context);
    g_source_unref(later);
  }

  static void respond(SoupServerMessage *msg, const Reply &reply) {
    soup_server_message_set_status(msg, reply.status, nullptr);
    soup_server_message_set_response(msg, "application/json", SOUP_MEMORY_COPY, reply.body.data(),
                                     reply.body.size());
  }
};

RpcProxy::RpcProxy(std::string upstream) : state_(std::make_shared<State>()) {
  state_->upstream = std::move(upstream);
  std::promise<std::string> started;
  std::future<std::string> url = started.get_future();
  std::shared_ptr<State> st = state_;
  thread_ = std::thread([st, &started] {
    st->context = g_main_context_new();
    g_main_context_push_thread_default(st->context);
    st->loop = g_main_loop_new(st->context, FALSE);
    st->session = soup_session_new();
    SoupServer *server = soup_server_new(nullptr, nullptr);
    soup_server_add_handler(server, nullptr, &State::handle, st.get(), nullptr);
    GError *raw = nullptr;
    if (!soup_server_listen_local(server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &raw)) {
      GErrorPtr err(raw);
      started.set_value("");
    } else {
      GSList *uris = soup_server_get_uris(server);
      auto *uri = static_cast<GUri *>(uris->data);
      started.set_value("http://127.0.0.1:" + std::to_string(g_uri_get_port(uri)) + "/");
      g_slist_free_full(uris, reinterpret_cast<GDestroyNotify>(g_uri_unref));
      g_main_loop_run(st->loop);
    }
    soup_server_disconnect(server);
    g_object_unref(server);
    g_object_unref(st->session);
    g_main_loop_unref(st->loop);
    g_main_context_pop_thread_default(st->context);
    g_main_context_unref(st->context);
  });
  url_ = url.get();
  if (url_.empty()) {
    thread_.join();
    throw Error("the RPC proxy cannot listen");
  }
}

RpcProxy::~RpcProxy() {
  GSource *quit = g_idle_source_new();
  g_source_set_callback(
      quit,
      [](gpointer loop) -> gboolean {
        g_main_loop_quit(static_cast<GMainLoop *>(loop));
        return G_SOURCE_REMOVE;
      },
      state_->loop, nullptr);
  g_source_attach(quit, state_->context);
  g_source_unref(quit);
  thread_.join();
}

void RpcProxy::set_hook(Hook hook) {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->hook = std::move(hook);
}

size_t RpcProxy::count(const std::string &method) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  auto it = state_->counts.find(method);
  return it == state_->counts.end() ? 0 : it->second;
}

RpcProxy::Reply RpcProxy::result(const Request &request, const std::string &result_json) {
  return Reply{200,
               "{\"jsonrpc\":\"2.0\",\"id\":" + request.id + ",\"result\":" + result_json + "}", 0};
}

RpcProxy::Reply RpcProxy::error(const Request &request, int code, const std::string &message) {
  json::ObjectWriter e;
  e.set("code", static_cast<int64_t>(code)).set("message", message);
  return Reply{
      200, "{\"jsonrpc\":\"2.0\",\"id\":" + request.id + ",\"error\":" + e.to_string() + "}", 0};
}

eth::U256 lpt(uint64_t whole) {
  return eth::U256(whole) * eth::U256::parse("1000000000000000000");
}

pm::SignedTicket winning_ticket(const crypto::PrivateKey &sender, const crypto::Address &recipient,
                                const eth::U256 &face_value, uint32_t nonce, const eth::U256 &round,
                                const Hash32 &round_hash) {
  pm::SignedTicket st;
  pm::Ticket &t = st.ticket;
  t.recipient = recipient;
  t.sender = sender.address();
  t.face_value = face_value;
  t.win_prob = pm::max_win_prob();
  t.sender_nonce = nonce;
  Hash32 rand{};
  random_bytes(rand.data(), rand.size());
  st.recipient_rand = eth::U256::from_be(rand);
  t.recipient_rand_hash = pm::recipient_rand_hash(st.recipient_rand);
  t.expiration.creation_round = static_cast<int64_t>(round.to_u64());
  t.expiration.creation_round_block_hash = round_hash;
  st.sig = pm::sign_ticket(t, sender);
  return st;
}

eth::U256 ether_milli(uint64_t milli) {
  return eth::U256(milli) * eth::U256::parse("1000000000000000");
}

bool run_until(const std::function<bool()> &done, unsigned timeout_ms) {
  gint64 deadline = g_get_monotonic_time() + static_cast<gint64>(timeout_ms) * 1000;
  GMainContext *ctx = g_main_context_get_thread_default();
  while (!done() && g_get_monotonic_time() < deadline) {
    // Wakes at least every 50 ms so a condition that no source signals is still seen.
    GSource *tick = g_timeout_source_new(50);
    g_source_set_callback(
        tick, [](gpointer) -> gboolean { return G_SOURCE_REMOVE; }, nullptr, nullptr);
    g_source_attach(tick, ctx);
    g_main_context_iteration(ctx, TRUE);
    g_source_destroy(tick);
    g_source_unref(tick);
  }
  return done();
}

chain::DeployConfig test_deploy_config() {
  chain::DeployConfig c;
  c.round_length = 500;
  c.round_lock_amount = 0;
  c.unbonding_period = 2;
  c.unlock_period = 2;
  c.ticket_validity_period = 2;
  c.num_active_transcoders = 10;
  c.reward_per_round = lpt(1000);
  return c;
}

void ChainTest::SetUpTestSuite() {
  // Fail, not skip: a build without solc must not look green.
  ASSERT_TRUE(contracts::available())
      << "the contracts were not compiled: node and node_modules/solc are needed at configure "
         "time (scripts/deps.sh)";
  suite = new Suite();
  suite->anvil = std::make_unique<Anvil>();
  suite->config = test_deploy_config();
  MainContextScope scope;
  eth::RpcClient rpc(eth::RpcClient::Options{suite->anvil->url(), 20000});
  chain::TxConfig fast;
  fast.receipt_poll_ms = 20;
  chain::TxManager tx(rpc, crypto::PrivateKey::from_bytes(from_hex(Anvil::kKey0, "key")), fast);
  auto r = await_chain<chain::Deployment>([&](chain::Callback<chain::Deployment> cb) {
    chain::deploy_protocol(tx, suite->config, nullptr, cb);
  });
  ASSERT_TRUE(r.ok()) << r.error().message;
  suite->contracts = r.value().contracts;
}

void ChainTest::TearDownTestSuite() {
  delete suite;
  suite = nullptr;
}

const std::string &ChainTest::url() {
  return suite->anvil->url();
}
const chain::ContractAddresses &ChainTest::contracts() {
  return suite->contracts;
}
const chain::DeployConfig &ChainTest::deploy_config() {
  return suite->config;
}

void ChainTest::SetUp() {
  ASSERT_NE(suite, nullptr);
  ASSERT_FALSE(suite->contracts.controller.is_zero()) << "deployment failed";
  scope_ = std::make_unique<MainContextScope>();
  rpc_ = std::make_unique<eth::RpcClient>(eth::RpcClient::Options{url(), 20000});
  reader_ = std::make_unique<chain::Reader>(*rpc_);
  deployer_ = manager(crypto::PrivateKey::from_bytes(from_hex(Anvil::kKey0, "key")));
  JsonNodePtr id = call_raw(*rpc_, "evm_snapshot", {});
  snapshot_ = json_node_get_string(id.get());
}

void ChainTest::TearDown() {
  if (rpc_ && !snapshot_.empty()) {
    // Back to the freshly deployed chain for the next test (automining again, too).
    call_raw(*rpc_, "evm_revert", {snapshot_});
    JsonArray *arr = json_array_new();
    json_array_add_boolean_element(arr, TRUE);
    JsonNode *p = json_node_alloc();
    json_node_take_array(json_node_init(p, JSON_NODE_ARRAY), arr);
    await_rpc<JsonNodePtr>([&](eth::RpcClient::Callback<JsonNodePtr> cb) {
      rpc_->call("evm_setAutomine", JsonNodePtr(p), cb);
    });
  }
  deployer_.reset();
  reader_.reset();
  rpc_.reset();
  scope_.reset();
}

std::unique_ptr<chain::TxManager> ChainTest::manager(const crypto::PrivateKey &key,
                                                     chain::TxConfig config) {
  // Short polls: anvil mines at once, so a receipt is there by the first poll.
  config.receipt_poll_ms = 20;
  return std::make_unique<chain::TxManager>(
      *rpc_, crypto::PrivateKey::from_bytes(key.secret().view()), config);
}

crypto::PrivateKey ChainTest::new_account(const eth::U256 &eth, const eth::U256 &lpt_amount) {
  crypto::PrivateKey key = crypto::PrivateKey::generate();
  raw("anvil_setBalance", {key.address().lower_hex(), eth.to_hex()});
  if (!lpt_amount.is_zero()) {
    send(deployer(), token().transfer(key.address(), lpt_amount));
  }
  return key;
}

JsonNodePtr ChainTest::raw(const std::string &method, const std::vector<std::string> &params) {
  return call_raw(*rpc_, method, params);
}

void ChainTest::mine(uint64_t blocks) {
  raw("anvil_mine", {eth::U256(blocks).to_hex()});
}

void ChainTest::automine(bool on) {
  JsonArray *arr = json_array_new();
  json_array_add_boolean_element(arr, on);
  JsonNode *p = json_node_alloc();
  json_node_take_array(json_node_init(p, JSON_NODE_ARRAY), arr);
  auto r = await_rpc<JsonNodePtr>([&](eth::RpcClient::Callback<JsonNodePtr> cb) {
    rpc_->call("evm_setAutomine", JsonNodePtr(p), cb);
  });
  ASSERT_TRUE(r.ok()) << r.error().describe();
}

uint64_t ChainTest::block_number() {
  auto r =
      await_rpc<uint64_t>([&](eth::RpcClient::Callback<uint64_t> cb) { rpc_->block_number(cb); });
  EXPECT_TRUE(r.ok());
  return r.ok() ? r.value() : 0;
}

void ChainTest::next_round(unsigned rounds_to_pass) {
  // Rounds in between are skipped, not initialized, as on a chain where nobody called.
  eth::U256 start = read(rounds().current_round_start_block());
  uint64_t target = start.to_u64() + deploy_config().round_length * rounds_to_pass;
  uint64_t now = block_number();
  // The initializing transaction itself is mined in the next block.
  if (target > now + 1) {
    mine(target - now - 1);
  }
  send(deployer(), rounds().initialize_round());
}

eth::U256 ChainTest::current_round() {
  return read(rounds().current_round());
}

eth::U256 ChainTest::eth_balance(const crypto::Address &a) {
  std::vector<std::string> p{a.lower_hex(), "latest"};
  JsonNodePtr n = raw("eth_getBalance", p);
  return eth::quantity_from_json(n.get(), "balance");
}

eth::Receipt ChainTest::send(chain::TxManager &tx, chain::Call call) {
  std::string what = call.what;
  auto r = await_chain<eth::Receipt>(
      [&](chain::Callback<eth::Receipt> cb) { tx.send(std::move(call), cb); });
  if (!r.ok()) {
    ADD_FAILURE() << what << ": " << r.error().message;
    throw Error(r.error().message);
  }
  return r.value();
}

chain::ChainError ChainTest::send_fails(chain::TxManager &tx, chain::Call call) {
  std::string what = call.what;
  auto r = await_chain<eth::Receipt>(
      [&](chain::Callback<eth::Receipt> cb) { tx.send(std::move(call), cb); });
  if (r.ok()) {
    ADD_FAILURE() << what << " succeeded but should have failed";
    throw Error(what + " succeeded");
  }
  return r.error();
}

void ChainTest::bond(chain::TxManager &who, const eth::U256 &amount, const crypto::Address &to) {
  send(who, token().approve(contracts().bonding_manager, amount));
  send(who, bonding().bond(amount, to));
}

}  // namespace lp::test
