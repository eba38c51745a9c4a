// 20-byte Ethereum addresses with EIP-55 mixed-case checksums.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "util/bytes.h"

namespace lp::crypto {

class Address {
 public:
  static constexpr size_t kSize = 20;
  Address() = default;
  explicit Address(const std::array<uint8_t, kSize> &bytes) : bytes_(bytes) {}

  // Accepts "0x" + 40 hex digits. All-lower or all-upper case digits are taken as they are; mixed
  // case must be a valid EIP-55 checksum (a typo check, as wallets do). Errors name `what`.
  static Address parse(std::string_view text, std::string_view what = "address");
  static Address from_bytes(ByteView bytes, std::string_view what = "address");
  // The address of an uncompressed secp256k1 public key (64 bytes, without the 0x04 prefix).
  static Address from_public_key(ByteView xy64);

  const std::array<uint8_t, kSize> &bytes() const { return bytes_; }
  ByteView view() const { return ByteView(bytes_); }
  bool is_zero() const;
  // EIP-55 checksummed "0x..." form.
  std::string checksummed() const;
  std::string lower_hex() const { return to_hex(bytes_); }

  friend bool operator==(const Address &a, const Address &b) { return a.bytes_ == b.bytes_; }
  friend bool operator!=(const Address &a, const Address &b) { return a.bytes_ != b.bytes_; }
  friend bool operator<(const Address &a, const Address &b) { return a.bytes_ < b.bytes_; }

 private:
  std::array<uint8_t, kSize> bytes_{};
};

}  // namespace lp::crypto

template <>
struct std::hash<lp::crypto::Address> {
  size_t operator()(const lp::crypto::Address &a) const noexcept {
    size_t h = 0;
    for (uint8_t b : a.bytes()) {
      h = h * 131 + b;
    }
    return h;
  }
};
