// Unit tests of the media helpers: MPEG-TS scanner, profiles, HLS playlists, object store,
// output ordering.
#include "media/muxtimeline.h"
#include "media/profiles.h"
#include "media/segmentcutter.h"
#include "media/segmentmeta.h"
#include "media/tsscan.h"
#include "storage/hlsplaylist.h"
#include "storage/hlspublisher.h"
#include "storage/localstore.h"
#include "testutil.h"
#include "transcode/outbox.h"

#include <gmock/gmock.h>

#include <random>

using namespace lp;
using lp::test::ClipSpec;
using ::testing::HasSubstr;

namespace {

std::vector<uint8_t> clip_bytes(const ClipSpec &spec) {
  const std::string data = test::read_file(test::clip(spec));
  return std::vector<uint8_t>(data.begin(), data.end());
}

}  // namespace

// ---- MPEG-TS scanner ------------------------------------------------------------------

TEST(TsScan, ReadsAnFfmpegSegment) {
  ClipSpec spec;
  spec.width = 320;
  spec.height = 240;
  spec.seconds = 1;
  const auto bytes = clip_bytes(spec);
  const ts::ScanResult r = ts::scan(bytes.data(), bytes.size());
  EXPECT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.segment_problem(), "");
  EXPECT_TRUE(r.starts_with_psi);
  EXPECT_EQ(r.video_stream_type, ts::kStreamTypeH264);
  EXPECT_EQ(r.audio_stream_type, ts::kStreamTypeAacAdts);
  EXPECT_EQ(r.video_pes, 30u);
  EXPECT_TRUE(r.first_video_is_idr);
  // libx264 "high" profile (100), level 1.3 for 320x240@30 at this rate: compare with ffprobe.
  std::string out;
  test::run_command({"ffprobe", "-v", "error", "-select_streams", "v", "-show_entries",
                     "stream=profile,level", "-of", "csv=p=0", test::clip(spec)},
                    &out);
  EXPECT_THAT(out, HasSubstr("High"));
  EXPECT_EQ(r.avc_profile, 100);
  EXPECT_THAT(out, HasSubstr(std::to_string(r.avc_level)));
  EXPECT_EQ(r.aac_object_type, 2);
  char codecs[64];
  std::snprintf(codecs, sizeof codecs, "avc1.64%02x%02x,mp4a.40.2", r.avc_constraints, r.avc_level);
  EXPECT_EQ(r.codecs(), codecs);
  ASSERT_TRUE(r.first_video_pts.has_value());
  // ffmpeg starts MPEG-TS at 1.4 s plus the B-frame delay.
  EXPECT_GE(ts::ticks_to_ns(*r.first_video_pts), GST_SECOND);
}

TEST(TsScan, RejectsWhatIsNotASegment) {
  EXPECT_THAT(ts::scan(nullptr, 0).error, HasSubstr("empty"));
  std::vector<uint8_t> odd(189, 0x47);
  EXPECT_THAT(ts::scan(odd.data(), odd.size()).error, HasSubstr("multiple of 188"));
  std::vector<uint8_t> nosync(188 * 4, 0);
  EXPECT_THAT(ts::scan(nosync.data(), nosync.size()).error, HasSubstr("lost sync at packet 0"));
  // Sync bytes but no tables.
  std::vector<uint8_t> empty_packets(188 * 3, 0xff);
  for (size_t i = 0; i < empty_packets.size(); i += 188) {
    empty_packets[i] = 0x47;
    empty_packets[i + 1] = 0x1f;
    empty_packets[i + 2] = 0xff;
    empty_packets[i + 3] = 0x10;
  }
  EXPECT_EQ(ts::scan(empty_packets.data(), empty_packets.size()).segment_problem(), "no PAT");
}

TEST(TsScan, SurvivesRandomAndDamagedInput) {
  ClipSpec spec;
  spec.width = 160;
  spec.height = 120;
  spec.seconds = 1;
  auto bytes = clip_bytes(spec);
  std::mt19937 rng(1234);
  for (int round = 0; round < 200; ++round) {
    std::vector<uint8_t> damaged = bytes;
    const size_t start = rng() % damaged.size();
    const size_t len = std::min<size_t>(damaged.size() - start, 1 + rng() % 2000);
    for (size_t i = start; i < start + len; ++i)
      damaged[i] = static_cast<uint8_t>(rng());
    const ts::ScanResult r = ts::scan(damaged.data(), damaged.size());
    (void)r.codecs();
  }
  std::vector<uint8_t> noise(188 * 50);
  for (auto &b : noise)
    b = static_cast<uint8_t>(rng());
  for (size_t i = 0; i < noise.size(); i += 188)
    noise[i] = 0x47;
  EXPECT_FALSE(ts::scan(noise.data(), noise.size()).segment_problem().empty());
}

