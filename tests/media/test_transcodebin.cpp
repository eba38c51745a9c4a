// lptranscodebin in real pipelines: renditions, timing, aspect, frame rate, hardware choice,
// and what happens to damaged input.
#include "media/tsscan.h"
#include "testutil.h"

#include <gmock/gmock.h>
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>

#include <random>

using namespace lp;
using lp::test::ClipSpec;
using ::testing::HasSubstr;

namespace {

std::string segments_of(const std::string &clip, bool audio, const std::string &transcode) {
  std::string d = "filesrc location=" + clip +
                  " ! tsdemux name=d d. ! queue ! h264parse ! "
                  "lpsegmenter name=s ! " +
                  transcode + " ! appsink name=out";
  if (audio)
    d += " d. ! queue ! aacparse ! s.audio";
  return d;
}

// Source segments made by lpsegmenter, to replay (possibly damaged) through appsrc.
std::vector<test::Segment> source_segments(const ClipSpec &spec) {
  const test::Collected c =
      test::collect_segments("filesrc location=" + test::clip(spec) +
                             " ! tsdemux name=d d. ! queue ! h264parse ! "
                             "lpsegmenter name=s ! appsink name=out" +
                             (spec.audio ? " d. ! queue ! aacparse ! s.audio" : ""));
  EXPECT_FALSE(c.run.has_error()) << c.run.first_error();
  return c.segments;
}

GstBuffer *segment_buffer(const std::vector<uint8_t> &bytes, const SegmentInfo *info) {
  GstBuffer *b = gst_buffer_new_memdup(bytes.data(), bytes.size());
  if (info) {
    GST_BUFFER_PTS(b) = info->pts;
    GST_BUFFER_DURATION(b) = info->duration;
    segment_meta_set(b, *info);
  }
  return b;
}

// Pushes buffers through "appsrc ! lptranscodebin <props> ! appsink" and collects the output.
test::Collected replay(std::vector<GstBuffer *> input, const std::string &props) {
  GstElement *pipeline = gst_parse_launch(
      ("appsrc name=src format=time caps=\"video/mpegts,systemstream=true,packetsize=188\" ! "
       "lptranscodebin " +
       props + " ! appsink name=out")
          .c_str(),
      nullptr);
  GstElement *src = gst_bin_get_by_name(GST_BIN(pipeline), "src");
  for (GstBuffer *b : input)
    gst_app_src_push_buffer(GST_APP_SRC(src), b);
  gst_app_src_end_of_stream(GST_APP_SRC(src));
  gst_object_unref(src);
  test::Collected c = test::collect_segments(pipeline);
  gst_object_unref(pipeline);
  return c;
}

const char *const kLadder = "P360p30fps16x9,P240p30fps16x9";

}  // namespace

