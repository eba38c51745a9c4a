#include "util/json.h"

#include <cerrno>
#include <cstdlib>
#include <limits>
#include <utility>

#include "util/error.h"

namespace lp::json {

namespace {

// json-glib's parser recurses once per nesting level, so a few hundred kilobytes of '[' from a
// network peer or stdin would overflow the stack. No document we read nests deeper than a few
// levels; refuse anything past this before json-glib sees it.
constexpr int kMaxNesting = 128;

// Also refuses a second document after the first: json-glib reads `{..} {..}` as the first object
// alone, which would let a stray second ticket on stdin pass unnoticed.
void check_structure(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  bool document_closed = false;
  for (char c : text) {
    if (document_closed && !g_ascii_isspace(c))
      throw Error("invalid JSON: unexpected content after the end of the document");
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxNesting)
        throw Error("invalid JSON: nested deeper than " + std::to_string(kMaxNesting) + " levels");
    } else if (c == ']' || c == '}') {
      document_closed = --depth == 0;
    }
  }
}

}  // namespace

JsonNodePtr parse(std::string_view text) {
  check_structure(text);
  GObjectPtr<JsonParser> parser(json_parser_new_immutable());
  GError *raw = nullptr;
  if (!json_parser_load_from_data(parser.get(), text.data(), static_cast<gssize>(text.size()),
                                  &raw)) {
    GErrorPtr err(raw);
    throw Error(std::string("invalid JSON: ") + (err ? err->message : "parse failed"));
  }
  JsonNode *root = json_parser_get_root(parser.get());
  if (!root) {
    throw Error("invalid JSON: empty document");
  }
  return JsonNodePtr(json_node_copy(root));
}

std::string stringify(JsonNode *node, bool pretty) {
  GCharPtr text(json_to_string(node, pretty));
  return text ? std::string(text.get()) : std::string();
}

ObjectReader::ObjectReader(JsonNode *node, std::string path)
    : obj_(nullptr), path_(std::move(path)) {
  if (!node || !JSON_NODE_HOLDS_OBJECT(node)) {
    throw Error((path_.empty() ? std::string("input") : path_) + ": expected a JSON object");
  }
  obj_ = json_node_get_object(node);
}

std::string ObjectReader::field(const char *key) const {
  return path_.empty() ? std::string(key) : path_ + "." + key;
}

bool ObjectReader::has(const char *key) const {
  JsonNode *n = json_object_get_member(obj_, key);
  return n && !JSON_NODE_HOLDS_NULL(n);
}

JsonNode *ObjectReader::node(const char *key) const {
  JsonNode *n = json_object_get_member(obj_, key);
  return (n && !JSON_NODE_HOLDS_NULL(n)) ? n : nullptr;
}

JsonNode *ObjectReader::require(const char *key) const {
  JsonNode *n = node(key);
  if (!n) {
    throw Error(field(key) + ": missing field");
  }
  return n;
}

std::string ObjectReader::string(const char *key) const {
  JsonNode *n = require(key);
  if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING) {
    throw Error(field(key) + ": expected a string");
  }
  return json_node_get_string(n);
}

std::optional<std::string> ObjectReader::optional_string(const char *key) const {
  if (!has(key)) {
    return std::nullopt;
  }
  return string(key);
}

bool ObjectReader::boolean(const char *key) const {
  JsonNode *n = require(key);
  if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_BOOLEAN) {
    throw Error(field(key) + ": expected true or false");
  }
  return json_node_get_boolean(n);
}

std::string ObjectReader::integer_text(const char *key) const {
  JsonNode *n = require(key);
  if (JSON_NODE_HOLDS_VALUE(n)) {
    GType t = json_node_get_value_type(n);
    if (t == G_TYPE_STRING) {
      return json_node_get_string(n);
    }
    if (t == G_TYPE_INT64) {
      return std::to_string(json_node_get_int(n));
    }
  }
  throw Error(field(key) + ": expected an integer (decimal string or 0x-hex)");
}

int64_t parse_int64(std::string_view text, std::string_view what) {
  std::string s(text);
  bool neg = !s.empty() && s[0] == '-';
  std::string digits = neg ? s.substr(1) : s;
  int base = 10;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    base = 16;
    digits = digits.substr(2);
  }
  if (digits.empty()) {
    throw Error(std::string(what) + ": expected an integer");
  }
  for (char c : digits) {
    bool ok = base == 16 ? g_ascii_isxdigit(c) : g_ascii_isdigit(c);
    if (!ok) {
      throw Error(std::string(what) + ": expected an integer");
    }
  }
  errno = 0;
  char *end = nullptr;
  unsigned long long mag = std::strtoull(digits.c_str(), &end, base);
  uint64_t limit =
      neg ? uint64_t{1} << 63 : static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (errno == ERANGE || mag > limit) {
    throw Error(std::string(what) + ": integer out of range");
  }
  if (neg) {
    return mag == (uint64_t{1} << 63) ? std::numeric_limits<int64_t>::min()
                                      : -static_cast<int64_t>(mag);
  }
  return static_cast<int64_t>(mag);
}

int64_t ObjectReader::int64(const char *key) const {
  JsonNode *n = require(key);
  if (JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_INT64) {
    return json_node_get_int(n);
  }
  return parse_int64(integer_text(key), field(key));
}

ObjectReader ObjectReader::object(const char *key) const {
  return ObjectReader(require(key), field(key));
}

JsonArray *ObjectReader::array(const char *key) const {
  JsonNode *n = require(key);
  if (!JSON_NODE_HOLDS_ARRAY(n)) {
    throw Error(field(key) + ": expected an array");
  }
  return json_node_get_array(n);
}

ObjectWriter::ObjectWriter() : obj_(json_object_new()) {}
// The moved-from writer keeps an empty object of its own, so it stays usable and destructible.
ObjectWriter::ObjectWriter(ObjectWriter &&other) noexcept
    : obj_(std::exchange(other.obj_, json_object_new())) {}
ObjectWriter::~ObjectWriter() {
  json_object_unref(obj_);
}

ObjectWriter &ObjectWriter::set(const char *key, std::string_view value) {
  json_object_set_string_member(obj_, key, std::string(value).c_str());
  return *this;
}

ObjectWriter &ObjectWriter::set(const char *key, bool value) {
  json_object_set_boolean_member(obj_, key, value);
  return *this;
}

ObjectWriter &ObjectWriter::set(const char *key, int64_t value) {
  json_object_set_int_member(obj_, key, value);
  return *this;
}

ObjectWriter &ObjectWriter::set(const char *key, JsonNodePtr value) {
  json_object_set_member(obj_, key, value.release());
  return *this;
}

JsonNodePtr ObjectWriter::node() const {
  JsonNode *n = json_node_alloc();
  json_node_init_object(n, obj_);
  return JsonNodePtr(n);
}

std::string ObjectWriter::to_string(bool pretty) const {
  return stringify(node().get(), pretty);
}

JsonNodePtr array_node(std::vector<JsonNodePtr> items) {
  JsonArray *arr = json_array_new();
  for (JsonNodePtr &item : items)
    json_array_add_element(arr, item.release());
  JsonNode *n = json_node_alloc();
  json_node_take_array(json_node_init(n, JSON_NODE_ARRAY), arr);
  return JsonNodePtr(n);
}

}  // namespace lp::json
