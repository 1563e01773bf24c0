// Thin RAII wrapper over the SQLite C API: a connection, prepared statements, transactions.
#pragma once

#include "base/result.h"

#include <cstdint>
#include <string>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace ts {

class SqliteStatement {
public:
    SqliteStatement() = default;
    SqliteStatement(sqlite3 *db, const std::string &sql);
    ~SqliteStatement();
    SqliteStatement(SqliteStatement &&o) noexcept;
    SqliteStatement &operator=(SqliteStatement &&o) noexcept;
    SqliteStatement(const SqliteStatement &) = delete;
    SqliteStatement &operator=(const SqliteStatement &) = delete;

    bool isValid() const { return m_stmt != nullptr; }
    const std::string &error() const { return m_error; }

    SqliteStatement &bind(int index, int64_t v);
    SqliteStatement &bind(int index, int v) { return bind(index, static_cast<int64_t>(v)); }
    SqliteStatement &bind(int index, double v);
    SqliteStatement &bind(int index, const std::string &v);
    SqliteStatement &bind(int index, const char *v) { return bind(index, std::string(v)); }
    SqliteStatement &bindBlob(int index, const void *data, size_t size);
    SqliteStatement &bindNull(int index);

    /// Steps once: true when a row is available, false when done; errors go to error().
    bool step();
    /// Runs to completion (for INSERT/UPDATE/DELETE); false on error.
    bool run();
    void reset();

    int64_t int64(int col) const;
    int integer(int col) const { return static_cast<int>(int64(col)); }
    double real(int col) const;
    std::string text(int col) const;
    std::vector<uint8_t> blob(int col) const;
    bool isNull(int col) const;

private:
    sqlite3 *m_db = nullptr;
    sqlite3_stmt *m_stmt = nullptr;
    std::string m_error;
};

/// Immutable reads a database nobody can change (a read-only folder where SQLite cannot make its shared-memory
/// file): no locks, no write-ahead log.
enum class SqliteOpen { ReadWriteCreate, ReadOnly, Immutable };

class SqliteDb {
public:
    SqliteDb() = default;
    ~SqliteDb();
    SqliteDb(const SqliteDb &) = delete;
    SqliteDb &operator=(const SqliteDb &) = delete;

    Status open(const std::string &path, SqliteOpen mode = SqliteOpen::ReadWriteCreate);
    /// True when the connection cannot write (opened read-only, or the file or folder is not writable).
    bool isReadOnly() const;
    void close();
    bool isOpen() const { return m_db != nullptr; }
    Status exec(const std::string &sql);
    SqliteStatement prepare(const std::string &sql) const { return SqliteStatement(m_db, sql); }
    int64_t lastInsertId() const;
    int changes() const;
    std::string lastError() const;
    sqlite3 *handle() const { return m_db; }

private:
    sqlite3 *m_db = nullptr;
};

/// Rolls back unless commit() succeeded: a mutating call either fully succeeds or changes nothing.
class SqliteTransaction {
public:
    explicit SqliteTransaction(SqliteDb &db);
    ~SqliteTransaction();
    bool isActive() const { return m_active; }
    Status commit();

private:
    SqliteDb &m_db;
    bool m_active = false;
};

} // namespace ts
