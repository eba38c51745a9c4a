// lpsegmenter in real pipelines: where it cuts, what each segment holds, timestamps, errors.
#include "media/tsscan.h"
#include "testutil.h"

#include <gmock/gmock.h>
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>

#include <cmath>

using namespace lp;
using lp::test::ClipSpec;
using ::testing::HasSubstr;

namespace {

std::string demux_to_segmenter(const std::string &clip, const std::string &segmenter_props,
                               bool audio) {
  std::string d = "filesrc location=" + clip +
                  " ! tsdemux name=d d. ! queue ! h264parse ! "
                  "lpsegmenter name=s " +
                  segmenter_props + " ! appsink name=out";
  if (audio)
    d += " d. ! queue ! aacparse ! s.audio";
  return d;
}

double seconds(GstClockTime t) {
  return static_cast<double>(t) / GST_SECOND;
}

// Encoded H.264 frames (with caps) from a test source, for appsrc-driven tests.
struct Encoded {
  GstCaps *caps = nullptr;
  std::vector<GstBuffer *> frames;
  ~Encoded() {
    for (auto *b : frames)
      gst_buffer_unref(b);
    if (caps)
      gst_caps_unref(caps);
  }
};

void encode(int frames, int keyint, Encoded *out) {
  const std::string desc = "videotestsrc num-buffers=" + std::to_string(frames) +
                           " ! video/x-raw,width=160,height=120,framerate=30/1 ! x264enc "
                           "key-int-max=" +
                           std::to_string(keyint) +
                           " bframes=0 ! h264parse ! video/x-h264,stream-format=byte-stream,"
                           "alignment=au ! appsink name=out sync=false";
  GstElement *pipeline = gst_parse_launch(desc.c_str(), nullptr);
  ASSERT_NE(pipeline, nullptr);
  GstElement *sink = gst_bin_get_by_name(GST_BIN(pipeline), "out");
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  while (GstSample *sample = gst_app_sink_pull_sample(GST_APP_SINK(sink))) {
    if (!out->caps)
      out->caps = gst_caps_ref(gst_sample_get_caps(sample));
    // x264enc stamps frames from 1000 h on (its min-pts); bring them back to running time.
    const GstSegment *segment = gst_sample_get_segment(sample);
    GstBuffer *b = gst_buffer_copy(gst_sample_get_buffer(sample));
    GST_BUFFER_PTS(b) = gst_segment_to_running_time(segment, GST_FORMAT_TIME, GST_BUFFER_PTS(b));
    GST_BUFFER_DTS(b) = gst_segment_to_running_time(segment, GST_FORMAT_TIME, GST_BUFFER_DTS(b));
    out->frames.push_back(b);
    gst_sample_unref(sample);
  }
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(sink);
  gst_object_unref(pipeline);
  ASSERT_EQ(out->frames.size(), static_cast<size_t>(frames));
}

}  // namespace

TEST(Segmenter, CutsAtKeyframesIntoDecodableContinuousSegments) {
  ClipSpec spec;
  spec.seconds = 7;
  spec.gop = 30;  // a keyframe every second
  const test::Collected c = test::collect_segments(
      demux_to_segmenter(test::clip(spec), "target-duration=2 stream-id=teststream", true));
  ASSERT_FALSE(c.run.has_error()) << c.run.first_error();
  ASSERT_TRUE(c.run.eos);
  ASSERT_EQ(c.segments.size(), 4u);  // 2 + 2 + 2 + the last partial second

  double total = 0;
  guint frames = 0;
  for (size_t i = 0; i < c.segments.size(); ++i) {
    const test::Segment &s = c.segments[i];
    SCOPED_TRACE("segment " + std::to_string(i));
    EXPECT_EQ(s.info.rendition, "source");
    EXPECT_EQ(s.info.seq, i);
    EXPECT_EQ(s.info.stream_id, "teststream");
    EXPECT_EQ(s.info.width, 640);
    EXPECT_EQ(s.info.height, 360);
    EXPECT_EQ(s.info.fps_n, 30);
    EXPECT_EQ(s.info.target_duration, 2 * GST_SECOND);
    EXPECT_FALSE(s.info.discont);
    EXPECT_EQ(s.pts, s.info.pts);
    EXPECT_NEAR(seconds(s.info.duration), i < 3 ? 2.0 : 1.0, 0.002);
    EXPECT_GT(s.info.bandwidth, 0u);
    total += seconds(s.info.duration);
    frames += s.info.frames;

    // Our own scanner: PAT/PMT first, then an IDR.
    const ts::ScanResult scan = ts::scan(s.bytes.data(), s.bytes.size());
    EXPECT_EQ(scan.segment_problem(), "");
    EXPECT_EQ(s.info.codecs, scan.codecs());
    EXPECT_THAT(s.info.codecs, ::testing::MatchesRegex("avc1\\.64[0-9a-f]{4},mp4a\\.40\\.2"));

    // ffprobe, independently: decodable alone, keyframe first, audio inside.
    const test::Probe probe = test::ffprobe_segment(s.bytes);
    ASSERT_TRUE(probe.ok);
    EXPECT_EQ(probe.decode_errors, "");
    EXPECT_TRUE(probe.first_video_is_key);
    EXPECT_EQ(probe.video_frames, static_cast<int>(s.info.frames));
    EXPECT_GT(probe.audio_frames, 0);
    // The MPEG-TS PTS is the meta PTS plus mpegtsmux's 3600 s base.
    EXPECT_NEAR(probe.video_start, 3600.0 + seconds(s.info.pts), 0.0001);
    if (i > 0) {
      const test::Segment &prev = c.segments[i - 1];
      EXPECT_EQ(s.info.pts, prev.info.pts + prev.info.duration) << "PTS must be continuous";
    }
  }
  EXPECT_NEAR(total, 7.0, 0.002);
  EXPECT_EQ(frames, 210u);
}

