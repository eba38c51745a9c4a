#include "pm/sendermonitor.h"

#include <vector>

namespace lp::pm {

SenderMonitor::SenderMonitor(const Address &self, BrokerReader &broker, const ChainTime &time,
                             SenderMonitorConfig config)
    : self_(self), broker_(broker), time_(time), config_(config) {}

SenderMonitor::Entry &SenderMonitor::entry_locked(const Address &sender) {
  Entry &e = senders_[sender];
  e.last_access = Clock::now();
  if (!e.info) {
    e.info = broker_.sender_info(sender);
  }
  if (!e.claimed) {
    e.claimed = broker_.claimed_reserve(sender, self_);
  }
  return e;
}

U256 SenderMonitor::max_float_locked(const Address &sender, Entry &e) {
  (void)sender;
  if (!pool_size_) {
    pool_size_ = broker_.transcoder_pool_size();
  }
  mpz_class alloc = 0;
  if (*pool_size_ > 0) {
    mpz_class total =
        e.info->reserve.funds_remaining.mpz() + e.info->reserve.claimed_in_current_round.mpz();
    alloc = total / mpz_class(static_cast<unsigned long>(*pool_size_)) - e.claimed->mpz();
  }
  if (alloc < 0) {
    alloc = 0;
  }
  const mpz_class &pending = e.pending.mpz();
  if (pending == 0 || e.info->deposit.mpz() >= 3 * pending) {
    // Saturating: the reserve figures are the chain node's word, and this runs in callbacks.
    return U256::saturate(alloc);
  }
  return U256::saturate(alloc - pending);
}

U256 SenderMonitor::max_float(const Address &sender) {
  std::lock_guard<std::mutex> lock(mu_);
  return max_float_locked(sender, entry_locked(sender));
}

SenderInfo SenderMonitor::sender_info(const Address &sender) {
  std::lock_guard<std::mutex> lock(mu_);
  return *entry_locked(sender).info;
}

std::optional<Failure> SenderMonitor::validate_sender(const Address &sender) {
  SenderInfo info = sender_info(sender);
  U256 last_round = time_.last_initialized_round();
  if (!info.withdraw_round.is_zero() && info.withdraw_round.mpz() <= last_round.mpz() + 1) {
    return Failure{ErrorCode::kSenderUnlocking, true, "deposit and reserve is set to unlock soon"};
  }
  return std::nullopt;
}

void SenderMonitor::add_pending(const Address &sender, const U256 &face_value) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    Entry &e = senders_[sender];
    e.pending = U256::saturate(e.pending.mpz() + face_value.mpz());
  }
  notify({sender});
}

void SenderMonitor::sub_pending(const Address &sender, const U256 &face_value) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    Entry &e = senders_[sender];
    e.pending = face_value > e.pending ? U256() : e.pending - face_value;
  }
  notify({sender});
}

U256 SenderMonitor::pending(const Address &sender) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = senders_.find(sender);
  return it == senders_.end() ? U256() : it->second.pending;
}

void SenderMonitor::on_sender_changed(const Address &sender) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = senders_.find(sender);
    if (it == senders_.end()) {
      return;
    }
    it->second.info.reset();
    it->second.claimed.reset();
  }
  notify({sender});
}

void SenderMonitor::on_new_round() {
  std::vector<Address> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    pool_size_.reset();
    for (auto &[addr, e] : senders_) {
      // claimedInCurrentRound and claimedReserve are per round on chain.
      e.info.reset();
      e.claimed.reset();
      all.push_back(addr);
    }
  }
  notify(all);
}

int SenderMonitor::subscribe(Listener listener) {
  std::lock_guard<std::mutex> lock(mu_);
  int id = next_listener_++;
  listeners_[id] = std::move(listener);
  return id;
}

void SenderMonitor::unsubscribe(int id) {
  std::lock_guard<std::mutex> lock(mu_);
  listeners_.erase(id);
}

void SenderMonitor::notify(const std::vector<Address> &senders) {
  std::vector<std::pair<Address, U256>> updates;
  std::vector<Listener> listeners;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (listeners_.empty()) {
      return;
    }
    for (const auto &[id, l] : listeners_) {
      listeners.push_back(l);
    }
    for (const Address &s : senders) {
      updates.emplace_back(s, max_float_locked(s, entry_locked(s)));
    }
  }
  // Outside the lock, so a listener may call back into the monitor.
  for (const auto &[sender, mf] : updates) {
    for (const Listener &l : listeners) {
      l(sender, mf);
    }
  }
}

size_t SenderMonitor::cleanup(Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  size_t evicted = 0;
  for (auto it = senders_.begin(); it != senders_.end();) {
    // Senders with redemptions in flight stay: their pending amount must not be forgotten.
    if (now - it->second.last_access > config_.ttl && it->second.pending.is_zero()) {
      it = senders_.erase(it);
      ++evicted;
    } else {
      ++it;
    }
  }
  return evicted;
}

}  // namespace lp::pm
