// ABI encoding and decoding.
#include "eth/abi.h"

#include <cctype>
#include <cstring>

#include "crypto/keccak.h"
#include "eth/abi_parse.h"

namespace lp::eth::abi {

namespace {

using Kind = Type::Kind;

mpz_class pow2(unsigned bits) {
  mpz_class v = 1;
  v <<= bits;
  return v;
}

[[noreturn]] void encode_error(const Type &t, const std::string &why) {
  throw Error("ABI encode " + t.canonical() + ": " + why);
}

[[noreturn]] void decode_error(const std::string &why) {
  throw Error("ABI decode: " + why);
}

void put_word(Bytes &out, const mpz_class &v256) {
  size_t at = out.size();
  out.resize(at + 32);
  U256::from_mpz(v256).write_be32(out.data() + at);
}

void pad_to_word(Bytes &out) {
  out.resize((out.size() + 31) / 32 * 32, 0);
}

void encode_value(const Type &t, const Value &v, Bytes &out);

void encode_tuple(const std::vector<const Type *> &types, const std::vector<Value> &values,
                  Bytes &out) {
  if (types.size() != values.size()) {
    throw Error("ABI encode: expected " + std::to_string(types.size()) + " values, got " +
                std::to_string(values.size()));
  }
  size_t head_size = 0;
  for (const Type *t : types) {
    head_size += t->head_size();
  }
  Bytes head;
  Bytes tail;
  head.reserve(head_size);
  for (size_t i = 0; i < types.size(); ++i) {
    if (types[i]->is_dynamic()) {
      put_word(head, mpz_class(static_cast<unsigned long>(head_size + tail.size())));
      encode_value(*types[i], values[i], tail);
    } else {
      encode_value(*types[i], values[i], head);
    }
  }
  append(out, head);
  append(out, tail);
}

void encode_value(const Type &t, const Value &v, Bytes &out) {
  switch (t.kind) {
    case Kind::kUint: {
      const mpz_class &n = v.as_int();
      if (n < 0 || n >= pow2(t.bits)) {
        encode_error(t, "value out of range");
      }
      put_word(out, n);
      return;
    }
    case Kind::kInt: {
      const mpz_class &n = v.as_int();
      mpz_class half = pow2(t.bits - 1);
      if (n < -half || n >= half) {
        encode_error(t, "value out of range");
      }
      put_word(out, n < 0 ? mpz_class(n + pow2(256)) : n);
      return;
    }
    case Kind::kAddress: {
      out.resize(out.size() + 12, 0);
      append(out, v.as_address().view());
      return;
    }
    case Kind::kBool:
      put_word(out, v.as_bool() ? 1 : 0);
      return;
    case Kind::kFixedBytes: {
      const Bytes &b = v.as_bytes();
      if (b.size() != t.width) {
        encode_error(t, "expected " + std::to_string(t.width) + " bytes");
      }
      append(out, b);
      pad_to_word(out);
      return;
    }
    case Kind::kBytes:
    case Kind::kString: {
      ByteView data = t.kind == Kind::kBytes ? ByteView(v.as_bytes()) : ByteView(v.as_string());
      put_word(out, mpz_class(static_cast<unsigned long>(data.size())));
      append(out, data);
      pad_to_word(out);
      return;
    }
    case Kind::kArray:
    case Kind::kFixedArray: {
      const Value::List &items = v.as_list();
      if (t.kind == Kind::kFixedArray && items.size() != t.length) {
        encode_error(t, "expected " + std::to_string(t.length) + " elements");
      }
      if (t.kind == Kind::kArray) {
        put_word(out, mpz_class(static_cast<unsigned long>(items.size())));
      }
      std::vector<const Type *> types(items.size(), &t.components[0]);
      encode_tuple(types, items, out);
      return;
    }
    case Kind::kTuple: {
      std::vector<const Type *> types;
      for (const Type &c : t.components) {
        types.push_back(&c);
      }
      encode_tuple(types, v.as_list(), out);
      return;
    }
  }
}

class Decoder {
 public:
  explicit Decoder(size_t input_size) : budget_(input_size / 32 + 8) {}

  Value::List tuple(const std::vector<const Type *> &types, ByteView region) {
    Value::List out;
    out.reserve(types.size());
    size_t pos = 0;
    for (const Type *t : types) {
      out.push_back(element(*t, region, pos));
      pos += t->head_size();
    }
    return out;
  }

