#include "eth/uint256.h"

#include <cctype>
#include <cstring>

namespace lp::eth {

namespace {

const mpz_class &two_pow_256() {
  static const mpz_class v = [] {
    mpz_class x = 1;
    x <<= 256;
    return x;
  }();
  return v;
}

bool all_digits(std::string_view s, int base) {
  for (char c : s) {
    bool ok =
        base == 16 ? std::isxdigit(static_cast<unsigned char>(c)) != 0 : (c >= '0' && c <= '9');
    if (!ok) {
      return false;
    }
  }
  return true;
}

}  // namespace

U256 U256::parse(std::string_view text, std::string_view what) {
  int base = 10;
  std::string_view digits = text;
  if (digits.size() >= 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    base = 16;
    digits.remove_prefix(2);
  }
  if (digits.empty() || !all_digits(digits, base)) {
    throw Error(std::string(what) + ": expected a decimal or 0x-hex unsigned integer");
  }
  // Reject absurdly long inputs before GMP allocates for them.
  size_t max_digits = base == 16 ? 64 : 78;
  size_t first = digits.find_first_not_of('0');
  if (first != std::string_view::npos && digits.size() - first > max_digits) {
    throw Error(std::string(what) + ": does not fit in 256 bits");
  }
  mpz_class v;
  if (v.set_str(std::string(digits), base) != 0) {
    throw Error(std::string(what) + ": expected a decimal or 0x-hex unsigned integer");
  }
  return from_mpz(v, what);
}

U256 U256::from_be(ByteView bytes, std::string_view what) {
  if (bytes.size() > 32) {
    throw Error(std::string(what) + ": more than 32 bytes");
  }
  U256 out;
  if (!bytes.empty()) {
    mpz_import(out.v_.get_mpz_t(), bytes.size(), 1, 1, 1, 0, bytes.data());
  }
  return out;
}

U256 U256::from_mpz(const mpz_class &v, std::string_view what) {
  if (v < 0 || v >= two_pow_256()) {
    throw Error(std::string(what) + ": out of the uint256 range");
  }
  U256 out;
  out.v_ = v;
  return out;
}

U256 U256::saturate(const mpz_class &v) {
  if (v < 0) {
    return U256();
  }
  if (v >= two_pow_256()) {
    return max();
  }
  U256 out;
  out.v_ = v;
  return out;
}

const U256 &U256::max() {
  static const U256 m = from_mpz(two_pow_256() - 1);
  return m;
}

void U256::write_be32(uint8_t *out) const {
  std::memset(out, 0, 32);
  size_t count = 0;
  uint8_t tmp[32];
  mpz_export(tmp, &count, 1, 1, 1, 0, v_.get_mpz_t());
  std::memcpy(out + 32 - count, tmp, count);
}

Hash32 U256::to_be32() const {
  Hash32 out;
  write_be32(out.data());
  return out;
}

Bytes U256::to_minimal_be() const {
  Bytes out((mpz_sizeinbase(v_.get_mpz_t(), 2) + 7) / 8);
  if (v_ == 0) {
    return {};
  }
  size_t count = 0;
  mpz_export(out.data(), &count, 1, 1, 1, 0, v_.get_mpz_t());
  out.resize(count);
  return out;
}

uint64_t U256::to_u64(std::string_view what) const {
  if (!v_.fits_ulong_p()) {
    throw Error(std::string(what) + ": does not fit in 64 bits");
  }
  return v_.get_ui();
}

U256 operator/(const U256 &a, const U256 &b) {
  if (b.is_zero()) {
    throw Error("division by zero");
  }
  mpz_class q;
  mpz_fdiv_q(q.get_mpz_t(), a.v_.get_mpz_t(), b.v_.get_mpz_t());
  return U256::from_mpz(q);
}

U256 operator%(const U256 &a, const U256 &b) {
  if (b.is_zero()) {
    throw Error("division by zero");
  }
  mpz_class r;
  mpz_fdiv_r(r.get_mpz_t(), a.v_.get_mpz_t(), b.v_.get_mpz_t());
  return U256::from_mpz(r);
}

mpz_class ceil_rational(const mpq_class &q) {
  mpz_class out;
  mpz_cdiv_q(out.get_mpz_t(), q.get_num_mpz_t(), q.get_den_mpz_t());
  return out;
}

}  // namespace lp::eth
