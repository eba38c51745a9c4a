// lp::TsMuxer on its own: how it waits for (or writes on without) the other stream, what
// each segment holds, flushing and downstream errors. Frames are synthetic: H.264 NAL units
// and ADTS frames with real headers and filler payloads, which is all the muxer looks at.
#include "media/tsmuxer.h"
#include "testutil.h"

#include <gmock/gmock.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace {

constexpr GstClockTime kFrame = GST_SECOND / 30;  // for counting, not for timestamps
constexpr GstClockTime kAacFrame = 1024 * GST_SECOND / 48000;
constexpr int kGop = 60;  // one segment per 2 s keyframe

GstBuffer *h264_access_unit(bool idr) {
  std::vector<guint8> au = {0, 0, 0, 1, static_cast<guint8>(idr ? 0x65 : 0x41), 0x88, 0x84};
  au.resize(400, 0x5a);
  return gst_buffer_new_memdup(au.data(), au.size());
}

GstBuffer *adts_frame() {
  const size_t size = 7 + 64;
  // AAC LC, 48 kHz (index 3), 2 channels, no CRC.
  std::vector<guint8> f = {0xff, 0xf1, 0x4c, 0x80, 0, 0, 0xfc};
  f[3] |= static_cast<guint8>((size >> 11) & 0x3);
  f[4] = static_cast<guint8>((size >> 3) & 0xff);
  f[5] = static_cast<guint8>(((size & 0x7) << 5) | 0x1f);
  f.resize(size, 0x21);
  return gst_buffer_new_memdup(f.data(), f.size());
}

// PTS of every PES start in a segment, by PID, in 90 kHz ticks.
std::map<unsigned, std::vector<guint64>> pes_pts(GstBuffer *segment) {
  std::map<unsigned, std::vector<guint64>> out;
  GstMapInfo map;
  EXPECT_TRUE(gst_buffer_map(segment, &map, GST_MAP_READ));
  for (gsize off = 0; off + 188 <= map.size; off += 188) {
    const guint8 *p = map.data + off;
    const unsigned pid = (static_cast<unsigned>(p[1] & 0x1f) << 8) | p[2];
    if (!(p[1] & 0x40) || pid < 0x100)
      continue;
    gsize o = 4;
    if (p[3] & 0x20)
      o += 1 + p[4];
    const guint8 *pes = p + o;
    if (o + 14 > 188 || pes[0] != 0 || pes[1] != 0 || pes[2] != 1 || !(pes[7] & 0x80))
      continue;
    const guint64 pts = (static_cast<guint64>(pes[9] & 0x0e) << 29) | (pes[10] << 22) |
                        ((pes[11] & 0xfe) << 14) | (pes[12] << 7) | (pes[13] >> 1);
    out[pid].push_back(pts);
  }
  gst_buffer_unmap(segment, &map);
  return out;
}

std::vector<unsigned> packet_pids(GstBuffer *segment) {
  std::vector<unsigned> pids;
  GstMapInfo map;
  EXPECT_TRUE(gst_buffer_map(segment, &map, GST_MAP_READ));
  for (gsize off = 0; off + 188 <= map.size; off += 188)
    pids.push_back((static_cast<unsigned>(map.data[off + 1] & 0x1f) << 8) | map.data[off + 2]);
  gst_buffer_unmap(segment, &map);
  return pids;
}

// Collects what the muxer delivers.
struct Sink {
  std::mutex lock;
  std::condition_variable changed;
  std::vector<std::pair<guint64, GstBuffer *>> segments;
  std::vector<std::string> problems;
  bool finished = false;
  GstFlowReturn answer = GST_FLOW_OK;

  lp::TsMuxer make() {
    return lp::TsMuxer(
        [this](guint64 seq, GstBuffer *bytes) {
          std::lock_guard<std::mutex> guard(lock);
          segments.emplace_back(seq, bytes);
          changed.notify_all();
          return answer;
        },
        [this](bool, const std::string &text) {
          std::lock_guard<std::mutex> guard(lock);
          problems.push_back(text);
        },
        [this] {
          std::lock_guard<std::mutex> guard(lock);
          finished = true;
          changed.notify_all();
        });
  }
  size_t count() {
    std::lock_guard<std::mutex> guard(lock);
    return segments.size();
  }
  ~Sink() {
    for (auto &s : segments)
      gst_buffer_unref(s.second);
  }
};

GstFlowReturn push_video_frame(lp::TsMuxer &mux, int i) {
  const bool key = i % kGop == 0;
  GstBuffer *au = h264_access_unit(key);
  const GstClockTime t = gst_util_uint64_scale(i, GST_SECOND, 30);
  const GstFlowReturn ret = mux.push_video(au, t, static_cast<gint64>(t), key,
                                           key ? std::optional<guint64>(i / kGop) : std::nullopt);
  gst_buffer_unref(au);
  return ret;
}

