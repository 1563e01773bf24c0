// Query sets (JSON Lines): every kind of malformed line gives one error with its line number while the other
// lines load; saving and loading round-trips; the real dev set loads cleanly.
#include "eval/queryset.h"
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

using namespace ts;

namespace {

const char *const kGoodFirst =
    R"({"id": "G1", "query": "a bear on rocks", "relevant": {"bear": 2, "cotracker-bear": 1}, "type": "explicit"})";
const char *const kGoodLast = R"({"id": "G3", "query": "nothing like this exists", "relevant": {}})";

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &bytes)
{
    const QString path = dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size())
        return {};
    return path;
}

} // namespace

class TestQuerySet : public QObject {
    Q_OBJECT
private slots:
    void malformedLine_data()
    {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QString>("error");
        // The line under test is line 2, between two good lines.
        QTest::newRow("not json") << R"({"id": "X", "query": )" << "line 2: not valid JSON";
        QTest::newRow("trailing garbage") << R"({"id": "X", "query": "q", "relevant": {}} x)"
                                          << "line 2: not valid JSON";
        QTest::newRow("array") << "[1, 2]"
                               << "line 2: expected a JSON object, got array";
        QTest::newRow("missing id") << R"({"query": "q", "relevant": {}})"
                                    << "line 2: missing 'id'";
        QTest::newRow("numeric id") << R"({"id": 5, "query": "q", "relevant": {}})"
                                    << "line 2: 'id' must be a non-empty string";
        QTest::newRow("empty id") << R"({"id": "", "query": "q", "relevant": {}})"
                                  << "line 2: 'id' must be a non-empty string";
        QTest::newRow("missing query") << R"({"id": "X", "relevant": {}})"
                                       << "line 2: missing 'query' (id 'X')";
        QTest::newRow("query not string") << R"({"id": "X", "query": ["a"], "relevant": {}})"
                                          << "line 2: 'query' must be a string, got array";
        QTest::newRow("blank query") << R"({"id": "X", "query": "  ", "relevant": {}})"
                                     << "line 2: 'query' is empty";
        QTest::newRow("missing relevant") << R"({"id": "X", "query": "q"})"
                                          << "line 2: missing 'relevant'";
        QTest::newRow("relevant array") << R"({"id": "X", "query": "q", "relevant": ["bear"]})"
                                        << "line 2: 'relevant' must be an object of key -> 0/1/2";
        QTest::newRow("grade string") << R"({"id": "X", "query": "q", "relevant": {"bear": "2"}})"
                                      << "line 2: 'relevant' must be an object of key -> 0/1/2 ('bear' is \"2\")";
        QTest::newRow("grade float") << R"({"id": "X", "query": "q", "relevant": {"bear": 1.5}})"
                                     << "line 2: 'relevant' must be an object of key -> 0/1/2 ('bear' is 1.5)";
        QTest::newRow("grade 3") << R"({"id": "X", "query": "q", "relevant": {"bear": 3}})"
                                 << "line 2: 'relevant' grade of 'bear' must be 0, 1 or 2, got 3";
        QTest::newRow("grade negative") << R"({"id": "X", "query": "q", "relevant": {"bear": -1}})"
                                        << "line 2: 'relevant' grade of 'bear' must be 0, 1 or 2, got -1";
        QTest::newRow("grade bool") << R"({"id": "X", "query": "q", "relevant": {"bear": true}})"
                                    << "line 2: 'relevant' must be an object of key -> 0/1/2";
        QTest::newRow("empty key") << R"({"id": "X", "query": "q", "relevant": {"": 2}})"
                                   << "line 2: 'relevant' has an empty video key";
        QTest::newRow("ground string") << R"({"id": "X", "query": "q", "relevant": {"bear": 2}, "ground": "a/b"})"
                                       << "line 2: 'ground' must be an object of key -> mask folder, got string";
        QTest::newRow("ground folder number")
            << R"({"id": "X", "query": "q", "relevant": {"bear": 2}, "ground": {"bear": 7}})"
            << "line 2: 'ground' folder of 'bear' must be a non-empty string, got 7";
        for (const char *escape : {"../../../etc", "davis2016/../../secret", "/etc/masks", "~/masks", "C:/masks",
                                   "davis2016\\..\\..\\x"})
            QTest::newRow(qPrintable(QString("ground escapes: ") + escape))
                << QString(R"({"id": "X", "query": "q", "relevant": {"bear": 2}, "ground": {"bear": %1}})")
                       .arg(QString::fromStdString(nlohmann::json(escape).dump()))
                << "line 2: 'ground' folder of 'bear' must be a relative path inside the corpus root";
        QTest::newRow("type number") << R"({"id": "X", "query": "q", "relevant": {}, "type": 1})"
                                     << "line 2: 'type' must be a string, got number";
        QTest::newRow("duplicate id") << R"({"id": "G1", "query": "again", "relevant": {}})"
                                      << "line 2: duplicate id 'G1' (first on line 1)";
    }
    void malformedLine()
    {
        QFETCH(QString, line);
        QFETCH(QString, error);
        const std::string text = std::string(kGoodFirst) + "\n" + line.toStdString() + "\n" + kGoodLast + "\n";
        const QuerySet set = parseQuerySet(text);
        QCOMPARE(set.errors.size(), size_t(1));
        QVERIFY2(QString::fromStdString(set.errors[0]).startsWith(error), set.errors[0].c_str());
        QCOMPARE(set.queries.size(), size_t(2)); // the rest still loads
        QCOMPARE(set.queries[0].id, std::string("G1"));
        QCOMPARE(set.queries[0].line, 1);
        QCOMPARE(set.queries[1].id, std::string("G3"));
        QCOMPARE(set.queries[1].line, 3);
    }

