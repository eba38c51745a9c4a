// Unit tests of the S3 storage layer without a server: SigV4 against AWS's published test
// suite and against botocore, S3 locations, S3 XML, presigned POST policies and the upload
// queue's ordering, backpressure, failure and cancellation rules.
#include "storage/presignedpost.h"
#include "storage/s3location.h"
#include "storage/s3xml.h"
#include "storage/sigv4.h"
#include "storage/storeopen.h"
#include "storage/uploadqueue.h"
#include "testutil.h"

#include <gmock/gmock.h>
#include <json-glib/json-glib.h>

#include <atomic>
#include <map>
#include <sstream>

using namespace lp;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

struct Vector {
  std::string name, req, creq, sts, authz;
};

std::vector<Vector> load_vectors() {
  std::istringstream in(
      test::read_file(test::source_root() + "/tests/storage/sigv4_testsuite.txt"));
  std::vector<Vector> out;
  std::string line, *section = nullptr;
  while (std::getline(in, line)) {
    if (line.rfind("=== ", 0) == 0) {
      out.push_back({line.substr(4), "", "", "", ""});
      section = nullptr;
    } else if (line.rfind("--- ", 0) == 0 && !out.empty()) {
      const std::string which = line.substr(4);
      section = which == "req"    ? &out.back().req
                : which == "creq" ? &out.back().creq
                : which == "sts"  ? &out.back().sts
                                  : &out.back().authz;
    } else if (section) {
      *section += (section->empty() ? "" : "\n") + line;
    }
  }
  // A blank line separates vectors.
  for (Vector &v : out) {
    for (std::string *s : {&v.req, &v.creq, &v.sts, &v.authz}) {
      while (!s->empty() && s->back() == '\n')
        s->pop_back();
    }
  }
  return out;
}

// "METHOD PATH?QUERY HTTP/1.1", headers, blank line, body.
sigv4::Request parse_request(const std::string &text) {
  sigv4::Request r;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  const size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
  r.method = line.substr(0, sp1);
  std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const size_t q = target.find('?');
  r.path = target.substr(0, q);
  r.query = q == std::string::npos ? "" : target.substr(q + 1);
  std::string body;
  bool in_body = false;
  while (std::getline(in, line)) {
    if (in_body) {
      body += line;
    } else if (line.empty()) {
      in_body = true;
    } else {
      const size_t colon = line.find(':');
      r.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
    }
  }
  r.payload_sha256 = sigv4::sha256_hex(body);
  return r;
}

}  // namespace

// ---- SigV4 --------------------------------------------------------------------------------

TEST(SigV4, PublishedTestSuite) {
  const std::vector<Vector> vectors = load_vectors();
  ASSERT_GE(vectors.size(), 20u);
  const sigv4::Credentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
  // The generic suite signs for a non-S3 service: normalised, re-encoded paths.
  const sigv4::Scope scope{"us-east-1", "service", false};
  for (const Vector &v : vectors) {
    SCOPED_TRACE(v.name);
    const sigv4::Request request = parse_request(v.req);
    const std::string creq = sigv4::canonical_request(request, scope, nullptr);
    EXPECT_EQ(creq, v.creq);
    const std::string sts =
        sigv4::string_to_sign("20150830T123600Z", sigv4::credential_scope("20150830", scope), creq);
    EXPECT_EQ(sts, v.sts);
    EXPECT_EQ(sigv4::authorization(request, creds, scope, "20150830T123600Z"), v.authz);
  }
}