 private:
  // The element whose head starts at region[pos].
  Value element(const Type &t, ByteView region, size_t pos) {
    if (!t.is_dynamic()) {
      if (t.head_size() > region.size() || pos > region.size() - t.head_size()) {
        decode_error("data too short for " + t.canonical());
      }
      return static_value(t, region, pos);
    }
    spend();
    size_t offset = small(region, pos, "offset");
    if (offset > region.size()) {
      decode_error("offset points past the end of the data");
    }
    return dynamic_value(t, region.sub(offset, region.size() - offset));
  }

  static ByteView word(ByteView region, size_t pos) {
    if (pos > region.size() || region.size() - pos < 32) {
      decode_error("data too short");
    }
    return region.sub(pos, 32);
  }

  // A word that must hold a length or offset no larger than the input could ever make sense of.
  static size_t small(ByteView region, size_t pos, const char *what) {
    ByteView w = word(region, pos);
    if (!is_all_zero(w.sub(0, 24))) {
      decode_error(std::string(what) + " too large");
    }
    uint64_t v = 0;
    for (size_t i = 24; i < 32; ++i) {
      v = (v << 8) | w[i];
    }
    if (v > (uint64_t{1} << 40)) {
      decode_error(std::string(what) + " too large");
    }
    return static_cast<size_t>(v);
  }

  // Each leaf and each dynamic value of a canonical encoding owns at least one word of the
  // input; more of them than words means offsets are shared to make the output explode.
  void spend() {
    if (budget_ == 0) {
      decode_error("too many values for the input size");
    }
    --budget_;
  }

  Value static_value(const Type &t, ByteView region, size_t pos) {
    if (t.kind != Kind::kFixedArray && t.kind != Kind::kTuple) {
      spend();
    }
    switch (t.kind) {
      case Kind::kUint: {
        U256 n = U256::from_be(word(region, pos));
        if (t.bits < 256 && n.mpz() >= pow2(t.bits)) {
          decode_error(t.canonical() + " value out of range");
        }
        return Value::of_uint(n);
      }
      case Kind::kInt: {
        mpz_class n = U256::from_be(word(region, pos)).mpz();
        if (n >= pow2(255)) {
          n -= pow2(256);
        }
        mpz_class half = pow2(t.bits - 1);
        if (n < -half || n >= half) {
          decode_error(t.canonical() + " value out of range");
        }
        return Value::of_int(n);
      }
      case Kind::kAddress: {
        ByteView w = word(region, pos);
        if (!is_all_zero(w.sub(0, 12))) {
          decode_error("address with non-zero high bytes");
        }
        return Value::of_address(crypto::Address::from_bytes(w.sub(12, 20)));
      }
      case Kind::kBool: {
        ByteView w = word(region, pos);
        if (!is_all_zero(w.sub(0, 31)) || w[31] > 1) {
          decode_error("bool that is neither 0 nor 1");
        }
        return Value::of_bool(w[31] == 1);
      }
      case Kind::kFixedBytes: {
        ByteView w = word(region, pos);
        if (!is_all_zero(w.sub(t.width, 32 - t.width))) {
          decode_error(t.canonical() + " with non-zero padding");
        }
        return Value::of_bytes(w.sub(0, t.width).to_bytes());
      }
      case Kind::kFixedArray: {
        std::vector<const Type *> types(t.length, &t.components[0]);
        return Value::of_list(tuple(types, region.sub(pos, region.size() - pos)));
      }
      case Kind::kTuple: {
        std::vector<const Type *> types;
        for (const Type &c : t.components) {
          types.push_back(&c);
        }
        return Value::of_list(tuple(types, region.sub(pos, region.size() - pos)));
      }
      default:
        decode_error("internal: dynamic type in static position");
    }
  }

