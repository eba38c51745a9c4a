// Presigned POST policies (S3 "browser-based uploads" with SigV4): what an orchestrator hands
// a broadcaster instead of its secret. The policy allows writes only under one key prefix
// until it expires; S3 checks every form field against it. PresignedPost is a plain value that
// can travel (JSON here, OrchestratorInfo.storage later).
#pragma once

#include "storage/objectstore.h"
#include "storage/s3client.h"
#include "storage/s3location.h"

#include <ctime>
#include <memory>
#include <string>

namespace lp {

struct PresignedPost {
  std::string url;         // the form's action: the bucket's URL
  std::string key_prefix;  // every key must start with it; ends with '/'
  std::string policy;      // base64 of the policy document
  std::string signature;   // hex HMAC-SHA256 of `policy` under the derived SigV4 key
  std::string credential;  // ACCESS/yyyymmdd/region/s3/aws4_request
  std::string date;        // yyyymmddT000000Z, the day the credential scope names
  std::string acl;         // empty, or the canned ACL the policy demands (e.g. public-read)
  std::string session_token;
  gint64 expires = 0;  // UNIX time, as written in the policy

  bool allows(const std::string &full_key) const;
  // Where an object ends up.
  std::string object_url(const std::string &full_key) const;
  std::string to_json() const;
  // Parses what to_json() writes; the input comes from the network.
  static bool from_json(const std::string &json, PresignedPost *out, std::string *error);
};

// Signs a policy for writes under location.full_key(session_path) + "/" for expires_seconds.
PresignedPost make_presigned_post(const S3Location &location, const std::string &session_path,
                                  unsigned expires_seconds, std::time_t now,
                                  const std::string &acl = "");

// The policy document (JSON) behind post.policy, or "" when it does not decode.
std::string presigned_post_policy_json(const PresignedPost &post);

// One multipart/form-data POST of an object. A key outside the policy's prefix is refused here
// unless enforce_prefix is false (tests use that to see the server refuse it too).
bool presigned_post_upload(S3Client &client, const PresignedPost &post, const std::string &full_key,
                           GBytes *data, const ObjectAttrs &attrs, bool enforce_prefix,
                           GError **error);

// An ObjectStore whose root is the policy's prefix. It cannot delete.
class PresignedPostStore final : public ObjectStore {
 public:
  PresignedPostStore(PresignedPost post, const S3ClientOptions &options, GCancellable *cancellable);

  bool put(const std::string &key, GBytes *data, const ObjectAttrs &attrs, GError **error) override;
  bool remove(const std::string &key, GError **error) override;
  std::string url(const std::string &key) const override;
  std::string describe() const override;
  void cancel() override;

 private:
  PresignedPost post_;
  S3Client client_;
};

}  // namespace lp
