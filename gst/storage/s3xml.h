// The small XML documents S3 answers with: <Error><Code>...</Code><Message>...</Message></Error>,
// <InitiateMultipartUploadResult><UploadId>...</UploadId></...>, <CompleteMultipartUploadResult>.
// Only the root element's name and the text of its direct children matter, so a GMarkup
// walk is enough. The bytes come from the network: malformed input is a parse failure, never a
// crash (fuzzed by tests/fuzz/fuzz_s3xml.cpp).
#pragma once

#include <cstddef>
#include <map>
#include <string>

namespace lp {

struct S3XmlDoc {
  std::string root;
  // Text of the root's direct child elements, by element name (the first of each name).
  std::map<std::string, std::string> fields;
  std::string field(const std::string &name) const {
    auto it = fields.find(name);
    return it == fields.end() ? std::string() : it->second;
  }
};

bool parse_s3_xml(const char *data, size_t size, S3XmlDoc *out);

// "NoSuchBucket: The specified bucket does not exist" from an error body, or "" when the body
// is not an S3 error document.
std::string s3_error_summary(const char *data, size_t size, std::string *code);

}  // namespace lp
