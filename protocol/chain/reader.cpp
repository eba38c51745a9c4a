#include "chain/reader.h"

namespace lp::chain {

void ReadBatch::run(Done done) {
  done_ = std::move(done);
  outstanding_ = starts_.size();
  if (outstanding_ == 0) {
    Done d = std::move(done_);
    d(std::nullopt);
    return;
  }
  auto self = shared_from_this();
  auto starts = std::move(starts_);
  for (auto &start : starts) {
    start(reader_, self);
  }
}

void ReadBatch::finish_one() {
  if (--outstanding_ == 0) {
    Done d = std::move(done_);
    d(error_);
  }
}

void resolve_contracts(const Reader &reader, const Address &controller,
                       Callback<ContractAddresses> done) {
  auto out = std::make_shared<ContractAddresses>();
  out->controller = controller;
  Controller c(controller);
  struct Entry {
    const char *name;
    Address ContractAddresses::*field;
  };
  static const Entry kEntries[] = {
      {names::kLivepeerToken, &ContractAddresses::token},
      {names::kBondingManager, &ContractAddresses::bonding_manager},
      {names::kTicketBroker, &ContractAddresses::ticket_broker},
      {names::kRoundsManager, &ContractAddresses::rounds_manager},
      {names::kServiceRegistry, &ContractAddresses::service_registry},
      {names::kMinter, &ContractAddresses::minter},
  };
  auto batch = ReadBatch::make(reader);
  auto missing = std::make_shared<std::string>();
  for (const Entry &e : kEntries) {
    batch->add<Address>(c.get_contract(e.name), [out, missing, e](Address a) {
      if (a.is_zero()) {
        *missing += (missing->empty() ? "" : ", ") + std::string(e.name);
      }
      (*out).*(e.field) = a;
    });
  }
  batch->run([out, missing, controller, done = std::move(done)](std::optional<ChainError> err) {
    if (err) {
      ChainError e = *err;
      e.message = "looking up contracts in the Controller at " + controller.checksummed() + ": " +
                  e.message;
      done(e);
    } else if (!missing->empty()) {
      done(ChainError::make(
          ChainError::Kind::kMalformed,
          "the Controller at " + controller.checksummed() + " has no address for " + *missing));
    } else {
      done(*out);
    }
  });
}

}  // namespace lp::chain
