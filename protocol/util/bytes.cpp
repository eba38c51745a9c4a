#include "util/bytes.h"

#include <cstring>

namespace lp {

ByteView ByteView::sub(size_t offset, size_t len) const {
  if (offset > size_ || len > size_ - offset) {
    throw Error("byte range out of bounds");
  }
  return ByteView(data_ + offset, len);
}

bool operator==(ByteView a, ByteView b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

std::string to_hex_bare(ByteView bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0x0f]);
  }
  return out;
}

std::string to_hex(ByteView bytes) {
  return "0x" + to_hex_bare(bytes);
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

Bytes from_hex(std::string_view hex, std::string_view what, HexPrefix prefix) {
  bool has_prefix = hex.size() >= 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X');
  if (prefix == HexPrefix::kRequired && !has_prefix) {
    throw Error(std::string(what) + ": expected 0x-prefixed hex");
  }
  if (prefix == HexPrefix::kForbidden && has_prefix) {
    throw Error(std::string(what) + ": expected hex without 0x prefix");
  }
  if (has_prefix) {
    hex.remove_prefix(2);
  }
  if (hex.size() % 2 != 0) {
    throw Error(std::string(what) + ": odd number of hex digits");
  }
  Bytes out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = hex_value(hex[2 * i]);
    int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      throw Error(std::string(what) + ": invalid hex digit");
    }
    out[i] = static_cast<uint8_t>((hi << 4) | lo);
  }
  return out;
}

bool is_all_zero(ByteView b) {
  for (uint8_t x : b) {
    if (x != 0) {
      return false;
    }
  }
  return true;
}

}  // namespace lp