TEST(SigV4, DerivedKeyAndHelpers) {
  // The derived key of AWS's documentation example (GET object, examplebucket).
  const sigv4::Scope scope{"us-east-1", "s3", true};
  EXPECT_EQ(
      sigv4::hex(sigv4::signing_key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20130524", scope)),
      "dbb893acc010964918f1fd433add87c70e8b0db6be30c1fbeafefa5ec6ba8378");
  EXPECT_EQ(sigv4::sha256_hex(""), sigv4::kEmptySha256);
  EXPECT_EQ(sigv4::uri_encode("a b/c~d+e", true), "a%20b/c~d%2Be");
  EXPECT_EQ(sigv4::uri_encode("a/b", false), "a%2Fb");
  EXPECT_EQ(sigv4::uri_decode("a%2Fb%zz%4"), "a/b%zz%4");
  EXPECT_EQ(sigv4::amz_date(1440938160), "20150830T123600Z");
  EXPECT_EQ(sigv4::canonical_query("uploads"), "uploads=");
}

namespace {

// Our signature of a request next to botocore's, for the same request at the same instant.
struct BotoCase {
  std::string method, host, path, query, body, content_type, cache_control, region, token;
  unsigned presign = 0;
};

}  // namespace

TEST(SigV4, MatchesBotocoreRequestByRequest) {
  const std::time_t now = 1718000000;  // 2024-06-10T06:13:20Z
  const std::vector<BotoCase> cases = {
      {"PUT", "127.0.0.1:9000", "/hls/stream/source/0.ts", "", "segment bytes", "video/mp2t",
       "max-age=86400", "us-east-1", "", 0},
      {"PUT", "127.0.0.1:9000", "/hls/stream/source.m3u8", "", "#EXTM3U\n",
       "application/vnd.apple.mpegurl", "max-age=1", "eu-west-1", "", 0},
      {"GET", "bucket.s3.eu-central-1.amazonaws.com", "/a%20b/%E2%82%AC/x%2By.ts", "", "", "", "",
       "eu-central-1", "", 0},
      {"HEAD", "127.0.0.1:9000", "/hls/k.ts", "", "", "", "", "us-east-1", "", 0},
      {"DELETE", "127.0.0.1:9000", "/hls/k.ts", "", "", "", "", "us-east-1",
       "TOKEN/with+chars=", 0},
      {"POST", "127.0.0.1:9000", "/hls/rec.ts", "uploads", "", "video/mp2t", "", "us-east-1", "",
       0},
      {"PUT", "127.0.0.1:9000", "/hls/rec.ts", "partNumber=2&uploadId=abc%2Fdef", "part", "", "",
       "us-east-1", "", 0},
      {"GET", "127.0.0.1:9000", "/hls", "list-type=2&max-keys=1&prefix=live%2F", "", "", "",
       "us-east-1", "", 0},
      {"GET", "127.0.0.1:9000", "/hls/stream/index.m3u8", "", "", "", "", "us-east-1", "", 600},
      {"PUT", "bucket.s3.us-west-2.amazonaws.com", "/x.ts", "", "", "", "", "us-west-2", "tok",
       3600},
  };
  const sigv4::Credentials base{"AKIDLIVEPEER", "se/cr+et KEY", ""};
  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_array(b);
  std::vector<std::map<std::string, std::string>> ours;
  for (const BotoCase &c : cases) {
    sigv4::Credentials creds = base;
    creds.session_token = c.token;
    const sigv4::Scope scope{c.region, "s3", true};
    sigv4::Request r;
    r.method = c.method;
    r.path = c.path;
    r.query = c.query;
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "headers");
    json_builder_begin_array(b);
    auto header = [&](const std::string &name, const std::string &value) {
      if (value.empty())
        return;
      r.headers.emplace_back(name, value);
      json_builder_begin_array(b);
      json_builder_add_string_value(b, name.c_str());
      json_builder_add_string_value(b, value.c_str());
      json_builder_end_array(b);
    };
    header("Content-Type", c.content_type);
    header("Cache-Control", c.cache_control);
    json_builder_end_array(b);
    std::map<std::string, std::string> result;
    if (c.presign) {
      result["url"] = "http://" + c.host + c.path + "?" +
                      sigv4::presign_query(r, c.host, creds, scope, now, c.presign);
      json_builder_set_member_name(b, "presign_expires");
      json_builder_add_int_value(b, c.presign);
    } else {
      r.payload_sha256 = sigv4::sha256_hex(c.body);
      sigv4::sign(&r, c.host, creds, scope, now);
      for (const auto &[name, value] : r.headers)
        result[name] = value;
    }
    ours.push_back(result);
    const std::pair<const char *, std::string> fields[] = {
        {"method", c.method},
        {"url", "http://" + c.host + c.path + (c.query.empty() ? "" : "?" + c.query)},
        {"body", c.body},
        {"region", c.region},
        {"access_key", creds.access_key},
        {"secret_key", creds.secret_key},
        {"session_token", creds.session_token},
        {"timestamp", sigv4::amz_date(now)}};
    for (const auto &[name, value] : fields) {
      json_builder_set_member_name(b, name);
      json_builder_add_string_value(b, value.c_str());
    }
    json_builder_end_object(b);
  }
  json_builder_end_array(b);
  g_autoptr(JsonGenerator) gen = json_generator_new();
  g_autoptr(JsonNode) root = json_builder_get_root(b);
  json_generator_set_root(gen, root);
  test::TempDir dir;
  g_autofree gchar *input = json_generator_to_data(gen, nullptr);
  g_file_set_contents((dir.path() + "/in.json").c_str(), input, -1, nullptr);
  std::string output;
  ASSERT_EQ(test::run_command({"sh", "-c",
                               "/usr/bin/python3 " + test::source_root() +
                                   "/tests/storage/botocore_sign.py < " + dir.path() + "/in.json"},
                              &output),
            0)
      << output;
  g_autoptr(JsonParser) parser = json_parser_new();
  ASSERT_TRUE(json_parser_load_from_data(parser, output.c_str(), -1, nullptr)) << output;
  JsonArray *theirs = json_node_get_array(json_parser_get_root(parser));
  ASSERT_EQ(json_array_get_length(theirs), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].method + " " + cases[i].path + " " + cases[i].query);
    JsonObject *o = json_array_get_object_element(theirs, static_cast<guint>(i));
    if (cases[i].presign) {
      EXPECT_EQ(ours[i]["url"], json_object_get_string_member(o, "url"));
      continue;
    }
    JsonObject *headers = json_object_get_object_member(o, "headers");
    const std::string authorization = json_object_get_string_member(headers, "Authorization");
    EXPECT_THAT(authorization, HasSubstr("Signature="));
    EXPECT_EQ(ours[i]["Authorization"], authorization);
    EXPECT_EQ(ours[i]["X-Amz-Content-Sha256"],
              json_object_get_string_member(headers, "X-Amz-Content-SHA256"));
    EXPECT_EQ(ours[i]["X-Amz-Date"], json_object_get_string_member(headers, "X-Amz-Date"));
    if (!cases[i].token.empty()) {
      EXPECT_EQ(ours[i]["X-Amz-Security-Token"],
                json_object_get_string_member(headers, "X-Amz-Security-Token"));
    }
  }
}

