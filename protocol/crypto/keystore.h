// Web3 Secret Storage (keystore v3), as geth and ethers read and write it: scrypt (or PBKDF2 on
// read) derives 32 bytes from the password; AES-128-CTR with the first 16 encrypts the key; the
// MAC is keccak256(derived[16..32] || ciphertext). scrypt comes from libsodium, PBKDF2 and AES
// from OpenSSL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/ecdsa.h"
#include "util/bytes.h"

namespace lp::crypto {

struct ScryptParams {
  // geth's "standard" parameters; tests use a small n.
  uint64_t n = 262144;
  uint32_t r = 8;
  uint32_t p = 1;
};

// Upper bounds on the work a keystore may ask for, so a hostile file cannot exhaust memory or
// time (checked before any derivation).
struct KeystoreLimits {
  uint64_t max_scrypt_memory = uint64_t{1} << 30;  // 128 * r * (n + p) bytes
  uint64_t max_scrypt_work = uint64_t{1} << 24;    // n * r * p, 8x geth's standard setting
  uint64_t max_pbkdf2_iterations = 10'000'000;
};

class KeystoreError : public Error {
 public:
  enum class Kind { kMalformed, kUnsupported, kTooExpensive, kWrongPassword, kAddressMismatch };
  KeystoreError(Kind kind, const std::string &message) : Error(message), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

// A parsed keystore file; nothing in it is secret until decrypted.
struct Keystore {
  enum class Kdf { kScrypt, kPbkdf2 };
  std::optional<Address> address;
  std::string id;
  Kdf kdf = Kdf::kScrypt;
  ScryptParams scrypt;
  uint64_t pbkdf2_iterations = 0;
  Bytes salt;
  Bytes iv;
  Bytes ciphertext;
  Hash32 mac{};
};

// Throws KeystoreError (kMalformed or kUnsupported) naming the offending field.
Keystore parse_keystore(std::string_view json);

// Throws KeystoreError: kWrongPassword when the MAC does not match, kTooExpensive past `limits`,
// kAddressMismatch when the file's address is not the decrypted key's.
PrivateKey decrypt_keystore(const Keystore &keystore, std::string_view password,
                            const KeystoreLimits &limits = {});
PrivateKey decrypt_keystore(std::string_view json, std::string_view password,
                            const KeystoreLimits &limits = {});

// A new keystore v3 JSON document (fresh salt, IV and UUID) holding `key`.
std::string encrypt_keystore(const PrivateKey &key, std::string_view password,
                             const ScryptParams &params = {});

}  // namespace lp::crypto
