#include "transcode/accel.h"

#include <map>
#include <mutex>

GST_DEBUG_CATEGORY_STATIC(lp_accel_debug);
#define GST_CAT_DEFAULT lp_accel_debug

namespace lp {
namespace {

// A segment longer than this gets an extra IDR from the encoder's own GOP; segment starts
// are forced IDRs regardless.
constexpr int kDefaultGopSeconds = 10;
constexpr GstClockTime kProbeTimeout = 20 * GST_SECOND;

bool factory_exists(const char *name) {
  if (!name || !*name)
    return true;
  GstElementFactory *factory = gst_element_factory_find(name);
  if (!factory)
    return false;
  gst_object_unref(factory);
  return true;
}

struct Verdict {
  std::string failure;  // "" when the chain works
  bool absent = false;  // an element of the chain is not installed/registered
};

// Transcodes a few frames of test video through the chain.
std::string run_probe(const ChainSpec &chain) {
  const std::string features = *chain.memory ? std::string("(") + chain.memory + ")" : "";
  std::string desc = std::string(
                         "videotestsrc num-buffers=8 ! video/x-raw,width=320,height=240,"
                         "framerate=30/1 ! x264enc key-int-max=4 ! h264parse ! ") +
                     chain.decoder + " ! " + chain.scaler + " ! video/x-raw" + features +
                     ",width=160,height=120,format=" + chain.format + " ! ";
  if (*chain.download)
    desc += std::string(chain.download) + " ! ";
  desc += std::string(chain.encoder) + " ! fakesink";
  GError *error = nullptr;
  GstElement *pipeline = gst_parse_launch(desc.c_str(), &error);
  // A missing element can come back as a partial pipeline along with the error.
  if (!pipeline || error) {
    std::string why = error ? error->message : "could not build";
    g_clear_error(&error);
    if (pipeline)
      gst_object_unref(pipeline);
    return why;
  }
  std::string result;
  if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    result = "would not start";
  }
  GstBus *bus = gst_element_get_bus(pipeline);
  if (result.empty()) {
    GstMessage *msg = gst_bus_timed_pop_filtered(
        bus, kProbeTimeout, GstMessageType(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
    if (!msg) {
      result = "timed out";
    } else {
      if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
        GError *err = nullptr;
        gst_message_parse_error(msg, &err, nullptr);
        result = err->message;
        g_error_free(err);
      }
      gst_message_unref(msg);
    }
  }
  // An error before PLAYING completed can leave more on the bus; the first says enough.
  if (result.empty()) {
    if (GstMessage *msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR)) {
      GError *err = nullptr;
      gst_message_parse_error(msg, &err, nullptr);
      result = err->message;
      g_error_free(err);
      gst_message_unref(msg);
    }
  }
  gst_object_unref(bus);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(pipeline);
  return result;
}

Verdict probe_chain(const ChainSpec &chain) {
  for (const char *element : {chain.decoder, chain.scaler, chain.download, chain.encoder}) {
    if (!factory_exists(element))
      return {std::string("element ") + element + " not found", true};
  }
  if (!factory_exists("x264enc") || !factory_exists("h264parse"))
    return {"x264enc or h264parse not found (needed to make probe input)", true};
  return {run_probe(chain), false};
}

void set_if_exists(GstElement *element, const char *property, const char *value) {
  if (g_object_class_find_property(G_OBJECT_GET_CLASS(element), property))
    gst_util_set_object_arg(G_OBJECT(element), property, value);
}

}  // namespace

const std::vector<ChainSpec> &candidate_chains() {
  static const std::vector<ChainSpec> chains = {
      {"nvidia", Accel::kNvidia, "nvh264dec", "cudaconvertscale", "memory:CUDAMemory", "NV12", "",
       "nvh264enc"},
      // Datacenter GPUs (H100, H200, A100) decode and scale but have no NVENC.
      {"nvidia-decode", Accel::kNvidia, "nvh264dec", "cudaconvertscale", "memory:CUDAMemory",
       "NV12", "cudadownload", "x264enc"},
      {"va", Accel::kVaapi, "vah264dec", "vapostproc", "memory:VAMemory", "NV12", "", "vah264enc"},
      {"vaapi", Accel::kVaapi, "vaapih264dec", "vaapipostproc", "memory:VASurface", "NV12", "",
       "vaapih264enc"},
      {"software", Accel::kSoftware, "avdec_h264", "videoconvertscale", "", "I420", "", "x264enc"},
  };
  return chains;
}

