#include "crypto/ecdsa.h"

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <cstring>

#include "crypto/keccak.h"

namespace lp::crypto {

namespace {

// Half the secp256k1 group order, big-endian: signatures with s above it are rejected, as
// go-ethereum and OpenZeppelin's ECDSA do, so each (message, signer) has one valid signature.
constexpr uint8_t kHalfOrder[32] = {
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0};

// One context for the process, randomized once against side channels; libsecp256k1 allows
// concurrent use of a context through const pointers.
const secp256k1_context *context() {
  static const secp256k1_context *ctx = [] {
    secp256k1_context *c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    SecretBytes seed(32);
    random_bytes(seed.data(), seed.size());
    if (!secp256k1_context_randomize(c, seed.data())) {
      throw Error("secp256k1: context randomization failed");
    }
    return c;
  }();
  return ctx;
}

Address address_of(const secp256k1_pubkey &pub) {
  uint8_t out[65];
  size_t len = sizeof(out);
  secp256k1_ec_pubkey_serialize(context(), out, &len, &pub, SECP256K1_EC_UNCOMPRESSED);
  return Address::from_public_key(ByteView(out + 1, 64));
}

}  // namespace

PrivateKey::PrivateKey(SecretBytes key) : key_(std::move(key)) {
  secp256k1_pubkey pub;
  if (!secp256k1_ec_pubkey_create(context(), &pub, key_.data())) {
    throw Error("private key: not a valid secp256k1 secret key");
  }
  address_ = address_of(pub);
}

PrivateKey PrivateKey::generate() {
  for (;;) {
    SecretBytes k(32);
    random_bytes(k.data(), k.size());
    if (secp256k1_ec_seckey_verify(context(), k.data())) {
      return PrivateKey(std::move(k));
    }
  }
}

PrivateKey PrivateKey::from_bytes(ByteView bytes) {
  if (bytes.size() != 32) {
    throw Error("private key: expected 32 bytes");
  }
  SecretBytes k(bytes.data(), bytes.size());
  if (!secp256k1_ec_seckey_verify(context(), k.data())) {
    throw Error("private key: not a valid secp256k1 secret key");
  }
  return PrivateKey(std::move(k));
}

Signature PrivateKey::sign_digest(const Hash32 &digest) const {
  secp256k1_ecdsa_recoverable_signature rs;
  if (!secp256k1_ecdsa_sign_recoverable(context(), &rs, digest.data(), key_.data(), nullptr,
                                        nullptr)) {
    throw Error("secp256k1: signing failed");
  }
  Signature sig{};
  int recid = 0;
  secp256k1_ecdsa_recoverable_signature_serialize_compact(context(), sig.data(), &recid, &rs);
  sig[64] = static_cast<uint8_t>(27 + recid);
  return sig;
}

Hash32 personal_digest(const Hash32 &message) {
  static constexpr std::string_view kPrefix =
      "\x19"
      "Ethereum Signed Message:\n32";
  return Keccak256().update(ByteView(kPrefix)).update(ByteView(message)).finish();
}

Signature PrivateKey::personal_sign(const Hash32 &message) const {
  return sign_digest(personal_digest(message));
}

Address recover_digest(const Hash32 &digest, ByteView sig) {
  if (sig.size() != 65) {
    throw Error("invalid signature length");
  }
  if (std::memcmp(sig.data() + 32, kHalfOrder, 32) > 0) {
    throw Error("invalid signature: s is in the upper half of the curve order");
  }
  uint8_t v = sig[64];
  if (v != 27 && v != 28) {
    throw Error("invalid signature: v must be 27 or 28");
  }
  secp256k1_ecdsa_recoverable_signature rs;
  if (!secp256k1_ecdsa_recoverable_signature_parse_compact(context(), &rs, sig.data(), v - 27)) {
    throw Error("invalid signature: r or s out of range");
  }
  secp256k1_pubkey pub;
  if (!secp256k1_ecdsa_recover(context(), &pub, &rs, digest.data())) {
    throw Error("invalid signature: no public key recovers from it");
  }
  return address_of(pub);
}

Address recover_personal(const Hash32 &message, ByteView sig) {
  return recover_digest(personal_digest(message), sig);
}

bool verify_personal(const Address &signer, const Hash32 &message, ByteView sig) {
  try {
    return recover_personal(message, sig) == signer;
  } catch (const Error &) {
    return false;
  }
}

}  // namespace lp::crypto
