// secp256k1 ECDSA through libsecp256k1: recoverable signatures r || s || v with v in {27, 28} and
// low s, recovery, and EIP-191 personal_sign over a 32-byte digest (the scheme every Livepeer
// signature uses: tickets, segments, discovery).
#pragma once

#include <array>
#include <cstdint>

#include "crypto/address.h"
#include "util/bytes.h"
#include "util/secret.h"

namespace lp::crypto {

using Signature = std::array<uint8_t, 65>;

class PrivateKey {
 public:
  // A fresh key from OpenSSL's CSPRNG.
  static PrivateKey generate();
  // Throws lp::Error when the bytes are not a valid secret key (length 32, 0 < k < n).
  static PrivateKey from_bytes(ByteView bytes);

  PrivateKey(PrivateKey &&) noexcept = default;
  PrivateKey &operator=(PrivateKey &&) noexcept = default;
  PrivateKey(const PrivateKey &) = delete;
  PrivateKey &operator=(const PrivateKey &) = delete;

  const Address &address() const { return address_; }
  // Signs a 32-byte digest as is (transactions): RFC 6979 nonce, low s, v = 27 + recovery id.
  Signature sign_digest(const Hash32 &digest) const;
  // EIP-191 personal_sign of a 32-byte message: signs keccak256("\x19Ethereum Signed
  // Message:\n32" || message).
  Signature personal_sign(const Hash32 &message) const;
  // The raw key, for the keystore only.
  const SecretBytes &secret() const { return key_; }

 private:
  explicit PrivateKey(SecretBytes key);
  SecretBytes key_;
  Address address_;
};

// keccak256("\x19Ethereum Signed Message:\n32" || message).
Hash32 personal_digest(const Hash32 &message);

// Recovers the signer of a digest. Rejected, with lp::Error: a length other than 65 ("invalid
// signature length"), s in the upper half of the curve order, v not 27 or 28, r or s out of range.
Address recover_digest(const Hash32 &digest, ByteView sig);
// recover_digest(personal_digest(message), sig).
Address recover_personal(const Hash32 &message, ByteView sig);
// True when sig is a valid personal_sign of message by signer; never throws.
bool verify_personal(const Address &signer, const Hash32 &message, ByteView sig);

// The recovery id (0 or 1) as the v byte of a signature expects it, for transactions that encode v
// differently (EIP-155, EIP-1559).
inline uint8_t recovery_id(const Signature &sig) {
  return static_cast<uint8_t>(sig[64] - 27);
}

}  // namespace lp::crypto
