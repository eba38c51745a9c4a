// lptranscodebin: a segment stream in, a segment stream with one segment per rendition out.
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define LP_TYPE_TRANSCODE_BIN (lp_transcode_bin_get_type())
G_DECLARE_FINAL_TYPE(LpTranscodeBin, lp_transcode_bin, LP, TRANSCODE_BIN, GstBin)

#define LP_TYPE_ACCEL (lp_accel_get_type())
GType lp_accel_get_type(void);

GST_ELEMENT_REGISTER_DECLARE(lptranscodebin);

G_END_DECLS