GstFlowReturn push_audio_frame(lp::TsMuxer &mux, int i) {
  GstBuffer *frame = adts_frame();
  const GstFlowReturn ret = mux.push_audio(frame, i * kAacFrame);
  gst_buffer_unref(frame);
  return ret;
}

void expect_aac(lp::TsMuxer &mux) {
  mux.expect_audio(true);
  g_autoptr(GstCaps) caps = gst_caps_from_string(
      "audio/mpeg, mpegversion=(int)4, stream-format=(string)adts, rate=(int)48000, "
      "channels=(int)2");
  std::string error;
  ASSERT_TRUE(mux.set_audio_caps(caps, &error)) << error;
}

int audio_frames_for(double seconds) {
  return static_cast<int>(seconds * GST_SECOND / kAacFrame);
}

// Not live, a thread per stream, audio slower than video: every segment holds exactly the
// audio of its own time span, however far video would otherwise run ahead.
TEST(TsMuxer, WaitsForSlowAudioSoEachSegmentHoldsItsOwn) {
  Sink sink;
  lp::TsMuxer mux = sink.make();
  ASSERT_NO_FATAL_FAILURE(expect_aac(mux));

  const int frames = 10 * 30;
  std::atomic<int> video_pushed{0};
  std::atomic<int> most_video_ahead{0};
  std::thread audio([&] {
    mux.note_audio_thread();
    for (int i = 0; i < audio_frames_for(10); ++i) {
      EXPECT_EQ(push_audio_frame(mux, i), GST_FLOW_OK);
      const int ahead = video_pushed.load() - static_cast<int>(i * kAacFrame / kFrame);
      most_video_ahead = std::max(most_video_ahead.load(), ahead);
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    mux.end_audio();
  });
  std::thread video([&] {
    mux.note_video_thread();
    for (int i = 0; i < frames; ++i) {
      EXPECT_EQ(push_video_frame(mux, i), GST_FLOW_OK);
      ++video_pushed;
    }
    mux.end_video();
  });
  video.join();
  audio.join();

  ASSERT_TRUE(sink.finished);
  ASSERT_EQ(sink.segments.size(), 5u);
  // Video was held back: never much more than the allowed 3 s (90 frames) ahead.
  EXPECT_LE(most_video_ahead.load(), 100);
  size_t video_pes = 0, audio_pes = 0;
  for (auto &[seq, bytes] : sink.segments) {
    auto pts = pes_pts(bytes);
    ASSERT_EQ(pts.size(), 2u) << "segment " << seq << " lacks a stream";
    const std::vector<guint64> &v = pts.begin()->second;
    const std::vector<guint64> &a = std::next(pts.begin())->second;
    video_pes += v.size();
    audio_pes += a.size();
    const guint64 base = 3600ull * 90000;
    const guint64 start = base + seq * 2 * 90000, end = start + 2 * 90000;
    EXPECT_EQ(v.front(), start) << "segment " << seq;
    for (guint64 t : a) {
      // A PES of gathered AAC frames may start a little before the cut.
      EXPECT_GE(t + 9000, start) << "segment " << seq << " holds earlier audio";
      EXPECT_LT(t, end) << "segment " << seq << " holds later audio";
    }
  }
  EXPECT_EQ(video_pes, static_cast<size_t>(frames));
  EXPECT_GT(audio_pes, 0u);
}

// One thread pushing both (a demuxer without queues), worst case: all video, then all audio.
// Waiting would deadlock; the muxer writes on and loses no frame.
TEST(TsMuxer, OneThreadPushingBothNeverDeadlocks) {
  Sink sink;
  lp::TsMuxer mux = sink.make();
  ASSERT_NO_FATAL_FAILURE(expect_aac(mux));
  mux.note_audio_thread();
  mux.note_video_thread();
  for (int i = 0; i < 8 * 30; ++i)
    ASSERT_EQ(push_video_frame(mux, i), GST_FLOW_OK);
  // Video ran ahead, so segments went out without waiting for the audio.
  EXPECT_GE(sink.count(), 2u);
  for (int i = 0; i < audio_frames_for(8); ++i)
    ASSERT_EQ(push_audio_frame(mux, i), GST_FLOW_OK);
  mux.end_video();
  mux.end_audio();
  ASSERT_TRUE(sink.finished);
  ASSERT_EQ(sink.segments.size(), 4u);
  size_t video_pes = 0;
  for (auto &[seq, bytes] : sink.segments)
    video_pes += pes_pts(bytes).begin()->second.size();
  EXPECT_EQ(video_pes, 8u * 30);
}

// Live: audio stops without ending (a publisher dropped it); video goes on being segmented
// and the pushing thread never blocks.
TEST(TsMuxer, LiveVideoGoesOnWhenAudioStalls) {
  Sink sink;
  lp::TsMuxer mux = sink.make();
  mux.set_live(true);
  ASSERT_NO_FATAL_FAILURE(expect_aac(mux));
  std::thread audio([&] {
    mux.note_audio_thread();
    for (int i = 0; i < audio_frames_for(1); ++i)
      push_audio_frame(mux, i);
  });
  audio.join();
  std::thread video([&] {
    for (int i = 0; i < 10 * 30; ++i)
      EXPECT_EQ(push_video_frame(mux, i), GST_FLOW_OK);
  });
  video.join();
  // 10 s of video with audio stalled after 1 s: all but the last ~3 s are out already.
  EXPECT_GE(sink.count(), 3u);
  mux.end_audio();
  mux.end_video();
  EXPECT_TRUE(sink.finished);
  EXPECT_EQ(sink.count(), 5u);
}

// A push blocked waiting for the other stream returns FLUSHING when the element flushes or
// shuts down, and pushes after a flush work again.
TEST(TsMuxer, FlushingReleasesABlockedPush) {
  Sink sink;
  lp::TsMuxer mux = sink.make();
  ASSERT_NO_FATAL_FAILURE(expect_aac(mux));
  // An audio thread that has shown itself and stays alive (a finished thread's ID may be
  // reused by the next one).
  std::promise<void> noted, done;
  std::thread audio([&] {
    mux.note_audio_thread();
    noted.set_value();
    done.get_future().wait();
  });
  noted.get_future().wait();

  std::atomic<bool> blocked_returned{false};
  GstFlowReturn last = GST_FLOW_OK;
  std::thread video([&] {
    for (int i = 0; i < 10 * 30 && last == GST_FLOW_OK; ++i)
      last = push_video_frame(mux, i);
    blocked_returned = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(blocked_returned.load()) << "video should wait for the audio";
  mux.set_flushing();
  video.join();
  EXPECT_EQ(last, GST_FLOW_FLUSHING);
  done.set_value();
  audio.join();

  mux.flush();
  mux.expect_audio(false);
  for (int i = 0; i < 3 * 30; ++i)
    ASSERT_EQ(push_video_frame(mux, i), GST_FLOW_OK);
  mux.end_video();
  EXPECT_TRUE(sink.finished);
}

// Segments start with PAT and PMT (no SDT anywhere) and then the keyframe; every segment
// after a cut repeats them.
TEST(TsMuxer, EverySegmentStartsWithPatAndPmt) {
  Sink sink;
  lp::TsMuxer mux = sink.make();
  for (int i = 0; i < 6 * 30; ++i)
    ASSERT_EQ(push_video_frame(mux, i), GST_FLOW_OK);
  mux.end_video();
  ASSERT_EQ(sink.segments.size(), 3u);
  for (auto &[seq, bytes] : sink.segments) {
    const std::vector<unsigned> pids = packet_pids(bytes);
    ASSERT_GE(pids.size(), 3u);
    EXPECT_EQ(pids[0], 0u) << "segment " << seq;
    EXPECT_EQ(pids[1], 0x1000u) << "segment " << seq;
    EXPECT_THAT(pids, ::testing::Not(::testing::Contains(0x11u)));
    EXPECT_EQ(gst_buffer_get_size(bytes) % 188, 0u);
  }
}

// Downstream's refusal (EOS, an error) reaches both pushing threads and stops the muxing.
TEST(TsMuxer, DownstreamRefusalReachesThePushers) {
  Sink sink;
  sink.answer = GST_FLOW_EOS;
  lp::TsMuxer mux = sink.make();
  GstFlowReturn ret = GST_FLOW_OK;
  int i = 0;
  for (; i < 10 * 30 && ret == GST_FLOW_OK; ++i)
    ret = push_video_frame(mux, i);
  EXPECT_EQ(ret, GST_FLOW_EOS);
  EXPECT_EQ(i, kGop + 1) << "the first cut delivers segment 0, which downstream refuses";
  EXPECT_EQ(push_video_frame(mux, i), GST_FLOW_EOS);
  EXPECT_EQ(sink.count(), 1u);
}

// Audio that is not AAC is refused with a reason.
TEST(TsMuxer, OnlyAacAudio) {
  Sink sink;
  lp::TsMuxer mux = sink.make();
  std::string error;
  g_autoptr(GstCaps) mp3 = gst_caps_from_string("audio/mpeg, mpegversion=(int)1, layer=(int)3");
  EXPECT_FALSE(mux.set_audio_caps(mp3, &error));
  EXPECT_THAT(error, ::testing::HasSubstr("AAC"));
  g_autoptr(GstCaps) raw = gst_caps_from_string(
      "audio/mpeg, mpegversion=(int)4, "
      "stream-format=(string)raw");
  EXPECT_FALSE(mux.set_audio_caps(raw, &error));
  EXPECT_THAT(error, ::testing::HasSubstr("codec_data"));
}

}  // namespace
