// lps3sink: a segment stream in, HLS out to a directory (and, with the S3 backend, a bucket).
#pragma once

#include <gst/base/gstbasesink.h>
#include <gst/gst.h>

G_BEGIN_DECLS

#define LP_TYPE_S3_SINK (lp_s3_sink_get_type())
G_DECLARE_FINAL_TYPE(LpS3Sink, lp_s3_sink, LP, S3_SINK, GstBaseSink)

GST_ELEMENT_REGISTER_DECLARE(lps3sink);

G_END_DECLS
