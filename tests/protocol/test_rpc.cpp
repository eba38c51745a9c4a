// The JSON-RPC client against a real chain: anvil, started on a free loopback port. Transactions
// are signed here (EIP-1559 and legacy EIP-155) and mined by anvil; a contract assembled by hand
// emits an event and reverts with reasons. Transport failures use real sockets: a closed port, a
// listener that never answers, a server that answers garbage.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "crypto/ecdsa.h"
#include "eth/abi.h"
#include "eth/jsonrpc.h"
#include "eth/transaction.h"
#include "support.h"

namespace lp::eth {
namespace {

using test::await_rpc;

// EVM assembly for the test contracts.
namespace evm {
constexpr uint8_t kPush1 = 0x60, kPush2 = 0x61, kPush32 = 0x7f, kMstore = 0x52, kLog3 = 0xa3,
                  kRevert = 0xfd, kStop = 0x00;

void push32(Bytes &code, ByteView word) {
  code.push_back(kPush32);
  append(code, word);
}
void push2(Bytes &code, size_t v) {
  code.push_back(kPush2);
  code.push_back(static_cast<uint8_t>(v >> 8));
  code.push_back(static_cast<uint8_t>(v));
}
// Writes `payload` to memory from offset 0.
Bytes store(const Bytes &payload) {
  Bytes padded = payload;
  padded.resize((padded.size() + 31) / 32 * 32, 0);
  Bytes code;
  for (size_t off = 0; off < padded.size(); off += 32) {
    push32(code, ByteView(padded.data() + off, 32));
    push2(code, off);
    code.push_back(kMstore);
  }
  return code;
}
Bytes revert_with(const Bytes &payload) {
  Bytes code = store(payload);
  push2(code, payload.size());
  code.push_back(kPush1);
  code.push_back(0);
  code.push_back(kRevert);
  return code;
}
// Constructor code that emits a log with three topics and 32 bytes of data, then deploys nothing.
Bytes emit_log3(const Hash32 &t0, const Hash32 &t1, const Hash32 &t2, const Hash32 &data) {
  Bytes code = store(Bytes(data.begin(), data.end()));
  push32(code, t2);
  push32(code, t1);
  push32(code, t0);
  code.push_back(kPush1);
  code.push_back(32);
  code.push_back(kPush1);
  code.push_back(0);
  code.push_back(kLog3);
  code.push_back(kStop);
  return code;
}
}  // namespace evm

Hash32 address_topic(const crypto::Address &a) {
  Hash32 t{};
  std::copy(a.bytes().begin(), a.bytes().end(), t.begin() + 12);
  return t;
}

class Rpc : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { anvil_ = new test::Anvil(); }
  static void TearDownTestSuite() {
    delete anvil_;
    anvil_ = nullptr;
  }
  void SetUp() override {
    client_ = std::make_unique<RpcClient>(RpcClient::Options{anvil_->url(), 10000});
  }
  void TearDown() override { client_.reset(); }

  template <typename T>
  T ok(RpcResult<T> r) {
    if (!r.ok()) {
      ADD_FAILURE() << r.error().describe();
      throw Error("rpc failed");
    }
    return std::move(r.value());
  }

  uint64_t nonce_of(const crypto::Address &a) {
    return ok(await_rpc<uint64_t>(
        [&](auto cb) { client_->get_transaction_count(a, BlockTag::pending(), cb); }));
  }

  Receipt send_and_mine(const SignedTx &tx) {
    Hash32 hash =
        ok(await_rpc<Hash32>([&](auto cb) { client_->send_raw_transaction(tx.raw, cb); }));
    EXPECT_EQ(hash, tx.hash);
    for (int i = 0; i < 100; ++i) {
      auto r = ok(await_rpc<std::optional<Receipt>>(
          [&](auto cb) { client_->get_transaction_receipt(hash, cb); }));
      if (r) {
        return *r;
      }
      g_usleep(20000);
    }
    throw Error("transaction not mined");
  }

