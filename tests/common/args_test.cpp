#include "common/args.hpp"
#include "common/result.hpp"

#include <gtest/gtest.h>

namespace portscreen {
namespace {

TEST(Args, ReadsOptionsFlagsAndPositionals) {
    const Args args({"--to", "tcp://127.0.0.1:1", "a.edi", "--json", "--window=4", "b.json"},
                    {"to", "window"}, {"json"});
    EXPECT_EQ(args.get("to"), "tcp://127.0.0.1:1");
    EXPECT_EQ(args.number_or("window", 8, 1, 10), 4);
    EXPECT_EQ(args.number_or("missing", 8, 1, 10), 8);
    EXPECT_TRUE(args.flag("json"));
    EXPECT_EQ(args.positional(), (std::vector<std::string>{"a.edi", "b.json"}));
}

TEST(Args, NamesWhatIsWrong) {
    EXPECT_THROW(Args({"--nope"}, {"to"}, {}), std::invalid_argument);
    EXPECT_THROW(Args({"--to"}, {"to"}, {}), std::invalid_argument);
    const Args args({"--window", "4x"}, {"window"}, {});
    try {
        args.number_or("window", 8, 1, 10);
        FAIL() << "4x accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("--window"), std::string::npos);
    }
}

TEST(Args, RunsTheNamedSubcommandWithTheRest) {
    std::vector<std::string> seen;
    const auto remember = [&](const std::vector<std::string>& rest) {
        seen = rest;
        return 7;
    };
    EXPECT_EQ(run_subcommand({"ingest", "--json"}, "ingest", "", remember), 7);
    EXPECT_EQ(seen, (std::vector<std::string>{"--json"}));
    EXPECT_EQ(run_subcommand({"other"}, "ingest", "", remember), 2);
    EXPECT_EQ(run_subcommand({}, "ingest", "", remember), 2);
}

TEST(Problem, WhereJoinsSegmentPositionAndPath) {
    Problem problem;
    problem.segment = 25;
    problem.segment_tag = "EQD";
    problem.position = "element 2";
    problem.path = "/containers/0/number";
    EXPECT_EQ(problem.where(), "segment 25 (EQD) element 2, /containers/0/number");
    EXPECT_EQ(Problem{}.where(), "");
}

} // namespace
} // namespace portscreen
