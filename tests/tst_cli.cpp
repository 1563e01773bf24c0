// The command line as a user meets it: a library path with a typo is an error, not a new empty library; an
// over-long query is refused with the limit; names from files and videos cannot drive the terminal; F that was not
// computed says so; damaged twins are reported; --save records the answer; read-only libraries are read; an ingest
// stays off the network. Each case runs the real twinseek-cli.
#include "store/sqlite.h"
#include "store/twinstore.h"
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcessEnvironment>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QRegularExpression>
#include <QTest>

#include <nlohmann/json.hpp>

#include <unistd.h>

using namespace ts;

namespace {

int runCli(const QStringList &args, QString *out, const QString &program = test::cliPath(),
           const QProcessEnvironment &extra = {})
{
    QProcess cli;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString &k : extra.keys())
        env.insert(k, extra.value(k));
    env.insert("TWINSEEK_LOCAL_LLM", "off"); // none of these cases needs a language model
    env.remove("TWINSEEK_LLM_URL");
    cli.setProcessEnvironment(env);
    cli.setProcessChannelMode(QProcess::MergedChannels);
    cli.start(program, args);
    if (!cli.waitForStarted(10000) || !cli.waitForFinished(120000))
        return -1;
    *out = QString::fromUtf8(cli.readAll());
    return cli.exitStatus() == QProcess::NormalExit ? cli.exitCode() : -1;
}

/// A library holding the sample twin under the given key.
bool makeLibrary(const QString &path, const std::string &key)
{
    auto store = TwinStore::open(path.toStdString());
    if (!store)
        return false;
    Twin t = test::sampleTwin();
    t.video.key = key;
    t.video.path = "/videos/" + key + ".mp4";
    return (*store)->putTwin(t, 1, 1, "").isOk();
}

} // namespace

