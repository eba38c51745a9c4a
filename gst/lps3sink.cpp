/**
 * SECTION:element-lps3sink
 * @title: lps3sink
 *
 * Writes a segment stream (from lpsegmenter or lptranscodebin) as HLS: every segment as
 * `<rendition>/<seq>.ts`, a media playlist `<rendition>.m3u8` per rendition and one master
 * playlist listing every rendition with BANDWIDTH, RESOLUTION, FRAME-RATE and CODECS.
 *
 * The destination is a directory, an S3 bucket or a presigned POST policy:
 *
 * - a directory path or `file:///dir`: each object is written as a temporary file and renamed.
 * - `s3://ACCESS:SECRET@REGION/BUCKET[/prefix]` (AWS) or
 *   `s3+http(s)://ACCESS:SECRET@HOST[:PORT]/BUCKET[/prefix]` (any S3-compatible server, path
 *   style). Credentials, region and endpoint may instead come from #lps3sink:access-key,
 *   #lps3sink:secret-access-key, #lps3sink:session-token, #lps3sink:region,
 *   #lps3sink:endpoint-uri, or from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
 *   AWS_REGION (AWS_DEFAULT_REGION) and AWS_ENDPOINT_URL_S3 (AWS_ENDPOINT_URL), in that order
 *   of precedence: property, location, environment. Requests are signed with AWS Signature
 *   Version 4. The secret never appears in messages, logs or in what the location reads back.
 * - #lps3sink:presigned-post: a presigned POST policy (JSON, as an orchestrator hands it out)
 *   that allows uploads under one key prefix, without any secret.
 *
 * Uploads run on #lps3sink:concurrency workers behind a queue of #lps3sink:max-pending
 * objects, so a slow network does not stall the streaming thread until the queue is full; then
 * the sink waits (backpressure) and posts a warning, and never drops anything. A segment is
 * always stored before any playlist that names it. Failed requests are retried with jittered
 * exponential backoff on 5xx answers, timeouts and connection errors (#lps3sink:retry-attempts);
 * refused credentials or a missing bucket are an error at once. At start the sink checks that
 * the bucket answers. At EOS every queued object is stored before the EOS goes on; setting the
 * pipeline to NULL abandons uploads in flight promptly. Objects larger than
 * #lps3sink:part-size go as multipart uploads.
 *
 * Live playlists keep a sliding window of #lps3sink:playlist-length segments and are stored
 * with a short Cache-Control; at EOS every media playlist gets EXT-X-ENDLIST.
 *
 * Once a segment and its playlist are stored, the sink posts an element message
 * "lps3sink-segment" with the fields rendition, seq, duration (seconds), location (the
 * segment's URL), playlist and master (URLs).
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 -e videotestsrc is-live=true ! x264enc tune=zerolatency ! h264parse ! \
 *   lpsegmenter ! lptranscodebin ! lps3sink location=/tmp/hls
 * AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... gst-launch-1.0 -e videotestsrc is-live=true ! \
 *   x264enc tune=zerolatency ! h264parse ! lpsegmenter ! \
 *   lps3sink location=s3://eu-west-1/my-bucket/live/stream1
 * gst-launch-1.0 -e ... ! lpsegmenter ! \
 *   lps3sink location=s3+http://minio:minio123@127.0.0.1:9000/hls/stream1
 * ]|
 */
#include "lps3sink.h"

#include "media/segmentmeta.h"
#include "storage/hlspublisher.h"
#include "storage/s3location.h"
#include "storage/s3store.h"
#include "storage/storeopen.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

GST_DEBUG_CATEGORY_STATIC(lp_s3_sink_debug);
#define GST_CAT_DEFAULT lp_s3_sink_debug

#define DEFAULT_LOCATION nullptr
#define DEFAULT_PLAYLIST_LENGTH 6
#define DEFAULT_DELETE_SEGMENTS FALSE
#define DEFAULT_MASTER_PLAYLIST "index.m3u8"
#define DEFAULT_ACCESS_KEY nullptr
#define DEFAULT_SECRET_ACCESS_KEY nullptr
#define DEFAULT_SESSION_TOKEN nullptr
#define DEFAULT_REGION nullptr
#define DEFAULT_ENDPOINT_URI nullptr
#define DEFAULT_FORCE_PATH_STYLE FALSE
#define DEFAULT_PRESIGNED_POST nullptr
#define DEFAULT_PART_SIZE (8 * 1024 * 1024)
#define DEFAULT_CONCURRENCY 4
#define DEFAULT_MAX_PENDING 16
#define DEFAULT_RETRY_ATTEMPTS 8
#define DEFAULT_REQUEST_TIMEOUT 15

