#include "chain/events.h"

#include <mutex>

namespace lp::chain::events {

namespace abi = eth::abi;

namespace {

using Kind = ChainEvent::Kind;

struct Spec {
  const char *contract;
  const char *signature;
  Kind kind;
};

// Livepeer's event signatures (indexed parameters as Livepeer declares them).
constexpr Spec kSpecs[] = {
    {"RoundsManager", "NewRound(uint256 indexed round, bytes32 blockHash)", Kind::kNewRound},
    {"TicketBroker", "DepositFunded(address indexed sender, uint256 amount)", Kind::kSenderFunds},
    {"TicketBroker", "ReserveFunded(address indexed reserveHolder, uint256 amount)",
     Kind::kSenderFunds},
    {"TicketBroker",
     "ReserveClaimed(address indexed reserveHolder, address claimant, uint256 amount)",
     Kind::kSenderFunds},
    {"TicketBroker", "Unlock(address indexed sender, uint256 startRound, uint256 endRound)",
     Kind::kSenderFunds},
    {"TicketBroker", "UnlockCancelled(address indexed sender)", Kind::kSenderFunds},
    {"TicketBroker", "Withdrawal(address indexed sender, uint256 deposit, uint256 reserve)",
     Kind::kSenderFunds},
    {"TicketBroker",
     "WinningTicketRedeemed(address indexed sender, address indexed recipient, uint256 faceValue, "
     "uint256 winProb, uint256 senderNonce, uint256 recipientRand, bytes auxData)",
     Kind::kSenderFunds},
    {"TicketBroker",
     "WinningTicketTransfer(address indexed sender, address indexed recipient, uint256 amount)",
     Kind::kSenderFunds},
    {"BondingManager", "TranscoderActivated(address indexed transcoder, uint256 activationRound)",
     Kind::kPool},
    {"BondingManager",
     "TranscoderDeactivated(address indexed transcoder, uint256 deactivationRound)", Kind::kPool},
    {"BondingManager",
     "TranscoderUpdate(address indexed transcoder, uint256 rewardCut, uint256 feeShare)",
     Kind::kOther},
    {"BondingManager", "Reward(address indexed transcoder, uint256 amount)", Kind::kOther},
    {"BondingManager",
     "Bond(address indexed newDelegate, address indexed oldDelegate, address indexed delegator, "
     "uint256 additionalAmount, uint256 bondedAmount)",
     Kind::kOther},
    {"BondingManager",
     "Unbond(address indexed delegate, address indexed delegator, uint256 unbondingLockId, "
     "uint256 amount, uint256 withdrawRound)",
     Kind::kOther},
    {"BondingManager",
     "Rebond(address indexed delegate, address indexed delegator, uint256 unbondingLockId, "
     "uint256 amount)",
     Kind::kOther},
    {"BondingManager",
     "WithdrawStake(address indexed delegator, uint256 unbondingLockId, uint256 amount, "
     "uint256 withdrawRound)",
     Kind::kOther},
    {"BondingManager", "WithdrawFees(address indexed delegator, address recipient, uint256 amount)",
     Kind::kOther},
    {"BondingManager",
     "EarningsClaimed(address indexed delegate, address indexed delegator, uint256 rewards, "
     "uint256 fees, uint256 startRound, uint256 endRound)",
     Kind::kOther},
    {"ServiceRegistry", "ServiceURIUpdate(address indexed addr, string serviceURI)", Kind::kOther},
};

struct Table {
  std::vector<abi::Event> events;
  std::vector<Known> known;
};

const Table &table() {
  static const Table t = [] {
    Table t;
    t.events.reserve(std::size(kSpecs));
    for (const Spec &s : kSpecs) {
      t.events.push_back(abi::Event::parse(s.signature));
    }
    for (size_t i = 0; i < t.events.size(); ++i) {
      t.known.push_back(Known{kSpecs[i].contract, &t.events[i]});
    }
    return t;
  }();
  return t;
}

const abi::Event &by_name(const char *name) {
  for (const abi::Event &e : table().events) {
    if (e.name == name) {
      return e;
    }
  }
  throw Error(std::string("unknown event ") + name);
}

}  // namespace

const std::vector<Known> &all() {
  return table().known;
}

const abi::Event &new_round() {
  return by_name("NewRound");
}
const abi::Event &deposit_funded() {
  return by_name("DepositFunded");
}
const abi::Event &reserve_funded() {
  return by_name("ReserveFunded");
}
const abi::Event &unlock() {
  return by_name("Unlock");
}
const abi::Event &unlock_cancelled() {
  return by_name("UnlockCancelled");
}
const abi::Event &withdrawal() {
  return by_name("Withdrawal");
}
const abi::Event &winning_ticket_redeemed() {
  return by_name("WinningTicketRedeemed");
}
const abi::Event &winning_ticket_transfer() {
  return by_name("WinningTicketTransfer");
}
const abi::Event &transcoder_activated() {
  return by_name("TranscoderActivated");
}
const abi::Event &transcoder_deactivated() {
  return by_name("TranscoderDeactivated");
}
const abi::Event &service_uri_update() {
  return by_name("ServiceURIUpdate");
}

std::optional<ChainEvent> decode(const eth::Log &log) {
  if (log.topics.empty()) {
    return std::nullopt;
  }
  const Table &t = table();
  for (size_t i = 0; i < t.events.size(); ++i) {
    const abi::Event &e = t.events[i];
    if (e.topic0 != log.topics[0]) {
      continue;
    }
    ChainEvent ev;
    ev.kind = kSpecs[i].kind;
    ev.name = e.name;
    ev.event = &e;
    ev.values = e.decode(log.topics, log.data);
    if (ev.kind == Kind::kNewRound) {
      ev.round = ev.values.at(0).as_uint();
      const Bytes &h = ev.values.at(1).as_bytes();
      std::copy(h.begin(), h.end(), ev.block_hash.begin());
    } else if (!ev.values.empty() && e.params[0].type.kind == abi::Type::Kind::kAddress) {
      ev.subject = ev.values[0].as_address();
    }
    return ev;
  }
  return std::nullopt;
}

std::vector<Hash32> watched_topics() {
  std::vector<Hash32> out;
  const Table &t = table();
  for (size_t i = 0; i < t.events.size(); ++i) {
    if (kSpecs[i].kind != Kind::kOther) {
      out.push_back(t.events[i].topic0);
    }
  }
  return out;
}

}  // namespace lp::chain::events
