#include "storage/s3client.h"

#include "storage/objectstore.h"
#include "storage/s3xml.h"

#include <gst/gst.h>
#include <libsoup/soup.h>

#include <algorithm>
#include <ctime>
#include <mutex>

GST_DEBUG_CATEGORY_STATIC(lp_s3_debug);
#define GST_CAT_DEFAULT lp_s3_debug

namespace lp {
namespace {

void init_debug() {
  static std::once_flag once;
  std::call_once(once,
                 [] { GST_DEBUG_CATEGORY_INIT(lp_s3_debug, "lps3", 0, "Livepeer S3 client"); });
}

int error_code_for_status(unsigned status, const std::string &s3_code) {
  if (status == 403 || s3_code == "InvalidAccessKeyId" || s3_code == "SignatureDoesNotMatch" ||
      s3_code == "ExpiredToken" || s3_code == "InvalidToken")
    return kObjectStoreErrorAuth;
  if (status == 404 || s3_code == "NoSuchBucket" || s3_code == "NoSuchKey")
    return kObjectStoreErrorNotFound;
  return kObjectStoreErrorRefused;
}

bool is_transient_status(unsigned status) {
  return status >= 500 || status == 429 || status == 408;
}

}  // namespace

S3Client::S3Client(S3Location location, S3ClientOptions options, GCancellable *cancellable)
    : location_(std::move(location)), options_(options) {
  init_debug();
  if (cancellable)
    cancellable_ = G_CANCELLABLE(g_object_ref(cancellable));
  session_ = soup_session_new_with_options("timeout", options_.request_timeout_s, "idle-timeout",
                                           60u, "user-agent", "gst-livepeer-lps3sink ", nullptr);
}

S3Client::~S3Client() {
  g_clear_object(&session_);
  g_clear_object(&cancellable_);
}

bool S3Client::execute(const HttpRequest &request, HttpResponse *response, GError **error) {
  return execute(request, response, options_.retry_attempts + 1, error);
}

bool S3Client::execute(const HttpRequest &request, HttpResponse *response, unsigned attempts,
                       GError **error) {
  HttpResponse scratch;
  HttpResponse *r = response ? response : &scratch;
  for (unsigned n = 0;; ++n) {
    GError *attempt_error = nullptr;
    const Outcome outcome = attempt(request, r, &attempt_error);
    if (outcome == Outcome::kOk)
      return true;
    if (outcome != Outcome::kTransient || n + 1 >= attempts) {
      g_propagate_error(error, attempt_error);
      return false;
    }
    GST_INFO("%s %s failed (%s); retry %u of %u", request.method.c_str(),
             request.url.empty() ? request.path.c_str() : request.url.c_str(),
             attempt_error->message, n + 1, attempts - 1);
    g_error_free(attempt_error);
    if (!sleep_backoff(n)) {
      g_set_error(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorCancelled, "cancelled");
      return false;
    }
  }
}

bool S3Client::sleep_backoff(unsigned retry) {
  guint64 delay = options_.backoff_base_ms;
  for (unsigned i = 0; i < retry && delay < options_.backoff_max_ms; ++i)
    delay *= 2;
  delay = std::min<guint64>(delay, options_.backoff_max_ms);
  // "Equal jitter": half the delay fixed, half random, so clients that failed together do not
  // come back together.
  const guint64 wait_ms =
      delay / 2 + static_cast<guint64>(g_random_int_range(0, static_cast<gint32>(delay / 2 + 1)));
  const gint64 deadline = g_get_monotonic_time() + static_cast<gint64>(wait_ms) * 1000;
  while (g_get_monotonic_time() < deadline) {
    if (cancellable_ && g_cancellable_is_cancelled(cancellable_))
      return false;
    g_usleep(std::min<gint64>(20000, deadline - g_get_monotonic_time() + 1));
  }
  return !(cancellable_ && g_cancellable_is_cancelled(cancellable_));
}

S3Client::Outcome S3Client::attempt(const HttpRequest &request, HttpResponse *response,
                                    GError **error) {
  *response = HttpResponse();
  if (cancellable_ && g_cancellable_is_cancelled(cancellable_)) {
    g_set_error(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorCancelled, "cancelled");
    return Outcome::kCancelled;
  }
  std::string url = request.url;
  sigv4::Request signed_request;
  if (url.empty()) {
    signed_request.method = request.method;
    signed_request.path = request.path;
    signed_request.query = request.query;
    signed_request.headers = request.headers;
    if (!request.content_type.empty())
      signed_request.headers.emplace_back("Content-Type", request.content_type);
    gsize size = 0;
    const void *data = request.body ? g_bytes_get_data(request.body, &size) : nullptr;
    signed_request.payload_sha256 = sigv4::sha256_hex(data, size);
    const sigv4::Scope scope{location_.region, "s3", true};
    sigv4::sign(&signed_request, location_.request_host(), location_.credentials, scope,
                std::time(nullptr));
    url = location_.origin() + request.path + (request.query.empty() ? "" : "?" + request.query);
  }
  const std::string what = request.method + " " + (request.url.empty() ? url : request.url);

  g_autoptr(SoupMessage) msg = nullptr;
  if (request.multipart)
    msg = soup_message_new_from_multipart(url.c_str(), request.multipart);
  else
    msg = soup_message_new(request.method.c_str(), url.c_str());
  if (!msg) {
    g_set_error(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorLocation, "%s: not a valid URL",
                what.c_str());
    return Outcome::kPermanent;
  }
  SoupMessageHeaders *headers = soup_message_get_request_headers(msg);
  for (const auto &[name, value] : signed_request.headers) {
    // libsoup writes Host itself from the URL (the same host:port we signed) and, when there
    // is a body, Content-Type from set_request_body.
    if (g_ascii_strcasecmp(name.c_str(), "host") == 0 ||
        (request.body && g_ascii_strcasecmp(name.c_str(), "content-type") == 0))
      continue;
    soup_message_headers_append(headers, name.c_str(), value.c_str());
  }
  if (!request.multipart) {
    if (request.body)
      soup_message_set_request_body_from_bytes(
          msg, request.content_type.empty() ? nullptr : request.content_type.c_str(), request.body);
    else if (request.method == "PUT" || request.method == "POST")
      soup_message_headers_set_content_length(headers, 0);
  }

  GError *io_error = nullptr;
  g_autoptr(GBytes) body = soup_session_send_and_read(session_, msg, cancellable_, &io_error);
  if (!body) {
    if (g_error_matches(io_error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      g_set_error(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorCancelled, "cancelled");
      g_error_free(io_error);
      return Outcome::kCancelled;
    }
    // A certificate that does not verify will not verify on retry either.
    const bool permanent = io_error->domain == G_TLS_ERROR;
    g_set_error(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorUnreachable, "%s: %s", what.c_str(),
                io_error->message);
    g_error_free(io_error);
    return permanent ? Outcome::kPermanent : Outcome::kTransient;
  }
  response->status = soup_message_get_status(msg);
  gsize size = 0;
  const char *data = static_cast<const char *>(g_bytes_get_data(body, &size));
  response->body.assign(data ? data : "", size);
  SoupMessageHeaders *answer = soup_message_get_response_headers(msg);
  auto header = [answer](const char *name) {
    const char *value = soup_message_headers_get_one(answer, name);
    return std::string(value ? value : "");
  };
  response->etag = header("ETag");
  response->content_type = header("Content-Type");
  response->cache_control = header("Cache-Control");
  response->content_length = static_cast<guint64>(soup_message_headers_get_content_length(answer));
  GST_DEBUG("%s -> %u", what.c_str(), response->status);

  if (response->status >= 200 && response->status < 300)
    return Outcome::kOk;
  std::string code;
  std::string summary = s3_error_summary(response->body.data(), response->body.size(), &code);
  if (summary.empty())
    summary = soup_message_get_reason_phrase(msg) ? soup_message_get_reason_phrase(msg) : "";
  if (is_transient_status(response->status)) {
    g_set_error(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorServer, "%s: HTTP %u %s",
                what.c_str(), response->status, summary.c_str());
    return Outcome::kTransient;
  }
  std::string hint;
  if (response->status == 301 || code == "PermanentRedirect" ||
      code == "AuthorizationHeaderMalformed")
    hint = " (is the region right? the bucket may live in another region)";
  g_set_error(error, LP_OBJECT_STORE_ERROR, error_code_for_status(response->status, code),
              "%s: HTTP %u %s%s", what.c_str(), response->status, summary.c_str(), hint.c_str());
  return Outcome::kPermanent;
}

}  // namespace lp
