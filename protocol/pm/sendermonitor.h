// Risk management on the orchestrator (go-livepeer pm/sendermonitor.go): how much of a sender's
// reserve this orchestrator may count on ("max float"), which caps the face value it asks for.
//   reserveAlloc = (fundsRemaining + claimedInCurrentRound) / poolSize - claimedReserve(sender, me)
//   maxFloat     = reserveAlloc                if pending == 0 or deposit / pending >= 3
//                = reserveAlloc - pending      otherwise
// where pending is the face value of this sender's tickets whose redemption is in flight.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "pm/chain.h"
#include "pm/errors.h"

namespace lp::pm {

struct SenderMonitorConfig {
  // Senders not seen for this long are dropped from the cache by cleanup().
  std::chrono::seconds ttl{172800};
};

// Chain reads happen on cache misses, under the monitor's lock: a BrokerReader that blocks on the
// network should answer from its own cache (kept fresh by the block watcher) to keep this cheap.
class SenderMonitor {
 public:
  using Clock = std::chrono::steady_clock;
  using Listener = std::function<void(const Address &sender, const U256 &max_float)>;

  // `self` is the orchestrator (the reserve claimant).
  SenderMonitor(const Address &self, BrokerReader &broker, const ChainTime &time,
                SenderMonitorConfig config = {});

  U256 max_float(const Address &sender);
  // Fatal when the sender's deposit and reserve unlock within a round:
  // withdrawRound != 0 and withdrawRound <= lastInitializedRound + 1.
  std::optional<Failure> validate_sender(const Address &sender);
  SenderInfo sender_info(const Address &sender);

  // A redemption of `face_value` was submitted / has finished (confirmed or failed).
  void add_pending(const Address &sender, const U256 &face_value);
  void sub_pending(const Address &sender, const U256 &face_value);
  U256 pending(const Address &sender);

  // Chain events: funding, unlock, withdrawal or a redemption changed this sender's deposit or
  // reserve; a new round may change the pool size and resets claimed reserves.
  void on_sender_changed(const Address &sender);
  void on_new_round();

  // Listeners hear the new max float of every sender whose max float may have changed.
  int subscribe(Listener listener);
  void unsubscribe(int id);

  // Evicts senders unused for longer than the TTL; returns how many.
  size_t cleanup(Clock::time_point now = Clock::now());

 private:
  struct Entry {
    std::optional<SenderInfo> info;
    std::optional<U256> claimed;
    U256 pending;
    Clock::time_point last_access;
  };
  Entry &entry_locked(const Address &sender);
  U256 max_float_locked(const Address &sender, Entry &e);
  void notify(const std::vector<Address> &senders);

  Address self_;
  BrokerReader &broker_;
  const ChainTime &time_;
  SenderMonitorConfig config_;
  std::mutex mu_;
  std::unordered_map<Address, Entry> senders_;
  std::optional<uint64_t> pool_size_;
  std::map<int, Listener> listeners_;
  int next_listener_ = 1;
};

}  // namespace lp::pm
