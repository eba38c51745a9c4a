// Upload benchmark: the same 50 segments of 1 MiB to the same loopback S3 server (s3rver),
// once through lps3sink (appsrc ! lps3sink, with its playlists) and once with Debian's awscli
// (`aws s3 cp --recursive`). Prints both wall times and their ratio; asserts nothing.
//   s3-bench SOURCE_ROOT [ROUNDS]
#include "media/segmentmeta.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

namespace {

constexpr int kSegments = 50;
constexpr gsize kSegmentSize = 1024 * 1024;

int free_port() {
  g_autoptr(GSocket) socket =
      g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, nullptr);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new(loopback, 0);
  g_socket_bind(socket, any, FALSE, nullptr);
  g_autoptr(GSocketAddress) bound = g_socket_get_local_address(socket, nullptr);
  return g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
}

bool wait_for_port(int port) {
  for (int i = 0; i < 300; ++i) {
    g_autoptr(GSocketClient) client = g_socket_client_new();
    g_autoptr(GSocketConnection) c = g_socket_client_connect_to_host(
        client, "127.0.0.1", static_cast<guint16>(port), nullptr, nullptr);
    if (c)
      return true;
    g_usleep(100 * 1000);
  }
  return false;
}

double seconds_since(gint64 start) {
  return static_cast<double>(g_get_monotonic_time() - start) / G_USEC_PER_SEC;
}