  Eip1559Tx eip1559_from(const crypto::PrivateKey &key) {
    U256 price = ok(await_rpc<U256>([&](auto cb) { client_->gas_price(cb); }));
    Eip1559Tx tx;
    tx.chain_id = 31337;
    tx.nonce = nonce_of(key.address());
    tx.max_priority_fee_per_gas = 1'000'000'000;
    tx.max_fee_per_gas = price * U256(2) + U256(1'000'000'000);
    tx.gas_limit = 300000;
    return tx;
  }

  test::MainContextScope scope_;
  std::unique_ptr<RpcClient> client_;
  crypto::PrivateKey key0_ = crypto::PrivateKey::from_bytes(from_hex(test::Anvil::kKey0, "key"));
  static test::Anvil *anvil_;
};
test::Anvil *Rpc::anvil_ = nullptr;

TEST_F(Rpc, ChainQueries) {
  EXPECT_EQ(ok(await_rpc<U256>([&](auto cb) { client_->chain_id(cb); })), U256(31337));
  uint64_t head = ok(await_rpc<uint64_t>([&](auto cb) { client_->block_number(cb); }));
  auto block = ok(await_rpc<std::optional<Block>>(
      [&](auto cb) { client_->get_block_by_number(BlockTag::latest(), cb); }));
  ASSERT_TRUE(block.has_value());
  EXPECT_EQ(block->number, head);
  EXPECT_FALSE(is_all_zero(ByteView(block->hash)));
  EXPECT_TRUE(block->base_fee_per_gas.has_value());
  auto missing = ok(await_rpc<std::optional<Block>>(
      [&](auto cb) { client_->get_block_by_number(BlockTag::number(head + 1000), cb); }));
  EXPECT_FALSE(missing.has_value());
  EXPECT_GT(ok(await_rpc<U256>([&](auto cb) { client_->gas_price(cb); })), U256());
  FeeHistory fh = ok(await_rpc<FeeHistory>([&](auto cb) {
    client_->fee_history(1, BlockTag::latest(), {25.0, 75.0}, cb);
  }));
  EXPECT_EQ(fh.base_fee_per_gas.size(), fh.gas_used_ratio.size() + 1);
  EXPECT_EQ(fh.reward.size(), fh.gas_used_ratio.size());
  CallRequest transfer;
  transfer.from = key0_.address();
  transfer.to = crypto::PrivateKey::generate().address();
  transfer.value = 1;
  EXPECT_EQ(ok(await_rpc<uint64_t>([&](auto cb) { client_->estimate_gas(transfer, cb); })), 21000u);
}

TEST_F(Rpc, Eip1559AndLegacyTransactionsAreMined) {
  crypto::Address to = crypto::PrivateKey::generate().address();
  uint64_t before = nonce_of(key0_.address());
  Eip1559Tx tx = eip1559_from(key0_);
  tx.to = to;
  tx.value = 12345;
  tx.gas_limit = 21000;
  Receipt r = send_and_mine(sign(tx, key0_));
  EXPECT_TRUE(r.status);
  EXPECT_EQ(r.from, key0_.address());
  EXPECT_EQ(r.to, to);
  EXPECT_EQ(r.gas_used, 21000u);

  LegacyTx legacy;
  legacy.nonce = nonce_of(key0_.address());
  legacy.gas_price = ok(await_rpc<U256>([&](auto cb) { client_->gas_price(cb); })) * U256(2);
  legacy.gas_limit = 21000;
  legacy.to = to;
  legacy.value = 1;
  legacy.chain_id = 31337;
  Receipt r2 = send_and_mine(sign(legacy, key0_));
  EXPECT_TRUE(r2.status);
  EXPECT_EQ(nonce_of(key0_.address()), before + 2);

  // The same transaction again: the node refuses it with a JSON-RPC error object.
  auto again = await_rpc<Hash32>(
      [&](auto cb) { client_->send_raw_transaction(sign(legacy, key0_).raw, cb); });
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind, RpcError::Kind::kRpc);
  EXPECT_FALSE(again.error().message.empty());
}

TEST_F(Rpc, ContractEventsAndLogs) {
  abi::Event transfer = abi::Event::parse("Transfer(address indexed, address indexed, uint256)");
  crypto::Address a = crypto::PrivateKey::generate().address();
  crypto::Address b = crypto::PrivateKey::generate().address();
  Eip1559Tx tx = eip1559_from(key0_);
  tx.data =
      evm::emit_log3(transfer.topic0, address_topic(a), address_topic(b), U256(777).to_be32());
  Receipt r = send_and_mine(sign(tx, key0_));
  ASSERT_TRUE(r.status);
  ASSERT_TRUE(r.contract_address.has_value());
  ASSERT_EQ(r.logs.size(), 1u);
  EXPECT_EQ(r.logs[0].address, *r.contract_address);

  LogFilter filter;
  filter.from_block = BlockTag::number(r.block_number);
  filter.to_block = BlockTag::number(r.block_number);
  filter.addresses = {*r.contract_address};
  filter.topics = {std::vector<Hash32>{transfer.topic0}, std::nullopt,
                   std::vector<Hash32>{address_topic(b)}};
  std::vector<Log> logs =
      ok(await_rpc<std::vector<Log>>([&](auto cb) { client_->get_logs(filter, cb); }));
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(logs[0].transaction_hash, r.transaction_hash);
  std::vector<abi::Value> v = transfer.decode(logs[0].topics, logs[0].data);
  EXPECT_EQ(v[0].as_address(), a);
  EXPECT_EQ(v[1].as_address(), b);
  EXPECT_EQ(v[2].as_uint(), U256(777));

  filter.topics = {std::vector<Hash32>{transfer.topic0}, std::vector<Hash32>{address_topic(b)}};
  EXPECT_TRUE(
      ok(await_rpc<std::vector<Log>>([&](auto cb) { client_->get_logs(filter, cb); })).empty());
}

TEST_F(Rpc, RevertReasonsAreDecoded) {
  CallRequest call;
  call.from = key0_.address();
  call.data = evm::revert_with(abi::Function::parse("Error(string)")
                                   .encode_call({abi::Value::of_string("ticket already used")}));
  auto r = await_rpc<Bytes>([&](auto cb) { client_->eth_call(call, BlockTag::latest(), cb); });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, RpcError::Kind::kRevert);
  EXPECT_EQ(r.error().revert_reason, "ticket already used");
  EXPECT_EQ(r.error().describe(), "eth_call: execution reverted: ticket already used");

