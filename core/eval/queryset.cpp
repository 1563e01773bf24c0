#include "queryset.h"

#include <QByteArray>
#include <QFile>
#include <QSaveFile>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <optional>

namespace ts {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

int BenchQuery::grade(const std::string &key) const
{
    const auto it = relevant.find(key);
    return it == relevant.end() ? kGradeIrrelevant : it->second;
}

int BenchQuery::relevantCount() const
{
    return static_cast<int>(std::count_if(relevant.begin(), relevant.end(),
                                          [](const auto &kv) { return kv.second >= kGradePartial; }));
}

bool BenchQuery::hasCorrectAnswer() const
{
    return std::any_of(relevant.begin(), relevant.end(), [](const auto &kv) { return kv.second == kGradeCorrect; });
}

namespace {

const char *const kKnownFields[] = {"id", "query", "type", "relevant", "ground"};

/// A path that cannot leave the folder it is relative to: not absolute, no "..", no drive or home prefix.
bool staysInside(const std::string &path)
{
    if (path.empty() || path.front() == '/' || path.front() == '\\' || path.front() == '~' ||
        path.find(':') != std::string::npos || path.find('\0') != std::string::npos)
        return false;
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = path.find_first_of("/\\", start);
        if (end == std::string::npos)
            end = path.size();
        if (path.compare(start, end - start, "..") == 0)
            return false;
        start = end + 1;
    }
    return true;
}

bool isKnownField(const std::string &name)
{
    return std::find(std::begin(kKnownFields), std::end(kKnownFields), name) != std::end(kKnownFields);
}

std::string typeName(const json &j)
{
    return j.type_name(); // "string", "number", "object", ... reads well in a message
}

// nlohmann's messages start with "[json.exception.parse_error.101] parse error at line 1, "; the line is ours.
std::string cleanParseMessage(std::string what)
{
    const auto bracket = what.find("] ");
    if (bracket != std::string::npos)
        what = what.substr(bracket + 2);
    const std::string lead = "parse error at line 1, ";
    if (what.compare(0, lead.size(), lead) == 0)
        what = what.substr(lead.size());
    return what;
}

// Returns the error text for a malformed line (without the "line N: " prefix), or nothing when it loaded.
std::optional<std::string> parseLine(const std::string &text, BenchQuery &q, std::vector<std::string> &warnings)
{
    json j;
    try {
        j = json::parse(text);
    } catch (const json::parse_error &e) {
        return "not valid JSON (" + cleanParseMessage(e.what()) + ")";
    } catch (const json::exception &e) {
        // A number too large for a double is out_of_range, not parse_error (found by fuzz/fuzz_query_set.cpp).
        return "not valid JSON (" + cleanParseMessage(e.what()) + ")";
    }
    if (!j.is_object())
        return "expected a JSON object, got " + typeName(j);

    if (!j.contains("id"))
        return std::string("missing 'id'");
    if (!j["id"].is_string() || j["id"].get<std::string>().empty())
        return "'id' must be a non-empty string, got " + j["id"].dump();
    q.id = j["id"].get<std::string>();

    if (!j.contains("query"))
        return "missing 'query' (id '" + q.id + "')";
    if (!j["query"].is_string())
        return "'query' must be a string, got " + typeName(j["query"]);
    q.query = j["query"].get<std::string>();
    if (q.query.find_first_not_of(" \t\r\n") == std::string::npos)
        return std::string("'query' is empty");

    if (j.contains("type")) {
        if (!j["type"].is_string())
            return "'type' must be a string, got " + typeName(j["type"]);
        q.type = j["type"].get<std::string>();
    }

    // Required: a missing 'relevant' would otherwise silently turn the query into a no-answer control.
    if (!j.contains("relevant"))
        return std::string("missing 'relevant' (use {} for a no-answer control)");
    const json &rel = j["relevant"];
    if (!rel.is_object())
        return "'relevant' must be an object of key -> 0/1/2, got " + typeName(rel);
    for (const auto &[key, grade] : rel.items()) {
        if (key.empty())
            return std::string("'relevant' has an empty video key");
        if (!grade.is_number_integer())
            return "'relevant' must be an object of key -> 0/1/2 ('" + key + "' is " + grade.dump() + ")";
        const auto g = grade.get<long long>();
        if (g < kGradeIrrelevant || g > kGradeCorrect)
            return "'relevant' grade of '" + key + "' must be 0, 1 or 2, got " + std::to_string(g);
        q.relevant[key] = static_cast<int>(g);
    }

    if (j.contains("ground")) {
        const json &ground = j["ground"];
        if (!ground.is_object())
            return "'ground' must be an object of key -> mask folder, got " + typeName(ground);
        for (const auto &[key, folder] : ground.items()) {
            if (!folder.is_string() || folder.get<std::string>().empty())
                return "'ground' folder of '" + key + "' must be a non-empty string, got " + folder.dump();
            if (!staysInside(folder.get<std::string>()))
                return "'ground' folder of '" + key + "' must be a relative path inside the corpus root, got " +
                       folder.dump();
            q.ground[key] = folder.get<std::string>();
            if (q.grade(key) < kGradePartial)
                warnings.push_back("'ground' names '" + key + "', which is not a relevant video of this query");
        }
    }

    for (const auto &[name, value] : j.items())
        if (!isKnownField(name))
            q.extraJson[name] = value.dump();
    return std::nullopt;
}

} // namespace

