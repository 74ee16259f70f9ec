#include "common/csv.hpp"

#include <gtest/gtest.h>

namespace portscreen {
namespace {

using Fields = std::vector<std::string>;

TEST(Csv, SplitsPlainAndQuotedFields) {
    EXPECT_EQ(split_csv_record("I,0101,\"Horses, asses; live\",01,4"),
              (Fields{"I", "0101", "Horses, asses; live", "01", "4"}));
    EXPECT_EQ(split_csv_record("a,\"say \"\"no\"\"\",,c\r"), (Fields{"a", "say \"no\"", "", "c"}));
    EXPECT_EQ(split_csv_record(""), (Fields{""}));
    EXPECT_EQ(split_csv_record("x,"), (Fields{"x", ""}));
}

} // namespace
} // namespace portscreen