TEST(TsScan, SeesAStreamThatDoesNotStartWithAnIdr) {
  ClipSpec spec;
  spec.width = 160;
  spec.height = 120;
  spec.seconds = 2;
  spec.gop = 30;
  spec.audio = false;
  const auto bytes = clip_bytes(spec);
  // Cut out the second half: its first PES is the second GOP's IDR only by luck; take from
  // the middle of the first GOP instead (packet 40 is well inside frame data).
  std::vector<uint8_t> tail(bytes.begin() + 188 * 40, bytes.end());
  const ts::ScanResult r = ts::scan(tail.data(), tail.size());
  EXPECT_FALSE(r.segment_problem().empty());
}

// ---- profiles ---------------------------------------------------------------------------

TEST(Profiles, DefaultIsGoLivepeersLadder) {
  std::vector<VideoProfile> p;
  std::string error;
  ASSERT_TRUE(parse_profiles(kDefaultProfiles, &p, &error)) << error;
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].name, "P240p30fps16x9");
  EXPECT_EQ(p[0].width, 426);
  EXPECT_EQ(p[0].height, 240);
  EXPECT_EQ(p[0].bitrate, 600000);
  EXPECT_EQ(p[1].name, "P360p30fps16x9");
  EXPECT_EQ(p[1].bitrate, 1200000);
}

TEST(Profiles, TheWholeTable) {
  EXPECT_EQ(standard_profiles().size(), 14u);
  std::vector<VideoProfile> p;
  std::string error;
  ASSERT_TRUE(parse_profiles(" P720p60fps16x9 , P144p30fps16x9,P720p30fps4x3", &p, &error));
  EXPECT_EQ(p[0].fps, 60);
  EXPECT_EQ(p[0].bitrate, 6000000);
  EXPECT_EQ(p[1].width, 256);
  EXPECT_EQ(p[2].width, 960);
}

TEST(Profiles, UnknownNameSaysWhichAndListsTheKnownOnes) {
  std::vector<VideoProfile> p;
  std::string error;
  EXPECT_FALSE(parse_profiles("P360p30fps16x9,P999p", &p, &error));
  EXPECT_THAT(error, HasSubstr("\"P999p\""));
  EXPECT_THAT(error, HasSubstr("P720p30fps16x9"));
  EXPECT_TRUE(p.empty());
  EXPECT_FALSE(parse_profiles(std::string(200000, '['), &p, &error));
  EXPECT_NE(error.find("nested deeper"), std::string::npos) << error;
  EXPECT_FALSE(parse_profiles("", &p, &error));
  EXPECT_FALSE(parse_profiles("P360p30fps16x9,P360p30fps16x9", &p, &error));
  EXPECT_THAT(error, HasSubstr("twice"));
}

TEST(Profiles, JsonAsGoLivepeerWritesIt) {
  std::vector<VideoProfile> p;
  std::string error;
  ASSERT_TRUE(parse_profiles(
      R"([{"name":"720p","width":1280,"height":720,"bitrate":3000000,"fps":30,"fpsDen":1,
           "gop":"2.0","profile":"H264ConstrainedHigh"},
          {"name":"low","width":320,"height":180,"bitrate":"250k","fps":15,"gop":"intra"}])",
      &p, &error))
      << error;
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].gop_ms, 2000);
  EXPECT_EQ(p[0].profile, H264Profile::kConstrainedHigh);
  EXPECT_EQ(p[1].bitrate, 250000);
  EXPECT_EQ(p[1].gop_ms, -1);
  EXPECT_EQ(p[1].fps_den, 1);
  ASSERT_TRUE(
      parse_profiles(R"({"profiles":[{"width":640,"height":360,"bitrate":800000}]})", &p, &error));
  EXPECT_EQ(p[0].name, "360p");
}

