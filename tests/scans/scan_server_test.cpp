// The scan endpoint of a node over real ZeroMQ sockets on 127.0.0.1, with a real SQLite file
// and image folder: scans stored, linked, analysed and re-scored, and every bad input refused
// with nothing left behind.

#include "formats.hpp"
#include "image_store.hpp"
#include "messaging/feed_client.hpp"
#include "messaging/ingest_server.hpp"
#include "reference/reference.hpp"
#include "scans/processing.hpp"
#include "scans/scan_header.hpp"
#include "scans/scan_server.hpp"
#include "scans/scan_store.hpp"
#include "scoring/scoring_service.hpp"
#include "simulate.hpp"
#include "storage/database.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace portscreen::scans {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using storage::Database;

constexpr int kWidth = 1500; // a quarter of the simulator's full size keeps the test quick
constexpr int kHeight = 300;

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    return std::move(content).str();
}

ScanHeader header_for(const std::string& scan_id, const std::string& number,
                      const scanner_io::DualEnergyScan& scan) {
    ScanHeader header;
    header.scan_id = scan_id;
    header.scanner_id = "KEMBA-GATE-1";
    header.containers = {number};
    header.scanned_at = "2024-03-08T10:00:00Z"; // the example manifest's vessel arrives that day
    header.view = "side";
    header.energy_high_mev = 6;
    header.energy_low_mev = 4;
    header.air_value = scan.air;
    header.along_mm = scan.along_mm;
    header.detector_mm = scan.detector_mm;
    header.images = {
        {Channel::high, scanner_io::ImageFormat::png, scan.high.width, scan.high.height},
        {Channel::low, scanner_io::ImageFormat::png, scan.low.width, scan.low.height}};
    return header;
}

const scanner_io::SimulatedScan& loaded_20ft() {
    static const auto simulated = [] {
        scanner_io::ScanScenario scenario;
        scenario.length_ft = 20;
        scenario.cargo = scanner_io::CargoClass::organic;
        scenario.cargo_mass_kg = 9'000;
        return scanner_io::simulate_scan(scenario, 11, kWidth, kHeight);
    }();
    return simulated;
}

messaging::Outgoing scan_message(const std::string& scan_id, const std::string& number,
                                 const scanner_io::DualEnergyScan& scan) {
    const auto header = header_for(scan_id, number, scan);
    return {scan_id,
            {to_json(header), scanner_io::encode_png(scan.high), scanner_io::encode_png(scan.low)}};
}

class ScanNode : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("portscreen-scans-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        database_ = dir_ / "portscreen.db";
        const auto hs_path = reference::default_hs_nomenclature_path();
        scoring_ = std::make_unique<scoring::ScoringService>(
            database_, reference::load_hs_nomenclature(hs_path));
        scoring_->start();
        messaging::IngestOptions ingest_options;
        ingest_options.endpoint = "tcp://127.0.0.1:*";
        ingest_ = std::make_unique<messaging::IngestServer>(
            context_, ingest_options, database_,
            reference::load_reference_data(reference::default_iso3166_path(), hs_path));
        ScanServerOptions options;
        options.endpoint = "tcp://127.0.0.1:*";
        options.max_image_bytes = 8u << 20;
        options.max_pixels = 4'000'000;
        scans_ = std::make_unique<ScanServer>(context_, options, dir_, database_);
        ingest_->on_stored([this](std::span<const std::int64_t> calls) {
            scoring_->notify(calls);
            scans_->manifests_stored();
        });
        scans_->on_analysed([this](const AnalysedScan& scan) {
            scoring_->notify(scan.vessel_call_ids);
            ++analysed_;
        });
        // In the node's order: ingest's writer calls into the scan endpoint while both run.
        scans_->start();
        ingest_->start();
    }

    void TearDown() override {
        ingest_->stop();
        scans_->stop();
        scoring_->stop();
        fs::remove_all(dir_);
    }

    void feed_manifest(const std::string& json_text) {
        messaging::FeedOptions options;
        options.endpoint = ingest_->endpoint();
        options.timeout = std::chrono::seconds(20);
        const auto replies =
            messaging::FeedClient(context_, options)
                .send_all({{messaging::new_message_id(), "application/json", json_text}});
        ASSERT_TRUE(replies.front());
        ASSERT_EQ(replies.front()->status, "ACK") << replies.front()->body;
    }

    messaging::Reply send(const messaging::Outgoing& message) {
        messaging::FeedOptions options;
        options.endpoint = scans_->endpoint();
        options.timeout = std::chrono::seconds(30);
        options.attempts = 1;
        const auto replies = messaging::FeedClient(context_, options).send_all({message});
        EXPECT_TRUE(replies.front()) << "no reply to " << message.message_id;
        return replies.front().value_or(messaging::Reply{});
    }

    /// Waits (at most 30 s) until `done` holds, checking every 20 ms.
    template <typename Predicate> bool eventually(Predicate done) {
        for (int attempt = 0; attempt < 1500; ++attempt) {
            if (done())
                return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return done();
    }

    std::int64_t count(const char* sql) {
        auto db = Database::open(database_, storage::Access::reader);
        return db.query_int64(sql);
    }

    std::size_t stored_files() {
        std::size_t files = 0;
        if (!fs::exists(dir_ / "images"))
            return 0;
        for (const auto& entry : fs::recursive_directory_iterator(dir_ / "images"))
            files += entry.is_regular_file() ? 1 : 0;
        return files;
    }

    fs::path dir_;
    fs::path database_;
    zmq::context_t context_;
    std::unique_ptr<scoring::ScoringService> scoring_;
    std::unique_ptr<messaging::IngestServer> ingest_;
    std::unique_ptr<ScanServer> scans_;
    std::atomic<int> analysed_{0};
};

