// COCO RLE known answers: hand-computed cases and real pycocotools output (SA-V annotations).
#include "base/rle.h"
#include "testsupport.h"

#include <QFile>
#include <QTest>

#include <nlohmann/json.hpp>

using namespace ts;

Q_DECLARE_METATYPE(std::vector<uint32_t>)

class TestRle : public QObject {
    Q_OBJECT
private slots:
    void encode_data()
    {
        QTest::addColumn<int>("h");
        QTest::addColumn<int>("w");
        QTest::addColumn<QByteArray>("rowMajor");
        QTest::addColumn<std::vector<uint32_t>>("counts");
        QTest::addColumn<QString>("str");
        QTest::addColumn<int>("area");
        QTest::addColumn<QVector<float>>("bbox");
        // 0 1 0 / 0 1 1 / 0 0 0: columns read top to bottom give 000 110 010.
        QTest::newRow("3x3") << 3 << 3 << QByteArray("\0\1\0\0\1\1\0\0\0", 9) << std::vector<uint32_t>{3, 2, 2, 1, 1}
                             << "322OO" << 3 << QVector<float>{1, 0, 2, 2};
        QTest::newRow("1x1 set") << 1 << 1 << QByteArray("\1", 1) << std::vector<uint32_t>{0, 1} << "01" << 1
                                 << QVector<float>{0, 0, 1, 1};
        QTest::newRow("2x2 empty") << 2 << 2 << QByteArray(4, '\0') << std::vector<uint32_t>{4} << "4" << 0
                                   << QVector<float>{0, 0, 0, 0};
        QTest::newRow("2x2 full") << 2 << 2 << QByteArray(4, '\1') << std::vector<uint32_t>{0, 4} << "04" << 4
                                  << QVector<float>{0, 0, 2, 2};
        // A run that spans two columns: bbox takes full height (pycocotools' toBbox rule).
        QTest::newRow("wrap") << 3 << 2 << QByteArray("\0\1\0\0\1\0", 6) << std::vector<uint32_t>{2, 2, 2} << "222"
                              << 2 << QVector<float>{0, 0, 2, 3};
    }
    void encode()
    {
        QFETCH(int, h);
        QFETCH(int, w);
        QFETCH(QByteArray, rowMajor);
        QFETCH(std::vector<uint32_t>, counts);
        QFETCH(QString, str);
        QFETCH(int, area);
        QFETCH(QVector<float>, bbox);
        const Rle r = Rle::fromRowMajor(reinterpret_cast<const uint8_t *>(rowMajor.constData()), h, w, w);
        QCOMPARE(r.counts(), counts);
        QCOMPARE(QString::fromStdString(r.toString()), str);
        QCOMPARE(static_cast<int>(r.area()), area);
        const Box b = r.boundingBox();
        QCOMPARE((QVector<float>{b.x, b.y, b.w, b.h}), bbox);
        auto back = Rle::fromString(str.toStdString(), h, w);
        QVERIFY2(back.isOk(), back.message().c_str());
        QCOMPARE(back->counts(), counts);
        std::vector<uint8_t> decoded(static_cast<size_t>(h * w));
        back->toRowMajor(decoded.data(), static_cast<size_t>(w));
        QCOMPARE(QByteArray(reinterpret_cast<const char *>(decoded.data()), h * w), rowMajor);
        // Column-major input is what pycocotools' encode takes.
        const auto cm = r.toColumnMajor();
        QCOMPARE(Rle::fromColumnMajor(cm.data(), h, w).counts(), counts);
    }

    void largeCountsRoundTrip()
    {
        // Deltas against counts[i-2] go negative and need several characters.
        const Rle r(100, 100, {100, 5000, 17, 3, 4880});
        QCOMPARE(QString::fromStdString(Rle(1, 100, {100}).toString()), QStringLiteral("T3"));
        auto back = Rle::fromString(r.toString(), 100, 100);
        QVERIFY(back.isOk());
        QCOMPARE(back->counts(), r.counts());
    }