TEST(Profiles, JsonErrorsNameTheField) {
  std::vector<VideoProfile> p;
  std::string error;
  EXPECT_FALSE(parse_profiles(R"([{"width":640,"bitrate":1000}])", &p, &error));
  EXPECT_THAT(error, HasSubstr("\"height\""));
  EXPECT_FALSE(parse_profiles(R"([{"width":640,"height":-3,"bitrate":100000}])", &p, &error));
  EXPECT_THAT(error, HasSubstr("\"height\""));
  EXPECT_FALSE(
      parse_profiles(R"([{"name":"../x","width":640,"height":360,"bitrate":100000}])", &p, &error));
  EXPECT_THAT(error, HasSubstr("name"));
  EXPECT_FALSE(parse_profiles("[1,2", &p, &error));
  EXPECT_THAT(error, HasSubstr("JSON"));
  EXPECT_FALSE(parse_profiles(R"([{"width":640,"height":360,"bitrate":100000,"profile":"H265"}])",
                              &p, &error));
  EXPECT_THAT(error, HasSubstr("\"profile\""));
}

TEST(Profiles, FitToBoxKeepsTheAspectRatio) {
  int w = 0, h = 0;
  fit_to_box(1280, 720, 1, 1, 640, 360, &w, &h);
  EXPECT_EQ(w, 640);
  EXPECT_EQ(h, 360);
  fit_to_box(1920, 1080, 1, 1, 426, 240, &w, &h);
  EXPECT_EQ(w, 426);
  EXPECT_EQ(h, 240);
  // Portrait into a landscape box: height-limited.
  fit_to_box(720, 1280, 1, 1, 640, 360, &w, &h);
  EXPECT_EQ(h, 360);
  EXPECT_EQ(w, 202);
  // 4:3 into 16:9.
  fit_to_box(640, 480, 1, 1, 1280, 720, &w, &h);
  EXPECT_EQ(w, 960);
  EXPECT_EQ(h, 720);
  // Anamorphic 720x576 with PAR 16:11 displays as 1047x576.
  fit_to_box(720, 576, 16, 11, 640, 360, &w, &h);
  EXPECT_EQ(h, 352);
  EXPECT_EQ(w, 640);
  EXPECT_EQ(w % 2, 0);
  EXPECT_EQ(h % 2, 0);
}

// ---- HLS playlists ------------------------------------------------------------------------

TEST(HlsPlaylist, MillisecondsAndATargetThatOnlyGrows) {
  MediaPlaylist pl(0, 2.0);
  EXPECT_EQ(pl.target_duration(), 2u);
  pl.add({"s/0.ts", "s/0.ts", 2.0004, false});
  pl.add({"s/1.ts", "s/1.ts", 1.9666666, false});
  EXPECT_EQ(pl.target_duration(), 2u);
  // 2.4 rounds to 2: still within TARGETDURATION (RFC 8216 4.3.3.1).
  pl.add({"s/2.ts", "s/2.ts", 2.4, false});
  EXPECT_EQ(pl.target_duration(), 2u);
  pl.add({"s/3.ts", "s/3.ts", 4.5, false});
  EXPECT_EQ(pl.target_duration(), 5u);
  pl.add({"s/4.ts", "s/4.ts", 2.0, false});
  EXPECT_EQ(pl.target_duration(), 5u);
  pl.end();
  const std::string text = pl.render();
  EXPECT_THAT(text, HasSubstr("#EXTINF:2.000,\ns/0.ts\n"));
  EXPECT_THAT(text, HasSubstr("#EXTINF:1.967,\ns/1.ts\n"));
  EXPECT_THAT(text, HasSubstr("#EXTINF:4.500,\ns/3.ts\n"));
  EXPECT_THAT(text, HasSubstr("#EXT-X-TARGETDURATION:5\n"));
  EXPECT_THAT(text, HasSubstr("#EXT-X-PLAYLIST-TYPE:VOD\n"));
  EXPECT_EQ(text.substr(text.size() - 15), "#EXT-X-ENDLIST\n");
}

TEST(HlsPlaylist, SlidingWindowKeepsSequencesConsistent) {
  MediaPlaylist pl(3, 2.0);
  std::vector<std::string> removed;
  for (int i = 0; i < 7; ++i) {
    const bool discont = i == 1 || i == 5;
    for (const auto &e :
         pl.add({"s/" + std::to_string(i) + ".ts", "s/" + std::to_string(i) + ".ts", 2.0, discont}))
      removed.push_back(e.key);
  }
  EXPECT_EQ(removed, (std::vector<std::string>{"s/0.ts", "s/1.ts", "s/2.ts", "s/3.ts"}));
  const std::string text = pl.render();
  EXPECT_THAT(text, HasSubstr("#EXT-X-MEDIA-SEQUENCE:4\n"));
  // Segment 1 carried a discontinuity and left the window.
  EXPECT_THAT(text, HasSubstr("#EXT-X-DISCONTINUITY-SEQUENCE:1\n"));
  EXPECT_THAT(text, HasSubstr("#EXT-X-DISCONTINUITY\n#EXTINF:2.000,\ns/5.ts"));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("s/3.ts")));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("PLAYLIST-TYPE")));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("ENDLIST")));
}

