#include "static_path.hpp"

#include <gtest/gtest.h>

namespace portscreen::ui_web {
namespace {

TEST(StaticFile, MapsTargetsInsideTheRoot) {
    EXPECT_EQ(static_file_for("/"), "index.html");
    EXPECT_EQ(static_file_for("/assets/app.js?v=3"), "assets/app.js");
    EXPECT_EQ(static_file_for("/queue/"), "queue/index.html");
    EXPECT_EQ(static_file_for("/./a//b.css#top"), "a/b.css");
    EXPECT_EQ(static_file_for("/my%20file.png"), "my file.png");
}

TEST(StaticFile, RefusesEveryWayOut) {
    for (const char* target :
         {"/../etc/passwd", "/a/../../b", "/%2e%2e/secret", "/%2E%2E%2Fx", "/a\\..\\b",
          "/a%5c..%5cb", "/x%00.html", "/bad%zz", "/trunc%2", "relative/path", ""})
        EXPECT_FALSE(static_file_for(target)) << target;
}

} // namespace
} // namespace portscreen::ui_web