class TestCli : public QObject {
    Q_OBJECT

private slots:
    void missingLibraryIsAnError_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("list") << QStringList{"list"};
        QTest::newRow("query") << QStringList{"query", "a dog"};
        QTest::newRow("check") << QStringList{"check"};
        QTest::newRow("twin") << QStringList{"twin", "bear"};
        QTest::newRow("remove") << QStringList{"remove", "bear"};
        QTest::newRow("validate-twins") << QStringList{"validate-twins"};
    }

    void missingLibraryIsAnError()
    {
        QFETCH(QStringList, args);
        QTemporaryDir dir;
        const QString db = dir.filePath("typo.sqlite");
        QString out;
        const int code = runCli(QStringList{args.front(), "--db", db} + args.mid(1), &out);
        QVERIFY2(code > 0, qPrintable(out));
        QVERIFY2(out.contains("no such library"), qPrintable(out));
        QVERIFY2(!QFile::exists(db), "the command created the library it was asked to read");
    }

    void overLongQueryIsRefused()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath("lib.sqlite");
        QVERIFY(makeLibrary(db, "sample"));
        QString out;
        const int code = runCli({"query", "--db", db, QString(5000, 'a')}, &out);
        QVERIFY2(code > 0, qPrintable(out.left(2000)));
        QVERIFY2(out.contains("5000 bytes long; at most 4000"), qPrintable(out.left(2000)));
        QVERIFY(runCli({"query", "--db", db, "a dog"}, &out) == 0);
    }

    void controlCharactersAreEscaped()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath("lib.sqlite");
        QVERIFY(makeLibrary(db, "evil\x1b[2Jname\xe2\x80\xaetxt.mp4"));
        QString out;
        QCOMPARE(runCli({"list", "--db", db}, &out), 0);
        QVERIFY2(!out.contains(QChar(0x1b)), qPrintable(out));
        QVERIFY2(!out.contains(QChar(0x202e)), qPrintable(out));
        QVERIFY2(out.contains("evil\\x1b[2Jname\\u202etxt.mp4"), qPrintable(out));
        // JSON output keeps the name exact (JSON escapes it itself).
        QCOMPARE(runCli({"list", "--db", db, "--json"}, &out), 0);
        QVERIFY2(out.contains("evil\\u001b[2Jname"), qPrintable(out));
    }

    // A damaged twin is not silently left out: the answer names it, says what to run, and the exit status is 3.
    void damagedTwinIsReported_data()
    {
        QTest::addColumn<bool>("asJson");
        QTest::newRow("text") << false;
        QTest::newRow("json") << true;
    }

    void damagedTwinIsReported()
    {
        QFETCH(bool, asJson);
        QTemporaryDir dir;
        const QString db = dir.filePath("lib.sqlite");
        QVERIFY(makeLibrary(db, "good"));
        QVERIFY(makeLibrary(db, "bad"));
        {
            SqliteDb raw;
            QVERIFY(raw.open(db.toStdString()).isOk());
            QVERIFY(raw.exec("UPDATE videos SET meta_json = '{\"duration_ms\": 20' WHERE key = 'bad'").isOk());
        }
        QStringList args{"query", "--db", db, "--mode", "fast"};
        if (asJson)
            args << "--json";
        QString out;
        const int code = runCli(args << "a dog", &out);
        QVERIFY2(code == 3, qPrintable(out));
        if (!asJson) {
            QVERIFY2(out.contains("1 stored twin could not be read") && out.contains("(bad;") &&
                         out.contains("validate-twins"),
                     qPrintable(out));
            return;
        }
        const auto j = nlohmann::json::parse(out.mid(out.indexOf('{')).toStdString(), nullptr, false);
        QVERIFY2(j.is_object() && j["damaged"].size() == 1, qPrintable(out));
        QCOMPARE(QString::fromStdString(j["damaged"][0]["key"].get<std::string>()), QString("bad"));
        QCOMPARE(j["library_size"].get<int>(), 2);
    }

    // An ingest does not write into a library whose pages are damaged: it refuses before analysing anything.
    void ingestRefusesDamagedLibrary()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath("lib.sqlite");
        for (const char *key : {"one", "two", "three", "four"})
            QVERIFY(makeLibrary(db, key));
        QFile f(db);
        QVERIFY(f.open(QIODevice::ReadWrite));
        const qint64 pages = f.size() / 4096;
        QVERIFY(pages > 8);
        QVERIFY(f.seek((pages / 2) * 4096));
        f.write(QByteArray(200, '\xA5'));
        f.close();
        QString out;
        QVERIFY2(runCli({"ingest", "--db", db, dir.path()}, &out) > 0, qPrintable(out));
        QVERIFY2(out.contains("is damaged") && out.contains("nothing was added"), qPrintable(out));
        QVERIFY2(runCli({"check", "--db", db}, &out) > 0, qPrintable(out));
    }

    // An evaluation says which relevant videos the library does not hold before its metrics count them as missed.
    void evalWarnsAboutVideosNotInTheLibrary()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath("lib.sqlite");
        QVERIFY(makeLibrary(db, "present"));
        const QString bench = dir.filePath("set.jsonl");
        QFile f(bench);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"id": "Q1", "query": "a dog", "relevant": {"present": 2, "elsewhere": 1, "ignored": 0}})"
                "\n");
        f.close();
        QString out;
        QCOMPARE(runCli({"eval", "--db", db, "--bench", bench, "--out", dir.filePath("out"), "--ablate", "none",
                         "--no-baselines", "--no-modes", "--no-contour", "--mode", "fast"},
                        &out),
                 0);
        QVERIFY2(out.contains("query Q1: relevant video 'elsewhere' is not in the library"), qPrintable(out));
        QVERIFY2(!out.contains("'ignored'") && !out.contains("'present' is not"), qPrintable(out));
    }

    // --save records the query, its settings, ranking and traces; a library that refuses says so in the exit status.
    void querySaveRecordsTheAnswer()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath("lib.sqlite");
        QVERIFY(makeLibrary(db, "first"));
        QVERIFY(makeLibrary(db, "second"));
        QString out;
        QCOMPARE(runCli({"query", "--db", db, "--mode", "fast", "a dog"}, &out), 0);
        QVERIFY2(!out.contains("saved in the library"), qPrintable(out));
        QCOMPARE(runCli({"query", "--db", db, "--mode", "fast", "--save", "a dog"}, &out), 0);
        QVERIFY2(out.contains("saved in the library as query 1"), qPrintable(out));
        const int shown = static_cast<int>(out.count(QRegularExpression("\\n#\\d+ ")));
        QVERIFY2(shown > 0, qPrintable(out));
        {
            SqliteDb raw;
            QVERIFY(raw.open(db.toStdString(), SqliteOpen::ReadOnly).isOk());
            auto q = raw.prepare("SELECT text, options_json, (SELECT count(*) FROM results WHERE query_id = queries.id), "
                                 "(SELECT count(*) FROM traces WHERE query_id = queries.id) FROM queries");
            QVERIFY(q.step());
            QCOMPARE(QString::fromStdString(q.text(0)), QString("a dog"));
            const auto context = nlohmann::json::parse(q.text(1), nullptr, false);
            QVERIFY2(context.contains("options") && context.contains("sub_queries"), q.text(1).c_str());
            QCOMPARE(q.integer(2), shown);
            QCOMPARE(q.integer(3), shown);
            QVERIFY(!q.step());
        }
        {
            SqliteDb raw;
            QVERIFY(raw.open(db.toStdString()).isOk());
            QVERIFY(raw.exec("CREATE TRIGGER refuse BEFORE INSERT ON queries BEGIN SELECT RAISE(ABORT, 'disk says no'); END")
                        .isOk());
        }
        QCOMPARE(runCli({"query", "--db", db, "--mode", "fast", "--save", "a dog"}, &out), 1);
        QVERIFY2(out.contains("could not be saved") && out.contains("disk says no") && out.contains("#1 "),
                 qPrintable(out));
    }

    // Commands that only read open the library read-only: they work in a folder the user cannot write, never create
    // a file, and a command that must write says so at once.
    void readOnlyLibrary()
    {
        QTemporaryDir dir;
        const QString folder = dir.filePath("shelf");
        QVERIFY(QDir().mkpath(folder));
        const QString db = folder + "/lib.sqlite";
        QVERIFY(makeLibrary(db, "sample"));
        QVERIFY(!QFile::exists(db + "-wal")); // closed cleanly
        const QFile::Permissions r = QFile::ReadOwner | QFile::ReadGroup | QFile::ReadOther;
        const QFile::Permissions x = QFile::ExeOwner | QFile::ExeGroup | QFile::ExeOther;
        QVERIFY(QFile::setPermissions(dir.path(), r | x | QFile::WriteOwner));
        QVERIFY(QFile::setPermissions(folder, r | x));
        QVERIFY(QFile::setPermissions(db, r));
        // root writes anywhere: run the CLI as an unprivileged user then, with copies of the libraries it loads from
        // root's home.
        QString program = test::cliPath();
        QStringList prefix;
        QProcessEnvironment env;
        if (::geteuid() == 0) {
            if (QStandardPaths::findExecutable("setpriv").isEmpty())
                QSKIP("running as root without setpriv: cannot take write permission away");
            program = "setpriv";
            prefix = {"--reuid=65534", "--regid=65534", "--clear-groups", test::cliPath()};
            const QString libs = dir.filePath("libs");
            QVERIFY(QDir().mkpath(libs));
            QString ldd;
            QCOMPARE(test::runProcess("ldd", {test::cliPath()}, &ldd), 0);
            const QRegularExpression resolved("=> (\\S+) \\(");
            for (auto m = resolved.globalMatch(ldd); m.hasNext();) {
                const QString lib = m.next().captured(1);
                if (lib.startsWith(QDir::homePath()))
                    QVERIFY(QFile::copy(lib, libs + "/" + QFileInfo(lib).fileName()));
            }
            env.insert("LD_LIBRARY_PATH", libs);
            env.insert("HOME", dir.path());
        }
        QString out;
        QCOMPARE(runCli(prefix + QStringList{"list", "--db", db}, &out, program, env), 0);
        QVERIFY2(out.contains("sample") && out.contains("1 videos"), qPrintable(out));
        QCOMPARE(runCli(prefix + QStringList{"check", "--db", db}, &out, program, env), 0);
        QVERIFY2(out.contains("ok: schema"), qPrintable(out));
        QVERIFY2(runCli(prefix + QStringList{"remove", "--db", db, "sample"}, &out, program, env) > 0, qPrintable(out));
        QVERIFY2(out.contains("cannot be opened for writing") || out.contains("cannot be written"), qPrintable(out));
        // An ingest learns it at once, before analysing anything.
        QVERIFY2(runCli(prefix + QStringList{"ingest", "--db", db, folder}, &out, program, env) > 0, qPrintable(out));
        QVERIFY2(out.contains("cannot be opened for writing") && !out.contains("ingested"), qPrintable(out));
        QCOMPARE(runCli(prefix + QStringList{"query", "--db", db, "--mode", "fast", "--save", "a dog"}, &out, program,
                        env),
                 1);
        QVERIFY2(out.contains("#1 ") && out.contains("open read-only"), qPrintable(out));
        QCOMPARE(QDir(folder).entryList(QDir::Files).size(), 1);
        QVERIFY(QFile::setPermissions(folder, r | x | QFile::WriteOwner));
        QVERIFY(QFile::setPermissions(db, r | QFile::WriteOwner));
    }

    // A local video tool does not phone home: an ingest runs every vision runtime (ONNX Runtime included, whose
    // telemetry looks up Microsoft's endpoint within a second of starting) and must open no internet socket and
    // write nothing outside the library and the model cache. Watched with strace.
    void ingestOpensNoNetworkSocket()
    {
        TS_REQUIRE_CORPUS();
        if (QStandardPaths::findExecutable("strace").isEmpty())
            TS_MISSING("strace is not installed");
        if (test::runProcess("strace", {"-f", "-o", "/dev/null", "true"}) != 0)
            QSKIP("this machine does not allow tracing a child process (ptrace is refused)");
        QTemporaryDir dir;
        const QString video = dir.filePath("clip.mp4");
        QVERIFY(QFile::copy(test::corpusFile("davis2016/videos/bear.mp4"), video));
        const QString log = dir.filePath("strace.log");
        QString out;
        const int code = runCli({"-f", "-qq", "-e", "trace=socket,connect,openat", "-o", log, test::cliPath(), "ingest",
                                 "--db", dir.filePath("lib.sqlite"), video},
                                &out, "strace");
        QVERIFY2(code == 0 && out.contains("ingested 1"), qPrintable(out));
        QFile f(log);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(f.readAll()).split('\n');
        QVERIFY2(lines.filter(".onnx").size() > 0, "the ingest ran no ONNX model: the test watched nothing");
        for (const QString &line : lines) {
            const bool inet = line.contains("AF_INET") || line.contains("AF_INET6");
            const bool telemetry = line.contains("Microsoft") && !line.contains("ENOENT");
            QVERIFY2(!inet && !telemetry, qPrintable(line));
        }
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
