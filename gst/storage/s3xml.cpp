#include "storage/s3xml.h"

#include <glib.h>

namespace lp {
namespace {

struct Walk {
  S3XmlDoc *doc = nullptr;
  int depth = 0;
  std::string current;  // the direct child being read
  std::string text;
};

constexpr size_t kMaxFieldBytes = 64 * 1024;

void on_start(GMarkupParseContext *, const gchar *name, const gchar **, const gchar **,
              gpointer user_data, GError **) {
  auto *w = static_cast<Walk *>(user_data);
  if (w->depth == 0)
    w->doc->root = name;
  else if (w->depth == 1) {
    w->current = name;
    w->text.clear();
  }
  w->depth++;
}

void on_end(GMarkupParseContext *, const gchar *, gpointer user_data, GError **) {
  auto *w = static_cast<Walk *>(user_data);
  w->depth--;
  if (w->depth == 1 && !w->current.empty()) {
    w->doc->fields.emplace(w->current, w->text);
    w->current.clear();
  }
}

void on_text(GMarkupParseContext *, const gchar *text, gsize len, gpointer user_data, GError **) {
  auto *w = static_cast<Walk *>(user_data);
  // Text of grandchildren belongs to nested elements (e.g. <Part>), not to a field.
  if (w->depth == 2 && !w->current.empty() && w->text.size() + len <= kMaxFieldBytes)
    w->text.append(text, len);
}

}  // namespace

bool parse_s3_xml(const char *data, size_t size, S3XmlDoc *out) {
  if (!data || size == 0 || size > G_MAXSSIZE)
    return false;
  if (!g_utf8_validate(data, static_cast<gssize>(size), nullptr))
    return false;
  S3XmlDoc doc;
  Walk walk;
  walk.doc = &doc;
  const GMarkupParser parser = {on_start, on_end, on_text, nullptr, nullptr};
  GMarkupParseContext *ctx = g_markup_parse_context_new(
      &parser, GMarkupParseFlags(G_MARKUP_TREAT_CDATA_AS_TEXT | G_MARKUP_IGNORE_QUALIFIED), &walk,
      nullptr);
  const bool ok = g_markup_parse_context_parse(ctx, data, static_cast<gssize>(size), nullptr) &&
                  g_markup_parse_context_end_parse(ctx, nullptr);
  g_markup_parse_context_free(ctx);
  if (!ok || doc.root.empty())
    return false;
  *out = std::move(doc);
  return true;
}

std::string s3_error_summary(const char *data, size_t size, std::string *code) {
  S3XmlDoc doc;
  if (!parse_s3_xml(data, size, &doc) || doc.root != "Error")
    return {};
  const std::string c = doc.field("Code");
  const std::string message = doc.field("Message");
  if (code)
    *code = c;
  if (c.empty())
    return message;
  return message.empty() ? c : c + ": " + message;
}

}  // namespace lp
