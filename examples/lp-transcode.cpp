// lp-transcode: transcodes a file or URL into an ABR HLS ladder in a local directory and prints
// the master playlist's path. With no input it first makes a test clip.
//
// It is also the example of an application embedding the livepeer elements: it builds
//   urisourcebin ! parsebin ! [encode if not H.264 / AAC] ! lpsegmenter ! lptranscodebin
//   ! lps3sink
// and reacts to their bus messages (the chosen hardware, each segment written, warnings).
//
//   lp-transcode [--out DIR] [--profiles P360p30fps16x9,...] [--accel auto|nvidia|vaapi|software]
//                [--target-duration S] [--window N] [INPUT]
#include <glib-unix.h>
#include <gst/gst.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

struct Options {
  gchar *out = nullptr;
  gchar *profiles = nullptr;
  gchar *accel = nullptr;
  gint target_duration = 2;
  gint window = 0;
  gboolean quiet = FALSE;
};

struct App {
  GstElement *pipeline = nullptr;
  GstElement *segmenter = nullptr;
  GMainLoop *loop = nullptr;
  bool failed = false;
  bool quiet = false;
  bool linked_video = false;
  bool linked_audio = false;
  std::string master;
  int segments = 0;
};

// Makes a 10 s 1280x720 H.264 + AAC clip with GStreamer itself.
bool make_test_clip(const std::string &path) {
  const std::string desc =
      "videotestsrc num-buffers=300 pattern=smpte ! video/x-raw,width=1280,height=720,"
      "framerate=30/1,format=I420 ! timeoverlay ! x264enc speed-preset=veryfast bitrate=3000 "
      "key-int-max=60 "
      "option-string=scenecut=0 "
      "! h264parse ! mpegtsmux name=m ! filesink location=\"" +
      path +
      "\" "
      "audiotestsrc num-buffers=470 samplesperbuffer=1024 ! audio/x-raw,rate=48000,channels=2 ! "
      "avenc_aac ! aacparse ! m.";
  GError *error = nullptr;
  GstElement *p = gst_parse_launch(desc.c_str(), &error);
  // gst_parse_launch may return a partial pipeline along with an error (a missing element).
  if (!p || error) {
    g_printerr("cannot make the test clip: %s\n", error ? error->message : "?");
    g_clear_error(&error);
    if (p)
      gst_object_unref(p);
    return false;
  }
  gst_element_set_state(p, GST_STATE_PLAYING);
  GstBus *bus = gst_element_get_bus(p);
  GstMessage *msg = gst_bus_timed_pop_filtered(bus, GST_CLOCK_TIME_NONE,
                                               GstMessageType(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  const bool ok = msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS;
  if (!ok && msg) {
    GError *err = nullptr;
    gst_message_parse_error(msg, &err, nullptr);
    g_printerr("cannot make the test clip: %s\n", err->message);
    g_error_free(err);
  }
  if (msg)
    gst_message_unref(msg);
  gst_object_unref(bus);
  gst_element_set_state(p, GST_STATE_NULL);
  gst_object_unref(p);
  return ok;
}

// Adds `queue ! [decodebin ! convert... !] parse...` to the pipeline, links it to `target`
// and returns the pad its input goes to. Elements after decodebin are linked when decodebin
// exposes its decoded pad.
GstPad *add_branch(App *app, const std::vector<const char *> &decode_then,
                   const std::vector<const char *> &then, GstPad *target) {
  auto make = [app](const char *factory) {
    GstElement *e = gst_element_factory_make(factory, nullptr);
    if (!e) {
      g_printerr("element %s is missing\n", factory);
      return e;
    }
    gst_bin_add(GST_BIN(app->pipeline), e);
    if (g_str_equal(factory, "x264enc")) {
      // lpsegmenter asks for a keyframe at every segment target; no other tuning needed.
      gst_util_set_object_arg(G_OBJECT(e), "speed-preset", "veryfast");
      g_object_set(e, "bitrate", 4000, "key-int-max", 300, nullptr);
    }
    return e;
  };
  GstElement *queue = make("queue");
  // Unbounded: a live demuxer may deliver one stream seconds ahead of the other.
  g_object_set(queue, "max-size-time", G_GUINT64_CONSTANT(0), "max-size-bytes", 0,
               "max-size-buffers", 0, nullptr);
  std::vector<GstElement *> tail;
  for (const char *factory : decode_then)
    tail.push_back(make(factory));
  for (const char *factory : then)
    tail.push_back(make(factory));
  for (GstElement *e : tail)
    if (!e)
      return nullptr;
  for (size_t i = 0; i + 1 < tail.size(); ++i)
    gst_element_link(tail[i], tail[i + 1]);
  GstPad *out = gst_element_get_static_pad(tail.back(), "src");
  gst_pad_link(out, target);
  gst_object_unref(out);
  if (decode_then.empty()) {
    gst_element_link(queue, tail.front());
  } else {
    GstElement *decoder = make("decodebin");
    gst_element_link(queue, decoder);
    g_signal_connect(decoder, "pad-added",
                     G_CALLBACK(+[](GstElement *, GstPad *pad, gpointer next) {
                       GstPad *sink = gst_element_get_static_pad(GST_ELEMENT(next), "sink");
                       if (!gst_pad_is_linked(sink))
                         gst_pad_link(pad, sink);
                       gst_object_unref(sink);
                     }),
                     tail.front());
    gst_element_sync_state_with_parent(decoder);
  }
  for (auto it = tail.rbegin(); it != tail.rend(); ++it)
    gst_element_sync_state_with_parent(*it);
  gst_element_sync_state_with_parent(queue);
  return gst_element_get_static_pad(queue, "sink");
}

void on_parsed_pad(GstElement *, GstPad *pad, gpointer data) {
  App *app = static_cast<App *>(data);
  GstCaps *caps = gst_pad_get_current_caps(pad);
  if (!caps)
    caps = gst_pad_query_caps(pad, nullptr);
  const GstStructure *s = gst_caps_get_structure(caps, 0);
  const std::string name = gst_structure_get_name(s);
  GstPad *target = nullptr;
  GstPad *input = nullptr;
  if (g_str_has_prefix(name.c_str(), "video/") && !app->linked_video) {
    app->linked_video = true;
    target = gst_element_get_static_pad(app->segmenter, "video");
    // H.264 goes in as it is; anything else is decoded and encoded once, with a keyframe
    // every 2 s so segments are cut on time.
    if (name == "video/x-h264") {
      input = add_branch(app, {}, {"h264parse"}, target);
    } else {
      input = add_branch(app, {"videoconvert", "x264enc"}, {"h264parse"}, target);
    }
  } else if (g_str_has_prefix(name.c_str(), "audio/") && !app->linked_audio) {
    app->linked_audio = true;
    target = gst_element_request_pad_simple(app->segmenter, "audio");
    GstCaps *aac = gst_caps_from_string("audio/mpeg, mpegversion=(int){2,4}");
    const bool is_aac = gst_caps_is_subset(caps, aac);
    gst_caps_unref(aac);
    input = is_aac ? add_branch(app, {}, {"aacparse"}, target)
                   : add_branch(app, {"audioconvert", "audioresample", "avenc_aac"}, {"aacparse"},
                                target);
  }
  gst_caps_unref(caps);
  if (target)
    gst_object_unref(target);
  if (input) {
    if (gst_pad_link(pad, input) != GST_PAD_LINK_OK)
      g_printerr("cannot link %s to the ladder\n", name.c_str());
    gst_object_unref(input);
  }
}

gboolean on_message(GstBus *, GstMessage *msg, gpointer data) {
  App *app = static_cast<App *>(data);
  switch (GST_MESSAGE_TYPE(msg)) {
    case GST_MESSAGE_ERROR: {
      GError *err = nullptr;
      gchar *debug = nullptr;
      gst_message_parse_error(msg, &err, &debug);
      g_printerr("error from %s: %s\n%s\n", GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)), err->message,
                 debug ? debug : "");
      g_error_free(err);
      g_free(debug);
      app->failed = true;
      g_main_loop_quit(app->loop);
      break;
    }
    case GST_MESSAGE_WARNING: {
      GError *err = nullptr;
      gchar *debug = nullptr;
      gst_message_parse_warning(msg, &err, &debug);
      g_printerr("warning from %s: %s (%s)\n", GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)), err->message,
                 debug ? debug : "");
      g_error_free(err);
      g_free(debug);
      break;
    }
    case GST_MESSAGE_EOS:
      g_main_loop_quit(app->loop);
      break;
    case GST_MESSAGE_ELEMENT: {
      const GstStructure *s = gst_message_get_structure(msg);
      if (gst_structure_has_name(s, "lptranscodebin-accel") && !app->quiet) {
        g_printerr("transcoding on the %s chain (%s, %s, %s)\n",
                   gst_structure_get_string(s, "chain"), gst_structure_get_string(s, "decoder"),
                   gst_structure_get_string(s, "scaler"), gst_structure_get_string(s, "encoder"));
      } else if (gst_structure_has_name(s, "lps3sink-segment")) {
        app->segments++;
        if (const gchar *master = gst_structure_get_string(s, "master")) {
          g_autofree gchar *path = g_filename_from_uri(master, nullptr, nullptr);
          app->master = path ? path : master;
        }
        if (!app->quiet)
          g_printerr("wrote %s\n", gst_structure_get_string(s, "location"));
      }
      break;
    }
    default:
      break;
  }
  return G_SOURCE_CONTINUE;
}