  // `r` starts where the value's own encoding starts.
  Value dynamic_value(const Type &t, ByteView r) {
    switch (t.kind) {
      case Kind::kBytes:
      case Kind::kString: {
        size_t len = small(r, 0, "length");
        if (len > r.size() - 32) {
          decode_error("length points past the end of the data");
        }
        ByteView data = r.sub(32, len);
        if (t.kind == Kind::kBytes) {
          return Value::of_bytes(data.to_bytes());
        }
        return Value::of_string(std::string(reinterpret_cast<const char *>(data.data()), len));
      }
      case Kind::kArray: {
        size_t len = small(r, 0, "array length");
        ByteView body = r.sub(32, r.size() - 32);
        // Every element has a head of at least 32 bytes, so the length is bounded by the data.
        if (len > body.size() / t.components[0].head_size()) {
          decode_error("array length exceeds the data");
        }
        std::vector<const Type *> types(len, &t.components[0]);
        return Value::of_list(tuple(types, body));
      }
      case Kind::kFixedArray: {
        std::vector<const Type *> types(t.length, &t.components[0]);
        return Value::of_list(tuple(types, r));
      }
      case Kind::kTuple: {
        std::vector<const Type *> types;
        for (const Type &c : t.components) {
          types.push_back(&c);
        }
        return Value::of_list(tuple(types, r));
      }
      default:
        decode_error("internal: static type in dynamic position");
    }
  }

  size_t budget_;
};

std::vector<const Type *> pointers(const std::vector<Type> &types) {
  std::vector<const Type *> out;
  for (const Type &t : types) {
    out.push_back(&t);
  }
  return out;
}

std::string joined(const std::vector<Type> &types) {
  std::string s;
  for (size_t i = 0; i < types.size(); ++i) {
    s += (i ? "," : "") + types[i].canonical();
  }
  return s;
}

// "name(params)" with optional names/indexed in params.
std::pair<std::string, std::vector<SignatureParser::Param>> parse_signature(std::string_view text,
                                                                            bool allow_indexed) {
  SignatureParser p(text);
  std::string name = p.identifier();
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) {
    p.fail("expected a name");
  }
  p.expect('(');
  std::vector<SignatureParser::Param> params = p.params(0, true);
  p.expect(')');
  if (!p.at_end()) {
    p.fail("unexpected trailing characters");
  }
  if (!allow_indexed) {
    for (const auto &param : params) {
      if (param.indexed) {
        p.fail("'indexed' only applies to events");
      }
    }
  }
  return {name, params};
}

std::string panic_reason(const U256 &code) {
  if (!code.fits_u64()) {
    return "panic";
  }
  switch (code.to_u64()) {
    case 0x01:
      return "assertion failed";
    case 0x11:
      return "arithmetic underflow or overflow";
    case 0x12:
      return "division or modulo by zero";
    case 0x21:
      return "invalid enum value";
    case 0x22:
      return "invalid storage byte array";
    case 0x31:
      return "pop on an empty array";
    case 0x32:
      return "array index out of bounds";
    case 0x41:
      return "out of memory";
    case 0x51:
      return "call to an uninitialized function";
    default:
      return "unknown panic code";
  }
}

}  // namespace

U256 Value::as_uint() const {
  const mpz_class &n = as_int();
  return U256::from_mpz(n, "ABI value");
}

const mpz_class &Value::as_int() const {
  if (auto *p = std::get_if<mpz_class>(&v_)) {
    return *p;
  }
  throw Error("ABI value: expected an integer");
}

const crypto::Address &Value::as_address() const {
  if (auto *p = std::get_if<crypto::Address>(&v_)) {
    return *p;
  }
  throw Error("ABI value: expected an address");
}

bool Value::as_bool() const {
  if (auto *p = std::get_if<bool>(&v_)) {
    return *p;
  }
  throw Error("ABI value: expected a bool");
}

const Bytes &Value::as_bytes() const {
  if (auto *p = std::get_if<Bytes>(&v_)) {
    return *p;
  }
  throw Error("ABI value: expected bytes");
}

const std::string &Value::as_string() const {
  if (auto *p = std::get_if<std::string>(&v_)) {
    return *p;
  }
  throw Error("ABI value: expected a string");
}

const Value::List &Value::as_list() const {
  if (auto *p = std::get_if<List>(&v_)) {
    return *p;
  }
  throw Error("ABI value: expected an array or tuple");
}

Bytes encode(const std::vector<Type> &types, const std::vector<Value> &values) {
  Bytes out;
  encode_tuple(pointers(types), values, out);
  return out;
}

std::vector<Value> decode(const std::vector<Type> &types, ByteView data) {
  Decoder d(data.size());
  return d.tuple(pointers(types), data);
}

std::array<uint8_t, 4> selector(std::string_view signature) {
  Hash32 h = crypto::keccak256(ByteView(signature));
  return {h[0], h[1], h[2], h[3]};
}