// Two clips played one after the other without adjusting their times: at the second, video
// and audio time jump back to where the first began.
TEST(Segmenter, TimeJumpingBackIsADiscontinuityNotAnError) {
  ClipSpec spec;
  spec.seconds = 4;
  spec.gop = 30;
  const std::string clip = test::clip(spec);
  std::string desc =
      "concat name=cv adjust-base=false ! queue ! lpsegmenter name=s target-duration=2 ! "
      "appsink name=out concat name=ca adjust-base=false ! queue ! s.audio ";
  for (int i = 0; i < 2; ++i) {
    const std::string d = "d" + std::to_string(i);
    desc += "filesrc location=" + clip + " ! tsdemux name=" + d + " " + d +
            ". ! queue ! h264parse ! cv. " + d + ". ! queue ! aacparse ! ca. ";
  }
  const test::Collected c = test::collect_segments(desc);
  ASSERT_FALSE(c.run.has_error()) << c.run.first_error();
  ASSERT_TRUE(c.run.eos);
  ASSERT_EQ(c.segments.size(), 4u);
  double muxed_end = 0;
  for (size_t i = 0; i < c.segments.size(); ++i) {
    const test::Segment &s = c.segments[i];
    SCOPED_TRACE("segment " + std::to_string(i));
    EXPECT_EQ(s.info.discont, i == 2);
    EXPECT_NEAR(seconds(s.info.duration), 2.0, 0.002);
    const test::Probe probe = test::ffprobe_segment(s.bytes);
    ASSERT_TRUE(probe.ok);
    EXPECT_EQ(probe.decode_errors, "");
    EXPECT_TRUE(probe.first_video_is_key);
    EXPECT_GT(probe.audio_frames, 0);
    // Inside the MPEG-TS, time carries on across the jump: after the later of the two
    // streams' ends, so less than a video frame after the video's.
    if (i > 0) {
      EXPECT_GE(probe.video_start, muxed_end - 0.0001);
      EXPECT_LT(probe.video_start, muxed_end + 1.0 / 30);
    }
    muxed_end = probe.video_start + seconds(s.info.duration);
  }
  EXPECT_EQ(c.segments[2].info.pts, c.segments[0].info.pts) << "the meta keeps the input's time";
}

// Matroska keeps presentation times only: B-frames arrive without DTS, and the segmenter makes
// decode times up rather than leave frames out.
TEST(Segmenter, BFramesWithoutDecodeTimesAreAllKept) {
  ClipSpec spec;
  spec.seconds = 6;
  spec.gop = 30;
  spec.container = "matroska";
  // Video only: with audio, matroskademux moves the video's segment start by the audio's
  // offset after the first frames, which shifts the first GOP's running times by 21 ms.
  spec.audio = false;
  const test::Collected c = test::collect_segments(
      "filesrc location=" + test::clip(spec) +
      " ! matroskademux ! h264parse ! lpsegmenter target-duration=2 ! appsink name=out");
  ASSERT_FALSE(c.run.has_error()) << c.run.first_error();
  EXPECT_TRUE(c.run.of_type(GST_MESSAGE_WARNING).empty());
  ASSERT_EQ(c.segments.size(), 3u);
  guint frames = 0;
  for (const test::Segment &s : c.segments) {
    const test::Probe probe = test::ffprobe_segment(s.bytes);
    ASSERT_TRUE(probe.ok);
    EXPECT_EQ(probe.decode_errors, "");
    EXPECT_TRUE(probe.first_video_is_key);
    EXPECT_EQ(probe.video_frames, static_cast<int>(s.info.frames));
    EXPECT_NEAR(seconds(s.info.duration), 2.0, 0.002);
    frames += s.info.frames;
  }
  EXPECT_EQ(frames, 180u);
}

