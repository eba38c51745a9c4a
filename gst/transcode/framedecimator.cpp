#include "transcode/framedecimator.h"

#include <gst/video/video.h>

#include <cmath>

GST_DEBUG_CATEGORY_STATIC(lp_frame_decimator_debug);
#define GST_CAT_DEFAULT lp_frame_decimator_debug

enum { PROP_0, PROP_MAX_FRAMERATE };

struct _LpFrameDecimator {
  GstBaseTransform parent;
  gint max_n = 0;  // 0/1: no limit
  gint max_d = 1;
  GstClockTime out_duration = GST_CLOCK_TIME_NONE;  // NONE: pass every frame
  GstClockTime tolerance = 0;
  GstClockTime next_due = GST_CLOCK_TIME_NONE;
  gboolean keep_next = TRUE;
};

G_DEFINE_TYPE(LpFrameDecimator, lp_frame_decimator, GST_TYPE_BASE_TRANSFORM)

static GstStaticPadTemplate any_video_sink = GST_STATIC_PAD_TEMPLATE(
    "sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS("video/x-raw(ANY)"));
static GstStaticPadTemplate any_video_src = GST_STATIC_PAD_TEMPLATE(
    "src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS("video/x-raw(ANY)"));

static GstCaps *lp_frame_decimator_transform_caps(GstBaseTransform *, GstPadDirection,
                                                  GstCaps *caps, GstCaps *filter) {
  // Any frame rate on either side; the rate is chosen in fixate_caps.
  GstCaps *out = gst_caps_copy(caps);
  for (guint i = 0; i < gst_caps_get_size(out); ++i)
    gst_structure_remove_field(gst_caps_get_structure(out, i), "framerate");
  if (filter) {
    GstCaps *tmp = gst_caps_intersect_full(filter, out, GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref(out);
    out = tmp;
  }
  return out;
}

static GstCaps *lp_frame_decimator_fixate_caps(GstBaseTransform *trans, GstPadDirection direction,
                                               GstCaps *caps, GstCaps *othercaps) {
  auto *self = LP_FRAME_DECIMATOR(trans);
  othercaps = gst_caps_truncate(gst_caps_make_writable(othercaps));
  GstStructure *out = gst_caps_get_structure(othercaps, 0);
  gint n = 0, d = 1;
  if (direction == GST_PAD_SINK &&
      gst_structure_get_fraction(gst_caps_get_structure(caps, 0), "framerate", &n, &d)) {
    // Only ever lower the rate; a variable rate (0/1) stays as it is.
    if (n > 0 && self->max_n > 0 && gst_util_fraction_compare(n, d, self->max_n, self->max_d) > 0) {
      // 59.94 -> 29.97 rather than 30: keep every k-th frame when the ratio is (nearly) whole.
      const double ratio =
          (static_cast<double>(n) / d) / (static_cast<double>(self->max_n) / self->max_d);
      const gint k = static_cast<gint>(ratio + 0.5);
      if (k >= 2 && std::abs(ratio - k) < 0.01 * k) {
        gst_util_fraction_multiply(n, d, 1, k, &n, &d);
      } else {
        n = self->max_n;
        d = self->max_d;
      }
    }
    if (gst_structure_has_field(out, "framerate"))
      gst_structure_fixate_field_nearest_fraction(out, "framerate", n, d);
    else
      gst_structure_set(out, "framerate", GST_TYPE_FRACTION, n, d, nullptr);
  }
  return gst_caps_fixate(othercaps);
}

static gboolean lp_frame_decimator_set_caps(GstBaseTransform *trans, GstCaps *incaps,
                                            GstCaps *outcaps) {
  auto *self = LP_FRAME_DECIMATOR(trans);
  gint in_n = 0, in_d = 1, out_n = 0, out_d = 1;
  gst_structure_get_fraction(gst_caps_get_structure(incaps, 0), "framerate", &in_n, &in_d);
  gst_structure_get_fraction(gst_caps_get_structure(outcaps, 0), "framerate", &out_n, &out_d);
  self->out_duration = GST_CLOCK_TIME_NONE;
  if (in_n > 0 && out_n > 0 && gst_util_fraction_compare(in_n, in_d, out_n, out_d) > 0) {
    self->out_duration = gst_util_uint64_scale(GST_SECOND, out_d, out_n);
    // Half an input frame absorbs timestamp jitter.
    self->tolerance = gst_util_uint64_scale(GST_SECOND, in_d, 2 * in_n);
  }
  GST_INFO_OBJECT(self, "frame rate %d/%d -> %d/%d", in_n, in_d, out_n, out_d);
  gst_base_transform_set_passthrough(trans, TRUE);
  return TRUE;
}

static gboolean lp_frame_decimator_sink_event(GstBaseTransform *trans, GstEvent *event) {
  auto *self = LP_FRAME_DECIMATOR(trans);
  if (gst_video_event_is_force_key_unit(event) || GST_EVENT_TYPE(event) == GST_EVENT_FLUSH_STOP ||
      GST_EVENT_TYPE(event) == GST_EVENT_SEGMENT)
    self->keep_next = TRUE;
  return GST_BASE_TRANSFORM_CLASS(lp_frame_decimator_parent_class)->sink_event(trans, event);
}

static GstFlowReturn lp_frame_decimator_transform_ip(GstBaseTransform *trans, GstBuffer *buf) {
  auto *self = LP_FRAME_DECIMATOR(trans);
  const GstClockTime pts = GST_BUFFER_PTS(buf);
  if (!GST_CLOCK_TIME_IS_VALID(self->out_duration) || !GST_CLOCK_TIME_IS_VALID(pts))
    return GST_FLOW_OK;
  const bool restart = self->keep_next || !GST_CLOCK_TIME_IS_VALID(self->next_due) ||
                       pts > self->next_due + self->out_duration;
  if (!restart && pts + self->tolerance < self->next_due)
    return GST_BASE_TRANSFORM_FLOW_DROPPED;
  // Step on an ideal grid so a 50 -> 30 fps stream really keeps 30 frames a second.
  self->next_due = restart ? pts + self->out_duration : self->next_due + self->out_duration;
  self->keep_next = FALSE;
  return GST_FLOW_OK;
}

static gboolean lp_frame_decimator_start(GstBaseTransform *trans) {
  auto *self = LP_FRAME_DECIMATOR(trans);
  self->next_due = GST_CLOCK_TIME_NONE;
  self->keep_next = TRUE;
  return TRUE;
}

static void lp_frame_decimator_set_property(GObject *object, guint prop_id, const GValue *value,
                                            GParamSpec *pspec) {
  auto *self = LP_FRAME_DECIMATOR(object);
  if (prop_id == PROP_MAX_FRAMERATE) {
    GST_OBJECT_LOCK(self);
    self->max_n = gst_value_get_fraction_numerator(value);
    self->max_d = gst_value_get_fraction_denominator(value);
    GST_OBJECT_UNLOCK(self);
  } else {
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
  }
}

static void lp_frame_decimator_get_property(GObject *object, guint prop_id, GValue *value,
                                            GParamSpec *pspec) {
  auto *self = LP_FRAME_DECIMATOR(object);
  if (prop_id == PROP_MAX_FRAMERATE) {
    GST_OBJECT_LOCK(self);
    gst_value_set_fraction(value, self->max_n, self->max_d);
    GST_OBJECT_UNLOCK(self);
  } else {
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
  }
}

static void lp_frame_decimator_init(LpFrameDecimator *self) {
  self->max_n = 0;
  self->max_d = 1;
  self->out_duration = GST_CLOCK_TIME_NONE;
  self->next_due = GST_CLOCK_TIME_NONE;
  self->keep_next = TRUE;
  // transform_ip sees every buffer without making it writable: frames are never copied.
  gst_base_transform_set_passthrough(GST_BASE_TRANSFORM(self), TRUE);
}

static void lp_frame_decimator_class_init(LpFrameDecimatorClass *klass) {
  GST_DEBUG_CATEGORY_INIT(lp_frame_decimator_debug, "lpframedecimator", 0,
                          "lptranscodebin frame decimator");
  GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS(klass);
  gobject_class->set_property = lp_frame_decimator_set_property;
  gobject_class->get_property = lp_frame_decimator_get_property;
  g_object_class_install_property(
      gobject_class, PROP_MAX_FRAMERATE,
      gst_param_spec_fraction("max-framerate", "Maximum frame rate",
                              "Frames above this rate are dropped (0/1: no limit)", 0, 1, G_MAXINT,
                              1, 0, 1, GParamFlags(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS)));
  gst_element_class_add_static_pad_template(element_class, &any_video_sink);
  gst_element_class_add_static_pad_template(element_class, &any_video_src);
  gst_element_class_set_static_metadata(element_class, "Frame decimator", "Filter/Video",
                                        "Drops frames down to a maximum rate, keeping timestamps",
                                        "gst-livepeer developers");
  trans_class->transform_caps = GST_DEBUG_FUNCPTR(lp_frame_decimator_transform_caps);
  trans_class->fixate_caps = GST_DEBUG_FUNCPTR(lp_frame_decimator_fixate_caps);
  trans_class->set_caps = GST_DEBUG_FUNCPTR(lp_frame_decimator_set_caps);
  trans_class->sink_event = GST_DEBUG_FUNCPTR(lp_frame_decimator_sink_event);
  trans_class->transform_ip = GST_DEBUG_FUNCPTR(lp_frame_decimator_transform_ip);
  trans_class->start = GST_DEBUG_FUNCPTR(lp_frame_decimator_start);
  trans_class->transform_ip_on_passthrough = TRUE;
}
