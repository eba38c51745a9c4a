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

// One round on the 25 lanes a[x + 5y]. Written out lane by lane: the tables-and-loops form runs
// about ten times slower, and tickets hash several times per signature.
inline void keccak_round(uint64_t *a, uint64_t rc) {
  uint64_t c0 = a[0] ^ a[5] ^ a[10] ^ a[15] ^ a[20];
  uint64_t c1 = a[1] ^ a[6] ^ a[11] ^ a[16] ^ a[21];
  uint64_t c2 = a[2] ^ a[7] ^ a[12] ^ a[17] ^ a[22];
  uint64_t c3 = a[3] ^ a[8] ^ a[13] ^ a[18] ^ a[23];
  uint64_t c4 = a[4] ^ a[9] ^ a[14] ^ a[19] ^ a[24];
  uint64_t d0 = c4 ^ rotl(c1, 1);
  uint64_t d1 = c0 ^ rotl(c2, 1);
  uint64_t d2 = c1 ^ rotl(c3, 1);
  uint64_t d3 = c2 ^ rotl(c4, 1);
  uint64_t d4 = c3 ^ rotl(c0, 1);
  // theta, then rho and pi: lane (x, y) rotated by its offset moves to (y, 2x + 3y).
  uint64_t b[25];
  b[0] = a[0] ^ d0;
  b[10] = rotl(a[1] ^ d1, 1);
  b[20] = rotl(a[2] ^ d2, 62);
  b[5] = rotl(a[3] ^ d3, 28);
  b[15] = rotl(a[4] ^ d4, 27);
  b[16] = rotl(a[5] ^ d0, 36);
  b[1] = rotl(a[6] ^ d1, 44);
  b[11] = rotl(a[7] ^ d2, 6);
  b[21] = rotl(a[8] ^ d3, 55);
  b[6] = rotl(a[9] ^ d4, 20);
  b[7] = rotl(a[10] ^ d0, 3);
  b[17] = rotl(a[11] ^ d1, 10);
  b[2] = rotl(a[12] ^ d2, 43);
  b[12] = rotl(a[13] ^ d3, 25);
  b[22] = rotl(a[14] ^ d4, 39);
  b[23] = rotl(a[15] ^ d0, 41);
  b[8] = rotl(a[16] ^ d1, 45);
  b[18] = rotl(a[17] ^ d2, 15);
  b[3] = rotl(a[18] ^ d3, 21);
  b[13] = rotl(a[19] ^ d4, 8);
  b[14] = rotl(a[20] ^ d0, 18);
  b[24] = rotl(a[21] ^ d1, 2);
  b[9] = rotl(a[22] ^ d2, 61);
  b[19] = rotl(a[23] ^ d3, 56);
  b[4] = rotl(a[24] ^ d4, 14);
  // chi, row by row.
  a[0] = b[0] ^ (~b[1] & b[2]);
  a[1] = b[1] ^ (~b[2] & b[3]);
  a[2] = b[2] ^ (~b[3] & b[4]);
  a[3] = b[3] ^ (~b[4] & b[0]);
  a[4] = b[4] ^ (~b[0] & b[1]);
  a[5] = b[5] ^ (~b[6] & b[7]);
  a[6] = b[6] ^ (~b[7] & b[8]);
  a[7] = b[7] ^ (~b[8] & b[9]);
  a[8] = b[8] ^ (~b[9] & b[5]);
  a[9] = b[9] ^ (~b[5] & b[6]);
  a[10] = b[10] ^ (~b[11] & b[12]);
  a[11] = b[11] ^ (~b[12] & b[13]);
  a[12] = b[12] ^ (~b[13] & b[14]);
  a[13] = b[13] ^ (~b[14] & b[10]);
  a[14] = b[14] ^ (~b[10] & b[11]);
  a[15] = b[15] ^ (~b[16] & b[17]);
  a[16] = b[16] ^ (~b[17] & b[18]);
  a[17] = b[17] ^ (~b[18] & b[19]);
  a[18] = b[18] ^ (~b[19] & b[15]);
  a[19] = b[19] ^ (~b[15] & b[16]);
  a[20] = b[20] ^ (~b[21] & b[22]);
  a[21] = b[21] ^ (~b[22] & b[23]);
  a[22] = b[22] ^ (~b[23] & b[24]);
  a[23] = b[23] ^ (~b[24] & b[20]);
  a[24] = b[24] ^ (~b[20] & b[21]);
  a[0] ^= rc;
}

}  // namespace

void keccak_f1600(std::array<uint64_t, 25> &state) {
  for (uint64_t rc : kRoundConstants) {
    keccak_round(state.data(), rc);
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