TEST(HlsPlaylist, MasterListsEveryRenditionAndBandwidthOnlyGrows) {
  MasterPlaylist master;
  EXPECT_TRUE(
      master.update({"source", "source.m3u8", 4000000, 1280, 720, 30, 1, "avc1.64001f,mp4a.40.2"}));
  EXPECT_TRUE(master.update(
      {"P360p30fps16x9", "P360p30fps16x9.m3u8", 1000000, 640, 360, 30000, 1001, "avc1.64001e"}));
  EXPECT_FALSE(
      master.update({"source", "source.m3u8", 4100000, 1280, 720, 30, 1, "avc1.64001f,mp4a.40.2"}));
  EXPECT_TRUE(
      master.update({"source", "source.m3u8", 6000000, 1280, 720, 30, 1, "avc1.64001f,mp4a.40.2"}));
  const std::string text = master.render();
  EXPECT_THAT(text, HasSubstr("#EXT-X-STREAM-INF:BANDWIDTH=6600000,RESOLUTION=1280x720,"
                              "FRAME-RATE=30.000,CODECS=\"avc1.64001f,mp4a.40.2\"\nsource.m3u8\n"));
  EXPECT_THAT(text, HasSubstr("BANDWIDTH=1100000,RESOLUTION=640x360,FRAME-RATE=29.970,"
                              "CODECS=\"avc1.64001e\"\nP360p30fps16x9.m3u8\n"));
  EXPECT_LT(text.find("source.m3u8"), text.find("P360p30fps16x9.m3u8"));
}

// ---- object store ------------------------------------------------------------------------

TEST(ObjectStore, KeysAreRelativeAndSafe) {
  EXPECT_TRUE(object_key_is_valid("source/1.ts"));
  EXPECT_TRUE(object_key_is_valid("index.m3u8"));
  for (const char *bad : {"", "/etc/passwd", "../x", "a/../b", "a//b", "a/", "./a", "a\\b", "a\nb"})
    EXPECT_FALSE(object_key_is_valid(bad)) << bad;
}

TEST(ObjectStore, DirectoryBackendWritesAtomicallyAndDeletes) {
  test::TempDir dir;
  GError *error = nullptr;
  auto store = open_object_store("file://" + dir.path() + "/hls", &error);
  ASSERT_NE(store, nullptr) << (error ? error->message : "");
  GBytes *bytes = g_bytes_new_static("hello", 5);
  ASSERT_TRUE(store->put("a/b/c.ts", bytes, {kContentTypeTs, ""}, &error));
  g_bytes_unref(bytes);
  EXPECT_EQ(test::read_file(dir.path() + "/hls/a/b/c.ts"), "hello");
  EXPECT_EQ(store->url("a/b/c.ts"), "file://" + dir.path() + "/hls/a/b/c.ts");
  // No temporary file is left next to the object.
  std::string listing;
  test::run_command({"ls", "-A", dir.path() + "/hls/a/b"}, &listing);
  EXPECT_EQ(listing, "c.ts\n");
  EXPECT_TRUE(store->remove("a/b/c.ts", &error));
  EXPECT_TRUE(store->remove("a/b/c.ts", &error));  // already gone: fine
  EXPECT_FALSE(g_file_test((dir.path() + "/hls/a/b/c.ts").c_str(), G_FILE_TEST_EXISTS));
  GBytes *more = g_bytes_new_static("x", 1);
  EXPECT_FALSE(store->put("../escape.ts", more, {}, &error));
  ASSERT_NE(error, nullptr);
  EXPECT_THAT(error->message, HasSubstr("invalid object key"));
  g_clear_error(&error);
  g_bytes_unref(more);
}

TEST(ObjectStore, UnusableLocationsAreClearErrors) {
  GError *error = nullptr;
  EXPECT_EQ(open_object_store("", &error), nullptr);
  EXPECT_THAT(error->message, HasSubstr("no location"));
  g_clear_error(&error);
  EXPECT_EQ(open_object_store("ftp://example.com/x", &error), nullptr);
  EXPECT_THAT(error->message, HasSubstr("ftp"));
  g_clear_error(&error);
  EXPECT_EQ(open_object_store("/proc/forbidden/dir", &error), nullptr);
  EXPECT_THAT(error->message, HasSubstr("/proc/forbidden/dir"));
  g_clear_error(&error);
  // Not a relative path: host "relative", path /dir.
  EXPECT_EQ(open_object_store("file://relative/dir", &error), nullptr);
  EXPECT_THAT(error->message, HasSubstr("names host 'relative'"));
  g_clear_error(&error);
}

