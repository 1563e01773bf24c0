// The explorer's item models under QAbstractItemModelTester, and the mask overlay helpers they feed.
#include "librarymodel.h"
#include "maskoverlay.h"
#include "resultsmodel.h"
#include "trackmodel.h"
#include "tst_gui_fixture.h"

#include <QAbstractItemModelTester>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace ts;
using namespace ts::guitest;

class TestGuiModels : public QObject {
    Q_OBJECT
private slots:
    void libraryModel()
    {
        QTemporaryDir dir;
        auto store = makeLibrary(dir.filePath("lib.sqlite"), {makeTwin("a", "/videos/a.mp4"), makeTwin("b", "/videos/b.mp4")});
        QVERIFY(store);
        QVERIFY(store->recordFailure("c", "/videos/c.mp4", "", 10, 1, 4, "no video stream").isOk());
        LibraryModel model(nullptr);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.reload(*store);
        QCOMPARE(model.rowCount(), 3);
        const int c = model.rowOfKey("c");
        QVERIFY(c >= 0);
        QCOMPARE(model.stateAt(c), IngestState::Failed);
        QVERIFY(model.index(c, LibraryModel::Status).data().toString().contains("no video stream"));
        QCOMPARE(model.index(model.rowOfKey("a"), LibraryModel::Tracks).data().toInt(), 2);

        // A file in flight without a row gets one; its progress shows; finishing removes it again.
        model.setLiveState("/videos/new.mp4", IngestState::Queued, 0.0);
        QCOMPARE(model.rowCount(), 4);
        const int n = model.rowOfPath("/videos/new.mp4");
        QCOMPARE(model.keyAt(n), QStringLiteral("new"));
        QVERIFY(!model.videoAt(n));
        model.setLiveState("/videos/new.mp4", IngestState::Ingesting, 0.25, "detect");
        QCOMPARE(model.index(n, 0).data(LibraryModel::ProgressRole).toDouble(), 0.25);
        QCOMPARE(model.index(n, 0).data(LibraryModel::StateRole).toInt(), static_cast<int>(IngestState::Ingesting));
        // A stored video being re-ingested shows the live state over its row, and keeps the row afterwards.
        const int a = model.rowOfKey("a");
        model.setLiveState("/videos/a.mp4", IngestState::Ingesting, 0.5);
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.stateAt(a), IngestState::Ingesting);
        model.clearLiveState("/videos/a.mp4");
        QCOMPARE(model.stateAt(a), IngestState::Done);
        // Reload keeps rows for files still in flight.
        model.reload(*store);
        QCOMPARE(model.rowCount(), 4);
        model.clearLiveState("/videos/new.mp4");
        QCOMPARE(model.rowCount(), 3);
        QVERIFY(store->removeVideo("b").isOk());
        model.reload(*store);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.rowOfKey("b"), -1);
    }

    void resultsModel()
    {
        ResultsModel model(nullptr, nullptr);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        FakeEngine engine({"x", "y", "z"});
        QTemporaryDir dir;
        auto store = makeLibrary(dir.filePath("lib.sqlite"), {});
        auto result = engine.run(*store, "q", {}, {}, {});
        QVERIFY(result);
        model.setResult(*result);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.index(0).data(ResultsModel::KeyRole).toString(), QStringLiteral("x"));
        QCOMPARE(model.index(2).data(ResultsModel::RankRole).toInt(), 3);
        QCOMPARE(model.index(0).data(ResultsModel::SatisfiedRole).value<QList<int>>(), (QList<int>{0, 1}));
        QCOMPARE(model.index(0).data(ResultsModel::SubQueryCountRole).toInt(), 2);
        QCOMPARE(model.index(0).data(ResultsModel::ObjectsRole).toStringList(), QStringList{"#1 dog"});
        QVERIFY(model.index(0).data(Qt::ToolTipRole).toString().contains("dog left of ball"));
        QCOMPARE(model.index(1).data(ResultsModel::GradeRole).toInt(), -1);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setGrade("y", 2);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(model.index(1).data(ResultsModel::GradeRole).toInt(), 2);
        QCOMPARE(ResultsModel::groundedTracks(*model.resultAt(0)), std::vector<TrackId>{1});
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void trackModel()
    {
        TrackModel model(nullptr);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const Twin twin = makeTwin("a", "/videos/a.mp4");
        model.setTracks(twin.tracks);
        QCOMPARE(model.rowCount(), 2);
        QSignalSpy visibility(&model, &TrackModel::visibilityChanged);
        QVERIFY(model.flags(model.index(0)) & Qt::ItemIsUserCheckable);
        QCOMPARE(model.index(0).data(Qt::CheckStateRole).toInt(), int(Qt::Checked));
        QVERIFY(model.setData(model.index(0), Qt::Unchecked, Qt::CheckStateRole));
        QCOMPARE(visibility.count(), 1);
        QCOMPARE(model.hiddenTracks(), QSet<TrackId>{1});
        model.setGrounded({2});
        QVERIFY(model.index(1).data(TrackModel::GroundedRole).toBool());
        model.showOnlyGrounded();
        QCOMPARE(model.hiddenTracks(), QSet<TrackId>{1});
        model.setAllVisible(false);
        QCOMPARE(model.hiddenTracks().size(), 2);
        model.setAllVisible(true);
        QVERIFY(model.hiddenTracks().isEmpty());
        model.setMarked({1});
        QVERIFY(model.index(0).data().toString().contains(QStringLiteral("★")));
    }

    void rleContainsMatchesDecoding_data()
    {
        QTest::addColumn<int>("seed");
        for (int s = 1; s <= 5; ++s)
            QTest::newRow(qPrintable(QStringLiteral("seed %1").arg(s))) << s;
    }
    void rleContainsMatchesDecoding()
    {
        QFETCH(int, seed);
        QRandomGenerator rng(static_cast<quint32>(seed));
        const int h = 17 + seed, w = 23 + 2 * seed;
        std::vector<uint8_t> pixels(static_cast<size_t>(h) * w);
        for (auto &p : pixels)
            p = rng.bounded(3) == 0 ? 1 : 0;
        const Rle rle = Rle::fromRowMajor(pixels.data(), h, w, static_cast<size_t>(w));
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x)
                QCOMPARE(rleContains(rle, x, y), pixels[static_cast<size_t>(y) * w + x] != 0);
        QVERIFY(!rleContains(rle, -1, 0));
        QVERIFY(!rleContains(rle, w, 0));
    }

    void overlayAndHitTest()
    {
        const Twin twin = makeTwin("a", "/videos/a.mp4");
        const FrameRecord &frame = twin.frames[0]; // dog box (10,20,40,30), ball (100,70,30,30), ball nearer
        OverlayStyle style;
        style.opacity = 0.5;
        QImage all = renderMaskOverlay(frame, kWidth, kHeight, style);
        QCOMPARE(all.size(), QSize(kWidth, kHeight));
        QVERIFY(qAlpha(all.pixel(30, 35)) > 0);
        QCOMPARE(qAlpha(all.pixel(5, 5)), 0);
        QVERIFY(qAbs(QColor(all.pixel(30, 35)).hue() - trackColor(1).hue()) <= 3);
        style.hidden = {1};
        const QImage noDog = renderMaskOverlay(frame, kWidth, kHeight, style);
        QCOMPARE(qAlpha(noDog.pixel(30, 35)), 0);
        QVERIFY(qAlpha(noDog.pixel(115, 85)) > 0);
        // Highlighting makes the fill stronger.
        style.hidden.clear();
        style.highlighted = {1};
        const QImage strong = renderMaskOverlay(frame, kWidth, kHeight, style);
        QVERIFY(qAlpha(strong.pixel(30, 35)) > qAlpha(all.pixel(30, 35)));

        QCOMPARE(instanceAt(frame, 30, 35), 0);
        QCOMPARE(instanceAt(frame, 115, 85), 1);
        QCOMPARE(instanceAt(frame, 5, 5), -1);
        // Where two overlap the nearer one wins.
        FrameRecord overlap = frame;
        overlap.instances[1].box = {20.f, 25.f, 10.f, 10.f};
        overlap.instances[1].mask = Rle::fromBox(overlap.instances[1].box, kHeight, kWidth);
        QCOMPARE(instanceAt(overlap, 24, 28), 1);
        QCOMPARE(trackColor(3), trackColor(3));
        QVERIFY(trackColor(1) != trackColor(2));
    }
};

QTEST_MAIN(TestGuiModels)
#include "tst_gui_models.moc"
