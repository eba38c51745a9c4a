// Probabilistic micropayment tickets, byte for byte as go-livepeer's pm/ticket.go and the
// TicketBroker contract lay them out: the packed hash, the personal_sign signature, the winning
// check, recipientRand / recipientRandHash and the expected value.
#pragma once

#include <gmpxx.h>

#include <cstdint>
#include <memory>

#include "crypto/address.h"
#include "crypto/ecdsa.h"
#include "eth/uint256.h"
#include "util/bytes.h"

namespace lp::pm {

using crypto::Address;
using eth::U256;

// 2^256 - 1, the denominator of a win probability.
const U256 &max_win_prob();

// The round (and its block hash) a ticket was created in; the contract reads them from the
// ticket's auxData.
struct ExpirationParams {
  int64_t creation_round = 0;
  Hash32 creation_round_block_hash{};

  // uint256(creationRound) || blockHash; empty when both are zero (go-livepeer's special case,
  // which gives the 168-byte hash input). Throws lp::Error for a negative round.
  Bytes aux_data() const;
  friend bool operator==(const ExpirationParams &a, const ExpirationParams &b) {
    return a.creation_round == b.creation_round &&
           a.creation_round_block_hash == b.creation_round_block_hash;
  }
};

struct Ticket {
  Address recipient;
  Address sender;
  U256 face_value;
  U256 win_prob;
  uint32_t sender_nonce = 0;
  Hash32 recipient_rand_hash{};
  ExpirationParams expiration;
  // Neither is hashed; both feed the recipientRand derivation.
  U256 params_expiration_block;
  mpq_class price_per_pixel{0};

  // The packed preimage: 168 bytes, or 232 with auxData.
  Bytes flatten() const;
  Hash32 hash() const;
  // faceValue * winProb / (2^256 - 1).
  mpq_class ev() const;
};

struct SignedTicket {
  Ticket ticket;
  crypto::Signature sig{};
  U256 recipient_rand;
};

mpq_class ticket_ev(const U256 &face_value, const U256 &win_prob);

// personal_sign over the ticket hash.
crypto::Signature sign_ticket(const Ticket &ticket, const crypto::PrivateKey &key);

// uint256(keccak256(sig || uint256(recipientRand))) < winProb, for a signature of any length.
bool is_winning_ticket(ByteView sig, const U256 &recipient_rand, const U256 &win_prob);

// keccak256(uint256(recipientRand)).
Hash32 recipient_rand_hash(const U256 &recipient_rand);

// recipientRand = HMAC-SHA256(secret, seed || sender || faceValue || winProb || expirationBlock ||
// price.num || price.den || auxData), integers as minimal big-endian bytes, the price reduced to
// lowest terms. The HMAC is keyed once at construction; the key then lives only inside OpenSSL
// (wiped when freed) and each derivation starts from a copy of the keyed state. derive() may be
// called from several threads at once. Throws lp::Error for a negative price or zero denominator.
class RecipientRandKey {
 public:
  explicit RecipientRandKey(ByteView secret);
  ~RecipientRandKey();
  RecipientRandKey(const RecipientRandKey &) = delete;
  RecipientRandKey &operator=(const RecipientRandKey &) = delete;

  U256 derive(const U256 &seed, const Address &sender, const U256 &face_value, const U256 &win_prob,
              const U256 &expiration_block, const mpq_class &price,
              const ExpirationParams &expiration) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// RecipientRandKey(secret).derive(...), for one-off use (lp-cli).
U256 recipient_rand(ByteView secret, const U256 &seed, const Address &sender,
                    const U256 &face_value, const U256 &win_prob, const U256 &expiration_block,
                    const mpq_class &price, const ExpirationParams &expiration);

// Minimal big-endian bytes of a non-negative GMP integer (zero: empty).
Bytes minimal_be(const mpz_class &v);

}  // namespace lp::pm
