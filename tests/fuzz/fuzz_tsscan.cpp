// The MPEG-TS scanner reads segments that arrive from other nodes.
#include "media/tsscan.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const lp::ts::ScanResult r = lp::ts::scan(data, size);
  (void)r.codecs();
  (void)r.segment_problem();
  // Also as whole packets, so the fuzzer gets past the size check.
  const size_t whole = size - size % lp::ts::kPacketSize;
  (void)lp::ts::scan(data, whole).segment_problem();
  return 0;
}
