// Helpers for the protocol tests: running programs (node, lp-cli), a real anvil chain on a free
// loopback port, and waiting for asynchronous JSON-RPC results on a private main context.
#pragma once

#include <glib.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "eth/jsonrpc.h"
#include "util/glib_ptr.h"
#include "util/json.h"

namespace lp::test {

// LP_SOURCE_ROOT / LP_BUILD_ROOT as meson sets them for the tests.
std::string source_root();
std::string build_root();

struct ProcessResult {
  int exit_status = -1;
  std::string out;
  std::string err;
};

// Runs argv to completion with `input` on stdin. Throws lp::Error if it cannot start.
ProcessResult run_process(const std::vector<std::string> &argv, const std::string &input = "",
                          const std::string &cwd = "");

// Sends the requests to tests/protocol/js/ethers_oracle.mjs and returns its answers.
std::vector<JsonNodePtr> ask_ethers(const std::vector<JsonNodePtr> &requests);

// anvil from node_modules, listening on 127.0.0.1 on a port the kernel picked.
class Anvil {
 public:
  Anvil();
  ~Anvil();
  Anvil(const Anvil &) = delete;
  Anvil &operator=(const Anvil &) = delete;
  const std::string &url() const { return url_; }

  // anvil's first default account.
  static constexpr const char *kKey0 =
      "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

 private:
  GObjectPtr<GSubprocess> proc_;
  std::string log_path_;
  std::string url_;
};

// Runs a private main context (thread-default while it runs) until the operation calls back.
// The client must have been created while the same context was thread-default: use
// MainContextScope around both.
class MainContextScope {
 public:
  MainContextScope();
  ~MainContextScope();
  MainContextScope(const MainContextScope &) = delete;
  MainContextScope &operator=(const MainContextScope &) = delete;
  GMainContext *context() const { return ctx_.get(); }

 private:
  GMainContextPtr ctx_;
};

template <typename T>
eth::RpcResult<T> await_rpc(const std::function<void(eth::RpcClient::Callback<T>)> &start,
                            unsigned timeout_ms = 30000) {
  std::optional<eth::RpcResult<T>> result;
  start([&](eth::RpcResult<T> r) { result.emplace(std::move(r)); });
  gint64 deadline = g_get_monotonic_time() + static_cast<gint64>(timeout_ms) * 1000;
  GMainContext *ctx = g_main_context_get_thread_default();
  while (!result && g_get_monotonic_time() < deadline) {
    g_main_context_iteration(ctx, TRUE);
  }
  if (!result) {
    eth::RpcError e;
    e.kind = eth::RpcError::Kind::kTimeout;
    e.message = "test gave up waiting for the callback";
    return e;
  }
  return std::move(*result);
}

JsonNodePtr string_node(const std::string &s);

}  // namespace lp::test