TEST(HlsPublisher, SegmentBeforePlaylistBeforeMaster) {
  // A store that records the order of writes.
  class Recording : public ObjectStore {
   public:
    std::vector<std::string> order;
    bool put(const std::string &key, GBytes *, const ObjectAttrs &attrs, GError **) override {
      order.push_back(key + " " + attrs.content_type);
      return true;
    }
    bool remove(const std::string &key, GError **) override {
      order.push_back("rm " + key);
      return true;
    }
    std::string url(const std::string &key) const override { return "mem://" + key; }
    std::string describe() const override { return "memory"; }
  };
  auto store = std::make_unique<Recording>();
  Recording *rec = store.get();
  HlsPublisher::Options options;
  options.playlist_length = 2;
  options.delete_segments = true;
  HlsPublisher publisher(std::move(store), options);
  GBytes *bytes = g_bytes_new_static("x", 1);
  for (guint64 seq = 0; seq < 3; ++seq) {
    SegmentInfo info;
    info.seq = seq;
    info.duration = 2 * GST_SECOND;
    info.target_duration = 2 * GST_SECOND;
    info.width = 640;
    info.height = 360;
    info.bandwidth = 1000000;
    GError *error = nullptr;
    ASSERT_TRUE(publisher.publish(bytes, info, nullptr, &error));
  }
  g_bytes_unref(bytes);
  GError *error = nullptr;
  ASSERT_TRUE(publisher.finish(&error));
  EXPECT_EQ(rec->order, (std::vector<std::string>{
                            "source/0.ts video/mp2t",
                            "source.m3u8 application/vnd.apple.mpegurl",
                            "index.m3u8 application/vnd.apple.mpegurl",
                            "source/1.ts video/mp2t",
                            "source.m3u8 application/vnd.apple.mpegurl",
                            "source/2.ts video/mp2t",
                            "source.m3u8 application/vnd.apple.mpegurl",
                            "rm source/0.ts",
                            "source.m3u8 application/vnd.apple.mpegurl",
                        }));
}

// ---- output ordering ----------------------------------------------------------------------

static BufferPtr tagged(guint64 tag) {
  GstBuffer *b = gst_buffer_new();
  GST_BUFFER_OFFSET(b) = tag;
  return BufferPtr(b);
}

TEST(Outbox, ReleasesInInputOrderOnceEveryRenditionMovedOn) {
  Outbox box(2);
  SegmentInfo a, b;
  a.seq = 10;
  b.seq = 11;
  box.open(1, a, tagged(100));
  box.open(2, b, nullptr);
  box.advance(0, 1);
  box.advance(1, 1);
  EXPECT_TRUE(box.take_ready().empty());
  box.complete(1, 1, tagged(1001));
  box.advance(1, 2);  // rendition 1 is done with token 1, rendition 0 is not
  EXPECT_TRUE(box.take_ready().empty());
  box.complete(0, 1, tagged(1000));
  box.advance(0, 2);
  auto ready = box.take_ready();
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].source.seq, 10u);
  EXPECT_EQ(GST_BUFFER_OFFSET(ready[0].source_buffer.get()), 100u);
  EXPECT_EQ(GST_BUFFER_OFFSET(ready[0].renditions[0].get()), 1000u);
  EXPECT_EQ(GST_BUFFER_OFFSET(ready[0].renditions[1].get()), 1001u);
  box.complete(0, 2, tagged(2000));
  box.end(0);
  box.end(1);  // rendition 1 ended without output for token 2
  EXPECT_TRUE(box.all_ended());
  ready = box.take_ready();
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].source.seq, 11u);
  EXPECT_FALSE(ready[0].source_buffer);
  EXPECT_TRUE(ready[0].renditions[0]);
  EXPECT_FALSE(ready[0].renditions[1]);
}

