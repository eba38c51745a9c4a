// The read-only answers of lp-cli's chain operations, as JSON objects with the fields of the
// contracts' views (amounts as decimal wei strings, for scripts and exactness).
#pragma once

#include "chain/bindings.h"
#include "cli/awaiter.h"
#include "util/glib_ptr.h"
#include "util/json.h"

namespace lp::cli {

using json::array_node;

class Views {
 public:
  Views(Awaiter &awaiter, const chain::Reader &reader, const chain::ContractAddresses &contracts)
      : a_(awaiter), reader_(reader), c_(contracts) {}

  JsonNodePtr round();
  JsonNodePtr sender(const crypto::Address &who);
  JsonNodePtr delegator(const crypto::Address &who);
  JsonNodePtr transcoder(const crypto::Address &who);
  JsonNodePtr pool();
  eth::U256 eth_balance(const crypto::Address &who);

 private:
  template <typename T>
  T read(const chain::Query<T> &q) {
    return a_.read<T>(reader_, q);
  }
  chain::BondingManager bm() const { return chain::BondingManager(c_.bonding_manager); }
  chain::TicketBroker tb() const { return chain::TicketBroker(c_.ticket_broker); }
  chain::RoundsManager rm() const { return chain::RoundsManager(c_.rounds_manager); }

  Awaiter &a_;
  const chain::Reader &reader_;
  const chain::ContractAddresses &c_;
};

}  // namespace lp::cli
