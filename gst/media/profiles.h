// Livepeer transcoding profiles: the standard table (lpms ffmpeg/videoprofile.go) and the two
// ways a user names them, a comma-separated list of names or a JSON array of objects.
#pragma once

#include <glib.h>

#include <string>
#include <vector>

namespace lp {

enum class H264Profile { kEncoderDefault, kBaseline, kMain, kHigh, kConstrainedHigh };

struct VideoProfile {
  std::string name;
  int width = 0;
  int height = 0;
  int bitrate = 0;  // bits per second
  int fps = 0;      // 0: keep the source frame rate
  int fps_den = 1;
  // GOP in milliseconds; 0 lets the segment boundaries alone place IDR frames.
  int gop_ms = 0;
  H264Profile profile = H264Profile::kEncoderDefault;
};

// The default ladder of go-livepeer's broadcaster.
inline constexpr const char *kDefaultProfiles = "P240p30fps16x9,P360p30fps16x9";

const std::vector<VideoProfile> &standard_profiles();

// Parses "P720p30fps16x9,P360p30fps16x9" or a JSON array such as
// [{"name":"720p","width":1280,"height":720,"bitrate":3000000,"fps":30,"fpsDen":1,
//   "gop":"2.0","profile":"H264High"}].
// JSON "bitrate" is bits per second (a number, or a string with a k/M suffix); "gop" is in
// seconds (number or string) or "intra". Returns false with a message naming the bad part.
bool parse_profiles(const std::string &spec, std::vector<VideoProfile> *out, std::string *error);

// The caps string value of an H.264 profile for x264enc and friends ("" for the default).
const char *h264_profile_caps_name(H264Profile profile);

// Fits a source picture (with its pixel aspect ratio) into the profile's box, keeping the
// display aspect ratio; both sides come out even, as 4:2:0 encoders require.
void fit_to_box(int src_width, int src_height, int par_n, int par_d, int box_width, int box_height,
                int *out_width, int *out_height);

}  // namespace lp
