// Ingest end to end on real footage: mixed folders with broken files, no-op re-runs, changed files, new pipeline
// versions, moved files, cancellation, and a SIGKILL in the middle of a CLI ingest.
#include "ingest/ingestor.h"
#include "services.h"
#include "store/sqlite.h"
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <sqlite3.h>

#include <csignal>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <map>
#include <set>
#include <thread>

using namespace ts;

namespace {

void execSql(const QString &dbPath, const QString &sql)
{
    sqlite3 *db = nullptr;
    sqlite3_open(dbPath.toUtf8().constData(), &db);
    sqlite3_exec(db, sql.toUtf8().constData(), nullptr, nullptr, nullptr);
    sqlite3_close(db);
}

TwinBuilderConfig fastConfig()
{
    TwinBuilderConfig c;
    c.detectFps = 3.0;
    c.keyframeFps = c.saliencyFps = 1.0;
    return c;
}

const IngestItem *find(const IngestSummary &s, const QString &fileName)
{
    for (const auto &i : s.items)
        if (QFileInfo(QString::fromStdString(i.path)).fileName() == fileName)
            return &i;
    return nullptr;
}

/// POSIX locks this process holds on a file, from /proc/locks (Linux).
int locksHeld(const QString &path)
{
    struct stat st {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return -1;
    QFile f("/proc/locks");
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QString suffix = QStringLiteral(":%1").arg(st.st_ino);
    int n = 0;
    for (const QByteArray &line : f.readAll().split('\n')) {
        const QList<QByteArray> cols = line.simplified().split(' ');
        if (cols.size() >= 6 && cols[4].toLongLong() == ::getpid() && QString::fromLatin1(cols[5]).endsWith(suffix))
            ++n;
    }
    return n;
}

} // namespace

class TestIngest : public QObject {
    Q_OBJECT
    std::unique_ptr<Services> m_services;
    QTemporaryDir m_dir;
    QString m_media;

    Ingestor makeIngestor(TwinStore &store, int workers = 2)
    {
        Services *s = m_services.get();
        return Ingestor(store, [s] { return s->makeBuilder(fastConfig()); }, {workers, false});
    }

private slots:
    void initTestCase()
    {
        TS_REQUIRE_CORPUS();
        m_services = std::make_unique<Services>();
        if (!m_services->models().bestAvailable("detector"))
            TS_MISSING("no detector in the model cache (run scripts/setup.sh)");
        m_media = m_dir.filePath("media");
        QDir().mkpath(m_media + "/sub");
        QVERIFY(QFile::copy(test::corpusFile("davis2016/videos/dog-agility.mp4"), m_media + "/dog-agility.mp4"));
        QVERIFY(QFile::copy(test::corpusFile("davis2016/videos/car-shadow.mp4"), m_media + "/sub/car-shadow.mp4"));
        QVERIFY(test::makeSyntheticVideo(m_media + "/synthetic.mkv", "testsrc2=size=320x240:rate=24", 1.0));
        QFile empty(m_media + "/empty.mp4");
        QVERIFY(empty.open(QIODevice::WriteOnly));
        empty.close();
        QFile text(m_media + "/sub/letter.mp4");
        QVERIFY(text.open(QIODevice::WriteOnly));
        text.write(QByteArray("Dear diary, this is no video.\n").repeated(40));
        text.close();
        QFile notes(m_media + "/notes.txt");
        QVERIFY(notes.open(QIODevice::WriteOnly));
        notes.write("a text file that a folder scan should pass over quietly");
        notes.close();
    }

