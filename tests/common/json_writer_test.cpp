#include "common/json_writer.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace portscreen {
namespace {

TEST(JsonWriter, WritesCompactJsonWithCommasInPlace) {
    JsonWriter out;
    out.open_object();
    out.member("id", std::int64_t{42});
    out.member("name", "MSC EXAMPLE");
    out.optional_member("absent", std::string_view());
    out.optional_member("mass", std::optional<double>(18250.5));
    out.key("list");
    out.open_array();
    out.value("a");
    out.open_object();
    out.close_object();
    out.value(3);
    out.value(true);
    out.close_array();
    out.member("linked", false);
    out.close_object();
    EXPECT_EQ(
        out.take(),
        R"({"id":42,"name":"MSC EXAMPLE","mass":18250.5,"list":["a",{},3,true],"linked":false})");
}

TEST(JsonWriter, EscapesStringsAndRepairsBrokenText) {
    JsonWriter out;
    out.open_array();
    out.value("O\"BRIEN \\ 50+\n\t\x01");
    out.value("MUNCI\xC3\x8B"); // valid UTF-8 passes through
    out.value("bad \xFF byte");
    out.value(std::nan(""));
    out.close_array();
    EXPECT_EQ(out.take(), "[\"O\\\"BRIEN \\\\ 50+\\n\\t\\u0001\",\"MUNCI\xC3\x8B\","
                          "\"bad \xEF\xBF\xBD byte\",null]");
}

} // namespace
} // namespace portscreen