QuerySet parseQuerySet(const std::string &text)
{
    QuerySet set;
    std::map<std::string, int> firstLineOfId;
    size_t pos = 0;
    int lineNo = 0;
    while (pos <= text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string::npos)
            end = text.size();
        std::string line = text.substr(pos, end - pos);
        pos = end + 1;
        ++lineNo;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (lineNo == 1 && line.compare(0, 3, "\xEF\xBB\xBF") == 0)
            line.erase(0, 3); // editors on some systems add a UTF-8 byte-order mark
        if (line.find_first_not_of(" \t") == std::string::npos)
            continue;

        BenchQuery q;
        q.line = lineNo;
        std::vector<std::string> warnings;
        const std::string prefix = "line " + std::to_string(lineNo) + ": ";
        if (auto error = parseLine(line, q, warnings)) {
            set.errors.push_back(prefix + *error);
            continue;
        }
        const auto seen = firstLineOfId.find(q.id);
        if (seen != firstLineOfId.end()) {
            set.errors.push_back(prefix + "duplicate id '" + q.id + "' (first on line " +
                                 std::to_string(seen->second) + "); this line is skipped");
            continue;
        }
        firstLineOfId[q.id] = lineNo;
        for (const std::string &w : warnings)
            set.warnings.push_back(prefix + w);
        set.queries.push_back(std::move(q));
    }
    return set;
}

Result<QuerySet> loadQuerySet(const std::string &path)
{
    QFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::ReadOnly))
        return Result<QuerySet>::error(path + ": " + file.errorString().toStdString());
    const QByteArray bytes = file.readAll();
    if (file.error() != QFileDevice::NoError)
        return Result<QuerySet>::error(path + ": " + file.errorString().toStdString());
    return parseQuerySet(bytes.toStdString());
}

std::string querySetLine(const BenchQuery &q)
{
    ordered_json j;
    j["id"] = q.id;
    j["query"] = q.query;
    if (!q.type.empty())
        j["type"] = q.type;
    j["relevant"] = ordered_json::object();
    for (const auto &[key, grade] : q.relevant)
        j["relevant"][key] = grade;
    if (!q.ground.empty()) {
        j["ground"] = ordered_json::object();
        for (const auto &[key, folder] : q.ground)
            j["ground"][key] = folder;
    }
    for (const auto &[name, text] : q.extraJson) {
        if (isKnownField(name))
            continue; // the typed fields win over a stale copy
        ordered_json value = ordered_json::parse(text, nullptr, false);
        // Text that is not JSON (set by hand in memory) is kept as a string rather than lost.
        j[name] = value.is_discarded() ? ordered_json(text) : value;
    }
    return j.dump();
}

Status saveQuerySet(const std::string &path, const std::vector<BenchQuery> &queries)
{
    std::map<std::string, int> ids;
    for (const BenchQuery &q : queries) {
        if (q.id.empty())
            return Status::error("cannot save a query without an id ('" + q.query + "')");
        if (++ids[q.id] > 1)
            return Status::error("cannot save: duplicate query id '" + q.id + "'");
    }
    QSaveFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::WriteOnly))
        return Status::error(path + ": " + file.errorString().toStdString());
    for (const BenchQuery &q : queries) {
        const std::string line = querySetLine(q) + "\n";
        if (file.write(line.data(), static_cast<qint64>(line.size())) != static_cast<qint64>(line.size()))
            return Status::error(path + ": " + file.errorString().toStdString()); // QSaveFile discards on destruction
    }
    if (!file.commit())
        return Status::error(path + ": " + file.errorString().toStdString());
    return Status::ok();
}

} // namespace ts