TEST(TranscodeBin, RenditionsFollowTheProfilesAndTheSourceTiming) {
  ClipSpec spec;
  spec.width = 1280;
  spec.height = 720;
  spec.seconds = 4;
  spec.bitrate_kbps = 3000;
  const test::Collected c = test::collect_segments(
      segments_of(test::clip(spec), true,
                  std::string("lptranscodebin include-source=true profiles=") + kLadder));
  ASSERT_FALSE(c.run.has_error()) << c.run.first_error();
  ASSERT_TRUE(c.run.eos);
  // Grouped by input segment: source, then the renditions in profile order.
  const std::vector<std::string> order = {"source", "P360p30fps16x9", "P240p30fps16x9"};
  ASSERT_EQ(c.segments.size(), 6u);
  struct Expect {
    int width, height, kbps;
  };
  const std::map<std::string, Expect> expect = {{"P360p30fps16x9", {640, 360, 1200}},
                                                {"P240p30fps16x9", {426, 240, 600}}};
  for (size_t i = 0; i < c.segments.size(); ++i) {
    const test::Segment &s = c.segments[i];
    const test::Segment &source = c.segments[i - i % 3];
    SCOPED_TRACE(s.info.rendition + " #" + std::to_string(s.info.seq));
    EXPECT_EQ(s.info.rendition, order[i % 3]);
    EXPECT_EQ(s.info.seq, i / 3);
    EXPECT_EQ(s.info.pts, source.info.pts);
    EXPECT_EQ(s.info.duration, source.info.duration);
    const test::Probe probe = test::ffprobe_segment(s.bytes);
    ASSERT_TRUE(probe.ok);
    EXPECT_EQ(probe.decode_errors, "");
    EXPECT_TRUE(probe.first_video_is_key);
    EXPECT_GT(probe.audio_frames, 0) << "audio is passed through into every rendition";
    if (s.info.rendition == "source")
      continue;
    const Expect &e = expect.at(s.info.rendition);
    EXPECT_EQ(probe.width, e.width);
    EXPECT_EQ(probe.height, e.height);
    EXPECT_EQ(s.info.width, e.width);
    EXPECT_EQ(s.info.height, e.height);
    EXPECT_EQ(s.info.fps_n, 30);
    EXPECT_EQ(s.info.frames, 60u);
    EXPECT_EQ(probe.video_frames, 60);
    // One GOP per segment: the only IDR is the first frame.
    EXPECT_EQ(probe.key_frames, 1);
    const test::Probe source_probe = test::ffprobe_segment(source.bytes);
    EXPECT_NEAR(probe.video_start, source_probe.video_start, 0.0001)
        << "a rendition starts at its source segment's PTS";
    // Not only the start: every frame has its source frame's 90 kHz PTS.
    EXPECT_EQ(probe.video_pts, source_probe.video_pts);
    EXPECT_EQ(probe.video_pts.size(), 60u);
    EXPECT_GT(probe.bitrate_kbps, e.kbps * 0.7);
    EXPECT_LT(probe.bitrate_kbps, e.kbps * 1.3);
    const ts::ScanResult scan = ts::scan(s.bytes.data(), s.bytes.size());
    EXPECT_EQ(scan.segment_problem(), "");
    EXPECT_EQ(s.info.codecs, scan.codecs());
  }
}

