/**
 * SECTION:element-lps3sink
 * @title: lps3sink
 *
 * Writes a segment stream (from lpsegmenter or lptranscodebin) as HLS: every segment as
 * `<rendition>/<seq>.ts`, a media playlist `<rendition>.m3u8` per rendition and one master
 * playlist listing every rendition with BANDWIDTH, RESOLUTION, FRAME-RATE and CODECS.
 *
 * Each segment is stored (temporary file + rename) before the playlist that names it. Live
 * playlists keep a sliding window of #lps3sink:playlist-length segments; at EOS every media
 * playlist gets EXT-X-ENDLIST.
 *
 * After each segment the sink posts an element message "lps3sink-segment" with the fields
 * rendition, seq, duration (seconds), location (the segment's URL), playlist and master (URLs).
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 -e videotestsrc is-live=true ! x264enc tune=zerolatency ! h264parse ! \
 *   lpsegmenter ! lptranscodebin ! lps3sink location=/tmp/hls
 * ]|
 */
#include "lps3sink.h"

#include "media/segmentmeta.h"
#include "storage/hlspublisher.h"

#include <memory>
#include <mutex>
#include <string>

GST_DEBUG_CATEGORY_STATIC(lp_s3_sink_debug);
#define GST_CAT_DEFAULT lp_s3_sink_debug

#define DEFAULT_LOCATION nullptr
#define DEFAULT_PLAYLIST_LENGTH 6
#define DEFAULT_DELETE_SEGMENTS FALSE
#define DEFAULT_MASTER_PLAYLIST "index.m3u8"

