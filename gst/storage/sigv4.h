// AWS Signature Version 4: the canonical request, the string to sign, the derived signing key,
// header authorization and presigned (query) URLs. Pure functions over strings, no I/O, so the
// published test vectors and botocore can check every step.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <string>
#include <utility>
#include <vector>

namespace lp::sigv4 {

inline constexpr const char *kAlgorithm = "AWS4-HMAC-SHA256";
// The SHA-256 of an empty payload, which every body-less request signs.
inline constexpr const char *kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
inline constexpr const char *kUnsignedPayload = "UNSIGNED-PAYLOAD";

struct Credentials {
  std::string access_key;
  std::string secret_key;
  std::string session_token;  // temporary (STS) credentials only
};

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;
  // The path exactly as it goes on the wire, already percent-encoded.
  std::string path = "/";
  // The raw query string as it goes on the wire (no leading '?').
  std::string query;
  Headers headers;
  // Hex SHA-256 of the body, or kUnsignedPayload.
  std::string payload_sha256 = kEmptySha256;
};

struct Scope {
  std::string region;
  std::string service = "s3";
  // Non-S3 services normalise the path (RFC 3986 dot segments, no empty segments) and encode
  // it twice; S3 signs the path as sent. The published generic test suite needs the former.
  bool s3_path_rules = true;
};

std::string sha256_hex(const void *data, size_t size);
inline std::string sha256_hex(const std::string &s) {
  return sha256_hex(s.data(), s.size());
}
// Raw 32-byte HMAC-SHA256.
std::string hmac_sha256(const std::string &key, const std::string &data);
std::string hex(const std::string &raw);

// RFC 3986 percent-encoding of everything but unreserved characters (and '/' when kept).
std::string uri_encode(const std::string &s, bool keep_slash);
// Decodes %XX (and nothing else); invalid escapes stay as they are.
std::string uri_decode(const std::string &s);

// "20150830T123600Z" and "20150830" for a UNIX time.
std::string amz_date(std::time_t t);
std::string amz_day(std::time_t t);

std::string canonical_uri(const std::string &path, bool s3_path_rules);
std::string canonical_query(const std::string &query);
// Lower-case names, sorted; values trimmed, inner runs of spaces folded, repeats joined by ','.
std::string canonical_headers(const Headers &headers, std::string *signed_headers);
std::string canonical_request(const Request &request, const Scope &scope,
                              std::string *signed_headers);
// "<day>/<region>/<service>/aws4_request"
std::string credential_scope(const std::string &day, const Scope &scope);
std::string string_to_sign(const std::string &amz_date, const std::string &credential_scope,
                           const std::string &canonical_request);
// The raw derived key: HMAC chain "AWS4"+secret -> day -> region -> service -> "aws4_request".
std::string signing_key(const std::string &secret, const std::string &day, const Scope &scope);
std::string signature(const std::string &secret, const std::string &amz_date, const Scope &scope,
                      const std::string &string_to_sign);

// The Authorization header value for a request that already carries X-Amz-Date (and, for
// temporary credentials, X-Amz-Security-Token) among its headers.
std::string authorization(const Request &request, const Credentials &credentials,
                          const Scope &scope, const std::string &amz_date);

// Adds Host (when missing), X-Amz-Date, X-Amz-Content-Sha256 (S3), X-Amz-Security-Token and
// finally Authorization to the request's headers.
void sign(Request *request, const std::string &host, const Credentials &credentials,
          const Scope &scope, std::time_t now);

// A presigned URL's query: the request's own query plus X-Amz-Algorithm, -Credential, -Date,
// -Expires, -SignedHeaders (host), -Security-Token and -Signature. The payload is unsigned.
std::string presign_query(const Request &request, const std::string &host,
                          const Credentials &credentials, const Scope &scope, std::time_t now,
                          unsigned expires_seconds);

}  // namespace lp::sigv4
