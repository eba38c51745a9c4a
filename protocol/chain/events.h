// The protocol's events, with Livepeer's signatures (so the same topics as on Livepeer's
// contracts), and decoding of logs into what the node acts on. Logs come from the network:
// decoding checks everything and throws lp::Error for a log that claims to be one of these
// events but does not decode as one.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "crypto/address.h"
#include "eth/abi.h"
#include "eth/rpc_types.h"

namespace lp::chain::events {

using crypto::Address;
using eth::U256;

// Every event of protocol/contracts the node knows, by contract.
struct Known {
  const char *contract;
  const eth::abi::Event *event;
};
const std::vector<Known> &all();

const eth::abi::Event &new_round();
const eth::abi::Event &deposit_funded();
const eth::abi::Event &reserve_funded();
const eth::abi::Event &unlock();
const eth::abi::Event &unlock_cancelled();
const eth::abi::Event &withdrawal();
const eth::abi::Event &winning_ticket_redeemed();
const eth::abi::Event &winning_ticket_transfer();
const eth::abi::Event &transcoder_activated();
const eth::abi::Event &transcoder_deactivated();
const eth::abi::Event &service_uri_update();

struct ChainEvent {
  enum class Kind {
    kNewRound,     // RoundsManager: a round was initialized
    kSenderFunds,  // TicketBroker: a sender's deposit, reserve or unlock changed
    kPool,         // BondingManager: the transcoder pool changed
    kOther,        // known, but nothing the watcher acts on
  };
  Kind kind = Kind::kOther;
  std::string name;
  // kSenderFunds: the sender; kPool: the transcoder; otherwise the first indexed address.
  Address subject;
  U256 round;           // kNewRound
  Hash32 block_hash{};  // kNewRound
  std::vector<eth::abi::Value> values;
  const eth::abi::Event *event = nullptr;
};

// nullopt for a log whose first topic is none of the known events (or that has no topics).
std::optional<ChainEvent> decode(const eth::Log &log);

// The topic0 values the block watcher filters logs by.
std::vector<Hash32> watched_topics();

}  // namespace lp::chain::events