    void fields()
    {
        const std::string text =
            R"({"id": "D01", "query": "a bear", "relevant": {"bear": 2, "cotracker-bear": 2, "teddy": 0, "bmx": 1},)"
            R"( "ground": {"bear": "davis2016/Annotations/480p/bear"}, "type": "world-knowledge",)"
            R"( "forbid": ["bear", "grizzly"], "note": "n"})";
        const QuerySet set = parseQuerySet(text);
        QVERIFY(set.errors.empty());
        QVERIFY(set.warnings.empty());
        QCOMPARE(set.queries.size(), size_t(1));
        const BenchQuery &q = set.queries[0];
        QCOMPARE(q.id, std::string("D01"));
        QCOMPARE(q.query, std::string("a bear"));
        QCOMPARE(q.type, std::string("world-knowledge"));
        QCOMPARE(q.grade("bear"), 2);
        QCOMPARE(q.grade("bmx"), 1);
        QCOMPARE(q.grade("teddy"), 0);
        QCOMPARE(q.grade("not-listed"), 0);
        QCOMPARE(q.relevantCount(), 3); // grade 0 is listed but not relevant
        QVERIFY(q.hasCorrectAnswer());
        QVERIFY(!q.isNoAnswerControl());
        QCOMPARE(q.ground.at("bear"), std::string("davis2016/Annotations/480p/bear"));
        QCOMPARE(q.extraJson.at("forbid"), std::string(R"(["bear","grizzly"])"));
        QCOMPARE(q.extraJson.at("note"), std::string(R"("n")"));
        QCOMPARE(q.extraJson.count("id"), size_t(0));
    }

    void controlsAndGradeOne_data()
    {
        QTest::addColumn<QString>("relevant");
        QTest::addColumn<bool>("control");
        QTest::addColumn<bool>("correct");
        QTest::newRow("empty") << "{}" << true << false;
        QTest::newRow("only zeros") << R"({"a": 0})" << true << false;
        QTest::newRow("grade one only") << R"({"a": 1})" << false << false;
        QTest::newRow("grade two") << R"({"a": 1, "b": 2})" << false << true;
    }
    void controlsAndGradeOne()
    {
        QFETCH(QString, relevant);
        QFETCH(bool, control);
        QFETCH(bool, correct);
        const QuerySet set =
            parseQuerySet(R"({"id": "C", "query": "q", "relevant": )" + relevant.toStdString() + "}");
        QCOMPARE(set.queries.size(), size_t(1));
        QCOMPARE(set.queries[0].isNoAnswerControl(), control);
        QCOMPARE(set.queries[0].hasCorrectAnswer(), correct);
    }

    void groundForUnlistedKeyWarns()
    {
        const QuerySet set = parseQuerySet(
            R"({"id": "W", "query": "q", "relevant": {"bear": 2},)"
            R"( "ground": {"baer": "davis2016/Annotations/480p/bear"}})");
        QVERIFY(set.errors.empty());
        QCOMPARE(set.queries.size(), size_t(1)); // still usable: only its grounding is suspect
        QCOMPARE(set.warnings.size(), size_t(1));
        QVERIFY(QString::fromStdString(set.warnings[0]).startsWith("line 1: 'ground' names 'baer'"));
    }

    void blankLinesCrLfAndBom()
    {
        const std::string text = std::string("\xEF\xBB\xBF") + kGoodFirst + "\r\n\r\n   \n" + kGoodLast;
        const QuerySet set = parseQuerySet(text);
        QVERIFY2(set.errors.empty(), set.errors.empty() ? "" : set.errors[0].c_str());
        QCOMPARE(set.queries.size(), size_t(2));
        QCOMPARE(set.queries[1].line, 4); // blank lines still count
    }

