#include "testutil.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/app/gstappsink.h>
#include <json-glib/json-glib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>

namespace lp::test {

void GstEnvironment::SetUp() {
  gst_init(nullptr, nullptr);
  segment_meta_register();
  GstPlugin *plugin = gst_registry_find_plugin(gst_registry_get(), "livepeer");
  ASSERT_NE(plugin, nullptr) << "the livepeer plugin is not found; GST_PLUGIN_PATH_1_0="
                             << (g_getenv("GST_PLUGIN_PATH_1_0") ? g_getenv("GST_PLUGIN_PATH_1_0")
                                                                 : "(unset)");
  gst_object_unref(plugin);
}

std::string source_root() {
  const char *root = g_getenv("LP_SOURCE_ROOT");
  return root ? root : ".";
}

std::string build_root() {
  const char *root = g_getenv("LP_BUILD_ROOT");
  return root ? root : ".";
}

int run_command(const std::vector<std::string> &argv, std::string *output, int timeout_seconds) {
  std::vector<std::string> full = {"timeout", "-k", "5", std::to_string(timeout_seconds)};
  full.insert(full.end(), argv.begin(), argv.end());
  std::vector<gchar *> args;
  for (auto &a : full)
    args.push_back(const_cast<gchar *>(a.c_str()));
  args.push_back(nullptr);
  gchar *out = nullptr, *err = nullptr;
  gint status = -1;
  GError *error = nullptr;
  if (!g_spawn_sync(nullptr, args.data(), nullptr, G_SPAWN_SEARCH_PATH, nullptr, nullptr, &out,
                    &err, &status, &error)) {
    if (output)
      *output = error->message;
    g_error_free(error);
    return -1;
  }
  if (output)
    *output = std::string(out ? out : "") + std::string(err ? err : "");
  g_free(out);
  g_free(err);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string clip(const ClipSpec &s) {
  char name[256];
  std::snprintf(name, sizeof name, "clip_%dx%d_%d-%d_%gs_g%d_%s%s_%dk_%s.%s", s.width, s.height,
                s.fps_num, s.fps_den, s.seconds, s.gop, s.audio ? "a" : "na",
                s.bframes ? "b" : "nb", s.bitrate_kbps, s.pix_fmt.c_str(),
                s.container == "mpegts" ? "ts" : s.container.c_str());
  const std::string dir = build_root() + "/tests/clips";
  g_mkdir_with_parents(dir.c_str(), 0755);
  const std::string path = dir + "/" + name;
  if (g_file_test(path.c_str(), G_FILE_TEST_EXISTS))
    return path;
  // A unique temporary name and a rename: parallel tests may make the same clip.
  const std::string tmp = path + ".tmp" + std::to_string(getpid());
  std::vector<std::string> argv = {
      "ffmpeg",
      "-v",
      "error",
      "-y",
      "-f",
      "lavfi",
      "-i",
      "testsrc2=size=" + std::to_string(s.width) + "x" + std::to_string(s.height) +
          ":rate=" + std::to_string(s.fps_num) + "/" + std::to_string(s.fps_den)};
  if (s.audio) {
    for (const char *a : {"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"})
      argv.push_back(a);
  }
  const std::string gop = std::to_string(s.gop);
  for (const std::string &a :
       {std::string("-t"), std::to_string(s.seconds), std::string("-c:v"), std::string("libx264"),
        std::string("-preset"), std::string("veryfast"), std::string("-b:v"),
        std::to_string(s.bitrate_kbps) + "k", std::string("-g"), gop, std::string("-keyint_min"),
        gop, std::string("-sc_threshold"), std::string("0"), std::string("-pix_fmt"), s.pix_fmt})
    argv.push_back(a);
  if (!s.bframes) {
    argv.push_back("-bf");
    argv.push_back("0");
  }
  if (s.audio) {
    for (const char *a : {"-c:a", "aac", "-b:a", "96k", "-ac", "2"})
      argv.push_back(a);
  }
  argv.push_back("-f");
  argv.push_back(s.container);
  argv.push_back(tmp);
  std::string output;
  const int rc = run_command(argv, &output);
  EXPECT_EQ(rc, 0) << "ffmpeg could not make " << name << ": " << output;
  g_rename(tmp.c_str(), path.c_str());
  return path;
}

TempDir::TempDir() {
  gchar *dir = g_dir_make_tmp("lptest-XXXXXX", nullptr);
  path_ = dir ? dir : "/tmp";
  g_free(dir);
}

TempDir::~TempDir() {
  if (path_ != "/tmp" && !g_getenv("LP_KEEP_TEMP")) {
    std::string out;
    run_command({"rm", "-rf", path_}, &out);
  }
}

bool RunResult::has_error() const {
  return !of_type(GST_MESSAGE_ERROR).empty();
}

std::string RunResult::first_error() const {
  auto errors = of_type(GST_MESSAGE_ERROR);
  return errors.empty() ? "" : errors.front().text;
}

std::vector<Message> RunResult::of_type(GstMessageType type) const {
  std::vector<Message> out;
  std::copy_if(messages.begin(), messages.end(), std::back_inserter(out),
               [type](const Message &m) { return m.type == type; });
  return out;
}

std::vector<Message> RunResult::element_messages(const std::string &structure_name) const {
  std::vector<Message> out;
  std::copy_if(messages.begin(), messages.end(), std::back_inserter(out), [&](const Message &m) {
    return m.type == GST_MESSAGE_ELEMENT && m.structure_name == structure_name;
  });
  return out;
}

// Records a message; returns true when the run is over (EOS or error).
static bool record(GstMessage *msg, RunResult *result) {
  Message m;
  m.type = GST_MESSAGE_TYPE(msg);
  m.source = GST_MESSAGE_SRC(msg) ? GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)) : "";
  bool done = false;
  switch (m.type) {
    case GST_MESSAGE_ERROR:
    case GST_MESSAGE_WARNING: {
      GError *err = nullptr;
      gchar *debug = nullptr;
      if (m.type == GST_MESSAGE_ERROR)
        gst_message_parse_error(msg, &err, &debug);
      else
        gst_message_parse_warning(msg, &err, &debug);
      m.text = std::string(err->message) + " | " + (debug ? debug : "");
      g_error_free(err);
      g_free(debug);
      done = m.type == GST_MESSAGE_ERROR;
      break;
    }
    case GST_MESSAGE_EOS:
      result->eos = true;
      done = true;
      break;
    case GST_MESSAGE_ELEMENT: {
      const GstStructure *s = gst_message_get_structure(msg);
      if (s) {
        m.structure_name = gst_structure_get_name(s);
        gchar *text = gst_structure_to_string(s);
        m.text = text;
        g_free(text);
      }
      break;
    }
    default:
      return false;
  }
  result->messages.push_back(std::move(m));
  return done;
}

