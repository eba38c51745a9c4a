// lps3sink writing HLS to a directory: the tree, the playlists, the window, the errors.
#include "testutil.h"

#include <gmock/gmock.h>
#include <gst/app/gstappsrc.h>

#include <regex>

using namespace lp;
using lp::test::ClipSpec;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

bool exists(const std::string &path) {
  return g_file_test(path.c_str(), G_FILE_TEST_EXISTS);
}

std::string ladder_to(const std::string &clip, const std::string &sink_props) {
  return "filesrc location=" + clip +
         " ! tsdemux name=d d. ! queue ! h264parse ! "
         "lpsegmenter name=s ! lptranscodebin include-source=true profiles=P240p30fps16x9,"
         "P144p30fps16x9 ! lps3sink " +
         sink_props + " d. ! queue ! aacparse ! s.audio";
}

ClipSpec small_clip(double seconds) {
  ClipSpec spec;
  spec.width = 480;
  spec.height = 270;
  spec.seconds = seconds;
  return spec;
}

}  // namespace

TEST(S3SinkLocal, WritesAPlayableHlsTree) {
  test::TempDir dir;
  const test::RunResult r = test::run_pipeline(
      ladder_to(test::clip(small_clip(6)), "location=file://" + dir.path() + " playlist-length=0"));
  ASSERT_FALSE(r.has_error()) << r.first_error();
  ASSERT_TRUE(r.eos);
  for (const char *rendition : {"source", "P240p30fps16x9", "P144p30fps16x9"}) {
    for (int seq = 0; seq < 3; ++seq)
      EXPECT_TRUE(exists(dir.path() + "/" + rendition + "/" + std::to_string(seq) + ".ts"))
          << rendition << " " << seq;
    const std::string media = test::read_file(dir.path() + "/" + rendition + ".m3u8");
    EXPECT_THAT(media, HasSubstr("#EXT-X-TARGETDURATION:2\n"));
    EXPECT_THAT(media, HasSubstr("#EXT-X-MEDIA-SEQUENCE:0\n"));
    EXPECT_THAT(media, HasSubstr(std::string("#EXTINF:2.000,\n") + rendition + "/0.ts\n"));
    EXPECT_THAT(media, HasSubstr("#EXT-X-PLAYLIST-TYPE:VOD\n"));
    EXPECT_THAT(media, HasSubstr("#EXT-X-ENDLIST\n"));
  }
  const std::string master = test::read_file(dir.path() + "/index.m3u8");
  EXPECT_THAT(master, HasSubstr("RESOLUTION=480x270"));
  EXPECT_THAT(master, HasSubstr("RESOLUTION=426x240"));
  EXPECT_THAT(master, HasSubstr("RESOLUTION=256x144"));
  const std::regex variant(
      "#EXT-X-STREAM-INF:BANDWIDTH=[0-9]+,RESOLUTION=[0-9]+x[0-9]+,FRAME-RATE=30\\.000,"
      "CODECS=\"avc1\\.64[0-9a-f]{4},mp4a\\.40\\.2\"\n[A-Za-z0-9]+\\.m3u8\n");
  EXPECT_EQ(std::distance(std::sregex_iterator(master.begin(), master.end(), variant),
                          std::sregex_iterator()),
            3);

  // The whole ladder plays end to end: ffmpeg prints nothing.
  std::string out;
  EXPECT_EQ(test::run_command({"ffmpeg", "-v", "error", "-i", dir.path() + "/index.m3u8", "-map",
                               "0", "-f", "null", "-"},
                              &out),
            0);
  EXPECT_EQ(out, "");

  // One message per segment written, naming it.
  const auto msgs = r.element_messages("lps3sink-segment");
  ASSERT_EQ(msgs.size(), 9u);
  EXPECT_THAT(msgs[0].text, HasSubstr("rendition=(string)source"));
  EXPECT_THAT(msgs[0].text, HasSubstr("location=(string)file://" + dir.path() + "/source/0.ts,"));
  EXPECT_THAT(msgs[0].text, HasSubstr("master=(string)file://" + dir.path() + "/index.m3u8;"));
}

TEST(S3SinkLocal, LiveWindowSlidesAndCanDeleteOldSegments) {
  test::TempDir keep, drop;
  const std::string clip = test::clip(small_clip(10));
  ASSERT_FALSE(test::run_pipeline(ladder_to(clip, "location=" + keep.path() + " playlist-length=2"))
                   .has_error());
  const test::RunResult r = test::run_pipeline(
      ladder_to(clip, "location=" + drop.path() + " playlist-length=2 delete-segments=true"));
  ASSERT_FALSE(r.has_error()) << r.first_error();
  for (const test::TempDir *dir : {&keep, &drop}) {
    const std::string media = test::read_file(dir->path() + "/source.m3u8");
    EXPECT_THAT(media, HasSubstr("#EXT-X-MEDIA-SEQUENCE:3\n"));
    EXPECT_THAT(media, HasSubstr("source/3.ts\n"));
    EXPECT_THAT(media, HasSubstr("source/4.ts\n"));
    EXPECT_THAT(media, Not(HasSubstr("source/2.ts")));
    EXPECT_THAT(media, Not(HasSubstr("PLAYLIST-TYPE")));
    EXPECT_THAT(media, HasSubstr("#EXT-X-ENDLIST\n"));
  }
  EXPECT_TRUE(exists(keep.path() + "/source/0.ts"));
  EXPECT_FALSE(exists(drop.path() + "/source/0.ts"));
  EXPECT_FALSE(exists(drop.path() + "/P144p30fps16x9/2.ts"));
  EXPECT_TRUE(exists(drop.path() + "/source/3.ts"));
  EXPECT_TRUE(exists(drop.path() + "/P144p30fps16x9/4.ts"));
}

TEST(S3SinkLocal, ABufferWithoutSegmentMetaIsAClearError) {
  test::TempDir dir;
  GstElement *pipeline = gst_parse_launch(
      ("appsrc name=src format=time caps=\"video/mpegts,systemstream=true,packetsize=188\" ! "
       "lps3sink location=" +
       dir.path())
          .c_str(),
      nullptr);
  GstElement *src = gst_bin_get_by_name(GST_BIN(pipeline), "src");
  gst_app_src_push_buffer(GST_APP_SRC(src), gst_buffer_new_allocate(nullptr, 188, nullptr));
  gst_app_src_end_of_stream(GST_APP_SRC(src));
  gst_object_unref(src);
  const test::RunResult r = test::run_pipeline(pipeline, 30);
  gst_object_unref(pipeline);
  ASSERT_TRUE(r.has_error());
  EXPECT_THAT(r.first_error(), HasSubstr("lps3sink needs a segment stream"));
  EXPECT_THAT(r.first_error(), HasSubstr("lpsegmenter or lptranscodebin"));
}

TEST(S3SinkLocal, MissingOrUnusableLocationIsAClearError) {
  const std::string clip = test::clip(small_clip(2));
  test::RunResult r = test::run_pipeline(ladder_to(clip, ""), 60);
  ASSERT_TRUE(r.has_error());
  EXPECT_THAT(r.first_error(), HasSubstr("No location set"));
  r = test::run_pipeline(ladder_to(clip, "location=/proc/nope/hls"), 60);
  ASSERT_TRUE(r.has_error());
  EXPECT_THAT(r.first_error(), HasSubstr("/proc/nope/hls"));
  r = test::run_pipeline(ladder_to(clip, "location=gopher://example.com/x"), 60);
  ASSERT_TRUE(r.has_error());
  EXPECT_THAT(r.first_error(), HasSubstr("gopher"));
}