    void saveLoadRoundTrip()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        BenchQuery a;
        a.id = "A1";
        a.query = "a \"quoted\" query\nwith a newline and ünïcode";
        a.type = "temporal";
        a.relevant = {{"bear", 2}, {"sam2 bedroom", 1}, {"teddy", 0}};
        a.ground = {{"bear", "davis2016/Annotations/480p/bear"}};
        a.extraJson = {{"forbid", R"(["bear"])"}, {"note", "plain text, not JSON"}};
        BenchQuery control;
        control.id = "A2";
        control.query = "a purple giraffe";
        const QString path = dir.filePath("set.jsonl");
        const Status saved = saveQuerySet(path.toStdString(), {a, control});
        QVERIFY2(saved.isOk(), saved.message().c_str());

        auto loaded = loadQuerySet(path.toStdString());
        QVERIFY2(loaded.isOk(), loaded.message().c_str());
        QVERIFY(loaded->errors.empty());
        QCOMPARE(loaded->queries.size(), size_t(2));
        const BenchQuery &b = loaded->queries[0];
        QCOMPARE(b.id, a.id);
        QCOMPARE(b.query, a.query);
        QCOMPARE(b.type, a.type);
        QCOMPARE(b.relevant, a.relevant);
        QCOMPARE(b.ground, a.ground);
        QCOMPARE(b.extraJson.at("forbid"), std::string(R"(["bear"])"));
        QCOMPARE(b.extraJson.at("note"), std::string(R"("plain text, not JSON")"));
        QCOMPARE(b.line, 1);
        QVERIFY(loaded->queries[1].isNoAnswerControl());
        QCOMPARE(loaded->queries[1].line, 2);
        // Saving what was loaded gives the same bytes: the annotator can load, edit and export without drift.
        QCOMPARE(querySetLine(b), querySetLine(loaded->queries[0]));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        QCOMPARE(bytes.count('\n'), 2);
        QVERIFY(bytes.startsWith(R"({"id":"A1","query":)"));
    }

    void saveRefusesBadSets()
    {
        QTemporaryDir dir;
        BenchQuery q;
        q.id = "S";
        q.query = "q";
        const QString path = dir.filePath("set.jsonl");
        QVERIFY(saveQuerySet(path.toStdString(), {q}).isOk());
        const Status dup = saveQuerySet(path.toStdString(), {q, q});
        QVERIFY(!dup.isOk());
        QVERIFY(QString::fromStdString(dup.message()).contains("duplicate query id 'S'"));
        // The earlier file is untouched by the refused save.
        auto again = loadQuerySet(path.toStdString());
        QVERIFY(again.isOk());
        QCOMPARE(again->queries.size(), size_t(1));
        const Status noDir = saveQuerySet(dir.filePath("missing/dir/set.jsonl").toStdString(), {q});
        QVERIFY(!noDir.isOk());
    }

    void unreadableFile()
    {
        QTemporaryDir dir;
        auto r = loadQuerySet(dir.filePath("nope.jsonl").toStdString());
        QVERIFY(!r.isOk());
        QVERIFY(QString::fromStdString(r.message()).contains("nope.jsonl"));
        // A binary file is readable: every line is an error, nothing crashes.
        static const char kJunk[] = "\x00\x01\xff\n{\"id\":\n";
        const QString junk = writeFile(dir, "junk.jsonl", QByteArray(kJunk, sizeof kJunk - 1));
        QVERIFY(!junk.isEmpty());
        auto j = loadQuerySet(junk.toStdString());
        QVERIFY(j.isOk());
        QCOMPARE(j->queries.size(), size_t(0));
        QCOMPARE(j->errors.size(), size_t(2));
    }

    void devSetLoadsCleanly()
    {
        TS_REQUIRE_CORPUS();
        const QString path = QDir(test::corpusDir()).filePath("../bench/dev.jsonl");
        if (!QFile::exists(path))
            TS_MISSING("shared/bench/dev.jsonl is not present");
        auto set = loadQuerySet(path.toStdString());
        QVERIFY2(set.isOk(), set.message().c_str());
        QVERIFY2(set->errors.empty(), set->errors.empty() ? "" : set->errors[0].c_str());
        QVERIFY(set->queries.size() >= 10);
        int grounded = 0;
        for (const BenchQuery &q : set->queries) {
            QVERIFY(!q.id.empty());
            for (const auto &[key, folder] : q.ground) {
                ++grounded;
                QVERIFY2(QDir(QDir(test::corpusDir()).filePath(QString::fromStdString(folder))).exists(),
                         folder.c_str());
            }
        }
        QVERIFY(grounded > 0);
    }
};

QTEST_GUILESS_MAIN(TestQuerySet)
#include "tst_queryset.moc"