static GstMessageType kWatched =
    GstMessageType(GST_MESSAGE_ERROR | GST_MESSAGE_WARNING | GST_MESSAGE_EOS | GST_MESSAGE_ELEMENT);

// Plays the pipeline until EOS, an error or the timeout; `tick` runs between bus polls.
static void play(GstElement *pipeline, int timeout_seconds, const std::function<void()> &tick,
                 RunResult *result) {
  GstBus *bus = gst_element_get_bus(pipeline);
  if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    // The reason is on the bus.
    while (GstMessage *msg = gst_bus_pop_filtered(bus, kWatched)) {
      record(msg, result);
      gst_message_unref(msg);
    }
    if (!result->has_error())
      result->messages.push_back({GST_MESSAGE_ERROR, "", "state change failed", ""});
  } else {
    const gint64 deadline = g_get_monotonic_time() + gint64(timeout_seconds) * G_USEC_PER_SEC;
    for (bool done = false; !done;) {
      if (g_get_monotonic_time() > deadline) {
        result->timed_out = true;
        break;
      }
      tick();
      if (GstMessage *msg = gst_bus_timed_pop_filtered(bus, 20 * GST_MSECOND, kWatched)) {
        done = record(msg, result);
        gst_message_unref(msg);
      }
    }
    tick();  // what is still queued after EOS
  }
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(bus);
}

