#include "crypto/keccak.h"

#include <cstring>

namespace lp::crypto {

namespace {

constexpr uint64_t kRoundConstants[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

// Rotation offsets and the lane permutation of rho+pi, walked along pi's single cycle over the
// 24 lanes other than (0,0).
constexpr unsigned kRho[24] = {1,  3,  6,  10, 15, 21, 28, 36, 45, 55, 2,  14,
                               27, 41, 56, 8,  25, 43, 62, 18, 39, 61, 20, 44};
constexpr unsigned kPi[24] = {10, 7,  11, 17, 18, 3, 5,  16, 8,  21, 24, 4,
                              15, 23, 19, 13, 12, 2, 20, 14, 22, 9,  6,  1};

inline uint64_t rotl(uint64_t x, unsigned n) {
  return (x << n) | (x >> (64 - n));
}

inline uint64_t load_le64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) {
    v = (v << 8) | p[i];
  }
  return v;
}

}  // namespace

void keccak_f1600(std::array<uint64_t, 25> &a) {
  for (uint64_t rc : kRoundConstants) {
    uint64_t c[5];
    for (int x = 0; x < 5; ++x) {
      c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
    }
    for (int x = 0; x < 5; ++x) {
      uint64_t d = c[(x + 4) % 5] ^ rotl(c[(x + 1) % 5], 1);
      for (int y = 0; y < 25; y += 5) {
        a[y + x] ^= d;
      }
    }
    uint64_t carry = a[1];
    for (int i = 0; i < 24; ++i) {
      unsigned j = kPi[i];
      uint64_t next = a[j];
      a[j] = rotl(carry, kRho[i]);
      carry = next;
    }
    for (int y = 0; y < 25; y += 5) {
      uint64_t row[5];
      for (int x = 0; x < 5; ++x) {
        row[x] = a[y + x];
      }
      for (int x = 0; x < 5; ++x) {
        a[y + x] = row[x] ^ (~row[(x + 1) % 5] & row[(x + 2) % 5]);
      }
    }
    a[0] ^= rc;
  }
}

void Keccak256::absorb_block(const uint8_t *block) {
  for (size_t i = 0; i < kRate / 8; ++i) {
    state_[i] ^= load_le64(block + 8 * i);
  }
  keccak_f1600(state_);
}

Keccak256 &Keccak256::update(ByteView data) {
  const uint8_t *p = data.data();
  size_t n = data.size();
  if (filled_ > 0) {
    size_t take = std::min(n, kRate - filled_);
    std::memcpy(block_.data() + filled_, p, take);
    filled_ += take;
    p += take;
    n -= take;
    if (filled_ < kRate) {
      return *this;
    }
    absorb_block(block_.data());
    filled_ = 0;
  }
  while (n >= kRate) {
    absorb_block(p);
    p += kRate;
    n -= kRate;
  }
  if (n > 0) {
    std::memcpy(block_.data(), p, n);
    filled_ = n;
  }
  return *this;
}

Hash32 Keccak256::finish() {
  std::memset(block_.data() + filled_, 0, kRate - filled_);
  block_[filled_] ^= 0x01;
  block_[kRate - 1] ^= 0x80;
  absorb_block(block_.data());
  Hash32 out{};
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<uint8_t>(state_[i / 8] >> (8 * (i % 8)));
  }
  state_.fill(0);
  filled_ = 0;
  return out;
}

Hash32 keccak256(ByteView data) {
  return Keccak256().update(data).finish();
}

}  // namespace lp::crypto