  call.data = evm::revert_with(
      abi::Function::parse("Panic(uint256)").encode_call({abi::Value::of_uint(0x12)}));
  auto p = await_rpc<uint64_t>([&](auto cb) { client_->estimate_gas(call, cb); });
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().kind, RpcError::Kind::kRevert);
  EXPECT_EQ(p.error().revert_reason, "panic 0x12 (division or modulo by zero)");

  call.data = evm::revert_with(from_hex("0xdeadbeef", "selector"));
  auto c = await_rpc<Bytes>([&](auto cb) { client_->eth_call(call, BlockTag::latest(), cb); });
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().revert_reason, "custom error 0xdeadbeef");
}

TEST_F(Rpc, JsonRpcErrorObjectsAndHttpErrors) {
  auto r = await_rpc<JsonNodePtr>([&](auto cb) { client_->call("eth_noSuchMethod", nullptr, cb); });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, RpcError::Kind::kRpc);
  EXPECT_EQ(r.error().code, -32601);
  EXPECT_NE(r.error().describe().find("eth_noSuchMethod"), std::string::npos);

  RpcClient wrong_path(RpcClient::Options{anvil_->url() + "/nope", 5000});
  auto h = await_rpc<U256>([&](auto cb) { wrong_path.chain_id(cb); });
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().kind, RpcError::Kind::kHttp);
  EXPECT_EQ(h.error().http_status, 404);
}

// A listening TCP socket on 127.0.0.1; `serve` (if set) handles each connection on a thread.
class RawServer {
 public:
  RawServer() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr *>(&addr), sizeof(addr));
    listen(fd_, 16);
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr *>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~RawServer() {
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    if (thread_.joinable()) {
      thread_.join();
    }
  }
  void answer_once(const std::string &response) {
    thread_ = std::thread([this, response] {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) {
        return;
      }
      char buf[4096];
      (void)read(c, buf, sizeof(buf));
      (void)write(c, response.data(), response.size());
      close(c);
    });
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

 private:
  int fd_;
  int port_ = 0;
  std::thread thread_;
};

TEST_F(Rpc, TimeoutTransportAndMalformedResponses) {
  {
    RawServer silent;  // accepts connections (in the kernel) and never answers
    RpcClient c(RpcClient::Options{silent.url(), 300});
    gint64 start = g_get_monotonic_time();
    auto r = await_rpc<U256>([&](auto cb) { c.chain_id(cb); });
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, RpcError::Kind::kTimeout);
    EXPECT_NE(r.error().describe().find("300 ms"), std::string::npos);
    EXPECT_GE(g_get_monotonic_time() - start, 250000);
  }
  std::string closed_url;
  {
    RawServer gone;
    closed_url = gone.url();
  }
  RpcClient refused(RpcClient::Options{closed_url, 5000});
  auto t = await_rpc<U256>([&](auto cb) { refused.chain_id(cb); });
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().kind, RpcError::Kind::kTransport);

  RawServer garbage;
  garbage.answer_once(
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5\r\n"
      "Connection: close\r\n\r\nhello");
  RpcClient g(RpcClient::Options{garbage.url(), 5000});
  auto m = await_rpc<U256>([&](auto cb) { g.chain_id(cb); });
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().kind, RpcError::Kind::kMalformed);

  RpcClient bad_url(RpcClient::Options{"not a url", 5000});
  auto u = await_rpc<U256>([&](auto cb) { bad_url.chain_id(cb); });
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.error().kind, RpcError::Kind::kTransport);
}

TEST_F(Rpc, DestroyingTheClientCancelsQuietly) {
  RawServer silent;
  bool called = false;
  {
    RpcClient c(RpcClient::Options{silent.url(), 60000});
    c.chain_id([&](RpcResult<U256>) { called = true; });
    EXPECT_EQ(c.pending_requests(), 1u);
  }
  for (int i = 0; i < 50; ++i) {
    g_main_context_iteration(scope_.context(), FALSE);
    g_usleep(2000);
  }
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace lp::eth
