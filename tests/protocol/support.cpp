#include "support.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include <csignal>

#include <fstream>
#include <sstream>
#include <thread>

#include "util/error.h"

namespace lp::test {

std::string source_root() {
  const char *s = g_getenv("LP_SOURCE_ROOT");
  if (!s) {
    throw Error("LP_SOURCE_ROOT is not set (run the tests through meson test)");
  }
  return s;
}

std::string build_root() {
  const char *s = g_getenv("LP_BUILD_ROOT");
  if (!s) {
    throw Error("LP_BUILD_ROOT is not set (run the tests through meson test)");
  }
  return s;
}

JsonNodePtr string_node(const std::string &s) {
  JsonNode *n = json_node_alloc();
  json_node_init_string(n, s.c_str());
  return JsonNodePtr(n);
}

ProcessResult run_process(const std::vector<std::string> &argv, const std::string &input,
                          const std::string &cwd) {
  GObjectPtr<GSubprocessLauncher> launcher(g_subprocess_launcher_new(
      static_cast<GSubprocessFlags>(G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                    G_SUBPROCESS_FLAGS_STDERR_PIPE)));
  if (!cwd.empty()) {
    g_subprocess_launcher_set_cwd(launcher.get(), cwd.c_str());
  }
  std::vector<const gchar *> args;
  for (const std::string &a : argv) {
    args.push_back(a.c_str());
  }
  args.push_back(nullptr);
  GError *raw = nullptr;
  GObjectPtr<GSubprocess> proc(g_subprocess_launcher_spawnv(launcher.get(), args.data(), &raw));
  if (!proc) {
    GErrorPtr err(raw);
    throw Error("cannot start " + argv[0] + ": " + err->message);
  }
  GBytesPtr in(g_bytes_new(input.data(), input.size()));
  GBytes *out_raw = nullptr;
  GBytes *err_raw = nullptr;
  if (!g_subprocess_communicate(proc.get(), in.get(), nullptr, &out_raw, &err_raw, &raw)) {
    GErrorPtr err(raw);
    throw Error("running " + argv[0] + ": " + err->message);
  }
  GBytesPtr out_bytes(out_raw);
  GBytesPtr err_bytes(err_raw);
  ProcessResult r;
  auto text = [](GBytes *b) {
    gsize n = 0;
    const char *d = b ? static_cast<const char *>(g_bytes_get_data(b, &n)) : nullptr;
    return std::string(d ? d : "", n);
  };
  r.out = text(out_bytes.get());
  r.err = text(err_bytes.get());
  r.exit_status =
      g_subprocess_get_if_exited(proc.get()) ? g_subprocess_get_exit_status(proc.get()) : -1;
  return r;
}

std::vector<JsonNodePtr> ask_ethers(const std::vector<JsonNodePtr> &requests) {
  JsonArray *arr = json_array_new();
  for (const JsonNodePtr &r : requests) {
    json_array_add_element(arr, json_node_copy(r.get()));
  }
  JsonNode *root = json_node_alloc();
  json_node_take_array(json_node_init(root, JSON_NODE_ARRAY), arr);
  JsonNodePtr doc(root);
  std::string dir = source_root() + "/tests/protocol/js";
  ProcessResult r = run_process({"node", "ethers_oracle.mjs"}, json::stringify(doc.get()), dir);
  if (r.exit_status != 0) {
    throw Error("ethers oracle failed: " + r.err);
  }
  JsonNodePtr answers = json::parse(r.out);
  if (!JSON_NODE_HOLDS_ARRAY(answers.get())) {
    throw Error("ethers oracle: expected an array");
  }
  JsonArray *a = json_node_get_array(answers.get());
  std::vector<JsonNodePtr> out;
  for (guint i = 0; i < json_array_get_length(a); ++i) {
    out.push_back(JsonNodePtr(json_node_copy(json_array_get_element(a, i))));
  }
  if (out.size() != requests.size()) {
    throw Error("ethers oracle: answer count differs from request count");
  }
  return out;
}

Anvil::Anvil() {
  gchar *tmpl = g_build_filename(g_get_tmp_dir(), "lp-anvil-XXXXXX.log", nullptr);
  int fd = g_mkstemp(tmpl);
  if (fd >= 0) {
    close(fd);
  }
  log_path_ = tmpl;
  g_free(tmpl);
  GObjectPtr<GSubprocessLauncher> launcher(g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_NONE));
  // A file, not a pipe: anvil logs every request and would block once a pipe filled up.
  g_subprocess_launcher_set_stdout_file_path(launcher.get(), log_path_.c_str());
  g_subprocess_launcher_set_stderr_file_path(launcher.get(), (log_path_ + ".err").c_str());
  std::string anvil = source_root() + "/node_modules/.bin/anvil";
  GError *raw = nullptr;
  // --prune-history: past states stay in memory (the newest 256) instead of going to
  // ~/.foundry/anvil/tmp, where a test program's anvil left hundreds of megabytes behind.
  proc_.reset(g_subprocess_launcher_spawn(launcher.get(), &raw, anvil.c_str(), "--host",
                                          "127.0.0.1", "--port", "0", "--prune-history", "256",
                                          nullptr));
  if (!proc_) {
    GErrorPtr err(raw);
    throw Error("cannot start anvil (" + anvil + "): " + err->message + "; run scripts/deps.sh");
  }
  for (int i = 0; i < 300 && url_.empty(); ++i) {
    std::ifstream log(log_path_);
    std::string line;
    while (std::getline(log, line)) {
      size_t at = line.find("Listening on ");
      if (at != std::string::npos) {
        url_ = "http://" + line.substr(at + 13);
      }
    }
    if (url_.empty()) {
      if (g_subprocess_get_identifier(proc_.get()) == nullptr) {
        break;  // exited
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  if (url_.empty()) {
    throw Error("anvil did not report its port; see " + log_path_);
  }
}

Anvil::~Anvil() {
  if (proc_) {
    g_subprocess_send_signal(proc_.get(), SIGTERM);
    g_subprocess_wait(proc_.get(), nullptr, nullptr);
  }
  g_unlink(log_path_.c_str());
  g_unlink((log_path_ + ".err").c_str());
}

MainContextScope::MainContextScope() : ctx_(g_main_context_new()) {
  g_main_context_push_thread_default(ctx_.get());
}

MainContextScope::~MainContextScope() {
  // Let cancelled requests finish so nothing refers to the context afterwards.
  for (int i = 0; i < 100 && g_main_context_pending(ctx_.get()); ++i) {
    g_main_context_iteration(ctx_.get(), FALSE);
  }
  g_main_context_pop_thread_default(ctx_.get());
}

}  // namespace lp::test
