#include "s3servers.h"

#include "storage/sigv4.h"

#include <csignal>

namespace lp::test {

int free_loopback_port() {
  g_autoptr(GSocket) socket =
      g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, nullptr);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new(loopback, 0);
  if (!socket || !g_socket_bind(socket, any, FALSE, nullptr))
    return -1;
  g_autoptr(GSocketAddress) bound = g_socket_get_local_address(socket, nullptr);
  return bound ? g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound)) : -1;
}

bool wait_for_port(int port, int timeout_seconds) {
  const gint64 deadline = g_get_monotonic_time() + gint64(timeout_seconds) * G_USEC_PER_SEC;
  while (g_get_monotonic_time() < deadline) {
    g_autoptr(GSocketClient) client = g_socket_client_new();
    g_autoptr(GSocketConnection) c = g_socket_client_connect_to_host(
        client, "127.0.0.1", static_cast<guint16>(port), nullptr, nullptr);
    if (c)
      return true;
    g_usleep(100 * 1000);
  }
  return false;
}

S3Server::S3Server(Kind kind, Options options)
    : kind_(kind), options_(std::move(options)), port_(free_loopback_port()) {}

S3Server::~S3Server() {
  stop();
}

bool S3Server::start() {
  std::vector<std::string> argv;
  if (kind_ == Kind::kS3rver) {
    // s3rver's only credentials are S3RVER:S3RVER and it never checks the secret.
    options_.access_key = "S3RVER";
    options_.secret = "S3RVER";
    argv = {source_root() + "/node_modules/.bin/s3rver",
            "-d",
            dir_.path(),
            "-a",
            "127.0.0.1",
            "-p",
            std::to_string(port_),
            "--silent",
            "--configure-bucket",
            options_.bucket};
  } else {
    argv = {"/usr/bin/python3",
            source_root() + "/tests/storage/s3verify.py",
            "--port",
            std::to_string(port_),
            "--dir",
            dir_.path(),
            "--access-key",
            options_.access_key,
            "--secret",
            options_.secret,
            "--bucket",
            options_.bucket,
            "--journal",
            dir_.path() + "/journal",
            "--fail-every",
            std::to_string(options_.fail_every),
            "--delay-ms",
            std::to_string(options_.delay_ms),
            "--stall-every",
            std::to_string(options_.stall_every),
            "--stall-ms",
            std::to_string(options_.stall_ms)};
    if (!options_.session_token.empty()) {
      argv.push_back("--session-token");
      argv.push_back(options_.session_token);
    }
  }
  std::vector<const gchar *> args;
  for (const auto &a : argv)
    args.push_back(a.c_str());
  args.push_back(nullptr);
  GError *error = nullptr;
  process_ = g_subprocess_newv(args.data(), G_SUBPROCESS_FLAGS_NONE, &error);
  if (!process_) {
    ADD_FAILURE() << "cannot start " << argv[0] << ": " << error->message;
    g_error_free(error);
    return false;
  }
  return wait_for_port(port_, 30);
}

void S3Server::stop() {
  if (!process_)
    return;
  g_subprocess_send_signal(process_, SIGKILL);
  g_subprocess_wait(process_, nullptr, nullptr);
  g_clear_object(&process_);
}

std::string S3Server::location(const std::string &prefix, const std::string &secret) const {
  return "s3+http://" + options_.access_key + ":" +
         sigv4::uri_encode(secret.empty() ? options_.secret : secret, false) +
         "@127.0.0.1:" + std::to_string(port_) + "/" + options_.bucket +
         (prefix.empty() ? "" : "/" + prefix);
}

std::string S3Server::journal() const {
  return read_file(dir_.path() + "/journal");
}

int S3Server::aws(const std::vector<std::string> &args, std::string *output) const {
  std::vector<std::string> argv = {"env",
                                   "AWS_ACCESS_KEY_ID=" + options_.access_key,
                                   "AWS_SECRET_ACCESS_KEY=" + options_.secret,
                                   "AWS_DEFAULT_REGION=us-east-1",
                                   "AWS_CONFIG_FILE=/dev/null",
                                   "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
                                   "/usr/bin/aws",
                                   "--endpoint-url",
                                   endpoint()};
  if (!options_.session_token.empty())
    argv.insert(argv.begin() + 1, "AWS_SESSION_TOKEN=" + options_.session_token);
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, output, 300);
}

}  // namespace lp::test
