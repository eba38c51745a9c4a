#include "pm/params.h"

#include <limits>

namespace lp::pm {

Ticket make_ticket(const TicketParams &params, const Address &sender, uint32_t nonce) {
  Ticket t;
  t.recipient = params.recipient;
  t.sender = sender;
  t.face_value = params.face_value;
  t.win_prob = params.win_prob;
  t.sender_nonce = nonce;
  t.recipient_rand_hash = params.recipient_rand_hash;
  t.expiration = params.expiration_params;
  t.params_expiration_block = params.expiration_block;
  t.price_per_pixel = params.price_per_pixel;
  return t;
}

Ticket TicketBatch::ticket(size_t i) const {
  return make_ticket(params, sender, sender_params.at(i).sender_nonce);
}

U256 read_u256(const json::ObjectReader &r, const char *key) {
  return U256::parse(r.integer_text(key), r.field(key));
}

Hash32 read_hash(const json::ObjectReader &r, const char *key) {
  return from_hex_fixed<32>(r.string(key), r.field(key));
}

Address read_address(const json::ObjectReader &r, const char *key) {
  return Address::parse(r.string(key), r.field(key));
}

Bytes read_bytes(const json::ObjectReader &r, const char *key) {
  return from_hex(r.string(key), r.field(key));
}

uint32_t read_u32(const json::ObjectReader &r, const char *key) {
  U256 v = read_u256(r, key);
  if (v > U256(std::numeric_limits<uint32_t>::max())) {
    throw Error(r.field(key) + ": must fit in 32 bits");
  }
  return static_cast<uint32_t>(v.to_u64());
}

mpq_class read_price(const json::ObjectReader &r) {
  U256 num = read_u256(r, "priceNum");
  U256 den = read_u256(r, "priceDen");
  if (den.is_zero()) {
    throw Error(r.field("priceDen") + ": must not be zero");
  }
  mpq_class q(num.mpz(), den.mpz());
  q.canonicalize();
  return q;
}

static int64_t read_round(const json::ObjectReader &r, const char *key) {
  int64_t v = r.int64(key);
  if (v < 0) {
    throw Error(r.field(key) + ": must not be negative");
  }
  return v;
}

static std::string dec(const mpz_class &v) {
  return v.get_str(10);
}

JsonNodePtr to_json(const ExpirationParams &p) {
  json::ObjectWriter w;
  w.set("creationRound", std::to_string(p.creation_round))
      .set("creationRoundBlockHash", to_hex(p.creation_round_block_hash));
  return w.node();
}

ExpirationParams expiration_params_from_json(const json::ObjectReader &r) {
  ExpirationParams p;
  p.creation_round = read_round(r, "creationRound");
  p.creation_round_block_hash = read_hash(r, "creationRoundBlockHash");
  return p;
}

JsonNodePtr to_json(const TicketParams &p) {
  json::ObjectWriter w;
  w.set("recipient", p.recipient.checksummed())
      .set("faceValue", p.face_value.to_dec())
      .set("winProb", p.win_prob.to_dec())
      .set("recipientRandHash", to_hex(p.recipient_rand_hash))
      .set("seed", p.seed.to_dec())
      .set("expirationBlock", p.expiration_block.to_dec())
      .set("priceNum", dec(p.price_per_pixel.get_num()))
      .set("priceDen", dec(p.price_per_pixel.get_den()))
      .set("expirationParams", to_json(p.expiration_params));
  return w.node();
}

TicketParams ticket_params_from_json(const json::ObjectReader &r) {
  TicketParams p;
  p.recipient = read_address(r, "recipient");
  p.face_value = read_u256(r, "faceValue");
  p.win_prob = read_u256(r, "winProb");
  p.recipient_rand_hash = read_hash(r, "recipientRandHash");
  p.seed = read_u256(r, "seed");
  p.expiration_block = read_u256(r, "expirationBlock");
  p.price_per_pixel = read_price(r);
  p.expiration_params = expiration_params_from_json(r.object("expirationParams"));
  return p;
}

JsonNodePtr to_json(const TicketSenderParams &p) {
  json::ObjectWriter w;
  w.set("senderNonce", std::to_string(p.sender_nonce)).set("sig", to_hex(p.sig));
  return w.node();
}

TicketSenderParams ticket_sender_params_from_json(const json::ObjectReader &r) {
  TicketSenderParams p;
  p.sender_nonce = read_u32(r, "senderNonce");
  p.sig = read_bytes(r, "sig");
  return p;
}

JsonNodePtr to_json(const TicketBatch &b) {
  JsonArray *arr = json_array_new();
  for (const TicketSenderParams &sp : b.sender_params) {
    json_array_add_element(arr, to_json(sp).release());
  }
  JsonNode *arr_node = json_node_alloc();
  json_node_take_array(json_node_init(arr_node, JSON_NODE_ARRAY), arr);
  json::ObjectWriter w;
  w.set("ticketParams", to_json(b.params))
      .set("sender", b.sender.checksummed())
      .set("ticketSenderParams", JsonNodePtr(arr_node));
  return w.node();
}

TicketBatch ticket_batch_from_json(const json::ObjectReader &r) {
  TicketBatch b;
  b.params = ticket_params_from_json(r.object("ticketParams"));
  b.sender = read_address(r, "sender");
  JsonArray *arr = r.array("ticketSenderParams");
  guint n = json_array_get_length(arr);
  for (guint i = 0; i < n; ++i) {
    json::ObjectReader item(json_array_get_element(arr, i),
                            r.field("ticketSenderParams") + "[" + std::to_string(i) + "]");
    b.sender_params.push_back(ticket_sender_params_from_json(item));
  }
  return b;
}

JsonNodePtr to_json(const Ticket &t) {
  json::ObjectWriter w;
  w.set("recipient", t.recipient.checksummed())
      .set("sender", t.sender.checksummed())
      .set("faceValue", t.face_value.to_dec())
      .set("winProb", t.win_prob.to_dec())
      .set("senderNonce", std::to_string(t.sender_nonce))
      .set("recipientRandHash", to_hex(t.recipient_rand_hash))
      .set("creationRound", std::to_string(t.expiration.creation_round))
      .set("creationRoundBlockHash", to_hex(t.expiration.creation_round_block_hash))
      .set("expirationBlock", t.params_expiration_block.to_dec())
      .set("priceNum", dec(t.price_per_pixel.get_num()))
      .set("priceDen", dec(t.price_per_pixel.get_den()));
  return w.node();
}

Ticket ticket_from_json(const json::ObjectReader &r) {
  Ticket t;
  t.recipient = read_address(r, "recipient");
  t.sender = read_address(r, "sender");
  t.face_value = read_u256(r, "faceValue");
  t.win_prob = read_u256(r, "winProb");
  t.sender_nonce = read_u32(r, "senderNonce");
  t.recipient_rand_hash = read_hash(r, "recipientRandHash");
  // Tickets without expiration params (the 168-byte layout, appendix A.1's "unlisted fields are
  // zero") leave out both fields; one without the other is a mistake worth naming.
  const bool has_round = r.has("creationRound");
  const bool has_block_hash = r.has("creationRoundBlockHash");
  if (has_round != has_block_hash) {
    throw Error(r.field(has_round ? "creationRoundBlockHash" : "creationRound") +
                ": missing field (creationRound and creationRoundBlockHash go together)");
  }
  if (has_round) {
    t.expiration.creation_round = read_round(r, "creationRound");
    t.expiration.creation_round_block_hash = read_hash(r, "creationRoundBlockHash");
  }
  if (r.has("expirationBlock")) {
    t.params_expiration_block = read_u256(r, "expirationBlock");
  }
  if (r.has("priceNum") || r.has("priceDen")) {
    t.price_per_pixel = read_price(r);
  }
  return t;
}

}  // namespace lp::pm
