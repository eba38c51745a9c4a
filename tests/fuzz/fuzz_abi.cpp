// The ABI decoder reads eth_call results and logs from JSON-RPC servers, which may be hostile.
// Input: one byte choosing a type list (or, when it is 0xff, a type string up to the first
// newline), then the data to decode. Whatever decodes must re-encode and decode to the same
// values.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "eth/abi.h"

namespace {

const char *const kTypeLists[] = {
    "((address,address,uint256,uint256,uint256,bytes32,bytes),bytes,uint256)",
    "((uint256,uint256),(uint256,uint256))",
    "(uint256[],string,(address,bytes)[])",
    "(int24,bytes7,bool[2],(uint8,(string,bytes32)[2]))",
    "(bytes[],uint256[][],string[3])",
    "(address,bool,int256,uint8)",
};

std::vector<lp::eth::abi::Type> types_for(const uint8_t *&data, size_t &size) {
  uint8_t pick = data[0];
  ++data;
  --size;
  std::string text;
  if (pick == 0xff) {
    size_t n = 0;
    while (n < size && n < 256 && data[n] != '\n') {
      ++n;
    }
    text.assign(reinterpret_cast<const char *>(data), n);
    size_t used = n < size ? n + 1 : n;
    data += used;
    size -= used;
  } else {
    text = kTypeLists[pick % (sizeof(kTypeLists) / sizeof(kTypeLists[0]))];
  }
  lp::eth::abi::Type t = lp::eth::abi::Type::parse(text);
  if (t.kind == lp::eth::abi::Type::Kind::kTuple) {
    return t.components;
  }
  return {t};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) {
    return 0;
  }
  std::vector<lp::eth::abi::Type> types;
  try {
    types = types_for(data, size);
  } catch (const lp::Error &) {
    return 0;
  }
  lp::ByteView input(data, size);
  (void)lp::eth::abi::decode_revert(input);
  std::vector<lp::eth::abi::Value> values;
  try {
    values = lp::eth::abi::decode(types, input);
  } catch (const lp::Error &) {
    return 0;
  }
  lp::Bytes again = lp::eth::abi::encode(types, values);
  if (lp::eth::abi::decode(types, again) != values) {
    std::abort();
  }
  return 0;
}
