// The broadcaster side of PM (go-livepeer pm/sender.go, server/segment_rpc.go): sessions keyed by
// recipientRandHash, nonces from 1, validation of an orchestrator's params before paying, the
// fee estimate for a segment and the price-doubling guard.
#pragma once

#include <gmpxx.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "crypto/ecdsa.h"
#include "pm/chain.h"
#include "pm/errors.h"
#include "pm/params.h"

namespace lp::pm {

inline constexpr uint64_t kParamsExpiryBuffer = 1;

struct SenderConfig {
  U256 max_ticket_ev{3'000'000'000'000};  // -maxTicketEV
  U256 max_total_ev{20'000'000'000'000};  // -maxTotalEV
  uint64_t deposit_multiplier = 1;        // -depositMultiplier
};

class Sender {
 public:
  Sender(crypto::PrivateKey key, const ChainTime &time, BrokerReader &broker,
         SenderConfig config = {});
  Sender(const Sender &) = delete;
  Sender &operator=(const Sender &) = delete;

  const Address &address() const { return key_.address(); }

  // Starts a session with these params and returns its id (hex of recipientRandHash). Params
  // without expiration params get this node's last initialized round and its block hash.
  std::string start_session(TicketParams params);
  void end_session(const std::string &session);
  mpq_class ev(const std::string &session) const;

  // `size` signed tickets with the session's next nonces. Validates the params first and throws
  // PmError (kParamsExpired means: refresh the params; kUnknownSession: start one).
  TicketBatch create_ticket_batch(const std::string &session, size_t size);

  // Throws PmError when the params are unacceptable for paying `num_tickets` tickets.
  void validate_ticket_params(const TicketParams &params, size_t num_tickets);

 private:
  struct Session {
    TicketParams params;
    uint32_t nonce = 0;
  };

  crypto::PrivateKey key_;
  const ChainTime &time_;
  BrokerReader &broker_;
  SenderConfig config_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Session> sessions_;
};

// One rendition for the fee estimate.
struct OutputProfile {
  uint64_t width = 0;
  uint64_t height = 0;
  uint64_t fps_num = 0;  // 0: passthrough, counted as 60 fps
  uint64_t fps_den = 1;
};

// outPixels = sum of w * h * ceil(fps) * ceil(duration seconds); fee = outPixels * 1.02 * price.
mpq_class estimate_fee(const std::vector<OutputProfile> &profiles, uint64_t duration_ms,
                       const mpq_class &price_per_pixel);

// Throws PmError(kPriceMoreThanDoubled) when current > 2 * initial.
void validate_price(const mpq_class &current, const mpq_class &initial);

}  // namespace lp::pm
