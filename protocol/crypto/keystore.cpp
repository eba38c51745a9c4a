#include "crypto/keystore.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <cstring>
#include <memory>

#include "crypto/keccak.h"
#include "util/json.h"
#include "util/secret.h"

namespace lp::crypto {

namespace {

using Kind = KeystoreError::Kind;

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX *c) const { EVP_CIPHER_CTX_free(c); }
};

[[noreturn]] void malformed(const std::string &what) {
  throw KeystoreError(Kind::kMalformed, what);
}

// geth and ethers both accept "Crypto" as well as "crypto"; JSON member names in keystores are
// matched without regard to case.
JsonNode *member_ci(JsonObject *obj, const char *name) {
  JsonObjectIter iter;
  const gchar *key = nullptr;
  JsonNode *value = nullptr;
  json_object_iter_init(&iter, obj);
  while (json_object_iter_next(&iter, &key, &value)) {
    if (g_ascii_strcasecmp(key, name) == 0) {
      return JSON_NODE_HOLDS_NULL(value) ? nullptr : value;
    }
  }
  return nullptr;
}

JsonObject *object_member(JsonObject *obj, const char *name, const std::string &path) {
  JsonNode *n = member_ci(obj, name);
  if (!n) {
    malformed(path + ": missing field");
  }
  if (!JSON_NODE_HOLDS_OBJECT(n)) {
    malformed(path + ": expected an object");
  }
  return json_node_get_object(n);
}

std::string string_member(JsonObject *obj, const char *name, const std::string &path) {
  JsonNode *n = member_ci(obj, name);
  if (!n) {
    malformed(path + ": missing field");
  }
  if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING) {
    malformed(path + ": expected a string");
  }
  return json_node_get_string(n);
}

uint64_t uint_member(JsonObject *obj, const char *name, const std::string &path) {
  JsonNode *n = member_ci(obj, name);
  if (!n) {
    malformed(path + ": missing field");
  }
  if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64 ||
      json_node_get_int(n) < 0) {
    malformed(path + ": expected a non-negative integer");
  }
  return static_cast<uint64_t>(json_node_get_int(n));
}

Bytes hex_member(JsonObject *obj, const char *name, const std::string &path) {
  std::string text = string_member(obj, name, path);
  try {
    return from_hex(text, path, HexPrefix::kOptional);
  } catch (const Error &e) {
    malformed(e.what());
  }
}

SecretBytes derive_key(const Keystore &ks, std::string_view password,
                       const KeystoreLimits &limits) {
  SecretBytes dk(32);
  if (ks.kdf == Keystore::Kdf::kPbkdf2) {
    if (ks.pbkdf2_iterations > limits.max_pbkdf2_iterations) {
      throw KeystoreError(Kind::kTooExpensive, "crypto.kdfparams.c: too many iterations");
    }
    if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), ks.salt.data(),
                          static_cast<int>(ks.salt.size()), static_cast<int>(ks.pbkdf2_iterations),
                          EVP_sha256(), static_cast<int>(dk.size()), dk.data()) != 1) {
      throw KeystoreError(Kind::kUnsupported, "pbkdf2 failed");
    }
    return dk;
  }
  const ScryptParams &sp = ks.scrypt;
  // Memory scrypt needs: 128 * r * n for V plus 128 * r * p for B; computed without overflow.
  long double need = 128.0L * sp.r * (static_cast<long double>(sp.n) + sp.p);
  if (need > static_cast<long double>(limits.max_scrypt_memory)) {
    throw KeystoreError(Kind::kTooExpensive, "crypto.kdfparams: scrypt needs too much memory");
  }
  long double work = static_cast<long double>(sp.n) * sp.r * sp.p;
  if (work > static_cast<long double>(limits.max_scrypt_work)) {
    throw KeystoreError(Kind::kTooExpensive, "crypto.kdfparams: scrypt needs too much work");
  }
  // libsodium rather than OpenSSL: OpenSSL enforces RFC 7914's n < 2^(16 r), which refuses
  // keystores geth writes and reads (the Web3 Secret Storage vector has n = 2^18, r = 1).
  if (sodium_init() < 0) {
    throw KeystoreError(Kind::kUnsupported, "libsodium failed to initialize");
  }
  if (crypto_pwhash_scryptsalsa208sha256_ll(reinterpret_cast<const uint8_t *>(password.data()),
                                            password.size(), ks.salt.data(), ks.salt.size(), sp.n,
                                            sp.r, sp.p, dk.data(), dk.size()) != 0) {
    throw KeystoreError(Kind::kUnsupported, "crypto.kdfparams: scrypt rejected the parameters");
  }
  return dk;
}

