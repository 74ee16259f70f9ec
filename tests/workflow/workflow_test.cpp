#include "workflow/workflow.hpp"

#include "audit/audit.hpp"
#include "common/sha256.hpp"
#include "storage/database.hpp"

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <stdlib.h>

namespace portscreen::workflow {
namespace {

using storage::Access;
using storage::Database;
using storage::Statement;

constexpr std::string_view kNow = "2026-11-27T09:30:00.000Z";

using portscreen::test_support::TempDir;

/// A database with one vessel call; containers, scores, selections and scans are added by the
/// tests with SQL, as the manifest store and the scan server would have left them.
class WorkflowTest : public ::testing::Test {
protected:
    WorkflowTest() : db_(Database::open(dir_.path() / "portscreen.db", Access::writer)) {
        db_.execute("INSERT INTO messages (id, message_id, content_type, content_sha256, source, "
                    "received_at, reply_body, payload) VALUES (1, 'm1', 'application/json', "
                    "'abc', 'test', 't', 'ok', x'00');"
                    "INSERT INTO vessel_calls (id, imo, voyage, port_of_call, vessel_name, "
                    "carrier, eta, last_port, created_by, updated_by) VALUES (1, '9074729', "
                    "'042E', 'KEMBA', 'MSC EXAMPLE', 'MSC', '2026-11-27T06:00:00Z', 'OMSLL', 1, "
                    "1)");
    }

    std::int64_t add_container(std::string_view number, bool scored = true) {
        Statement insert(db_, "INSERT INTO containers (vessel_call_id, number, size_type, "
                              "load_status, message_row) VALUES (1, ?1, '45G1', 'full', 1)");
        insert.bind(1, number);
        insert.run();
        const auto id = db_.last_insert_rowid();
        if (scored) {
            Statement score(db_, "INSERT INTO scores (container_id, score, main_source, factors, "
                                 "features, generation, basis, scored_at) "
                                 "VALUES (?1, 71.5, 'rules', '[]', x'', 1, 1, 't')");
            score.bind(1, id);
            score.run();
        }
        return id;
    }

    void add_selection(std::int64_t container_id, std::string_view lane) {
        Statement insert(db_, "INSERT INTO selections (container_id, day, lane, source, random, "
                              "reason, score, decided_by, decided_at) VALUES (?1, '2026-11-27', "
                              "?2, 'targeted', 0, 'score 71.5', 71.5, 'selection', "
                              "'2026-11-27T05:00:00Z')");
        insert.bind(1, container_id);
        insert.bind(2, lane);
        insert.run();
    }

    /// Puts a container in a stored state directly, as earlier actions would have.
    void put_in(std::int64_t container_id, State state) {
        Statement insert(db_, "INSERT INTO workflow (container_id, state, lane, source, reason, "
                              "updated_by, updated_at) VALUES (?1, ?2, 'red', 'targeted', "
                              "'score 71.5', 'earlier', 't')");
        insert.bind(1, container_id);
        insert.bind(2, to_string(state));
        insert.run();
    }

    /// A scan with a 1000 x 400 image (none when `with_image` is false) whose gate read the
    /// given containers.
    void add_scan(std::string_view scan_id, const std::vector<std::int64_t>& container_ids,
                  bool with_image = true) {
        Statement scan(db_, "INSERT INTO scans (scan_id, scanner_id, scanned_at, view, header, "
                            "source, received_at) VALUES (?1, 'gate-1', 't', 'top', '{}', 'test', "
                            "'t')");
        scan.bind(1, scan_id);
        scan.run();
        const auto row = db_.last_insert_rowid();
        if (with_image) {
            Statement image(db_, "INSERT INTO scan_images (scan_row, channel, format, width, "
                                 "height, sha256, bytes) VALUES (?1, 'high', 'png', 1000, 400, "
                                 "'aa', 10)");
            image.bind(1, row);
            image.run();
        }
        int position = 0;
        for (const auto id : container_ids) {
            Statement link(db_, "INSERT INTO scan_containers (scan_row, position, number_read, "
                                "container_id, problem, linked_by, linked_at) "
                                "VALUES (?1, ?2, 'read', ?3, '', 'gate', 't')");
            link.bind(1, row);
            link.bind(2, position++);
            link.bind(3, id);
            link.run();
        }
    }

    State state_of(std::int64_t container_id) {
        return current_state(db_, container_id).value().state;
    }

    std::int64_t rows(const std::string& table) {
        return db_.query_int64("SELECT count(*) FROM " + table);
    }

