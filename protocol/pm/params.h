// What an orchestrator advertises (TicketParams), what a broadcaster adds per ticket
// (TicketSenderParams) and a batch of tickets sharing one set of params, with their JSON forms.
// JSON keys are lowerCamelCase; integers are written as decimal strings and read as decimal
// strings, 0x-hex strings or JSON integers; byte strings are 0x-hex; addresses EIP-55.
#pragma once

#include <gmpxx.h>
#include <json-glib/json-glib.h>

#include <string>
#include <vector>

#include "pm/ticket.h"
#include "util/glib_ptr.h"
#include "util/json.h"

namespace lp::pm {

struct TicketParams {
  Address recipient;
  U256 face_value;
  U256 win_prob;
  Hash32 recipient_rand_hash{};
  U256 seed;
  U256 expiration_block;
  mpq_class price_per_pixel{0};
  ExpirationParams expiration_params;

  mpq_class ev() const { return ticket_ev(face_value, win_prob); }
};

struct TicketSenderParams {
  uint32_t sender_nonce = 0;
  Bytes sig;  // 65 bytes when well formed; kept as received so validation can report it
};

struct TicketBatch {
  TicketParams params;
  Address sender;
  std::vector<TicketSenderParams> sender_params;

  // The i-th ticket of the batch.
  Ticket ticket(size_t i) const;
};

// Ticket fields shared with TicketParams, filled from the params plus the sender and nonce.
Ticket make_ticket(const TicketParams &params, const Address &sender, uint32_t nonce);

// JSON. Readers throw lp::Error naming the field ("ticketParams.faceValue: missing field").
JsonNodePtr to_json(const ExpirationParams &p);
JsonNodePtr to_json(const TicketParams &p);
JsonNodePtr to_json(const TicketSenderParams &p);
JsonNodePtr to_json(const TicketBatch &b);
// A ticket in the flat form lp-cli reads: recipient, sender, faceValue, winProb, senderNonce,
// recipientRandHash, creationRound, creationRoundBlockHash (+ expirationBlock, priceNum, priceDen).
JsonNodePtr to_json(const Ticket &t);

ExpirationParams expiration_params_from_json(const json::ObjectReader &r);
TicketParams ticket_params_from_json(const json::ObjectReader &r);
TicketSenderParams ticket_sender_params_from_json(const json::ObjectReader &r);
TicketBatch ticket_batch_from_json(const json::ObjectReader &r);
// The hashed fields are required; expirationBlock and priceNum/priceDen are read when present.
Ticket ticket_from_json(const json::ObjectReader &r);

// Field readers shared with lp-cli.
U256 read_u256(const json::ObjectReader &r, const char *key);
Hash32 read_hash(const json::ObjectReader &r, const char *key);
Address read_address(const json::ObjectReader &r, const char *key);
Bytes read_bytes(const json::ObjectReader &r, const char *key);
uint32_t read_u32(const json::ObjectReader &r, const char *key);
// priceNum / priceDen: a non-negative rational with a positive denominator, reduced.
mpq_class read_price(const json::ObjectReader &r);

}  // namespace lp::pm