// The pipeline, or null with the parse error recorded in `result`.
static GstElement *parse(const std::string &description, RunResult *result) {
  GError *error = nullptr;
  GstElement *pipeline = gst_parse_launch(description.c_str(), &error);
  if (pipeline && !error)
    return pipeline;
  result->messages.push_back(
      {GST_MESSAGE_ERROR, "", std::string("parse: ") + (error ? error->message : "?"), ""});
  g_clear_error(&error);
  if (pipeline)
    gst_object_unref(pipeline);
  return nullptr;
}

RunResult run_pipeline(GstElement *pipeline, int timeout_seconds) {
  RunResult result;
  play(
      pipeline, timeout_seconds, [] {}, &result);
  return result;
}

RunResult run_pipeline(const std::string &description, int timeout_seconds) {
  RunResult result;
  if (GstElement *pipeline = parse(description, &result)) {
    result = run_pipeline(pipeline, timeout_seconds);
    gst_object_unref(pipeline);
  }
  return result;
}

std::map<std::string, std::vector<Segment>> Collected::by_rendition() const {
  std::map<std::string, std::vector<Segment>> out;
  for (const Segment &s : segments)
    out[s.info.rendition].push_back(s);
  return out;
}

Segment segment_of(GstBuffer *buf) {
  Segment seg;
  if (auto info = segment_meta_get(buf))
    seg.info = *info;
  seg.pts = GST_BUFFER_PTS(buf);
  seg.duration = GST_BUFFER_DURATION(buf);
  seg.discont_flag = GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DISCONT);
  GstMapInfo map;
  if (gst_buffer_map(buf, &map, GST_MAP_READ)) {
    seg.bytes.assign(map.data, map.data + map.size);
    gst_buffer_unmap(buf, &map);
  }
  return seg;
}

static void pull_all(GstElement *sink, Collected *collected) {
  while (GstSample *sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 0)) {
    collected->segments.push_back(segment_of(gst_sample_get_buffer(sample)));
    gst_sample_unref(sample);
  }
}

Collected collect_segments(GstElement *pipeline, int timeout_seconds) {
  Collected collected;
  GstElement *sink = gst_bin_get_by_name(GST_BIN(pipeline), "out");
  EXPECT_NE(sink, nullptr) << "the pipeline needs an appsink named out";
  if (!sink)
    return collected;
  g_object_set(sink, "sync", FALSE, "emit-signals", FALSE, nullptr);
  play(
      pipeline, timeout_seconds, [&] { pull_all(sink, &collected); }, &collected.run);
  gst_object_unref(sink);
  return collected;
}

Collected collect_segments(const std::string &description, int timeout_seconds) {
  Collected collected;
  if (GstElement *pipeline = parse(description, &collected.run)) {
    collected = collect_segments(pipeline, timeout_seconds);
    gst_object_unref(pipeline);
  }
  return collected;
}

std::string read_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::string &path, const std::vector<uint8_t> &bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char *>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

static double member_double(JsonObject *o, const char *name) {
  if (!json_object_has_member(o, name))
    return NAN;
  JsonNode *n = json_object_get_member(o, name);
  if (JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING)
    return g_ascii_strtod(json_node_get_string(n), nullptr);
  if (JSON_NODE_HOLDS_VALUE(n))
    return json_node_get_double(n);
  return NAN;
}

