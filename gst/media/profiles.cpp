#include "media/profiles.h"

#include <json-glib/json-glib.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>

#include "util/error.h"
#include "util/json.h"

namespace lp {
namespace {

struct ProfileName {
  const char *text;
  H264Profile value;
};
constexpr ProfileName kProfileNames[] = {
    {"H264Baseline", H264Profile::kBaseline},
    {"H264Main", H264Profile::kMain},
    {"H264High", H264Profile::kHigh},
    {"H264ConstrainedHigh", H264Profile::kConstrainedHigh},
    {"ENCODER_DEFAULT", H264Profile::kEncoderDefault},
    {"", H264Profile::kEncoderDefault},
};

std::string trim(const std::string &s) {
  const auto begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos)
    return {};
  const auto end = s.find_last_not_of(" \t\r\n");
  return s.substr(begin, end - begin + 1);
}

std::string known_names() {
  std::string names;
  for (const auto &p : standard_profiles())
    names += (names.empty() ? "" : ", ") + p.name;
  return names;
}

// A number or a numeric string, with an optional k/M suffix for bitrates.
bool json_number(JsonNode *node, bool allow_suffix, double *out) {
  if (JSON_NODE_HOLDS_VALUE(node)) {
    const GType type = json_node_get_value_type(node);
    if (type == G_TYPE_INT64 || type == G_TYPE_DOUBLE) {
      *out = json_node_get_double(node);
      return std::isfinite(*out);
    }
    if (type == G_TYPE_STRING) {
      std::string text = trim(json_node_get_string(node));
      double scale = 1;
      if (allow_suffix && !text.empty() && (text.back() == 'k' || text.back() == 'K')) {
        scale = 1e3;
        text.pop_back();
      } else if (allow_suffix && !text.empty() && (text.back() == 'm' || text.back() == 'M')) {
        scale = 1e6;
        text.pop_back();
      }
      if (text.empty())
        return false;
      char *end = nullptr;
      const double v = g_ascii_strtod(text.c_str(), &end);
      if (!end || *end != '\0' || !std::isfinite(v))
        return false;
      *out = v * scale;
      return true;
    }
  }
  return false;
}

bool parse_json_profile(JsonNode *node, size_t index, VideoProfile *p, std::string *error) {
  const std::string where = "profile #" + std::to_string(index);
  if (!JSON_NODE_HOLDS_OBJECT(node)) {
    *error = where + " is not a JSON object";
    return false;
  }
  JsonObject *obj = json_node_get_object(node);
  auto field = [&](const char *name) -> JsonNode * {
    return json_object_has_member(obj, name) ? json_object_get_member(obj, name) : nullptr;
  };
  auto integer = [&](const char *name, bool required, bool suffix, int min, int max,
                     int *out) -> bool {
    JsonNode *n = field(name);
    if (!n) {
      if (required)
        *error = where + ": missing \"" + name + "\"";
      return !required;
    }
    double v = 0;
    if (!json_number(n, suffix, &v) || v < min || v > max || v != std::floor(v)) {
      *error = where + ": \"" + name + "\" must be an integer in [" + std::to_string(min) + ", " +
               std::to_string(max) + "]";
      return false;
    }
    *out = static_cast<int>(v);
    return true;
  };

  if (JsonNode *n = field("name")) {
    if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING) {
      *error = where + ": \"name\" must be a string";
      return false;
    }
    p->name = json_node_get_string(n);
  }
  if (!integer("width", true, false, 16, 8192, &p->width) ||
      !integer("height", true, false, 16, 8192, &p->height) ||
      !integer("bitrate", true, true, 1000, 200000000, &p->bitrate) ||
      !integer("fps", false, false, 0, 240, &p->fps) ||
      !integer("fpsDen", false, false, 0, 1001, &p->fps_den))
    return false;
  if (p->fps_den == 0)
    p->fps_den = 1;
  if (JsonNode *n = field("gop")) {
    double seconds = 0;
    if (JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING &&
        trim(json_node_get_string(n)) == "intra") {
      p->gop_ms = -1;
    } else if (json_number(n, false, &seconds) && seconds >= 0 && seconds <= 60) {
      p->gop_ms = static_cast<int>(std::lround(seconds * 1000));
    } else {
      *error = where + ": \"gop\" must be seconds (0-60) or \"intra\"";
      return false;
    }
  }
  if (JsonNode *n = field("profile")) {
    const char *text = JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING
                           ? json_node_get_string(n)
                           : nullptr;
    const auto it =
        std::find_if(std::begin(kProfileNames), std::end(kProfileNames),
                     [&](const ProfileName &pn) { return text && pn.text == trim(text); });
    if (it == std::end(kProfileNames)) {
      *error = where +
               ": \"profile\" must be H264Baseline, H264Main, H264High or "
               "H264ConstrainedHigh";
      return false;
    }
    p->profile = it->value;
  }
  if (p->name.empty())
    p->name = std::to_string(p->height) + "p" + (p->fps ? std::to_string(p->fps) + "fps" : "");
  if (!g_regex_match_simple("^[A-Za-z0-9_.-]+$", p->name.c_str(), GRegexCompileFlags(0),
                            GRegexMatchFlags(0))) {
    *error = where + ": name \"" + p->name +
             "\" may only use letters, digits, '.', '_' and '-' (it names files and URLs)";
    return false;
  }
  return true;
}

