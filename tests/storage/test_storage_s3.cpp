// lps3sink and the S3 backend against real servers on loopback: s3rver (npm) read back with
// Debian's awscli and played by ffmpeg, and s3verify.py, which checks every SigV4 signature and
// presigned POST policy with botocore and injects faults.
#include "s3servers.h"
#include "storage/presignedpost.h"
#include "storage/s3store.h"
#include "testutil.h"

#include <gmock/gmock.h>

#include <atomic>
#include <ctime>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

using namespace lp;
using lp::test::S3Server;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

// A live H.264 + AAC source cut into 1 s segments, ending in "seg. ! ".
std::string live_source(int seconds) {
  const std::string frames = std::to_string(seconds * 30);
  const std::string audio = std::to_string(seconds * 30);  // 1600 samples = 1/30 s at 48 kHz
  return "videotestsrc is-live=true num-buffers=" + frames +
         " ! video/x-raw,width=320,height=240,framerate=30/1"
         " ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 bitrate=600"
         " ! h264parse ! lpsegmenter name=seg target-duration=1"
         " audiotestsrc is-live=true samplesperbuffer=1600 num-buffers=" +
         audio +
         " ! audio/x-raw,rate=48000,channels=2 ! audioconvert ! avenc_aac ! aacparse ! seg.audio"
         " seg. ! ";
}

std::vector<guint64> segment_seqs(const test::RunResult &run) {
  std::vector<guint64> seqs;
  const std::regex seq_re("seq=\\(guint64\\)([0-9]+)");
  for (const auto &m : run.element_messages("lps3sink-segment")) {
    std::smatch match;
    if (std::regex_search(m.text, match, seq_re))
      seqs.push_back(std::stoull(match[1]));
  }
  return seqs;
}

// Segment names ("source/3.ts") listed in a media playlist.
std::vector<std::string> playlist_segments(const std::string &playlist) {
  std::vector<std::string> out;
  std::istringstream in(playlist);
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
      line.pop_back();
    if (!line.empty() && line[0] != '#')
      out.push_back(line);
  }
  return out;
}

// Checks the journal of s3verify: every playlist version became visible only after every
// segment it names. Returns the number of playlist writes checked.
int check_journal_order(const std::string &journal, const std::string &prefix) {
  std::set<std::string> visible;
  std::istringstream in(journal);
  std::string line, current;
  int checked = 0;
  while (std::getline(in, line)) {
    if (line.rfind("PUT ", 0) == 0) {
      current = line.substr(4);
      visible.insert(current);
      if (current.size() > 5 && current.compare(current.size() - 5, 5, ".m3u8") == 0)
        checked++;
    } else if (line.rfind("  ", 0) == 0) {
      const std::string entry = line.substr(2);
      if (entry.empty() || entry[0] == '#')
        continue;
      EXPECT_TRUE(visible.count(prefix + entry))
          << current << " names " << entry << " before it was stored";
    }
  }
  return checked;
}

GstElement *launch(const std::string &description) {
  GError *error = nullptr;
  GstElement *pipeline = gst_parse_launch(description.c_str(), &error);
  EXPECT_EQ(error, nullptr) << (error ? error->message : "");
  g_clear_error(&error);
  return pipeline;
}

S3Location location_of(const S3Server &server, const std::string &prefix) {
  S3Location loc;
  std::string error;
  EXPECT_TRUE(resolve_s3_location(server.location(prefix), {}, &loc, &error)) << error;
  return loc;
}

GBytes *random_bytes(size_t size, guint32 seed) {
  GRand *rand = g_rand_new_with_seed(seed);
  auto *data = static_cast<guint8 *>(g_malloc(size));
  for (size_t i = 0; i < size; i += 4) {
    const guint32 v = g_rand_int(rand);
    memcpy(data + i, &v, std::min<size_t>(4, size - i));
  }
  g_rand_free(rand);
  return g_bytes_new_take(data, size);
}

