#include "workflow/workflow.hpp"

#include "audit/audit.hpp"
#include "common/durable_file.hpp"
#include "common/json_writer.hpp"
#include "common/sha256.hpp"
#include "scoring/profile_store.hpp"

#include <unordered_map>

namespace portscreen::workflow {
namespace {

using storage::Database;
using storage::Statement;
using storage::Transaction;

constexpr std::size_t kMaxLabel = 100;
constexpr std::size_t kMaxFilename = 200;
constexpr std::size_t kMaxContentType = 100;

// One row per container with everything its state is derived from; callers add the WHERE.
constexpr std::string_view kStateQuery =
    "SELECT c.id, c.number, w.state, w.lane, w.source, w.reason, w.updated_by, w.updated_at, "
    "s.lane, s.source, s.reason, s.decided_by, s.decided_at, sc.container_id IS NOT NULL, "
    "o.container_id IS NOT NULL "
    "FROM containers c "
    "LEFT JOIN workflow w ON w.container_id = c.id "
    "LEFT JOIN selections s ON s.container_id = c.id "
    "LEFT JOIN scores sc ON sc.container_id = c.id "
    "LEFT JOIN outcomes o ON o.container_id = c.id ";

ContainerState state_of_row(const Statement& row) {
    ContainerState state;
    state.container_id = row.column_int64(0);
    state.number = row.column_text(1);
    if (!row.column_is_null(2)) {
        const auto stored = parse_state(row.column_text_view(2));
        if (!stored)
            throw std::runtime_error(std::string("container ")
                                         .append(state.number)
                                         .append(": unknown workflow state '")
                                         .append(row.column_text_view(2))
                                         .append("'"));
        state.state = *stored;
        state.lane = row.column_text(3);
        state.source = row.column_text(4);
        state.reason = row.column_text(5);
        state.updated_by = row.column_text(6);
        state.updated_at = row.column_text(7);
        return state;
    }
    state.state = row.column_int(13) != 0 ? State::scored : State::unscored;
    if (!row.column_is_null(8)) {
        state.lane = row.column_text(8);
        if (state.lane == "red" || state.lane == "yellow")
            state.state = State::selected;
        state.source = row.column_text(9);
        state.reason = row.column_text(10);
        state.updated_by = row.column_text(11);
        state.updated_at = row.column_text(12);
    }
    // An outcome recorded outside the workflow (`portscreen outcomes`) closes the container.
    if (row.column_int(14) != 0)
        state.state = State::closed;
    return state;
}

std::out_of_range unknown_container(std::int64_t container_id) {
    return std::out_of_range(
        std::string("unknown container id ").append(std::to_string(container_id)));
}

std::out_of_range unknown_scan(std::string_view scan_id) {
    return std::out_of_range(std::string("unknown scan ").append(scan_id));
}

/// Characters, not bytes, of UTF-8 text: what a person counts in a label.
std::size_t utf8_length(std::string_view text) {
    std::size_t length = 0;
    for (const char byte : text)
        if ((static_cast<unsigned char>(byte) & 0xC0U) != 0x80U)
            ++length;
    return length;
}

std::string too_long(std::string_view field, std::size_t limit) {
    return std::string(field)
        .append(": longer than ")
        .append(std::to_string(limit))
        .append(" characters");
}

/// The outcome's gist for history and audit details; the full record is in `outcomes`.
void write_outcome_summary(JsonWriter& json, const OutcomeFields& outcome) {
    json.key("outcome");
    json.open_object();
    json.member("result", outcome.seizure ? "seizure" : "no_find");
    json.member("method", outcome.method);
    json.member("inspected_on", outcome.inspected_on);
    json.optional_member("category", outcome.category);
    json.optional_member("quantity", outcome.quantity);
    json.optional_member("unit", outcome.unit);
    json.close_object();
}

/// The no-find an operator's clear records when the request brings none.
OutcomeFields cleared_by_scan(std::string_view now, std::string_view notes) {
    OutcomeFields outcome;
    outcome.seizure = false;
    outcome.inspected_on = std::string(now.substr(0, 10));
    outcome.method = "scan";
    outcome.detection = "x_ray";
    outcome.notes = std::string(notes);
    return outcome;
}

bool has_outcome(Database& db, std::int64_t container_id) {
    Statement find(db, "SELECT 1 FROM outcomes WHERE container_id = ?1");
    find.bind(1, container_id);
    return find.query_int64().has_value();
}

void write_outcome(Database& db, std::int64_t container_id, const OutcomeFields& fields,
                   std::string_view actor, std::string_view now) {
    scoring::Outcome outcome;
    outcome.container_id = container_id;
    outcome.inspected_on = fields.inspected_on;
    outcome.method = fields.method;
    outcome.seizure = fields.seizure;
    outcome.category = fields.category;
    outcome.description = fields.description;
    outcome.recorded_by = std::string(actor);
    outcome.quantity = fields.quantity;
    outcome.unit = fields.unit;
    outcome.concealment = fields.concealment;
    outcome.detection = fields.detection;
    outcome.place = fields.place;
    outcome.notes = fields.notes;
    scoring::record_outcome(db, outcome, now);
}

/// One action inside the caller's open transaction: the body of apply(), shared with the scan
/// functions that move several containers at once.
ContainerState apply_in(Database& db, std::int64_t container_id, const ActionRequest& request,
                        std::string_view actor, std::string_view now) {
    const auto current = current_state(db, container_id);
    if (!current)
        throw unknown_container(container_id);
    auto problems = request_problems(request);
    if (!problems.empty())
        throw Refused(RefusalKind::bad_request, std::move(problems));
    const auto to = next_state(current->state, request.action);
    if (!to)
        throw Refused(RefusalKind::conflict,
                      {refusal(current->number, current->state, request.action)});

    std::optional<OutcomeFields> outcome = request.outcome;
    if (request.action == Action::clear && !outcome)
        outcome = cleared_by_scan(now, request.reason);
    if (outcome) {
        if (auto outcome_faults = outcome_problems(*outcome); !outcome_faults.empty())
            throw Refused(RefusalKind::bad_request, std::move(outcome_faults));
        if (has_outcome(db, container_id))
            throw Refused(RefusalKind::conflict, {std::string("container ")
                                                      .append(current->number)
                                                      .append(" already has an outcome")});
    }

    ContainerState next = *current;
    next.state = *to;
    if (request.action == Action::select) {
        next.lane = request.lane;
        next.source = "manual";
    }
    if (!request.reason.empty())
        next.reason = request.reason;
    next.updated_by = std::string(actor);
    next.updated_at = std::string(now);

    Statement upsert(db, "INSERT INTO workflow (container_id, state, lane, source, reason, "
                         "updated_by, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
                         "ON CONFLICT (container_id) DO UPDATE SET state = excluded.state, "
                         "lane = excluded.lane, source = excluded.source, "
                         "reason = excluded.reason, updated_by = excluded.updated_by, "
                         "updated_at = excluded.updated_at");
    upsert.bind(1, container_id);
    upsert.bind(2, to_string(next.state));
    upsert.bind(3, next.lane);
    upsert.bind(4, next.source);
    upsert.bind(5, next.reason);
    upsert.bind(6, next.updated_by);
    upsert.bind(7, next.updated_at);
    upsert.run();

    JsonWriter detail;
    detail.open_object();
    detail.optional_member("lane", next.lane);
    detail.optional_member("scan_id", request.scan_id);
    if (outcome)
        write_outcome_summary(detail, *outcome);
    detail.close_object();
    Statement transition(db, "INSERT INTO workflow_transitions (container_id, from_state, "
                             "to_state, action, actor, reason, detail, at) "
                             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    transition.bind(1, container_id);
    transition.bind(2, to_string(current->state));
    transition.bind(3, to_string(next.state));
    transition.bind(4, to_string(request.action));
    transition.bind(5, actor);
    transition.bind(6, request.reason);
    transition.bind(7, detail.take());
    transition.bind(8, now);
    transition.run();

    if (outcome)
        write_outcome(db, container_id, *outcome, actor, now);

    JsonWriter audit_detail;
    audit_detail.open_object();
    audit_detail.member("from", to_string(current->state));
    audit_detail.member("to", to_string(next.state));
    audit_detail.member("reason", request.reason);
    if (outcome)
        write_outcome_summary(audit_detail, *outcome);
    audit_detail.close_object();
    audit::append(db, actor, std::string("workflow.").append(to_string(request.action)),
                  std::string("container:").append(next.number), audit_detail.take(), now);
    return next;
}

struct LinkedScan {
    std::int64_t scan_row = 0;
    std::vector<std::int64_t> container_ids; ///< in the order the gate read them
};

LinkedScan linked_containers(Database& db, std::string_view scan_id) {
    Statement scan(db, "SELECT id FROM scans WHERE scan_id = ?1");
    scan.bind(1, scan_id);
    const auto row = scan.query_int64();
    if (!row)
        throw unknown_scan(scan_id);
    LinkedScan linked{*row, {}};
    Statement containers(db, "SELECT container_id FROM scan_containers "
                             "WHERE scan_row = ?1 AND container_id IS NOT NULL "
                             "GROUP BY container_id ORDER BY min(position)");
    containers.bind(1, *row);
    while (containers.step())
        linked.container_ids.push_back(containers.column_int64(0));
    return linked;
}

bool awaits_scan(State state) {
    return state == State::selected || state == State::scan_ordered;
}

std::string sanitised_filename(std::string_view name) {
    const auto slash = name.find_last_of("/\\");
    if (slash != std::string_view::npos)
        name.remove_prefix(slash + 1);
    std::string clean;
    for (const char c : name)
        if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f)
            clean.push_back(c);
    const auto first = clean.find_first_not_of(' ');
    if (first == std::string::npos)
        return {};
    clean.erase(0, first);
    clean.erase(clean.find_last_not_of(' ') + 1);
    if (clean == "." || clean == "..")
        return {};
    return clean;
}

} // namespace

Refused::Refused(RefusalKind kind, std::vector<std::string> problems)
    : std::runtime_error([&problems] {
          std::string text;
          for (const auto& problem : problems) {
              if (!text.empty())
                  text.append("; ");
              text.append(problem);
          }
          return text;
      }()),
      kind_(kind), problems_(std::move(problems)) {}

std::optional<ContainerState> current_state(Database& db, std::int64_t container_id) {
    Statement query(db, std::string(kStateQuery).append("WHERE c.id = ?1"));
    query.bind(1, container_id);
    if (!query.step())
        return std::nullopt;
    auto state = state_of_row(query);
    query.reset();
    return state;
}

std::vector<ContainerState> current_states(Database& db, std::span<const std::int64_t> ids) {
    std::vector<ContainerState> states;
    if (ids.empty())
        return states;
    JsonWriter list;
    list.open_array();
    for (const auto id : ids)
        list.value(id);
    list.close_array();
    Statement query(
        db, std::string(kStateQuery).append("WHERE c.id IN (SELECT value FROM json_each(?1))"));
    query.bind(1, list.take());
    std::unordered_map<std::int64_t, ContainerState> found;
    while (query.step()) {
        auto state = state_of_row(query);
        const auto id = state.container_id;
        found.emplace(id, std::move(state));
    }
    // Back in the caller's order, which is usually a ranking.
    states.reserve(found.size());
    for (const auto id : ids)
        if (const auto at = found.find(id); at != found.end())
            states.push_back(at->second);
    return states;
}

ContainerState apply(Database& db, std::int64_t container_id, const ActionRequest& request,
                     std::string_view actor, std::string_view now) {
    Transaction transaction(db, storage::TransactionMode::immediate);
    auto state = apply_in(db, container_id, request, actor, now);
    transaction.commit();
    return state;
}

std::vector<Transition> history(Database& db, std::int64_t container_id) {
    Statement query(db, "SELECT id, from_state, to_state, action, actor, reason, detail, at "
                        "FROM workflow_transitions WHERE container_id = ?1 ORDER BY id");
    query.bind(1, container_id);
    std::vector<Transition> rows;
    while (query.step())
        rows.push_back(Transition{query.column_int64(0), query.column_text(1), query.column_text(2),
                                  query.column_text(3), query.column_text(4), query.column_text(5),
                                  query.column_text(6), query.column_text(7)});
    return rows;
}

std::vector<std::int64_t> scan_attached(Database& db, std::string_view scan_id,
                                        std::string_view actor, std::string_view now) {
    Transaction transaction(db, storage::TransactionMode::immediate);
    std::vector<std::int64_t> moved;
    ActionRequest request;
    request.action = Action::scan_attached;
    request.scan_id = std::string(scan_id);
    for (const auto container_id : linked_containers(db, scan_id).container_ids) {
        const auto state = current_state(db, container_id);
        if (!state || !awaits_scan(state->state))
            continue;
        apply_in(db, container_id, request, actor, now);
        moved.push_back(container_id);
    }
    transaction.commit();
    return moved;
}

Region add_region(Database& db, std::string_view scan_id, Region region, std::string_view actor,
                  std::string_view now) {
    Transaction transaction(db, storage::TransactionMode::immediate);
    Statement scan(db, "SELECT s.id, max(i.width), max(i.height) FROM scans s "
                       "LEFT JOIN scan_images i ON i.scan_row = s.id WHERE s.scan_id = ?1 "
                       "GROUP BY s.id");
    scan.bind(1, scan_id);
    if (!scan.step())
        throw unknown_scan(scan_id);
    const std::int64_t scan_row = scan.column_int64(0);
    const auto image_width = scan.column_optional_int64(1);
    const auto image_height = scan.column_optional_int64(2);
    scan.reset();

    std::vector<std::string> problems;
    if (region.width <= 0)
        problems.emplace_back("region.width: must be greater than 0");
    if (region.height <= 0)
        problems.emplace_back("region.height: must be greater than 0");
    if (region.x < 0)
        problems.emplace_back("region.x: must be 0 or more");
    if (region.y < 0)
        problems.emplace_back("region.y: must be 0 or more");
    if (!image_width || !image_height) {
        problems.push_back(std::string("scan ").append(scan_id).append(" has no image to draw on"));
    } else if (problems.empty()) {
        if (region.x > *image_width - region.width)
            problems.push_back(std::string("region: x + width goes beyond the image's width of ")
                                   .append(std::to_string(*image_width)));
        if (region.y > *image_height - region.height)
            problems.push_back(std::string("region: y + height goes beyond the image's height of ")
                                   .append(std::to_string(*image_height)));
    }
    const auto label_length = utf8_length(region.label);
    if (label_length == 0)
        problems.emplace_back("region.label: required");
    else if (label_length > kMaxLabel)
        problems.push_back(too_long("region.label", kMaxLabel));
    if (utf8_length(region.note) > kMaxOutcomeText)
        problems.push_back(too_long("region.note", kMaxOutcomeText));
    if (!problems.empty())
        throw Refused(RefusalKind::bad_request, std::move(problems));

    region.drawn_by = std::string(actor);
    region.drawn_at = std::string(now);
    Statement insert(db, "INSERT INTO scan_regions (scan_row, x, y, width, height, label, note, "
                         "drawn_by, drawn_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    insert.bind(1, scan_row);
    insert.bind(2, region.x);
    insert.bind(3, region.y);
    insert.bind(4, region.width);
    insert.bind(5, region.height);
    insert.bind(6, region.label);
    insert.bind(7, region.note);
    insert.bind(8, region.drawn_by);
    insert.bind(9, region.drawn_at);
    insert.run();
    region.id = db.last_insert_rowid();

    JsonWriter detail;
    detail.open_object();
    detail.member("region_id", region.id);
    detail.member("x", region.x);
    detail.member("y", region.y);
    detail.member("width", region.width);
    detail.member("height", region.height);
    detail.member("label", region.label);
    detail.close_object();
    audit::append(db, actor, "scan.region", std::string("scan:").append(scan_id), detail.take(),
                  now);
    transaction.commit();
    return region;
}

std::vector<Region> regions(Database& db, std::string_view scan_id) {
    Statement query(db, "SELECT r.id, r.x, r.y, r.width, r.height, r.label, r.note, r.drawn_by, "
                        "r.drawn_at FROM scan_regions r JOIN scans s ON s.id = r.scan_row "
                        "WHERE s.scan_id = ?1 ORDER BY r.id");
    query.bind(1, scan_id);
    std::vector<Region> rows;
    while (query.step())
        rows.push_back(Region{query.column_int64(0), query.column_int64(1), query.column_int64(2),
                              query.column_int64(3), query.column_int64(4), query.column_text(5),
                              query.column_text(6), query.column_text(7), query.column_text(8)});
    return rows;
}

std::vector<ContainerState> review_scan(Database& db, std::string_view scan_id,
                                        std::string_view decision, std::string_view note,
                                        std::string_view actor, std::string_view now) {
    if (decision != "clear" && decision != "refer")
        throw Refused(
            RefusalKind::bad_request,
            {std::string("decision: must be clear or refer, not '").append(decision).append("'")});
    Transaction transaction(db, storage::TransactionMode::immediate);
    const auto linked = linked_containers(db, scan_id);

    ActionRequest attach;
    attach.action = Action::scan_attached;
    attach.scan_id = std::string(scan_id);
    ActionRequest verdict;
    verdict.scan_id = std::string(scan_id);
    if (decision == "clear") {
        verdict.action = Action::clear;
        verdict.reason = std::string(note);
        verdict.outcome = cleared_by_scan(now, note);
    } else {
        verdict.action = Action::refer;
        verdict.reason = note.empty() ? std::string("referred after X-ray") : std::string(note);
    }

    std::vector<ContainerState> moved;
    std::vector<std::string> refusals;
    for (const auto container_id : linked.container_ids) {
        auto state = current_state(db, container_id);
        if (!state)
            continue;
        if (awaits_scan(state->state))
            state = apply_in(db, container_id, attach, actor, now);
        if (!next_state(state->state, verdict.action)) {
            refusals.push_back(refusal(state->number, state->state, verdict.action));
            continue;
        }
        moved.push_back(apply_in(db, container_id, verdict, actor, now));
    }
    if (moved.empty()) {
        if (refusals.empty())
            refusals.push_back(
                std::string("scan ").append(scan_id).append(" is linked to no container"));
        throw Refused(RefusalKind::conflict, std::move(refusals));
    }

    JsonWriter detail;
    detail.open_object();
    detail.member("decision", decision);
    detail.member("note", note);
    detail.key("containers");
    detail.open_array();
    for (const auto& state : moved)
        detail.value(state.number);
    detail.close_array();
    detail.close_object();
    audit::append(db, actor, "scan.review", std::string("scan:").append(scan_id), detail.take(),
                  now);
    transaction.commit();
    return moved;
}

std::filesystem::path attachment_path(const std::filesystem::path& data_dir,
                                      std::string_view sha256) {
    return data_dir / "attachments" / std::string(sha256.substr(0, 2)) / std::string(sha256);
}

Attachment add_attachment(Database& db, const std::filesystem::path& data_dir,
                          std::int64_t container_id, std::string_view filename,
                          std::string_view content_type, std::string_view bytes,
                          std::string_view actor, std::string_view now) {
    Attachment attachment;
    attachment.filename = sanitised_filename(filename);
    attachment.content_type =
        content_type.empty() ? std::string("application/octet-stream") : std::string(content_type);
    std::vector<std::string> problems;
    if (attachment.filename.empty())
        problems.push_back(
            std::string("attachment.filename: '").append(filename).append("' names no file"));
    else if (utf8_length(attachment.filename) > kMaxFilename)
        problems.push_back(too_long("attachment.filename", kMaxFilename));
    if (attachment.content_type.size() > kMaxContentType ||
        attachment.content_type.find_first_of("\r\n") != std::string::npos)
        problems.emplace_back("attachment.content_type: not a media type");
    if (bytes.empty())
        problems.emplace_back("attachment: the file is empty");
    else if (bytes.size() > kMaxAttachmentBytes)
        problems.push_back(std::string("attachment: ")
                               .append(std::to_string(bytes.size()))
                               .append(" bytes is more than the limit of 20 MiB"));
    if (!problems.empty())
        throw Refused(RefusalKind::bad_request, std::move(problems));

    const auto container = current_state(db, container_id);
    if (!container)
        throw unknown_container(container_id);
    attachment.sha256 = sha256_hex(bytes);
    attachment.bytes = static_cast<std::int64_t>(bytes.size());
    attachment.added_by = std::string(actor);
    attachment.added_at = std::string(now);

    // The file first: a row must never name a file that is not there. A crash in between
    // leaves an unnamed file, which is harmless.
    const auto path = attachment_path(data_dir, attachment.sha256);
    if (!std::filesystem::exists(path))
        write_file_durably(path, bytes);

    Transaction transaction(db, storage::TransactionMode::immediate);
    Statement insert(db, "INSERT INTO attachments (container_id, filename, content_type, sha256, "
                         "bytes, added_by, added_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    insert.bind(1, container_id);
    insert.bind(2, attachment.filename);
    insert.bind(3, attachment.content_type);
    insert.bind(4, attachment.sha256);
    insert.bind(5, attachment.bytes);
    insert.bind(6, attachment.added_by);
    insert.bind(7, attachment.added_at);
    insert.run();
    attachment.id = db.last_insert_rowid();

    JsonWriter detail;
    detail.open_object();
    detail.member("attachment_id", attachment.id);
    detail.member("filename", attachment.filename);
    detail.member("sha256", attachment.sha256);
    detail.member("bytes", attachment.bytes);
    detail.close_object();
    audit::append(db, actor, "outcome.attachment",
                  std::string("container:").append(container->number), detail.take(), now);
    transaction.commit();
    return attachment;
}

std::vector<Attachment> attachments(Database& db, std::int64_t container_id) {
    Statement query(db, "SELECT id, filename, content_type, sha256, bytes, added_by, added_at "
                        "FROM attachments WHERE container_id = ?1 ORDER BY id");
    query.bind(1, container_id);
    std::vector<Attachment> rows;
    while (query.step())
        rows.push_back(Attachment{query.column_int64(0), query.column_text(1), query.column_text(2),
                                  query.column_text(3), query.column_int64(4), query.column_text(5),
                                  query.column_text(6)});
    return rows;
}

} // namespace portscreen::workflow