bool parse_json(const std::string &spec, std::vector<VideoProfile> *out, std::string *error) {
  lp::JsonNodePtr document;
  try {
    document = lp::json::parse(spec);
  } catch (const lp::Error &e) {
    *error = std::string("profiles JSON does not parse: ") + e.what();
    return false;
  }
  JsonNode *root = document.get();
  // go-livepeer's profile files are either a bare array or {"profiles": [...]}.
  if (root && JSON_NODE_HOLDS_OBJECT(root) &&
      json_object_has_member(json_node_get_object(root), "profiles"))
    root = json_object_get_member(json_node_get_object(root), "profiles");
  if (!root || !JSON_NODE_HOLDS_ARRAY(root)) {
    *error = "profiles JSON must be an array of profile objects";
    return false;
  }
  JsonArray *array = json_node_get_array(root);
  const guint n = json_array_get_length(array);
  for (guint i = 0; i < n; ++i) {
    VideoProfile p;
    if (!parse_json_profile(json_array_get_element(array, i), i, &p, error))
      return false;
    out->push_back(std::move(p));
  }
  return true;
}

}  // namespace

const std::vector<VideoProfile> &standard_profiles() {
  static const std::vector<VideoProfile> table = {
      {"P720p60fps16x9", 1280, 720, 6000000, 60, 1, 0, H264Profile::kEncoderDefault},
      {"P720p30fps16x9", 1280, 720, 4000000, 30, 1, 0, H264Profile::kEncoderDefault},
      {"P720p25fps16x9", 1280, 720, 3500000, 25, 1, 0, H264Profile::kEncoderDefault},
      {"P720p30fps4x3", 960, 720, 3500000, 30, 1, 0, H264Profile::kEncoderDefault},
      {"P576p30fps16x9", 1024, 576, 1500000, 30, 1, 0, H264Profile::kEncoderDefault},
      {"P576p25fps16x9", 1024, 576, 1500000, 25, 1, 0, H264Profile::kEncoderDefault},
      {"P360p30fps16x9", 640, 360, 1200000, 30, 1, 0, H264Profile::kEncoderDefault},
      {"P360p25fps16x9", 640, 360, 1000000, 25, 1, 0, H264Profile::kEncoderDefault},
      {"P360p30fps4x3", 480, 360, 1000000, 30, 1, 0, H264Profile::kEncoderDefault},
      {"P240p30fps16x9", 426, 240, 600000, 30, 1, 0, H264Profile::kEncoderDefault},
      {"P240p25fps16x9", 426, 240, 600000, 25, 1, 0, H264Profile::kEncoderDefault},
      {"P240p30fps4x3", 320, 240, 600000, 30, 1, 0, H264Profile::kEncoderDefault},
      {"P144p30fps16x9", 256, 144, 400000, 30, 1, 0, H264Profile::kEncoderDefault},
      {"P144p25fps16x9", 256, 144, 400000, 25, 1, 0, H264Profile::kEncoderDefault},
  };
  return table;
}

bool parse_profiles(const std::string &spec_in, std::vector<VideoProfile> *out,
                    std::string *error) {
  out->clear();
  const std::string spec = trim(spec_in);
  bool ok;
  if (!spec.empty() && (spec[0] == '[' || spec[0] == '{')) {
    ok = parse_json(spec, out, error);
  } else {
    ok = true;
    std::string name;
    for (size_t start = 0; ok && start <= spec.size();) {
      size_t comma = spec.find(',', start);
      if (comma == std::string::npos)
        comma = spec.size();
      name = trim(spec.substr(start, comma - start));
      start = comma + 1;
      if (name.empty())
        continue;
      const auto &table = standard_profiles();
      const auto it = std::find_if(table.begin(), table.end(),
                                   [&](const VideoProfile &p) { return p.name == name; });
      if (it == table.end()) {
        *error = "unknown profile \"" + name + "\"; known profiles: " + known_names() +
                 " (or give a JSON array)";
        ok = false;
      } else {
        out->push_back(*it);
      }
    }
  }
  if (ok && out->empty()) {
    *error = "no profiles given";
    ok = false;
  }
  for (size_t i = 0; ok && i < out->size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if ((*out)[i].name == (*out)[j].name) {
        *error = "profile \"" + (*out)[i].name + "\" is listed twice";
        ok = false;
        break;
      }
    }
    if ((*out)[i].name == "source") {
      *error = "\"source\" is reserved for the input rendition";
      ok = false;
    }
  }
  if (!ok)
    out->clear();
  return ok;
}

const char *h264_profile_caps_name(H264Profile profile) {
  switch (profile) {
    case H264Profile::kBaseline:
      return "constrained-baseline";
    case H264Profile::kMain:
      return "main";
    case H264Profile::kHigh:
      return "high";
    case H264Profile::kConstrainedHigh:
      return "constrained-high";
    case H264Profile::kEncoderDefault:
      break;
  }
  return "";
}

void fit_to_box(int src_width, int src_height, int par_n, int par_d, int box_width, int box_height,
                int *out_width, int *out_height) {
  if (par_n <= 0 || par_d <= 0)
    par_n = par_d = 1;
  const double display_w = static_cast<double>(src_width) * par_n / par_d;
  const double display_h = src_height;
  if (display_w <= 0 || display_h <= 0) {
    *out_width = box_width & ~1;
    *out_height = box_height & ~1;
    return;
  }
  const double scale = std::min(box_width / display_w, box_height / display_h);
  auto even = [](double v) { return std::max(2, static_cast<int>(std::lround(v / 2.0)) * 2); };
  *out_width = std::min(even(display_w * scale), std::max(2, box_width & ~1));
  *out_height = std::min(even(display_h * scale), std::max(2, box_height & ~1));
}

}  // namespace lp