bool bytes_equal(GBytes *a, const std::string &b) {
  gsize size = 0;
  const void *data = g_bytes_get_data(a, &size);
  return size == b.size() && memcmp(data, b.data(), size) == 0;
}

}  // namespace

// A live pipeline writes HLS into s3rver; awscli lists and downloads it; ffmpeg plays it.
TEST(S3rver, LivePipelineIsReadableByAwsCliAndPlayable) {
  S3Server server(S3Server::Kind::kS3rver);
  ASSERT_TRUE(server.start());
  const test::RunResult run = test::run_pipeline(
      live_source(6) + "lps3sink playlist-length=0 location=" + server.location("live/s1"), 120);
  ASSERT_TRUE(run.eos) << run.first_error();
  EXPECT_FALSE(run.has_error()) << run.first_error();
  const std::vector<guint64> seqs = segment_seqs(run);
  ASSERT_GE(seqs.size(), 5u);
  for (size_t i = 0; i < seqs.size(); ++i)
    EXPECT_EQ(seqs[i], i);

  std::string out;
  ASSERT_EQ(server.aws({"s3", "ls", "--recursive", "s3://hls/live/s1/"}, &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("live/s1/index.m3u8"));
  EXPECT_THAT(out, HasSubstr("live/s1/source.m3u8"));
  for (size_t i = 0; i < seqs.size(); ++i)
    EXPECT_THAT(out, HasSubstr("live/s1/source/" + std::to_string(i) + ".ts"));

  ASSERT_EQ(
      server.aws({"s3api", "head-object", "--bucket", "hls", "--key", "live/s1/source/0.ts"}, &out),
      0)
      << out;
  EXPECT_THAT(out, HasSubstr("\"ContentType\": \"video/mp2t\""));
  ASSERT_EQ(
      server.aws({"s3api", "head-object", "--bucket", "hls", "--key", "live/s1/index.m3u8"}, &out),
      0);
  EXPECT_THAT(out, HasSubstr("\"ContentType\": \"application/vnd.apple.mpegurl\""));
  EXPECT_THAT(out, HasSubstr("\"CacheControl\": \"max-age="));

  test::TempDir dir;
  ASSERT_EQ(server.aws({"s3", "cp", "--recursive", "s3://hls/live/s1", dir.path()}, &out), 0)
      << out;
  const std::string media = test::read_file(dir.file("source.m3u8"));
  EXPECT_THAT(media, HasSubstr("#EXT-X-ENDLIST"));
  EXPECT_EQ(playlist_segments(media).size(), seqs.size());
  std::string errors;
  EXPECT_EQ(test::run_command({"ffmpeg", "-v", "error", "-i", dir.file("index.m3u8"), "-map", "0",
                               "-f", "null", "-"},
                              &errors),
            0);
  EXPECT_EQ(errors, "");
  const test::Probe probe = test::ffprobe_file(dir.file("index.m3u8"));
  EXPECT_EQ(probe.width, 320);
  EXPECT_GT(probe.audio_frames, 0);
}

// Objects above part-size go as multipart uploads; awscli reads back the same bytes.
TEST(S3rver, MultipartUploadOfALargeObject) {
  S3Server server(S3Server::Kind::kS3rver);
  ASSERT_TRUE(server.start());
  S3StoreOptions options;
  options.part_size = kS3MinPartSize;
  GError *error = nullptr;
  auto store = S3Store::open(location_of(server, "rec"), options, nullptr, &error);
  ASSERT_NE(store, nullptr) << error->message;
  g_autoptr(GBytes) big = random_bytes(11 * 1024 * 1024 + 123, 7);
  ASSERT_TRUE(store->put("recording.ts", big, {kContentTypeTs, ""}, &error)) << error->message;
  EXPECT_EQ(store->multipart_uploads(), 1u);
  test::TempDir dir;
  std::string out;
  ASSERT_EQ(server.aws({"s3", "cp", "s3://hls/rec/recording.ts", dir.file("r.ts")}, &out), 0)
      << out;
  EXPECT_TRUE(bytes_equal(big, test::read_file(dir.file("r.ts"))));
}

// Every request of the store passes a server that recomputes its SigV4 signature.
TEST(SignedRequests, EveryOperationPassesAVerifyingServer) {
  S3Server server(S3Server::Kind::kVerifying);
  ASSERT_TRUE(server.start());
  GError *error = nullptr;
  S3StoreOptions options;
  options.part_size = kS3MinPartSize;
  auto store = S3Store::open(location_of(server, "p/q"), options, nullptr, &error);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->check(&error)) << error->message;

  g_autoptr(GBytes) small = g_bytes_new_static("#EXTM3U\n", 8);
  const std::string key = "odd name+/seg €.m3u8";
  ASSERT_TRUE(store->put(key, small, {kContentTypeM3u8, "max-age=1"}, &error)) << error->message;
  GBytes *back = nullptr;
  ASSERT_TRUE(store->get(key, &back, &error)) << error->message;
  EXPECT_TRUE(bytes_equal(back, "#EXTM3U\n"));
  g_bytes_unref(back);
  ObjectAttrs attrs;
  guint64 size = 0;
  ASSERT_TRUE(store->head(key, &attrs, &size, &error)) << error->message;
  EXPECT_EQ(attrs.content_type, kContentTypeM3u8);
  EXPECT_EQ(attrs.cache_control, "max-age=1");
  EXPECT_EQ(size, 8u);

  // A presigned GET works for anyone (curl, no credentials) until it expires.
  const std::string url = store->presigned_url("GET", key, 300);
  EXPECT_THAT(url, HasSubstr("X-Amz-Signature="));
  EXPECT_THAT(url, Not(HasSubstr(server.options().secret)));
  std::string out;
  EXPECT_EQ(test::run_command({"curl", "-sf", url}, &out), 0) << out;
  EXPECT_EQ(out, "#EXTM3U\n");
  EXPECT_NE(test::run_command({"curl", "-sf", url + "0"}, &out), 0);  // tampered signature

  g_autoptr(GBytes) big = random_bytes(10 * 1024 * 1024 + 1, 3);
  ASSERT_TRUE(store->put("rec.ts", big, {kContentTypeTs, ""}, &error)) << error->message;
  EXPECT_EQ(store->multipart_uploads(), 1u);
  EXPECT_TRUE(bytes_equal(big, test::read_file(server.data_dir() + "/hls/p/q/rec.ts")));

  ASSERT_TRUE(store->remove(key, &error)) << error->message;
  EXPECT_FALSE(store->get(key, &back, &error));
  EXPECT_EQ(error->code, kObjectStoreErrorNotFound);
  g_clear_error(&error);
  EXPECT_TRUE(store->remove(key, &error));  // already gone: fine
}

