#include "base/json_writer.h"

#include <gtest/gtest.h>

#include "base/json.h"

namespace mailjuke {
namespace {

TEST(JsonWriter, WritesValidEscapedJson) {
  JsonWriter w;
  w.beginObject()
      .key("s")
      .str("a\"b\\c\n\t\x01 ✓")
      .key("bad")
      .str("x\xff")
      .key("n")
      .num(-42)
      .key("b")
      .boolean(true)
      .key("z")
      .null()
      .key("arr")
      .beginArray()
      .num(1)
      .str("two")
      .raw("{\"k\":3}")
      .endArray()
      .endObject();
  Json j = Json::parse(w.view());
  EXPECT_EQ(j["s"], "a\"b\\c\n\t\x01 ✓");
  EXPECT_EQ(j["bad"], "x\xef\xbf\xbd");
  EXPECT_EQ(j["n"], -42);
  EXPECT_TRUE(j["z"].is_null());
  EXPECT_EQ(j["arr"][2]["k"], 3);
}

}  // namespace
}  // namespace mailjuke
