#include "audit/audit.hpp"

#include "common/sha256.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>

namespace portscreen::audit {
namespace {

using storage::Statement;

bool is_json_object_text(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    const auto last = text.find_last_not_of(" \t\r\n");
    return first != std::string_view::npos && text[first] == '{' && text[last] == '}';
}

Entry read_entry(const Statement& row) {
    Entry entry;
    entry.seq = row.column_int64(0);
    entry.at = row.column_text(1);
    entry.actor = row.column_text(2);
    entry.action = row.column_text(3);
    entry.subject = row.column_text(4);
    entry.detail = row.column_text(5);
    entry.prev_hash = row.column_text(6);
    entry.hash = row.column_text(7);
    return entry;
}

constexpr std::string_view kColumns = "seq, at, actor, action, subject, detail, prev_hash, hash";

std::string entry_label(std::int64_t seq) {
    return std::string("entry ").append(std::to_string(seq));
}

Verification broken(std::int64_t entries, std::int64_t seq, std::string_view what) {
    return Verification{false, entries, seq, entry_label(seq).append(": ").append(what)};
}

} // namespace

std::string entry_hash(const Entry& entry) {
    std::string canonical = std::to_string(entry.seq);
    for (const std::string* field :
         {&entry.at, &entry.actor, &entry.action, &entry.subject, &entry.detail, &entry.prev_hash})
        canonical.append("\n").append(*field);
    return sha256_hex(canonical);
}

Entry append(storage::Database& db, std::string_view actor, std::string_view action,
             std::string_view subject, std::string_view detail_json, std::string_view now) {
    if (!db.in_transaction())
        throw std::logic_error(std::string("audit entry '")
                                   .append(action)
                                   .append("' must be appended inside the transaction of the "
                                           "change it records"));
    if (!is_json_object_text(detail_json))
        throw std::invalid_argument(std::string("audit entry '")
                                        .append(action)
                                        .append("': detail must be a JSON object, got '")
                                        .append(detail_json.substr(0, 40))
                                        .append("'"));
    Entry entry;
    entry.prev_hash = kGenesisHash;
    Statement last(db, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
    if (last.step()) {
        entry.seq = last.column_int64(0);
        entry.prev_hash = last.column_text(1);
        last.reset();
    }
    entry.seq += 1;
    entry.at = now;
    entry.actor = actor;
    entry.action = action;
    entry.subject = subject;
    entry.detail = detail_json;
    entry.hash = entry_hash(entry);

    Statement insert(db, "INSERT INTO audit_log (seq, at, actor, action, subject, detail, "
                         "prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    insert.bind(1, entry.seq);
    insert.bind(2, entry.at);
    insert.bind(3, entry.actor);
    insert.bind(4, entry.action);
    insert.bind(5, entry.subject);
    insert.bind(6, entry.detail);
    insert.bind(7, entry.prev_hash);
    insert.bind(8, entry.hash);
    insert.run();
    return entry;
}

Verification verify(storage::Database& db) {
    // One read transaction, so an append running next to us cannot show half a chain; inside
    // the caller's transaction, that one serves.
    std::optional<storage::Transaction> snapshot;
    if (!db.in_transaction())
        snapshot.emplace(db, storage::TransactionMode::deferred);
    Statement rows(db,
                   std::string("SELECT ").append(kColumns).append(" FROM audit_log ORDER BY seq"));
    std::int64_t count = 0;
    std::string previous_hash(kGenesisHash);
    while (rows.step()) {
        const Entry entry = read_entry(rows);
        const std::int64_t expected = count + 1;
        if (entry.seq != expected) {
            rows.reset();
            return broken(count, expected,
                          std::string("missing (the next entry found is ")
                              .append(std::to_string(entry.seq))
                              .append(")"));
        }
        ++count;
        if (entry.prev_hash != previous_hash) {
            rows.reset();
            return broken(count, entry.seq,
                          expected == 1 ? "prev_hash is not the genesis hash"
                                        : "prev_hash does not match the hash of the entry before");
        }
        if (entry_hash(entry) != entry.hash) {
            rows.reset();
            return broken(count, entry.seq, "hash does not match its content");
        }
        previous_hash = entry.hash;
    }
    if (snapshot)
        snapshot->commit();
    return Verification{true, count, 0, {}};
}

std::vector<Entry> list(storage::Database& db, std::int64_t after_seq, std::size_t limit,
                        std::string_view subject_filter) {
    std::string sql =
        std::string("SELECT ").append(kColumns).append(" FROM audit_log WHERE seq > ?1");
    const bool prefix = !subject_filter.empty() && subject_filter.back() == ':';
    if (prefix)
        sql.append(" AND substr(subject, 1, length(?2)) = ?2");
    else if (!subject_filter.empty())
        sql.append(" AND subject = ?2");
    sql.append(" ORDER BY seq LIMIT ?3");
    Statement rows(db, sql);
    rows.bind(1, after_seq);
    if (!subject_filter.empty())
        rows.bind(2, subject_filter);
    rows.bind(3, static_cast<std::int64_t>(
                     std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max())));
    std::vector<Entry> entries;
    while (rows.step())
        entries.push_back(read_entry(rows));
    return entries;
}

} // namespace portscreen::audit
