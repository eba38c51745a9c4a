#include "storage/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdio>
#include <map>

namespace lp::sigv4 {
namespace {

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

std::string to_lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return s;
}

// Header values are signed trimmed, with runs of blanks folded into one space.
std::string fold_blanks(const std::string &value) {
  std::string out;
  bool blank = false;
  for (char c : value) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      blank = true;
      continue;
    }
    if (blank && !out.empty())
      out.push_back(' ');
    blank = false;
    out.push_back(c);
  }
  return out;
}

// RFC 3986 section 5.2.4 plus dropping empty segments, as the generic test suite expects.
std::string normalize_path(const std::string &path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos)
      slash = path.size();
    const std::string part = path.substr(start, slash - start);
    if (part == "..") {
      if (!out.empty())
        out.pop_back();
    } else if (!part.empty() && part != ".") {
      out.push_back(part);
    }
    start = slash + 1;
  }
  std::string result;
  for (const auto &part : out)
    result += "/" + part;
  // A trailing slash names a "directory" and is kept.
  const bool trailing = !path.empty() && path.back() == '/' && !out.empty();
  if (result.empty() || trailing)
    result += "/";
  return result;
}

std::string header_value(const Headers &headers, const std::string &lower_name) {
  for (const auto &[name, value] : headers) {
    if (to_lower(name) == lower_name)
      return value;
  }
  return {};
}

}  // namespace

std::string hex(const std::string &raw) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char c : raw) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

std::string sha256_hex(const void *data, size_t size) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!EVP_Digest(data ? data : "", size, digest, &length, EVP_sha256(), nullptr))
    return {};
  return hex(std::string(reinterpret_cast<char *>(digest), length));
}

std::string hmac_sha256(const std::string &key, const std::string &data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char *>(data.data()), data.size(), mac, &length))
    return {};
  return std::string(reinterpret_cast<char *>(mac), length);
}

std::string uri_encode(const std::string &s, bool keep_slash) {
  static const char digits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (is_unreserved(c) || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(digits[c >> 4]);
      out.push_back(digits[c & 15]);
    }
  }
  return out;
}

