// Keccak-256 as Ethereum uses it (the original Keccak padding 0x01, not FIPS-202 SHA3-256's 0x06).
// OpenSSL 3.0 has no KECCAK-256, so it is written here and checked against the Keccak team's
// known-answer tests and against ethers.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "util/bytes.h"

namespace lp::crypto {

class Keccak256 {
 public:
  Keccak256() = default;
  Keccak256 &update(ByteView data);
  // Finishes the hash; the object is reset afterwards and may be reused.
  Hash32 finish();

 private:
  static constexpr size_t kRate = 136;  // bytes absorbed per permutation for 256-bit output
  std::array<uint64_t, 25> state_{};
  std::array<uint8_t, kRate> block_{};
  size_t filled_ = 0;
  void absorb_block(const uint8_t *block);
};

Hash32 keccak256(ByteView data);

// Keccak-f[1600], exposed for the tests.
void keccak_f1600(std::array<uint64_t, 25> &state);

}  // namespace lp::crypto
