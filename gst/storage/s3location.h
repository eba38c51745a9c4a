// S3 locations as Livepeer writes them (go-tools drivers.ParseOSURL):
//   s3://ACCESS:SECRET@REGION/BUCKET[/prefix]          AWS, virtual-host style
//   s3+http://ACCESS:SECRET@HOST[:PORT]/BUCKET[/prefix] S3-compatible, path style
//   s3+https://...                                      the same over TLS
// Credentials may be left out of the URL and come from properties or the AWS environment.
// Secrets in userinfo must be percent-encoded ('/' as %2F).
#pragma once

#include "storage/sigv4.h"

#include <string>

namespace lp {

struct S3Location {
  std::string scheme = "https";  // of the endpoint: http or https
  std::string host;              // endpoint host without the bucket
  unsigned port = 0;             // 0: the scheme's default
  std::string bucket;
  std::string prefix;  // key prefix without leading or trailing '/', may be empty
  std::string region;
  bool path_style = false;  // bucket in the path rather than in the host name
  sigv4::Credentials credentials;

  // "host" or "host:port" as the Host header carries it, for the bucket's requests.
  std::string request_host() const;
  // scheme://host[:port] for the bucket's requests (the bucket included when virtual-host).
  std::string origin() const;
  // The percent-encoded path of an object (or of the bucket when key is empty).
  std::string object_path(const std::string &key) const;
  // The key under the prefix.
  std::string full_key(const std::string &key) const;
  // Readable, without credentials: s3+http://host:port/bucket/prefix
  std::string describe() const;
};

// Fills the fields the URL names; credentials, region and endpoint left out of it stay empty.
// The error never repeats the secret.
bool parse_s3_location(const std::string &url, S3Location *out, std::string *error);

// True for the s3:// and s3+http(s):// schemes.
bool is_s3_location(const std::string &url);

// The URL with the secret replaced by "***", for messages.
std::string redact_location(const std::string &url);

// Element properties that take precedence over the URL, which takes precedence over the
// environment. Empty strings mean "not set".
struct S3Overrides {
  std::string access_key;
  std::string secret_key;
  std::string session_token;
  std::string region;
  std::string endpoint;  // http(s)://HOST[:PORT]
  bool force_path_style = false;
};

// parse_s3_location, then the overrides, then AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL (s3://
// only) and apply_aws_environment.
bool resolve_s3_location(const std::string &url, const S3Overrides &overrides, S3Location *out,
                         std::string *error);

// Applies an endpoint such as "http://127.0.0.1:9000" (endpoint-uri, AWS_ENDPOINT_URL).
bool apply_endpoint(const std::string &endpoint, S3Location *out, std::string *error);

// Fills what is still empty from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
// AWS_REGION / AWS_DEFAULT_REGION; then the region defaults to us-east-1.
void apply_aws_environment(S3Location *out);

// The AWS endpoint host for a region, and the region an AWS host names ("" if none).
std::string aws_s3_host(const std::string &region);
std::string region_from_host(const std::string &host);

bool s3_bucket_name_is_valid(const std::string &bucket);

}  // namespace lp
