#include "storage/database.hpp"

#include "common/log.hpp"
#include "storage/schema.hpp"

#include <sqlite3.h>

#include <cassert>
#include <mutex>
#include <utility>

namespace portscreen::storage {
namespace {

struct ConnectionCloser {
    void operator()(sqlite3* handle) const noexcept {
        // close_v2 defers the close until the last statement is finalized, so the order in
        // which a Database and its Statements are destroyed cannot leak the handle.
        sqlite3_close_v2(handle);
    }
};

std::string compose_message(std::string_view context, int code, const std::string& message,
                            const std::string& sql) {
    std::string text(context);
    text += ": ";
    text += message.empty() ? sqlite3_errstr(code) : message;
    if (!sql.empty()) {
        text += " (sql: ";
        // A statement can be long; the start names it well enough for a log line.
        constexpr std::size_t kMaxSql = 200;
        text += sql.size() > kMaxSql ? sql.substr(0, kMaxSql) + "..." : sql;
        text += ')';
    }
    return text;
}

[[noreturn]] void throw_from(sqlite3* handle, std::string_view context, int code,
                             std::string sql = {}) {
    const int extended = handle != nullptr ? sqlite3_extended_errcode(handle) : code;
    // The connection's last error may belong to an earlier call when `code` came from a
    // function that does not record its errors there; trust `code` then.
    if (handle == nullptr || (extended & 0xff) != (code & 0xff))
        throw Error(context, code, sqlite3_errstr(code), std::move(sql));
    throw Error(context, extended, sqlite3_errmsg(handle), std::move(sql));
}

void exec(sqlite3* handle, std::string_view sql) {
    const std::string text(sql);
    char* message = nullptr;
    const int rc = sqlite3_exec(handle, text.c_str(), nullptr, nullptr, &message);
    if (rc == SQLITE_OK)
        return;
    std::string detail = message != nullptr ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    throw Error("cannot execute statement", sqlite3_extended_errcode(handle), std::move(detail),
                text);
}

/// Runs a pragma that answers with one text row and returns it.
std::string pragma_text(sqlite3* handle, const std::string& sql) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(handle, sql.c_str(), -1, &raw, nullptr);
    if (rc != SQLITE_OK)
        throw_from(handle, "cannot prepare statement", rc, sql);
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
    rc = sqlite3_step(stmt.get());
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        throw_from(handle, "cannot run statement", rc, sql);
    if (rc == SQLITE_DONE)
        return {};
    const auto* text = sqlite3_column_text(stmt.get(), 0);
    return text != nullptr ? reinterpret_cast<const char*>(text) : "";
}

/// SQLite's memory statistics take a global mutex on every allocation; nothing here reads them,
/// and the writer allocates on every row. Process-wide, so it must run before SQLite's first use;
/// when another part of the process initialised SQLite first, the call fails and changes nothing.
void configure_sqlite_once() {
    static std::once_flag once;
    std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

bool is_memory_path(const std::string& path) {
    return path == ":memory:" || path.empty() || path.starts_with("file::memory:");
}

[[maybe_unused]] bool is_identifier(std::string_view name) {
    if (name.empty())
        return false;
    for (char c : name) {
        const bool ok =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        if (!ok)
            return false;
    }
    return true;
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Error

Error::Error(std::string_view context, int code, std::string sqlite_message, std::string sql)
    : std::runtime_error(compose_message(context, code, sqlite_message, sql)), code_(code),
      sqlite_message_(std::move(sqlite_message)), sql_(std::move(sql)) {}

bool Error::is_constraint() const noexcept {
    return primary_code() == SQLITE_CONSTRAINT;
}

bool Error::is_busy() const noexcept {
    return primary_code() == SQLITE_BUSY || primary_code() == SQLITE_LOCKED;
}

// ---------------------------------------------------------------------------------------------
// Database

struct Database::Connection {
    std::unique_ptr<sqlite3, ConnectionCloser> handle;
};

Database Database::open(const std::filesystem::path& path, Access access,
                        const OpenOptions& options) {
    configure_sqlite_once();
    const std::string name = path.string();
    // Each connection belongs to one thread, so SQLite's own mutexes would be pure cost.
    int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    flags |= access == Access::writer ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                                      : SQLITE_OPEN_READONLY;
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(name.c_str(), &raw, flags, nullptr);
    auto connection = std::make_unique<Connection>();
    connection->handle.reset(raw); // sqlite3 allocates a handle even when the open fails
    if (rc != SQLITE_OK)
        throw_from(raw, "cannot open database " + name, rc);

    sqlite3* handle = connection->handle.get();
    sqlite3_extended_result_codes(handle, 1);
    sqlite3_busy_timeout(handle, static_cast<int>(options.busy_timeout.count()));

    if (access == Access::writer) {
        const std::string mode = pragma_text(handle, "PRAGMA journal_mode = WAL");
        if (mode != "wal" && !is_memory_path(name))
            log::warn("-", "database " + name + " runs in journal mode " + mode +
                               " instead of wal; readers will block the writer");
        exec(handle, "PRAGMA synchronous = FULL");
        exec(handle, "PRAGMA foreign_keys = ON");
        // temp_store stays at its default (files): with MEMORY, every statement run inside a
        // long savepoint walks the whole in-memory sub-journal when it ends, which made storing
        // one large manifest several times slower.
        exec(handle, "PRAGMA cache_size = -" + std::to_string(options.writer_cache_kib));
        exec(handle, "PRAGMA mmap_size = " + std::to_string(options.writer_mmap_bytes));
        exec(handle,
             "PRAGMA wal_autocheckpoint = " + std::to_string(options.wal_autocheckpoint_pages));
    } else {
        exec(handle, "PRAGMA cache_size = -" + std::to_string(options.reader_cache_kib));
        exec(handle, "PRAGMA query_only = ON");
    }

    Database db(std::move(connection), access, name);
    if (access == Access::writer) {
        if (options.migrate)
            migrate(db);
    } else {
        check_schema_version(db);
    }
    return db;
}

Database::Database(std::unique_ptr<Connection> connection, Access access, std::string path)
    : connection_(std::move(connection)), access_(access), path_(std::move(path)) {}

Database::Database(Database&& other) noexcept = default;
Database& Database::operator=(Database&& other) noexcept = default;
Database::~Database() = default;

Database::Connection& Database::connection() const {
    assert(connection_ && "database used after close or move");
    return *connection_;
}

void Database::execute(std::string_view sql) {
    exec(connection().handle.get(), sql);
}

std::int64_t Database::query_int64(std::string_view sql) {
    Statement stmt(*this, sql);
    return stmt.query_int64().value_or(0);
}

void Database::checkpoint() {
    sqlite3* handle = connection().handle.get();
    const int rc =
        sqlite3_wal_checkpoint_v2(handle, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    if (rc != SQLITE_OK)
        throw_from(handle, "cannot checkpoint database " + path_, rc);
}

std::int64_t Database::last_insert_rowid() const {
    return sqlite3_last_insert_rowid(connection().handle.get());
}

std::int64_t Database::changes() const {
    return sqlite3_changes64(connection().handle.get());
}

bool Database::in_transaction() const {
    return sqlite3_get_autocommit(connection().handle.get()) == 0;
}

void Database::close() noexcept {
    connection_.reset();
}

// ---------------------------------------------------------------------------------------------
// Statement

struct Statement::Prepared {
    sqlite3_stmt* stmt = nullptr;
    std::string sql;

    ~Prepared() { sqlite3_finalize(stmt); }
};

Statement::Statement(Database& db, std::string_view sql) : prepared_(std::make_unique<Prepared>()) {
    prepared_->sql = sql;
    sqlite3* handle = db.connection().handle.get();
    // SQLITE_PREPARE_PERSISTENT: these statements are kept and reused for the connection's life.
    const int rc =
        sqlite3_prepare_v3(handle, prepared_->sql.data(), static_cast<int>(prepared_->sql.size()),
                           SQLITE_PREPARE_PERSISTENT, &prepared_->stmt, nullptr);
    if (rc != SQLITE_OK)
        throw_from(handle, "cannot prepare statement", rc, prepared_->sql);
    assert(prepared_->stmt != nullptr && "statement text holds no statement");
}

Statement::Statement(Statement&& other) noexcept = default;
Statement& Statement::operator=(Statement&& other) noexcept = default;
Statement::~Statement() = default;

Statement::Prepared& Statement::prepared() const {
    assert(prepared_ && "statement used after move");
    return *prepared_;
}

void Statement::fail(std::string_view context, int code) const {
    const Prepared& p = prepared();
    throw_from(sqlite3_db_handle(p.stmt), context, code, p.sql);
}

void Statement::bind(int index, std::int64_t value) {
    const int rc = sqlite3_bind_int64(prepared().stmt, index, value);
    if (rc != SQLITE_OK)
        fail("cannot bind parameter " + std::to_string(index), rc);
}

void Statement::bind(int index, double value) {
    const int rc = sqlite3_bind_double(prepared().stmt, index, value);
    if (rc != SQLITE_OK)
        fail("cannot bind parameter " + std::to_string(index), rc);
}

void Statement::bind(int index, std::string_view text) {
    // A null data pointer would bind NULL; an empty string must stay an empty string.
    const char* data = text.data() != nullptr ? text.data() : "";
    const int rc = sqlite3_bind_text64(prepared().stmt, index, data, text.size(), SQLITE_TRANSIENT,
                                       SQLITE_UTF8);
    if (rc != SQLITE_OK)
        fail("cannot bind parameter " + std::to_string(index), rc);
}

void Statement::bind(int index, const std::optional<double>& value) {
    if (value)
        bind(index, *value);
    else
        bind_null(index);
}

void Statement::bind(int index, const std::optional<std::int64_t>& value) {
    if (value)
        bind(index, *value);
    else
        bind_null(index);
}

void Statement::bind_null(int index) {
    const int rc = sqlite3_bind_null(prepared().stmt, index);
    if (rc != SQLITE_OK)
        fail("cannot bind parameter " + std::to_string(index), rc);
}

void Statement::bind_blob(int index, std::string_view bytes) {
    const char* data = bytes.data() != nullptr ? bytes.data() : "";
    const int rc =
        sqlite3_bind_blob64(prepared().stmt, index, data, bytes.size(), SQLITE_TRANSIENT);
    if (rc != SQLITE_OK)
        fail("cannot bind parameter " + std::to_string(index), rc);
}

void Statement::bind_unowned(int index, std::string_view text) {
    const char* data = text.data() != nullptr ? text.data() : "";
    const int rc =
        sqlite3_bind_text64(prepared().stmt, index, data, text.size(), SQLITE_STATIC, SQLITE_UTF8);
    if (rc != SQLITE_OK)
        fail("cannot bind parameter " + std::to_string(index), rc);
}

void Statement::bind_blob_unowned(int index, std::string_view bytes) {
    const char* data = bytes.data() != nullptr ? bytes.data() : "";
    const int rc = sqlite3_bind_blob64(prepared().stmt, index, data, bytes.size(), SQLITE_STATIC);
    if (rc != SQLITE_OK)
        fail("cannot bind parameter " + std::to_string(index), rc);
}

void Statement::bind_text_or_null(int index, std::string_view text) {
    if (text.empty())
        bind_null(index);
    else
        bind(index, text);
}

bool Statement::step() {
    sqlite3_stmt* stmt = prepared().stmt;
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE) {
        sqlite3_reset(stmt);
        return false;
    }
    // Reset first so the statement can be reused, but report the step's own error: the
    // connection's message still describes it.
    std::string message = sqlite3_errmsg(sqlite3_db_handle(stmt));
    const int extended = sqlite3_extended_errcode(sqlite3_db_handle(stmt));
    sqlite3_reset(stmt);
    throw Error("cannot run statement", (extended & 0xff) == (rc & 0xff) ? extended : rc,
                std::move(message), prepared().sql);
}

void Statement::run() {
    while (step()) {
    }
}

std::optional<std::int64_t> Statement::query_int64() {
    if (!step())
        return std::nullopt;
    std::optional<std::int64_t> value;
    if (!column_is_null(0))
        value = column_int64(0);
    reset();
    return value;
}

std::optional<std::string> Statement::query_text() {
    if (!step())
        return std::nullopt;
    std::string value = column_text(0);
    reset();
    return value;
}

void Statement::reset() noexcept {
    sqlite3_reset(prepared().stmt);
}

void Statement::clear_bindings() noexcept {
    sqlite3_clear_bindings(prepared().stmt);
}

int Statement::column_count() const {
    return sqlite3_column_count(prepared().stmt);
}

bool Statement::column_is_null(int column) const {
    return sqlite3_column_type(prepared().stmt, column) == SQLITE_NULL;
}

std::int64_t Statement::column_int64(int column) const {
    return sqlite3_column_int64(prepared().stmt, column);
}

int Statement::column_int(int column) const {
    return sqlite3_column_int(prepared().stmt, column);
}

double Statement::column_double(int column) const {
    return sqlite3_column_double(prepared().stmt, column);
}

std::optional<double> Statement::column_optional_double(int column) const {
    if (column_is_null(column))
        return std::nullopt;
    return column_double(column);
}

std::optional<std::int64_t> Statement::column_optional_int64(int column) const {
    if (column_is_null(column))
        return std::nullopt;
    return column_int64(column);
}

std::string Statement::column_text(int column) const {
    return std::string(column_text_view(column));
}

std::string_view Statement::column_text_view(int column) const {
    sqlite3_stmt* stmt = prepared().stmt;
    const auto* text = sqlite3_column_text(stmt, column);
    if (text == nullptr)
        return {};
    // The byte count is read after the text pointer: the conversion to text may move the data.
    const int size = sqlite3_column_bytes(stmt, column);
    return {reinterpret_cast<const char*>(text), static_cast<std::size_t>(size)};
}

std::string Statement::column_blob(int column) const {
    sqlite3_stmt* stmt = prepared().stmt;
    const void* data = sqlite3_column_blob(stmt, column);
    const int size = sqlite3_column_bytes(stmt, column);
    if (data == nullptr || size == 0)
        return {};
    return {static_cast<const char*>(data), static_cast<std::size_t>(size)};
}

const std::string& Statement::sql() const {
    return prepared().sql;
}

// ---------------------------------------------------------------------------------------------
// Transaction

Transaction::Transaction(Database& db, TransactionMode mode) : db_(db) {
    db_.execute(mode == TransactionMode::immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
}

Transaction::~Transaction() {
    if (open_)
        rollback();
}

void Transaction::commit() {
    assert(open_ && "transaction committed or rolled back twice");
    db_.execute("COMMIT");
    open_ = false;
}

void Transaction::rollback() noexcept {
    if (!open_)
        return;
    open_ = false;
    // SQLite rolls a transaction back by itself after some errors (disk full, I/O error);
    // a second ROLLBACK would then fail for want of a transaction.
    if (!db_.in_transaction())
        return;
    try {
        db_.execute("ROLLBACK");
    } catch (const std::exception& error) {
        log::error("-", std::string("cannot roll back transaction: ") + error.what());
    }
}

// ---------------------------------------------------------------------------------------------
// Savepoint

Savepoint::Savepoint(Database& db, std::string name) : db_(db), name_(std::move(name)) {
    assert(is_identifier(name_) && "savepoint name must be an SQL identifier");
    db_.execute("SAVEPOINT " + name_);
}

Savepoint::~Savepoint() {
    if (open_)
        rollback();
}

void Savepoint::release() {
    assert(open_ && "savepoint released or rolled back twice");
    db_.execute("RELEASE " + name_);
    open_ = false;
}

void Savepoint::rollback() noexcept {
    if (!open_)
        return;
    open_ = false;
    if (!db_.in_transaction())
        return;
    try {
        // ROLLBACK TO undoes the work but keeps the savepoint on the stack; RELEASE pops it.
        db_.execute("ROLLBACK TO " + name_ + "; RELEASE " + name_);
    } catch (const std::exception& error) {
        log::error("-", "cannot roll back savepoint " + name_ + ": " + error.what());
    }
}

} // namespace portscreen::storage
