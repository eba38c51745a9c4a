// S3 locations come from users and, as object-store URLs, from other nodes over the network.
#include "storage/s3location.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string url(reinterpret_cast<const char *>(data), size);
  lp::S3Location loc;
  std::string error;
  if (lp::parse_s3_location(url, &loc, &error)) {
    (void)loc.origin();
    (void)loc.object_path(loc.full_key("a/b.ts"));
    (void)loc.describe();
  }
  (void)lp::redact_location(url);
  (void)lp::region_from_host(url);
  lp::S3Location endpoint;
  (void)lp::apply_endpoint(url, &endpoint, &error);
  return 0;
}
