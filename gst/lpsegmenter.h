// lpsegmenter: parsed H.264 (+ AAC) in, a segment stream out.
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define LP_TYPE_SEGMENTER (lp_segmenter_get_type())
G_DECLARE_FINAL_TYPE(LpSegmenter, lp_segmenter, LP, SEGMENTER, GstBin)

GST_ELEMENT_REGISTER_DECLARE(lpsegmenter);

G_END_DECLS
