// In-memory chain state for the PM tests. The on-chain implementations of these interfaces
// (RoundsManager, TicketBroker, BondingManager over JSON-RPC) come with the on-chain issue; until
// then the tests set the values a chain would report.
#pragma once

#include <mutex>
#include <unordered_map>

#include "pm/chain.h"

namespace lp::test {

class FakeChain : public pm::ChainTime, public pm::GasPriceSource, public pm::BrokerReader {
 public:
  eth::U256 last_seen_block() const override {
    std::lock_guard<std::mutex> l(mu_);
    return block_;
  }
  eth::U256 last_initialized_round() const override {
    std::lock_guard<std::mutex> l(mu_);
    return round_;
  }
  Hash32 last_initialized_block_hash() const override {
    std::lock_guard<std::mutex> l(mu_);
    return round_hash_;
  }
  eth::U256 gas_price() const override {
    std::lock_guard<std::mutex> l(mu_);
    return gas_price_;
  }
  pm::SenderInfo sender_info(const crypto::Address &sender) override {
    std::lock_guard<std::mutex> l(mu_);
    ++sender_info_reads;
    auto it = senders_.find(sender);
    return it == senders_.end() ? pm::SenderInfo{} : it->second;
  }
  eth::U256 claimed_reserve(const crypto::Address &holder, const crypto::Address &) override {
    std::lock_guard<std::mutex> l(mu_);
    auto it = claimed_.find(holder);
    return it == claimed_.end() ? eth::U256() : it->second;
  }
  uint64_t transcoder_pool_size() override {
    std::lock_guard<std::mutex> l(mu_);
    return pool_size_;
  }

  void set_block(uint64_t b) {
    std::lock_guard<std::mutex> l(mu_);
    block_ = b;
  }
  void set_round(uint64_t r, const Hash32 &h) {
    std::lock_guard<std::mutex> l(mu_);
    round_ = r;
    round_hash_ = h;
  }
  void set_gas_price(const eth::U256 &p) {
    std::lock_guard<std::mutex> l(mu_);
    gas_price_ = p;
  }
  void set_sender(const crypto::Address &a, const pm::SenderInfo &info) {
    std::lock_guard<std::mutex> l(mu_);
    senders_[a] = info;
  }
  void set_claimed(const crypto::Address &a, const eth::U256 &v) {
    std::lock_guard<std::mutex> l(mu_);
    claimed_[a] = v;
  }
  void set_pool_size(uint64_t n) {
    std::lock_guard<std::mutex> l(mu_);
    pool_size_ = n;
  }
  int sender_info_reads = 0;

 private:
  mutable std::mutex mu_;
  eth::U256 block_{100};
  eth::U256 round_{5};
  Hash32 round_hash_{0x11};
  eth::U256 gas_price_{0};
  uint64_t pool_size_ = 1;
  std::unordered_map<crypto::Address, pm::SenderInfo> senders_;
  std::unordered_map<crypto::Address, eth::U256> claimed_;
};

}  // namespace lp::test
