// Keystore files are read from disk and may be damaged or planted. Parsing must reject bad ones
// with an error; decryption is tried only under small work limits, so the fuzzer also checks
// that expensive parameters are refused before any key derivation.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crypto/keystore.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  lp::crypto::Keystore ks;
  try {
    ks = lp::crypto::parse_keystore(text);
  } catch (const lp::Error &) {
    return 0;
  }
  lp::crypto::KeystoreLimits limits;
  limits.max_scrypt_memory = 1 << 20;
  limits.max_scrypt_work = 1 << 12;
  limits.max_pbkdf2_iterations = 1000;
  try {
    (void)lp::crypto::decrypt_keystore(ks, "fuzz", limits);
  } catch (const lp::Error &) {
  }
  return 0;
}