Function Function::parse(std::string_view signature, std::string_view outputs) {
  auto [name, params] = parse_signature(signature, false);
  Function f;
  f.name = name;
  for (auto &p : params) {
    f.inputs.push_back(std::move(p.type));
  }
  if (!outputs.empty()) {
    SignatureParser p(outputs);
    bool wrapped = p.eat('(');
    for (auto &param : p.params(0, true)) {
      f.outputs.push_back(std::move(param.type));
    }
    if (wrapped) {
      p.expect(')');
    }
    if (!p.at_end()) {
      p.fail("unexpected trailing characters");
    }
  }
  f.selector = abi::selector(f.canonical());
  return f;
}

std::string Function::canonical() const {
  return name + "(" + joined(inputs) + ")";
}

Bytes Function::encode_call(const std::vector<Value> &args) const {
  Bytes out(selector.begin(), selector.end());
  encode_tuple(pointers(inputs), args, out);
  return out;
}

std::vector<Value> Function::decode_call(ByteView calldata) const {
  if (calldata.size() < 4 || std::memcmp(calldata.data(), selector.data(), 4) != 0) {
    decode_error("calldata does not start with the selector of " + canonical());
  }
  return decode(inputs, calldata.sub(4, calldata.size() - 4));
}

std::vector<Value> Function::decode_output(ByteView data) const {
  return decode(outputs, data);
}

Event Event::parse(std::string_view signature) {
  auto [name, params] = parse_signature(signature, true);
  Event e;
  e.name = name;
  for (auto &p : params) {
    e.params.push_back(Param{std::move(p.type), p.indexed});
  }
  e.topic0 = crypto::keccak256(ByteView(std::string_view(e.canonical())));
  return e;
}

std::string Event::canonical() const {
  std::string s = name + "(";
  for (size_t i = 0; i < params.size(); ++i) {
    s += (i ? "," : "") + params[i].type.canonical();
  }
  return s + ")";
}

std::vector<Value> Event::decode(const std::vector<Hash32> &topics, ByteView data) const {
  if (topics.empty() || topics[0] != topic0) {
    throw Error("log is not a " + canonical() + " event");
  }
  std::vector<Type> unindexed;
  size_t indexed = 0;
  for (const Param &p : params) {
    if (p.indexed) {
      ++indexed;
    } else {
      unindexed.push_back(p.type);
    }
  }
  if (topics.size() != indexed + 1) {
    throw Error("log for " + canonical() + " has " + std::to_string(topics.size()) +
                " topics, expected " + std::to_string(indexed + 1));
  }
  std::vector<Value> data_values = abi::decode(unindexed, data);
  std::vector<Value> out;
  size_t next_topic = 1;
  size_t next_data = 0;
  for (const Param &p : params) {
    if (!p.indexed) {
      out.push_back(std::move(data_values[next_data++]));
      continue;
    }
    const Hash32 &topic = topics[next_topic++];
    if (p.type.is_dynamic() || p.type.kind == Kind::kTuple || p.type.kind == Kind::kFixedArray) {
      out.push_back(Value::of_bytes(Bytes(topic.begin(), topic.end())));
    } else {
      out.push_back(abi::decode({p.type}, ByteView(topic))[0]);
    }
  }
  return out;
}

std::optional<std::string> decode_revert(ByteView data) {
  if (data.empty()) {
    return std::nullopt;
  }
  static const std::array<uint8_t, 4> kError = selector("Error(string)");
  static const std::array<uint8_t, 4> kPanic = selector("Panic(uint256)");
  if (data.size() >= 4) {
    ByteView args = data.sub(4, data.size() - 4);
    try {
      if (std::memcmp(data.data(), kError.data(), 4) == 0) {
        return decode({Type::parse("string")}, args)[0].as_string();
      }
      if (std::memcmp(data.data(), kPanic.data(), 4) == 0) {
        U256 code = decode({Type::parse("uint256")}, args)[0].as_uint();
        return "panic " + code.to_hex() + " (" + panic_reason(code) + ")";
      }
    } catch (const Error &) {
      return "malformed revert data " + to_hex(data.sub(0, std::min<size_t>(data.size(), 64)));
    }
    return "custom error " + to_hex(data.sub(0, 4));
  }
  return "malformed revert data " + to_hex(data);
}

}  // namespace lp::eth::abi