// ---- locations ----------------------------------------------------------------------------

TEST(S3Location, AwsAndCompatibleForms) {
  S3Location loc;
  std::string error;
  ASSERT_TRUE(
      parse_s3_location("s3://AKID:se%2Fcret@eu-west-1/my-bucket/live/stream", &loc, &error))
      << error;
  EXPECT_EQ(loc.credentials.access_key, "AKID");
  EXPECT_EQ(loc.credentials.secret_key, "se/cret");
  EXPECT_EQ(loc.region, "eu-west-1");
  EXPECT_EQ(loc.bucket, "my-bucket");
  EXPECT_EQ(loc.prefix, "live/stream");
  EXPECT_FALSE(loc.path_style);
  EXPECT_EQ(loc.origin(), "https://my-bucket.s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(loc.object_path(loc.full_key("a b.ts")), "/live/stream/a%20b.ts");
  EXPECT_EQ(loc.describe(), "s3://eu-west-1/my-bucket/live/stream");

  ASSERT_TRUE(parse_s3_location("s3+http://K:S@127.0.0.1:9000/hls/", &loc, &error)) << error;
  EXPECT_TRUE(loc.path_style);
  EXPECT_EQ(loc.prefix, "");
  EXPECT_EQ(loc.origin(), "http://127.0.0.1:9000");
  EXPECT_EQ(loc.object_path("x/1.ts"), "/hls/x/1.ts");
  EXPECT_EQ(loc.region, "");  // filled by the environment or us-east-1 later
  ASSERT_TRUE(
      parse_s3_location("s3+https://K:S@s3.ap-south-1.amazonaws.com/b.dotted/p", &loc, &error));
  EXPECT_EQ(loc.region, "ap-south-1");
  EXPECT_EQ(loc.origin(), "https://s3.ap-south-1.amazonaws.com");
  // Dotted buckets cannot be virtual hosts under the wildcard certificate.
  ASSERT_TRUE(parse_s3_location("s3://K:S@us-east-2/b.dotted", &loc, &error));
  EXPECT_TRUE(loc.path_style);
}

TEST(S3Location, ErrorsNeverRepeatTheSecret) {
  const char *bad[] = {
      "s3://AK:TOPSECRET@eu-west-1",                  // no bucket
      "s3://AK:TOPSECRET@eu-west-1/B_",               // bad bucket name
      "s3://AK:TOPSECRET@eu-west-1:99/bucket",        // a port on a region
      "s3+http://AK:TOPSECRET@/bucket",               // no host
      "s3+http://AK:TOP/SECRET@host/bucket",          // unencoded '/'
      "s3+http://AK:TOPSECRET@host/bucket/../etc",    // escaping prefix
      "s3+http://AK:TOPSECRET@host/bucket?x=1",       // query
      "s3+ftp://AK:TOPSECRET@host/bucket",            // scheme
      "s3+http://AK:TOPSECRET@host:notaport/bucket",  // port
  };
  for (const char *url : bad) {
    S3Location loc;
    std::string error;
    EXPECT_FALSE(parse_s3_location(url, &loc, &error)) << url;
    EXPECT_THAT(error, Not(HasSubstr("SECRET"))) << url;
    EXPECT_FALSE(error.empty());
  }
  EXPECT_EQ(redact_location("s3+http://AK:TOPSECRET@host:1/b/p"), "s3+http://AK:***@host:1/b/p");
  EXPECT_EQ(redact_location("/a/dir"), "/a/dir");
}

TEST(S3Location, PropertiesThenUrlThenEnvironment) {
  g_setenv("AWS_ACCESS_KEY_ID", "ENVKEY", TRUE);
  g_setenv("AWS_SECRET_ACCESS_KEY", "ENVSECRET", TRUE);
  g_setenv("AWS_REGION", "sa-east-1", TRUE);
  g_setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1234", TRUE);
  S3Location loc;
  std::string error;
  ASSERT_TRUE(resolve_s3_location("s3://us-east-2/bucket/p", {}, &loc, &error)) << error;
  EXPECT_EQ(loc.credentials.access_key, "ENVKEY");
  EXPECT_EQ(loc.credentials.secret_key, "ENVSECRET");
  EXPECT_EQ(loc.region, "us-east-2");  // the URL names it
  EXPECT_EQ(loc.origin(), "http://127.0.0.1:1234") << "path style on a custom endpoint";
  EXPECT_EQ(loc.object_path("k"), "/bucket/k");
  S3Overrides overrides;
  overrides.access_key = "PROPKEY";
  overrides.secret_key = "PROPSECRET";
  overrides.endpoint = "http://localhost:9000";
  overrides.force_path_style = true;
  overrides.region = "eu-north-1";
  ASSERT_TRUE(
      resolve_s3_location("s3://URLKEY:URLSECRET@us-east-2/bucket", overrides, &loc, &error));
  EXPECT_EQ(loc.credentials.access_key, "PROPKEY");
  EXPECT_EQ(loc.region, "eu-north-1");
  EXPECT_EQ(loc.origin(), "http://localhost:9000");
  EXPECT_EQ(loc.object_path("k"), "/bucket/k");
  ASSERT_TRUE(resolve_s3_location("s3://URLKEY:URLSECRET@us-east-2/bucket", {}, &loc, &error));
  EXPECT_EQ(loc.credentials.access_key, "URLKEY");
  // The secret alone as a property replaces only the secret.
  S3Overrides secret_only;
  secret_only.secret_key = "PROPSECRET";
  ASSERT_TRUE(
      resolve_s3_location("s3://URLKEY:URLSECRET@us-east-2/bucket", secret_only, &loc, &error));
  EXPECT_EQ(loc.credentials.access_key, "URLKEY");
  EXPECT_EQ(loc.credentials.secret_key, "PROPSECRET");
  // Messages name the server the requests go to, never the secret.
  StoreSettings settings;
  settings.location = "s3://K:TOPSECRET@us-east-2/bucket/p";
  settings.s3.endpoint = "http://127.0.0.1:1234";
  EXPECT_EQ(describe_store(settings), "s3+http://127.0.0.1:1234/bucket/p");
  // AWS's own endpoints keep virtual-host style.
  S3Overrides aws;
  aws.endpoint = "https://s3.eu-west-1.amazonaws.com";
  ASSERT_TRUE(resolve_s3_location("s3://K:S@eu-west-1/bucket", aws, &loc, &error));
  EXPECT_EQ(loc.origin(), "https://bucket.s3.eu-west-1.amazonaws.com");
  g_unsetenv("AWS_REGION");
  g_unsetenv("AWS_ENDPOINT_URL");
  ASSERT_TRUE(resolve_s3_location("s3+http://h:1/bucket", {}, &loc, &error));
  EXPECT_EQ(loc.region, "us-east-1");
  EXPECT_EQ(loc.credentials.secret_key, "ENVSECRET");
  overrides = {};
  overrides.endpoint = "ftp://x";
  EXPECT_FALSE(resolve_s3_location("s3://eu-west-1/bucket", overrides, &loc, &error));
  EXPECT_THAT(error, HasSubstr("endpoint"));
  g_unsetenv("AWS_ACCESS_KEY_ID");
  g_unsetenv("AWS_SECRET_ACCESS_KEY");
}

// ---- XML ----------------------------------------------------------------------------------

TEST(S3Xml, ErrorsAndResults) {
  const std::string error_doc =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchBucket</Code>"
      "<Message>The specified bucket does not exist</Message><BucketName>x</BucketName></Error>";
  std::string code;
  EXPECT_EQ(s3_error_summary(error_doc.data(), error_doc.size(), &code),
            "NoSuchBucket: The specified bucket does not exist");
  EXPECT_EQ(code, "NoSuchBucket");
  const std::string init =
      "<InitiateMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Bucket>b</Bucket><Key>k</Key><UploadId>VXBsb2&amp;FkIElE</UploadId>"
      "</InitiateMultipartUploadResult>";
  S3XmlDoc doc;
  ASSERT_TRUE(parse_s3_xml(init.data(), init.size(), &doc));
  EXPECT_EQ(doc.root, "InitiateMultipartUploadResult");
  EXPECT_EQ(doc.field("UploadId"), "VXBsb2&FkIElE");
  for (const std::string bad : {"", "<Error>", "not xml", "<a><b></a>", "\xff\xfe"})
    EXPECT_FALSE(parse_s3_xml(bad.data(), bad.size(), &doc)) << bad;
  EXPECT_EQ(s3_error_summary("<Other/>", 8, nullptr), "");
}

// ---- presigned POST -----------------------------------------------------------------------

TEST(PresignedPost, PolicyLimitsThePrefixAndExpires) {
  S3Location loc;
  std::string error;
  ASSERT_TRUE(parse_s3_location("s3+http://AK:SK@127.0.0.1:9000/hls/rec", &loc, &error));
  loc.region = "us-east-1";
  const std::time_t now = 1718000000;
  const PresignedPost post = make_presigned_post(loc, "manifest/orch1", 3600, now, "public-read");
  EXPECT_EQ(post.url, "http://127.0.0.1:9000/hls");
  EXPECT_EQ(post.key_prefix, "rec/manifest/orch1/");
  EXPECT_EQ(post.credential, "AK/20240610/us-east-1/s3/aws4_request");
  EXPECT_EQ(post.date, "20240610T000000Z");
  EXPECT_EQ(post.expires, now + 3600);
  const std::string policy = presigned_post_policy_json(post);
  EXPECT_THAT(policy, HasSubstr("\"expiration\":\"2024-06-10T07:13:20.000Z\""));
  EXPECT_THAT(policy, HasSubstr("[\"starts-with\",\"$key\",\"rec/manifest/orch1/\"]"));
  EXPECT_THAT(policy, HasSubstr("{\"bucket\":\"hls\"}"));
  EXPECT_THAT(policy, HasSubstr("{\"acl\":\"public-read\"}"));
  EXPECT_THAT(policy,
              HasSubstr("{\"x-amz-credential\":\"AK/20240610/us-east-1/s3/aws4_request\"}"));
  EXPECT_THAT(policy, Not(HasSubstr("SK")));
  // The signature is the SigV4 derived key over the base64 policy.
  const sigv4::Scope scope{"us-east-1", "s3", true};
  EXPECT_EQ(post.signature, sigv4::hex(sigv4::hmac_sha256(
                                sigv4::signing_key("SK", "20240610", scope), post.policy)));
  EXPECT_TRUE(post.allows("rec/manifest/orch1/P360p/1.ts"));
  EXPECT_FALSE(post.allows("rec/manifest/orch2/P360p/1.ts"));
  EXPECT_FALSE(post.allows("rec/manifest/orch1"));
  EXPECT_FALSE(post.allows("rec/manifest/orch1/../orch2/x.ts"));

  PresignedPost back;
  ASSERT_TRUE(PresignedPost::from_json(post.to_json(), &back, &error)) << error;
  EXPECT_EQ(back.policy, post.policy);
  EXPECT_EQ(back.key_prefix, post.key_prefix);
  EXPECT_EQ(back.expires, post.expires);
  for (const char *bad : {"", "[]", "{\"url\":3}",
                          "{\"url\":\"ftp://x\",\"policy\":\"p\","
                          "\"signature\":\"s\",\"credential\":\"c\","
                          "\"date\":\"d\"}",
                          "{\"policy\":\"p\"}"})
    EXPECT_FALSE(PresignedPost::from_json(bad, &back, &error)) << bad;
  // A post comes from a peer: nesting deep enough to overflow json-glib's recursion is refused.
  EXPECT_FALSE(PresignedPost::from_json(std::string(200000, '['), &back, &error));
  EXPECT_NE(error.find("nested deeper"), std::string::npos) << error;
}

// ---- upload queue -------------------------------------------------------------------------

namespace {

// A store that takes its time and records when each object became visible.
class SlowStore : public ObjectStore {
 public:
  struct Shared {
    std::mutex lock;
    std::vector<std::string> visible;
    std::atomic<int> in_flight{0};
    std::atomic<int> max_in_flight{0};
    std::atomic<int> fail_key_seen{0};
    std::string fail_key;
    int delay_ms = 20;
  };
  SlowStore(Shared *shared, GCancellable *cancellable)
      : shared_(shared), cancellable_(cancellable) {}
  bool put(const std::string &key, GBytes *, const ObjectAttrs &, GError **error) override {
    const int now = ++shared_->in_flight;
    int seen = shared_->max_in_flight;
    while (now > seen && !shared_->max_in_flight.compare_exchange_weak(seen, now)) {
    }
    // Segments take longer than playlists, as on a real network.
    const int delay = key.find(".ts") != std::string::npos ? shared_->delay_ms : 2;
    for (int waited = 0; waited < delay; waited += 1) {
      if (cancellable_ && g_cancellable_is_cancelled(cancellable_)) {
        --shared_->in_flight;
        g_set_error(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorCancelled, "cancelled");
        return false;
      }
      g_usleep(1000);
    }
    --shared_->in_flight;
    if (key == shared_->fail_key) {
      shared_->fail_key_seen++;
      g_set_error(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorAuth, "refused %s", key.c_str());
      return false;
    }
    std::lock_guard<std::mutex> guard(shared_->lock);
    shared_->visible.push_back(key);
    return true;
  }
  bool remove(const std::string &key, GError **error) override {
    if (key == shared_->fail_key) {
      g_set_error(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorAuth, "refused %s", key.c_str());
      return false;
    }
    std::lock_guard<std::mutex> guard(shared_->lock);
    shared_->visible.push_back("rm " + key);
    return true;
  }
  std::string url(const std::string &key) const override { return "mem://" + key; }
  std::string describe() const override { return "memory"; }

 private:
  Shared *shared_;
  GCancellable *cancellable_;
};

std::unique_ptr<UploadQueue> slow_queue(SlowStore::Shared *shared, UploadQueue::Options options) {
  return std::make_unique<UploadQueue>(
      std::make_unique<SlowStore>(shared, nullptr),
      [shared](GCancellable *c, GError **) { return std::make_unique<SlowStore>(shared, c); },
      std::move(options));
}

}  // namespace

TEST(UploadQueue, SegmentsGoInParallelButNeverAfterTheirPlaylist) {
  SlowStore::Shared shared;
  UploadQueue::Options options;
  options.workers = 4;
  options.max_pending = 8;
  auto queue = slow_queue(&shared, options);
  GBytes *bytes = g_bytes_new_static("x", 1);
  GError *error = nullptr;
  std::atomic<int> callbacks{0};
  for (int seq = 0; seq < 20; ++seq) {
    for (const char *rendition : {"a", "b"}) {
      const std::string segment = std::string(rendition) + "/" + std::to_string(seq) + ".ts";
      ASSERT_TRUE(queue->put(segment, bytes, {kContentTypeTs, "", true}, &error));
      ASSERT_TRUE(
          queue->put(std::string(rendition) + ".m3u8", bytes, {kContentTypeM3u8, ""}, &error));
    }
    ASSERT_TRUE(queue->after_stored([&] { callbacks++; }, &error));
  }
  ASSERT_TRUE(queue->remove("a/0.ts", &error));
  ASSERT_TRUE(queue->flush(&error));
  g_bytes_unref(bytes);
  EXPECT_EQ(callbacks, 20);
  // The n-th write of a rendition's playlist comes after its n-th segment.
  int seq_seen[2] = {0, 0};
  std::set<std::string> done;
  for (const std::string &key : shared.visible) {
    if (key.rfind("rm ", 0) == 0) {
      EXPECT_EQ(key, shared.visible.back());  // a delete waits for everything before it
      continue;
    }
    if (key.find(".m3u8") != std::string::npos) {
      const int r = key[0] == 'a' ? 0 : 1;
      const std::string segment = key.substr(0, 1) + "/" + std::to_string(seq_seen[r]) + ".ts";
      EXPECT_TRUE(done.count(segment)) << key << " stored before " << segment;
      seq_seen[r]++;
    }
    done.insert(key);
  }
  EXPECT_EQ(seq_seen[0], 20);
  EXPECT_EQ(seq_seen[1], 20);
  EXPECT_GT(shared.max_in_flight.load(), 1);  // segments overlapped
  EXPECT_EQ(queue->stats().stored, 81u);      // 80 puts and the delete
}

TEST(UploadQueue, FullQueueWaitsAndWarnsButDropsNothing) {
  SlowStore::Shared shared;
  shared.delay_ms = 30;
  UploadQueue::Options options;
  options.workers = 1;
  options.max_pending = 2;
  std::atomic<int> warnings{0};
  options.on_backpressure = [&](size_t pending) {
    EXPECT_EQ(pending, 2u);
    warnings++;
  };
  auto queue = slow_queue(&shared, options);
  GBytes *bytes = g_bytes_new_static("x", 1);
  GError *error = nullptr;
  for (int i = 0; i < 12; ++i)
    ASSERT_TRUE(queue->put(std::to_string(i) + ".ts", bytes, {kContentTypeTs, "", true}, &error));
  ASSERT_TRUE(queue->flush(&error));
  g_bytes_unref(bytes);
  EXPECT_EQ(shared.visible.size(), 12u);
  EXPECT_GE(warnings, 1);
  EXPECT_GE(queue->stats().stalls, 1u);
}

TEST(UploadQueue, FirstFailureIsReportedOnceAndSticks) {
  SlowStore::Shared shared;
  shared.fail_key = "b.m3u8";
  UploadQueue::Options options;
  std::atomic<int> reported{0};
  options.on_error = [&](const GError *e) {
    EXPECT_THAT(e->message, HasSubstr("refused b.m3u8"));
    reported++;
  };
  auto queue = slow_queue(&shared, options);
  GBytes *bytes = g_bytes_new_static("x", 1);
  GError *error = nullptr;
  ASSERT_TRUE(queue->put("b.m3u8", bytes, {}, &error));
  EXPECT_FALSE(queue->flush(&error));
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(error->code, kObjectStoreErrorAuth);
  g_clear_error(&error);
  EXPECT_FALSE(queue->put("c.ts", bytes, {}, &error));
  EXPECT_EQ(error->code, kObjectStoreErrorAuth);
  g_clear_error(&error);
  g_bytes_unref(bytes);
  EXPECT_EQ(reported, 1);
}

TEST(UploadQueue, AFailedDeleteIsAWarningNotAFailure) {
  SlowStore::Shared shared;
  shared.fail_key = "old.ts";
  UploadQueue::Options options;
  std::atomic<int> warned{0};
  options.on_error = [&](const GError *) { ADD_FAILURE() << "a failed delete is not fatal"; };
  options.on_warning = [&](const GError *e) {
    EXPECT_THAT(e->message, HasSubstr("refused old.ts"));
    warned++;
  };
  auto queue = slow_queue(&shared, options);
  GError *error = nullptr;
  ASSERT_TRUE(queue->remove("old.ts", &error));
  ASSERT_TRUE(queue->flush(&error));
  EXPECT_EQ(warned, 1);
}

TEST(UploadQueue, InterruptFreesABlockedProducerAndCancelStopsWorkers) {
  SlowStore::Shared shared;
  shared.delay_ms = 60 * 1000;  // a minute per segment: only cancellation ends it
  UploadQueue::Options options;
  options.workers = 1;
  options.max_pending = 1;
  auto queue = slow_queue(&shared, options);
  GBytes *bytes = g_bytes_new_static("x", 1);
  GError *error = nullptr;
  ASSERT_TRUE(queue->put("0.ts", bytes, {kContentTypeTs, "", true}, &error));
  ASSERT_TRUE(queue->put("1.ts", bytes, {kContentTypeTs, "", true}, &error));
  std::atomic<bool> returned{false};
  std::thread producer([&] {
    GError *e = nullptr;
    EXPECT_FALSE(queue->put("2.ts", bytes, {kContentTypeTs, "", true}, &e));
    EXPECT_EQ(e ? e->code : -1, kObjectStoreErrorCancelled);
    g_clear_error(&e);
    returned = true;
  });
  g_usleep(100 * 1000);
  EXPECT_FALSE(returned);  // blocked by the full queue
  queue->interrupt();
  producer.join();
  queue->resume();
  queue->cancel();  // returns only once the worker stopped its minute-long put
  EXPECT_TRUE(shared.visible.empty());
  EXPECT_FALSE(queue->flush(&error));
  g_clear_error(&error);
  g_bytes_unref(bytes);
}
