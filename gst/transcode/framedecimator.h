// An internal element of lptranscodebin: lowers the frame rate to at most max-framerate by
// dropping frames, never duplicating, and keeps the original timestamps (videorate re-stamps
// frames on its own grid, which would move segment starts). The first frame after a
// force-key-unit event (a segment start) is always kept, so every rendition segment starts at
// the source segment's PTS.
#pragma once

#include <gst/base/gstbasetransform.h>

G_BEGIN_DECLS

#define LP_TYPE_FRAME_DECIMATOR (lp_frame_decimator_get_type())
G_DECLARE_FINAL_TYPE(LpFrameDecimator, lp_frame_decimator, LP, FRAME_DECIMATOR, GstBaseTransform)

G_END_DECLS
