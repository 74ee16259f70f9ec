#pragma once

#include "storage/database.hpp"

/// The database schema and its migrations.
namespace portscreen::storage {

/// The schema version this program writes (PRAGMA user_version). Each migration step raises it
/// by one; docs/storage.md describes the current schema.
inline constexpr int kSchemaVersion = 6;

/// The schema version recorded in the file; 0 for a file no migration has touched.
int schema_version(Database& db);

/// Brings the schema up to `kSchemaVersion`, one step per transaction, so an interrupted upgrade
/// leaves the file at a consistent earlier version. Throws `Error` when the file is newer than
/// this program. `Database::open` calls it for writers.
void migrate(Database& db, int target = kSchemaVersion);

/// Throws `Error` when the file's schema is newer than this program. `Database::open` calls it
/// for readers, which cannot migrate.
void check_schema_version(Database& db);

} // namespace portscreen::storage