TEST_F(ScanNode, AScanIsStoredByHashLinkedAnalysedAndItsContainerRescored) {
    feed_manifest(read_file(fs::path(PORTSCREEN_DOCS) / "examples/fcl.json"));
    ASSERT_TRUE(eventually([&] { return count("SELECT count(*) FROM scores") == 3; }));
    const auto score_before = count("SELECT score FROM scores s JOIN containers c ON "
                                    "c.id = s.container_id WHERE c.number = 'EXLU2208719'");

    // Declared empty in the manifest; the scan shows nine tonnes of cargo.
    const auto message = scan_message("KEMBA-G1-0001", "EXLU2208719", loaded_20ft().scan);
    const auto reply = send(message);
    ASSERT_EQ(reply.status, "ACK") << reply.body;
    const auto body = json::parse(reply.body);
    EXPECT_EQ(body["status"], "stored");
    ASSERT_EQ(body["containers"].size(), 1u);
    EXPECT_TRUE(body["containers"][0]["linked"]);
    // Acknowledged means stored: the files are there under their hashes, and the rows.
    const scanner_io::ImageStore images(dir_ / "images");
    for (const auto& image : body["images"]) {
        const std::string hash = image["sha256"];
        EXPECT_TRUE(images.contains(hash));
        const std::string& frame =
            image["channel"] == "high" ? message.frames[1] : message.frames[2];
        EXPECT_EQ(images.get(hash), frame);
    }
    EXPECT_EQ(count("SELECT count(*) FROM scan_images"), 2);

    ASSERT_TRUE(eventually([&] { return analysed_ == 1; }));
    EXPECT_EQ(count("SELECT declared_empty_but_loaded FROM scan_analyses"), 1);
    // The new analysis makes the score stale; the scoring thread takes it into account.
    ASSERT_TRUE(eventually([&] {
        return count("SELECT count(*) FROM scores s JOIN containers c ON c.id = s.container_id "
                     "WHERE c.number = 'EXLU2208719' AND s.image_basis > 0") == 1;
    }));
    auto db = Database::open(database_, storage::Access::reader);
    storage::Statement score(db, "SELECT s.score, s.factors FROM scores s JOIN containers c ON "
                                 "c.id = s.container_id WHERE c.number = 'EXLU2208719'");
    ASSERT_TRUE(score.step());
    EXPECT_GT(score.column_int64(0), score_before);
    EXPECT_NE(score.column_text(1).find("image-empty-but-loaded"), std::string::npos)
        << score.column_text(1);

    // The viewer's pictures are there, and the pyramid is complete.
    const auto high_hash =
        std::string(body["images"][0]["channel"] == "high" ? body["images"][0]["sha256"]
                                                           : body["images"][1]["sha256"]);
    const auto derived = ScanFolders::in(dir_).derived_for(high_hash);
    EXPECT_TRUE(fs::exists(derived / "preview.png"));
    EXPECT_TRUE(fs::exists(derived / "image.dzi"));
    EXPECT_TRUE(fs::exists(derived / "materials.png"));
}

