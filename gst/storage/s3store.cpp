#include "storage/s3store.h"

#include "storage/s3xml.h"

#include <ctime>

namespace lp {
namespace {

sigv4::Headers object_headers(const ObjectAttrs &attrs) {
  sigv4::Headers headers;
  if (!attrs.cache_control.empty())
    headers.emplace_back("Cache-Control", attrs.cache_control);
  return headers;
}

bool check_key(const std::string &key, GError **error) {
  if (object_key_is_valid(key))
    return true;
  g_set_error(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorKey, "invalid object key '%s'",
              key.c_str());
  return false;
}

// Escapes text for an XML element body.
std::string xml_text(const std::string &s) {
  g_autofree gchar *escaped = g_markup_escape_text(s.c_str(), static_cast<gssize>(s.size()));
  return escaped;
}

}  // namespace

std::unique_ptr<S3Store> S3Store::open(const S3Location &location, const S3StoreOptions &options,
                                       GCancellable *cancellable, GError **error) {
  if (location.credentials.access_key.empty() || location.credentials.secret_key.empty()) {
    g_set_error(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorLocation,
                "no S3 credentials for %s: put ACCESS:SECRET in the location, set access-key "
                "and secret-access-key, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
                location.describe().c_str());
    return nullptr;
  }
  if (options.part_size < kS3MinPartSize) {
    g_set_error(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorLocation,
                "part size %" G_GUINT64_FORMAT " is below S3's minimum of 5 MiB",
                options.part_size);
    return nullptr;
  }
  return std::unique_ptr<S3Store>(new S3Store(location, options, cancellable));
}

void S3Store::cancel() {
  if (client_.cancellable())
    g_cancellable_cancel(client_.cancellable());
}

std::string S3Store::url(const std::string &key) const {
  const S3Location &loc = client_.location();
  return loc.origin() + loc.object_path(loc.full_key(key));
}

bool S3Store::put(const std::string &key, GBytes *data, const ObjectAttrs &attrs, GError **error) {
  if (!check_key(key, error))
    return false;
  const std::string full_key = client_.location().full_key(key);
  if (g_bytes_get_size(data) > options_.part_size)
    return put_multipart(full_key, data, attrs, error);
  HttpRequest request;
  request.method = "PUT";
  request.path = client_.location().object_path(full_key);
  request.body = data;
  request.content_type = attrs.content_type;
  request.headers = object_headers(attrs);
  return client_.execute(request, nullptr, error);
}

bool S3Store::put_multipart(const std::string &full_key, GBytes *data, const ObjectAttrs &attrs,
                            GError **error) {
  const std::string path = client_.location().object_path(full_key);
  const gsize size = g_bytes_get_size(data);
  const guint64 parts = (size + options_.part_size - 1) / options_.part_size;
  if (parts > kS3MaxParts) {
    g_set_error(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorRefused,
                "%s needs %" G_GUINT64_FORMAT " parts; raise part-size (S3 allows %u)",
                full_key.c_str(), parts, kS3MaxParts);
    return false;
  }
  HttpRequest create;
  create.method = "POST";
  create.path = path;
  create.query = "uploads";
  create.content_type = attrs.content_type;
  create.headers = object_headers(attrs);
  HttpResponse response;
  if (!client_.execute(create, &response, error))
    return false;
  S3XmlDoc doc;
  if (!parse_s3_xml(response.body.data(), response.body.size(), &doc) ||
      doc.field("UploadId").empty()) {
    g_set_error(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorServer,
                "CreateMultipartUpload for %s answered without an UploadId", full_key.c_str());
    return false;
  }
  const std::string upload_id = sigv4::uri_encode(doc.field("UploadId"), false);
  std::string manifest = "<CompleteMultipartUpload>";
  bool ok = true;
  for (guint64 part = 0; part < parts && ok; ++part) {
    const gsize offset = part * options_.part_size;
    const gsize length = std::min<gsize>(options_.part_size, size - offset);
    g_autoptr(GBytes) slice = g_bytes_new_from_bytes(data, offset, length);
    HttpRequest upload;
    upload.method = "PUT";
    upload.path = path;
    upload.query = "partNumber=" + std::to_string(part + 1) + "&uploadId=" + upload_id;
    upload.body = slice;
    ok = client_.execute(upload, &response, error);
    if (ok && response.etag.empty()) {
      g_set_error(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorServer,
                  "UploadPart %" G_GUINT64_FORMAT " of %s answered without an ETag", part + 1,
                  full_key.c_str());
      ok = false;
    }
    manifest += "<Part><PartNumber>" + std::to_string(part + 1) + "</PartNumber><ETag>" +
                xml_text(response.etag) + "</ETag></Part>";
  }
  if (ok) {
    manifest += "</CompleteMultipartUpload>";
    g_autoptr(GBytes) body = g_bytes_new(manifest.data(), manifest.size());
    HttpRequest complete;
    complete.method = "POST";
    complete.path = path;
    complete.query = "uploadId=" + upload_id;
    complete.body = body;
    complete.content_type = "application/xml";
    ok = client_.execute(complete, &response, error);
    // S3 may answer 200 and still report a failure in the body.
    S3XmlDoc result;
    if (ok && parse_s3_xml(response.body.data(), response.body.size(), &result) &&
        result.root == "Error") {
      g_set_error(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorServer,
                  "CompleteMultipartUpload of %s failed: %s", full_key.c_str(),
                  s3_error_summary(response.body.data(), response.body.size(), nullptr).c_str());
      ok = false;
    }
  }
  if (!ok) {
    // Parts of an unfinished upload are billed until aborted; best effort, at most 2 tries.
    HttpRequest abort;
    abort.method = "DELETE";
    abort.path = path;
    abort.query = "uploadId=" + upload_id;
    if (!client_.cancellable() || !g_cancellable_is_cancelled(client_.cancellable()))
      client_.execute(abort, nullptr, 2, nullptr);
    return false;
  }
  multipart_uploads_++;
  return true;
}

bool S3Store::remove(const std::string &key, GError **error) {
  if (!check_key(key, error))
    return false;
  HttpRequest request;
  request.method = "DELETE";
  request.path = client_.location().object_path(client_.location().full_key(key));
  GError *local = nullptr;
  if (client_.execute(request, nullptr, &local))
    return true;
  // Deleting a missing object is not an error.
  if (g_error_matches(local, LP_OBJECT_STORE_ERROR, kObjectStoreErrorNotFound) &&
      !g_strrstr(local->message, "NoSuchBucket")) {
    g_error_free(local);
    return true;
  }
  g_propagate_error(error, local);
  return false;
}

bool S3Store::check(GError **error) {
  const S3Location &loc = client_.location();
  HttpRequest request;
  request.method = "GET";
  request.path = loc.object_path("");
  if (!loc.path_style)
    request.path = "/";
  request.query = "list-type=2&max-keys=1";
  if (!loc.prefix.empty())
    request.query += "&prefix=" + sigv4::uri_encode(loc.prefix + "/", false);
  GError *local = nullptr;
  if (client_.execute(request, nullptr, 3, &local))
    return true;
  if (g_error_matches(local, LP_OBJECT_STORE_ERROR, kObjectStoreErrorAuth) &&
      g_strrstr(local->message, "AccessDenied")) {
    // Signed correctly but not allowed to list: writing may still be allowed.
    g_error_free(local);
    return true;
  }
  g_propagate_error(error, local);
  return false;
}

bool S3Store::get(const std::string &key, GBytes **data, GError **error) {
  if (!check_key(key, error))
    return false;
  HttpRequest request;
  request.method = "GET";
  request.path = client_.location().object_path(client_.location().full_key(key));
  HttpResponse response;
  if (!client_.execute(request, &response, error))
    return false;
  *data = g_bytes_new(response.body.data(), response.body.size());
  return true;
}

bool S3Store::head(const std::string &key, ObjectAttrs *attrs, guint64 *size, GError **error) {
  if (!check_key(key, error))
    return false;
  HttpRequest request;
  request.method = "HEAD";
  request.path = client_.location().object_path(client_.location().full_key(key));
  HttpResponse response;
  if (!client_.execute(request, &response, error))
    return false;
  if (attrs) {
    attrs->content_type = response.content_type;
    attrs->cache_control = response.cache_control;
  }
  if (size)
    *size = response.content_length;
  return true;
}

std::string S3Store::presigned_url(const std::string &method, const std::string &key,
                                   unsigned expires_seconds) const {
  const S3Location &loc = client_.location();
  sigv4::Request request;
  request.method = method;
  request.path = loc.object_path(loc.full_key(key));
  const sigv4::Scope scope{loc.region, "s3", true};
  return loc.origin() + request.path + "?" +
         sigv4::presign_query(request, loc.request_host(), loc.credentials, scope,
                              std::time(nullptr), expires_seconds);
}

}  // namespace lp