Probe ffprobe_file(const std::string &path) {
  Probe probe;
  std::string out;
  const int rc = run_command({"ffprobe", "-v", "error", "-show_entries",
                              "stream=codec_type,width,height,avg_frame_rate:"
                              "frame=media_type,key_frame,pts_time,pkt_duration_time,"
                              "duration_time,pkt_size",
                              "-of", "json", path},
                             &out);
  if (rc != 0)
    return probe;
  JsonParser *parser = json_parser_new();
  // ffprobe prints JSON on stdout; errors (if any) came first and would break parsing.
  const size_t brace = out.find('{');
  if (brace == std::string::npos ||
      !json_parser_load_from_data(parser, out.c_str() + brace, -1, nullptr)) {
    g_object_unref(parser);
    return probe;
  }
  JsonObject *root = json_node_get_object(json_parser_get_root(parser));
  if (json_object_has_member(root, "streams")) {
    JsonArray *streams = json_object_get_array_member(root, "streams");
    for (guint i = 0; i < json_array_get_length(streams); ++i) {
      JsonObject *s = json_array_get_object_element(streams, i);
      if (g_strcmp0(json_object_get_string_member_with_default(s, "codec_type", ""), "video"))
        continue;
      probe.width = static_cast<int>(json_object_get_int_member_with_default(s, "width", 0));
      probe.height = static_cast<int>(json_object_get_int_member_with_default(s, "height", 0));
      int n = 0, d = 1;
      if (std::sscanf(json_object_get_string_member_with_default(s, "avg_frame_rate", "0/1"),
                      "%d/%d", &n, &d) == 2 &&
          d > 0)
        probe.fps = static_cast<double>(n) / d;
    }
  }
  double video_bytes = 0;
  if (json_object_has_member(root, "frames")) {
    JsonArray *frames = json_object_get_array_member(root, "frames");
    for (guint i = 0; i < json_array_get_length(frames); ++i) {
      JsonObject *f = json_array_get_object_element(frames, i);
      const std::string type = json_object_get_string_member_with_default(f, "media_type", "");
      if (type == "audio") {
        probe.audio_frames++;
        continue;
      }
      if (type != "video")
        continue;
      const double pts = member_double(f, "pts_time");
      if (json_object_has_member(f, "pts_time"))
        probe.video_pts.push_back(json_object_get_string_member_with_default(f, "pts_time", ""));
      double dur = member_double(f, "pkt_duration_time");
      if (std::isnan(dur))
        dur = member_double(f, "duration_time");
      const bool key = json_object_get_int_member_with_default(f, "key_frame", 0);
      if (probe.video_frames == 0)
        probe.first_video_is_key = key;
      probe.key_frames += key ? 1 : 0;
      probe.video_frames++;
      video_bytes += member_double(f, "pkt_size");
      if (!std::isnan(pts)) {
        if (probe.video_start < 0 || pts < probe.video_start)
          probe.video_start = pts;
        const double end = pts + (std::isnan(dur) ? 0 : dur);
        probe.video_end = std::max(probe.video_end, end);
      }
    }
  }
  g_object_unref(parser);
  std::sort(probe.video_pts.begin(), probe.video_pts.end());
  if (probe.video_end > probe.video_start && probe.video_start >= 0)
    probe.bitrate_kbps = video_bytes * 8 / (probe.video_end - probe.video_start) / 1000;
  std::string errors;
  run_command({"ffmpeg", "-v", "error", "-i", path, "-map", "0", "-f", "null", "-"}, &errors);
  probe.decode_errors = errors;
  probe.ok = true;
  return probe;
}

Probe ffprobe_segment(const std::vector<uint8_t> &bytes) {
  TempDir dir;
  const std::string path = dir.file("segment.ts");
  write_file(path, bytes);
  return ffprobe_file(path);
}

}  // namespace lp::test

// Every test binary gets GStreamer and the plugin set up.
int main(int argc, char **argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new lp::test::GstEnvironment());
  return RUN_ALL_TESTS();
}
