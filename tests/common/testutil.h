// Helpers for element and pipeline tests: GStreamer set-up with our elements registered
// statically, test clips made by ffmpeg, running pipelines while recording bus messages,
// collecting segment streams, and ffprobe as an independent checker.
#pragma once

#include "media/segmentmeta.h"

#include <gst/gst.h>
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lp::test {

// gst_init once, our elements registered, a private registry; install with
// ::testing::AddGlobalTestEnvironment or rely on the main() in testutil.cpp.
class GstEnvironment : public ::testing::Environment {
 public:
  void SetUp() override;
};

struct ClipSpec {
  int width = 640;
  int height = 360;
  int fps_num = 30;
  int fps_den = 1;
  double seconds = 6;
  int gop = 30;  // frames between keyframes
  bool audio = true;
  bool bframes = true;
  int bitrate_kbps = 1500;
  std::string container = "mpegts";  // mpegts, mp4, flv
  std::string pix_fmt = "yuv420p";
};

// Makes (once per spec, cached under the build tree) a clip with ffmpeg's testsrc2 + sine.
std::string clip(const ClipSpec &spec);

// A temporary directory removed at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string &path() const { return path_; }
  std::string file(const std::string &name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct Message {
  GstMessageType type;
  std::string source;  // element name
  std::string text;    // error/warning message and debug, or the structure as a string
  std::string structure_name;
};

struct RunResult {
  bool eos = false;
  bool timed_out = false;
  std::vector<Message> messages;
  bool has_error() const;
  std::string first_error() const;
  std::vector<Message> of_type(GstMessageType type) const;
  std::vector<Message> element_messages(const std::string &structure_name) const;
};

// Runs a pipeline (gst-launch syntax) to EOS, an error, or the timeout.
RunResult run_pipeline(const std::string &description, int timeout_seconds = 120);
RunResult run_pipeline(GstElement *pipeline, int timeout_seconds = 120);

struct Segment {
  SegmentInfo info;
  std::vector<uint8_t> bytes;
  GstClockTime pts = GST_CLOCK_TIME_NONE;
  GstClockTime duration = GST_CLOCK_TIME_NONE;
  bool discont_flag = false;
};

struct Collected {
  RunResult run;
  std::vector<Segment> segments;
  std::map<std::string, std::vector<Segment>> by_rendition() const;
};

// Runs `description`, which must end in "appsink name=out", and collects every buffer.
Collected collect_segments(const std::string &description, int timeout_seconds = 180);
// The same for a pipeline already built (the caller keeps its reference).
Collected collect_segments(GstElement *pipeline, int timeout_seconds = 180);
// A segment stream buffer as a Segment (meta, timestamps, bytes).
Segment segment_of(GstBuffer *buffer);

// What ffprobe (an independent implementation) sees in one segment.
struct Probe {
  bool ok = false;
  int width = 0;
  int height = 0;
  int video_frames = 0;
  int audio_frames = 0;
  bool first_video_is_key = false;
  int key_frames = 0;
  double video_start = -1;             // seconds, as written in the TS (3600 s base)
  std::vector<std::string> video_pts;  // every frame's pts_time as ffprobe prints it, sorted
  double video_end = -1;               // last frame pts + duration
  double fps = 0;
  std::string decode_errors;  // what "ffmpeg -v error ... -f null -" printed
  double bitrate_kbps = 0;    // video stream bits / duration
};
Probe ffprobe_segment(const std::vector<uint8_t> &bytes);
Probe ffprobe_file(const std::string &path);

// Runs a command; returns its exit status and captures stdout+stderr.
int run_command(const std::vector<std::string> &argv, std::string *output,
                int timeout_seconds = 300);

std::string read_file(const std::string &path);
void write_file(const std::string &path, const std::vector<uint8_t> &bytes);
std::string source_root();
std::string build_root();

}  // namespace lp::test