TEST(SegmentMeta, RoundTripsAndFollowsCopies) {
  SegmentInfo info;
  info.rendition = "P360p30fps16x9";
  info.seq = 42;
  info.pts = 84 * GST_SECOND;
  info.duration = 2 * GST_SECOND;
  info.width = 640;
  info.height = 360;
  info.fps_n = 30000;
  info.fps_d = 1001;
  info.frames = 60;
  info.bandwidth = 1234567;
  info.codecs = "avc1.64001e";
  info.stream_id = "abcdef";
  info.discont = true;
  info.target_duration = 2 * GST_SECOND;
  GstBuffer *buf = gst_buffer_new();
  segment_meta_set(buf, info);
  GstBuffer *copy = gst_buffer_copy(buf);
  auto got = segment_meta_get(copy);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->rendition, info.rendition);
  EXPECT_EQ(got->seq, 42u);
  EXPECT_EQ(got->pts, info.pts);
  EXPECT_EQ(got->fps_d, 1001);
  EXPECT_EQ(got->frames, 60u);
  EXPECT_EQ(got->bandwidth, 1234567u);
  EXPECT_EQ(got->codecs, "avc1.64001e");
  EXPECT_EQ(got->stream_id, "abcdef");
  EXPECT_TRUE(got->discont);
  // Readable by name, as an application that does not link us would.
  GstCustomMeta *meta = gst_buffer_get_custom_meta(copy, kSegmentMetaName);
  ASSERT_NE(meta, nullptr);
  EXPECT_STREQ(gst_structure_get_string(gst_custom_meta_get_structure(meta), "rendition"),
               "P360p30fps16x9");
  gst_buffer_unref(copy);
  gst_buffer_unref(buf);
  GstBuffer *plain = gst_buffer_new();
  EXPECT_FALSE(segment_meta_get(plain).has_value());
  gst_buffer_unref(plain);
}

// ---- where the segmenter cuts -------------------------------------------------------------

namespace {

constexpr GstClockTime kFrame = GST_SECOND / 30;

SegmentCutter::Frame frame(int index, bool key, GstClockTime offset = 0) {
  const GstClockTime pts = offset + static_cast<GstClockTime>(index) * kFrame;
  return {pts, static_cast<gint64>(pts), kFrame, key, false};
}

}  // namespace

TEST(SegmentCutter, CutsAtTheFirstKeyframeAtOrAfterTheTarget) {
  SegmentCutter cutter(2 * GST_SECOND, 8 * GST_SECOND);
  cutter.set_format(640, 360, 30, 1);
  std::vector<guint64> starts;
  std::vector<SegmentSpan> ended;
  for (int i = 0; i < 200; ++i) {
    // Keyframes every 45 frames (1.5 s): cuts land on 0, 3 s and 6 s.
    const auto d = cutter.push(frame(i, i % 45 == 0));
    if (d.verdict == SegmentCutter::Verdict::kStart)
      starts.push_back(static_cast<guint64>(i));
    if (d.ended)
      ended.push_back(*d.ended);
    EXPECT_FALSE(d.long_gop);
  }
  EXPECT_EQ(starts, (std::vector<guint64>{0, 90, 180}));
  ASSERT_EQ(ended.size(), 2u);
  EXPECT_EQ(ended[0].seq, 0u);
  EXPECT_EQ(ended[0].frames, 90u);
  EXPECT_EQ(ended[0].end, 90 * kFrame);
  EXPECT_EQ(ended[1].start, 90 * kFrame);
  EXPECT_EQ(ended[0].width, 640);
  const auto last = cutter.finish();
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->seq, 2u);
  EXPECT_EQ(last->frames, 20u);
  EXPECT_EQ(last->end, 200 * kFrame);  // the end of the last frame
}

TEST(SegmentCutter, RoundingDoesNotCostAWholeGop) {
  // 90 kHz timestamps can put the keyframe at 2 s a few microseconds early.
  const GstClockTime almost = 2 * GST_SECOND - 11 * GST_USECOND;
  for (const auto &[key_pts, expected] :
       {std::pair{almost, SegmentCutter::Verdict::kStart},
        std::pair{2 * GST_SECOND - kFrame, SegmentCutter::Verdict::kKeep}}) {
    SegmentCutter cutter(2 * GST_SECOND, 8 * GST_SECOND);
    cutter.set_format(640, 360, 30, 1);
    for (int i = 0; static_cast<GstClockTime>(i) * kFrame < key_pts - kFrame / 2; ++i)
      cutter.push(frame(i, i == 0));
    const auto d = cutter.push({key_pts, static_cast<gint64>(key_pts), kFrame, true, false});
    EXPECT_EQ(d.verdict, expected);
    EXPECT_FALSE(d.started.discont);
  }
}

TEST(SegmentCutter, DropsUntilTheFirstKeyframeAndGivesUpAfterMax) {
  SegmentCutter cutter(2 * GST_SECOND, 3 * GST_SECOND);
  EXPECT_EQ(cutter.push(frame(0, false)).verdict, SegmentCutter::Verdict::kDrop);
  EXPECT_EQ(cutter.push(frame(89, false)).verdict, SegmentCutter::Verdict::kDrop);
  EXPECT_EQ(cutter.push(frame(91, false)).verdict, SegmentCutter::Verdict::kNoKeyframe);
  EXPECT_FALSE(cutter.started());
  EXPECT_TRUE(cutter.saw_video());
  EXPECT_FALSE(cutter.finish().has_value());
}

