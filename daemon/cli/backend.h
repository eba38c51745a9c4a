// What lp-cli's chain commands talk to. An operation is named like the endpoint of go-livepeer's
// CLI API that does the same (reference section 5.1: "bond", "unbond", "senderInfo", ...), takes
// form-style string parameters with the same names (amount, toAddr, unbondingLockId, ...) and
// answers a JSON object. The direct backend performs the operations itself over JSON-RPC with
// the account's keystore; a backend that POSTs the same parameters to a running lp-daemon's
// control API and returns its JSON can replace it without changing any command.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "util/glib_ptr.h"

namespace lp::cli {

using Params = std::map<std::string, std::string>;

class ChainBackend {
 public:
  virtual ~ChainBackend() = default;
  // Throws lp::Error with a message for the user (reverts explained in words).
  virtual JsonNodePtr call(const std::string &endpoint, const Params &params) = 0;
};

struct ChainOptions {
  std::string rpc;
  std::string controller;  // may be empty for "deploy"
  std::string keystore;    // empty: read-only use
  std::string password_file;
  std::string max_fee;  // wei per gas; empty: no cap
  unsigned timeout_s = 120;
};

std::unique_ptr<ChainBackend> make_direct_backend(const ChainOptions &options);

}  // namespace lp::cli
