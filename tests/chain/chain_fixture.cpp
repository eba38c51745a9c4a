#include "chain_fixture.h"

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

}  // namespace lp::test
