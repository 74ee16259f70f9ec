#pragma once

#include "storage/database.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

/// The hash-chained, append-only audit log: who did what to which item, and when. Each entry's
/// hash covers its fields and the previous entry's hash, so an edited, removed or reordered
/// entry breaks the chain at that point and `verify` names it. The schema's triggers refuse
/// UPDATE and DELETE on the table; the chain catches what bypasses them (a copy of the file
/// edited elsewhere).
namespace portscreen::audit {

/// One entry as stored. `detail` is a JSON object as text.
struct Entry {
    std::int64_t seq = 0;
    std::string at, actor, action, subject, detail, prev_hash, hash;
};

/// The `prev_hash` of the first entry: 64 zeros.
inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

/// SHA-256 hex of seq (decimal), at, actor, action, subject, detail and prev_hash joined by
/// "\n". Pure: `hash` itself is not read.
std::string entry_hash(const Entry& entry);

/// Appends one entry after the last one and returns it. Runs inside the caller's open
/// transaction, so the entry commits or rolls back with the change it records; throws
/// std::logic_error naming the action when no transaction is open, and std::invalid_argument
/// when `detail_json` is not a JSON object ("{}" when there is nothing to add).
Entry append(storage::Database& db, std::string_view actor, std::string_view action,
             std::string_view subject, std::string_view detail_json, std::string_view now);

/// The result of walking the chain. `first_bad_seq` is 0 and `problem` empty when `ok`.
struct Verification {
    bool ok = true;
    std::int64_t entries = 0; ///< entries read
    std::int64_t first_bad_seq = 0;
    std::string problem; ///< e.g. "entry 17: hash does not match its content"
};

/// Walks the log in seq order and checks that seqs run 1, 2, 3... without gaps (a missing row
/// is tampering), that each prev_hash is the hash of the entry before and that each hash
/// matches its content. Stops at the first problem. Removing entries from the end is not
/// detectable from the log alone.
Verification verify(storage::Database& db);

/// Up to `limit` entries with seq > `after_seq`, oldest first. A non-empty `subject_filter`
/// keeps entries whose subject equals it, or starts with it when it ends in ':' ("user:").
std::vector<Entry> list(storage::Database& db, std::int64_t after_seq, std::size_t limit,
                        std::string_view subject_filter = {});

} // namespace portscreen::audit
