#include "pm/sender.h"

#include "eth/uint256.h"

namespace lp::pm {

Sender::Sender(crypto::PrivateKey key, const ChainTime &time, BrokerReader &broker,
               SenderConfig config)
    : key_(std::move(key)), time_(time), broker_(broker), config_(std::move(config)) {
  // The multiplier divides the deposit when bounding a ticket's face value.
  if (config_.deposit_multiplier == 0) {
    throw Error("depositMultiplier must be at least 1");
  }
}

std::string Sender::start_session(TicketParams params) {
  ExpirationParams &ep = params.expiration_params;
  if (ep.creation_round == 0 || is_all_zero(ByteView(ep.creation_round_block_hash))) {
    ep.creation_round =
        static_cast<int64_t>(time_.last_initialized_round().to_u64("creationRound"));
    ep.creation_round_block_hash = time_.last_initialized_block_hash();
  }
  std::string id = to_hex_bare(ByteView(params.recipient_rand_hash));
  std::lock_guard<std::mutex> lock(mu_);
  sessions_[id] = Session{std::move(params), 0};
  return id;
}

void Sender::end_session(const std::string &session) {
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.erase(session);
}

mpq_class Sender::ev(const std::string &session) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(session);
  if (it == sessions_.end()) {
    throw PmError(ErrorCode::kUnknownSession, "unknown PM session " + session);
  }
  return it->second.params.ev();
}

void Sender::validate_ticket_params(const TicketParams &params, size_t num_tickets) {
  if (params.expiration_block.is_zero()) {
    throw PmError(ErrorCode::kInvalidParams, "ticket params have no expiration block");
  }
  mpz_class left = params.expiration_block.mpz() - time_.last_seen_block().mpz();
  if (left <= static_cast<long>(kParamsExpiryBuffer)) {
    throw PmError(ErrorCode::kParamsExpired, kErrParamsExpired);
  }
  mpq_class ev = params.ev();
  if (ev <= 0) {
    return;
  }
  if (ev >= mpq_class(params.face_value.mpz())) {
    throw PmError(ErrorCode::kFaceValueTooLow, "ticket faceValue too low: winProb must be below 1");
  }
  if (ev > mpq_class(config_.max_ticket_ev.mpz())) {
    throw PmError(ErrorCode::kTicketEvTooHigh, "ticket EV higher than max ticket EV");
  }
  SenderInfo info = broker_.sender_info(address());
  U256 round = time_.last_initialized_round();
  if (!info.withdraw_round.is_zero() && info.withdraw_round.mpz() <= round.mpz() + 1) {
    throw PmError(ErrorCode::kSenderUnlocking, "deposit and reserve is set to unlock soon");
  }
  if (info.reserve.funds_remaining.is_zero()) {
    throw PmError(ErrorCode::kNoSenderReserve, "no sender reserve");
  }
  if (info.deposit.is_zero()) {
    throw PmError(ErrorCode::kNoSenderDeposit, "no sender deposit");
  }
  if (ev * static_cast<unsigned long>(num_tickets) > mpq_class(config_.max_total_ev.mpz())) {
    throw PmError(ErrorCode::kTotalEvTooHigh, "total ticket EV higher than max total ticket EV");
  }
  mpq_class max_fv(info.deposit.mpz(),
                   mpz_class(static_cast<unsigned long>(config_.deposit_multiplier)));
  max_fv.canonicalize();
  if (mpq_class(params.face_value.mpz()) > max_fv) {
    throw PmError(ErrorCode::kFaceValueOverDeposit,
                  "ticket faceValue higher than deposit / depositMultiplier");
  }
}

TicketBatch Sender::create_ticket_batch(const std::string &session, size_t size) {
  TicketParams params;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sessions_.find(session);
    if (it == sessions_.end()) {
      throw PmError(ErrorCode::kUnknownSession, "unknown PM session " + session);
    }
    params = it->second.params;
  }
  // Outside the lock: validation may read the chain.
  validate_ticket_params(params, size);
  uint32_t first = 0;
  {
    // Nonces are reserved under the lock so concurrent batches never share one.
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sessions_.find(session);
    if (it == sessions_.end()) {
      throw PmError(ErrorCode::kUnknownSession, "unknown PM session " + session);
    }
    if (size > UINT32_MAX - it->second.nonce) {
      throw PmError(ErrorCode::kInvalidParams, "sender nonces exhausted for this session");
    }
    first = it->second.nonce;
    it->second.nonce += static_cast<uint32_t>(size);
  }
  TicketBatch batch;
  batch.params = params;
  batch.sender = address();
  batch.sender_params.reserve(size);
  for (size_t i = 0; i < size; ++i) {
    uint32_t nonce = first + static_cast<uint32_t>(i) + 1;
    crypto::Signature sig = sign_ticket(make_ticket(params, batch.sender, nonce), key_);
    batch.sender_params.push_back(TicketSenderParams{nonce, Bytes(sig.begin(), sig.end())});
  }
  return batch;
}

mpq_class estimate_fee(const std::vector<OutputProfile> &profiles, uint64_t duration_ms,
                       const mpq_class &price_per_pixel) {
  mpz_class seconds = (mpz_class(static_cast<unsigned long>(duration_ms)) + 999) / 1000;
  mpz_class pixels = 0;
  for (const OutputProfile &p : profiles) {
    mpz_class fps;
    if (p.fps_num == 0) {
      fps = 60;
    } else {
      if (p.fps_den == 0) {
        throw PmError(ErrorCode::kInvalidParams, "profile framerate with a zero denominator");
      }
      fps = eth::ceil_rational(mpq_class(mpz_class(static_cast<unsigned long>(p.fps_num)),
                                         mpz_class(static_cast<unsigned long>(p.fps_den))));
    }
    pixels += mpz_class(static_cast<unsigned long>(p.width)) *
              mpz_class(static_cast<unsigned long>(p.height)) * fps * seconds;
  }
  mpq_class fee = mpq_class(pixels) * mpq_class(51, 50) * price_per_pixel;
  fee.canonicalize();
  return fee;
}

void validate_price(const mpq_class &current, const mpq_class &initial) {
  if (current > 2 * initial) {
    throw PmError(ErrorCode::kPriceMoreThanDoubled, "Orchestrator price has more than doubled");
  }
}

}  // namespace lp::pm
