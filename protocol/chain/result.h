// Results of chain operations: a value or a ChainError that says what failed in words a user
// can act on, with the revert reason and transaction hash when there is one.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "eth/jsonrpc.h"
#include "util/bytes.h"

namespace lp::chain {

// The value of operations that only succeed or fail.
struct Unit {};

struct ChainError {
  enum class Kind {
    kUnavailable,  // the node could not be reached or did not answer in time
    kRejected,     // the node refused the request (insufficient funds, nonce, underpriced)
    kRevert,       // the call reverted before anything was sent
    kTxFailed,     // the transaction was mined and failed (status 0)
    kFeeCap,       // the fees the chain asks for now exceed the configured cap
    kTimeout,      // sent, but not mined within the configured wait
    kMalformed,    // an answer that could not be decoded
  };
  Kind kind = Kind::kUnavailable;
  std::string message;        // one line: what failed and why
  std::string revert_reason;  // kRevert, and kTxFailed when known
  Hash32 tx_hash{};           // kTxFailed, kTimeout; any error after a transaction was sent

  // `context` names the operation ("BondingManager.bond").
  static ChainError from_rpc(const eth::RpcError &error, const std::string &context);
  static ChainError make(Kind kind, std::string message);
  // Retrying the same operation later may succeed without anyone changing anything.
  bool retryable() const;
};

template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}           // NOLINT: implicit on purpose
  Result(ChainError error) : error_(std::move(error)) {}  // NOLINT: implicit on purpose
  bool ok() const { return value_.has_value(); }
  const T &value() const { return *value_; }
  T &value() { return *value_; }
  const ChainError &error() const { return *error_; }

 private:
  std::optional<T> value_;
  std::optional<ChainError> error_;
};

template <typename T>
using Callback = std::function<void(Result<T>)>;

}  // namespace lp::chain