TEST(Segmenter, CutsAtTheFirstKeyframeAtOrAfterTheTarget) {
  ClipSpec spec;
  spec.width = 320;
  spec.height = 180;
  spec.seconds = 7;
  spec.gop = 45;  // keyframes every 1.5 s: 0, 1.5, 3, 4.5, 6
  spec.audio = false;
  const test::Collected c =
      test::collect_segments(demux_to_segmenter(test::clip(spec), "target-duration=2", false));
  ASSERT_FALSE(c.run.has_error()) << c.run.first_error();
  ASSERT_EQ(c.segments.size(), 3u);
  EXPECT_NEAR(seconds(c.segments[0].info.duration), 3.0, 0.002);
  EXPECT_NEAR(seconds(c.segments[1].info.duration), 3.0, 0.002);
  EXPECT_NEAR(seconds(c.segments[2].info.duration), 1.0, 0.002);
}

TEST(Segmenter, AsksALiveEncoderForKeyframesAtTheTarget) {
  // The encoder would put a keyframe only every 600 frames; the requests make it cut at 2 s.
  const test::Collected c = test::collect_segments(
      "videotestsrc num-buffers=180 ! video/x-raw,width=160,height=120,framerate=30/1 ! "
      "x264enc key-int-max=600 ! h264parse ! lpsegmenter target-duration=2 ! appsink name=out");
  ASSERT_FALSE(c.run.has_error()) << c.run.first_error();
  ASSERT_EQ(c.segments.size(), 3u);
  for (const auto &s : c.segments) {
    EXPECT_NEAR(seconds(s.info.duration), 2.0, 0.002);
    EXPECT_EQ(s.info.frames, 60u);
  }
}

TEST(Segmenter, LongGopPostsAWarningAndCutsAtTheNextKeyframe) {
  ClipSpec spec;
  spec.width = 160;
  spec.height = 120;
  spec.seconds = 12;
  spec.gop = 300;  // 10 s
  spec.audio = false;
  const test::Collected c = test::collect_segments(
      demux_to_segmenter(test::clip(spec), "target-duration=2 max-duration=4", false));
  ASSERT_FALSE(c.run.has_error()) << c.run.first_error();
  ASSERT_EQ(c.segments.size(), 2u);
  EXPECT_NEAR(seconds(c.segments[0].info.duration), 10.0, 0.002);
  EXPECT_NEAR(seconds(c.segments[1].info.duration), 2.0, 0.002);
  const auto warnings = c.run.of_type(GST_MESSAGE_WARNING);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0].text, HasSubstr("keyframe interval is too long"));
  EXPECT_THAT(warnings[0].text, HasSubstr("max-duration (4 s)"));
}

TEST(Segmenter, VideoWithoutAnyKeyframeIsAClearError) {
  // One IDR at the start, then only P frames; the IDR slices are stripped out.
  test::TempDir dir;
  const std::string path = dir.file("nokey.ts");
  std::string out;
  ASSERT_EQ(test::run_command({"ffmpeg",
                               "-v",
                               "error",
                               "-f",
                               "lavfi",
                               "-i",
                               "testsrc2=size=160x120:rate=30",
                               "-t",
                               "5",
                               "-c:v",
                               "libx264",
                               "-g",
                               "1000",
                               "-bf",
                               "0",
                               "-bsf:v",
                               "filter_units=remove_types=5",
                               "-f",
                               "mpegts",
                               path},
                              &out),
            0)
      << out;
  const test::RunResult r = test::run_pipeline("filesrc location=" + path +
                                               " ! tsdemux ! h264parse ! lpsegmenter "
                                               "max-duration=2 ! fakesink");
  ASSERT_TRUE(r.has_error());
  EXPECT_THAT(r.first_error(), HasSubstr("no keyframe"));
}

TEST(Segmenter, AudioOnlyIsAClearError) {
  const test::RunResult r = test::run_pipeline(
      "audiotestsrc num-buffers=200 ! avenc_aac ! aacparse ! s.audio "
      "lpsegmenter name=s max-duration=2 ! fakesink");
  ASSERT_TRUE(r.has_error());
  EXPECT_THAT(r.first_error(), HasSubstr("got audio but no video"));
}