enum { PROP_0, PROP_LOCATION, PROP_PLAYLIST_LENGTH, PROP_DELETE_SEGMENTS, PROP_MASTER_PLAYLIST };

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE(
    "sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS(lp::kSegmentStreamCapsString));

struct LpS3SinkPrivate {
  std::mutex settings_lock;
  std::string location;
  guint playlist_length = DEFAULT_PLAYLIST_LENGTH;
  bool delete_segments = DEFAULT_DELETE_SEGMENTS;
  std::string master_playlist = DEFAULT_MASTER_PLAYLIST;

  // Streaming state, created in start() and dropped in stop().
  std::unique_ptr<lp::HlsPublisher> publisher;
};

struct _LpS3Sink {
  GstBaseSink parent;
  LpS3SinkPrivate *priv;
};

#define lp_s3_sink_parent_class parent_class
G_DEFINE_TYPE(LpS3Sink, lp_s3_sink, GST_TYPE_BASE_SINK)
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE(lps3sink, "lps3sink", GST_RANK_NONE, LP_TYPE_S3_SINK,
                                      GST_DEBUG_CATEGORY_INIT(lp_s3_sink_debug, "lps3sink", 0,
                                                              "Livepeer HLS/S3 sink"));

static gboolean lp_s3_sink_start(GstBaseSink *sink) {
  LpS3Sink *self = LP_S3_SINK(sink);
  LpS3SinkPrivate *p = self->priv;
  std::string location;
  lp::HlsPublisher::Options options;
  {
    std::lock_guard<std::mutex> guard(p->settings_lock);
    location = p->location;
    options.playlist_length = p->playlist_length;
    options.delete_segments = p->delete_segments;
    options.master_name = p->master_playlist;
  }
  if (location.empty()) {
    GST_ELEMENT_ERROR(self, RESOURCE, NOT_FOUND, ("No location set."),
                      ("set lps3sink's location to a directory or a file:///dir URL"));
    return FALSE;
  }
  GError *error = nullptr;
  std::unique_ptr<lp::ObjectStore> store = lp::open_object_store(location, &error);
  if (!store) {
    GST_ELEMENT_ERROR(self, RESOURCE, OPEN_WRITE, ("Could not open the HLS location."),
                      ("%s", error->message));
    g_error_free(error);
    return FALSE;
  }
  GST_INFO_OBJECT(self, "writing HLS to %s", store->describe().c_str());
  p->publisher = std::make_unique<lp::HlsPublisher>(std::move(store), options);
  return TRUE;
}

static gboolean lp_s3_sink_stop(GstBaseSink *sink) {
  LP_S3_SINK(sink)->priv->publisher.reset();
  return TRUE;
}

static void unmap_and_unref(gpointer data) {
  auto *map = static_cast<GstMapInfo *>(data);
  GstBuffer *buffer = static_cast<GstBuffer *>(map->user_data[0]);
  gst_buffer_unmap(buffer, map);
  gst_buffer_unref(buffer);
  g_free(map);
}

// The buffer's bytes as GBytes without a copy; the mapping lives as long as the GBytes.
static GBytes *buffer_bytes(GstBuffer *buffer) {
  auto *map = g_new0(GstMapInfo, 1);
  if (!gst_buffer_map(buffer, map, GST_MAP_READ)) {
    g_free(map);
    return nullptr;
  }
  map->user_data[0] = gst_buffer_ref(buffer);
  return g_bytes_new_with_free_func(map->data, map->size, unmap_and_unref, map);
}

static GstFlowReturn lp_s3_sink_render(GstBaseSink *sink, GstBuffer *buffer) {
  LpS3Sink *self = LP_S3_SINK(sink);
  LpS3SinkPrivate *p = self->priv;
  const std::optional<lp::SegmentInfo> info = lp::segment_meta_get(buffer);
  if (!info) {
    GST_ELEMENT_ERROR(self, STREAM, FORMAT, ("lps3sink needs a segment stream."),
                      ("a buffer has no LpSegmentMeta; put lpsegmenter or lptranscodebin "
                       "upstream"));
    return GST_FLOW_ERROR;
  }
  GBytes *bytes = buffer_bytes(buffer);
  if (!bytes) {
    GST_ELEMENT_ERROR(self, RESOURCE, READ, ("Could not read a segment."), ("map failed"));
    return GST_FLOW_ERROR;
  }
  lp::HlsPublisher::Published published;
  GError *error = nullptr;
  const bool ok = p->publisher->publish(bytes, *info, &published, &error);
  g_bytes_unref(bytes);
  if (!ok) {
    GST_ELEMENT_ERROR(self, RESOURCE, WRITE,
                      ("Could not write segment %" G_GUINT64_FORMAT " of rendition %s.", info->seq,
                       info->rendition.c_str()),
                      ("%s", error->message));
    g_error_free(error);
    return GST_FLOW_ERROR;
  }
  for (const std::string &warning : published.warnings)
    GST_ELEMENT_WARNING(self, RESOURCE, WRITE, ("%s", warning.c_str()), (nullptr));
  GST_DEBUG_OBJECT(self, "wrote %s (%.3f s)", published.segment_url.c_str(),
                   info->duration_seconds());
  gst_element_post_message(
      GST_ELEMENT(self),
      gst_message_new_element(
          GST_OBJECT(self),
          gst_structure_new("lps3sink-segment", "rendition", G_TYPE_STRING, info->rendition.c_str(),
                            "seq", G_TYPE_UINT64, info->seq, "duration", G_TYPE_DOUBLE,
                            info->duration_seconds(), "location", G_TYPE_STRING,
                            published.segment_url.c_str(), "playlist", G_TYPE_STRING,
                            published.playlist_url.c_str(), "master", G_TYPE_STRING,
                            p->publisher->master_url().c_str(), nullptr)));
  return GST_FLOW_OK;
}

static gboolean lp_s3_sink_event(GstBaseSink *sink, GstEvent *event) {
  LpS3Sink *self = LP_S3_SINK(sink);
  if (GST_EVENT_TYPE(event) == GST_EVENT_EOS && self->priv->publisher) {
    GError *error = nullptr;
    if (!self->priv->publisher->finish(&error)) {
      GST_ELEMENT_ERROR(self, RESOURCE, WRITE, ("Could not finish the playlists."),
                        ("%s", error->message));
      g_error_free(error);
      gst_event_unref(event);
      return FALSE;
    }
  }
  return GST_BASE_SINK_CLASS(parent_class)->event(sink, event);
}

static void lp_s3_sink_set_property(GObject *object, guint prop_id, const GValue *value,
                                    GParamSpec *pspec) {
  LpS3SinkPrivate *p = LP_S3_SINK(object)->priv;
  std::lock_guard<std::mutex> guard(p->settings_lock);
  switch (prop_id) {
    case PROP_LOCATION: {
      const gchar *location = g_value_get_string(value);
      p->location = location ? location : "";
      break;
    }
    case PROP_PLAYLIST_LENGTH:
      p->playlist_length = g_value_get_uint(value);
      break;
    case PROP_DELETE_SEGMENTS:
      p->delete_segments = g_value_get_boolean(value);
      break;
    case PROP_MASTER_PLAYLIST: {
      const gchar *name = g_value_get_string(value);
      p->master_playlist = name && *name ? name : DEFAULT_MASTER_PLAYLIST;
      break;
    }
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
}

static void lp_s3_sink_get_property(GObject *object, guint prop_id, GValue *value,
                                    GParamSpec *pspec) {
  LpS3SinkPrivate *p = LP_S3_SINK(object)->priv;
  std::lock_guard<std::mutex> guard(p->settings_lock);
  switch (prop_id) {
    case PROP_LOCATION:
      g_value_set_string(value, p->location.empty() ? nullptr : p->location.c_str());
      break;
    case PROP_PLAYLIST_LENGTH:
      g_value_set_uint(value, p->playlist_length);
      break;
    case PROP_DELETE_SEGMENTS:
      g_value_set_boolean(value, p->delete_segments);
      break;
    case PROP_MASTER_PLAYLIST:
      g_value_set_string(value, p->master_playlist.c_str());
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
}

static void lp_s3_sink_finalize(GObject *object) {
  delete LP_S3_SINK(object)->priv;
  G_OBJECT_CLASS(parent_class)->finalize(object);
}

static void lp_s3_sink_init(LpS3Sink *self) {
  self->priv = new LpS3SinkPrivate();
  // Storage, not playback: never wait for the clock.
  gst_base_sink_set_sync(GST_BASE_SINK(self), FALSE);
}

static void lp_s3_sink_class_init(LpS3SinkClass *klass) {
  GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
  GstBaseSinkClass *basesink_class = GST_BASE_SINK_CLASS(klass);

  gobject_class->set_property = lp_s3_sink_set_property;
  gobject_class->get_property = lp_s3_sink_get_property;
  gobject_class->finalize = lp_s3_sink_finalize;

  const auto flags =
      GParamFlags(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
  g_object_class_install_property(
      gobject_class, PROP_LOCATION,
      g_param_spec_string("location", "Location",
                          "Where the HLS tree goes: a directory path or a file:///dir URL "
                          "(created if missing)",
                          DEFAULT_LOCATION, flags));
  g_object_class_install_property(
      gobject_class, PROP_PLAYLIST_LENGTH,
      g_param_spec_uint("playlist-length", "Playlist length",
                        "Segments listed in each live media playlist (a sliding window); 0 keeps "
                        "every segment and writes an EVENT playlist (VOD at EOS)",
                        0, G_MAXUINT, DEFAULT_PLAYLIST_LENGTH, flags));
  g_object_class_install_property(
      gobject_class, PROP_DELETE_SEGMENTS,
      g_param_spec_boolean("delete-segments", "Delete segments",
                           "Delete segments once they leave the playlist window (has no effect "
                           "when playlist-length is 0)",
                           DEFAULT_DELETE_SEGMENTS, flags));
  g_object_class_install_property(
      gobject_class, PROP_MASTER_PLAYLIST,
      g_param_spec_string("master-playlist", "Master playlist",
                          "Name of the master playlist, relative to the location",
                          DEFAULT_MASTER_PLAYLIST, flags));

  gst_element_class_add_static_pad_template(element_class, &sink_template);
  gst_element_class_set_static_metadata(
      element_class, "Livepeer HLS sink", "Sink/Network",
      "Writes a segment stream as HLS (segments, media and master playlists) to a directory",
      "gst-livepeer developers");

  basesink_class->start = GST_DEBUG_FUNCPTR(lp_s3_sink_start);
  basesink_class->stop = GST_DEBUG_FUNCPTR(lp_s3_sink_stop);
  basesink_class->render = GST_DEBUG_FUNCPTR(lp_s3_sink_render);
  basesink_class->event = GST_DEBUG_FUNCPTR(lp_s3_sink_event);
}
