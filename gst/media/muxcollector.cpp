#include "media/muxcollector.h"

#include <gst/video/video.h>

namespace lp {

MuxCollector::MuxCollector(const std::string &name, Callbacks callbacks)
    : callbacks_(std::move(callbacks)), pad_(gst_pad_new(name.c_str(), GST_PAD_SINK)) {
  gst_object_ref_sink(pad_);
  gst_pad_set_element_private(pad_, this);
  gst_pad_set_chain_function(pad_, chain);
  gst_pad_set_chain_list_function(pad_, chain_list);
  gst_pad_set_event_function(pad_, event);
}

MuxCollector::~MuxCollector() {
  gst_pad_set_active(pad_, FALSE);
  if (GstPad *peer = gst_pad_get_peer(pad_)) {
    gst_pad_unlink(peer, pad_);
    gst_object_unref(peer);
  }
  gst_object_unref(pad_);
}

void MuxCollector::attach(GstElement *mux) {
  GstPad *src = gst_element_get_static_pad(mux, "src");
  gst_pad_link_full(src, pad_, GST_PAD_LINK_CHECK_NOTHING);
  gst_object_unref(src);
}

void MuxCollector::set_active(bool active) {
  gst_pad_set_active(pad_, active);
}

void MuxCollector::reset() {
  bytes_.clear();
  collecting_ = false;
}

GstBuffer *MuxCollector::take() {
  collecting_ = false;
  return bytes_.take();
}

// Nothing before the first marked keyframe can be a segment: it is dropped.
GstFlowReturn MuxCollector::chain(GstPad *pad, GstObject *, GstBuffer *buf) {
  auto *self = static_cast<MuxCollector *>(gst_pad_get_element_private(pad));
  if (self->collecting_)
    self->bytes_.append(buf);
  gst_buffer_unref(buf);
  return GST_FLOW_OK;
}

GstFlowReturn MuxCollector::chain_list(GstPad *pad, GstObject *, GstBufferList *list) {
  auto *self = static_cast<MuxCollector *>(gst_pad_get_element_private(pad));
  if (self->collecting_)
    self->bytes_.append(list);
  gst_buffer_list_unref(list);
  return GST_FLOW_OK;
}

gboolean MuxCollector::event(GstPad *pad, GstObject *, GstEvent *event) {
  auto *self = static_cast<MuxCollector *>(gst_pad_get_element_private(pad));
  GstFlowReturn ret = GST_FLOW_OK;
  switch (GST_EVENT_TYPE(event)) {
    case GST_EVENT_CUSTOM_DOWNSTREAM:
      if (gst_video_event_is_force_key_unit(event)) {
        guint tag = 0;
        gst_video_event_parse_downstream_force_key_unit(event, nullptr, nullptr, nullptr, nullptr,
                                                        &tag);
        const guint finished_tag = self->tag_;
        GstBuffer *finished = self->collecting_ ? self->take() : nullptr;
        self->collecting_ = true;
        self->tag_ = tag;
        ret = self->callbacks_.started(tag, finished, finished_tag);
      }
      break;
    case GST_EVENT_EOS: {
      GstBuffer *finished = self->collecting_ ? self->take() : nullptr;
      ret = self->callbacks_.ended(finished, self->tag_);
      break;
    }
    case GST_EVENT_FLUSH_START:
    case GST_EVENT_FLUSH_STOP:
      if (GST_EVENT_TYPE(event) == GST_EVENT_FLUSH_STOP) {
        self->bytes_.clear();
        self->collecting_ = false;
      }
      if (self->callbacks_.flushed)
        return self->callbacks_.flushed(event);
      break;
    default:
      // The muxer's stream-start, caps and segment: the owner sends its own.
      break;
  }
  gst_event_unref(event);
  return ret == GST_FLOW_OK || ret == GST_FLOW_FLUSHING || ret == GST_FLOW_EOS;
}

}  // namespace lp
