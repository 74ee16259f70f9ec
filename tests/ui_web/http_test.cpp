#include "event_hub.hpp"
#include "http.hpp"
#include "multipart.hpp"
#include "server.hpp"

#include <gtest/gtest.h>

namespace portscreen::ui_web {
namespace {

TEST(Http, QueryParametersAreDecoded) {
    const auto query = parse_query("day=2026-11-28&q=MSCU%201&x=a+b&empty=&bad=%zz&day=2026-11-29");
    EXPECT_EQ(query.at("day"), "2026-11-29"); // the last of a repeated key
    EXPECT_EQ(query.at("q"), "MSCU 1");
    EXPECT_EQ(query.at("x"), "a b");
    EXPECT_EQ(query.at("empty"), "");
    EXPECT_EQ(query.at("bad"), "%zz"); // a malformed escape is kept as written
}

TEST(Http, CookiesAndHeadersAreFoundByName) {
    Request request;
    request.headers = {{"cookie", "theme=dark; portscreen_session=abc123; other=x"},
                       {"x-csrf-token", "t"}};
    EXPECT_EQ(request.cookie("portscreen_session"), "abc123");
    EXPECT_EQ(request.cookie("session"), "");
    EXPECT_EQ(request.header("x-csrf-token"), "t");
    EXPECT_EQ(request.header("origin"), "");
}

TEST(Http, ErrorsAreJsonWithTheirProblems) {
    const auto response = error_response(409, "refused", {"a", "b"});
    EXPECT_EQ(response.status, 409);
    EXPECT_EQ(response.body, R"({"error":"refused","problems":["a","b"]})");
}

TEST(Http, ListenAddressesAreHostAndPort) {
    std::string host;
    std::uint16_t port = 0;
    parse_listen_address("127.0.0.1:8080", host, port);
    EXPECT_EQ(host, "127.0.0.1");
    EXPECT_EQ(port, 8080);
    parse_listen_address("[::1]:0", host, port);
    EXPECT_EQ(host, "::1");
    EXPECT_EQ(port, 0);
    for (const char* bad :
         {"8080", "localhost:8080", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:80a", "[::1:80"})
        EXPECT_THROW(parse_listen_address(bad, host, port), std::invalid_argument) << bad;
}

TEST(Multipart, FieldsAndFilesAreSplit) {
    const std::string body = "--XyZ\r\n"
                             "Content-Disposition: form-data; name=\"header\"\r\n\r\n"
                             "{\"scan_id\":\"A\"}\r\n"
                             "--XyZ\r\n"
                             "Content-Disposition: form-data; name=\"high\"; filename=\"h.png\"\r\n"
                             "Content-Type: image/png\r\n\r\n"
                             "\x89PNG\r\n--Xy\r\n"
                             "--XyZ--\r\n";
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=XyZ"), "XyZ");
    EXPECT_EQ(multipart_boundary("Multipart/Form-Data; charset=x; boundary=\"XyZ\""), "XyZ");
    EXPECT_EQ(multipart_boundary("application/json"), "");
    const auto parts = parse_multipart(body, "XyZ");
    ASSERT_EQ(parts.size(), 2u);
    EXPECT_EQ(parts[0].name, "header");
    EXPECT_EQ(parts[0].data, "{\"scan_id\":\"A\"}");
    EXPECT_EQ(parts[1].name, "high");
    EXPECT_EQ(parts[1].filename, "h.png");
    EXPECT_EQ(parts[1].content_type, "image/png");
    EXPECT_EQ(parts[1].data, "\x89PNG\r\n--Xy"); // a look-alike of the boundary stays data
}

TEST(Multipart, MalformedBodiesAreRefusedNamingThePart) {
    const auto refused = [](const std::string& body) {
        try {
            parse_multipart(body, "B");
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    EXPECT_NE(refused("garbage").find("does not start"), std::string::npos);
    EXPECT_NE(refused("--B\r\nContent-Disposition: form-data\r\n\r\nx\r\n--B--").find("no name"),
              std::string::npos);
    EXPECT_NE(refused("--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunfinished")
                  .find("'a' is not closed"),
              std::string::npos);
    EXPECT_NE(refused("--B\r\nContent-Disposition: form-data; name=\"a\"").find("end of headers"),
              std::string::npos);
    EXPECT_THROW(parse_multipart("--B--", ""), std::invalid_argument);
}

TEST(EventHub, EventsReachLiveSubscribersAndDeadOnesAreDropped) {
    EventHub hub(2);
    std::vector<std::string> received;
    auto live = std::make_shared<EventHub::Sink>([&](const std::string& text) {
        received.push_back(text);
        return true;
    });
    auto refusing = std::make_shared<EventHub::Sink>([](const std::string&) { return false; });
    ASSERT_TRUE(hub.subscribe(live));
    ASSERT_TRUE(hub.subscribe(refusing));
    auto third = std::make_shared<EventHub::Sink>([](const std::string&) { return true; });
    EXPECT_FALSE(hub.subscribe(third)); // at most two
    hub.publish("workflow", "{\"container_id\":1}");
    ASSERT_EQ(received.size(), 1u);
    EXPECT_EQ(received[0], "event: workflow\ndata: {\"container_id\":1}\n\n");
    EXPECT_EQ(hub.subscribers(), 1u); // the refusing one is gone
    live.reset();
    EXPECT_EQ(hub.subscribers(), 0u);
    EXPECT_EQ(format_event("x", "a\nb"), "event: x\ndata: a\ndata: b\n\n");
}

} // namespace
} // namespace portscreen::ui_web