TEST(TranscodeBin, PortraitKeepsItsAspectRatio) {
  ClipSpec spec;
  spec.width = 360;
  spec.height = 640;
  spec.seconds = 2;
  spec.audio = false;
  // A landscape box: height-limited, 360x640 fits as 202x360.
  const test::Collected landscape = test::collect_segments(
      segments_of(test::clip(spec), false, "lptranscodebin profiles=P360p30fps16x9"));
  ASSERT_FALSE(landscape.run.has_error()) << landscape.run.first_error();
  ASSERT_EQ(landscape.segments.size(), 1u);
  const test::Probe p360 = test::ffprobe_segment(landscape.segments[0].bytes);
  EXPECT_EQ(p360.width, 202);
  EXPECT_EQ(p360.height, 360);
  EXPECT_EQ(landscape.segments[0].info.width, 202);
  EXPECT_EQ(landscape.segments[0].info.height, 360);

  // A portrait box given as JSON holds it at half size.
  const test::Collected portrait = test::collect_segments(
      segments_of(test::clip(spec), false,
                  R"(lptranscodebin profiles="[{\"name\":\"tall\",\"width\":180,\"height\":320,)"
                  R"(\"bitrate\":400000,\"fps\":30}]")"));
  ASSERT_FALSE(portrait.run.has_error()) << portrait.run.first_error();
  ASSERT_TRUE(portrait.run.eos);
  ASSERT_EQ(portrait.segments.size(), 1u);
  EXPECT_EQ(portrait.segments[0].info.rendition, "tall");
  const test::Probe tall = test::ffprobe_segment(portrait.segments[0].bytes);
  EXPECT_EQ(tall.width, 180);
  EXPECT_EQ(tall.height, 320);
}

TEST(TranscodeBin, FrameRateIsReducedNeverIncreased) {
  ClipSpec fast;
  fast.width = 320;
  fast.height = 180;
  fast.fps_num = 60;
  fast.gop = 60;
  fast.seconds = 2;
  fast.audio = false;
  const test::Collected c = test::collect_segments(segments_of(
      test::clip(fast), false, "lptranscodebin include-source=true profiles=P144p30fps16x9"));
  ASSERT_FALSE(c.run.has_error()) << c.run.first_error();
  ASSERT_EQ(c.segments.size(), 2u);
  const test::Probe source = test::ffprobe_segment(c.segments[0].bytes);
  const test::Probe low = test::ffprobe_segment(c.segments[1].bytes);
  EXPECT_EQ(source.video_frames, 120);
  EXPECT_EQ(low.video_frames, 60);
  EXPECT_NEAR(low.fps, 30.0, 0.01);
  EXPECT_EQ(c.segments[1].info.fps_n, 30);
  EXPECT_NEAR(low.video_start, source.video_start, 0.0001);

  ClipSpec slow = fast;
  slow.fps_num = 25;
  slow.gop = 50;
  const test::Collected s = test::collect_segments(
      segments_of(test::clip(slow), false, "lptranscodebin profiles=P144p30fps16x9"));
  ASSERT_EQ(s.segments.size(), 1u);
  const test::Probe kept = test::ffprobe_segment(s.segments[0].bytes);
  EXPECT_EQ(kept.video_frames, 50);
  EXPECT_NEAR(kept.fps, 25.0, 0.01);
}

TEST(TranscodeBin, UnknownProfileIsAnErrorAtStateChange) {
  const test::RunResult r = test::run_pipeline(
      "fakesrc num-buffers=1 ! lptranscodebin profiles=P360p30fps16x9,P4Kp99 ! fakesink", 30);
  ASSERT_TRUE(r.has_error());
  EXPECT_THAT(r.first_error(), HasSubstr("unknown profile \"P4Kp99\""));
  EXPECT_THAT(r.first_error(), HasSubstr("known profiles"));
}

TEST(TranscodeBin, AnExplicitAcceleratorThatIsMissingIsAnError) {
  if (GstElementFactory *f = gst_element_factory_find("nvh264dec")) {
    gst_object_unref(f);
    GTEST_SKIP() << "this machine has NVIDIA decoding";
  }
  const test::RunResult r =
      test::run_pipeline("fakesrc num-buffers=1 ! lptranscodebin accel=nvidia ! fakesink", 60);
  ASSERT_TRUE(r.has_error());
  EXPECT_THAT(r.first_error(), HasSubstr("accel=nvidia was requested"));
  EXPECT_THAT(r.first_error(), HasSubstr("nvh264dec not found"));
}

TEST(TranscodeBin, PostsTheChainItChose) {
  ClipSpec spec;
  spec.width = 160;
  spec.height = 120;
  spec.seconds = 1;
  spec.audio = false;
  std::string desc =
      segments_of(test::clip(spec), false, "lptranscodebin name=t profiles=P144p30fps16x9");
  // Nothing pulls from an appsink here, and an unpulled appsink holds EOS back.
  desc.replace(desc.find("appsink name=out"), 16, "fakesink");
  GstElement *pipeline = gst_parse_launch(desc.c_str(), nullptr);
  ASSERT_NE(pipeline, nullptr);
  const test::RunResult r = test::run_pipeline(pipeline, 60);
  GstElement *bin = gst_bin_get_by_name(GST_BIN(pipeline), "t");
  gchar *chain = nullptr;
  g_object_get(bin, "chain", &chain, nullptr);
  gst_object_unref(bin);
  gst_object_unref(pipeline);
  ASSERT_FALSE(r.has_error()) << r.first_error();
  EXPECT_TRUE(r.eos);
  const auto msgs = r.element_messages("lptranscodebin-accel");
  ASSERT_EQ(msgs.size(), 1u);
  ASSERT_NE(chain, nullptr);
  EXPECT_THAT(msgs[0].text, HasSubstr(std::string("chain=(string)") + chain));
  EXPECT_THAT(std::string(chain),
              ::testing::AnyOf("nvidia", "nvidia-decode", "va", "vaapi", "software"));
  g_free(chain);
}

TEST(TranscodeBin, ACorruptSegmentIsSkippedWithAWarningNamingIt) {
  ClipSpec spec;
  spec.width = 320;
  spec.height = 180;
  spec.seconds = 6;
  const std::vector<test::Segment> src = source_segments(spec);
  ASSERT_EQ(src.size(), 3u);
  std::mt19937 rng(7);
  std::vector<uint8_t> noise(src[1].bytes.size());
  for (auto &b : noise)
    b = static_cast<uint8_t>(rng());
  // Segment 2 is cut off in the middle of a packet as well.
  std::vector<uint8_t> truncated(src[2].bytes.begin(),
                                 src[2].bytes.begin() + src[2].bytes.size() / 2 + 17);
  const test::Collected c =
      replay({segment_buffer(src[0].bytes, &src[0].info), segment_buffer(noise, &src[1].info),
              segment_buffer(truncated, &src[2].info)},
             "profiles=P144p30fps16x9");
  ASSERT_FALSE(c.run.has_error()) << c.run.first_error();
  ASSERT_TRUE(c.run.eos);
  ASSERT_EQ(c.segments.size(), 1u);
  EXPECT_EQ(c.segments[0].info.seq, 0u);
  const auto warnings = c.run.of_type(GST_MESSAGE_WARNING);
  ASSERT_GE(warnings.size(), 2u);
  EXPECT_THAT(warnings[0].text, HasSubstr("Segment 1 is corrupt"));
  EXPECT_THAT(warnings[1].text, HasSubstr("Segment 2 is corrupt"));
  EXPECT_EQ(test::ffprobe_segment(c.segments[0].bytes).decode_errors, "");
}

TEST(TranscodeBin, RandomBytesNeverCrashOrHang) {
  std::mt19937 rng(99);
  std::vector<GstBuffer *> input;
  for (int i = 0; i < 30; ++i) {
    std::vector<uint8_t> bytes(1 + rng() % 20000);
    for (auto &b : bytes)
      b = static_cast<uint8_t>(rng());
    if (i % 2) {  // packet-shaped garbage gets further into the parser
      bytes.resize((bytes.size() / 188 + 1) * 188);
      for (size_t p = 0; p < bytes.size(); p += 188)
        bytes[p] = 0x47;
    }
    input.push_back(segment_buffer(bytes, nullptr));
  }
  const test::Collected c = replay(input, "profiles=P144p30fps16x9");
  EXPECT_FALSE(c.run.has_error()) << c.run.first_error();
  EXPECT_TRUE(c.run.eos);
  EXPECT_TRUE(c.segments.empty());
  EXPECT_EQ(c.run.of_type(GST_MESSAGE_WARNING).size(), 30u);
}

TEST(TranscodeBin, TimeGoingBackwardsIsADiscontinuityNotAnError) {
  ClipSpec spec;
  spec.width = 320;
  spec.height = 180;
  spec.seconds = 4;
  spec.audio = true;
  const std::vector<test::Segment> src = source_segments(spec);
  ASSERT_EQ(src.size(), 2u);
  // Replay both, then the first again as a new segment whose time restarts at 0.
  SegmentInfo again = src[0].info;
  again.seq = 2;
  again.discont = true;
  const test::Collected c =
      replay({segment_buffer(src[0].bytes, &src[0].info),
              segment_buffer(src[1].bytes, &src[1].info), segment_buffer(src[0].bytes, &again)},
             "include-source=true profiles=P144p30fps16x9");
  ASSERT_FALSE(c.run.has_error()) << c.run.first_error();
  ASSERT_EQ(c.segments.size(), 6u);
  for (size_t i = 0; i < 6; i += 2) {
    const test::Segment &source = c.segments[i];
    const test::Segment &low = c.segments[i + 1];
    EXPECT_EQ(low.info.seq, i / 2);
    const test::Probe s = test::ffprobe_segment(source.bytes);
    const test::Probe r = test::ffprobe_segment(low.bytes);
    EXPECT_EQ(r.decode_errors, "");
    EXPECT_TRUE(r.first_video_is_key);
    EXPECT_EQ(r.video_frames, 60);
    EXPECT_NEAR(r.video_start, s.video_start, 0.0001);
  }
  EXPECT_TRUE(c.segments[5].info.discont);
}

TEST(TranscodeBin, RenditionsAre420WhateverTheSource) {
  ClipSpec spec;
  spec.width = 320;
  spec.height = 180;
  spec.seconds = 2;
  spec.audio = false;
  spec.pix_fmt = "yuv444p";
  const test::Collected c = test::collect_segments(segments_of(
      test::clip(spec), false, "lptranscodebin include-source=true profiles=P144p30fps16x9"));
  ASSERT_FALSE(c.run.has_error()) << c.run.first_error();
  ASSERT_EQ(c.segments.size(), 2u);
  // High 4:4:4 Predictive (244) stays in the source; the rendition is High (100), 4:2:0.
  const ts::ScanResult source = ts::scan(c.segments[0].bytes.data(), c.segments[0].bytes.size());
  const ts::ScanResult low = ts::scan(c.segments[1].bytes.data(), c.segments[1].bytes.size());
  EXPECT_EQ(source.avc_profile, 244);
  EXPECT_EQ(low.avc_profile, 100);
  EXPECT_THAT(c.segments[1].info.codecs, ::testing::StartsWith("avc1.64"));
  std::string out;
  test::TempDir dir;
  test::write_file(dir.file("low.ts"), c.segments[1].bytes);
  test::run_command({"ffprobe", "-v", "error", "-select_streams", "v", "-show_entries",
                     "stream=pix_fmt", "-of", "csv=p=0", dir.file("low.ts")},
                    &out);
  // (ffprobe lists the stream once per program section, hence no exact match.)
  EXPECT_THAT(out, ::testing::StartsWith("yuv420p\n"));
  EXPECT_THAT(out, ::testing::Not(HasSubstr("444")));
}

TEST(TranscodeBin, RenditionsKeepTheSourceColours) {
  // Scaling 720p to 360p must not convert BT.709 to BT.601 (GStreamer's default below 720
  // lines): against ffmpeg's own downscale of the source, the colour-converted picture scored
  // 23 dB, the faithful one scores well above 30 even after encoding.
  ClipSpec spec;
  spec.width = 1280;
  spec.height = 720;
  spec.seconds = 2;
  spec.audio = false;
  spec.bitrate_kbps = 4000;
  const test::Collected c = test::collect_segments(segments_of(
      test::clip(spec), false, "lptranscodebin include-source=true profiles=P360p30fps16x9"));
  ASSERT_FALSE(c.run.has_error()) << c.run.first_error();
  ASSERT_EQ(c.segments.size(), 2u);
  test::TempDir dir;
  test::write_file(dir.file("source.ts"), c.segments[0].bytes);
  test::write_file(dir.file("low.ts"), c.segments[1].bytes);
  std::string out;
  ASSERT_EQ(
      test::run_command({"ffmpeg", "-i", dir.file("low.ts"), "-i", dir.file("source.ts"), "-lavfi",
                         "[1:v]scale=640:360[ref];[0:v][ref]psnr", "-f", "null", "-"},
                        &out),
      0)
      << out;
  const auto at = out.find("average:");
  ASSERT_NE(at, std::string::npos) << out;
  const double psnr = g_ascii_strtod(out.c_str() + at + 8, nullptr);
  EXPECT_GT(psnr, 30.0) << out.substr(at, 80);
  out.clear();
  test::run_command({"ffprobe", "-v", "error", "-select_streams", "v", "-show_entries",
                     "stream=color_space", "-of", "csv=p=0", dir.file("low.ts")},
                    &out);
  EXPECT_THAT(out, ::testing::Not(HasSubstr("smpte170m")));
}

TEST(TranscodeBin, DownstreamFailuresReachUpstream) {
  // Nothing linked to the source pad: pushes fail with not-linked, which must end the stream
  // with an error rather than transcode into nothing.
  ClipSpec spec;
  spec.width = 320;
  spec.height = 180;
  spec.seconds = 8;
  spec.audio = false;
  const test::RunResult r = test::run_pipeline(
      "filesrc location=" + test::clip(spec) +
          " ! tsdemux ! h264parse ! lpsegmenter ! lptranscodebin profiles=P144p30fps16x9",
      60);
  EXPECT_FALSE(r.timed_out);
  ASSERT_TRUE(r.has_error());
  EXPECT_THAT(r.first_error(), HasSubstr("not-linked"));
}