    void sameFileSameTwin()
    {
        // Analysis is deterministic: the same file gives the same twin, whichever builder and heap state
        // (uninitialised pixels from the decoder once made a clip's J swing between 0.52 and 0.67).
        const std::string path = (m_media + "/dog-agility.mp4").toStdString();
        VideoInfo seed;
        seed.key = "dog-agility";
        std::string first;
        for (int run = 0; run < 3; ++run) {
            // The third build runs every stage on the worker's thread: the same twin as with the front stage ahead.
            TwinBuilderConfig config;
            if (run == 2)
                config.prefetchFrames = 0;
            auto twin = m_services->makeBuilder(config)->build(path, seed, {}, {});
            QVERIFY2(twin.isOk(), twin.message().c_str());
            QVERIFY(!twin->tracks.empty());
            const std::string text = toJsonText(*twin);
            if (run == 0)
                first = text;
            else
                QVERIFY2(text == first,
                         run == 1 ? "two builds of the same file differ" : "the front stage changed the twin");
        }
    }

    void mixedFolder()
    {
        const QString db = m_dir.filePath("lib.sqlite");
        auto store = TwinStore::open(db.toStdString());
        QVERIFY(store.isOk());
        Ingestor ingestor = makeIngestor(**store);
        std::atomic<int> callbacks{0};
        std::atomic<double> lastProgress{0.0};
        const auto s = ingestor.run({m_media.toStdString()}, {}, [&](double f, const std::string &) { lastProgress = f; },
                                    [&](const IngestItem &) { ++callbacks; });
        QCOMPARE(s.count(IngestOutcome::Ingested), 3);
        QCOMPARE(s.count(IngestOutcome::Failed), 2);
        QCOMPARE(s.count(IngestOutcome::NotVideo), 1);
        QCOMPARE(callbacks.load(), 6);
        QCOMPARE(lastProgress.load(), 1.0);
        QVERIFY(QString::fromStdString(find(s, "empty.mp4")->message).contains("empty"));
        QVERIFY(QString::fromStdString(find(s, "letter.mp4")->message).contains("not a media file"));
        for (const char *key : {"dog-agility", "car-shadow", "synthetic"}) {
            auto twin = (*store)->loadTwin(key);
            QVERIFY2(twin.isOk(), twin.message().c_str());
            QVERIFY(twinFromJson(toJson(*twin)).isOk());
            QVERIFY(!twin->frames.empty());
            QVERIFY(!twin->roles.empty());
        }
        // The dog is found and tracked through the clip.
        auto dog = (*store)->loadTwin("dog-agility");
        QVERIFY(std::any_of(dog->tracks.begin(), dog->tracks.end(), [](const Track &t) {
            return t.category.name.find("dog") != std::string::npos || t.category.synset == "n02084071" ||
                   std::any_of(t.category.alternatives.begin(), t.category.alternatives.end(),
                               [](const LabelAlternative &a) { return a.name == "dog"; });
        }));
        // Failures are recorded with their reasons.
        auto failed = (*store)->videoByKey("letter");
        QVERIFY(failed.has_value());
        QCOMPARE(failed->status, VideoStatus::Failed);
        QVERIFY(!(*store)->videoByKey("notes").has_value());
        QVERIFY((*store)->checkIntegrity().isOk());
    }

