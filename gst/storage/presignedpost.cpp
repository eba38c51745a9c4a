#include "storage/presignedpost.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "util/error.h"
#include "util/json.h"

namespace lp {
namespace {

std::string iso8601(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
  return buf;
}

void add_equals(JsonBuilder *b, const char *name, const std::string &value) {
  json_builder_begin_object(b);
  json_builder_set_member_name(b, name);
  json_builder_add_string_value(b, value.c_str());
  json_builder_end_object(b);
}

void add_starts_with(JsonBuilder *b, const char *field, const std::string &prefix) {
  json_builder_begin_array(b);
  json_builder_add_string_value(b, "starts-with");
  json_builder_add_string_value(b, field);
  json_builder_add_string_value(b, prefix.c_str());
  json_builder_end_array(b);
}

std::string to_string(JsonBuilder *b) {
  g_autoptr(JsonGenerator) gen = json_generator_new();
  g_autoptr(JsonNode) root = json_builder_get_root(b);
  json_generator_set_root(gen, root);
  g_autofree gchar *text = json_generator_to_data(gen, nullptr);
  return text;
}

}  // namespace

bool PresignedPost::allows(const std::string &full_key) const {
  return object_key_is_valid(full_key) && full_key.size() > key_prefix.size() &&
         full_key.compare(0, key_prefix.size(), key_prefix) == 0;
}

std::string PresignedPost::object_url(const std::string &full_key) const {
  return url + "/" + sigv4::uri_encode(full_key, true);
}

PresignedPost make_presigned_post(const S3Location &location, const std::string &session_path,
                                  unsigned expires_seconds, std::time_t now,
                                  const std::string &acl) {
  PresignedPost post;
  post.url = location.origin() + (location.path_style ? location.object_path("") : "");
  post.key_prefix = location.full_key(session_path);
  if (!post.key_prefix.empty())
    post.key_prefix += "/";
  const std::string day = sigv4::amz_day(now);
  post.date = day + "T000000Z";
  const sigv4::Scope scope{location.region, "s3", true};
  post.credential = location.credentials.access_key + "/" + sigv4::credential_scope(day, scope);
  post.acl = acl;
  post.session_token = location.credentials.session_token;
  post.expires = static_cast<gint64>(now) + expires_seconds;

  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "expiration");
  json_builder_add_string_value(b, iso8601(static_cast<std::time_t>(post.expires)).c_str());
  json_builder_set_member_name(b, "conditions");
  json_builder_begin_array(b);
  add_equals(b, "bucket", location.bucket);
  if (!acl.empty())
    add_equals(b, "acl", acl);
  add_starts_with(b, "$Content-Type", "");
  add_starts_with(b, "$Cache-Control", "");
  add_starts_with(b, "$key", post.key_prefix);
  add_equals(b, "x-amz-algorithm", sigv4::kAlgorithm);
  add_equals(b, "x-amz-credential", post.credential);
  add_equals(b, "x-amz-date", post.date);
  if (!post.session_token.empty())
    add_equals(b, "x-amz-security-token", post.session_token);
  json_builder_end_array(b);
  json_builder_end_object(b);
  const std::string policy = to_string(b);
  g_autofree gchar *encoded =
      g_base64_encode(reinterpret_cast<const guchar *>(policy.data()), policy.size());
  post.policy = encoded;
  post.signature = sigv4::hex(sigv4::hmac_sha256(
      sigv4::signing_key(location.credentials.secret_key, day, scope), post.policy));
  return post;
}

std::string presigned_post_policy_json(const PresignedPost &post) {
  gsize size = 0;
  g_autofree guchar *raw = g_base64_decode(post.policy.c_str(), &size);
  return raw ? std::string(reinterpret_cast<char *>(raw), size) : "";
}

std::string PresignedPost::to_json() const {
  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_object(b);
  const std::pair<const char *, const std::string *> fields[] = {{"url", &url},
                                                                 {"keyPrefix", &key_prefix},
                                                                 {"policy", &policy},
                                                                 {"signature", &signature},
                                                                 {"credential", &credential},
                                                                 {"date", &date},
                                                                 {"acl", &acl},
                                                                 {"sessionToken", &session_token}};
  for (const auto &[name, value] : fields) {
    json_builder_set_member_name(b, name);
    json_builder_add_string_value(b, value->c_str());
  }
  json_builder_set_member_name(b, "expires");
  json_builder_add_int_value(b, expires);
  json_builder_end_object(b);
  return to_string(b);
}