enum {
  PROP_0,
  PROP_LOCATION,
  PROP_PLAYLIST_LENGTH,
  PROP_DELETE_SEGMENTS,
  PROP_MASTER_PLAYLIST,
  PROP_ACCESS_KEY,
  PROP_SECRET_ACCESS_KEY,
  PROP_SESSION_TOKEN,
  PROP_REGION,
  PROP_ENDPOINT_URI,
  PROP_FORCE_PATH_STYLE,
  PROP_PRESIGNED_POST,
  PROP_PART_SIZE,
  PROP_CONCURRENCY,
  PROP_MAX_PENDING,
  PROP_RETRY_ATTEMPTS,
  PROP_REQUEST_TIMEOUT,
};

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE(
    "sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS(lp::kSegmentStreamCapsString));

struct LpS3SinkSettings {
  guint playlist_length = DEFAULT_PLAYLIST_LENGTH;
  bool delete_segments = DEFAULT_DELETE_SEGMENTS;
  std::string master_playlist = DEFAULT_MASTER_PLAYLIST;
  lp::StoreSettings store;
};

struct LpS3SinkPrivate {
  std::mutex settings_lock;
  LpS3SinkSettings settings;

  // Streaming state, created in start() and dropped in stop().
  std::unique_ptr<lp::HlsPublisher> publisher;
  // The publisher's store when uploads are asynchronous (S3, presigned POST), else null.
  // Guarded by queue_lock for unlock(), which runs on another thread.
  std::mutex queue_lock;
  lp::UploadQueue *queue = nullptr;
  std::atomic<bool> error_posted{false};
  // Deletes refused by a policy fail for every segment: the first is posted, the rest logged.
  std::atomic<bool> delete_warning_posted{false};
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

// One element error per failure, phrased for the person who has to fix the setup.
static void post_store_error(LpS3Sink *self, const GError *error, const std::string &where) {
  if (self->priv->error_posted.exchange(true))
    return;
  const int code = error->domain == LP_OBJECT_STORE_ERROR ? error->code : lp::kObjectStoreErrorIo;
  // The details below add sentences of their own.
  std::string detail = error->message;
  while (!detail.empty() && (detail.back() == '.' || detail.back() == ' '))
    detail.pop_back();
  switch (code) {
    case lp::kObjectStoreErrorAuth:
      GST_ELEMENT_ERROR(self, RESOURCE, NOT_AUTHORIZED,
                        ("The object store at %s refused the credentials.", where.c_str()),
                        ("%s. Check access-key and secret-access-key (or ACCESS:SECRET in the "
                         "location, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) and that the "
                         "key may write to the bucket.",
                         detail.c_str()));
      break;
    case lp::kObjectStoreErrorNotFound:
      GST_ELEMENT_ERROR(self, RESOURCE, NOT_FOUND,
                        ("The bucket of %s does not exist.", where.c_str()),
                        ("%s. Create the bucket or fix the location.", detail.c_str()));
      break;
    case lp::kObjectStoreErrorUnreachable:
      GST_ELEMENT_ERROR(self, RESOURCE, OPEN_WRITE,
                        ("Could not reach the object store at %s.", where.c_str()),
                        ("%s. Is the server running and endpoint-uri (or the location's "
                         "host) right?",
                         detail.c_str()));
      break;
    case lp::kObjectStoreErrorServer:
      GST_ELEMENT_ERROR(
          self, RESOURCE, WRITE,
          ("The object store at %s kept failing; uploads were retried.", where.c_str()),
          ("%s", detail.c_str()));
      break;
    case lp::kObjectStoreErrorLocation:
      GST_ELEMENT_ERROR(self, RESOURCE, SETTINGS, ("Could not use the HLS location."),
                        ("%s", detail.c_str()));
      break;
    default:
      GST_ELEMENT_ERROR(self, RESOURCE, WRITE, ("Could not write to %s.", where.c_str()),
                        ("%s", detail.c_str()));
      break;
  }
}

static gboolean lp_s3_sink_start(GstBaseSink *sink) {
  LpS3Sink *self = LP_S3_SINK(sink);
  LpS3SinkPrivate *p = self->priv;
  LpS3SinkSettings s;
  {
    std::lock_guard<std::mutex> guard(p->settings_lock);
    s = p->settings;
  }
  lp::HlsPublisher::Options options;
  options.playlist_length = s.playlist_length;
  options.delete_segments = s.delete_segments;
  options.master_name = s.master_playlist;
  p->error_posted = false;
  p->delete_warning_posted = false;
  if (s.store.location.empty() && s.store.presigned_post.empty()) {
    GST_ELEMENT_ERROR(self, RESOURCE, NOT_FOUND, ("No location set."),
                      ("set lps3sink's location to a directory, a file:///dir URL, an s3:// or "
                       "s3+http(s):// location, or set presigned-post"));
    return FALSE;
  }
  // The master names each rendition's playlist relative to itself, at the location's root.
  if (s.master_playlist.find('/') != std::string::npos || s.master_playlist == "." ||
      s.master_playlist == "..") {
    GST_ELEMENT_ERROR(self, RESOURCE, SETTINGS, ("Invalid master-playlist name."),
                      ("master-playlist '%s' must be a plain file name (no '/'): the master "
                       "sits at the location's root, next to the rendition folders",
                       s.master_playlist.c_str()));
    return FALSE;
  }
  const std::string where = lp::describe_store(s.store);
  lp::StoreEvents events;
  events.failed = [self, where](const GError *e) { post_store_error(self, e, where); };
  events.falling_behind = [self](size_t pending) {
    GST_ELEMENT_WARNING(self, RESOURCE, WRITE,
                        ("Uploads are falling behind: the stream waits for the object store."),
                        ("%zu objects are waiting to be stored; raise max-pending or "
                         "concurrency, or check the network",
                         pending));
  };
  events.warning = [self](const GError *e) {
    if (self->priv->delete_warning_posted.exchange(true)) {
      GST_WARNING_OBJECT(self, "could not delete an old segment: %s", e->message);
      return;
    }
    GST_ELEMENT_WARNING(self, RESOURCE, WRITE, ("Could not delete an old segment."),
                        ("%s; the stream goes on, but the segment stays in storage (further "
                         "failed deletes are only logged)",
                         e->message));
  };
  GError *error = nullptr;
  lp::OpenedStore opened = lp::open_store(s.store, std::move(events), &error);
  std::unique_ptr<lp::ObjectStore> store = std::move(opened.store);
  if (!store) {
    if (lp::store_is_remote(s.store)) {
      post_store_error(self, error, where);
    } else {
      GST_ELEMENT_ERROR(self, RESOURCE, OPEN_WRITE, ("Could not open the HLS location."),
                        ("%s", error->message));
    }
    g_error_free(error);
    return FALSE;
  }
  GST_INFO_OBJECT(self, "writing HLS to %s", store->describe().c_str());
  std::lock_guard<std::mutex> guard(p->queue_lock);
  p->queue = opened.queue;
  p->publisher = std::make_unique<lp::HlsPublisher>(std::move(store), options);
  return TRUE;
}

static gboolean lp_s3_sink_stop(GstBaseSink *sink) {
  LpS3SinkPrivate *p = LP_S3_SINK(sink)->priv;
  std::unique_ptr<lp::HlsPublisher> publisher;
  {
    std::lock_guard<std::mutex> guard(p->queue_lock);
    p->queue = nullptr;
    publisher = std::move(p->publisher);
  }
  // Abandons uploads in flight (without EOS nothing more is owed) and joins the workers.
  if (publisher)
    publisher->store().cancel();
  return TRUE;
}

static gboolean lp_s3_sink_unlock(GstBaseSink *sink) {
  LpS3SinkPrivate *p = LP_S3_SINK(sink)->priv;
  std::lock_guard<std::mutex> guard(p->queue_lock);
  if (p->queue)
    p->queue->interrupt();
  return TRUE;
}

static gboolean lp_s3_sink_unlock_stop(GstBaseSink *sink) {
  LpS3SinkPrivate *p = LP_S3_SINK(sink)->priv;
  std::lock_guard<std::mutex> guard(p->queue_lock);
  if (p->queue)
    p->queue->resume();
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

// A store error on the streaming thread: FLUSHING when the sink is being unlocked, else an
// element error (unless a worker already posted it).
static GstFlowReturn store_failure(LpS3Sink *self, GError *error, const std::string &what) {
  GstFlowReturn ret = GST_FLOW_ERROR;
  if (g_error_matches(error, LP_OBJECT_STORE_ERROR, lp::kObjectStoreErrorCancelled)) {
    GST_DEBUG_OBJECT(self, "%s: interrupted", what.c_str());
    ret = GST_FLOW_FLUSHING;
  } else if (self->priv->queue) {
    post_store_error(self, error, self->priv->publisher->store().describe());
  } else {
    GST_ELEMENT_ERROR(self, RESOURCE, WRITE, ("%s", what.c_str()), ("%s", error->message));
  }
  g_error_free(error);
  return ret;
}

static void post_segment_message(LpS3Sink *self, const lp::SegmentInfo &info,
                                 const lp::HlsPublisher::Published &published,
                                 const std::string &master) {
  GST_DEBUG_OBJECT(self, "stored %s (%.3f s)", published.segment_url.c_str(),
                   info.duration_seconds());
  gst_element_post_message(
      GST_ELEMENT(self),
      gst_message_new_element(
          GST_OBJECT(self),
          gst_structure_new(
              "lps3sink-segment", "rendition", G_TYPE_STRING, info.rendition.c_str(), "seq",
              G_TYPE_UINT64, info.seq, "duration", G_TYPE_DOUBLE, info.duration_seconds(),
              "location", G_TYPE_STRING, published.segment_url.c_str(), "playlist", G_TYPE_STRING,
              published.playlist_url.c_str(), "master", G_TYPE_STRING, master.c_str(), nullptr)));
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
    char what[160];
    g_snprintf(what, sizeof what, "Could not write segment %" G_GUINT64_FORMAT " of rendition %s.",
               info->seq, info->rendition.c_str());
    return store_failure(self, error, what);
  }
  for (const std::string &warning : published.warnings)
    GST_ELEMENT_WARNING(self, RESOURCE, WRITE, ("%s", warning.c_str()), (nullptr));
  const std::string master = p->publisher->master_url();
  if (!p->queue) {
    post_segment_message(self, *info, published, master);
    return GST_FLOW_OK;
  }
  const lp::SegmentInfo stored_info = *info;
  if (!p->queue->after_stored(
          [self, stored_info, published, master] {
            post_segment_message(self, stored_info, published, master);
          },
          &error))
    return store_failure(self, error, "Could not queue a notification.");
  return GST_FLOW_OK;
}

static gboolean lp_s3_sink_event(GstBaseSink *sink, GstEvent *event) {
  LpS3Sink *self = LP_S3_SINK(sink);
  LpS3SinkPrivate *p = self->priv;
  if (GST_EVENT_TYPE(event) == GST_EVENT_EOS && p->publisher) {
    GError *error = nullptr;
    // The EOS goes on only once every queued object is stored.
    if (!p->publisher->finish(&error) || !p->publisher->store().flush(&error)) {
      store_failure(self, error, "Could not finish the playlists.");
      gst_event_unref(event);
      return FALSE;
    }
    GST_INFO_OBJECT(self, "every object is stored");
  }
  return GST_BASE_SINK_CLASS(parent_class)->event(sink, event);
}

static void set_string(std::string *field, const GValue *value) {
  const gchar *s = g_value_get_string(value);
  *field = s ? s : "";
}

static void lp_s3_sink_set_property(GObject *object, guint prop_id, const GValue *value,
                                    GParamSpec *pspec) {
  LpS3SinkPrivate *p = LP_S3_SINK(object)->priv;
  std::lock_guard<std::mutex> guard(p->settings_lock);
  LpS3SinkSettings &s = p->settings;
  switch (prop_id) {
    case PROP_LOCATION:
      set_string(&s.store.location, value);
      break;
    case PROP_PLAYLIST_LENGTH:
      s.playlist_length = g_value_get_uint(value);
      break;
    case PROP_DELETE_SEGMENTS:
      s.delete_segments = g_value_get_boolean(value);
      break;
    case PROP_MASTER_PLAYLIST: {
      const gchar *name = g_value_get_string(value);
      s.master_playlist = name && *name ? name : DEFAULT_MASTER_PLAYLIST;
      break;
    }
    case PROP_ACCESS_KEY:
      set_string(&s.store.s3.access_key, value);
      break;
    case PROP_SECRET_ACCESS_KEY:
      set_string(&s.store.s3.secret_key, value);
      break;
    case PROP_SESSION_TOKEN:
      set_string(&s.store.s3.session_token, value);
      break;
    case PROP_REGION:
      set_string(&s.store.s3.region, value);
      break;
    case PROP_ENDPOINT_URI:
      set_string(&s.store.s3.endpoint, value);
      break;
    case PROP_FORCE_PATH_STYLE:
      s.store.s3.force_path_style = g_value_get_boolean(value);
      break;
    case PROP_PRESIGNED_POST:
      set_string(&s.store.presigned_post, value);
      break;
    case PROP_PART_SIZE:
      s.store.part_size = g_value_get_uint64(value);
      break;
    case PROP_CONCURRENCY:
      s.store.concurrency = g_value_get_uint(value);
      break;
    case PROP_MAX_PENDING:
      s.store.max_pending = g_value_get_uint(value);
      break;
    case PROP_RETRY_ATTEMPTS:
      s.store.retry_attempts = g_value_get_uint(value);
      break;
    case PROP_REQUEST_TIMEOUT:
      s.store.request_timeout_s = g_value_get_uint(value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
}

static void lp_s3_sink_get_property(GObject *object, guint prop_id, GValue *value,
                                    GParamSpec *pspec) {
  LpS3SinkPrivate *p = LP_S3_SINK(object)->priv;
  std::lock_guard<std::mutex> guard(p->settings_lock);
  const LpS3SinkSettings &s = p->settings;
  auto string_or_null = [](const std::string &v) { return v.empty() ? nullptr : v.c_str(); };
  switch (prop_id) {
    case PROP_LOCATION:
      // Reads back without the secret a URL may carry.
      g_value_set_string(value, s.store.location.empty()
                                    ? nullptr
                                    : lp::redact_location(s.store.location).c_str());
      break;
    case PROP_PLAYLIST_LENGTH:
      g_value_set_uint(value, s.playlist_length);
      break;
    case PROP_DELETE_SEGMENTS:
      g_value_set_boolean(value, s.delete_segments);
      break;
    case PROP_MASTER_PLAYLIST:
      g_value_set_string(value, s.master_playlist.c_str());
      break;
    case PROP_ACCESS_KEY:
      g_value_set_string(value, string_or_null(s.store.s3.access_key));
      break;
    case PROP_REGION:
      g_value_set_string(value, string_or_null(s.store.s3.region));
      break;
    case PROP_ENDPOINT_URI:
      g_value_set_string(value, string_or_null(s.store.s3.endpoint));
      break;
    case PROP_FORCE_PATH_STYLE:
      g_value_set_boolean(value, s.store.s3.force_path_style);
      break;
    case PROP_PART_SIZE:
      g_value_set_uint64(value, s.store.part_size);
      break;
    case PROP_CONCURRENCY:
      g_value_set_uint(value, s.store.concurrency);
      break;
    case PROP_MAX_PENDING:
      g_value_set_uint(value, s.store.max_pending);
      break;
    case PROP_RETRY_ATTEMPTS:
      g_value_set_uint(value, s.store.retry_attempts);
      break;
    case PROP_REQUEST_TIMEOUT:
      g_value_set_uint(value, s.store.request_timeout_s);
      break;
    default:
      // secret-access-key, session-token and presigned-post are write-only.
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
  // Secrets can be set but never read back, so gst-inspect and property dumps cannot show them.
  const auto write_only =
      GParamFlags(G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
  g_object_class_install_property(
      gobject_class, PROP_LOCATION,
      g_param_spec_string("location", "Location",
                          "Where the HLS tree goes: a directory path, a file:///dir URL (created "
                          "if missing), s3://ACCESS:SECRET@REGION/BUCKET[/prefix] (AWS) or "
                          "s3+http(s)://ACCESS:SECRET@HOST[:PORT]/BUCKET[/prefix] "
                          "(S3-compatible); the secret reads back as ***",
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
                          "File name of the master playlist, at the location's root (no '/')",
                          DEFAULT_MASTER_PLAYLIST, flags));
  g_object_class_install_property(
      gobject_class, PROP_ACCESS_KEY,
      g_param_spec_string("access-key", "Access key",
                          "S3 access key ID; overrides the location's and AWS_ACCESS_KEY_ID",
                          DEFAULT_ACCESS_KEY, flags));
  g_object_class_install_property(
      gobject_class, PROP_SECRET_ACCESS_KEY,
      g_param_spec_string("secret-access-key", "Secret access key",
                          "S3 secret access key (write-only); overrides the location's and "
                          "AWS_SECRET_ACCESS_KEY",
                          DEFAULT_SECRET_ACCESS_KEY, write_only));
  g_object_class_install_property(
      gobject_class, PROP_SESSION_TOKEN,
      g_param_spec_string("session-token", "Session token",
                          "Session token of temporary credentials (write-only); overrides "
                          "AWS_SESSION_TOKEN",
                          DEFAULT_SESSION_TOKEN, write_only));
  g_object_class_install_property(
      gobject_class, PROP_REGION,
      g_param_spec_string("region", "Region",
                          "S3 region to sign for; overrides the location's, AWS_REGION and "
                          "AWS_DEFAULT_REGION (default us-east-1)",
                          DEFAULT_REGION, flags));
  g_object_class_install_property(
      gobject_class, PROP_ENDPOINT_URI,
      g_param_spec_string("endpoint-uri", "Endpoint URI",
                          "http(s)://HOST[:PORT] of an S3-compatible server (MinIO, s3rver, ...) "
                          "for an s3:// location; overrides AWS_ENDPOINT_URL_S3 and "
                          "AWS_ENDPOINT_URL",
                          DEFAULT_ENDPOINT_URI, flags));
  g_object_class_install_property(
      gobject_class, PROP_FORCE_PATH_STYLE,
      g_param_spec_boolean("force-path-style", "Force path style",
                           "Put the bucket in the URL path (host/bucket/key) instead of the host "
                           "name (bucket.host/key), as most S3-compatible servers need; "
                           "s3+http(s):// locations always use path style",
                           DEFAULT_FORCE_PATH_STYLE, flags));
  g_object_class_install_property(
      gobject_class, PROP_PRESIGNED_POST,
      g_param_spec_string("presigned-post", "Presigned POST",
                          "A presigned POST policy as JSON (url, keyPrefix, policy, signature, "
                          "credential, date, acl, sessionToken, expires) to upload with instead "
                          "of credentials; objects go under its key prefix (write-only)",
                          DEFAULT_PRESIGNED_POST, write_only));
  g_object_class_install_property(
      gobject_class, PROP_PART_SIZE,
      g_param_spec_uint64("part-size", "Part size",
                          "Objects larger than this many bytes are uploaded in parts of this "
                          "size (S3 multipart upload; S3 needs at least 5 MiB)",
                          lp::kS3MinPartSize, G_GUINT64_CONSTANT(5) << 30, DEFAULT_PART_SIZE,
                          flags));
  g_object_class_install_property(
      gobject_class, PROP_CONCURRENCY,
      g_param_spec_uint("concurrency", "Concurrency",
                        "Uploads in flight at once (segments go in parallel; playlists wait "
                        "for the segments they name)",
                        1, 64, DEFAULT_CONCURRENCY, flags));
  g_object_class_install_property(
      gobject_class, PROP_MAX_PENDING,
      g_param_spec_uint("max-pending", "Maximum pending uploads",
                        "Objects that may wait for upload before the stream waits for the "
                        "store (backpressure, with a warning)",
                        1, 1024, DEFAULT_MAX_PENDING, flags));
  g_object_class_install_property(
      gobject_class, PROP_RETRY_ATTEMPTS,
      g_param_spec_uint("retry-attempts", "Retry attempts",
                        "Retries of a request that failed with 5xx, a timeout or a connection "
                        "error, with jittered exponential backoff from 0.25 s up to 8 s "
                        "(the default rides out about 15 s of outage)",
                        0, 1000, DEFAULT_RETRY_ATTEMPTS, flags));
  g_object_class_install_property(
      gobject_class, PROP_REQUEST_TIMEOUT,
      g_param_spec_uint("request-timeout", "Request timeout",
                        "Seconds a request may wait for the network before it counts as failed "
                        "(and is retried)",
                        1, 3600, DEFAULT_REQUEST_TIMEOUT, flags));

  gst_element_class_add_static_pad_template(element_class, &sink_template);
  gst_element_class_set_static_metadata(
      element_class, "Livepeer HLS sink", "Sink/Network",
      "Writes a segment stream as HLS (segments, media and master playlists) to a directory or "
      "an S3 bucket (SigV4, presigned POST)",
      "gst-livepeer developers");

  basesink_class->start = GST_DEBUG_FUNCPTR(lp_s3_sink_start);
  basesink_class->stop = GST_DEBUG_FUNCPTR(lp_s3_sink_stop);
  basesink_class->unlock = GST_DEBUG_FUNCPTR(lp_s3_sink_unlock);
  basesink_class->unlock_stop = GST_DEBUG_FUNCPTR(lp_s3_sink_unlock_stop);
  basesink_class->render = GST_DEBUG_FUNCPTR(lp_s3_sink_render);
  basesink_class->event = GST_DEBUG_FUNCPTR(lp_s3_sink_event);
}
