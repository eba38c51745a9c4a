// An asynchronous Ethereum JSON-RPC client over HTTP (libsoup 3). Requests never block: results
// arrive through callbacks on the GMainContext that was thread-default when the client was made,
// and the client is used from that context's thread only (as libsoup requires).
//
// Every failure is an RpcError with a kind: a timeout, a transport failure (connection refused,
// reset, DNS), an HTTP status other than 2xx, a JSON-RPC error object (code, message, data), a
// revert (the reason decoded from Error(string) / Panic(uint256) / a custom error selector), or
// a malformed response.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "eth/rpc_types.h"
#include "util/glib_ptr.h"

namespace lp::eth {

struct RpcError {
  enum class Kind { kTimeout, kTransport, kHttp, kRpc, kRevert, kMalformed };
  Kind kind = Kind::kTransport;
  std::string method;
  int http_status = 0;        // kHttp
  int64_t code = 0;           // kRpc, kRevert: the JSON-RPC error code
  std::string message;        // what the server or the transport said
  Bytes data;                 // kRpc, kRevert: the error object's data, when it was hex
  std::string revert_reason;  // kRevert

  // One line for logs and users: "eth_call: execution reverted: nope".
  std::string describe() const;
};

template <typename T>
class RpcResult {
 public:
  RpcResult(T value) : value_(std::move(value)) {}         // NOLINT: implicit on purpose
  RpcResult(RpcError error) : error_(std::move(error)) {}  // NOLINT: implicit on purpose
  bool ok() const { return value_.has_value(); }
  const T &value() const { return *value_; }
  T &value() { return *value_; }
  const RpcError &error() const { return *error_; }

 private:
  std::optional<T> value_;
  std::optional<RpcError> error_;
};

class RpcClient {
 public:
  template <typename T>
  using Callback = std::function<void(RpcResult<T>)>;

  struct Options {
    std::string url;
    unsigned timeout_ms = 10000;  // whole request, connect to last byte
  };

  explicit RpcClient(Options options);
  // Pending requests are cancelled; their callbacks are not called.
  ~RpcClient();
  RpcClient(const RpcClient &) = delete;
  RpcClient &operator=(const RpcClient &) = delete;

  // Any method; `params` must be a JSON array (nullptr: []).
  void call(const std::string &method, JsonNodePtr params, Callback<JsonNodePtr> done);

  void chain_id(Callback<U256> done);
  void block_number(Callback<uint64_t> done);
  // nullopt when the node does not have the block.
  void get_block_by_number(const BlockTag &block, Callback<std::optional<Block>> done);
  void eth_call(const CallRequest &call, const BlockTag &block, Callback<Bytes> done);
  void estimate_gas(const CallRequest &call, Callback<uint64_t> done);
  void gas_price(Callback<U256> done);
  void fee_history(uint64_t block_count, const BlockTag &newest,
                   const std::vector<double> &reward_percentiles, Callback<FeeHistory> done);
  void get_transaction_count(const crypto::Address &account, const BlockTag &block,
                             Callback<uint64_t> done);
  void send_raw_transaction(ByteView raw, Callback<Hash32> done);
  // nullopt while the transaction is not mined.
  void get_transaction_receipt(const Hash32 &tx, Callback<std::optional<Receipt>> done);
  void get_logs(const LogFilter &filter, Callback<std::vector<Log>> done);

  size_t pending_requests() const;

  struct State;  // internal; outlives the client until its last request completes

 private:
  std::shared_ptr<State> state_;
};

}  // namespace lp::eth
