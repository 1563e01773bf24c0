#include "sqlite.h"

#include <sqlite3.h>

#include <cstdio>
#include <utility>

namespace ts {

SqliteStatement::SqliteStatement(sqlite3 *db, const std::string &sql) : m_db(db)
{
    if (!db) {
        m_error = "database is not open";
        return;
    }
    if (sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &m_stmt, nullptr) != SQLITE_OK) {
        m_error = sqlite3_errmsg(db);
        m_stmt = nullptr;
    }
}

SqliteStatement::~SqliteStatement()
{
    if (m_stmt)
        sqlite3_finalize(m_stmt);
}

SqliteStatement::SqliteStatement(SqliteStatement &&o) noexcept
    : m_db(o.m_db), m_stmt(std::exchange(o.m_stmt, nullptr)), m_error(std::move(o.m_error))
{
}

SqliteStatement &SqliteStatement::operator=(SqliteStatement &&o) noexcept
{
    if (this != &o) {
        if (m_stmt)
            sqlite3_finalize(m_stmt);
        m_db = o.m_db;
        m_stmt = std::exchange(o.m_stmt, nullptr);
        m_error = std::move(o.m_error);
    }
    return *this;
}

SqliteStatement &SqliteStatement::bind(int index, int64_t v)
{
    if (m_stmt)
        sqlite3_bind_int64(m_stmt, index, v);
    return *this;
}

SqliteStatement &SqliteStatement::bind(int index, double v)
{
    if (m_stmt)
        sqlite3_bind_double(m_stmt, index, v);
    return *this;
}

SqliteStatement &SqliteStatement::bind(int index, const std::string &v)
{
    if (m_stmt)
        sqlite3_bind_text(m_stmt, index, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
}

SqliteStatement &SqliteStatement::bindBlob(int index, const void *data, size_t size)
{
    if (m_stmt)
        sqlite3_bind_blob64(m_stmt, index, data, size, SQLITE_TRANSIENT);
    return *this;
}

SqliteStatement &SqliteStatement::bindNull(int index)
{
    if (m_stmt)
        sqlite3_bind_null(m_stmt, index);
    return *this;
}

bool SqliteStatement::step()
{
    if (!m_stmt)
        return false;
    const int r = sqlite3_step(m_stmt);
    if (r == SQLITE_ROW)
        return true;
    if (r != SQLITE_DONE)
        m_error = sqlite3_errmsg(m_db);
    return false;
}

bool SqliteStatement::run()
{
    if (!m_stmt)
        return false;
    int r;
    while ((r = sqlite3_step(m_stmt)) == SQLITE_ROW) {
    }
    if (r != SQLITE_DONE) {
        m_error = sqlite3_errmsg(m_db);
        sqlite3_reset(m_stmt);
        return false;
    }
    sqlite3_reset(m_stmt);
    return true;
}

void SqliteStatement::reset()
{
    if (m_stmt) {
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
    }
}

int64_t SqliteStatement::int64(int col) const { return m_stmt ? sqlite3_column_int64(m_stmt, col) : 0; }
double SqliteStatement::real(int col) const { return m_stmt ? sqlite3_column_double(m_stmt, col) : 0.0; }
bool SqliteStatement::isNull(int col) const
{
    return !m_stmt || sqlite3_column_type(m_stmt, col) == SQLITE_NULL;
}

std::string SqliteStatement::text(int col) const
{
    if (!m_stmt)
        return {};
    const auto *p = sqlite3_column_text(m_stmt, col);
    const int n = sqlite3_column_bytes(m_stmt, col);
    return p ? std::string(reinterpret_cast<const char *>(p), static_cast<size_t>(n)) : std::string();
}

std::vector<uint8_t> SqliteStatement::blob(int col) const
{
    if (!m_stmt)
        return {};
    const auto *p = static_cast<const uint8_t *>(sqlite3_column_blob(m_stmt, col));
    const int n = sqlite3_column_bytes(m_stmt, col);
    return p ? std::vector<uint8_t>(p, p + n) : std::vector<uint8_t>();
}

SqliteDb::~SqliteDb() { close(); }

Status SqliteDb::open(const std::string &path, SqliteOpen mode)
{
    close();
    int flags = SQLITE_OPEN_FULLMUTEX;
    std::string name = path;
    switch (mode) {
    case SqliteOpen::ReadWriteCreate: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE; break;
    case SqliteOpen::ReadOnly: flags |= SQLITE_OPEN_READONLY; break;
    case SqliteOpen::Immutable: {
        flags |= SQLITE_OPEN_READONLY | SQLITE_OPEN_URI;
        name = "file:";
        for (const char c : path) {
            if (c == '%' || c == '?' || c == '#') {
                char hex[4];
                std::snprintf(hex, sizeof(hex), "%%%02X", static_cast<unsigned char>(c));
                name += hex;
            } else {
                name += c;
            }
        }
        name += "?immutable=1";
        break;
    }
    }
    if (sqlite3_open_v2(name.c_str(), &m_db, flags, nullptr) != SQLITE_OK) {
        std::string msg = m_db ? sqlite3_errmsg(m_db) : "out of memory";
        close();
        return Status::error(path + ": " + msg);
    }
    sqlite3_busy_timeout(m_db, 10000);
    sqlite3_extended_result_codes(m_db, 1);
    return Status::ok();
}

bool SqliteDb::isReadOnly() const { return m_db && sqlite3_db_readonly(m_db, "main") == 1; }

void SqliteDb::close()
{
    if (m_db) {
        sqlite3_close_v2(m_db);
        m_db = nullptr;
    }
}

Status SqliteDb::exec(const std::string &sql)
{
    if (!m_db)
        return Status::error("database is not open");
    char *err = nullptr;
    if (sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : "unknown error";
        sqlite3_free(err);
        return Status::error(msg);
    }
    return Status::ok();
}

int64_t SqliteDb::lastInsertId() const { return m_db ? sqlite3_last_insert_rowid(m_db) : 0; }
int SqliteDb::changes() const { return m_db ? sqlite3_changes(m_db) : 0; }
std::string SqliteDb::lastError() const { return m_db ? sqlite3_errmsg(m_db) : "database is not open"; }

SqliteTransaction::SqliteTransaction(SqliteDb &db) : m_db(db)
{
    m_active = db.exec("BEGIN IMMEDIATE").isOk();
}

SqliteTransaction::~SqliteTransaction()
{
    if (m_active)
        m_db.exec("ROLLBACK");
}

Status SqliteTransaction::commit()
{
    if (!m_active)
        return Status::error("no transaction");
    Status s = m_db.exec("COMMIT");
    if (s)
        m_active = false;
    return s;
}

} // namespace ts