TEST(SegmentCutter, WarnsOnceAboutALongGop) {
  SegmentCutter cutter(2 * GST_SECOND, 4 * GST_SECOND);
  int warnings = 0;
  for (int i = 0; i < 400; ++i)
    warnings += cutter.push(frame(i, i % 300 == 0)).long_gop ? 1 : 0;
  EXPECT_EQ(warnings, 1);  // only the 10 s GOP, once
}

TEST(SegmentCutter, AJumpInsideAGopCountsMediaNotTheGap) {
  SegmentCutter cutter(2 * GST_SECOND, 8 * GST_SECOND);
  cutter.set_format(640, 360, 30, 1);
  std::vector<SegmentSpan> ended;
  std::vector<SegmentSpan> started;
  // Keyframes every 60 frames; from frame 75 on, time is 10 s later.
  for (int i = 0; i < 150; ++i) {
    const auto d = cutter.push(frame(i, i % 60 == 0, i >= 75 ? 10 * GST_SECOND : 0));
    EXPECT_FALSE(d.went_back) << "time moving forward needs no shift";
    EXPECT_FALSE(d.long_gop) << i;
    if (d.ended)
      ended.push_back(*d.ended);
    if (d.verdict == SegmentCutter::Verdict::kStart)
      started.push_back(d.started);
  }
  ASSERT_EQ(ended.size(), 2u);
  EXPECT_EQ(ended[1].start, 60 * kFrame);
  EXPECT_EQ(ended[1].end - ended[1].start, 60 * kFrame) << "2 s of frames, not 12 s";
  ASSERT_EQ(started.size(), 3u);
  EXPECT_TRUE(started[2].discont) << "the next segment marks the jump";
  EXPECT_EQ(started[2].start, 10 * GST_SECOND + 120 * kFrame);
}

TEST(SegmentCutter, TimeGoingBackInsideAGopCountsMedia) {
  SegmentCutter cutter(2 * GST_SECOND, 8 * GST_SECOND);
  cutter.set_format(640, 360, 30, 1);
  // 0-2 s, then inside the next GOP time restarts at 0.
  int went_back = 0;
  std::vector<SegmentSpan> ended;
  std::vector<SegmentSpan> started;
  for (int i = 0; i < 180; ++i) {
    const auto f = i < 75 ? frame(i, i % 60 == 0) : frame(i - 75, (i - 75) % 60 == 45);
    const auto d = cutter.push(f);
    ASSERT_NE(d.verdict, SegmentCutter::Verdict::kOutOfOrder) << i;
    went_back += d.went_back ? 1 : 0;
    if (d.ended)
      ended.push_back(*d.ended);
    if (d.verdict == SegmentCutter::Verdict::kStart)
      started.push_back(d.started);
  }
  EXPECT_EQ(went_back, 1);
  ASSERT_GE(ended.size(), 2u);
  EXPECT_EQ(ended[1].end - ended[1].start, 60 * kFrame);
  ASSERT_GE(started.size(), 3u);
  EXPECT_TRUE(started[2].discont);
  EXPECT_EQ(started[2].start, 45 * kFrame) << "the meta keeps the input's own time";
}

TEST(SegmentCutter, ABrokenStampIsLeftOutAndChangesNothingElse) {
  SegmentCutter cutter(2 * GST_SECOND, 8 * GST_SECOND);
  cutter.set_format(640, 360, 30, 1);
  std::vector<SegmentSpan> ended;
  int left_out = 0;
  for (int i = 0; i < 130; ++i) {
    auto f = frame(i, i % 60 == 0);
    if (i == 70) {
      f.dts -= static_cast<gint64>(980 * GST_MSECOND);  // one frame stamped 0.98 s early
      f.pts -= 980 * GST_MSECOND;
    }
    const auto d = cutter.push(f);
    left_out += d.verdict == SegmentCutter::Verdict::kOutOfOrder ? 1 : 0;
    EXPECT_FALSE(d.went_back);
    EXPECT_FALSE(d.started.discont) << i;
    if (d.ended)
      ended.push_back(*d.ended);
  }
  EXPECT_EQ(left_out, 1);
  ASSERT_EQ(ended.size(), 2u);
  EXPECT_EQ(ended[1].end - ended[1].start, 60 * kFrame);
  EXPECT_EQ(ended[1].frames, 59u) << "the frame left out is not counted";
}

