// Hardware selection for lptranscodebin: ordered candidate chains (decoder, scaler, encoder),
// each proven by transcoding a few frames before it is used.
//
// Ranks do not pick hardware well in GStreamer 1.22 (avdec_h264 and nvh264dec tie and sort by
// name; the va elements are rank NONE; H100/H200 decode but have no NVENC), so chains are tried
// explicitly, in order, and the first that runs wins.
#pragma once

#include "media/profiles.h"

#include <gst/gst.h>

#include <string>
#include <vector>

namespace lp {

enum class Accel { kAuto, kNvidia, kVaapi, kSoftware };

struct ChainSpec {
  const char *name;  // "nvidia", "nvidia-decode", "va", "vaapi", "software"
  Accel family;
  const char *decoder;  // element factory names
  const char *scaler;
  const char *memory;  // caps feature of the scaled frames ("" = system memory)
  // Pixel format of the scaled frames: 8-bit 4:2:0 whatever the source, as players expect.
  const char *format;
  const char *download;  // element that brings frames to system memory, or ""
  const char *encoder;
};

// Every candidate, in the order auto mode tries them.
const std::vector<ChainSpec> &candidate_chains();

struct ChainChoice {
  const ChainSpec *chain = nullptr;  // nullptr: none works
  // Chain by chain, why the ones before it were not used.
  std::string report;
  // A chain ahead of the chosen one had all its elements but failed to run: real hardware
  // trouble, worth a warning (a chain whose elements are absent is just not this machine's).
  bool hardware_failed = false;
};

// The first chain of the family that runs (any family for kAuto). Results are cached per
// process: each chain is probed once.
ChainChoice choose_chain(Accel accel);

// Sets the encoder's rate control, GOP and speed for a rendition.
void configure_encoder(GstElement *encoder, const VideoProfile &profile, int fps_n, int fps_d);

const char *accel_name(Accel accel);

}  // namespace lp
