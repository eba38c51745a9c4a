// Byte strings, fixed-size byte arrays and strict hex conversion shared by protocol/.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace lp {

using Bytes = std::vector<uint8_t>;
using Hash32 = std::array<uint8_t, 32>;

// A read-only view of bytes (C++17 has no std::span).
class ByteView {
 public:
  constexpr ByteView() = default;
  constexpr ByteView(const uint8_t *data, size_t size) : data_(data), size_(size) {}
  ByteView(const Bytes &b) : data_(b.data()), size_(b.size()) {}  // NOLINT: implicit on purpose
  template <size_t N>
  constexpr ByteView(const std::array<uint8_t, N> &a)  // NOLINT: implicit on purpose
      : data_(a.data()), size_(N) {}
  ByteView(std::string_view s)  // NOLINT: implicit on purpose
      : data_(reinterpret_cast<const uint8_t *>(s.data())), size_(s.size()) {}

  constexpr const uint8_t *data() const { return data_; }
  constexpr size_t size() const { return size_; }
  constexpr bool empty() const { return size_ == 0; }
  constexpr const uint8_t *begin() const { return data_; }
  constexpr const uint8_t *end() const { return data_ + size_; }
  constexpr uint8_t operator[](size_t i) const { return data_[i]; }
  // Throws lp::Error when the range is outside the view.
  ByteView sub(size_t offset, size_t len) const;
  Bytes to_bytes() const { return Bytes(begin(), end()); }

 private:
  const uint8_t *data_ = nullptr;
  size_t size_ = 0;
};

bool operator==(ByteView a, ByteView b);
inline bool operator!=(ByteView a, ByteView b) {
  return !(a == b);
}

// Lower-case hex with a "0x" prefix.
std::string to_hex(ByteView bytes);
// Lower-case hex without a prefix (keystore fields, logs of public values).
std::string to_hex_bare(ByteView bytes);

enum class HexPrefix { kRequired, kOptional, kForbidden };

// Parses hex digits (either case). An odd number of digits, a non-hex character or a missing or
// unexpected "0x" is an lp::Error whose message starts with `what`.
Bytes from_hex(std::string_view hex, std::string_view what,
               HexPrefix prefix = HexPrefix::kRequired);

// As from_hex, and the result must be exactly N bytes long.
template <size_t N>
std::array<uint8_t, N> from_hex_fixed(std::string_view hex, std::string_view what,
                                      HexPrefix prefix = HexPrefix::kRequired) {
  Bytes b = from_hex(hex, what, prefix);
  if (b.size() != N) {
    throw Error(std::string(what) + ": expected " + std::to_string(N) + " bytes, got " +
                std::to_string(b.size()));
  }
  std::array<uint8_t, N> out{};
  for (size_t i = 0; i < N; ++i) {
    out[i] = b[i];
  }
  return out;
}

inline void append(Bytes &out, ByteView b) {
  out.insert(out.end(), b.begin(), b.end());
}

bool is_all_zero(ByteView b);

}  // namespace lp
