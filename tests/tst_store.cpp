// The library database: schema, round trips, all-or-nothing writes, no orphans, failures that keep good twins.
#include "store/twinstore.h"
#include "testsupport.h"
#include "twin/twintext.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include <thread>

using namespace ts;

namespace {

int countRows(const QString &dbPath, const QString &sql)
{
    sqlite3 *db = nullptr;
    sqlite3_open(dbPath.toUtf8().constData(), &db);
    sqlite3_stmt *st = nullptr;
    int n = -1;
    if (sqlite3_prepare_v2(db, sql.toUtf8().constData(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

void execSql(const QString &dbPath, const QString &sql)
{
    sqlite3 *db = nullptr;
    sqlite3_open(dbPath.toUtf8().constData(), &db);
    sqlite3_exec(db, sql.toUtf8().constData(), nullptr, nullptr, nullptr);
    sqlite3_close(db);
}

} // namespace

class TestStore : public QObject {
    Q_OBJECT
private slots:
    void createsSchema()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("lib.sqlite");
        auto s = TwinStore::open(path.toStdString());
        QVERIFY2(s.isOk(), s.message().c_str());
        QCOMPARE((*s)->schemaVersion(), TwinStore::kSchemaVersion);
        QVERIFY((*s)->checkIntegrity().isOk());
        QCOMPARE(countRows(path, "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"), 1);
        s->reset();
        // Reopening migrates nothing and keeps the version.
        auto again = TwinStore::open(path.toStdString());
        QVERIFY(again.isOk());
        QCOMPARE((*again)->schemaVersion(), TwinStore::kSchemaVersion);
    }

    // The explorer forbids its UI thread: calls from it are counted and named, calls from workers are not.
    void forbiddenThreadIsReported()
    {
        QTemporaryDir dir;
        auto s = TwinStore::open(dir.filePath("lib.sqlite").toStdString());
        QVERIFY(s.isOk());
        TwinStore &store = **s;
        std::vector<std::string> calls;
        store.forbidThread(std::this_thread::get_id(), [&calls](const char *call) { calls.push_back(call); });
        std::thread worker([&store] {
            store.videos();
            store.schemaVersion();
        });
        worker.join();
        QCOMPARE(store.threadViolations(), 0);
        QVERIFY(store.videos().empty());
        QCOMPARE(store.threadViolations(), 1);
        QCOMPARE(calls, std::vector<std::string>{"videos"});
    }

    void refusesForeignFiles()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("notes.sqlite");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray("hello, this is not a database at all").repeated(100));
        f.close();
        auto s = TwinStore::open(path.toStdString());
        QVERIFY(!s.isOk());
        QVERIFY2(QString::fromStdString(s.message()).contains("not a"), s.message().c_str());
        // A database from a newer TwinSeek is refused rather than damaged.
        const QString newer = dir.filePath("newer.sqlite");
        execSql(newer, "PRAGMA user_version = 99");
        auto n = TwinStore::open(newer.toStdString());
        QVERIFY(!n.isOk());
        QVERIFY(QString::fromStdString(n.message()).contains("newer"));
    }

    void putAndLoad()
    {
        QTemporaryDir dir;
        auto s = TwinStore::open(dir.filePath("lib.sqlite").toStdString());
        QVERIFY(s.isOk());
        const Twin t = test::sampleTwin();
        auto id = (*s)->putTwin(t, 3, 1234, twinSearchText(t));
        QVERIFY2(id.isOk(), id.message().c_str());
        auto back = (*s)->loadTwin("clip");
        QVERIFY2(back.isOk(), back.message().c_str());
        QCOMPARE(toJson(*back).dump(), toJson(t).dump());
        auto row = (*s)->videoByKey("clip");
        QVERIFY(row.has_value());
        QCOMPARE(row->pipelineVersion, 3);
        QCOMPARE(row->mtimeMs, int64_t(1234));
        QCOMPARE(row->tracks, 1);
        QVERIFY((*s)->videoByPath("/videos/clip.mp4").has_value());
        // Replacing keeps the id (results and annotations still point at it).
        auto id2 = (*s)->putTwin(t, 4, 99, "");
        QVERIFY(id2.isOk());
        QCOMPARE(*id2, *id);
        QCOMPARE((*s)->videos().size(), size_t(1));
        QVERIFY(!(*s)->loadTwin("nope").isOk());
    }

    void failedWriteChangesNothing()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("lib.sqlite");
        auto s = TwinStore::open(path.toStdString());
        QVERIFY(s.isOk());
        Twin t = test::sampleTwin();
        QVERIFY((*s)->putTwin(t, 1, 1, "first").isOk());
        const int frames = countRows(path, "SELECT count(*) FROM frames");
        // Make the last part of the next write fail, after frames and instances were already inserted.
        execSql(path, "CREATE TRIGGER boom BEFORE INSERT ON relationships WHEN NEW.predicate = 'explode' "
                      "BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
        Twin changed = t;
        changed.frames.push_back(changed.frames.back());
        changed.frames.back().frameIndex = 8;
        changed.relationships.push_back({1, "explode", 0, 0, 0, 1.f, "test"});
        auto r = (*s)->putTwin(changed, 2, 2, "second");
        QVERIFY(!r.isOk());
        QVERIFY(QString::fromStdString(r.message()).contains("injected failure"));
        QCOMPARE(countRows(path, "SELECT count(*) FROM frames"), frames);
        auto back = (*s)->loadTwin("clip");
        QVERIFY(back.isOk());
        QCOMPARE(toJson(*back).dump(), toJson(t).dump());
        QCOMPARE((*s)->videoByKey("clip")->pipelineVersion, 1);
    }

    void removeLeavesNoOrphans()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("lib.sqlite");
        auto s = TwinStore::open(path.toStdString());
        QVERIFY(s.isOk());
        Twin a = test::sampleTwin(), b = test::sampleTwin();
        b.video.key = "other";
        b.video.path = "/videos/other.mp4";
        auto ida = (*s)->putTwin(a, 1, 1, twinSearchText(a));
        auto idb = (*s)->putTwin(b, 1, 1, twinSearchText(b));
        QVERIFY(ida.isOk() && idb.isOk());
        QVERIFY((*s)->putComponents(*ida, {{0, *ida, "object", "1", "dog brown", 1.f}}, {{0.1f, 0.2f}}, "enc-test").isOk());
        QVERIFY((*s)->saveQuery("a dog", "{}", {{*ida, 0.9}, {*idb, 0.2}}, {"{}", "{}"}).isOk());
        QVERIFY((*s)->putAnnotation({"dev", "D1", "clip", 2, "accepted", "[]", ""}).isOk());
        QCOMPARE((*s)->embeddings("enc-test").size(), size_t(1));

        QVERIFY((*s)->removeVideo("clip").isOk());
        for (const char *table : {"frames", "instances", "tracks", "relationships", "components", "results", "traces"})
            QCOMPARE(countRows(path, QString("SELECT count(*) FROM %1 WHERE video_id = %2").arg(table).arg(*ida)), 0);
        QCOMPARE(countRows(path, "SELECT count(*) FROM embeddings"), 0);
        QCOMPARE(countRows(path, QString("SELECT count(*) FROM twin_text WHERE rowid = %1").arg(*ida)), 0);
        QVERIFY((*s)->checkIntegrity().isOk());
        QVERIFY((*s)->loadTwin("other").isOk());
        QVERIFY(!(*s)->removeVideo("clip").isOk());
    }