// Pushes the segments through lps3sink; returns the seconds from PLAYING to EOS, or -1.
double run_lps3sink(const std::vector<GBytes *> &segments, const std::string &location) {
  const std::string description =
      "appsrc name=src format=time ! lps3sink playlist-length=0 "
      "location=" +
      location;
  GError *error = nullptr;
  GstElement *pipeline = gst_parse_launch(description.c_str(), &error);
  if (!pipeline) {
    std::fprintf(stderr, "pipeline: %s\n", error->message);
    return -1;
  }
  GstElement *src = gst_bin_get_by_name(GST_BIN(pipeline), "src");
  GstCaps *caps = lp::segment_stream_caps();
  g_object_set(src, "caps", caps, "max-bytes", G_GUINT64_CONSTANT(0), nullptr);
  gst_caps_unref(caps);
  const gint64 start = g_get_monotonic_time();
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  for (int i = 0; i < kSegments; ++i) {
    GstBuffer *buffer = gst_buffer_new_wrapped_bytes(segments[i]);
    lp::SegmentInfo info;
    info.seq = static_cast<guint64>(i);
    info.pts = static_cast<GstClockTime>(i) * 2 * GST_SECOND;
    info.duration = 2 * GST_SECOND;
    info.target_duration = 2 * GST_SECOND;
    info.width = 1280;
    info.height = 720;
    info.fps_n = 30;
    info.bandwidth = kSegmentSize * 8 / 2;
    GST_BUFFER_PTS(buffer) = info.pts;
    GST_BUFFER_DURATION(buffer) = info.duration;
    lp::segment_meta_set(buffer, info);
    gst_app_src_push_buffer(GST_APP_SRC(src), buffer);
  }
  gst_app_src_end_of_stream(GST_APP_SRC(src));
  GstBus *bus = gst_element_get_bus(pipeline);
  GstMessage *msg = gst_bus_timed_pop_filtered(bus, 300 * GST_SECOND,
                                               GstMessageType(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  const double elapsed = seconds_since(start);
  double result = elapsed;
  if (!msg || GST_MESSAGE_TYPE(msg) != GST_MESSAGE_EOS) {
    if (msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
      GError *e = nullptr;
      gst_message_parse_error(msg, &e, nullptr);
      std::fprintf(stderr, "lps3sink failed: %s\n", e->message);
      g_error_free(e);
    }
    result = -1;
  }
  if (msg)
    gst_message_unref(msg);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(bus);
  gst_object_unref(src);
  gst_object_unref(pipeline);
  return result;
}

double run_awscli(const std::string &dir, int port, const std::string &prefix) {
  const std::string endpoint = "http://127.0.0.1:" + std::to_string(port);
  const std::string dest = "s3://bench/" + prefix + "/";
  const gchar *argv[] = {"env",
                         "AWS_ACCESS_KEY_ID=S3RVER",
                         "AWS_SECRET_ACCESS_KEY=S3RVER",
                         "AWS_DEFAULT_REGION=us-east-1",
                         "AWS_CONFIG_FILE=/dev/null",
                         "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
                         "/usr/bin/aws",
                         "--endpoint-url",
                         endpoint.c_str(),
                         "s3",
                         "cp",
                         "--recursive",
                         "--quiet",
                         dir.c_str(),
                         dest.c_str(),
                         nullptr};
  gint status = -1;
  GError *error = nullptr;
  const gint64 start = g_get_monotonic_time();
  if (!g_spawn_sync(nullptr, const_cast<gchar **>(argv), nullptr, G_SPAWN_SEARCH_PATH, nullptr,
                    nullptr, nullptr, nullptr, &status, &error)) {
    std::fprintf(stderr, "awscli: %s\n", error->message);
    return -1;
  }
  const double elapsed = seconds_since(start);
  return g_spawn_check_wait_status(status, nullptr) ? elapsed : -1;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char **argv) {
  gst_init(&argc, &argv);
  lp::segment_meta_register();
  const std::string root = argc > 1 ? argv[1] : ".";
  const int rounds = argc > 2 ? std::max(1, atoi(argv[2])) : 3;

  g_autofree gchar *tmp = g_dir_make_tmp("lps3bench-XXXXXX", nullptr);
  const std::string data = std::string(tmp) + "/s3rver";
  const std::string files = std::string(tmp) + "/segments";
  g_mkdir_with_parents(data.c_str(), 0755);
  g_mkdir_with_parents((files + "/source").c_str(), 0755);
  std::vector<GBytes *> segments;
  GRand *rand = g_rand_new_with_seed(42);
  for (int i = 0; i < kSegments; ++i) {
    auto *bytes = static_cast<guint32 *>(g_malloc(kSegmentSize));
    for (gsize j = 0; j < kSegmentSize / 4; ++j)
      bytes[j] = g_rand_int(rand);
    GBytes *segment = g_bytes_new_take(bytes, kSegmentSize);
    segments.push_back(segment);
    const std::string path = files + "/source/" + std::to_string(i) + ".ts";
    g_file_set_contents(path.c_str(),
                        static_cast<const gchar *>(g_bytes_get_data(segment, nullptr)),
                        kSegmentSize, nullptr);
  }
  g_rand_free(rand);

  const int port = free_port();
  const std::string s3rver = root + "/node_modules/.bin/s3rver";
  const std::string port_str = std::to_string(port);
  const gchar *server_argv[] = {s3rver.c_str(),       "-d",    data.c_str(),     "-a",
                                "127.0.0.1",          "-p",    port_str.c_str(), "--silent",
                                "--configure-bucket", "bench", nullptr};
  GError *error = nullptr;
  GSubprocess *server = g_subprocess_newv(server_argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error);
  if (!server || !wait_for_port(port)) {
    std::fprintf(stderr, "could not start s3rver: %s\n", error ? error->message : "no port");
    return 1;
  }
  const std::string base = "s3+http://S3RVER:S3RVER@127.0.0.1:" + port_str + "/bench/";
  std::vector<double> sink_times, cli_times;
  int rc = 0;
  for (int r = 0; r < rounds; ++r) {
    const double sink = run_lps3sink(segments, base + "lps3sink" + std::to_string(r));
    const double cli = run_awscli(files, port, "awscli" + std::to_string(r));
    std::printf("round %d: lps3sink %.3f s, awscli %.3f s\n", r + 1, sink, cli);
    if (sink < 0 || cli < 0)
      rc = 1;
    sink_times.push_back(sink);
    cli_times.push_back(cli);
  }
  const double sink = median(sink_times), cli = median(cli_times);
  std::printf("%d segments of %zu bytes to s3rver on loopback (median of %d rounds)\n", kSegments,
              static_cast<size_t>(kSegmentSize), rounds);
  std::printf("lps3sink: %.3f s (%.1f MiB/s, segments + playlists)\n", sink, kSegments / sink);
  std::printf("awscli s3 cp --recursive: %.3f s (%.1f MiB/s)\n", cli, kSegments / cli);
  std::printf("ratio lps3sink/awscli: %.2f (below 1 means lps3sink is faster)\n", sink / cli);

  g_subprocess_send_signal(server, SIGKILL);
  g_subprocess_wait(server, nullptr, nullptr);
  g_object_unref(server);
  for (GBytes *b : segments)
    g_bytes_unref(b);
  const gchar *rm[] = {"rm", "-rf", tmp, nullptr};
  g_spawn_sync(nullptr, const_cast<gchar **>(rm), nullptr, G_SPAWN_SEARCH_PATH, nullptr, nullptr,
               nullptr, nullptr, nullptr, nullptr);
  return rc;
}
