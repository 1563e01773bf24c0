// The command line as a user meets it: a library path with a typo is an error, not a new empty library; an
// over-long query is refused with the limit; names from files and videos cannot drive the terminal; F that was not
// computed says so; an ingest stays off the network. Each case runs the real twinseek-cli.
#include "store/twinstore.h"
#include "testsupport.h"

#include <QFile>
#include <QProcessEnvironment>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace ts;

namespace {

int runCli(const QStringList &args, QString *out, const QString &program = test::cliPath())
{
    QProcess cli;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
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
