// Internal: the recursive-descent parser behind abi::Type::parse, Function::parse and
// Event::parse.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "eth/abi.h"

namespace lp::eth::abi {

class SignatureParser {
 public:
  struct Param {
    Type type;
    bool indexed = false;
  };
  explicit SignatureParser(std::string_view text) : text_(text) {}

  Type type(int depth);
  // A comma-separated list up to (not including) ')'. With `named`, each entry may carry
  // "indexed" and a parameter name (callers reject "indexed" where it does not belong).
  std::vector<Param> params(int depth, bool named);
  std::string identifier();
  bool eat(char c);
  void expect(char c);
  bool at_end();
  [[noreturn]] void fail(const std::string &why) const;

 private:
  Type base_type(int depth);
  void skip_ws();
  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace lp::eth::abi