TEST(SignedRequests, TemporaryCredentialsSignTheSessionToken) {
  S3Server::Options options;
  options.session_token = "FwoGZXIvYXdzEJr//////////wEaDCx+token=";
  S3Server server(S3Server::Kind::kVerifying, options);
  ASSERT_TRUE(server.start());
  S3Location loc = location_of(server, "");
  GError *error = nullptr;
  auto anonymous = S3Store::open(loc, {}, nullptr, &error);
  g_autoptr(GBytes) bytes = g_bytes_new_static("x", 1);
  EXPECT_FALSE(anonymous->put("a.ts", bytes, {}, &error));
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(error->code, kObjectStoreErrorAuth);
  g_clear_error(&error);
  loc.credentials.session_token = options.session_token;
  auto store = S3Store::open(loc, {}, nullptr, &error);
  EXPECT_TRUE(store->put("a.ts", bytes, {}, &error)) << error->message;
}

namespace {

std::vector<std::string> captured_log;
std::mutex captured_log_lock;

void capture_log(GstDebugCategory *, GstDebugLevel, const gchar *, const gchar *, gint, GObject *,
                 GstDebugMessage *message, gpointer) {
  std::lock_guard<std::mutex> guard(captured_log_lock);
  captured_log.push_back(gst_debug_message_get(message));
}

}  // namespace

