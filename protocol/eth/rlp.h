// Recursive Length Prefix encoding. The decoder is strict (canonical encodings only: no leading
// zeros in lengths, single bytes below 0x80 never wrapped, long forms only past 55 bytes, the
// whole input consumed) so that decode(encode(x)) == x and encode(decode(b)) == b.
#pragma once

#include <string>
#include <vector>

#include "eth/uint256.h"
#include "util/bytes.h"

namespace lp::eth::rlp {

struct Item {
  bool is_list = false;
  Bytes bytes;              // when !is_list
  std::vector<Item> items;  // when is_list

  static Item str(Bytes b) { return Item{false, std::move(b), {}}; }
  static Item str(ByteView b) { return Item{false, b.to_bytes(), {}}; }
  // An unsigned integer as RLP writes it: minimal big-endian, zero as the empty string.
  static Item uint(const U256 &v) { return str(v.to_minimal_be()); }
  static Item list(std::vector<Item> items) { return Item{true, {}, std::move(items)}; }

  // Reads a canonical RLP integer (no leading zero byte, at most 32 bytes); errors name `what`.
  U256 as_uint(const char *what) const;
  const Bytes &as_bytes(const char *what) const;
  const std::vector<Item> &as_list(const char *what) const;

  friend bool operator==(const Item &a, const Item &b) {
    return a.is_list == b.is_list && a.bytes == b.bytes && a.items == b.items;
  }
};

Bytes encode(const Item &item);

// Throws lp::Error for non-canonical or truncated input, trailing bytes, or nesting deeper than
// `max_depth`.
Item decode(ByteView data, int max_depth = 64);

}  // namespace lp::eth::rlp