const char *accel_name(Accel accel) {
  switch (accel) {
    case Accel::kAuto:
      return "auto";
    case Accel::kNvidia:
      return "nvidia";
    case Accel::kVaapi:
      return "vaapi";
    case Accel::kSoftware:
      return "software";
  }
  return "?";
}

ChainChoice choose_chain(Accel accel) {
  static std::once_flag debug_once;
  std::call_once(debug_once, [] {
    GST_DEBUG_CATEGORY_INIT(lp_accel_debug, "lpaccel", 0, "lptranscodebin hardware probing");
  });
  static std::mutex lock;
  static std::map<std::string, Verdict> verdicts;  // by chain name
  std::lock_guard<std::mutex> guard(lock);
  ChainChoice choice;
  for (const ChainSpec &chain : candidate_chains()) {
    if (accel != Accel::kAuto && chain.family != accel)
      continue;
    auto it = verdicts.find(chain.name);
    if (it == verdicts.end()) {
      Verdict verdict = probe_chain(chain);
      GST_INFO("chain %s: %s", chain.name,
               verdict.failure.empty() ? "works" : verdict.failure.c_str());
      it = verdicts.emplace(chain.name, std::move(verdict)).first;
    }
    if (it->second.failure.empty()) {
      choice.chain = &chain;
      return choice;
    }
    choice.hardware_failed |= !it->second.absent;
    choice.report +=
        std::string(choice.report.empty() ? "" : "; ") + chain.name + ": " + it->second.failure;
  }
  return choice;
}

void configure_encoder(GstElement *encoder, const VideoProfile &profile, int fps_n, int fps_d) {
  const int kbps = std::max(1, profile.bitrate / 1000);
  const double fps = fps_n > 0 && fps_d > 0 ? static_cast<double>(fps_n) / fps_d : 30.0;
  int gop_frames;
  if (profile.gop_ms < 0)
    gop_frames = 1;
  else if (profile.gop_ms > 0)
    gop_frames = std::max(1, static_cast<int>(fps * profile.gop_ms / 1000.0 + 0.5));
  else
    gop_frames = static_cast<int>(fps * kDefaultGopSeconds + 0.5);
  const std::string gop = std::to_string(gop_frames);
  const std::string rate = std::to_string(kbps);
  GstElementFactory *factory = gst_element_get_factory(encoder);
  const std::string name = factory ? GST_OBJECT_NAME(factory) : "";
  if (name == "x264enc") {
    set_if_exists(encoder, "speed-preset", "veryfast");
    set_if_exists(encoder, "bitrate", rate.c_str());
    set_if_exists(encoder, "key-int-max", gop.c_str());
    // One second of VBV buffer, as broadcast ABR ladders use.
    set_if_exists(encoder, "vbv-buf-capacity", "1000");
    if (profile.gop_ms != 0)
      set_if_exists(encoder, "option-string", "scenecut=0");
  } else if (name == "nvh264enc") {
    set_if_exists(encoder, "bitrate", rate.c_str());
    set_if_exists(encoder, "gop-size", gop.c_str());
    set_if_exists(encoder, "rc-mode", "cbr");
    // B-frames with nvenc and timestamp passthrough misbehave (go-livepeer turns them off too).
    set_if_exists(encoder, "bframes", "0");
  } else if (name == "vah264enc") {
    set_if_exists(encoder, "bitrate", rate.c_str());
    set_if_exists(encoder, "key-int-max", gop.c_str());
    set_if_exists(encoder, "rate-control", "cbr");
  } else if (name == "vaapih264enc") {
    set_if_exists(encoder, "bitrate", rate.c_str());
    set_if_exists(encoder, "keyframe-period", gop.c_str());
    set_if_exists(encoder, "rate-control", "cbr");
  }
}

}  // namespace lp