gboolean on_interrupt(gpointer data) {
  // Live inputs never end by themselves: finish the playlists with EOS.
  App *app = static_cast<App *>(data);
  g_printerr("interrupted: finishing the playlists\n");
  gst_element_send_event(app->pipeline, gst_event_new_eos());
  return G_SOURCE_REMOVE;
}

std::string to_uri(const std::string &input) {
  if (gst_uri_is_valid(input.c_str()))
    return input;
  g_autofree gchar *uri = gst_filename_to_uri(input.c_str(), nullptr);
  return uri ? uri : input;
}

}  // namespace

int main(int argc, char **argv) {
  Options opt;
  GOptionEntry entries[] = {
      {"out", 'o', 0, G_OPTION_ARG_FILENAME, &opt.out, "Output directory (default: out/<name>)",
       "DIR"},
      {"profiles", 'p', 0, G_OPTION_ARG_STRING, &opt.profiles,
       "Renditions: Livepeer profile names or a JSON array (default: "
       "P720p30fps16x9,P360p30fps16x9,P240p30fps16x9)",
       "LIST"},
      {"accel", 'a', 0, G_OPTION_ARG_STRING, &opt.accel,
       "auto, nvidia, vaapi or software (default: auto)", "HW"},
      {"target-duration", 't', 0, G_OPTION_ARG_INT, &opt.target_duration,
       "Segment target duration in seconds (default: 2)", "S"},
      {"window", 'w', 0, G_OPTION_ARG_INT, &opt.window,
       "Segments kept in each playlist; 0 keeps all (default: 0)", "N"},
      {"quiet", 'q', 0, G_OPTION_ARG_NONE, &opt.quiet, "Print only the master playlist's path",
       nullptr},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr},
  };
  GOptionContext *ctx = g_option_context_new("[INPUT] - transcode into an HLS ladder");
  g_option_context_add_main_entries(ctx, entries, nullptr);
  g_option_context_add_group(ctx, gst_init_get_option_group());
  GError *error = nullptr;
  if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
    g_printerr("%s\n", error->message);
    return 2;
  }
  g_option_context_free(ctx);

  std::string input = argc > 1 ? argv[1] : "";
  std::string name = "testclip";
  if (!input.empty()) {
    g_autofree gchar *base = g_path_get_basename(input.c_str());
    name = base;
    if (const auto dot = name.rfind('.'); dot != std::string::npos && dot > 0)
      name.resize(dot);
  }
  const std::string out = opt.out ? opt.out : "out/" + name;
  if (g_mkdir_with_parents(out.c_str(), 0755) != 0) {
    g_printerr("cannot create %s\n", out.c_str());
    return 1;
  }
  g_autofree gchar *out_abs = g_canonicalize_filename(out.c_str(), nullptr);
  if (input.empty()) {
    input = std::string(out_abs) + "/testclip.ts";
    if (!opt.quiet)
      g_printerr("no input given: making a 10 s test clip at %s\n", input.c_str());
    if (!make_test_clip(input))
      return 1;
  }

  App app;
  app.quiet = opt.quiet;
  app.pipeline = gst_pipeline_new("lp-transcode");
  GstElement *source = gst_element_factory_make("urisourcebin", nullptr);
  GstElement *parse = gst_element_factory_make("parsebin", nullptr);
  app.segmenter = gst_element_factory_make("lpsegmenter", nullptr);
  GstElement *transcode = gst_element_factory_make("lptranscodebin", nullptr);
  GstElement *sink = gst_element_factory_make("lps3sink", nullptr);
  if (!source || !parse || !app.segmenter || !transcode || !sink) {
    g_printerr("missing elements: is the livepeer plugin installed or GST_PLUGIN_PATH set?\n");
    return 1;
  }
  g_object_set(source, "uri", to_uri(input).c_str(), nullptr);
  g_object_set(app.segmenter, "target-duration", opt.target_duration, nullptr);
  g_object_set(transcode, "include-source", TRUE, "profiles",
               opt.profiles ? opt.profiles : "P720p30fps16x9,P360p30fps16x9,P240p30fps16x9",
               nullptr);
  if (opt.accel)
    gst_util_set_object_arg(G_OBJECT(transcode), "accel", opt.accel);
  g_object_set(sink, "location", out_abs, "playlist-length", opt.window, nullptr);
  gst_bin_add_many(GST_BIN(app.pipeline), source, parse, app.segmenter, transcode, sink, nullptr);
  // urisourcebin's pads appear once the source is open.
  g_signal_connect(source, "pad-added", G_CALLBACK(+[](GstElement *, GstPad *pad, gpointer p) {
                     GstPad *sinkpad = gst_element_get_static_pad(GST_ELEMENT(p), "sink");
                     if (!gst_pad_is_linked(sinkpad))
                       gst_pad_link(pad, sinkpad);
                     gst_object_unref(sinkpad);
                   }),
                   parse);
  g_signal_connect(parse, "pad-added", G_CALLBACK(on_parsed_pad), &app);
  gst_element_link_many(app.segmenter, transcode, sink, nullptr);

  app.loop = g_main_loop_new(nullptr, FALSE);
  GstBus *bus = gst_element_get_bus(app.pipeline);
  gst_bus_add_watch(bus, on_message, &app);
  g_unix_signal_add(SIGINT, on_interrupt, &app);
  if (gst_element_set_state(app.pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    // The reason is an error message on the bus.
    while (GstMessage *msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR)) {
      on_message(bus, msg, &app);
      gst_message_unref(msg);
    }
    app.failed = true;
  } else {
    g_main_loop_run(app.loop);
  }
  gst_element_set_state(app.pipeline, GST_STATE_NULL);
  gst_bus_remove_watch(bus);
  gst_object_unref(bus);
  gst_object_unref(app.pipeline);
  g_main_loop_unref(app.loop);

  if (app.failed || app.master.empty()) {
    if (!app.failed)
      g_printerr("no segment was written (no H.264-capable video in %s?)\n", input.c_str());
    return 1;
  }
  if (!opt.quiet)
    g_printerr("%d segments written\n", app.segments);
  std::printf("%s\n", app.master.c_str());
  return 0;
}
