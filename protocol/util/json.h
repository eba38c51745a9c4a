// Small json-glib helpers: parsing with a clear error, typed member access whose errors name the
// field (as "a.b.c"), and an object writer.
#pragma once

#include <json-glib/json-glib.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/glib_ptr.h"

namespace lp::json {

// Throws lp::Error("invalid JSON: ...") for malformed text.
JsonNodePtr parse(std::string_view text);
std::string stringify(JsonNode *node, bool pretty = false);

// Read access to one JSON object. The reader borrows the node; keep the document alive.
class ObjectReader {
 public:
  // `path` names the object in error messages ("" for the top level).
  ObjectReader(JsonNode *node, std::string path);

  bool has(const char *key) const;
  const std::string &path() const { return path_; }
  // The dotted name of a member, for error messages.
  std::string field(const char *key) const;

  std::string string(const char *key) const;
  std::optional<std::string> optional_string(const char *key) const;
  bool boolean(const char *key) const;
  // A JSON integer, or a string the caller parses as a decimal or 0x-hex integer: returned as
  // text so that values wider than 64 bits stay exact.
  std::string integer_text(const char *key) const;
  // A JSON integer or an integer string that fits in int64.
  int64_t int64(const char *key) const;
  ObjectReader object(const char *key) const;
  JsonArray *array(const char *key) const;
  JsonNode *node(const char *key) const;

 private:
  JsonNode *require(const char *key) const;
  JsonObject *obj_;
  std::string path_;
};

// A JSON array node that takes ownership of `items`.
JsonNodePtr array_node(std::vector<JsonNodePtr> items);

// Parses a decimal or 0x-hex int64; throws lp::Error naming `what`.
int64_t parse_int64(std::string_view text, std::string_view what);

class ObjectWriter {
 public:
  ObjectWriter();
  ~ObjectWriter();
  ObjectWriter(ObjectWriter &&other) noexcept;
  ObjectWriter(const ObjectWriter &) = delete;
  ObjectWriter &operator=(const ObjectWriter &) = delete;

  ObjectWriter &set(const char *key, std::string_view value);
  ObjectWriter &set(const char *key, const char *value) {
    return set(key, std::string_view(value));
  }
  ObjectWriter &set(const char *key, bool value);
  ObjectWriter &set(const char *key, int64_t value);
  ObjectWriter &set(const char *key, JsonNodePtr value);
  JsonNodePtr node() const;
  std::string to_string(bool pretty = false) const;

 private:
  JsonObject *obj_;
};

}  // namespace lp::json
