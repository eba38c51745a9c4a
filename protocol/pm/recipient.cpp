#include "pm/recipient.h"

#include <algorithm>

#include "pm/validator.h"

namespace lp::pm {

namespace {

// go-livepeer's floor on face value relative to EV, and its fixed "average" gas price (3 gwei)
// for the second transaction-cost check.
constexpr uint64_t kEvMultiplier = 100;
constexpr uint64_t kAvgGasPrice = 3'000'000'000;

const SecretBytes &checked_secret(const SecretBytes &secret) {
  if (secret.size() != 32) {
    throw Error("recipient secret: expected 32 bytes");
  }
  return secret;
}

SecretBytes fresh_secret() {
  SecretBytes s(32);
  random_bytes(s.data(), s.size());
  return s;
}

}  // namespace

Recipient::Recipient(const Address &self, RecipientConfig config, SenderMonitor &monitor,
                     const ChainTime &time, const GasPriceSource &gas, TicketStore &store)
    : Recipient(self, std::move(config), monitor, time, gas, store, fresh_secret()) {}

Recipient::Recipient(const Address &self, RecipientConfig config, SenderMonitor &monitor,
                     const ChainTime &time, const GasPriceSource &gas, TicketStore &store,
                     SecretBytes secret)
    : self_(self),
      config_(std::move(config)),
      monitor_(monitor),
      time_(time),
      gas_(gas),
      store_(store),
      rand_key_(checked_secret(secret).view()) {}

U256 Recipient::rand_for(const U256 &seed, const Address &sender, const U256 &face_value,
                         const U256 &win_prob, const U256 &expiration_block, const mpq_class &price,
                         const ExpirationParams &expiration) const {
  return rand_key_.derive(seed, sender, face_value, win_prob, expiration_block, price, expiration);
}

U256 Recipient::tx_cost() const {
  // Saturating: the gas price is the chain node's word.
  return U256::saturate(U256(config_.redeem_gas).mpz() * gas_.gas_price().mpz());
}

U256 Recipient::face_value(const Address &sender) {
  U256 ev = config_.ev;
  U256 cost = tx_cost();
  mpz_class fv = cost.mpz() * config_.tx_cost_multiplier;
  if (fv < ev.mpz()) {
    fv = ev.mpz() * kEvMultiplier;
  }
  mpz_class max_float = monitor_.max_float(sender).mpz();
  fv = std::min(fv, max_float);
  if (!config_.max_face_value.is_zero()) {
    fv = std::min(fv, config_.max_face_value.mpz());
  }
  if (fv < ev.mpz()) {
    throw PmError(ErrorCode::kInsufficientSenderReserve, kErrInsufficientSenderReserve);
  }
  if (fv < cost.mpz() && fv < mpz_class(config_.redeem_gas) * kAvgGasPrice) {
    throw PmError(ErrorCode::kInsufficientSenderReserve, kErrInsufficientSenderReserve);
  }
  return U256::from_mpz(fv, "faceValue");
}

U256 Recipient::win_prob(const U256 &face_value) const {
  if (face_value.is_zero()) {
    return U256();
  }
  if (face_value == config_.ev) {
    return max_win_prob();
  }
  // Ceiling division, so the realised EV never falls short of the target.
  mpz_class x = max_win_prob().mpz() / face_value.mpz();
  mpz_class rem = max_win_prob().mpz() % face_value.mpz();
  if (rem != 0) {
    x += 1;
  }
  return U256::from_mpz(config_.ev.mpz() * x, "winProb");
}

TicketParams Recipient::ticket_params(const Address &sender, const mpq_class &price) {
  TicketParams p;
  p.recipient = self_;
  mpq_class reduced = price;
  reduced.canonicalize();
  if (reduced < 0) {
    throw PmError(ErrorCode::kInvalidParams, "price must not be negative");
  }
  p.price_per_pixel = reduced;
  if (reduced != 0) {
    p.face_value = face_value(sender);
    p.win_prob = win_prob(p.face_value);
  }
  Hash32 seed{};
  random_bytes(seed.data(), seed.size());
  p.seed = U256::from_be(ByteView(seed));
  p.expiration_block = time_.last_seen_block() + U256(kParamsExpirationBlocks);
  U256 round = time_.last_initialized_round();
  p.expiration_params.creation_round = static_cast<int64_t>(round.to_u64("creationRound"));
  p.expiration_params.creation_round_block_hash = time_.last_initialized_block_hash();
  U256 rand = rand_for(p.seed, sender, p.face_value, p.win_prob, p.expiration_block,
                       p.price_per_pixel, p.expiration_params);
  p.recipient_rand_hash = recipient_rand_hash(rand);
  return p;
}

mpq_class Recipient::tx_cost_multiplier(const Address &sender) {
  U256 cost = tx_cost();
  if (cost.is_zero()) {
    return 0;
  }
  mpq_class m(face_value(sender).mpz(), cost.mpz());
  m.canonicalize();
  return m;
}

std::optional<Failure> Recipient::update_sender_nonce(const U256 &rand, uint32_t nonce,
                                                      const U256 &expiration_block) {
  Hash32 key_bytes = rand.to_be32();
  std::string key(reinterpret_cast<const char *>(key_bytes.data()), key_bytes.size());
  std::lock_guard<std::mutex> lock(nonce_mu_);
  NonceSet &set = nonces_[key];
  set.expiration_block = expiration_block;
  if (std::find(set.nonces.begin(), set.nonces.end(), nonce) != set.nonces.end()) {
    return Failure{ErrorCode::kNonceAlreadySeen, false, kErrNonceAlreadySeen};
  }
  if (set.nonces.size() >= kMaxSenderNonces) {
    return Failure{ErrorCode::kTooManyNonces, false, kErrTooManyNonces};
  }
  set.nonces.push_back(nonce);
  return std::nullopt;
}

ReceiveResult Recipient::receive_ticket(const Ticket &ticket, ByteView sig, const U256 &seed) {
  ReceiveResult out;
  U256 rand;
  try {
    rand = rand_for(seed, ticket.sender, ticket.face_value, ticket.win_prob,
                    ticket.params_expiration_block, ticket.price_per_pixel, ticket.expiration);
  } catch (const Error &e) {
    out.error = Failure{ErrorCode::kMalformedTicket, true, e.what()};
    return out;
  }
  if (auto f = monitor_.validate_sender(ticket.sender)) {
    out.error = f;
    return out;
  }
  if (auto f = validate_ticket(self_, ticket, sig, rand)) {
    out.error = f;
    return out;
  }
  if (is_winning_ticket(sig, rand, ticket.win_prob)) {
    SignedTicket st;
    st.ticket = ticket;
    std::copy(sig.begin(), sig.end(), st.sig.begin());  // 65 bytes: the signature verified
    st.recipient_rand = rand;
    try {
      store_.store_winning_ticket(st);
    } catch (const Error &e) {
      // Not acknowledged: the sender learns the payment failed rather than losing the ticket.
      out.error = Failure{ErrorCode::kStoreFailed, true,
                          std::string("cannot store winning ticket: ") + e.what()};
      return out;
    }
    out.won = true;
  }
  if (auto f = update_sender_nonce(rand, ticket.sender_nonce, ticket.params_expiration_block)) {
    out.error = f;
    return out;
  }
  if (ticket.params_expiration_block <= time_.last_seen_block()) {
    out.error = Failure{ErrorCode::kParamsExpired, false, kErrParamsExpired};
  }
  return out;
}

PaymentResult Recipient::receive_payment(const TicketBatch &batch, const std::string &session) {
  PaymentResult out;
  mpq_class ev = batch.params.ev();
  for (size_t i = 0; i < batch.sender_params.size(); ++i) {
    Ticket t = batch.ticket(i);
    ReceiveResult r = receive_ticket(t, batch.sender_params[i].sig, batch.params.seed);
    if (r.won) {
      ++out.winners;
    }
    if (r.error) {
      if (!out.error) {
        out.error = r.error;
      }
      if (r.error->fatal) {
        break;
      }
      continue;
    }
    if (!out.error) {
      out.credited += ev;
      ++out.accepted;
    }
  }
  if (out.credited != 0) {
    balances_.credit(batch.sender, session, out.credited);
  }
  return out;
}

void Recipient::on_new_block(const U256 &block) {
  std::lock_guard<std::mutex> lock(nonce_mu_);
  for (auto it = nonces_.begin(); it != nonces_.end();) {
    if (it->second.expiration_block <= block) {
      it = nonces_.erase(it);
    } else {
      ++it;
    }
  }
}

size_t Recipient::tracked_recipient_rands() const {
  std::lock_guard<std::mutex> lock(nonce_mu_);
  return nonces_.size();
}

}  // namespace lp::pm
