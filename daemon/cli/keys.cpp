#include "cli/keys.h"

#include <openssl/crypto.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "crypto/keystore.h"
#include "util/secret.h"

namespace lp::cli {

namespace {
constexpr size_t kMaxInput = 1 << 20;
}  // namespace

std::string read_file(const std::string &path, const char *what) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    throw Error(std::string(what) + ": cannot read " + path + ": " + std::strerror(errno));
  }
  std::string data;
  char buf[4096];
  while (f.read(buf, sizeof(buf)) || f.gcount() > 0) {
    data.append(buf, static_cast<size_t>(f.gcount()));
    if (data.size() > kMaxInput) {
      OPENSSL_cleanse(buf, sizeof(buf));
      throw Error(std::string(what) + ": " + path + " is too large");
    }
  }
  // The buffer held a password or a keystore.
  OPENSSL_cleanse(buf, sizeof(buf));
  return data;
}

std::string read_password_file(const std::string &path) {
  std::string pw = read_file(path, "password file");
  if (!pw.empty() && pw.back() == '\n') {
    pw.pop_back();
    if (!pw.empty() && pw.back() == '\r') {
      pw.pop_back();
    }
  }
  return pw;
}

crypto::PrivateKey unlock_keystore(const std::string &keystore_path,
                                   const std::string &password_path) {
  std::string keystore = read_file(keystore_path, "keystore");
  std::string password = read_password_file(password_path);
  try {
    crypto::PrivateKey key = crypto::decrypt_keystore(keystore, password);
    wipe_string(password);
    return key;
  } catch (...) {
    wipe_string(password);
    throw;
  }
}

}  // namespace lp::cli
