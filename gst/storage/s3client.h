// HTTP for the S3 backend: one libsoup session per client, SigV4-signed requests, and retries
// with jittered exponential backoff on 5xx, 429, timeouts and connection errors. A client
// belongs to the thread that created it (libsoup sessions are configured per thread); the
// upload queue gives each worker its own.
#pragma once

#include "storage/s3location.h"

#include <gio/gio.h>
#include <glib.h>

#include <string>

typedef struct _SoupSession SoupSession;
typedef struct _SoupMultipart SoupMultipart;

namespace lp {

struct S3ClientOptions {
  unsigned request_timeout_s = 15;
  // Retries after the first attempt; the delays double from backoff_base_ms up to
  // backoff_max_ms, each drawn between half and all of its nominal value.
  unsigned retry_attempts = 8;
  unsigned backoff_base_ms = 250;
  unsigned backoff_max_ms = 8000;
};

struct HttpRequest {
  std::string method = "GET";
  std::string path = "/";  // percent-encoded
  std::string query;       // percent-encoded, without '?'
  GBytes *body = nullptr;  // borrowed
  std::string content_type;
  sigv4::Headers headers;  // sent and signed (Cache-Control, x-amz-*)
  // A complete URL for unsigned requests (presigned POST); path and query are then unused.
  std::string url;
  // A prepared multipart/form-data body (presigned POST); borrowed.
  SoupMultipart *multipart = nullptr;
};

struct HttpResponse {
  unsigned status = 0;
  std::string body;
  std::string etag;
  std::string content_type;
  std::string cache_control;
  guint64 content_length = 0;
};

class S3Client {
 public:
  S3Client(S3Location location, S3ClientOptions options, GCancellable *cancellable);
  ~S3Client();
  S3Client(const S3Client &) = delete;
  S3Client &operator=(const S3Client &) = delete;

  // Sends the request, retrying transient failures. True for a 2xx answer. Otherwise false
  // with an LP_OBJECT_STORE_ERROR: kObjectStoreErrorAuth, NotFound, Refused (4xx),
  // Unreachable, Server (retries exhausted) or Cancelled. The response is filled either way.
  bool execute(const HttpRequest &request, HttpResponse *response, GError **error);
  // The same with at most `attempts` tries (a start-up probe should fail fast).
  bool execute(const HttpRequest &request, HttpResponse *response, unsigned attempts,
               GError **error);

  const S3Location &location() const { return location_; }
  GCancellable *cancellable() const { return cancellable_; }

 private:
  enum class Outcome { kOk, kTransient, kPermanent, kCancelled };
  Outcome attempt(const HttpRequest &request, HttpResponse *response, GError **error);
  bool sleep_backoff(unsigned retry);

  S3Location location_;
  S3ClientOptions options_;
  GCancellable *cancellable_ = nullptr;
  SoupSession *session_ = nullptr;
};

}  // namespace lp
