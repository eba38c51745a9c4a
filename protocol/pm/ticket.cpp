#include "pm/ticket.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "crypto/keccak.h"

namespace lp::pm {

const U256 &max_win_prob() {
  return U256::max();
}

Bytes ExpirationParams::aux_data() const {
  if (creation_round < 0) {
    throw Error("creationRound: must not be negative");
  }
  if (creation_round == 0 && is_all_zero(ByteView(creation_round_block_hash))) {
    return {};
  }
  Bytes out(64);
  U256(static_cast<uint64_t>(creation_round)).write_be32(out.data());
  std::copy(creation_round_block_hash.begin(), creation_round_block_hash.end(), out.begin() + 32);
  return out;
}

Bytes Ticket::flatten() const {
  Bytes aux = expiration.aux_data();
  Bytes out(168 + aux.size());
  uint8_t *p = out.data();
  std::copy(recipient.bytes().begin(), recipient.bytes().end(), p);
  std::copy(sender.bytes().begin(), sender.bytes().end(), p + 20);
  face_value.write_be32(p + 40);
  win_prob.write_be32(p + 72);
  U256(sender_nonce).write_be32(p + 104);
  std::copy(recipient_rand_hash.begin(), recipient_rand_hash.end(), p + 136);
  std::copy(aux.begin(), aux.end(), p + 168);
  return out;
}

Hash32 Ticket::hash() const {
  return crypto::keccak256(flatten());
}

mpq_class Ticket::ev() const {
  return ticket_ev(face_value, win_prob);
}

mpq_class ticket_ev(const U256 &face_value, const U256 &win_prob) {
  mpq_class ev(face_value.mpz() * win_prob.mpz(), max_win_prob().mpz());
  ev.canonicalize();
  return ev;
}

crypto::Signature sign_ticket(const Ticket &ticket, const crypto::PrivateKey &key) {
  return key.personal_sign(ticket.hash());
}

bool is_winning_ticket(ByteView sig, const U256 &recipient_rand, const U256 &win_prob) {
  Hash32 rand = recipient_rand.to_be32();
  Hash32 h = crypto::Keccak256().update(sig).update(ByteView(rand)).finish();
  return U256::from_be(ByteView(h)) < win_prob;
}

Hash32 recipient_rand_hash(const U256 &recipient_rand) {
  return crypto::keccak256(ByteView(recipient_rand.to_be32()));
}

Bytes minimal_be(const mpz_class &v) {
  if (v <= 0) {
    return {};
  }
  Bytes out((mpz_sizeinbase(v.get_mpz_t(), 2) + 7) / 8);
  size_t count = 0;
  mpz_export(out.data(), &count, 1, 1, 1, 0, v.get_mpz_t());
  out.resize(count);
  return out;
}

namespace {

struct MacFree {
  void operator()(EVP_MAC *m) const { EVP_MAC_free(m); }
  void operator()(EVP_MAC_CTX *c) const { EVP_MAC_CTX_free(c); }
};

}  // namespace

struct RecipientRandKey::Impl {
  std::unique_ptr<EVP_MAC_CTX, MacFree> keyed;
};

RecipientRandKey::RecipientRandKey(ByteView secret) : impl_(std::make_unique<Impl>()) {
  std::unique_ptr<EVP_MAC, MacFree> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  if (mac) {
    impl_->keyed.reset(EVP_MAC_CTX_new(mac.get()));
  }
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  // OpenSSL reads a null key pointer as "keep the previous key"; an empty key needs a real one.
  static const uint8_t kEmptyKey = 0;
  const uint8_t *key = secret.empty() ? &kEmptyKey : secret.data();
  if (!impl_->keyed || EVP_MAC_init(impl_->keyed.get(), key, secret.size(), params) != 1) {
    throw Error("HMAC-SHA256 is not available");
  }
}

RecipientRandKey::~RecipientRandKey() = default;

U256 RecipientRandKey::derive(const U256 &seed, const Address &sender, const U256 &face_value,
                              const U256 &win_prob, const U256 &expiration_block,
                              const mpq_class &price, const ExpirationParams &expiration) const {
  mpq_class reduced = price;
  if (reduced.get_den() == 0) {
    throw Error("price: zero denominator");
  }
  reduced.canonicalize();
  if (reduced < 0) {
    throw Error("price: must not be negative");
  }
  Bytes msg = seed.to_minimal_be();
  append(msg, sender.view());
  append(msg, face_value.to_minimal_be());
  append(msg, win_prob.to_minimal_be());
  append(msg, expiration_block.to_minimal_be());
  append(msg, minimal_be(reduced.get_num()));
  append(msg, minimal_be(reduced.get_den()));
  append(msg, expiration.aux_data());
  // The keyed context is only read by the copy, so concurrent derivations need no lock.
  std::unique_ptr<EVP_MAC_CTX, MacFree> ctx(EVP_MAC_CTX_dup(impl_->keyed.get()));
  uint8_t out[32];
  size_t out_len = 0;
  if (!ctx || EVP_MAC_update(ctx.get(), msg.data(), msg.size()) != 1 ||
      EVP_MAC_final(ctx.get(), out, &out_len, sizeof(out)) != 1 || out_len != 32) {
    throw Error("HMAC-SHA256 failed");
  }
  U256 rand = U256::from_be(ByteView(out, 32));
  OPENSSL_cleanse(out, sizeof(out));
  return rand;
}

U256 recipient_rand(ByteView secret, const U256 &seed, const Address &sender,
                    const U256 &face_value, const U256 &win_prob, const U256 &expiration_block,
                    const mpq_class &price, const ExpirationParams &expiration) {
  return RecipientRandKey(secret).derive(seed, sender, face_value, win_prob, expiration_block,
                                         price, expiration);
}

}  // namespace lp::pm
