#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

/// RAII wrappers over SQLite: a connection, a prepared statement, a transaction and a savepoint.
/// SQLite stays behind these types; no SQLite type appears in this header.
namespace portscreen::storage {

/// A failure reported by SQLite: I/O error, disk full, locked beyond the busy timeout, a broken
/// constraint, a bad statement. Carries SQLite's result code, its message and the SQL concerned.
class Error : public std::runtime_error {
public:
    Error(std::string_view context, int code, std::string sqlite_message, std::string sql = {});

    /// SQLite's extended result code (e.g. 2067 for a UNIQUE constraint).
    int extended_code() const noexcept { return code_; }
    /// The primary result code, the low byte of the extended one (e.g. 19 for any constraint).
    int primary_code() const noexcept { return code_ & 0xff; }
    const std::string& sqlite_message() const noexcept { return sqlite_message_; }
    const std::string& sql() const noexcept { return sql_; }

    /// A constraint of the schema refused a row: a fault of the input, not of the environment.
    bool is_constraint() const noexcept;
    /// The database stayed locked beyond the busy timeout.
    bool is_busy() const noexcept;

private:
    int code_;
    std::string sqlite_message_;
    std::string sql_;
};

/// Whether a connection may write. There is one writer per database file; readers take
/// snapshots next to it thanks to WAL mode.
enum class Access { writer, reader };

struct OpenOptions {
    /// How long a statement waits on a lock held by another connection before failing.
    std::chrono::milliseconds busy_timeout{5000};
    /// Page cache of a writer in KiB. A large cache keeps the index pages an ingest dirties in
    /// memory until the commit, where the default 2 MB would write them out again and again.
    std::int64_t writer_cache_kib = 128 * 1024;
    /// Page cache of a reader in KiB.
    std::int64_t reader_cache_kib = 16 * 1024;
    /// Bytes of the file the writer maps into memory.
    std::int64_t writer_mmap_bytes = std::int64_t{1} << 30;
    /// The writer copies the write-ahead log into the file at the end of the commit that takes
    /// the log beyond this many pages, which adds to that commit's time. 0 leaves checkpoints
    /// to `Database::checkpoint()`; the log then grows until it is called.
    std::int64_t wal_autocheckpoint_pages = 1000;
    /// A writer brings the schema up to date at open; tests of migrations turn this off.
    bool migrate = true;
};

/// One connection to a database file. A writer opens the file in WAL mode with
/// synchronous=FULL (acknowledgements follow commits, so a commit must survive power loss),
/// foreign keys on, a large page cache and memory mapping, and brings the schema up to date;
/// a reader opens the file read-only and refuses a schema it does not know.
///
/// Move-only. Not thread-safe: a connection and its statements belong to one thread at a time.
class Database {
public:
    /// Opens `path` (":memory:" for a private in-memory database). Throws `Error` when the file
    /// cannot be opened or configured, or when its schema is newer than this program.
    static Database open(const std::filesystem::path& path, Access access,
                         const OpenOptions& options = {});

    Database(Database&& other) noexcept;
    Database& operator=(Database&& other) noexcept;
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;
    ~Database();

    /// Runs one or more statements that return no rows.
    void execute(std::string_view sql);

    /// Runs a query whose first row's first column is an integer, e.g. a pragma or a count.
    std::int64_t query_int64(std::string_view sql);

    /// Copies committed pages from the write-ahead log into the database file (a passive
    /// checkpoint: it never waits for readers). For a writer opened with
    /// `wal_autocheckpoint_pages = 0`, which then calls this when idle.
    void checkpoint();

    std::int64_t last_insert_rowid() const;
    /// Rows changed by the last INSERT, UPDATE or DELETE.
    std::int64_t changes() const;
    /// True while a transaction is open on this connection.
    bool in_transaction() const;

    Access access() const noexcept { return access_; }
    const std::string& path() const noexcept { return path_; }

    /// Closes the connection now; further use is a programmer error. Never throws.
    void close() noexcept;

private:
    struct Connection;
    friend class Statement;

    Database(std::unique_ptr<Connection> connection, Access access, std::string path);
    Connection& connection() const;