    static ActionRequest request(Action action, std::string reason = {}) {
        ActionRequest request;
        request.action = action;
        request.reason = std::move(reason);
        return request;
    }

    static OutcomeFields seizure() {
        OutcomeFields outcome;
        outcome.seizure = true;
        outcome.inspected_on = "2026-11-27";
        outcome.method = "physical";
        outcome.category = "drugs";
        outcome.description = "cocaine behind the front wall";
        outcome.quantity = 12.5;
        outcome.unit = "kg";
        outcome.concealment = "false_wall";
        outcome.detection = "x_ray";
        outcome.place = "KEMBA";
        outcome.notes = "bricks wrapped in tape";
        return outcome;
    }

    /// A request that passes request_problems for `action`.
    static ActionRequest valid_request(Action action) {
        auto valid = request(action, "because");
        if (action == Action::select)
            valid.lane = "yellow";
        if (action == Action::scan_attached)
            valid.scan_id = "SCAN-1";
        if (action == Action::record_outcome)
            valid.outcome = seizure();
        return valid;
    }

    TempDir dir_;
    Database db_;
};

TEST_F(WorkflowTest, StatesAreDerivedFromTheScoreAndTheSelectionUntilSomeoneActs) {
    const auto unscored = add_container("MSCU1234565", false);
    const auto scored = add_container("TGHU0000001");
    const auto red = add_container("TGHU0000002");
    const auto green = add_container("TGHU0000003");
    add_selection(red, "red");
    add_selection(green, "green");

    EXPECT_EQ(state_of(unscored), State::unscored);
    EXPECT_EQ(state_of(scored), State::scored);
    EXPECT_EQ(state_of(green), State::scored);
    const auto selected = current_state(db_, red).value();
    EXPECT_EQ(selected.state, State::selected);
    EXPECT_EQ(selected.number, "TGHU0000002");
    EXPECT_EQ(selected.lane, "red");
    EXPECT_EQ(selected.source, "targeted");
    EXPECT_EQ(selected.reason, "score 71.5");
    EXPECT_EQ(selected.updated_by, "selection");
    EXPECT_EQ(selected.updated_at, "2026-11-27T05:00:00Z");
    EXPECT_FALSE(current_state(db_, 999));

    const std::vector<std::int64_t> ids{red, 999, unscored, scored};
    const auto states = current_states(db_, ids);
    ASSERT_EQ(states.size(), 3U);
    EXPECT_EQ(states[0].container_id, red);
    EXPECT_EQ(states[0].state, State::selected);
    EXPECT_EQ(states[1].container_id, unscored);
    EXPECT_EQ(states[1].state, State::unscored);
    EXPECT_EQ(states[2].state, State::scored);
    EXPECT_TRUE(current_states(db_, {}).empty());
}

TEST_F(WorkflowTest, EveryTransitionOfTheTableIsApplied) {
    add_scan("SCAN-1", {});
    int serial = 0;
    for (const auto from : all_states())
        for (const auto action : all_actions()) {
            const auto to = next_state(from, action);
            if (!to)
                continue;
            const auto id =
                add_container("TSTU" + std::to_string(100000 + ++serial), from != State::unscored);
            if (from != State::unscored && from != State::scored)
                put_in(id, from);
            const auto after = apply(db_, id, valid_request(action), "ana", kNow);
            EXPECT_EQ(after.state, *to) << to_string(from) << " " << to_string(action);
            EXPECT_EQ(state_of(id), *to) << to_string(from) << " " << to_string(action);
            const auto steps = history(db_, id);
            ASSERT_EQ(steps.size(), 1U);
            EXPECT_EQ(steps[0].from_state, to_string(from));
            EXPECT_EQ(steps[0].to_state, to_string(*to));
            EXPECT_EQ(steps[0].action, to_string(action));
        }
    EXPECT_EQ(serial, 16);
    EXPECT_EQ(rows("audit_log"), 16);
    EXPECT_TRUE(audit::verify(db_).ok);
}

TEST_F(WorkflowTest, SelectKeepsTheLaneAndLaterActionsKeepItWithTheirReason) {
    const auto id = add_container("MSCU1234565");
    auto select = request(Action::select, "seal number differs from the manifest");
    select.lane = "red";
    auto state = apply(db_, id, select, "ana", "2026-11-27T09:00:00.000Z");
    EXPECT_EQ(state.lane, "red");
    EXPECT_EQ(state.source, "manual");
    state = apply(db_, id, request(Action::order_scan), "ben", "2026-11-27T09:05:00.000Z");
    EXPECT_EQ(state.state, State::scan_ordered);
    EXPECT_EQ(state.lane, "red");
    EXPECT_EQ(state.reason, "seal number differs from the manifest");
    EXPECT_EQ(state.updated_by, "ben");
    state = apply(db_, id, request(Action::release, "seal replaced by the carrier, documented"),
                  "ana", "2026-11-27T09:10:00.000Z");

    const auto stored = current_state(db_, id).value();
    EXPECT_EQ(stored.state, State::released);
    EXPECT_EQ(stored.reason, "seal replaced by the carrier, documented");
    EXPECT_EQ(stored.updated_at, "2026-11-27T09:10:00.000Z");
    const auto steps = history(db_, id);
    ASSERT_EQ(steps.size(), 3U);
    EXPECT_EQ(steps[0].action, "select");
    EXPECT_EQ(steps[0].actor, "ana");
    EXPECT_EQ(steps[0].reason, "seal number differs from the manifest");
    EXPECT_EQ(steps[0].detail, R"({"lane":"red"})");
    EXPECT_EQ(steps[1].actor, "ben");
    EXPECT_EQ(steps[1].from_state, "selected");
    EXPECT_EQ(steps[1].reason, "");
    EXPECT_EQ(steps[2].to_state, "released");
    EXPECT_EQ(steps[2].at, "2026-11-27T09:10:00.000Z");

    const auto entries = audit::list(db_, 0, 10);
    ASSERT_EQ(entries.size(), 3U);
    EXPECT_EQ(entries[0].action, "workflow.select");
    EXPECT_EQ(entries[0].actor, "ana");
    EXPECT_EQ(entries[0].subject, "container:MSCU1234565");
    EXPECT_EQ(
        entries[0].detail,
        R"({"from":"scored","to":"selected","reason":"seal number differs from the manifest"})");
    EXPECT_EQ(entries[2].action, "workflow.release");
    EXPECT_TRUE(audit::verify(db_).ok);
}

TEST_F(WorkflowTest, ARefusedTransitionIsAConflictNamingTheContainerAndWritesNothing) {
    const auto id = add_container("MSCU1234565");
    put_in(id, State::released);
    auto record = request(Action::record_outcome);
    record.outcome = seizure();
    try {
        apply(db_, id, record, "ana", kNow);
        FAIL() << "record_outcome on a released container was applied";
    } catch (const Refused& refused) {
        EXPECT_EQ(refused.kind(), RefusalKind::conflict);
        ASSERT_EQ(refused.problems().size(), 1U);
        EXPECT_EQ(refused.problems()[0], "container MSCU1234565 is released; record_outcome "
                                         "needs scan_ordered, scanned or exam_ordered");
        EXPECT_STREQ(refused.what(), refused.problems()[0].c_str());
    }
    EXPECT_EQ(state_of(id), State::released);
    EXPECT_EQ(rows("workflow_transitions"), 0);
    EXPECT_EQ(rows("outcomes"), 0);
    EXPECT_EQ(rows("audit_log"), 0);
    EXPECT_THROW(apply(db_, 999, request(Action::order_scan), "ana", kNow), std::out_of_range);
}

TEST_F(WorkflowTest, ABadRequestIsRefusedWithEveryProblemBeforeTheStateIsConsidered) {
    const auto id = add_container("MSCU1234565");
    put_in(id, State::closed);
    try {
        apply(db_, id, request(Action::select), "ana", kNow);
        FAIL() << "select without lane or reason was applied";
    } catch (const Refused& refused) {
        EXPECT_EQ(refused.kind(), RefusalKind::bad_request);
        EXPECT_EQ(refused.problems(),
                  (std::vector<std::string>{"lane: must be red or yellow, not ''",
                                            "reason: required to select"}));
    }
    EXPECT_EQ(rows("workflow_transitions"), 0);
}

TEST_F(WorkflowTest, AnOutcomeIsRecordedWithItsCenFieldsAndCountedOnce) {
    const auto id = add_container("MSCU1234565");
    put_in(id, State::exam_ordered);
    auto record = request(Action::record_outcome);
    record.outcome = seizure();
    EXPECT_EQ(apply(db_, id, record, "ana", kNow).state, State::closed);

    Statement row(db_, "SELECT inspected_on, method, result, category, description, quantity, "
                       "unit, concealment, detection, place, notes, recorded_by, recorded_at "
                       "FROM outcomes WHERE container_id = ?1");
    row.bind(1, id);
    ASSERT_TRUE(row.step());
    EXPECT_EQ(row.column_text(0), "2026-11-27");
    EXPECT_EQ(row.column_text(1), "physical");
    EXPECT_EQ(row.column_text(2), "seizure");
    EXPECT_EQ(row.column_text(3), "drugs");
    EXPECT_EQ(row.column_text(4), "cocaine behind the front wall");
    EXPECT_DOUBLE_EQ(row.column_double(5), 12.5);
    EXPECT_EQ(row.column_text(6), "kg");
    EXPECT_EQ(row.column_text(7), "false_wall");
    EXPECT_EQ(row.column_text(8), "x_ray");
    EXPECT_EQ(row.column_text(9), "KEMBA");
    EXPECT_EQ(row.column_text(10), "bricks wrapped in tape");
    EXPECT_EQ(row.column_text(11), "ana");
    EXPECT_EQ(row.column_text(12), kNow);
    row.reset();
    EXPECT_EQ(history(db_, id).at(0).detail,
              R"({"lane":"red","outcome":{"result":"seizure","method":"physical",)"
              R"("inspected_on":"2026-11-27","category":"drugs","quantity":12.5,"unit":"kg"}})");
}

TEST_F(WorkflowTest, ASecondOutcomeIsAConflictAndLeavesNothingBehind) {
    const auto id = add_container("MSCU1234565");
    put_in(id, State::exam_ordered);
    db_.execute("INSERT INTO outcomes (container_id, inspected_on, method, result, category, "
                "description, recorded_by, recorded_at) VALUES (" +
                std::to_string(id) + ", '2026-11-20', 'physical', 'no_find', '', '', 'cli', 't')");
    auto record = request(Action::record_outcome);
    record.outcome = seizure();
    try {
        apply(db_, id, record, "ana", kNow);
        FAIL() << "a second outcome was recorded";
    } catch (const Refused& refused) {
        EXPECT_EQ(refused.kind(), RefusalKind::conflict);
        EXPECT_EQ(refused.problems().at(0), "container MSCU1234565 already has an outcome");
    }
    EXPECT_EQ(state_of(id), State::exam_ordered);
    EXPECT_EQ(rows("outcomes"), 1);
    EXPECT_EQ(rows("workflow_transitions"), 0);
    EXPECT_EQ(rows("audit_log"), 0);
}

TEST_F(WorkflowTest, AnOutcomeWithBadFieldsWritesNoRowNoTransitionAndNoAuditEntry) {
    const auto id = add_container("MSCU1234565");
    add_selection(id, "yellow");
    apply(db_, id, request(Action::order_scan), "ana", kNow);
    auto record = request(Action::record_outcome);
    record.outcome = seizure();
    record.outcome->unit = "tonnes";
    record.outcome->inspected_on = "2026-02-30";
    try {
        apply(db_, id, record, "ana", kNow);
        FAIL() << "an outcome with bad fields was recorded";
    } catch (const Refused& refused) {
        EXPECT_EQ(refused.kind(), RefusalKind::bad_request);
        EXPECT_EQ(refused.problems().size(), 2U);
    }
    EXPECT_EQ(state_of(id), State::scan_ordered);
    EXPECT_EQ(rows("workflow_transitions"), 1); // the order_scan only
    EXPECT_EQ(rows("outcomes"), 0);
    EXPECT_EQ(rows("audit_log"), 1);
    EXPECT_FALSE(db_.in_transaction());
}

TEST_F(WorkflowTest, AttachingAScanMovesOnlyTheContainersWaitingForOne) {
    const auto waiting = add_container("MSCU1234565");
    const auto ordered = add_container("TGHU0000001");
    const auto unselected = add_container("TGHU0000002");
    add_selection(waiting, "yellow");
    put_in(ordered, State::scan_ordered);
    add_scan("SCAN-1", {waiting, ordered, unselected});

    const auto moved = scan_attached(db_, "SCAN-1", "system", kNow);
    EXPECT_EQ(moved, (std::vector<std::int64_t>{waiting, ordered}));
    EXPECT_EQ(state_of(waiting), State::scanned);
    EXPECT_EQ(state_of(ordered), State::scanned);
    EXPECT_EQ(state_of(unselected), State::scored);
    EXPECT_EQ(current_state(db_, waiting)->lane, "yellow"); // kept from the selection
    EXPECT_EQ(history(db_, ordered).at(0).detail, R"({"lane":"red","scan_id":"SCAN-1"})");
    EXPECT_TRUE(scan_attached(db_, "SCAN-1", "system", kNow).empty()); // nothing left to move
    EXPECT_THROW(scan_attached(db_, "SCAN-404", "system", kNow), std::out_of_range);
    EXPECT_EQ(rows("audit_log"), 2);
}

TEST_F(WorkflowTest, ClearingAScanClosesEveryLinkedContainerWithANoFind) {
    const auto first = add_container("MSCU1234565");
    const auto second = add_container("TGHU0000001");
    put_in(first, State::scan_ordered);
    put_in(second, State::scanned);
    add_scan("SCAN-1", {first, second});

    const auto states = review_scan(db_, "SCAN-1", "clear", "dense but uniform load", "omar", kNow);
    ASSERT_EQ(states.size(), 2U);
    EXPECT_EQ(states[0].container_id, first);
    EXPECT_EQ(states[0].state, State::closed);
    EXPECT_EQ(state_of(second), State::closed);
    const auto steps = history(db_, first);
    ASSERT_EQ(steps.size(), 2U);
    EXPECT_EQ(steps[0].action, "scan_attached");
    EXPECT_EQ(steps[1].action, "clear");
    EXPECT_EQ(steps[1].actor, "omar");
    EXPECT_EQ(db_.query_int64("SELECT count(*) FROM outcomes WHERE result = 'no_find' AND "
                              "method = 'scan' AND detection = 'x_ray' AND "
                              "inspected_on = '2026-11-27' AND notes = 'dense but uniform load'"),
              2);
    const auto entries = audit::list(db_, 0, 10);
    ASSERT_EQ(entries.size(), 4U);
    EXPECT_EQ(entries[3].action, "scan.review");
    EXPECT_EQ(entries[3].subject, "scan:SCAN-1");
    EXPECT_EQ(entries[3].detail, R"({"decision":"clear","note":"dense but uniform load",)"
                                 R"("containers":["MSCU1234565","TGHU0000001"]})");
    EXPECT_TRUE(audit::verify(db_).ok);
}

TEST_F(WorkflowTest, ReferringAScanOrdersAnExamAndASecondReviewIsAConflict) {
    const auto first = add_container("MSCU1234565");
    const auto second = add_container("TGHU0000001");
    add_selection(first, "red");
    put_in(second, State::closed);
    add_scan("SCAN-1", {first, second});

    const auto states = review_scan(db_, "SCAN-1", "refer", "", "omar", kNow);
    ASSERT_EQ(states.size(), 1U);
    EXPECT_EQ(states[0].state, State::exam_ordered);
    EXPECT_EQ(states[0].reason, "referred after X-ray");
    EXPECT_EQ(state_of(second), State::closed);

    const auto audit_rows = rows("audit_log");
    try {
        review_scan(db_, "SCAN-1", "clear", "", "omar", kNow);
        FAIL() << "a second review was applied";
    } catch (const Refused& refused) {
        EXPECT_EQ(refused.kind(), RefusalKind::conflict);
        EXPECT_EQ(
            refused.problems(),
            (std::vector<std::string>{"container MSCU1234565 is exam_ordered; clear needs scanned",
                                      "container TGHU0000001 is closed; clear needs scanned"}));
    }
    EXPECT_EQ(rows("audit_log"), audit_rows);
    try {
        review_scan(db_, "SCAN-1", "approve", "", "omar", kNow);
        FAIL() << "an unknown decision was applied";
    } catch (const Refused& refused) {
        EXPECT_EQ(refused.kind(), RefusalKind::bad_request);
    }
    EXPECT_THROW(review_scan(db_, "SCAN-404", "refer", "", "omar", kNow), std::out_of_range);
}

TEST_F(WorkflowTest, RegionsMustLieInsideTheImageAndCarryALabel) {
    add_scan("SCAN-1", {});
    add_scan("SCAN-BLANK", {}, false);
    Region region;
    region.x = 600;
    region.y = 100;
    region.width = 400;
    region.height = 300;
    region.label = "dense block behind the doors";
    const auto stored = add_region(db_, "SCAN-1", region, "omar", kNow);
    EXPECT_GT(stored.id, 0);
    EXPECT_EQ(stored.drawn_by, "omar");
    const auto listed = regions(db_, "SCAN-1");
    ASSERT_EQ(listed.size(), 1U);
    EXPECT_EQ(listed[0].x, 600);
    EXPECT_EQ(listed[0].height, 300);
    EXPECT_EQ(listed[0].label, "dense block behind the doors");
    EXPECT_EQ(audit::list(db_, 0, 10).at(0).action, "scan.region");

    Region bad = region;
    bad.width = 401;
    bad.label.clear();
    try {
        add_region(db_, "SCAN-1", bad, "omar", kNow);
        FAIL() << "a region beyond the image was stored";
    } catch (const Refused& refused) {
        EXPECT_EQ(refused.kind(), RefusalKind::bad_request);
        EXPECT_EQ(refused.problems(), (std::vector<std::string>{
                                          "region: x + width goes beyond the image's width of 1000",
                                          "region.label: required"}));
    }
    bad = region;
    bad.height = 0;
    bad.label = std::string(101, 'l');
    try {
        add_region(db_, "SCAN-1", bad, "omar", kNow);
        FAIL() << "an empty region was stored";
    } catch (const Refused& refused) {
        EXPECT_EQ(refused.problems(),
                  (std::vector<std::string>{"region.height: must be greater than 0",
                                            "region.label: longer than 100 characters"}));
    }
    bad = region;
    bad.label = std::string(100, 'l');
    bad.x = 0;
    EXPECT_NO_THROW(add_region(db_, "SCAN-1", bad, "omar", kNow));
    EXPECT_THROW(add_region(db_, "SCAN-BLANK", region, "omar", kNow), Refused);
    EXPECT_THROW(add_region(db_, "SCAN-404", region, "omar", kNow), std::out_of_range);
    EXPECT_EQ(rows("scan_regions"), 2);
    EXPECT_EQ(rows("audit_log"), 2);
}

TEST_F(WorkflowTest, AttachmentsAreStoredOnceByTheirHashAndReadBack) {
    const auto id = add_container("MSCU1234565");
    const std::string photo = "\x89PNG fake photo bytes";
    const auto first = add_attachment(db_, dir_.path(), id, "C:\\photos\\../seal.png", "image/png",
                                      photo, "ana", kNow);
    EXPECT_EQ(first.filename, "seal.png");
    EXPECT_EQ(first.sha256, sha256_hex(photo));
    EXPECT_EQ(first.bytes, static_cast<std::int64_t>(photo.size()));
    const auto path = attachment_path(dir_.path(), first.sha256);
    EXPECT_EQ(path, dir_.path() / "attachments" / first.sha256.substr(0, 2) / first.sha256);
    std::ifstream file(path, std::ios::binary);
    const std::string read{std::istreambuf_iterator<char>(file), {}};
    EXPECT_EQ(read, photo);

    const auto again =
        add_attachment(db_, dir_.path(), id, "seal-copy.png", "", photo, "ben", kNow);
    EXPECT_EQ(again.content_type, "application/octet-stream");
    EXPECT_NE(again.id, first.id);
    const auto listed = attachments(db_, id);
    ASSERT_EQ(listed.size(), 2U);
    EXPECT_EQ(listed[0].filename, "seal.png");
    EXPECT_EQ(listed[1].added_by, "ben");
    int files = 0;
    for (const auto& entry :
         std::filesystem::recursive_directory_iterator(dir_.path() / "attachments"))
        files += entry.is_regular_file() ? 1 : 0;
    EXPECT_EQ(files, 1);
    EXPECT_EQ(audit::list(db_, 0, 10).at(0).action, "outcome.attachment");
    EXPECT_EQ(audit::list(db_, 0, 10).at(0).subject, "container:MSCU1234565");

    try {
        add_attachment(db_, dir_.path(), id, "photos/..", "image/png", "", "ana", kNow);
        FAIL() << "a nameless empty attachment was stored";
    } catch (const Refused& refused) {
        EXPECT_EQ(refused.kind(), RefusalKind::bad_request);
        EXPECT_EQ(refused.problems(),
                  (std::vector<std::string>{"attachment.filename: 'photos/..' names no file",
                                            "attachment: the file is empty"}));
    }
    const std::string huge(kMaxAttachmentBytes + 1, 'x');
    EXPECT_THROW(add_attachment(db_, dir_.path(), id, "big.bin", "", huge, "ana", kNow), Refused);
    EXPECT_THROW(
        add_attachment(db_, dir_.path(), id, std::string(201, 'a'), "", photo, "ana", kNow),
        Refused);
    EXPECT_THROW(add_attachment(db_, dir_.path(), 999, "a.png", "", photo, "ana", kNow),
                 std::out_of_range);
    EXPECT_EQ(rows("attachments"), 2);
}

} // namespace
} // namespace portscreen::workflow