    // Empty runs inside a string from another encoder describe the same mask as without them: read canonically, so
    // equal masks compare equal.
    void emptyRunsAreMerged()
    {
        const Rle fiveOff(1, 5, {5});
        auto withEmpty = Rle::fromString("302", 1, 5); // 3 off, 0 on, 2 off
        QVERIFY(withEmpty.isOk());
        QVERIFY(*withEmpty == fiveOff);
        auto leadingOn = Rle::fromString("032M", 1, 5); // 0 off, 3 on, 2 off, 0 on (stored as 3 - 3)
        QVERIFY(leadingOn.isOk());
        QCOMPARE(leadingOn->counts(), (std::vector<uint32_t>{0, 3, 2}));
        QCOMPARE(leadingOn->area(), uint64_t(3));
    }

    void rejectsBrokenStrings_data()
    {
        QTest::addColumn<QByteArray>("counts");
        QTest::newRow("count longer than 32 bits") << QByteArray("ooooooo0");
        QTest::newRow("truncated continuation") << QByteArray("T");
        QTest::newRow("bad char") << QByteArray("3 2");
        QTest::newRow("wrong total") << QByteArray("5");
    }
    void rejectsBrokenStrings()
    {
        QFETCH(QByteArray, counts);
        QVERIFY(!Rle::fromString(counts.toStdString(), 2, 2).isOk());
    }

    void setOperations()
    {
        // Two 4x4 boxes overlapping in a 2x2 square.
        const Rle a = Rle::fromBox({0, 0, 3, 3}, 4, 4), b = Rle::fromBox({1, 1, 3, 3}, 4, 4);
        QCOMPARE(a.area(), uint64_t(9));
        QCOMPARE(Rle::intersectionArea(a, b), uint64_t(4));
        QCOMPARE(Rle::merge(a, b, false).area(), uint64_t(14));
        QCOMPARE(Rle::iou(a, b), 4.0 / 14.0);
        QCOMPARE(Rle::iou(Rle::empty(4, 4), Rle::empty(4, 4)), 1.0);
        QCOMPARE(Rle::iou(a, Rle::empty(4, 4)), 0.0);
        QCOMPARE(Rle::unite({a, b, Rle::empty(4, 4)}).area(), uint64_t(14));
        const Box bb = Rle::merge(a, b, true).boundingBox();
        QCOMPARE(bb, (Box{1, 1, 2, 2}));
        QVERIFY(Rle::merge(a, Rle::empty(3, 3), false).counts().empty()); // size mismatch
    }

    void savKnownAnswers()
    {
        // SA-V masklets were written by pycocotools; masklet_size_abs is their mean area over visible frames.
        TS_REQUIRE_CORPUS();
        QFile f(test::corpusFile("instances/sav/sav_000001_manual.json"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto j = nlohmann::json::parse(f.readAll().toStdString());
        const int n = j["masklet_num"].get<int>();
        std::vector<double> sum(static_cast<size_t>(n), 0.0);
        std::vector<int> visible(static_cast<size_t>(n), 0);
        for (const auto &frame : j["masklet"]) {
            for (int i = 0; i < n; ++i) {
                const auto &m = frame[static_cast<size_t>(i)];
                const std::string counts = m["counts"].get<std::string>();
                auto r = Rle::fromString(counts, m["size"][0].get<int>(), m["size"][1].get<int>());
                QVERIFY2(r.isOk(), r.message().c_str());
                QCOMPARE(r->toString(), counts); // bit-exact re-encoding
                if (r->area() > 0) {
                    sum[static_cast<size_t>(i)] += static_cast<double>(r->area());
                    ++visible[static_cast<size_t>(i)];
                }
            }
        }
        for (int i = 0; i < n; ++i)
            QVERIFY(qAbs(sum[static_cast<size_t>(i)] / visible[static_cast<size_t>(i)] -
                         j["masklet_size_abs"][static_cast<size_t>(i)].get<double>()) < 1e-6);
    }
};

QTEST_GUILESS_MAIN(TestRle)
#include "tst_rle.moc"
