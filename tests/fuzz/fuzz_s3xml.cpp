// S3 answers (error documents, multipart results) are parsed from whatever the server sends.
#include "storage/s3xml.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *text = reinterpret_cast<const char *>(data);
  lp::S3XmlDoc doc;
  if (lp::parse_s3_xml(text, size, &doc))
    (void)doc.field("UploadId");
  std::string code;
  (void)lp::s3_error_summary(text, size, &code);
  return 0;
}
