// Solidity ABI encoding and decoding (static and dynamic types, tuples, fixed and dynamic arrays),
// function selectors, event logs and revert data. Decoding treats its input as hostile: every
// offset and length is bounds-checked, values must be in range for their type, and the total
// number of decoded values is bounded by the input size (no blow-up through shared offsets).
#pragma once

#include <gmpxx.h>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "crypto/address.h"
#include "eth/uint256.h"
#include "util/bytes.h"

namespace lp::eth::abi {

struct Type {
  enum class Kind {
    kUint,
    kInt,
    kAddress,
    kBool,
    kFixedBytes,
    kBytes,
    kString,
    kArray,
    kFixedArray,
    kTuple
  };
  Kind kind = Kind::kUint;
  unsigned bits = 256;           // kUint, kInt
  unsigned width = 0;            // kFixedBytes: 1..32
  size_t length = 0;             // kFixedArray
  std::vector<Type> components;  // kTuple: members; kArray / kFixedArray: the element type

  // "uint256", "(address,bytes)[]", "bytes32[2]", ... Whitespace is ignored; "uint"/"int" mean
  // 256 bits. Throws lp::Error for anything else.
  static Type parse(std::string_view text);
  static Type tuple(std::vector<Type> members);

  bool is_dynamic() const;
  // Bytes this type occupies in the head of an enclosing tuple.
  size_t head_size() const;
  std::string canonical() const;
};

class Value {
 public:
  using List = std::vector<Value>;

  Value() : v_(false) {}
  static Value of_uint(const U256 &v) { return Value(mpz_class(v.mpz())); }
  static Value of_int(const mpz_class &v) { return Value(v); }
  static Value of_address(const crypto::Address &a) { return Value(a); }
  static Value of_bool(bool b) { return Value(b); }
  // bytes and bytesN.
  static Value of_bytes(Bytes b) { return Value(std::move(b)); }
  static Value of_string(std::string s) { return Value(std::move(s)); }
  // Arrays and tuples.
  static Value of_list(List items) { return Value(std::move(items)); }

  // Accessors throw lp::Error when the value is of another kind.
  U256 as_uint() const;
  const mpz_class &as_int() const;
  const crypto::Address &as_address() const;
  bool as_bool() const;
  const Bytes &as_bytes() const;
  const std::string &as_string() const;
  const List &as_list() const;

  friend bool operator==(const Value &a, const Value &b) { return a.v_ == b.v_; }
  friend bool operator!=(const Value &a, const Value &b) { return !(a == b); }

 private:
  using Storage = std::variant<mpz_class, crypto::Address, bool, Bytes, std::string, List>;
  template <typename T>
  explicit Value(T v) : v_(std::move(v)) {}
  Storage v_;
};

// Encodes values as the tuple of `types` (function arguments, return data).
Bytes encode(const std::vector<Type> &types, const std::vector<Value> &values);
// Decodes `data` as the tuple of `types`; trailing bytes after the last value are allowed, as
// Solidity allows them.
std::vector<Value> decode(const std::vector<Type> &types, ByteView data);

// keccak256(canonical signature)[0..4].
std::array<uint8_t, 4> selector(std::string_view signature);

// A function from its signature, e.g. "transfer(address to, uint256 amount)"; parameter names are
// allowed and ignored.
struct Function {
  std::string name;
  std::vector<Type> inputs;
  std::vector<Type> outputs;
  std::array<uint8_t, 4> selector{};

  static Function parse(std::string_view signature, std::string_view outputs = "");
  std::string canonical() const;
  Bytes encode_call(const std::vector<Value> &args) const;
  // Checks the selector, then decodes the arguments.
  std::vector<Value> decode_call(ByteView calldata) const;
  std::vector<Value> decode_output(ByteView data) const;
};

// An event from its signature, e.g. "Transfer(address indexed from, address indexed to, uint256)".
struct Event {
  struct Param {
    Type type;
    bool indexed = false;
  };
  std::string name;
  std::vector<Param> params;
  Hash32 topic0{};

  static Event parse(std::string_view signature);
  std::string canonical() const;
  // Values in parameter order. Indexed parameters of dynamic type are only present as their
  // keccak256 hash, returned as 32 bytes. Throws lp::Error when topic0 or the counts differ.
  std::vector<Value> decode(const std::vector<Hash32> &topics, ByteView data) const;
};

// The reason carried by revert data: Error(string) gives the string, Panic(uint256) a description
// of the code, any other selector "custom error 0x........". nullopt for empty data.
std::optional<std::string> decode_revert(ByteView data);

}  // namespace lp::eth::abi
