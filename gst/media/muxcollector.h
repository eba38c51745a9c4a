// Turns a muxer's MPEG-TS output into segments.
//
// Whoever feeds the muxer marks each segment's first keyframe with a downstream
// force-key-unit event whose count tags the segment; mpegtsmux forwards that event just
// before the keyframe, after fresh PAT/PMT. The collector sits on the muxer's source pad
// (a pad of its own, not an element's) and cuts the bytes at those events.
#pragma once

#include "media/segmentbytes.h"

#include <gst/gst.h>

#include <functional>
#include <string>

namespace lp {

class MuxCollector {
 public:
  struct Callbacks {
    // Segment `tag` begins. `finished` (owned by the callee, may be null) holds the bytes of
    // the segment that ended here, tagged `finished_tag`.
    std::function<GstFlowReturn(guint tag, GstBuffer *finished, guint finished_tag)> started;
    // The muxer reached EOS; `finished` as above.
    std::function<GstFlowReturn(GstBuffer *finished, guint finished_tag)> ended;
    // Flush events from the muxer (optional): forward them, or reset state.
    std::function<gboolean(GstEvent *event)> flushed;
  };

  MuxCollector(const std::string &name, Callbacks callbacks);
  ~MuxCollector();
  MuxCollector(const MuxCollector &) = delete;
  MuxCollector &operator=(const MuxCollector &) = delete;

  // Links the muxer's source pad to the collector.
  void attach(GstElement *mux);
  void set_active(bool active);
  // Forgets a partial segment (the stream stopped).
  void reset();

 private:
  static GstFlowReturn chain(GstPad *pad, GstObject *parent, GstBuffer *buf);
  static GstFlowReturn chain_list(GstPad *pad, GstObject *parent, GstBufferList *list);
  static gboolean event(GstPad *pad, GstObject *parent, GstEvent *event);
  GstBuffer *take();

  Callbacks callbacks_;
  GstPad *pad_;
  SegmentBytes bytes_;
  bool collecting_ = false;
  guint tag_ = 0;
};

}  // namespace lp