    void failuresKeepGoodTwins()
    {
        QTemporaryDir dir;
        auto s = TwinStore::open(dir.filePath("lib.sqlite").toStdString());
        QVERIFY(s.isOk());
        const Twin t = test::sampleTwin();
        QVERIFY((*s)->putTwin(t, 1, 1, "").isOk());
        QVERIFY((*s)->recordFailure("clip", t.video.path, "newhash", 5, 6, 1, "decoder exploded").isOk());
        auto row = (*s)->videoByKey("clip");
        QCOMPARE(row->status, VideoStatus::Done);
        QCOMPARE(row->error, std::string("decoder exploded"));
        QCOMPARE(row->contentHash, t.video.contentHash);
        QVERIFY((*s)->loadTwin("clip").isOk());
        QVERIFY((*s)->recordFailure("broken", "/x/broken.mp4", "h", 0, 0, 1, "empty file").isOk());
        auto bad = (*s)->videoByKey("broken");
        QCOMPARE(bad->status, VideoStatus::Failed);
        QVERIFY(QString::fromStdString((*s)->loadTwin("broken").message()).contains("empty file"));
    }

    void fullTextAndAnnotations()
    {
        QTemporaryDir dir;
        auto s = TwinStore::open(dir.filePath("lib.sqlite").toStdString());
        QVERIFY(s.isOk());
        Twin t = test::sampleTwin();
        auto id = (*s)->putTwin(t, 1, 1, twinSearchText(t));
        const auto hits = (*s)->searchText("wolf OR cat", 10);
        QCOMPARE(hits.size(), size_t(1));
        QCOMPARE(hits[0].first, *id);
        QVERIFY((*s)->searchText("giraffe", 10).empty());
        QVERIFY((*s)->putAnnotation({"dev", "D1", "clip", 1, "", "", ""}).isOk());
        QVERIFY((*s)->putAnnotation({"dev", "D1", "clip", 2, "accepted", "[{\"track\":1}]", ""}).isOk());
        const auto ann = (*s)->annotations("dev");
        QCOMPARE(ann.size(), size_t(1));
        QCOMPARE(ann[0].grade, 2);
        QCOMPARE(ann[0].verdict, std::string("accepted"));
        QVERIFY((*s)->addObservations("clip", {{"ocr", "EXIT", 1, 0, 4, {}, 0.9f, "tesseract"}}).isOk());
        QCOMPARE((*s)->loadTwin("clip")->observations.size(), size_t(2));
    }
};

QTEST_GUILESS_MAIN(TestStore)
#include "tst_store.moc"
