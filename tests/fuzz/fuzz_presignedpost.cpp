// A presigned POST policy arrives from an orchestrator as JSON.
#include "storage/presignedpost.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lp::PresignedPost post;
  std::string error;
  if (lp::PresignedPost::from_json(std::string(reinterpret_cast<const char *>(data), size), &post,
                                   &error)) {
    (void)post.allows(post.key_prefix + "x/1.ts");
    (void)post.object_url("k");
    (void)lp::presigned_post_policy_json(post);
    (void)post.to_json();
  }
  return 0;
}
