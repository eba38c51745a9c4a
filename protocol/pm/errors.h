// Errors of the micropayment layer. Messages follow go-livepeer's wording where peers and
// operators already know it ("insufficient sender reserve", "TicketParams expired", ...). None of
// them carries the recipient's secret or a recipientRand.
#pragma once

#include <optional>
#include <string>

#include "util/error.h"

namespace lp::pm {

enum class ErrorCode {
  // Receive path (orchestrator); see Failure::fatal for which abort a payment.
  kSenderUnlocking,
  kInvalidRecipient,
  kInvalidSender,
  kInvalidRecipientRand,
  kInvalidSignature,
  kNonceAlreadySeen,
  kTooManyNonces,
  kParamsExpired,
  kStoreFailed,
  kMalformedTicket,
  // Ticket params (both sides).
  kInsufficientSenderReserve,
  kFaceValueTooLow,
  kTicketEvTooHigh,
  kTotalEvTooHigh,
  kFaceValueOverDeposit,
  kNoSenderReserve,
  kNoSenderDeposit,
  kPriceMoreThanDoubled,
  kUnknownSession,
  kInvalidParams,
};

struct Failure {
  ErrorCode code;
  // A fatal failure aborts the whole payment; after a non-fatal one the remaining tickets are
  // still checked (winning ones are still stored) but no longer credited.
  bool fatal = false;
  std::string message;
};

class PmError : public Error {
 public:
  PmError(ErrorCode code, const std::string &message) : Error(message), code_(code) {}
  explicit PmError(const Failure &f) : Error(f.message), code_(f.code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

inline constexpr const char *kErrParamsExpired = "TicketParams expired";
inline constexpr const char *kErrInsufficientSenderReserve = "insufficient sender reserve";
inline constexpr const char *kErrInvalidSignature = "invalid ticket signature";
inline constexpr const char *kErrNonceAlreadySeen = "invalid ticket senderNonce: already seen";
inline constexpr const char *kErrTooManyNonces = "invalid ticket senderNonce: too many values";

}  // namespace lp::pm