    // What a folder scan cannot look at is said, one line each, not passed over in silence; loops end.
    void unscannableEntriesAreReported()
    {
        QTemporaryDir dir;
        const QString root = dir.path();
        QVERIFY(QDir(root).mkpath("sub") && QDir(root).mkpath("locked"));
        for (const QString &f : {root + "/a.mp4", root + "/sub/b.mp4", root + "/locked/c.mp4"}) {
            QFile file(f);
            QVERIFY(file.open(QIODevice::WriteOnly) && file.write("x") == 1);
        }
        QVERIFY(QFile::link(root, root + "/loop"));
        QVERIFY(QFile::link(root + "/sub/..", root + "/sub/up"));
        QVERIFY(QFile::link(root + "/missing.mp4", root + "/dangling.mp4"));
        QVERIFY(::mkfifo(QFile::encodeName(root + "/pipe").constData(), 0600) == 0);
        const bool canLock = ::geteuid() != 0; // root reads any folder
        if (canLock)
            QVERIFY(QFile::setPermissions(root + "/locked", QFile::Permissions()));

        std::vector<IngestItem> problems;
        const auto files = Ingestor::collectFiles({root.toStdString()}, problems);
        if (canLock)
            QVERIFY(QFile::setPermissions(root + "/locked", QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        std::vector<std::string> expected{(root + "/a.mp4").toStdString()};
        if (!canLock)
            expected.push_back((root + "/locked/c.mp4").toStdString());
        expected.push_back((root + "/sub/b.mp4").toStdString());
        QCOMPARE(files, expected);
        std::map<QString, std::string> why;
        for (const IngestItem &p : problems) {
            QCOMPARE(p.outcome, IngestOutcome::Skipped);
            why[QFileInfo(QString::fromStdString(p.path)).fileName()] = p.message;
        }
        QVERIFY(why["loop"].find("already scanned") != std::string::npos);
        QVERIFY(why["up"].find("already scanned") != std::string::npos);
        QVERIFY(why["dangling.mp4"].find("dangling symbolic link") != std::string::npos);
        QVERIFY(why["pipe"].find("not a regular file") != std::string::npos);
        if (canLock)
            QVERIFY(why["locked"].find("permission denied") != std::string::npos);
        QCOMPARE(problems.size(), size_t(canLock ? 5 : 4));
    }

    // A file another live process is analysing is left to it; a claim whose process has ended is taken over.
    void claimedFileIsLeftToItsProcess()
    {
        QTemporaryDir dir;
        const QString video = dir.filePath("clip.mkv");
        QVERIFY(test::makeSyntheticVideo(video, "testsrc2=size=160x120:rate=12", 1.0));
        const QString db = dir.filePath("lib.sqlite");
        auto store = TwinStore::open(db.toStdString());
        QVERIFY(store.isOk());
        QProcess other;
        other.start("sleep", {"60"});
        QVERIFY(other.waitForStarted());
        char host[256] = {};
        QVERIFY(::gethostname(host, sizeof(host) - 1) == 0);
        const std::string owner = std::string(host) + ":" + std::to_string(other.processId());
        {
            SqliteDb raw;
            QVERIFY(raw.open(db.toStdString()).isOk());
            auto q = raw.prepare("INSERT INTO ingest_claims(path, owner, claimed_ms) VALUES(?1, ?2, 0)");
            q.bind(1, video.toStdString()).bind(2, owner);
            QVERIFY(q.run());
        }
        Ingestor ingestor = makeIngestor(**store, 1);
        auto first = ingestor.run({video.toStdString()}, CancelToken(), {}, {});
        QCOMPARE(first.count(IngestOutcome::Skipped), 1);
        QVERIFY2(first.items[0].message.find("another TwinSeek process (" + owner + ")") != std::string::npos,
                 first.items[0].message.c_str());
        QVERIFY(!(*store)->videoByKey("clip"));
        other.kill();
        QVERIFY(other.waitForFinished());
        auto second = ingestor.run({video.toStdString()}, CancelToken(), {}, {});
        QCOMPARE(second.count(IngestOutcome::Ingested), 1);
        SqliteDb raw;
        QVERIFY(raw.open(db.toStdString(), SqliteOpen::ReadOnly).isOk());
        auto left = raw.prepare("SELECT count(*) FROM ingest_claims");
        QVERIFY(left.step());
        QCOMPARE(left.integer(0), 0); // released once stored
    }

    // Two ingests of one folder into one library share the work: every video is analysed once.
    void twoProcessesShareTheWork()
    {
        QTemporaryDir dir;
        const QString media = dir.filePath("media");
        QVERIFY(QDir().mkpath(media));
        for (const char *name : {"one.mkv", "two.mkv", "three.mkv"})
            QVERIFY(test::makeSyntheticVideo(media + "/" + name, "testsrc2=size=320x240:rate=24", 3.0));
        const QString db = dir.filePath("lib.sqlite");
        QVERIFY(TwinStore::open(db.toStdString()).isOk()); // created before either starts
        QProcess a, b;
        for (QProcess *p : {&a, &b}) {
            p->setProcessChannelMode(QProcess::MergedChannels);
            p->start(test::cliPath(), {"ingest", "--db", db, "--workers", "1", "--detect-fps", "3", media});
        }
        QVERIFY(a.waitForFinished(300000) && b.waitForFinished(300000));
        const QString out = QString::fromUtf8(a.readAll()) + "\n----\n" + QString::fromUtf8(b.readAll());
        QCOMPARE(a.exitCode(), 0);
        QCOMPARE(b.exitCode(), 0);
        const int analysed = static_cast<int>(out.count(QRegularExpression("(^|\\n)ok ")));
        QVERIFY2(analysed == 3, qPrintable(out));
        auto store = TwinStore::open(db.toStdString(), StoreAccess::ReadOnly);
        QVERIFY(store.isOk());
        QCOMPARE((*store)->videos().size(), size_t(3));
    }

    // Byte-identical files are one video with several paths (a setting keeps them apart).
    void duplicateFilesAreOneVideo()
    {
        QTemporaryDir dir;
        const QString original = dir.filePath("walk.mkv");
        QVERIFY(test::makeSyntheticVideo(original, "testsrc2=size=160x120:rate=12", 1.0));
        QVERIFY(QDir().mkpath(dir.filePath("backup")));
        const QString copy = dir.filePath("backup/walk-copy.mkv");
        QVERIFY(QFile::copy(original, copy));
        auto store = TwinStore::open(dir.filePath("lib.sqlite").toStdString());
        QVERIFY(store.isOk());
        Ingestor ingestor = makeIngestor(**store, 1);
        const auto first = ingestor.run({original.toStdString(), copy.toStdString()}, CancelToken(), {}, {});
        QCOMPARE(first.count(IngestOutcome::Ingested), 1);
        QCOMPARE(first.count(IngestOutcome::Unchanged), 1);
        QCOMPARE((*store)->videos().size(), size_t(1));
        const VideoRow video = (*store)->videos().front();
        const auto copies = (*store)->copies();
        QCOMPARE(copies.size(), size_t(1));
        const std::string other = video.path == original.toStdString() ? copy.toStdString() : original.toStdString();
        QCOMPARE(copies.at(video.id), std::vector<std::string>{other});
        // Again: nothing to do, and the copy is recognised without reading it.
        const auto again = ingestor.run({original.toStdString(), copy.toStdString()}, CancelToken(), {}, {});
        QCOMPARE(again.count(IngestOutcome::Unchanged), 2);
        QCOMPARE((*store)->videos().size(), size_t(1));
        // The copy is replaced by other footage: it becomes a video of its own and is no longer listed as a copy.
        const QString changed = QString::fromStdString(other);
        QVERIFY(QFile::remove(changed));
        QVERIFY(test::makeSyntheticVideo(changed, "testsrc=size=160x120:rate=12", 1.0));
        const auto third = ingestor.run({changed.toStdString()}, CancelToken(), {}, {});
        QCOMPARE(third.count(IngestOutcome::Ingested), 1);
        QCOMPARE((*store)->videos().size(), size_t(2));
        QVERIFY((*store)->copies().empty());

        // Kept apart on request.
        auto separate = TwinStore::open(dir.filePath("apart.sqlite").toStdString());
        QVERIFY(separate.isOk());
        Services *s = m_services.get();
        Ingestor apart(**separate, [s] { return s->makeBuilder(fastConfig()); }, {1, false, DuplicatePolicy::Separate});
        QCOMPARE(apart.run({original.toStdString(), copy.toStdString()}, CancelToken(), {}, {})
                     .count(IngestOutcome::Ingested),
                 2);
        QCOMPARE((*separate)->videos().size(), size_t(2));
    }

    void rerunIsNoOp()
    {
        const QString db = m_dir.filePath("lib.sqlite");
        auto store = TwinStore::open(db.toStdString());
        const std::string before = (*store)->videoByKey("car-shadow")->ingestedAt;
        Ingestor ingestor = makeIngestor(**store);
        const auto s = ingestor.run({m_media.toStdString()}, {}, {}, {});
        QCOMPARE(s.count(IngestOutcome::Ingested), 0);
        QCOMPARE(s.count(IngestOutcome::Unchanged), 3);
        QCOMPARE((*store)->videoByKey("car-shadow")->ingestedAt, before);
    }

    void changedFileAndNewPipeline()
    {
        const QString db = m_dir.filePath("lib.sqlite");
        auto store = TwinStore::open(db.toStdString());
        const std::string oldHash = (*store)->videoByKey("synthetic")->contentHash;
        QThread::msleep(20);
        QVERIFY(test::makeSyntheticVideo(m_media + "/synthetic.mkv", "testsrc=size=320x240:rate=24", 1.5));
        execSql(db, "UPDATE videos SET pipeline_version = 0 WHERE key = 'dog-agility'");
        Ingestor ingestor = makeIngestor(**store);
        const auto s = ingestor.run({m_media.toStdString()}, {}, {}, {});
        QCOMPARE(find(s, "synthetic.mkv")->outcome, IngestOutcome::Ingested);
        QCOMPARE(find(s, "dog-agility.mp4")->outcome, IngestOutcome::Ingested);
        QCOMPARE(find(s, "car-shadow.mp4")->outcome, IngestOutcome::Unchanged);
        QVERIFY((*store)->videoByKey("synthetic")->contentHash != oldHash);
        QCOMPARE((*store)->videoByKey("dog-agility")->pipelineVersion, TwinBuilder::kPipelineVersion);
        QCOMPARE((*store)->videos().size(), size_t(5));
    }

    void movedFileKeepsItsTwin()
    {
        const QString db = m_dir.filePath("lib.sqlite");
        auto store = TwinStore::open(db.toStdString());
        QVERIFY(QDir().rename(m_media + "/sub/car-shadow.mp4", m_media + "/car-shadow.mp4"));
        Ingestor ingestor = makeIngestor(**store);
        const auto s = ingestor.run({m_media.toStdString()}, {}, {}, {});
        const IngestItem *moved = find(s, "car-shadow.mp4");
        QCOMPARE(moved->outcome, IngestOutcome::Unchanged);
        QVERIFY(QString::fromStdString(moved->message).contains("moved"));
        QCOMPARE(QString::fromStdString((*store)->videoByKey("car-shadow")->path), m_media + "/car-shadow.mp4");
    }

    void cancelMidJob()
    {
        const QString db = m_dir.filePath("cancel.sqlite");
        auto store = TwinStore::open(db.toStdString());
        Ingestor ingestor = makeIngestor(**store, 1);
        CancelToken cancel;
        const auto s = ingestor.run({m_media.toStdString()}, cancel, {}, [&](const IngestItem &item) {
            if (item.outcome == IngestOutcome::Ingested)
                cancel.cancel();
        });
        QVERIFY(s.cancelled);
        QVERIFY(s.count(IngestOutcome::Cancelled) >= 1);
        QVERIFY((*store)->checkIntegrity().isOk());
        // Nothing half-written: every stored video loads.
        for (const VideoRow &r : (*store)->videos())
            if (r.status == VideoStatus::Done)
                QVERIFY((*store)->loadTwin(r.key).isOk());
    }

    void killedAndResumed()
    {
        const QString db = m_dir.filePath("killed.sqlite");
        QStringList clips;
        for (const char *name : {"dog-agility", "car-shadow", "motocross-jump", "rollerblade"})
            clips << test::corpusFile(QString("davis2016/videos/%1.mp4").arg(name));
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(test::cliPath(), QStringList{"ingest", "--db", db, "--workers", "1", "--detect-fps", "3"} + clips);
        QVERIFY(p.waitForStarted());
        QString out;
        // Kill it right after the first video was committed, while the second one is being written.
        QTRY_VERIFY_WITH_TIMEOUT((out += QString::fromUtf8(p.readAll())).contains("ok "), 120000);
        QThread::msleep(300);
        ::kill(static_cast<pid_t>(p.processId()), SIGKILL);
        p.waitForFinished();
        QString second;
        const int rc = test::runProcess(test::cliPath(), QStringList{"ingest", "--db", db, "--workers", "2", "--detect-fps", "3"} + clips,
                                        &second);
        QVERIFY2(rc == 0, qPrintable(second));
        QVERIFY2(second.contains("ingested") && second.contains("failed 0"), qPrintable(second));
        auto store = TwinStore::open(db.toStdString());
        QVERIFY((*store)->checkIntegrity().isOk());
        const auto rows = (*store)->videos();
        std::set<std::string> keys;
        for (const auto &r : rows) {
            QVERIFY(keys.insert(r.key).second);
            QCOMPARE(r.status, VideoStatus::Done);
            QVERIFY((*store)->loadTwin(r.key).isOk());
        }
        QCOMPARE(keys.size(), size_t(4));
    }

    // The window and the CLI share a library. Ingesting a folder that holds the library must not open its files:
    // closing any descriptor of them drops this process's SQLite locks, a CLI run then deletes the write-ahead log
    // the window still writes to, and the window's later changes are lost.
    void libraryInsideScannedFolderKeepsItsLocks_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("sqlite suffix") << "lib.sqlite";
        QTest::newRow("other suffix") << "library.sqlite3";
        QTest::newRow("no suffix") << "library";
    }

    void libraryInsideScannedFolderKeepsItsLocks()
    {
        QFETCH(QString, name);
        QTemporaryDir dir;
        const QString db = dir.filePath(name);
        auto opened = TwinStore::open(db.toStdString());
        QVERIFY(opened.isOk());
        std::unique_ptr<TwinStore> store = std::move(opened).value();
        for (const char *key : {"kept", "removed"}) {
            Twin t = test::sampleTwin();
            t.video.key = key;
            t.video.path = std::string("/videos/") + key + ".mp4";
            QVERIFY((*store).putTwin(t, 1, 1, "").isOk());
        }
        QVERIFY(QFile::exists(db + "-shm") && QFile::exists(db + "-wal"));

        Ingestor ingestor = makeIngestor(*store, 1);
        const IngestSummary summary = ingestor.run({dir.path().toStdString()}, CancelToken(), {}, {});
        for (const QString &file : {name, name + "-wal", name + "-shm"}) {
            const IngestItem *item = find(summary, file);
            QVERIFY2(item, qPrintable(file));
            QCOMPARE(item->outcome, IngestOutcome::NotVideo);
            QVERIFY2(QString::fromStdString(item->message).contains("database file"), item->message.c_str());
        }
        QVERIFY2(locksHeld(db) > 0 && locksHeld(db + "-shm") > 0, "the connection lost its locks");
        // Named explicitly, the library is still not opened.
        QCOMPARE(ingestor.run({db.toStdString()}, CancelToken(), {}, {}).count(IngestOutcome::NotVideo), 1);

        QString out;
        QCOMPARE(test::runProcess(test::cliPath(), {"list", "--db", db}, &out), 0);
        QVERIFY2(out.contains("removed"), qPrintable(out));
        QVERIFY(store->removeVideo("removed").isOk());
        QCOMPARE(test::runProcess(test::cliPath(), {"list", "--db", db}, &out), 0);
        QVERIFY2(out.contains("kept") && !out.contains("removed"), qPrintable(out));
        // The CLI closed its connection while this one was open: the log this process writes to must survive it.
        QVERIFY(QFile::exists(db + "-wal"));
        store.reset();
        QCOMPARE(test::runProcess(test::cliPath(), {"list", "--db", db}, &out), 0);
        QVERIFY2(out.contains("kept") && !out.contains("removed"), qPrintable(out));
    }
};

QTEST_GUILESS_MAIN(TestIngest)
#include "tst_ingest.moc"