TEST(Segmenter, NonH264RefusesToLinkWithAClearMessage) {
  GError *error = nullptr;
  GstElement *p = gst_parse_launch("videotestsrc ! lpsegmenter ! fakesink", &error);
  ASSERT_NE(error, nullptr);
  EXPECT_THAT(error->message, HasSubstr("could not link"));
  g_clear_error(&error);
  if (p)
    gst_object_unref(p);

  // Caps forced on at run time get lpsegmenter's own explanation.
  GstElement *pipeline = gst_parse_launch("appsrc name=src ! lpsegmenter ! fakesink", nullptr);
  ASSERT_NE(pipeline, nullptr);
  GstElement *src = gst_bin_get_by_name(GST_BIN(pipeline), "src");
  GstCaps *raw = gst_caps_from_string("video/x-raw,format=I420,width=64,height=64,framerate=30/1");
  g_object_set(src, "caps", raw, "format", GST_FORMAT_TIME, nullptr);
  gst_caps_unref(raw);
  GstBuffer *frame = gst_buffer_new_allocate(nullptr, 64 * 64 * 3 / 2, nullptr);
  GST_BUFFER_PTS(frame) = 0;
  gst_app_src_push_buffer(GST_APP_SRC(src), frame);
  gst_app_src_end_of_stream(GST_APP_SRC(src));
  gst_object_unref(src);
  const test::RunResult r = test::run_pipeline(pipeline, 30);
  gst_object_unref(pipeline);
  ASSERT_TRUE(r.has_error());
  bool explained = false;
  for (const auto &m : r.of_type(GST_MESSAGE_ERROR))
    explained |= m.text.find("lpsegmenter needs H.264 video") != std::string::npos;
  EXPECT_TRUE(explained) << r.first_error();
}

TEST(Segmenter, MarksDiscontinuitiesAndStreamsBeforeEos) {
  Encoded enc;
  encode(180, 30, &enc);
  GstElement *pipeline = gst_parse_launch(
      "appsrc name=src format=time ! lpsegmenter target-duration=2 ! "
      "appsink name=out sync=false",
      nullptr);
  ASSERT_NE(pipeline, nullptr);
  GstElement *src = gst_bin_get_by_name(GST_BIN(pipeline), "src");
  GstElement *sink = gst_bin_get_by_name(GST_BIN(pipeline), "out");
  g_object_set(src, "caps", enc.caps, nullptr);
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  // 0-2 s, 2-4 s, then a 10 s jump: 14-16 s.
  for (size_t i = 0; i < enc.frames.size(); ++i) {
    GstBuffer *b = gst_buffer_copy(enc.frames[i]);
    if (i >= 120) {
      GST_BUFFER_PTS(b) += 10 * GST_SECOND;
      if (GST_BUFFER_DTS_IS_VALID(b))
        GST_BUFFER_DTS(b) += 10 * GST_SECOND;
    }
    ASSERT_EQ(gst_app_src_push_buffer(GST_APP_SRC(src), b), GST_FLOW_OK);
    if (i == 90) {
      // Segment 0 (0-2 s) is complete once the keyframe at 2 s went in: it must be out
      // before the stream ends (one segment in flight, not the whole stream).
      GstSample *first = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 10 * GST_SECOND);
      ASSERT_NE(first, nullptr) << "no segment before EOS";
      auto info = segment_meta_get(gst_sample_get_buffer(first));
      ASSERT_TRUE(info.has_value());
      EXPECT_EQ(info->seq, 0u);
      gst_sample_unref(first);
    }
  }
  gst_app_src_end_of_stream(GST_APP_SRC(src));
  std::vector<SegmentInfo> infos;
  std::vector<bool> flags;
  while (GstSample *sample = gst_app_sink_pull_sample(GST_APP_SINK(sink))) {
    GstBuffer *b = gst_sample_get_buffer(sample);
    infos.push_back(*segment_meta_get(b));
    flags.push_back(GST_BUFFER_FLAG_IS_SET(b, GST_BUFFER_FLAG_DISCONT));
    gst_sample_unref(sample);
  }
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(src);
  gst_object_unref(sink);
  gst_object_unref(pipeline);
  ASSERT_EQ(infos.size(), 2u);  // segments 1 and 2 (0 was pulled above)
  EXPECT_FALSE(infos[0].discont);
  EXPECT_FALSE(flags[0]);
  // Segment 1 ends at its last frame, not at the start of the next one 10 s later.
  EXPECT_NEAR(seconds(infos[0].duration), 2.0, 0.002);
  EXPECT_TRUE(infos[1].discont);
  EXPECT_TRUE(flags[1]);
  EXPECT_NEAR(seconds(infos[1].pts), 14.0, 0.002);
  EXPECT_NEAR(seconds(infos[1].duration), 2.0, 0.002);
}
