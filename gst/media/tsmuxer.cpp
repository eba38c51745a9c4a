#include "media/tsmuxer.h"

extern "C" {
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
}

#include <chrono>
#include <cstring>

namespace lp {
namespace {

// How far one stream may run ahead while the other says nothing (a stalled or late stream);
// past this the muxer writes on rather than hold everything back.
constexpr gint64 kMaxSkew = 3 * GST_SECOND;
// How long a stream that ran ahead waits for the other stream's thread to show itself.
constexpr std::chrono::milliseconds kUnknownPusherWait(500);
// Whole TS packets, so every write callback but the last of a flush ends on a packet boundary.
constexpr int kIoBufferSize = 188 * 256;
constexpr size_t kPacket = 188;
// The Service Description Table names the service ("FFmpeg", "Service01"); HLS segments
// should begin with PAT and PMT, and nothing reads the SDT, so it is left out.
constexpr unsigned kSdtPid = 0x11;
// mpegtsmux writes PTS = running time + 3600 s; keep that base so segments from either muxer
// look alike (and B-frame decode times before zero stay positive).
constexpr gint64 kTicksBase = 3600LL * 90000;
const AVRational kTicks = {1, 90000};

// Running time in ns to 90 kHz ticks, rounding down as mpegtsmux does.
gint64 to_ticks(gint64 ns) {
  if (ns >= 0)
    return static_cast<gint64>(gst_util_uint64_scale(static_cast<guint64>(ns), 9, 100000));
  return -static_cast<gint64>(gst_util_uint64_scale_ceil(static_cast<guint64>(-ns), 9, 100000));
}

template <typename Queue>
gint64 span(const Queue &q) {
  return q.empty() ? 0 : q.back().dts - q.front().dts;
}

}  // namespace

TsMuxer::TsMuxer(SegmentReady ready, Problem problem, Finished finished)
    : ready_(std::move(ready)), problem_(std::move(problem)), finished_cb_(std::move(finished)) {}

TsMuxer::~TsMuxer() {
  reset();
}

void TsMuxer::expect_audio(bool expect) {
  std::lock_guard<std::mutex> guard(lock_);
  expect_audio_ = expect;
  other_moved_.notify_all();
}

void TsMuxer::set_live(bool live) {
  std::lock_guard<std::mutex> guard(lock_);
  live_ = live;
}

void TsMuxer::note_video_thread() {
  std::lock_guard<std::mutex> guard(lock_);
  video_thread_ = std::this_thread::get_id();
}

void TsMuxer::note_audio_thread() {
  std::lock_guard<std::mutex> guard(lock_);
  audio_thread_ = std::this_thread::get_id();
}

bool TsMuxer::set_audio_caps(GstCaps *caps, std::string *error) {
  const GstStructure *s = gst_caps_get_structure(caps, 0);
  gint version = 0;
  if (!gst_structure_has_name(s, "audio/mpeg") ||
      !gst_structure_get_int(s, "mpegversion", &version) || (version != 2 && version != 4)) {
    *error = "only AAC audio can go into a segment";
    return false;
  }
  const gchar *format = gst_structure_get_string(s, "stream-format");
  if (g_strcmp0(format, "raw") == 0 && !gst_structure_has_field(s, "codec_data")) {
    *error = "raw AAC needs codec_data in its caps";
    return false;
  }
  std::lock_guard<std::mutex> guard(lock_);
  gst_caps_replace(&audio_caps_, caps);
  return true;
}

GstFlowReturn TsMuxer::push_video(GstBuffer *au, GstClockTime pts, gint64 dts, bool keyframe,
                                  std::optional<guint64> starts) {
  return push(Stream::kVideo,
              {gst_buffer_ref(au), static_cast<gint64>(pts), dts, keyframe, starts});
}

GstFlowReturn TsMuxer::push_audio(GstBuffer *frame, GstClockTime pts) {
  if (!GST_CLOCK_TIME_IS_VALID(pts))
    return GST_FLOW_OK;
  const gint64 t = static_cast<gint64>(pts);
  return push(Stream::kAudio, {gst_buffer_ref(frame), t, t, true, std::nullopt});
}

GstFlowReturn TsMuxer::push(Stream stream, Queued item) {
  GstFlowReturn ret;
  {
    std::lock_guard<std::mutex> guard(lock_);
    if (flushing_ || downstream_ != GST_FLOW_OK) {
      gst_buffer_unref(item.buffer);
      return flushing_ ? GST_FLOW_FLUSHING : downstream_;
    }
    (stream == Stream::kVideo ? video_thread_ : audio_thread_) = std::this_thread::get_id();
    (stream == Stream::kVideo ? video_ : audio_).push_back(item);
    ret = drain();
    other_moved_.notify_all();
  }
  const GstFlowReturn delivered = deliver();
  if (ret == GST_FLOW_OK)
    ret = delivered;
  if (ret != GST_FLOW_OK)
    return ret;
  std::unique_lock<std::mutex> guard(lock_);
  wait_for_other(guard, stream);
  return flushing_ ? GST_FLOW_FLUSHING : downstream_;
}

GstFlowReturn TsMuxer::end_video() {
  return end(Stream::kVideo);
}

GstFlowReturn TsMuxer::end_audio() {
  return end(Stream::kAudio);
}

GstFlowReturn TsMuxer::end(Stream stream) {
  GstFlowReturn ret;
  {
    std::lock_guard<std::mutex> guard(lock_);
    if (stream == Stream::kVideo) {
      video_ended_ = true;
      // An audio stream that never sent anything is not waited for.
      if (!audio_caps_ && audio_.empty())
        audio_ended_ = true;
    } else {
      audio_ended_ = true;
    }
    ret = drain();
    if (ret == GST_FLOW_OK && video_ended_ && (!expect_audio_ || audio_ended_))
      finish_stream();
    other_moved_.notify_all();
  }
  const GstFlowReturn delivered = deliver();
  return ret == GST_FLOW_OK ? delivered : ret;
}

void TsMuxer::finish_stream() {
  if (finished_)
    return;
  finished_ = true;
  finish_segment();
  out_.push_back({0, nullptr});
}

void TsMuxer::set_flushing() {
  std::lock_guard<std::mutex> guard(lock_);
  flushing_ = true;
  other_moved_.notify_all();
}

void TsMuxer::flush() {
  {
    // A thread still pushing downstream finishes first (flush start unblocked it).
    std::lock_guard<std::mutex> delivering(deliver_lock_);
    std::lock_guard<std::mutex> guard(lock_);
    clear_queues();
    close_muxer();
    video_ended_ = audio_ended_ = false;
    finished_ = false;
    flushing_ = false;
    downstream_ = GST_FLOW_OK;
  }
}

void TsMuxer::reset() {
  flush();
  std::lock_guard<std::mutex> guard(lock_);
  gst_caps_replace(&audio_caps_, nullptr);
  warned_audio_ = false;
  video_thread_ = audio_thread_ = std::thread::id();
  gave_up_waiting_ = false;
}

void TsMuxer::clear_queues() {
  for (auto *q : {&video_, &audio_}) {
    for (Queued &item : *q)
      gst_buffer_unref(item.buffer);
    q->clear();
  }
  for (Output &o : out_)
    if (o.bytes)
      gst_buffer_unref(o.bytes);
  out_.clear();
}

bool TsMuxer::other_alive(Stream stream) const {
  if (stream == Stream::kVideo)
    return expect_audio_ && !audio_ended_;
  return !video_ended_;
}

TsMuxer::OtherPusher TsMuxer::other_pusher(Stream stream) const {
  // Not the calling thread: drain() runs in either pusher.
  const std::thread::id mine = stream == Stream::kVideo ? video_thread_ : audio_thread_;
  const std::thread::id other = stream == Stream::kVideo ? audio_thread_ : video_thread_;
  if (other == std::thread::id())
    return gave_up_waiting_ ? OtherPusher::kSameThread : OtherPusher::kUnknown;
  return other == mine ? OtherPusher::kSameThread : OtherPusher::kOwnThread;
}

// With only `ahead` queued: write it without the other stream?
bool TsMuxer::may_run_ahead(Stream ahead) const {
  if (!other_alive(ahead))
    return true;
  const gint64 queued = span(ahead == Stream::kVideo ? video_ : audio_);
  if (queued < kMaxSkew)
    return false;
  // Not live with its own thread, the other stream is only late: the pusher waits instead.
  return live_ || other_pusher(ahead) == OtherPusher::kSameThread;
}

void TsMuxer::wait_for_other(std::unique_lock<std::mutex> &guard, Stream stream) {
  if (live_)
    return;
  const std::deque<Queued> &mine = stream == Stream::kVideo ? video_ : audio_;
  auto done = [&] {
    return flushing_ || downstream_ != GST_FLOW_OK || span(mine) < kMaxSkew ||
           !other_alive(stream) || other_pusher(stream) == OtherPusher::kSameThread;
  };
  // The other stream's thread has not shown itself: it may be ours (then waiting would never
  // end) or one that starts late. Wait a while for it, then write on.
  if (!other_moved_.wait_for(guard, kUnknownPusherWait, [&] {
        return done() || other_pusher(stream) != OtherPusher::kUnknown;
      })) {
    gave_up_waiting_ = true;
    drain();
    return;
  }
  other_moved_.wait(guard, done);
}

GstFlowReturn TsMuxer::deliver() {
  std::lock_guard<std::mutex> delivering(deliver_lock_);
  GstFlowReturn ret = GST_FLOW_OK;
  for (;;) {
    Output next;
    {
      std::lock_guard<std::mutex> guard(lock_);
      if (out_.empty())
        break;
      next = out_.front();
      out_.pop_front();
    }
    if (!next.bytes) {
      finished_cb_();
      continue;
    }
    const GstFlowReturn r = ready_(next.seq, next.bytes);
    if (r != GST_FLOW_OK) {
      std::lock_guard<std::mutex> guard(lock_);
      if (downstream_ == GST_FLOW_OK)
        downstream_ = r;
      other_moved_.notify_all();
      if (ret == GST_FLOW_OK)
        ret = r;
    }
  }
  return ret;
}

GstFlowReturn TsMuxer::drain() {
  GstFlowReturn ret = GST_FLOW_OK;
  while (ret == GST_FLOW_OK) {
    bool take_video;
    if (!video_.empty() && !audio_.empty()) {
      take_video = video_.front().dts <= audio_.front().dts;
    } else if (!video_.empty()) {
      if (!may_run_ahead(Stream::kVideo))
        break;
      take_video = true;
    } else if (!audio_.empty()) {
      if (!may_run_ahead(Stream::kAudio))
        break;
      take_video = false;
    } else {
      break;
    }
    std::deque<Queued> &q = take_video ? video_ : audio_;
    Queued item = q.front();
    q.pop_front();
    ret = write(item, take_video);
    gst_buffer_unref(item.buffer);
  }
  return ret;
}

GstFlowReturn TsMuxer::write(Queued &item, bool video) {
  if (video && item.starts) {
    finish_segment();
    seq_ = item.starts;
  }
  // Nothing before the first marked keyframe can be in a segment (audio that came first).
  if (!seq_)
    return GST_FLOW_OK;
  std::string error;
  if (!format_ && !open_muxer(&error)) {
    problem_(true, error);
    return GST_FLOW_ERROR;
  }
  if (!video && audio_index_ < 0) {
    if (!warned_audio_) {
      warned_audio_ = true;
      problem_(false, "audio arrived after the stream started without it; it is left out");
    }
    return GST_FLOW_OK;
  }
  AVStream *stream = format_->streams[video ? 0 : audio_index_];
  GstMapInfo map;
  if (!gst_buffer_map(item.buffer, &map, GST_MAP_READ)) {
    problem_(true, "cannot read a frame's memory");
    return GST_FLOW_ERROR;
  }
  AVPacket *packet = av_packet_alloc();
  packet->data = map.data;
  packet->size = static_cast<int>(map.size);
  packet->stream_index = stream->index;
  packet->pts = av_rescale_q(to_ticks(item.pts) + kTicksBase, kTicks, stream->time_base);
  packet->dts = av_rescale_q(to_ticks(item.dts) + kTicksBase, kTicks, stream->time_base);
  if (item.keyframe)
    packet->flags |= AV_PKT_FLAG_KEY;
  // libavformat refuses a decode time that does not move forward, and with it the whole
  // stream. Time jumping back is shifted away upstream, so this is a frame of jitter or a
  // broken stamp: leave it out and say so.
  int64_t &last_dts = last_dts_[video ? 0 : 1];
  if (last_dts != AV_NOPTS_VALUE && packet->dts <= last_dts) {
    av_packet_free(&packet);
    gst_buffer_unmap(item.buffer, &map);
    if (!warned_order_) {
      warned_order_ = true;
      problem_(false, std::string("an ") + (video ? "H.264" : "AAC") +
                          " frame decodes before the one it follows; such frames are left out");
    }
    return GST_FLOW_OK;
  }
  last_dts = packet->dts;
  const int written = av_write_frame(format_, packet);
  av_packet_free(&packet);
  gst_buffer_unmap(item.buffer, &map);
  if (written < 0) {
    char why[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(written, why, sizeof why);
    problem_(true, std::string("MPEG-TS muxing failed: ") + why);
    return GST_FLOW_ERROR;
  }
  return GST_FLOW_OK;
}

void TsMuxer::finish_segment() {
  if (!seq_ || !format_)
    return;
  // Out with every PES the muxer still holds (it gathers audio frames into larger PES).
  av_write_frame(format_, nullptr);
  avio_flush(io_);
  // The next packet, the next segment's keyframe, is preceded by PAT and PMT again.
  av_opt_set(format_->priv_data, "mpegts_flags", "+resend_headers", 0);
  if (GstBuffer *bytes = bytes_.take())
    out_.push_back({*seq_, bytes});
  seq_.reset();
}

bool TsMuxer::open_muxer(std::string *error) {
  if (avformat_alloc_output_context2(&format_, nullptr, "mpegts", nullptr) < 0 || !format_) {
    *error = "libavformat has no MPEG-TS muxer";
    return false;
  }
  auto *buffer = static_cast<unsigned char *>(av_malloc(kIoBufferSize));
  io_ = avio_alloc_context(buffer, kIoBufferSize, 1, this, nullptr, write_packet, nullptr);
  format_->pb = io_;
  format_->flags |= AVFMT_FLAG_CUSTOM_IO;

  last_dts_ = {AV_NOPTS_VALUE, AV_NOPTS_VALUE};
  warned_order_ = false;
  AVStream *video = avformat_new_stream(format_, nullptr);
  video->codecpar->codec_type = AVMEDIA_TYPE_VIDEO;
  video->codecpar->codec_id = AV_CODEC_ID_H264;
  video->time_base = kTicks;
  audio_index_ = -1;
  if (audio_caps_) {
    const GstStructure *s = gst_caps_get_structure(audio_caps_, 0);
    AVStream *audio = avformat_new_stream(format_, nullptr);
    audio->codecpar->codec_type = AVMEDIA_TYPE_AUDIO;
    audio->codecpar->codec_id = AV_CODEC_ID_AAC;
    audio->time_base = kTicks;
    gint rate = 48000, channels = 2;
    gst_structure_get_int(s, "rate", &rate);
    gst_structure_get_int(s, "channels", &channels);
    audio->codecpar->sample_rate = rate;
    av_channel_layout_default(&audio->codecpar->ch_layout, channels);
    // Raw AAC: the muxer writes ADTS headers from the AudioSpecificConfig.
    if (const GValue *v = gst_structure_get_value(s, "codec_data");
        v && GST_VALUE_HOLDS_BUFFER(v)) {
      GstBuffer *config = gst_value_get_buffer(v);
      const gsize size = gst_buffer_get_size(config);
      audio->codecpar->extradata =
          static_cast<uint8_t *>(av_mallocz(size + AV_INPUT_BUFFER_PADDING_SIZE));
      gst_buffer_extract(config, 0, audio->codecpar->extradata, size);
      audio->codecpar->extradata_size = static_cast<int>(size);
    }
    audio_index_ = audio->index;
  }
  AVDictionary *options = nullptr;
  // Timestamps as given: no 0.7 s mux delay added to every PTS.
  av_dict_set(&options, "mpegts_copyts", "1", 0);
  const int r = avformat_write_header(format_, &options);
  av_dict_free(&options);
  if (r < 0) {
    char why[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(r, why, sizeof why);
    *error = std::string("cannot start MPEG-TS muxing: ") + why;
    close_muxer();
    return false;
  }
  return true;
}

void TsMuxer::close_muxer() {
  if (format_) {
    avformat_free_context(format_);
    format_ = nullptr;
  }
  if (io_) {
    av_freep(&io_->buffer);
    avio_context_free(&io_);
  }
  bytes_.clear();
  partial_.clear();
  seq_.reset();
  audio_index_ = -1;
}

int TsMuxer::write_packet(void *opaque, uint8_t *data, int size) {
  auto *self = static_cast<TsMuxer *>(opaque);
  auto keep = [self](const uint8_t *p) {
    const unsigned pid = (static_cast<unsigned>(p[1] & 0x1f) << 8) | p[2];
    if (pid != kSdtPid)
      self->bytes_.append(p, kPacket);
  };
  size_t offset = 0;
  const size_t n = static_cast<size_t>(size);
  if (!self->partial_.empty()) {
    const size_t need = std::min(kPacket - self->partial_.size(), n);
    self->partial_.insert(self->partial_.end(), data, data + need);
    offset = need;
    if (self->partial_.size() == kPacket) {
      keep(self->partial_.data());
      self->partial_.clear();
    }
  }
  for (; offset + kPacket <= n; offset += kPacket)
    keep(data + offset);
  self->partial_.insert(self->partial_.end(), data + offset, data + n);
  return size;
}

}  // namespace lp
