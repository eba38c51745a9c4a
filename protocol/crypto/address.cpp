#include "crypto/address.h"

#include <cctype>

#include "crypto/keccak.h"

namespace lp::crypto {

Address Address::from_bytes(ByteView bytes, std::string_view what) {
  if (bytes.size() != kSize) {
    throw Error(std::string(what) + ": expected 20 bytes, got " + std::to_string(bytes.size()));
  }
  std::array<uint8_t, kSize> a{};
  for (size_t i = 0; i < kSize; ++i) {
    a[i] = bytes[i];
  }
  return Address(a);
}

Address Address::from_public_key(ByteView xy64) {
  if (xy64.size() != 64) {
    throw Error("public key: expected 64 bytes");
  }
  Hash32 h = keccak256(xy64);
  return from_bytes(ByteView(h.data() + 12, kSize));
}

bool Address::is_zero() const {
  return is_all_zero(ByteView(bytes_));
}

std::string Address::checksummed() const {
  std::string hex = to_hex_bare(ByteView(bytes_));
  Hash32 h = keccak256(ByteView(std::string_view(hex)));
  for (size_t i = 0; i < hex.size(); ++i) {
    uint8_t nibble = (i % 2 == 0) ? (h[i / 2] >> 4) : (h[i / 2] & 0x0f);
    if (std::isalpha(static_cast<unsigned char>(hex[i])) && nibble >= 8) {
      hex[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(hex[i])));
    }
  }
  return "0x" + hex;
}

Address Address::parse(std::string_view text, std::string_view what) {
  std::array<uint8_t, kSize> bytes = from_hex_fixed<kSize>(text, what);
  Address a(bytes);
  std::string_view digits = text.substr(2);
  bool has_lower = false;
  bool has_upper = false;
  for (char c : digits) {
    has_lower |= (c >= 'a' && c <= 'f');
    has_upper |= (c >= 'A' && c <= 'F');
  }
  if (has_lower && has_upper && a.checksummed().substr(2) != digits) {
    throw Error(std::string(what) + ": bad EIP-55 checksum");
  }
  return a;
}

}  // namespace lp::crypto