std::string uri_decode(const std::string &s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = hex_value(s[i + 1]);
      const int lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

std::string amz_date(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string amz_day(std::time_t t) {
  return amz_date(t).substr(0, 8);
}

std::string canonical_uri(const std::string &path, bool s3_path_rules) {
  if (path.empty())
    return "/";
  if (s3_path_rules)
    return path;
  return uri_encode(normalize_path(path), true);
}

std::string canonical_query(const std::string &query) {
  std::vector<std::pair<std::string, std::string>> params;
  size_t start = 0;
  while (start < query.size()) {
    size_t amp = query.find('&', start);
    if (amp == std::string::npos)
      amp = query.size();
    const std::string item = query.substr(start, amp - start);
    if (!item.empty()) {
      const size_t eq = item.find('=');
      const std::string name = item.substr(0, eq);
      const std::string value = eq == std::string::npos ? "" : item.substr(eq + 1);
      params.emplace_back(uri_encode(uri_decode(name), false),
                          uri_encode(uri_decode(value), false));
    }
    start = amp + 1;
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto &[name, value] : params) {
    if (!out.empty())
      out.push_back('&');
    out += name + "=" + value;
  }
  return out;
}

std::string canonical_headers(const Headers &headers, std::string *signed_headers) {
  std::map<std::string, std::string> merged;
  for (const auto &[name, value] : headers) {
    const std::string key = to_lower(name);
    auto it = merged.find(key);
    if (it == merged.end())
      merged.emplace(key, fold_blanks(value));
    else
      it->second += "," + fold_blanks(value);
  }
  std::string out, names;
  for (const auto &[name, value] : merged) {
    out += name + ":" + value + "\n";
    if (!names.empty())
      names.push_back(';');
    names += name;
  }
  if (signed_headers)
    *signed_headers = names;
  return out;
}

std::string canonical_request(const Request &request, const Scope &scope,
                              std::string *signed_headers) {
  std::string names;
  const std::string headers = canonical_headers(request.headers, &names);
  if (signed_headers)
    *signed_headers = names;
  return request.method + "\n" + canonical_uri(request.path, scope.s3_path_rules) + "\n" +
         canonical_query(request.query) + "\n" + headers + "\n" + names + "\n" +
         request.payload_sha256;
}

std::string credential_scope(const std::string &day, const Scope &scope) {
  return day + "/" + scope.region + "/" + scope.service + "/aws4_request";
}

std::string string_to_sign(const std::string &amz_date, const std::string &credential_scope,
                           const std::string &canonical_request) {
  return std::string(kAlgorithm) + "\n" + amz_date + "\n" + credential_scope + "\n" +
         sha256_hex(canonical_request);
}

std::string signing_key(const std::string &secret, const std::string &day, const Scope &scope) {
  const std::string k_date = hmac_sha256("AWS4" + secret, day);
  const std::string k_region = hmac_sha256(k_date, scope.region);
  const std::string k_service = hmac_sha256(k_region, scope.service);
  return hmac_sha256(k_service, "aws4_request");
}

std::string signature(const std::string &secret, const std::string &amz_date, const Scope &scope,
                      const std::string &string_to_sign) {
  return hex(hmac_sha256(signing_key(secret, amz_date.substr(0, 8), scope), string_to_sign));
}

std::string authorization(const Request &request, const Credentials &credentials,
                          const Scope &scope, const std::string &amz_date) {
  std::string signed_headers;
  const std::string creq = canonical_request(request, scope, &signed_headers);
  const std::string cscope = credential_scope(amz_date.substr(0, 8), scope);
  const std::string sts = string_to_sign(amz_date, cscope, creq);
  return std::string(kAlgorithm) + " Credential=" + credentials.access_key + "/" + cscope +
         ", SignedHeaders=" + signed_headers +
         ", Signature=" + signature(credentials.secret_key, amz_date, scope, sts);
}

void sign(Request *request, const std::string &host, const Credentials &credentials,
          const Scope &scope, std::time_t now) {
  const std::string date = amz_date(now);
  if (header_value(request->headers, "host").empty())
    request->headers.emplace_back("Host", host);
  request->headers.emplace_back("X-Amz-Date", date);
  if (scope.service == "s3")
    request->headers.emplace_back("X-Amz-Content-Sha256", request->payload_sha256);
  if (!credentials.session_token.empty())
    request->headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
  const std::string auth = authorization(*request, credentials, scope, date);
  request->headers.emplace_back("Authorization", auth);
}

std::string presign_query(const Request &request, const std::string &host,
                          const Credentials &credentials, const Scope &scope, std::time_t now,
                          unsigned expires_seconds) {
  const std::string date = amz_date(now);
  const std::string cscope = credential_scope(date.substr(0, 8), scope);
  std::string query = request.query;
  auto add = [&query](const std::string &name, const std::string &value) {
    if (!query.empty())
      query.push_back('&');
    query += name + "=" + uri_encode(value, false);
  };
  add("X-Amz-Algorithm", kAlgorithm);
  add("X-Amz-Credential", credentials.access_key + "/" + cscope);
  add("X-Amz-Date", date);
  add("X-Amz-Expires", std::to_string(expires_seconds));
  add("X-Amz-SignedHeaders", "host");
  if (!credentials.session_token.empty())
    add("X-Amz-Security-Token", credentials.session_token);
  Request signed_request;
  signed_request.method = request.method;
  signed_request.path = request.path;
  signed_request.query = query;
  signed_request.headers = {{"host", host}};
  signed_request.payload_sha256 = kUnsignedPayload;
  const std::string creq = canonical_request(signed_request, scope, nullptr);
  const std::string sts = string_to_sign(date, cscope, creq);
  add("X-Amz-Signature", signature(credentials.secret_key, date, scope, sts));
  return query;
}

}  // namespace lp::sigv4