Hash32 compute_mac(const SecretBytes &dk, ByteView ciphertext) {
  return Keccak256().update(ByteView(dk.data() + 16, 16)).update(ciphertext).finish();
}

// AES-128-CTR is its own inverse.
void aes128_ctr(const uint8_t *key16, ByteView iv, ByteView in, uint8_t *out) {
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  int fin = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_ctr(), nullptr, key16, iv.data()) != 1 ||
      EVP_EncryptUpdate(ctx.get(), out, &len, in.data(), static_cast<int>(in.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), out + len, &fin) != 1) {
    throw Error("aes-128-ctr failed");
  }
}

std::string new_uuid() {
  uint8_t u[16];
  random_bytes(u, sizeof(u));
  u[6] = static_cast<uint8_t>((u[6] & 0x0f) | 0x40);  // version 4
  u[8] = static_cast<uint8_t>((u[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string hex = to_hex_bare(ByteView(u, sizeof(u)));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

}  // namespace

Keystore parse_keystore(std::string_view json_text) {
  JsonNodePtr root;
  try {
    root = json::parse(json_text);
  } catch (const Error &e) {
    malformed(e.what());
  }
  if (!JSON_NODE_HOLDS_OBJECT(root.get())) {
    malformed("keystore: expected a JSON object");
  }
  JsonObject *top = json_node_get_object(root.get());
  Keystore ks;
  JsonNode *version = member_ci(top, "version");
  if (!version || !JSON_NODE_HOLDS_VALUE(version) ||
      json_node_get_value_type(version) != G_TYPE_INT64 || json_node_get_int(version) != 3) {
    throw KeystoreError(Kind::kUnsupported, "version: only keystore version 3 is supported");
  }
  if (member_ci(top, "address")) {
    std::string text = string_member(top, "address", "address");
    try {
      Bytes a = from_hex(text, "address", HexPrefix::kOptional);
      ks.address = Address::from_bytes(a, "address");
    } catch (const Error &e) {
      malformed(e.what());
    }
  }
  if (member_ci(top, "id")) {
    ks.id = string_member(top, "id", "id");
  }
  JsonObject *crypto = object_member(top, "crypto", "crypto");
  std::string cipher = string_member(crypto, "cipher", "crypto.cipher");
  if (g_ascii_strcasecmp(cipher.c_str(), "aes-128-ctr") != 0) {
    throw KeystoreError(Kind::kUnsupported, "crypto.cipher: only aes-128-ctr is supported");
  }
  JsonObject *cp = object_member(crypto, "cipherparams", "crypto.cipherparams");
  ks.iv = hex_member(cp, "iv", "crypto.cipherparams.iv");
  if (ks.iv.size() != 16) {
    malformed("crypto.cipherparams.iv: expected 16 bytes");
  }
  ks.ciphertext = hex_member(crypto, "ciphertext", "crypto.ciphertext");
  // Old geth files hold keys with leading zero bytes dropped, so up to 32 bytes.
  if (ks.ciphertext.empty() || ks.ciphertext.size() > 32) {
    malformed("crypto.ciphertext: expected 1 to 32 bytes");
  }
  Bytes mac = hex_member(crypto, "mac", "crypto.mac");
  if (mac.size() != 32) {
    malformed("crypto.mac: expected 32 bytes");
  }
  std::memcpy(ks.mac.data(), mac.data(), 32);
  std::string kdf = string_member(crypto, "kdf", "crypto.kdf");
  JsonObject *kp = object_member(crypto, "kdfparams", "crypto.kdfparams");
  if (uint_member(kp, "dklen", "crypto.kdfparams.dklen") != 32) {
    throw KeystoreError(Kind::kUnsupported, "crypto.kdfparams.dklen: must be 32");
  }
  ks.salt = hex_member(kp, "salt", "crypto.kdfparams.salt");
  if (g_ascii_strcasecmp(kdf.c_str(), "scrypt") == 0) {
    ks.kdf = Keystore::Kdf::kScrypt;
    uint64_t n = uint_member(kp, "n", "crypto.kdfparams.n");
    uint64_t r = uint_member(kp, "r", "crypto.kdfparams.r");
    uint64_t p = uint_member(kp, "p", "crypto.kdfparams.p");
    if (n < 2 || (n & (n - 1)) != 0) {
      malformed("crypto.kdfparams.n: must be a power of two greater than 1");
    }
    if (r == 0 || p == 0 || r > UINT32_MAX || p > UINT32_MAX) {
      malformed("crypto.kdfparams: r and p must be positive 32-bit integers");
    }
    ks.scrypt = ScryptParams{n, static_cast<uint32_t>(r), static_cast<uint32_t>(p)};
  } else if (g_ascii_strcasecmp(kdf.c_str(), "pbkdf2") == 0) {
    ks.kdf = Keystore::Kdf::kPbkdf2;
    std::string prf = string_member(kp, "prf", "crypto.kdfparams.prf");
    if (prf != "hmac-sha256") {
      throw KeystoreError(Kind::kUnsupported,
                          "crypto.kdfparams.prf: only hmac-sha256 is supported");
    }
    ks.pbkdf2_iterations = uint_member(kp, "c", "crypto.kdfparams.c");
    if (ks.pbkdf2_iterations == 0 || ks.pbkdf2_iterations > INT32_MAX) {
      malformed("crypto.kdfparams.c: out of range");
    }
  } else {
    throw KeystoreError(Kind::kUnsupported, "crypto.kdf: only scrypt and pbkdf2 are supported");
  }
  return ks;
}

PrivateKey decrypt_keystore(const Keystore &ks, std::string_view password,
                            const KeystoreLimits &limits) {
  SecretBytes dk = derive_key(ks, password, limits);
  Hash32 mac = compute_mac(dk, ks.ciphertext);
  if (CRYPTO_memcmp(mac.data(), ks.mac.data(), mac.size()) != 0) {
    throw KeystoreError(Kind::kWrongPassword, "wrong password (keystore MAC mismatch)");
  }
  SecretBytes key(32);
  size_t pad = 32 - ks.ciphertext.size();
  aes128_ctr(dk.data(), ks.iv, ks.ciphertext, key.data() + pad);
  PrivateKey pk = PrivateKey::from_bytes(key.view());
  if (ks.address && *ks.address != pk.address()) {
    throw KeystoreError(Kind::kAddressMismatch,
                        "keystore address does not match the decrypted key");
  }
  return pk;
}

PrivateKey decrypt_keystore(std::string_view json_text, std::string_view password,
                            const KeystoreLimits &limits) {
  return decrypt_keystore(parse_keystore(json_text), password, limits);
}

std::string encrypt_keystore(const PrivateKey &key, std::string_view password,
                             const ScryptParams &params) {
  Keystore ks;
  ks.kdf = Keystore::Kdf::kScrypt;
  ks.scrypt = params;
  ks.salt.resize(32);
  random_bytes(ks.salt.data(), ks.salt.size());
  ks.iv.resize(16);
  random_bytes(ks.iv.data(), ks.iv.size());
  KeystoreLimits unlimited;
  unlimited.max_scrypt_memory = UINT64_MAX;
  unlimited.max_scrypt_work = UINT64_MAX;
  SecretBytes dk = derive_key(ks, password, unlimited);
  ks.ciphertext.resize(32);
  aes128_ctr(dk.data(), ks.iv, key.secret().view(), ks.ciphertext.data());
  Hash32 mac = compute_mac(dk, ks.ciphertext);

  json::ObjectWriter kdfparams;
  kdfparams.set("dklen", int64_t{32})
      .set("n", static_cast<int64_t>(params.n))
      .set("r", static_cast<int64_t>(params.r))
      .set("p", static_cast<int64_t>(params.p))
      .set("salt", to_hex_bare(ks.salt));
  json::ObjectWriter cipherparams;
  cipherparams.set("iv", to_hex_bare(ks.iv));
  json::ObjectWriter crypto;
  crypto.set("cipher", "aes-128-ctr")
      .set("ciphertext", to_hex_bare(ks.ciphertext))
      .set("cipherparams", cipherparams.node())
      .set("kdf", "scrypt")
      .set("kdfparams", kdfparams.node())
      .set("mac", to_hex_bare(mac));
  json::ObjectWriter doc;
  doc.set("address", to_hex_bare(key.address().view()))
      .set("crypto", crypto.node())
      .set("id", new_uuid())
      .set("version", int64_t{3});
  return doc.to_string();
}

}  // namespace lp::crypto