bool PresignedPost::from_json(const std::string &json, PresignedPost *out, std::string *error) {
  auto fail = [error](const std::string &why) {
    if (error)
      *error = "invalid presigned POST: " + why;
    return false;
  };
  lp::JsonNodePtr document;
  try {
    document = lp::json::parse(json);
  } catch (const lp::Error &e) {
    return fail(std::string("not JSON (") + e.what() + ")");
  }
  JsonNode *root = document.get();
  if (!root || !JSON_NODE_HOLDS_OBJECT(root))
    return fail("not a JSON object");
  JsonObject *o = json_node_get_object(root);
  PresignedPost post;
  const std::pair<const char *, std::string *> fields[] = {{"url", &post.url},
                                                           {"keyPrefix", &post.key_prefix},
                                                           {"policy", &post.policy},
                                                           {"signature", &post.signature},
                                                           {"credential", &post.credential},
                                                           {"date", &post.date},
                                                           {"acl", &post.acl},
                                                           {"sessionToken", &post.session_token}};
  for (const auto &[name, value] : fields) {
    if (!json_object_has_member(o, name))
      continue;
    JsonNode *node = json_object_get_member(o, name);
    if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING)
      return fail(std::string("\"") + name + "\" must be a string");
    *value = json_node_get_string(node);
  }
  if (json_object_has_member(o, "expires")) {
    JsonNode *node = json_object_get_member(o, "expires");
    if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_INT64)
      return fail("\"expires\" must be an integer");
    post.expires = json_node_get_int(node);
  }
  for (const char *required : {"url", "policy", "signature", "credential", "date"}) {
    if (!json_object_has_member(o, required))
      return fail(std::string("\"") + required + "\" is missing");
  }
  if (g_ascii_strncasecmp(post.url.c_str(), "http://", 7) != 0 &&
      g_ascii_strncasecmp(post.url.c_str(), "https://", 8) != 0)
    return fail("\"url\" must be an http(s) URL");
  while (!post.url.empty() && post.url.back() == '/')
    post.url.pop_back();
  if (!post.key_prefix.empty() && post.key_prefix.back() != '/')
    post.key_prefix += "/";
  *out = std::move(post);
  return true;
}

bool presigned_post_upload(S3Client &client, const PresignedPost &post, const std::string &full_key,
                           GBytes *data, const ObjectAttrs &attrs, bool enforce_prefix,
                           GError **error) {
  if (enforce_prefix && !post.allows(full_key)) {
    g_set_error(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorRefused,
                "key '%s' is outside the presigned POST's prefix '%s'", full_key.c_str(),
                post.key_prefix.c_str());
    return false;
  }
  SoupMultipart *form = soup_multipart_new(SOUP_FORM_MIME_TYPE_MULTIPART);
  auto field = [form](const char *name, const std::string &value) {
    soup_multipart_append_form_string(form, name, value.c_str());
  };
  field("key", full_key);
  if (!post.acl.empty())
    field("acl", post.acl);
  field("Content-Type", attrs.content_type);
  field("Cache-Control", attrs.cache_control);
  field("policy", post.policy);
  field("x-amz-algorithm", sigv4::kAlgorithm);
  field("x-amz-credential", post.credential);
  field("x-amz-date", post.date);
  if (!post.session_token.empty())
    field("x-amz-security-token", post.session_token);
  field("x-amz-signature", post.signature);
  // S3 ignores every field after the file, so it goes last.
  g_autofree gchar *basename = g_path_get_basename(full_key.c_str());
  soup_multipart_append_form_file(
      form, "file", basename,
      attrs.content_type.empty() ? "application/octet-stream" : attrs.content_type.c_str(), data);
  HttpRequest request;
  request.method = "POST";
  request.url = post.url;
  request.multipart = form;
  const bool ok = client.execute(request, nullptr, error);
  soup_multipart_free(form);
  return ok;
}

PresignedPostStore::PresignedPostStore(PresignedPost post, const S3ClientOptions &options,
                                       GCancellable *cancellable)
    : post_(std::move(post)), client_(S3Location(), options, cancellable) {}

bool PresignedPostStore::put(const std::string &key, GBytes *data, const ObjectAttrs &attrs,
                             GError **error) {
  if (!object_key_is_valid(key)) {
    g_set_error(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorKey, "invalid object key '%s'",
                key.c_str());
    return false;
  }
  return presigned_post_upload(client_, post_, post_.key_prefix + key, data, attrs, true, error);
}

bool PresignedPostStore::remove(const std::string &key, GError **error) {
  g_set_error(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorRefused,
              "cannot delete '%s': a presigned POST policy only allows uploads", key.c_str());
  return false;
}

std::string PresignedPostStore::url(const std::string &key) const {
  return post_.object_url(post_.key_prefix + key);
}

std::string PresignedPostStore::describe() const {
  return post_.url + "/" + post_.key_prefix + " (presigned POST)";
}

void PresignedPostStore::cancel() {
  if (client_.cancellable())
    g_cancellable_cancel(client_.cancellable());
}

}  // namespace lp