// A wrong secret is refused by the server (not by us: we cannot know) and ends in an error a
// user can act on; the secret shows up nowhere.
TEST(SignedRequests, WrongSecretIsAClearErrorThatNeverShowsTheSecret) {
  S3Server server(S3Server::Kind::kVerifying);
  ASSERT_TRUE(server.start());
  const std::string wrong = "Wr0ngS3cretValue";
  // The parentheses call the functions rather than the macros, whose casts -Wpedantic refuses.
  (gst_debug_add_log_function)(capture_log, nullptr, nullptr);
  gst_debug_set_threshold_for_name("lps3*", GST_LEVEL_LOG);
  GstElement *pipeline =
      launch(live_source(3) + "lps3sink name=sink location=" + server.location("live", wrong));
  GstElement *sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
  gchar *location = nullptr;
  g_object_get(sink, "location", &location, nullptr);
  EXPECT_THAT(location, Not(HasSubstr(wrong)));
  EXPECT_THAT(location, HasSubstr("***"));
  g_free(location);
  GParamSpec *secret = g_object_class_find_property(G_OBJECT_GET_CLASS(sink), "secret-access-key");
  ASSERT_NE(secret, nullptr);
  EXPECT_FALSE(secret->flags & G_PARAM_READABLE);
  const test::RunResult run = test::run_pipeline(pipeline, 60);
  gst_object_unref(sink);
  gst_object_unref(pipeline);
  (gst_debug_remove_log_function)(capture_log);
  gst_debug_set_threshold_for_name("lps3*", GST_LEVEL_NONE);
  ASSERT_TRUE(run.has_error());
  EXPECT_THAT(run.first_error(), HasSubstr("refused the credentials"));
  EXPECT_THAT(run.first_error(), HasSubstr("SignatureDoesNotMatch"));
  EXPECT_THAT(run.first_error(), HasSubstr("secret-access-key"));
  for (const auto &m : run.messages)
    EXPECT_THAT(m.text, Not(HasSubstr(wrong)));
  std::lock_guard<std::mutex> guard(captured_log_lock);
  EXPECT_FALSE(captured_log.empty());
  for (const std::string &line : captured_log)
    EXPECT_THAT(line, Not(HasSubstr(wrong)));
  // Nothing was written with the wrong secret.
  EXPECT_EQ(server.journal(), "");
}

TEST(Faults, UnreachableEndpointAtStartIsAClearError) {
  const int port = test::free_loopback_port();
  const test::RunResult run = test::run_pipeline(
      live_source(2) + "lps3sink location=s3+http://AK:SK@127.0.0.1:" + std::to_string(port) +
          "/hls/live",
      60);
  ASSERT_TRUE(run.has_error());
  EXPECT_THAT(run.first_error(), HasSubstr("Could not reach the object store"));
  EXPECT_THAT(run.first_error(), HasSubstr("127.0.0.1:" + std::to_string(port)));
  EXPECT_FALSE(run.eos);
}

TEST(Faults, MissingBucketIsAClearError) {
  S3Server server(S3Server::Kind::kVerifying);
  ASSERT_TRUE(server.start());
  std::string location = server.location("live");
  location.replace(location.find("/hls/"), 5, "/nobucket/");
  const test::RunResult run =
      test::run_pipeline(live_source(2) + "lps3sink location=" + location, 60);
  ASSERT_TRUE(run.has_error());
  EXPECT_THAT(run.first_error(), HasSubstr("does not exist"));
  EXPECT_THAT(run.first_error(), HasSubstr("NoSuchBucket"));
}

