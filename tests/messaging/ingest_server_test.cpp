// The ingest endpoint over real ZeroMQ sockets on 127.0.0.1 and a real SQLite file.

#include "messaging/feed_client.hpp"
#include "messaging/ingest_server.hpp"
#include "reference/reference.hpp"
#include "storage/database.hpp"
#include "storage/queries.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace portscreen::messaging {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in) << path;
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

std::string fixture(const std::string& name) {
    return read_file(fs::path(PORTSCREEN_TEST_DATA) / name);
}

/// The JSON examples of docs/examples: an original, its replacement and a cancellation.
std::string example(const std::string& name) {
    return read_file(fs::path(PORTSCREEN_TEST_DATA) / ".." / ".." / "docs" / "examples" / name);
}

const core::ReferenceData& reference() {
    static const core::ReferenceData data = reference::load_reference_data(
        reference::default_iso3166_path(), reference::default_hs_nomenclature_path());
    return data;
}

struct Answer {
    std::string message_id;
    std::string status;
    std::string body;
    json parsed() const { return json::parse(body); }
};

/// A node's ingest server on a fresh data folder, with a DEALER client connected to it.
class IngestTest : public ::testing::Test {
protected:
    void SetUp() override { start(IngestOptions{}); }

    void start(IngestOptions options) {
        dir_ = fs::temp_directory_path() /
               ("portscreen-ingest-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        options.endpoint = "tcp://127.0.0.1:*";
        server_ = std::make_unique<IngestServer>(context_, options, database(), reference());
        server_->start();
        client_ = connect();
    }

    void TearDown() override {
        client_.close();
        server_.reset();
        fs::remove_all(dir_);
    }

    fs::path database() const { return dir_ / "portscreen.db"; }

    zmq::socket_t connect() {
        zmq::socket_t socket(context_, zmq::socket_type::dealer);
        socket.set(zmq::sockopt::linger, 0);
        socket.set(zmq::sockopt::rcvtimeo, 20'000); // a bound on every wait; never reached
        socket.connect(server_->endpoint());
        return socket;
    }

    void send(zmq::socket_t& socket, const std::vector<std::string>& frames) {
        std::vector<zmq::const_buffer> buffers;
        for (const auto& frame : frames)
            buffers.push_back(zmq::buffer(frame));
        zmq::send_multipart(socket, buffers);
    }

    Answer receive(zmq::socket_t& socket) {
        std::vector<zmq::message_t> frames;
        const auto received = zmq::recv_multipart(socket, std::back_inserter(frames));
        EXPECT_TRUE(received) << "no reply within the deadline";
        EXPECT_EQ(frames.size(), 3u);
        if (frames.size() != 3)
            return {};
        return {frames[0].to_string(), frames[1].to_string(), frames[2].to_string()};
    }

    Answer request(const std::string& id, const std::string& type, const std::string& payload) {
        send(client_, {id, type, payload});
        return receive(client_);
    }

    storage::Counts counts() {
        auto db = storage::Database::open(database(), storage::Access::reader);
        return storage::count_all(db);
    }

    /// Every NACK says what was wrong; this finds the first problem of a kind.
    static json problem(const Answer& answer, const std::string& code) {
        for (const auto& item : answer.parsed()) {
            if (item.value("code", "") == code)
                return item;
        }
        ADD_FAILURE() << "no problem '" << code << "' in " << answer.body;
        return json::object();
    }

    zmq::context_t context_;
    fs::path dir_;
    std::unique_ptr<IngestServer> server_;
    zmq::socket_t client_;
};

TEST_F(IngestTest, AcknowledgesCuscarOnlyAfterCommit) {
    const auto answer = request("m-1", "application/edifact",
                                fixture("edifact/synthetic/cuscar_d95b_sea_synthetic.edi"));
    ASSERT_EQ(answer.status, "ACK") << answer.body;
    EXPECT_EQ(answer.message_id, "m-1");
    // A separate read connection opened after the ACK must see everything the ACK names.
    const auto stored = counts();
    EXPECT_EQ(stored.messages, 1);
    EXPECT_EQ(stored.containers, 2);
    EXPECT_EQ(stored.consignments, 2);

    const json body = answer.parsed();
    ASSERT_EQ(body["manifests"].size(), 1u);
    const json& manifest = body["manifests"][0];
    EXPECT_EQ(manifest["vessel_call"]["imo"], "9123453");
    EXPECT_EQ(manifest["vessel_call"]["port_of_call"], "KEMBA");
    EXPECT_EQ(manifest["containers"], json({"CSQU3054383", "ABCU1234560"}));
    ASSERT_EQ(manifest["consignments"].size(), 2u);
    EXPECT_EQ(manifest["consignments"][1]["master_bl"], "CRXSHA0002");
    EXPECT_EQ(manifest["consignments"][1]["action"], "created");
}

TEST_F(IngestTest, ResendsAndCopiesAreStoredOnce) {
    const std::string payload = fixture("edifact/synthetic/cuscar_d11a_sea_synthetic.edi");
    const auto first = request("m-1", "application/edifact", payload);
    ASSERT_EQ(first.status, "ACK") << first.body;
    const auto resent = request("m-1", "application/edifact", payload);
    EXPECT_EQ(resent.status, "ACK");
    EXPECT_EQ(resent.body, first.body);
    const auto copy = request("m-2", "application/edifact", payload);
    EXPECT_EQ(copy.status, "ACK");
    EXPECT_EQ(copy.body, first.body);
    const auto stored = counts();
    EXPECT_EQ(stored.messages, 1);
    EXPECT_EQ(stored.containers, 1);
}

TEST_F(IngestTest, AmendmentsReplaceTheBillOfLadingAndKeepHistory) {
    const std::string original = example("fcl.json");
    const auto first = request("orig", "application/json", original);
    ASSERT_EQ(first.status, "ACK") << first.body;
    const auto second = request("repl", "application/json", example("replace.json"));
    ASSERT_EQ(second.status, "ACK") << second.body;
    const json replaced = second.parsed()["manifests"][0]["consignments"][0];
    EXPECT_EQ(replaced["revision"], 2);
    EXPECT_EQ(replaced["action"], "replaced");
    const auto third = request("canc", "application/json", example("cancel.json"));
    ASSERT_EQ(third.status, "ACK") << third.body;
    const json cancelled = third.parsed()["manifests"][0]["consignments"][0];
    EXPECT_EQ(cancelled["master_bl"], "EXLN240301002");
    EXPECT_EQ(cancelled["revision"], 3);
    EXPECT_EQ(cancelled["action"], "cancelled");
    const auto stored = counts();
    EXPECT_EQ(stored.messages, 3);
    EXPECT_EQ(stored.consignments, 2);
    EXPECT_EQ(stored.active_consignments, 1);

    // The same original again is a resend of known content: same ACK, nothing changes.
    const auto again = request("orig-again", "application/json", original);
    EXPECT_EQ(again.body, first.body);
    EXPECT_EQ(counts().messages, 3);

    // A new original for a bill of lading already filed is refused, and nothing is written.
    auto refiled = json::parse(original);
    refiled["document_number"] = "EXLN-KEMBA-0412E-009";
    const auto conflict = request("refile", "application/json", refiled.dump());
    ASSERT_EQ(conflict.status, "NACK") << conflict.body;
    EXPECT_NE(conflict.body.find("EXLN240301001"), std::string::npos) << conflict.body;
    EXPECT_EQ(counts().messages, 3);
}

TEST_F(IngestTest, RefusesBadInputAndKeepsServing) {
    struct Case {
        std::vector<std::string> frames;
        std::string code;
    };
    const std::vector<Case> cases = {
        {{"only-two", "application/json"}, "frames"},
        {{"four", "application/json", "{}", "extra"}, "frames"},
        {{"", "application/json", "{}"}, "message-id"},
        {{"type", "text/plain", "hello"}, "content-type"},
        {{"edi", "application/edifact", fixture("edifact/synthetic/neg_bad_unt_count.edi")},
         "control-count"},
        {{"digit", "application/edifact", fixture("edifact/synthetic/neg_bad_check_digit.edi")},
         "check-digit"},
        {{"unz", "application/edifact", fixture("edifact/synthetic/neg_truncated_no_unz.edi")},
         "incomplete-interchange"},
        {{"unoa", "application/edifact", fixture("edifact/synthetic/neg_unoa_lowercase.edi")},
         "charset"},
        {{"junk", "application/edifact", "this is not EDIFACT"}, "invalid-tag"},
        {{"json", "application/json", "{\"format\": \"portscreen.manifest\", "}, "syntax"},
        {{"utf8", "application/json", "{\"format\": \"portscreen.manifest\xff\"}"}, "encoding"},
    };
    for (const auto& test : cases) {
        send(client_, test.frames);
        const auto answer = receive(client_);
        EXPECT_EQ(answer.status, "NACK") << test.code << ": " << answer.body;
        if (answer.status == "NACK")
            problem(answer, test.code);
    }
    EXPECT_EQ(counts().messages, 0);
    const auto good = request("good", "application/edifact",
                              fixture("edifact/synthetic/cuscar_d95b_sea_synthetic.edi"));
    EXPECT_EQ(good.status, "ACK") << good.body;
}

TEST_F(IngestTest, RefusesPayloadsOverTheLimit) {
    TearDown();
    IngestOptions options;
    options.max_message_bytes = 1024;
    start(options);
    const auto answer = request("big", "application/edifact",
                                fixture("edifact/synthetic/cuscar_d95b_sea_synthetic.edi"));
    ASSERT_EQ(answer.status, "NACK");
    EXPECT_NE(problem(answer, "too-large").value("message", "").find("1024"), std::string::npos);
    const auto small = request("small", "application/edifact",
                               fixture("edifact/synthetic/cuscar_d11a_sea_synthetic.edi"));
    EXPECT_EQ(small.status, "ACK") << small.body;
}

TEST_F(IngestTest, ClientsThatVanishLoseNothingAcknowledged) {
    // A peer that opens TCP, sends half a ZMTP greeting and disappears.
    const std::string endpoint = server_->endpoint();
    const int port = std::stoi(endpoint.substr(endpoint.rfind(':') + 1));
    const int raw = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(raw, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(raw, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    const char half_greeting[] = {'\xff', 0, 0, 0, 0, 0, 0, 0};
    ASSERT_EQ(::send(raw, half_greeting, sizeof half_greeting, 0),
              static_cast<ssize_t>(sizeof half_greeting));
    ::close(raw);

    // A client that sends a whole message and goes away before the reply.
    const std::string payload = fixture("edifact/synthetic/cuscar_d95b_sea_synthetic.edi");
    {
        zmq::socket_t gone(context_, zmq::socket_type::dealer);
        gone.set(zmq::sockopt::linger, 5000); // let the frames leave before the close
        gone.connect(server_->endpoint());
        send(gone, {"vanished", "application/edifact", payload});
    }
    // It comes back and resends under the same id: the node answers with what it stored.
    const auto answer = request("vanished", "application/edifact", payload);
    ASSERT_EQ(answer.status, "ACK") << answer.body;
    EXPECT_EQ(counts().messages, 1);
    EXPECT_EQ(counts().containers, 2);
}

TEST_F(IngestTest, FeedClientSendsManyInFlight) {
    FeedOptions options;
    options.endpoint = server_->endpoint();
    options.window = 3;
    FeedClient client(context_, options);
    std::vector<Outgoing> messages = {
        {"a", "application/edifact", fixture("edifact/synthetic/cuscar_d95b_sea_synthetic.edi")},
        {"b", "application/edifact", fixture("edifact/synthetic/neg_bad_check_digit.edi")},
        {"c", "application/json", example("fcl.json")},
        {"d", "application/json", example("lcl.json")},
    };
    const auto replies = client.send_all(messages);
    ASSERT_EQ(replies.size(), 4u);
    for (const auto& reply : replies)
        ASSERT_TRUE(reply);
    EXPECT_EQ(replies[0]->status, "ACK");
    EXPECT_EQ(replies[1]->status, "NACK");
    EXPECT_EQ(replies[2]->status, "ACK");
    EXPECT_EQ(replies[3]->status, "ACK");
    EXPECT_EQ(replies[3]->message_id, "d");
    EXPECT_EQ(counts().messages, 3);
}

// Several clients at once: the writer groups their messages into batches, and a refused message
// inside a batch (an original for a B/L already filed) must not take the others with it.
TEST_F(IngestTest, ConcurrentClientsGetTheirOwnAnswers) {
    constexpr int kClients = 4;
    constexpr int kMessagesEach = 25;
    const json example_manifest = json::parse(example("fcl.json"));
    // Message k of client c is an original for voyage "V<c>-<k>"; every fifth message repeats
    // the original of the one before it under a new document number, which must be refused.
    const auto payload = [&](int client, int index) {
        json manifest = example_manifest;
        const bool conflict = index % 5 == 4;
        const int voyage = conflict ? index - 1 : index;
        manifest["vessel_call"]["voyage"] =
            "V" + std::to_string(client) + "-" + std::to_string(voyage);
        manifest["document_number"] = "DOC-" + std::to_string(client) + "-" + std::to_string(index);
        return manifest.dump();
    };

    std::vector<std::vector<Reply>> answers(kClients);
    std::vector<std::thread> clients;
    for (int client = 0; client < kClients; ++client) {
        clients.emplace_back([&, client] {
            std::vector<Outgoing> messages;
            for (int index = 0; index < kMessagesEach; ++index)
                messages.push_back({"c" + std::to_string(client) + "-" + std::to_string(index),
                                    "application/json", payload(client, index)});
            FeedOptions options;
            options.endpoint = server_->endpoint();
            options.window = 10;
            FeedClient feed(context_, options);
            for (auto& reply : feed.send_all(messages))
                answers[client].push_back(reply.value_or(Reply{}));
        });
    }
    for (auto& thread : clients)
        thread.join();

    for (int client = 0; client < kClients; ++client) {
        ASSERT_EQ(answers[client].size(), static_cast<std::size_t>(kMessagesEach));
        for (int index = 0; index < kMessagesEach; ++index) {
            const Reply& reply = answers[client][index];
            EXPECT_EQ(reply.message_id, "c" + std::to_string(client) + "-" + std::to_string(index));
            EXPECT_EQ(reply.status, index % 5 == 4 ? "NACK" : "ACK") << reply.body;
        }
    }
    const auto stored = counts();
    EXPECT_EQ(stored.messages, kClients * kMessagesEach * 4 / 5);
    EXPECT_EQ(stored.vessel_calls, kClients * kMessagesEach * 4 / 5);
}

// Lazy Pirate against a stand-in server that ignores the first request: the client must give
// up on the socket, reconnect and resend under the same message-id.
TEST(FeedClient, ResendsAfterATimeoutUnderTheSameId) {
    zmq::context_t context;
    zmq::socket_t server(context, zmq::socket_type::router);
    server.set(zmq::sockopt::rcvtimeo, 20'000);
    server.bind("tcp://127.0.0.1:*");
    FeedOptions options;
    options.endpoint = server.get(zmq::sockopt::last_endpoint);
    options.timeout = std::chrono::milliseconds(200);
    options.attempts = 3;

    std::optional<Reply> reply;
    std::thread client_thread([&] {
        FeedClient client(context, options);
        reply = client.send_all({{"lazy-1", "application/json", "{}"}})[0];
    });
    std::vector<zmq::message_t> first;
    ASSERT_TRUE(zmq::recv_multipart(server, std::back_inserter(first)));
    std::vector<zmq::message_t> second;
    ASSERT_TRUE(zmq::recv_multipart(server, std::back_inserter(second)));
    ASSERT_EQ(second.size(), 4u);
    EXPECT_EQ(second[1].to_string(), "lazy-1");
    EXPECT_NE(second[0].to_string(), first[0].to_string()) << "a new connection";
    std::vector<zmq::message_t> answer;
    answer.push_back(std::move(second[0]));
    answer.emplace_back(std::string_view("lazy-1"));
    answer.emplace_back(std::string_view("ACK"));
    answer.emplace_back(std::string_view("{}"));
    zmq::send_multipart(server, answer);
    client_thread.join();
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status, "ACK");
}

TEST(FeedClient, GivesUpAfterTheLastAttempt) {
    zmq::context_t context;
    zmq::socket_t silent(context, zmq::socket_type::router);
    silent.bind("tcp://127.0.0.1:*");
    FeedOptions options;
    options.endpoint = silent.get(zmq::sockopt::last_endpoint);
    options.timeout = std::chrono::milliseconds(100);
    options.attempts = 2;
    FeedClient client(context, options);
    const auto replies = client.send_all({{"never", "application/json", "{}"}});
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_FALSE(replies[0]);
}

} // namespace
} // namespace portscreen::messaging
