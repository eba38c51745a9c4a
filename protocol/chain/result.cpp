#include "chain/result.h"

namespace lp::chain {

ChainError ChainError::make(Kind kind, std::string message) {
  ChainError e;
  e.kind = kind;
  e.message = std::move(message);
  return e;
}

ChainError ChainError::from_rpc(const eth::RpcError &error, const std::string &context) {
  ChainError e;
  switch (error.kind) {
    case eth::RpcError::Kind::kTimeout:
    case eth::RpcError::Kind::kTransport:
    case eth::RpcError::Kind::kHttp:
      e.kind = Kind::kUnavailable;
      break;
    case eth::RpcError::Kind::kRpc:
      e.kind = Kind::kRejected;
      break;
    case eth::RpcError::Kind::kRevert:
      e.kind = Kind::kRevert;
      e.revert_reason = error.revert_reason;
      break;
    case eth::RpcError::Kind::kMalformed:
      e.kind = Kind::kMalformed;
      break;
  }
  if (e.kind == Kind::kRevert) {
    e.message =
        context + ": reverted" +
        (e.revert_reason.empty() ? std::string(" without a reason") : ": " + e.revert_reason);
  } else {
    e.message = context + ": " + error.describe();
  }
  return e;
}

bool ChainError::retryable() const {
  return kind == Kind::kUnavailable || kind == Kind::kFeeCap || kind == Kind::kTimeout ||
         kind == Kind::kMalformed;
}

}  // namespace lp::chain