// A third of the writes answer 503: every segment still arrives, and no playlist ever named a
// segment that was not stored yet.
TEST(Faults, ServerErrorsAreRetriedAndNothingIsLost) {
  S3Server::Options options;
  options.fail_every = 3;
  S3Server server(S3Server::Kind::kVerifying, options);
  ASSERT_TRUE(server.start());
  const test::RunResult run = test::run_pipeline(
      live_source(6) + "lps3sink playlist-length=0 location=" + server.location("live"), 120);
  ASSERT_TRUE(run.eos) << run.first_error();
  EXPECT_FALSE(run.has_error()) << run.first_error();
  const std::vector<guint64> seqs = segment_seqs(run);
  ASSERT_GE(seqs.size(), 5u);
  const std::string root = server.data_dir() + "/hls/live/";
  const std::string media = test::read_file(root + "source.m3u8");
  EXPECT_THAT(media, HasSubstr("#EXT-X-ENDLIST"));
  const std::vector<std::string> listed = playlist_segments(media);
  ASSERT_EQ(listed.size(), seqs.size());
  for (size_t i = 0; i < listed.size(); ++i) {
    EXPECT_EQ(listed[i], "source/" + std::to_string(i) + ".ts");
    EXPECT_TRUE(g_file_test((root + listed[i]).c_str(), G_FILE_TEST_EXISTS)) << listed[i];
  }
  EXPECT_GE(check_journal_order(server.journal(), "hls/live/"), static_cast<int>(seqs.size()));
  std::string errors;
  test::run_command(
      {"ffmpeg", "-v", "error", "-i", root + "index.m3u8", "-map", "0", "-f", "null", "-"},
      &errors);
  EXPECT_EQ(errors, "");
}

// Every fourth write hangs until lps3sink's request-timeout gives up on it (the server then
// drops it unstored): the upload is retried and every segment arrives, in order.
TEST(Faults, TimedOutRequestsAreRetried) {
  S3Server::Options options;
  options.stall_every = 4;
  options.stall_ms = 2500;
  S3Server server(S3Server::Kind::kVerifying, options);
  ASSERT_TRUE(server.start());
  const test::RunResult run = test::run_pipeline(
      live_source(6) + "lps3sink playlist-length=0 request-timeout=1 max-pending=64 location=" +
          server.location("live"),
      120);
  ASSERT_TRUE(run.eos) << run.first_error();
  EXPECT_FALSE(run.has_error()) << run.first_error();
  const std::vector<guint64> seqs = segment_seqs(run);
  ASSERT_GE(seqs.size(), 5u);
  for (size_t i = 0; i < seqs.size(); ++i)
    EXPECT_EQ(seqs[i], i);
  const std::string root = server.data_dir() + "/hls/live/";
  const std::vector<std::string> listed = playlist_segments(test::read_file(root + "source.m3u8"));
  ASSERT_EQ(listed.size(), seqs.size());
  for (const std::string &segment : listed)
    EXPECT_TRUE(g_file_test((root + segment).c_str(), G_FILE_TEST_EXISTS)) << segment;
  EXPECT_GE(check_journal_order(server.journal(), "hls/live/"), static_cast<int>(seqs.size()));
}

// The server is gone for about 10 s in the middle of a live stream, then comes back with its
// data: uploads wait and retry, and every segment arrives in order.
TEST(Faults, ServerStoppedMidStreamThenRestarted) {
  S3Server server(S3Server::Kind::kS3rver);
  ASSERT_TRUE(server.start());
  test::RunResult run;
  std::thread pipeline([&] {
    run = test::run_pipeline(
        live_source(22) +
            "lps3sink playlist-length=0 max-pending=64 location=" + server.location("live"),
        180);
  });
  g_usleep(5 * G_USEC_PER_SEC);
  server.stop();
  g_usleep(10 * G_USEC_PER_SEC);
  ASSERT_TRUE(server.start());
  pipeline.join();
  ASSERT_TRUE(run.eos) << run.first_error();
  EXPECT_FALSE(run.has_error()) << run.first_error();
  const std::vector<guint64> seqs = segment_seqs(run);
  ASSERT_GE(seqs.size(), 20u);
  for (size_t i = 0; i < seqs.size(); ++i)
    EXPECT_EQ(seqs[i], i);  // stored (and reported) in order
  test::TempDir dir;
  std::string out;
  ASSERT_EQ(server.aws({"s3", "cp", "--recursive", "s3://hls/live", dir.path()}, &out), 0) << out;
  const std::vector<std::string> listed =
      playlist_segments(test::read_file(dir.file("source.m3u8")));
  ASSERT_EQ(listed.size(), seqs.size());
  for (size_t i = 0; i < listed.size(); ++i)
    EXPECT_TRUE(g_file_test(dir.file(listed[i]).c_str(), G_FILE_TEST_EXISTS)) << listed[i];
  std::string errors;
  test::run_command(
      {"ffmpeg", "-v", "error", "-i", dir.file("index.m3u8"), "-map", "0", "-f", "null", "-"},
      &errors);
  EXPECT_EQ(errors, "");
}

