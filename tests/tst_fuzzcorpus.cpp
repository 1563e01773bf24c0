// The fuzz targets' committed corpus (fuzz/corpus: seeds and every input a fuzzer once crashed on) replayed through
// the same entry points in the normal build, so a fixed crash stays fixed; under the sanitizer build too.
#include "testsupport.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QTest>

#include <cstdint>
#include <functional>

int tsFuzz_rle(const std::uint8_t *data, std::size_t size);
int tsFuzz_twin_json(const std::uint8_t *data, std::size_t size);
int tsFuzz_query_set(const std::uint8_t *data, std::size_t size);
int tsFuzz_llm_reply(const std::uint8_t *data, std::size_t size);

using FuzzEntry = int (*)(const std::uint8_t *, std::size_t);
Q_DECLARE_METATYPE(FuzzEntry)

class TestFuzzCorpus : public QObject {
    Q_OBJECT
private slots:
    void replay_data()
    {
        QTest::addColumn<FuzzEntry>("entry");
        QTest::addColumn<QString>("file");
        const QString root = QStringLiteral(TS_FUZZ_CORPUS_DIR);
        const std::pair<const char *, FuzzEntry> targets[] = {
            {"rle", &tsFuzz_rle}, {"twin_json", &tsFuzz_twin_json}, {"query_set", &tsFuzz_query_set},
            {"llm_reply", &tsFuzz_llm_reply}};
        for (const auto &[name, entry] : targets) {
            const QDir dir(root + "/" + name);
            const QStringList files = dir.entryList(QDir::Files, QDir::Name);
            QVERIFY2(!files.isEmpty(), qPrintable("no corpus for " + QString(name)));
            for (const QString &f : files)
                QTest::newRow(qPrintable(QString(name) + "/" + f)) << entry << dir.filePath(f);
        }
    }

    // Each input runs to its end: no crash, no sanitizer report, no broken round trip (the targets abort on those).
    void replay()
    {
        QFETCH(FuzzEntry, entry);
        QFETCH(QString, file);
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        QCOMPARE(entry(reinterpret_cast<const std::uint8_t *>(bytes.constData()), static_cast<std::size_t>(bytes.size())),
                 0);
    }
};

QTEST_GUILESS_MAIN(TestFuzzCorpus)
#include "tst_fuzzcorpus.moc"