TEST(JumpShifts, BothStreamsTakeTheSameShift) {
  JumpShifts shifts;
  shifts.ended_at(JumpShifts::kVideo, 10 * GST_SECOND);
  shifts.ended_at(JumpShifts::kAudio, 10 * GST_SECOND + 300 * GST_MSECOND);
  // Video restarts at 0 first: it carries on after the later of the two ends.
  EXPECT_EQ(shifts.jumped_back(JumpShifts::kVideo, 0), 10 * GST_SECOND + 300 * GST_MSECOND);
  EXPECT_EQ(shifts.shift(JumpShifts::kAudio), 0) << "audio has not jumped yet";
  shifts.ended_at(JumpShifts::kAudio, 10 * GST_SECOND + 500 * GST_MSECOND);
  EXPECT_EQ(shifts.jumped_back(JumpShifts::kAudio, 20 * GST_MSECOND),
            10 * GST_SECOND + 300 * GST_MSECOND)
      << "audio takes video's shift, so they stay in sync";
  EXPECT_EQ(shifts.shift(JumpShifts::kVideo), shifts.shift(JumpShifts::kAudio));
  // Audio jumps first this time; video still writes 200 ms past audio's end before it jumps:
  // it carries on after its own frames rather than overlap them.
  const gint64 base = shifts.shift(JumpShifts::kVideo);
  shifts.ended_at(JumpShifts::kAudio, base + 5 * GST_SECOND);
  EXPECT_EQ(shifts.jumped_back(JumpShifts::kAudio, 0), base + 5 * GST_SECOND);
  shifts.ended_at(JumpShifts::kVideo, base + 5 * GST_SECOND + 200 * GST_MSECOND);
  EXPECT_EQ(shifts.jumped_back(JumpShifts::kVideo, 0), base + 5 * GST_SECOND + 200 * GST_MSECOND);
  shifts.reset();
  EXPECT_EQ(shifts.shift(JumpShifts::kVideo), 0);
}

TEST(DecodeTimes, MadeUpForBFramesWithoutDts) {
  // I P B B P B B ... in decode order, presentation order 0 3 1 2 6 4 5 ...
  DecodeTimes times;
  gint64 last = G_MININT64;
  for (int i = 0; i < 60; ++i) {
    const int group = i == 0 ? 0 : (i - 1) / 3;
    const int in_group = i == 0 ? 0 : (i - 1) % 3;
    const int shown = i == 0 ? 0 : 3 * group + (in_group == 0 ? 3 : in_group);
    const GstClockTime pts = static_cast<GstClockTime>(shown) * kFrame;
    const gint64 dts = times.next(pts, kFrame);
    EXPECT_GT(dts, last) << "frame " << i;
    EXPECT_LE(dts, static_cast<gint64>(pts)) << "frame " << i;
    last = dts;
  }
  // Time jumping back is kept, for the segmenter to see.
  EXPECT_LT(times.next(0, kFrame), 0);
}

TEST(SegmentCutter, DiscontinuitiesStartASegmentAtOnce) {
  SegmentCutter cutter(2 * GST_SECOND, 8 * GST_SECOND);
  cutter.push(frame(0, true));
  cutter.push(frame(1, false));
  // Time jumps 10 s ahead on a keyframe well before the target.
  auto d = cutter.push(frame(2, true, 10 * GST_SECOND));
  ASSERT_EQ(d.verdict, SegmentCutter::Verdict::kStart);
  EXPECT_TRUE(d.started.discont);
  ASSERT_TRUE(d.ended.has_value());
  EXPECT_EQ(d.ended->end, 2 * kFrame) << "ends with its last frame, not 10 s later";
  // Backwards, flagged on the buffer, after a flush: each marks the next segment.
  d = cutter.push(frame(0, true));
  EXPECT_TRUE(d.started.discont);
  auto flagged = frame(1, true);
  flagged.discont = true;
  EXPECT_TRUE(cutter.push(flagged).started.discont);
  cutter.flush();
  d = cutter.push(frame(5, true, 20 * GST_SECOND));
  EXPECT_TRUE(d.started.discont);
  // A continuous keyframe stream with a 1 s GOP is not a discontinuity.
  SegmentCutter calm(2 * GST_SECOND, 8 * GST_SECOND);
  for (int i = 0; i < 300; ++i)
    EXPECT_FALSE(calm.push(frame(i, i % 30 == 0)).started.discont);
}