// With the server gone and a huge retry budget, setting the pipeline to NULL still returns: the
// uploads in flight are cancelled rather than waited for.
TEST(Faults, SettingNullStopsPromptlyWhileUploadsRetry) {
  S3Server server(S3Server::Kind::kVerifying);
  ASSERT_TRUE(server.start());
  GstElement *pipeline =
      launch(live_source(60) + "lps3sink retry-attempts=1000 location=" + server.location("live"));
  GstBus *bus = gst_element_get_bus(pipeline);
  ASSERT_NE(gst_element_set_state(pipeline, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
  bool stored = false;
  for (int i = 0; i < 300 && !stored; ++i) {
    GstMessage *msg = gst_bus_timed_pop_filtered(
        bus, 100 * GST_MSECOND, GstMessageType(GST_MESSAGE_ELEMENT | GST_MESSAGE_ERROR));
    if (msg) {
      const GstStructure *s = gst_message_get_structure(msg);
      stored = s && gst_structure_has_name(s, "lps3sink-segment");
      EXPECT_NE(GST_MESSAGE_TYPE(msg), GST_MESSAGE_ERROR);
      gst_message_unref(msg);
    }
  }
  ASSERT_TRUE(stored);
  server.stop();
  g_usleep(3 * G_USEC_PER_SEC);  // the next segments now fail and are retried
  std::atomic<bool> done{false};
  std::thread stopper([&] {
    gst_element_set_state(pipeline, GST_STATE_NULL);
    done = true;
  });
  // A liveness bound, not a timing measurement: without cancellation this takes hours.
  for (int i = 0; i < 300 && !done; ++i)
    g_usleep(100 * 1000);
  EXPECT_TRUE(done) << "set_state(NULL) is stuck behind retrying uploads";
  stopper.join();
  gst_object_unref(bus);
  gst_object_unref(pipeline);
}

// A slow server fills the queue: the stream waits (with a warning) and nothing is dropped.
TEST(Faults, SlowServerAppliesBackpressureWithAWarning) {
  S3Server::Options options;
  options.delay_ms = 700;
  S3Server server(S3Server::Kind::kVerifying, options);
  ASSERT_TRUE(server.start());
  const test::RunResult run =
      test::run_pipeline(live_source(4) +
                             "lps3sink playlist-length=0 concurrency=1 max-pending=1 "
                             "location=" +
                             server.location("live"),
                         180);
  ASSERT_TRUE(run.eos) << run.first_error();
  const auto warnings = run.of_type(GST_MESSAGE_WARNING);
  ASSERT_FALSE(warnings.empty());
  EXPECT_THAT(warnings[0].text, HasSubstr("falling behind"));
  const std::vector<guint64> seqs = segment_seqs(run);
  ASSERT_GE(seqs.size(), 3u);
  const std::vector<std::string> listed =
      playlist_segments(test::read_file(server.data_dir() + "/hls/live/source.m3u8"));
  EXPECT_EQ(listed.size(), seqs.size());
  check_journal_order(server.journal(), "hls/live/");
}

// ---- presigned POST -----------------------------------------------------------------------

TEST(PresignedPost, InsideThePrefixSucceedsOutsideIsRefused) {
  S3Server server(S3Server::Kind::kVerifying);
  ASSERT_TRUE(server.start());
  const PresignedPost post =
      make_presigned_post(location_of(server, "rec"), "stream1/orch1", 600, std::time(nullptr));
  // What travels to the broadcaster carries no secret.
  EXPECT_THAT(post.to_json(), Not(HasSubstr(server.options().secret)));
  PresignedPostStore store(post, {}, nullptr);
  g_autoptr(GBytes) bytes = g_bytes_new_static("segment", 7);
  GError *error = nullptr;
  ASSERT_TRUE(store.put("P360p/0.ts", bytes, {kContentTypeTs, "max-age=86400"}, &error))
      << error->message;
  EXPECT_EQ(test::read_file(server.data_dir() + "/hls/rec/stream1/orch1/P360p/0.ts"), "segment");
  EXPECT_EQ(store.url("P360p/0.ts"), server.endpoint() + "/hls/rec/stream1/orch1/P360p/0.ts");

  S3Client client(S3Location(), {}, nullptr);
  // Refused here before any traffic...
  EXPECT_FALSE(
      presigned_post_upload(client, post, "rec/stream1/orch2/x.ts", bytes, {}, true, &error));
  EXPECT_EQ(error->code, kObjectStoreErrorRefused);
  EXPECT_THAT(error->message, HasSubstr("outside"));
  g_clear_error(&error);
  // ...and by the server, which checks the policy, when sent anyway.
  EXPECT_FALSE(
      presigned_post_upload(client, post, "rec/stream1/orch2/x.ts", bytes, {}, false, &error));
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(error->code, kObjectStoreErrorAuth);
  EXPECT_THAT(error->message, HasSubstr("Policy Condition failed"));
  g_clear_error(&error);
  EXPECT_FALSE(
      g_file_test((server.data_dir() + "/hls/rec/stream1/orch2/x.ts").c_str(), G_FILE_TEST_EXISTS));
  // A policy altered after signing is refused too.
  PresignedPost forged = post;
  forged.key_prefix = "rec/";
  forged.policy = forged.policy.substr(0, forged.policy.size() - 4) + "AAAA";
  EXPECT_FALSE(presigned_post_upload(client, forged, "rec/x.ts", bytes, {}, true, &error));
  EXPECT_EQ(error->code, kObjectStoreErrorAuth);
  g_clear_error(&error);
  EXPECT_FALSE(store.remove("P360p/0.ts", &error));
  g_clear_error(&error);
}

TEST(PresignedPost, SinkPublishesHlsThroughAPolicy) {
  S3Server server(S3Server::Kind::kVerifying);
  ASSERT_TRUE(server.start());
  const PresignedPost post =
      make_presigned_post(location_of(server, ""), "session9", 600, std::time(nullptr));
  GstElement *pipeline = launch(live_source(3) + "lps3sink name=sink playlist-length=0");
  GstElement *sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
  g_object_set(sink, "presigned-post", post.to_json().c_str(), nullptr);
  gst_object_unref(sink);
  const test::RunResult run = test::run_pipeline(pipeline, 120);
  gst_object_unref(pipeline);
  ASSERT_TRUE(run.eos) << run.first_error();
  const std::string root = server.data_dir() + "/hls/session9/";
  const std::vector<std::string> listed = playlist_segments(test::read_file(root + "source.m3u8"));
  ASSERT_GE(listed.size(), 2u);
  for (const auto &segment : listed)
    EXPECT_TRUE(g_file_test((root + segment).c_str(), G_FILE_TEST_EXISTS)) << segment;
  EXPECT_THAT(test::read_file(root + "index.m3u8"), HasSubstr("source.m3u8"));
  check_journal_order(server.journal(), "hls/session9/");
}
