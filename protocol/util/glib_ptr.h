// std::unique_ptr aliases that release GLib, GObject and json-glib objects, so no code path needs
// a manual unref chain.
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include <memory>

namespace lp {

struct GObjectUnref {
  void operator()(gpointer p) const {
    if (p) {
      g_object_unref(p);
    }
  }
};
template <typename T>
using GObjectPtr = std::unique_ptr<T, GObjectUnref>;

struct GBytesUnref {
  void operator()(GBytes *b) const { g_bytes_unref(b); }
};
using GBytesPtr = std::unique_ptr<GBytes, GBytesUnref>;

struct GErrorFree {
  void operator()(GError *e) const { g_error_free(e); }
};
using GErrorPtr = std::unique_ptr<GError, GErrorFree>;

struct GFree {
  void operator()(gpointer p) const { g_free(p); }
};
using GCharPtr = std::unique_ptr<gchar, GFree>;

struct JsonNodeUnref {
  void operator()(JsonNode *n) const { json_node_unref(n); }
};
using JsonNodePtr = std::unique_ptr<JsonNode, JsonNodeUnref>;

struct GSourceUnref {
  void operator()(GSource *s) const { g_source_unref(s); }
};
using GSourcePtr = std::unique_ptr<GSource, GSourceUnref>;

struct GMainContextUnref {
  void operator()(GMainContext *c) const { g_main_context_unref(c); }
};
using GMainContextPtr = std::unique_ptr<GMainContext, GMainContextUnref>;

}  // namespace lp