TEST_F(ScanNode, SendingTheSameScanAgainIsHarmlessAndOtherImagesUnderItsIdAreRefused) {
    const auto message = scan_message("KEMBA-G1-0002", "TGHU8123457", loaded_20ft().scan);
    ASSERT_EQ(send(message).status, "ACK");
    const auto again = send(message);
    ASSERT_EQ(again.status, "ACK") << again.body;
    EXPECT_EQ(json::parse(again.body)["status"], "duplicate");
    EXPECT_EQ(count("SELECT count(*) FROM scans"), 1);
    EXPECT_EQ(stored_files(), 2u);

    auto other = message;
    std::swap(other.frames[1], other.frames[2]);
    const auto refused = send(other);
    ASSERT_EQ(refused.status, "NACK");
    EXPECT_NE(refused.body.find("conflict"), std::string::npos) << refused.body;
    EXPECT_EQ(count("SELECT count(*) FROM scans"), 1);
}

TEST_F(ScanNode, AScanAcknowledgedButNotAnalysedWhenTheNodeStoppedIsAnalysedAtTheNextStart) {
    ASSERT_EQ(send(scan_message("KEMBA-G1-0009", "TGHU8123457", loaded_20ft().scan)).status, "ACK");
    ASSERT_TRUE(eventually([&] { return analysed_ == 1; }));
    scans_->stop();
    // As if the node had been killed between the ACK and the analysis.
    Database::open(database_, storage::Access::writer).execute("DELETE FROM scan_analyses");
    scans_->start();
    ASSERT_TRUE(eventually([&] { return analysed_ == 2; }));
    EXPECT_EQ(count("SELECT count(*) FROM scan_analyses"), 1);
}

TEST_F(ScanNode, BadInputIsRefusedWithItsReasonAndLeavesNothingBehind) {
    const auto& scan = loaded_20ft().scan;
    const auto good = scan_message("KEMBA-G1-0003", "TGHU8123457", scan);
    struct Case {
        const char* name;
        messaging::Outgoing message;
        const char* reason;
    };
    std::vector<Case> cases;
    {
        auto m = good;
        m.frames[0] = "{\"scan_id\": \"KEMBA-G1-0003\", ";
        cases.push_back({"header not JSON", m, "not valid JSON"});
    }
    {
        auto m = good;
        m.frames.pop_back();
        cases.push_back({"an image frame missing", m, "2 images, 1 image frames"});
    }
    {
        auto m = good;
        m.frames[1].resize(m.frames[1].size() / 2);
        cases.push_back({"truncated PNG", m, "high image"});
    }
    {
        auto m = good;
        m.frames[2][m.frames[2].size() / 2] ^= 0x5a;
        cases.push_back({"corrupt PNG", m, "low image"});
    }
    {
        auto m = good;
        m.frames[1] = scanner_io::encode_png(scanner_io::Image16(300, 60, 30000));
        cases.push_back({"dimensions other than declared", m, "high image"});
    }
    {
        auto header = parse_scan_header(good.frames[0]).value();
        header.images[0].format = scanner_io::ImageFormat::raw;
        auto m = good;
        m.frames[0] = to_json(header);
        cases.push_back({"raw of the wrong size", m, "high image"});
    }
    {
        auto header = parse_scan_header(good.frames[0]).value();
        header.images[0].width = header.images[1].width = 20'000;
        header.images[0].height = header.images[1].height = 20'000;
        auto m = good;
        m.frames[0] = to_json(header);
        cases.push_back({"absurd declared size", m, "more than the limit"});
    }
    {
        auto m = good;
        m.frames[1] = std::string(9u << 20, 'x');
        cases.push_back({"frame over the byte limit", m, "over the limit"});
    }
    for (const auto& c : cases) {
        const auto reply = send(c.message);
        EXPECT_EQ(reply.status, "NACK") << c.name;
        EXPECT_NE(reply.body.find(c.reason), std::string::npos) << c.name << ": " << reply.body;
    }
    EXPECT_EQ(count("SELECT count(*) FROM scans"), 0);
    EXPECT_EQ(count("SELECT count(*) FROM scan_images"), 0);
    EXPECT_EQ(stored_files(), 0u);
    // The node keeps serving.
    EXPECT_EQ(send(good).status, "ACK");
}

