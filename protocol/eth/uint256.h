// Unsigned 256-bit integers on GMP. The value is always in [0, 2^256); anything that would leave
// that range (parsing, construction from a wider GMP value, checked arithmetic) is an lp::Error.
// Intermediate results that need more room (EV = faceValue * winProb / (2^256 - 1)) are computed
// on mpz_class / mpq_class directly and narrowed back with U256::from_mpz.
#pragma once

#include <gmpxx.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/bytes.h"

namespace lp::eth {

class U256 {
 public:
  U256() = default;
  U256(uint64_t v) : v_(static_cast<unsigned long>(v)) {}  // NOLINT: implicit, like a literal
  static_assert(sizeof(unsigned long) == 8, "LP64 is assumed for the uint64 constructor");

  // Decimal digits or "0x" + hex digits (no sign, no spaces, no empty string). Errors name `what`.
  static U256 parse(std::string_view text, std::string_view what = "integer");
  // Big-endian bytes, at most 32 of them (leading zeros allowed).
  static U256 from_be(ByteView bytes, std::string_view what = "integer");
  static U256 from_mpz(const mpz_class &v, std::string_view what = "integer");
  // Clamped into [0, 2^256 - 1] instead of throwing: for sums and products of values a node
  // supplied (fees, balances), computed inside callbacks that an exception must not leave.
  static U256 saturate(const mpz_class &v);
  static const U256 &max();  // 2^256 - 1

  const mpz_class &mpz() const { return v_; }
  bool is_zero() const { return v_ == 0; }
  // 32 bytes, big-endian, left-padded (ABI words, ticket hash fields).
  Hash32 to_be32() const;
  void write_be32(uint8_t *out) const;
  // Big-endian without leading zeros; zero is the empty string (Go's big.Int.Bytes()).
  Bytes to_minimal_be() const;
  std::string to_dec() const { return v_.get_str(10); }
  // "0x" + minimal hex ("0x0" for zero), the JSON-RPC quantity form.
  std::string to_hex() const { return "0x" + v_.get_str(16); }
  // Throws lp::Error if the value does not fit.
  uint64_t to_u64(std::string_view what = "integer") const;
  bool fits_u64() const { return v_.fits_ulong_p(); }

  // Checked arithmetic: results outside [0, 2^256) throw.
  friend U256 operator+(const U256 &a, const U256 &b) { return from_mpz(a.v_ + b.v_, "sum"); }
  friend U256 operator-(const U256 &a, const U256 &b) {
    return from_mpz(a.v_ - b.v_, "difference");
  }
  friend U256 operator*(const U256 &a, const U256 &b) { return from_mpz(a.v_ * b.v_, "product"); }
  // Floor division; division by zero throws.
  friend U256 operator/(const U256 &a, const U256 &b);
  friend U256 operator%(const U256 &a, const U256 &b);

  friend bool operator==(const U256 &a, const U256 &b) { return a.v_ == b.v_; }
  friend bool operator!=(const U256 &a, const U256 &b) { return a.v_ != b.v_; }
  friend bool operator<(const U256 &a, const U256 &b) { return a.v_ < b.v_; }
  friend bool operator<=(const U256 &a, const U256 &b) { return a.v_ <= b.v_; }
  friend bool operator>(const U256 &a, const U256 &b) { return a.v_ > b.v_; }
  friend bool operator>=(const U256 &a, const U256 &b) { return a.v_ >= b.v_; }

 private:
  mpz_class v_;
};

// Ceiling of a non-negative rational, as an integer.
mpz_class ceil_rational(const mpq_class &q);

}  // namespace lp::eth
