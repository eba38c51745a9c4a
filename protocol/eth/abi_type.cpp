// ABI type and signature parsing.
#include <cctype>

#include "eth/abi.h"
#include "eth/abi_parse.h"

namespace lp::eth::abi {

namespace {

constexpr int kMaxDepth = 32;
constexpr size_t kMaxFixedArrayLength = 1 << 20;

size_t saturating_mul(size_t a, size_t b) {
  if (a != 0 && b > SIZE_MAX / a) {
    return SIZE_MAX;
  }
  return a * b;
}

size_t saturating_add(size_t a, size_t b) {
  return b > SIZE_MAX - a ? SIZE_MAX : a + b;
}

}  // namespace

void SignatureParser::skip_ws() {
  while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) {
    ++pos_;
  }
}

bool SignatureParser::eat(char c) {
  skip_ws();
  if (pos_ < text_.size() && text_[pos_] == c) {
    ++pos_;
    return true;
  }
  return false;
}

void SignatureParser::expect(char c) {
  if (!eat(c)) {
    fail(std::string("expected '") + c + "'");
  }
}

[[noreturn]] void SignatureParser::fail(const std::string &why) const {
  throw Error("ABI signature \"" + std::string(text_.substr(0, 200)) + "\": " + why +
              " at offset " + std::to_string(pos_));
}

std::string SignatureParser::identifier() {
  skip_ws();
  size_t start = pos_;
  while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) ||
                                 text_[pos_] == '_' || text_[pos_] == '$')) {
    ++pos_;
  }
  return std::string(text_.substr(start, pos_ - start));
}

bool SignatureParser::at_end() {
  skip_ws();
  return pos_ == text_.size();
}

static bool parse_size(const std::string &digits, unsigned &out) {
  if (digits.empty() || digits.size() > 3 || digits[0] == '0') {
    return false;
  }
  for (char c : digits) {
    if (!std::isdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  out = static_cast<unsigned>(std::stoul(digits));
  return true;
}

Type SignatureParser::base_type(int depth) {
  Type t;
  if (eat('(')) {
    if (depth + 1 > kMaxDepth) {
      fail("types nested too deeply");
    }
    std::vector<Param> members = params(depth + 1, true);
    for (const Param &m : members) {
      if (m.indexed) {
        fail("'indexed' inside a tuple");
      }
    }
    expect(')');
    if (members.empty()) {
      fail("empty tuples have no ABI encoding");
    }
    t.kind = Type::Kind::kTuple;
    for (Param &p : members) {
      t.components.push_back(std::move(p.type));
    }
    return t;
  }
  std::string id = identifier();
  auto sized = [&](const char *prefix, std::string &rest) {
    size_t n = std::char_traits<char>::length(prefix);
    if (id.compare(0, n, prefix) != 0) {
      return false;
    }
    rest = id.substr(n);
    return true;
  };
  std::string rest;
  if (id == "address") {
    t.kind = Type::Kind::kAddress;
  } else if (id == "bool") {
    t.kind = Type::Kind::kBool;
  } else if (id == "string") {
    t.kind = Type::Kind::kString;
  } else if (id == "bytes") {
    t.kind = Type::Kind::kBytes;
  } else if (sized("bytes", rest)) {
    unsigned w = 0;
    if (!parse_size(rest, w) || w > 32) {
      fail("bytesN needs 1 <= N <= 32");
    }
    t.kind = Type::Kind::kFixedBytes;
    t.width = w;
  } else if (sized("uint", rest) || sized("int", rest)) {
    t.kind = id[0] == 'u' ? Type::Kind::kUint : Type::Kind::kInt;
    if (!rest.empty()) {
      unsigned bits = 0;
      if (!parse_size(rest, bits) || bits > 256 || bits % 8 != 0) {
        fail("integer width must be a multiple of 8 up to 256");
      }
      t.bits = bits;
    }
  } else if (id.empty()) {
    fail("expected a type");
  } else {
    fail("unknown type '" + id.substr(0, 40) + "'");
  }
  return t;
}

Type SignatureParser::type(int depth) {
  Type t = base_type(depth);
  while (eat('[')) {
    if (++depth > kMaxDepth) {
      fail("types nested too deeply");
    }
    skip_ws();
    size_t start = pos_;
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
      ++pos_;
    }
    std::string digits(text_.substr(start, pos_ - start));
    expect(']');
    Type outer;
    outer.components.push_back(std::move(t));
    if (digits.empty()) {
      outer.kind = Type::Kind::kArray;
    } else {
      if (digits.size() > 7 || digits[0] == '0') {
        fail("bad fixed array length");
      }
      outer.length = std::stoul(digits);
      if (outer.length == 0 || outer.length > kMaxFixedArrayLength) {
        fail("bad fixed array length");
      }
      outer.kind = Type::Kind::kFixedArray;
    }
    t = std::move(outer);
  }
  return t;
}

std::vector<SignatureParser::Param> SignatureParser::params(int depth, bool named) {
  std::vector<Param> out;
  skip_ws();
  if (pos_ < text_.size() && text_[pos_] == ')') {
    return out;
  }
  do {
    Param p;
    p.type = type(depth);
    if (named) {
      // Optional "indexed" and an optional parameter name, in that order.
      size_t save = pos_;
      std::string word = identifier();
      if (word == "indexed") {
        p.indexed = true;
        save = pos_;
        word = identifier();
      }
      if (word.empty()) {
        pos_ = save;
      }
    }
    out.push_back(std::move(p));
  } while (eat(','));
  return out;
}

Type Type::parse(std::string_view text) {
  SignatureParser p(text);
  Type t = p.type(0);
  if (!p.at_end()) {
    p.fail("unexpected trailing characters");
  }
  return t;
}

Type Type::tuple(std::vector<Type> members) {
  Type t;
  t.kind = Kind::kTuple;
  t.components = std::move(members);
  return t;
}

bool Type::is_dynamic() const {
  switch (kind) {
    case Kind::kBytes:
    case Kind::kString:
    case Kind::kArray:
      return true;
    case Kind::kFixedArray:
      return components[0].is_dynamic();
    case Kind::kTuple:
      for (const Type &c : components) {
        if (c.is_dynamic()) {
          return true;
        }
      }
      return false;
    default:
      return false;
  }
}

size_t Type::head_size() const {
  if (is_dynamic()) {
    return 32;
  }
  if (kind == Kind::kFixedArray) {
    return saturating_mul(length, components[0].head_size());
  }
  if (kind == Kind::kTuple) {
    size_t total = 0;
    for (const Type &c : components) {
      total = saturating_add(total, c.head_size());
    }
    return total;
  }
  return 32;
}

std::string Type::canonical() const {
  switch (kind) {
    case Kind::kUint:
      return "uint" + std::to_string(bits);
    case Kind::kInt:
      return "int" + std::to_string(bits);
    case Kind::kAddress:
      return "address";
    case Kind::kBool:
      return "bool";
    case Kind::kFixedBytes:
      return "bytes" + std::to_string(width);
    case Kind::kBytes:
      return "bytes";
    case Kind::kString:
      return "string";
    case Kind::kArray:
      return components[0].canonical() + "[]";
    case Kind::kFixedArray:
      return components[0].canonical() + "[" + std::to_string(length) + "]";
    case Kind::kTuple: {
      std::string s = "(";
      for (size_t i = 0; i < components.size(); ++i) {
        s += (i ? "," : "") + components[i].canonical();
      }
      return s + ")";
    }
  }
  return {};
}

}  // namespace lp::eth::abi