TEST_F(ScanNode, UnmatchedNumbersWaitAndAreLinkedWhenTheirManifestArrivesOrByHand) {
    // A misread number (its check digit fails) and one no manifest lists yet.
    const auto misread = send(scan_message("KEMBA-G1-0004", "EXLU4012346", loaded_20ft().scan));
    ASSERT_EQ(misread.status, "ACK") << misread.body;
    EXPECT_NE(misread.body.find("check digit"), std::string::npos) << misread.body;
    const auto early = send(scan_message("KEMBA-G1-0005", "TGHU8123457", loaded_20ft().scan));
    ASSERT_EQ(early.status, "ACK");
    EXPECT_FALSE(json::parse(early.body)["containers"][0]["linked"]);
    ASSERT_TRUE(eventually([&] { return analysed_ == 2; }));
    EXPECT_EQ(count("SELECT count(*) FROM scan_analyses WHERE container_id IS NULL"), 2);
    {
        auto db = Database::open(database_, storage::Access::reader);
        const auto open = ScanStore(db).unmatched();
        ASSERT_EQ(open.size(), 2u);
        EXPECT_EQ(open[0].scan_id, "KEMBA-G1-0004");
    }

    // The manifest arrives: the early scan is linked and compared with it.
    feed_manifest(read_file(fs::path(PORTSCREEN_DOCS) / "examples/fcl.json"));
    ASSERT_TRUE(eventually([&] { return analysed_ == 3; }));
    EXPECT_EQ(count("SELECT count(*) FROM scan_containers WHERE container_id IS NOT NULL"), 1);
    EXPECT_EQ(count("SELECT count(*) FROM scan_analyses WHERE container_id IS NOT NULL"), 1);

    // An officer links the misread one by hand; a number that checks but no manifest lists is
    // refused.
    auto db = Database::open(database_, storage::Access::writer);
    ScanStore store(db);
    EXPECT_THROW(store.link("KEMBA-G1-0004", 0, "MSCU1234565", "officer 7", "t"),
                 std::runtime_error);
    const auto link = store.link("KEMBA-G1-0004", 0, "EXLU4012345", "officer 7", "t");
    ASSERT_TRUE(link.container_id);
    EXPECT_EQ(store.unmatched().size(), 0u);
}

TEST_F(ScanNode, StoredImagesAreCheckedAgainstTheirHashWhenRead) {
    const auto reply = send(scan_message("KEMBA-G1-0006", "TGHU8123457", loaded_20ft().scan));
    ASSERT_EQ(reply.status, "ACK");
    auto db = Database::open(database_, storage::Access::reader);
    ScanStore store(db);
    const auto record = store.find("KEMBA-G1-0006");
    ASSERT_TRUE(record);
    const auto header = parse_scan_header(record->header_json).value();
    const auto folders = ScanFolders::in(dir_);
    const auto scan = load_scan(folders, *record, header);
    EXPECT_EQ(scan.high.pixels, loaded_20ft().scan.high.pixels);

    const auto path = scanner_io::ImageStore(folders.images).path_of(record->images[0].sha256);
    fs::permissions(path, fs::perms::owner_write, fs::perm_options::add);
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(100);
    file.put('\x7f');
    file.close();
    try {
        load_scan(folders, *record, header);
        ADD_FAILURE() << "a changed file was read";
    } catch (const scanner_io::ImageStoreError& e) {
        EXPECT_NE(std::string(e.what()).find(record->images[0].sha256), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("corrupt"), std::string::npos);
    }
}

} // namespace
} // namespace portscreen::scans
