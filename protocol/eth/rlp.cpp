#include "eth/rlp.h"

namespace lp::eth::rlp {

namespace {

void put_length(Bytes &out, size_t len, uint8_t short_base, uint8_t long_base) {
  if (len <= 55) {
    out.push_back(static_cast<uint8_t>(short_base + len));
    return;
  }
  uint8_t be[8];
  int n = 0;
  for (size_t v = len; v > 0; v >>= 8) {
    be[n++] = static_cast<uint8_t>(v & 0xff);
  }
  out.push_back(static_cast<uint8_t>(long_base + n));
  while (n > 0) {
    out.push_back(be[--n]);
  }
}

void encode_into(const Item &item, Bytes &out) {
  if (!item.is_list) {
    if (item.bytes.size() == 1 && item.bytes[0] < 0x80) {
      out.push_back(item.bytes[0]);
      return;
    }
    put_length(out, item.bytes.size(), 0x80, 0xb7);
    append(out, item.bytes);
    return;
  }
  Bytes payload;
  for (const Item &child : item.items) {
    encode_into(child, payload);
  }
  put_length(out, payload.size(), 0xc0, 0xf7);
  append(out, payload);
}

[[noreturn]] void fail(const std::string &why) {
  throw Error("RLP: " + why);
}

class Decoder {
 public:
  Decoder(ByteView data, int max_depth) : data_(data), max_depth_(max_depth) {}

  // Decodes the item at pos_, which must end at or before `end`.
  Item item(size_t end, int depth) {
    if (depth > max_depth_) {
      fail("nesting too deep");
    }
    if (pos_ >= end) {
      fail("truncated input");
    }
    uint8_t prefix = data_[pos_++];
    if (prefix < 0x80) {
      return Item::str(Bytes{prefix});
    }
    bool is_list = prefix >= 0xc0;
    uint8_t base = is_list ? 0xc0 : 0x80;
    size_t len = 0;
    if (prefix - base <= 55) {
      len = static_cast<size_t>(prefix - base);
    } else {
      size_t nbytes = static_cast<size_t>(prefix - base - 55);
      if (nbytes > 8 || nbytes > end - pos_) {
        fail("truncated length");
      }
      if (data_[pos_] == 0) {
        fail("length with a leading zero byte");
      }
      uint64_t v = 0;
      for (size_t i = 0; i < nbytes; ++i) {
        v = (v << 8) | data_[pos_++];
      }
      if (v <= 55) {
        fail("long form used for a short length");
      }
      len = static_cast<size_t>(v);
      if (v != len) {
        fail("length too large");
      }
    }
    if (len > end - pos_) {
      fail("length exceeds the input");
    }
    size_t item_end = pos_ + len;
    if (!is_list) {
      if (len == 1 && data_[pos_] < 0x80) {
        fail("single byte below 0x80 must not be wrapped");
      }
      Item out = Item::str(data_.sub(pos_, len));
      pos_ = item_end;
      return out;
    }
    Item out = Item::list({});
    while (pos_ < item_end) {
      out.items.push_back(item(item_end, depth + 1));
    }
    return out;
  }

  size_t pos() const { return pos_; }

 private:
  ByteView data_;
  size_t pos_ = 0;
  int max_depth_;
};

}  // namespace

Bytes encode(const Item &item) {
  Bytes out;
  encode_into(item, out);
  return out;
}

Item decode(ByteView data, int max_depth) {
  Decoder d(data, max_depth);
  Item out = d.item(data.size(), 0);
  if (d.pos() != data.size()) {
    fail("trailing bytes after the item");
  }
  return out;
}

U256 Item::as_uint(const char *what) const {
  if (is_list) {
    throw Error(std::string(what) + ": expected an integer, got a list");
  }
  if (!bytes.empty() && bytes[0] == 0) {
    throw Error(std::string(what) + ": integer with a leading zero byte");
  }
  return U256::from_be(bytes, what);
}

const Bytes &Item::as_bytes(const char *what) const {
  if (is_list) {
    throw Error(std::string(what) + ": expected a string, got a list");
  }
  return bytes;
}

const std::vector<Item> &Item::as_list(const char *what) const {
  if (!is_list) {
    throw Error(std::string(what) + ": expected a list");
  }
  return items;
}

}  // namespace lp::eth::rlp
