// Reading key material for lp-cli: files read whole with a size bound and their buffers wiped,
// passwords taken from a file (without one trailing newline, as geth reads them) and wiped
// after use, keys only ever decrypted from a keystore.
#pragma once

#include <string>

#include "crypto/ecdsa.h"

namespace lp::cli {

// Throws lp::Error naming `what` and the path.
std::string read_file(const std::string &path, const char *what);
std::string read_password_file(const std::string &path);
crypto::PrivateKey unlock_keystore(const std::string &keystore_path,
                                   const std::string &password_path);

}  // namespace lp::cli
