#include "pm/validator.h"

#include "crypto/ecdsa.h"

namespace lp::pm {

std::optional<Failure> validate_ticket(const Address &self, const Ticket &ticket, ByteView sig,
                                       const U256 &recipient_rand) {
  if (ticket.recipient != self) {
    return Failure{ErrorCode::kInvalidRecipient, true, "invalid ticket recipient"};
  }
  if (ticket.sender.is_zero()) {
    return Failure{ErrorCode::kInvalidSender, true, "invalid ticket sender"};
  }
  if (recipient_rand_hash(recipient_rand) != ticket.recipient_rand_hash) {
    // Wrong price, wrong params or params issued by another process: the message cannot say
    // which without revealing the recipientRand.
    return Failure{ErrorCode::kInvalidRecipientRand, true,
                   "invalid recipientRand for recipientRandHash"};
  }
  if (!crypto::verify_personal(ticket.sender, ticket.hash(), sig)) {
    return Failure{ErrorCode::kInvalidSignature, false, kErrInvalidSignature};
  }
  return std::nullopt;
}

}  // namespace lp::pm
