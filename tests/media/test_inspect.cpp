// gst-inspect-1.0 is each element's manual: every property documented, the plugin complete.
#include "testutil.h"

#include <gmock/gmock.h>

using ::testing::HasSubstr;

namespace {
const char *const kElements[] = {"lpsegmenter", "lptranscodebin", "lps3sink"};
}

TEST(Inspect, EveryPropertyOfOurElementsIsDocumented) {
  for (const char *name : kElements) {
    SCOPED_TRACE(name);
    GstElement *element = gst_element_factory_make(name, nullptr);
    ASSERT_NE(element, nullptr);
    guint n = 0;
    GParamSpec **props = g_object_class_list_properties(G_OBJECT_GET_CLASS(element), &n);
    std::string inspect;
    ASSERT_EQ(lp::test::run_command({"gst-inspect-1.0", name}, &inspect), 0) << inspect;
    int ours = 0;
    for (guint i = 0; i < n; ++i) {
      // Properties inherited from GstObject/GstBin/GstBaseSink are GStreamer's to document.
      if (props[i]->owner_type != G_OBJECT_TYPE(element))
        continue;
      ++ours;
      const char *blurb = g_param_spec_get_blurb(props[i]);
      ASSERT_NE(blurb, nullptr) << props[i]->name;
      EXPECT_GT(strlen(blurb), 20u) << props[i]->name << " needs a real description";
      EXPECT_THAT(inspect, HasSubstr(std::string("  ") + props[i]->name + " "));
      // gst-inspect wraps long blurbs; the first words must be there.
      EXPECT_THAT(inspect, HasSubstr(std::string(blurb).substr(0, 30)));
    }
    EXPECT_GT(ours, 0);
    g_free(props);
    gst_object_unref(element);
  }
}

TEST(Inspect, ThePluginListsItsElements) {
  std::string out;
  ASSERT_EQ(lp::test::run_command({"gst-inspect-1.0", "livepeer"}, &out), 0) << out;
  for (const char *name : kElements)
    EXPECT_THAT(out, HasSubstr(name));
  EXPECT_THAT(out, HasSubstr("3 features"));
}
