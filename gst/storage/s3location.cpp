#include "storage/s3location.h"

#include "storage/objectstore.h"

#include <glib.h>

#include <cstdlib>
#include <cstring>

namespace lp {
namespace {

std::string unescape(const char *s) {
  if (!s)
    return {};
  g_autofree gchar *raw = g_uri_unescape_string(s, nullptr);
  return raw ? raw : "";
}

std::string trim_slashes(std::string s) {
  while (!s.empty() && s.front() == '/')
    s.erase(s.begin());
  while (!s.empty() && s.back() == '/')
    s.pop_back();
  return s;
}

std::string env(const char *name) {
  const char *value = g_getenv(name);
  return value ? value : "";
}

bool host_is_valid(const std::string &host) {
  if (host.empty() || host.size() > 253)
    return false;
  for (unsigned char c : host) {
    if (!(g_ascii_isalnum(c) || c == '.' || c == '-' || c == '_' || c == ':' || c == '[' ||
          c == ']'))
      return false;
  }
  return true;
}

}  // namespace

std::string S3Location::request_host() const {
  std::string h = host.empty() ? aws_s3_host(region) : host;
  if (!path_style)
    h = bucket + "." + h;
  if (port != 0 && !((scheme == "http" && port == 80) || (scheme == "https" && port == 443)))
    h += ":" + std::to_string(port);
  return h;
}

std::string S3Location::origin() const {
  return scheme + "://" + request_host();
}

std::string S3Location::full_key(const std::string &key) const {
  if (prefix.empty())
    return key;
  if (key.empty())
    return prefix;
  return prefix + "/" + key;
}

std::string S3Location::object_path(const std::string &key) const {
  std::string path = path_style ? "/" + sigv4::uri_encode(bucket, false) : "";
  if (!key.empty())
    path += "/" + sigv4::uri_encode(key, true);
  return path.empty() ? "/" : path;
}

std::string S3Location::describe() const {
  std::string out = scheme == "https" && host.empty() ? "s3://" : "s3+" + scheme + "://";
  out += host.empty() ? region : host;
  if (!host.empty() && port)
    out += ":" + std::to_string(port);
  out += "/" + bucket;
  if (!prefix.empty())
    out += "/" + prefix;
  return out;
}

std::string aws_s3_host(const std::string &region) {
  return "s3." + (region.empty() ? std::string("us-east-1") : region) + ".amazonaws.com";
}

std::string region_from_host(const std::string &host) {
  // s3.eu-west-1.amazonaws.com, s3-eu-west-1.amazonaws.com, bucket.s3.eu-west-1.amazonaws.com
  const std::string suffix = ".amazonaws.com";
  if (host.size() <= suffix.size() ||
      host.compare(host.size() - suffix.size(), suffix.size(), suffix) != 0)
    return {};
  const std::string head = host.substr(0, host.size() - suffix.size());
  size_t at = head.rfind("s3.");
  size_t skip = 3;
  if (at == std::string::npos) {
    at = head.rfind("s3-");
    if (at == std::string::npos)
      return {};
  }
  if (at != 0 && head[at - 1] != '.')
    return {};
  const std::string region = head.substr(at + skip);
  if (region.empty() || region.find('.') != std::string::npos)
    return {};
  return region;
}

bool s3_bucket_name_is_valid(const std::string &bucket) {
  if (bucket.size() < 3 || bucket.size() > 63)
    return false;
  for (unsigned char c : bucket) {
    if (!(g_ascii_isalnum(c) || c == '.' || c == '-' || c == '_'))
      return false;
  }
  return g_ascii_isalnum(bucket.front()) && g_ascii_isalnum(bucket.back());
}

bool is_s3_location(const std::string &url) {
  // Not g_uri_peek_scheme: it interns every scheme it sees, and locations come from the network.
  for (const char *prefix : {"s3://", "s3+http://", "s3+https://"}) {
    if (g_ascii_strncasecmp(url.c_str(), prefix, strlen(prefix)) == 0)
      return true;
  }
  return false;
}

std::string redact_location(const std::string &url) {
  // scheme://user:secret@host...: the secret runs from the first ':' after "//" to the last
  // '@'. Taking the last '@' of the whole string also covers a secret with an unencoded '/'
  // (which ends the authority early); at worst a path with an '@' is masked too.
  const size_t slashes = url.find("://");
  if (slashes == std::string::npos)
    return url;
  const size_t authority = slashes + 3;
  const size_t at = url.rfind('@');
  if (at == std::string::npos || at < authority)
    return url;
  const size_t colon = url.find(':', authority);
  if (colon == std::string::npos || colon > at)
    return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

bool parse_s3_location(const std::string &url, S3Location *out, std::string *error) {
  auto fail = [&](const std::string &why) {
    if (error)
      *error = "invalid S3 location '" + redact_location(url) + "': " + why;
    return false;
  };
  if (!is_s3_location(url))
    return fail("expected s3://, s3+http:// or s3+https://");
  if (url.find_first_of(" \t\r\n") != std::string::npos)
    return fail("blanks are not allowed; percent-encode them");
  g_autofree gchar *scheme = nullptr, *user = nullptr, *password = nullptr, *host = nullptr,
                   *path = nullptr, *query = nullptr, *fragment = nullptr;
  gint port = -1;
  // GLib's own message could quote the URL with its secret; say why in our words instead.
  if (!g_uri_split_with_user(url.c_str(), GUriFlags(G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_ENCODED),
                             &scheme, &user, &password, nullptr, &host, &port, &path, &query,
                             &fragment, nullptr)) {
    return fail(
        "not a URL (a secret containing '/', '@' or ':' must be percent-encoded, e.g. / as %2F)");
  }
  if (query || fragment)
    return fail("a query or fragment is not part of an S3 location");
  S3Location loc;
  loc.credentials.access_key = unescape(user);
  loc.credentials.secret_key = unescape(password);
  if (user && !password)
    return fail("credentials must be ACCESS_KEY:SECRET");
  const std::string host_str = unescape(host);
  if (!host_is_valid(host_str))
    return fail(g_ascii_strcasecmp(scheme, "s3") == 0
                    ? "missing region (s3://ACCESS:SECRET@REGION/BUCKET)"
                    : "missing or invalid host");
  const std::string rest = trim_slashes(unescape(path));
  const size_t slash = rest.find('/');
  loc.bucket = rest.substr(0, slash);
  loc.prefix = slash == std::string::npos ? "" : trim_slashes(rest.substr(slash + 1));
  if (loc.bucket.empty())
    return fail("missing bucket");
  if (!s3_bucket_name_is_valid(loc.bucket))
    return fail("'" + loc.bucket + "' is not a valid bucket name");
  if (!loc.prefix.empty() && !object_key_is_valid(loc.prefix))
    return fail("the key prefix must be a relative path without '.', '..' or empty parts");
  const bool aws = g_ascii_strcasecmp(scheme, "s3") == 0;
  if (aws) {
    if (port > 0)
      return fail("s3:// names a region, not a host; use s3+https://HOST:PORT/BUCKET");
    loc.scheme = "https";
    loc.region = host_str;
    // A dotted bucket breaks the wildcard TLS certificate of virtual-host names.
    loc.path_style = loc.bucket.find('.') != std::string::npos;
  } else {
    loc.scheme = g_ascii_strcasecmp(scheme, "s3+http") == 0 ? "http" : "https";
    loc.host = host_str;
    loc.port = port > 0 ? static_cast<unsigned>(port) : 0;
    loc.region = region_from_host(host_str);
    loc.path_style = true;
  }
  *out = std::move(loc);
  return true;
}

bool apply_endpoint(const std::string &endpoint, S3Location *out, std::string *error) {
  g_autofree gchar *scheme = nullptr, *host = nullptr;
  gint port = -1;
  if (!g_uri_split_network(endpoint.c_str(), G_URI_FLAGS_NONE, &scheme, &host, &port, nullptr) ||
      !scheme || !host) {
    if (error)
      *error = "invalid endpoint-uri '" + redact_location(endpoint) +
               "': expected http(s)://HOST[:PORT]";
    return false;
  }
  g_autofree gchar *lower = g_ascii_strdown(scheme, -1);
  const std::string s = lower;
  if (s != "http" && s != "https") {
    if (error)
      *error = "invalid endpoint-uri scheme '" + s + "': expected http or https";
    return false;
  }
  out->scheme = s;
  out->host = host;
  out->port = port > 0 ? static_cast<unsigned>(port) : 0;
  if (out->region.empty())
    out->region = region_from_host(host);
  return true;
}

void apply_aws_environment(S3Location *out) {
  if (out->credentials.access_key.empty() && out->credentials.secret_key.empty()) {
    out->credentials.access_key = env("AWS_ACCESS_KEY_ID");
    out->credentials.secret_key = env("AWS_SECRET_ACCESS_KEY");
    if (out->credentials.session_token.empty())
      out->credentials.session_token = env("AWS_SESSION_TOKEN");
  }
  if (out->region.empty())
    out->region = env("AWS_REGION");
  if (out->region.empty())
    out->region = env("AWS_DEFAULT_REGION");
  if (out->region.empty())
    out->region = "us-east-1";
}

bool resolve_s3_location(const std::string &url, const S3Overrides &overrides, S3Location *out,
                         std::string *error) {
  S3Location loc;
  if (!parse_s3_location(url, &loc, error))
    return false;
  // Each property replaces its own half, so the secret can be kept out of a location that
  // names the access key.
  if (!overrides.access_key.empty())
    loc.credentials.access_key = overrides.access_key;
  if (!overrides.secret_key.empty())
    loc.credentials.secret_key = overrides.secret_key;
  if (!overrides.session_token.empty())
    loc.credentials.session_token = overrides.session_token;
  if (!overrides.region.empty())
    loc.region = overrides.region;
  std::string endpoint = overrides.endpoint;
  if (endpoint.empty() && loc.host.empty()) {
    endpoint = env("AWS_ENDPOINT_URL_S3");
    if (endpoint.empty())
      endpoint = env("AWS_ENDPOINT_URL");
  }
  if (!endpoint.empty()) {
    if (!apply_endpoint(endpoint, &loc, error))
      return false;
    // As botocore does: buckets go in the path on any endpoint but AWS's own, since an IP
    // address, localhost or a private server name cannot take a bucket subdomain.
    if (!g_str_has_suffix(loc.host.c_str(), ".amazonaws.com"))
      loc.path_style = true;
  }
  if (overrides.force_path_style)
    loc.path_style = true;
  apply_aws_environment(&loc);
  *out = std::move(loc);
  return true;
}

}  // namespace lp