    std::unique_ptr<Connection> connection_;
    Access access_ = Access::reader;
    std::string path_;
};

/// One prepared statement: bind parameters by 1-based index, step through rows, read columns by
/// 0-based index, reset and run again. Prepare once and reuse: preparing costs more than a
/// small insert. Errors throw `Error` with the SQL; a statement that failed is reset, so it can
/// be bound and run again.
///
/// Move-only. Belongs to the thread that owns its connection. It must not outlive it.
class Statement {
public:
    Statement(Database& db, std::string_view sql);

    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&& other) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    ~Statement();

    // Text and blobs are copied at bind time, so temporaries are safe to pass.
    void bind(int index, std::int64_t value);
    void bind(int index, int value) { bind(index, std::int64_t{value}); }
    void bind(int index, double value);
    void bind(int index, std::string_view text);
    void bind(int index, const char* text) { bind(index, std::string_view(text)); }
    void bind(int index, const std::string& text) { bind(index, std::string_view(text)); }
    void bind(int index, std::nullptr_t) { bind_null(index); }
    void bind(int index, const std::optional<double>& value);
    void bind(int index, const std::optional<std::int64_t>& value);
    void bind_null(int index);
    void bind_blob(int index, std::string_view bytes);
    /// Binds "" as NULL: for optional text columns where empty means absent.
    void bind_text_or_null(int index, std::string_view text);
    /// Bind without copying, for hot loops: the bytes must stay alive and unchanged until the
    /// parameter is bound again or the statement is destroyed.
    void bind_unowned(int index, std::string_view text);
    void bind_blob_unowned(int index, std::string_view bytes);

    /// Advances to the next row: true when a row is ready to read, false when the statement is
    /// done (it is then reset, keeping its bindings).
    bool step();
    /// Runs a statement to completion, discarding any rows, then resets it.
    void run();
    /// Steps once and returns the first column of the first row, or nothing when there is no
    /// row; resets the statement either way.
    std::optional<std::int64_t> query_int64();
    std::optional<std::string> query_text();

    /// Makes the statement ready to run again; bindings are kept.
    void reset() noexcept;
    void clear_bindings() noexcept;

    int column_count() const;
    bool column_is_null(int column) const;
    std::int64_t column_int64(int column) const;
    int column_int(int column) const;
    double column_double(int column) const;
    std::optional<double> column_optional_double(int column) const;
    std::optional<std::int64_t> column_optional_int64(int column) const;
    /// Empty for NULL.
    std::string column_text(int column) const;
    /// Valid until the next step or reset.
    std::string_view column_text_view(int column) const;
    std::string column_blob(int column) const;

    const std::string& sql() const;

private:
    struct Prepared;
    Prepared& prepared() const;
    [[noreturn]] void fail(std::string_view context, int code) const;

    std::unique_ptr<Prepared> prepared_;
};

enum class TransactionMode {
    deferred,  ///< takes locks when first needed: read-only snapshots
    immediate, ///< takes the write lock at BEGIN, so a writer never fails half-way on a lock
};

/// A transaction that rolls back when it leaves scope without `commit()`: an exception anywhere
/// in between leaves the database as it was.
///
/// Not copyable or movable; lives on the stack of the thread that owns the connection.
class Transaction {
public:
    explicit Transaction(Database& db, TransactionMode mode = TransactionMode::immediate);
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    ~Transaction();

    /// Makes the changes durable. Throws on failure; the destructor then rolls back.
    void commit();
    /// Undoes the changes now. Never throws.
    void rollback() noexcept;

private:
    Database& db_;
    bool open_ = true;
};

/// A named savepoint inside a transaction: rolls back to where it began when it leaves scope
/// without `release()`, leaving the enclosing transaction and its other work intact.
///
/// Not copyable or movable; lives on the stack of the thread that owns the connection.
class Savepoint {
public:
    /// `name` is an SQL identifier: letters, digits and underscores.
    Savepoint(Database& db, std::string name);
    Savepoint(const Savepoint&) = delete;
    Savepoint& operator=(const Savepoint&) = delete;
    ~Savepoint();

    /// Keeps the changes as part of the enclosing transaction.
    void release();
    /// Undoes the changes made since the savepoint began and ends it. Never throws.
    void rollback() noexcept;

private:
    Database& db_;
    std::string name_;
    bool open_ = true;
};

} // namespace portscreen::storage
