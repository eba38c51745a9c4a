// Transcoding profiles come from users and, later, from broadcasters over the network.
#include "media/profiles.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::vector<lp::VideoProfile> profiles;
  std::string error;
  lp::parse_profiles(std::string(reinterpret_cast<const char *>(data), size), &profiles, &error);
  for (const auto &p : profiles) {
    int w = 0, h = 0;
    lp::fit_to_box(1920, 1080, 1, 1, p.width, p.height, &w, &h);
  }
  return 0;
}
