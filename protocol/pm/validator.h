// Stateless ticket checks the orchestrator runs on every ticket (go-livepeer pm/validator.go), in
// the reference order: recipient, sender, recipientRandHash, signature.
#pragma once

#include <optional>

#include "pm/errors.h"
#include "pm/ticket.h"

namespace lp::pm {

// nullopt when the ticket is valid for `self` with this recipientRand. Every failure is fatal
// except an invalid signature.
std::optional<Failure> validate_ticket(const Address &self, const Ticket &ticket, ByteView sig,
                                       const U256 &recipient_rand);

}  // namespace lp::pm
