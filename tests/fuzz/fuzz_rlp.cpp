// RLP arrives in raw transactions (and, later, from peers). The decoder is strict, so whatever
// it accepts must re-encode to exactly the same bytes; the transaction decoder sits on top.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "eth/rlp.h"
#include "eth/transaction.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lp::ByteView input(data, size);
  try {
    lp::eth::rlp::Item item = lp::eth::rlp::decode(input);
    if (lp::eth::rlp::encode(item) != lp::Bytes(input.begin(), input.end())) {
      std::abort();
    }
  } catch (const lp::Error &) {
  }
  try {
    (void)lp::eth::decode_signed(input);
  } catch (const lp::Error &) {
  }
  return 0;
}
