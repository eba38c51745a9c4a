// Loopback S3 servers for the storage tests: s3rver (npm; accepts any signature) and
// s3verify.py (ours, botocore-based; verifies every signature and policy, injects faults).
// Each runs on a free 127.0.0.1 port with its data in a temporary directory, and can be
// stopped and started again on the same port and data.
#pragma once

#include "testutil.h"

#include <gio/gio.h>

#include <string>
#include <vector>

namespace lp::test {

int free_loopback_port();
// Waits until something accepts connections on 127.0.0.1:port.
bool wait_for_port(int port, int timeout_seconds);

class S3Server {
 public:
  enum class Kind { kS3rver, kVerifying };
  struct Options {
    std::string access_key = "AKIDLIVEPEERTEST";
    std::string secret = "wJalr/XUtnFEMI+K7MDENG";  // '/' and '+' on purpose
    std::string session_token;
    std::string bucket = "hls";
    int fail_every = 0;
    int delay_ms = 0;
    int stall_every = 0;  // every Nth write hangs for stall_ms, then the connection drops
    int stall_ms = 0;
  };
  S3Server(Kind kind, Options options);
  explicit S3Server(Kind kind) : S3Server(kind, Options()) {}
  ~S3Server();

  bool start();
  // SIGKILL: the abrupt end of a crash or a network cut.
  void stop();

  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // s3+http://ACCESS:SECRET@127.0.0.1:PORT/BUCKET/prefix with the secret percent-encoded.
  std::string location(const std::string &prefix, const std::string &secret = "") const;
  const Options &options() const { return options_; }
  // Object writes in the order they became visible (s3verify only).
  std::string journal() const;
  const std::string &data_dir() const { return dir_.path(); }

  // Runs Debian's awscli against this server; returns its exit status.
  int aws(const std::vector<std::string> &args, std::string *output) const;

 private:
  Kind kind_;
  Options options_;
  TempDir dir_;
  int port_;
  GSubprocess *process_ = nullptr;
};

}  // namespace lp::test
