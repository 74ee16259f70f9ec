#include "sharing/message.hpp"

#include <gtest/gtest.h>

namespace portscreen::sharing {
namespace {

Envelope sample() {
    Envelope e;
    e.origin = "NLRTM-PCU";
    e.seq = 42;
    e.id = "NLRTM-PCU:42";
    e.kind = Kind::alert;
    e.created_at = "2026-11-28T07:00:00Z";
    e.ports = {"BEANR", "DEHAM"};
    e.body = R"({"container":"MSKU5705452"})";
    return e;
}

void expect_refused(const std::string& bytes, const std::string& field) {
    try {
        decode(bytes);
        FAIL() << "accepted " << bytes;
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
    }
}

TEST(Message, EncodesTheSameBytesAndDecodesBack) {
    const auto bytes = encode(sample());
    EXPECT_EQ(bytes, encode(sample()));
    const auto back = decode(bytes);
    EXPECT_EQ(back.id, "NLRTM-PCU:42");
    EXPECT_EQ(back.origin, "NLRTM-PCU");
    EXPECT_EQ(back.seq, 42);
    EXPECT_EQ(back.kind, Kind::alert);
    EXPECT_EQ(back.ports, (std::vector<std::string>{"BEANR", "DEHAM"}));
    EXPECT_FALSE(back.personal);
    EXPECT_EQ(back.body, R"({"container":"MSKU5705452"})");
    EXPECT_EQ(encode(back), bytes);
}

TEST(Message, KindNamesRoundTrip) {
    for (const auto kind : {Kind::alert, Kind::outcome, Kind::watchlist, Kind::query, Kind::answer})
        EXPECT_EQ(parse_kind(to_string(kind)), kind);
    EXPECT_FALSE(parse_kind("gossip"));
}

TEST(Message, RefusalsNameTheField) {
    auto bytes = encode(sample());
    expect_refused("not json", "not JSON");
    expect_refused("[1]", "not a JSON object");
    auto replace = [&bytes](const std::string& from, const std::string& to) {
        auto copy = bytes;
        copy.replace(copy.find(from), from.size(), to);
        return copy;
    };
    expect_refused(replace("\"id\":\"NLRTM-PCU:42\"", "\"id\":\"NLRTM-PCU:43\""), "envelope id");
    expect_refused(replace("\"kind\":\"alert\"", "\"kind\":\"gossip\""), "envelope kind");
    expect_refused(replace("\"seq\":42", "\"seq\":-1"), "envelope seq");
    expect_refused(replace("\"v\":1", "\"v\":2"), "envelope v");
    expect_refused(replace("\"BEANR\"", "\"beanr\""), "envelope ports[0]");
    expect_refused(replace("\"personal\":false", "\"personal\":0"), "envelope personal");
    expect_refused(replace("\"created_at\":\"2026-11-28T07:00:00Z\"", "\"created_at\":\"today\""),
                   "envelope created_at");
    expect_refused(replace("\"body\":{\"container\":\"MSKU5705452\"}", "\"body\":[]"),
                   "envelope body");
    expect_refused(replace("\"origin\":\"NLRTM-PCU\"", "\"origin\":\"a b\""), "envelope origin");
}

} // namespace
} // namespace portscreen::sharing
