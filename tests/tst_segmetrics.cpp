// Region J and contour F: hand-computed cases, broken inputs, and the known answer of the official DAVIS
// evaluation code (OSVOS and RVOS predictions on the 20 DAVIS-2016 val sequences, reference CSV in the corpus).
#include "eval/segmetrics.h"
#include "eval/twingrounding.h"
#include "testsupport.h"
#include "twin/maskio.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/imgproc.hpp>

#include <cmath>

using namespace ts;

Q_DECLARE_METATYPE(cv::Mat)

namespace {

cv::Mat boxMask(int h, int w, std::initializer_list<cv::Rect> boxes)
{
    cv::Mat m(h, w, CV_8U, cv::Scalar(0));
    for (const cv::Rect &r : boxes)
        m(r & cv::Rect(0, 0, w, h)).setTo(255);
    return m;
}

// The CSV's method column names the folder of the predictions.
QString methodFolder(const QString &method)
{
    if (method.startsWith("osvos"))
        return "semi-supervised/osvos";
    if (method.startsWith("rvos"))
        return "unsupervised/rvos";
    return {};
}

constexpr double kTolerance = 0.005;

} // namespace

class TestSegMetrics : public QObject {
    Q_OBJECT
private slots:
    void handComputed_data()
    {
        QTest::addColumn<cv::Mat>("prediction");
        QTest::addColumn<cv::Mat>("truth");
        QTest::addColumn<double>("j");
        QTest::addColumn<double>("f");
        const cv::Mat box = boxMask(10, 10, {{0, 0, 4, 4}});
        QTest::newRow("identical") << box << box.clone() << 1.0 << 1.0;
        QTest::newRow("both empty") << boxMask(10, 10, {}) << boxMask(10, 10, {}) << 1.0 << 1.0;
        QTest::newRow("empty prediction") << boxMask(10, 10, {}) << box << 0.0 << 0.0;
        QTest::newRow("empty truth") << box << boxMask(10, 10, {}) << 0.0 << 0.0;
        // Tolerance ceil(0.008 * 14.1) = 1 px. The stray 2x2 box adds 8 boundary pixels to the 7 that match:
        // precision 7/15, recall 1.
        QTest::newRow("stray blob") << boxMask(10, 10, {{0, 0, 4, 4}, {6, 6, 2, 2}}) << box << 16.0 / 20.0
                                    << 14.0 / 22.0;
        // One column off in 100x100 (tolerance 2 px): every boundary pixel matches, J = 39*40 / (41*40).
        QTest::newRow("one pixel shift") << boxMask(100, 100, {{21, 20, 40, 40}})
                                         << boxMask(100, 100, {{20, 20, 40, 40}})
                                         << 39.0 / 41.0 << 1.0;
        // Far apart: no boundary pixel is within the tolerance of the other's.
        QTest::newRow("disjoint") << boxMask(100, 100, {{60, 60, 10, 10}}) << boxMask(100, 100, {{10, 10, 10, 10}})
                                  << 0.0 << 0.0;
    }
    void handComputed()
    {
        QFETCH(cv::Mat, prediction);
        QFETCH(cv::Mat, truth);
        QFETCH(double, j);
        QFETCH(double, f);
        QVERIFY(std::fabs(regionJ(prediction, truth) - j) < 1e-9);
        const double got = contourF(prediction, truth);
        QVERIFY2(std::fabs(got - f) < 1e-9, qPrintable(QString("F = %1, expected %2").arg(got).arg(f)));
    }

    void boundaryMapOfOnePixel()
    {
        // seg2bmap marks a pixel whose east, south or south-east neighbour differs: for a single set pixel at
        // (1,1) that is the pixel itself and its north, west and north-west neighbours.
        const cv::Mat b = boundaryMap(boxMask(3, 3, {{1, 1, 1, 1}}));
        const cv::Mat expected = boxMask(3, 3, {{0, 0, 2, 2}});
        const cv::Mat diff = b != expected;
        QCOMPARE(cv::countNonZero(diff), 0);
        // The last row and column compare along one axis only; the corner is always clear.
        QCOMPARE(cv::countNonZero(boundaryMap(boxMask(3, 3, {{0, 0, 3, 3}}))), 0);
    }

    void folderErrors()
    {
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkpath("gt") && QDir(dir.path()).mkpath("pred"));
        const std::string gt = dir.filePath("gt").toStdString(), pred = dir.filePath("pred").toStdString();
        const cv::Mat m = boxMask(20, 30, {{5, 5, 10, 10}});
        QVERIFY(writeDavisPng(gt + "/00000.png", m).isOk());
        QVERIFY(writeDavisPng(gt + "/00001.png", m).isOk());
        QVERIFY(writeDavisPng(pred + "/00000.png", m).isOk());

        auto missing = scoreMaskFolders(pred, gt);
        QVERIFY(!missing.isOk());
        QVERIFY(QString::fromStdString(missing.message()).contains("00001.png: missing prediction"));

        QVERIFY(writeDavisPng(pred + "/00001.png", boxMask(10, 30, {})).isOk());
        auto size = scoreMaskFolders(pred, gt);
        QVERIFY(!size.isOk());
        QVERIFY(QString::fromStdString(size.message()).contains("differs from the ground truth"));

        QVERIFY(writeDavisPng(pred + "/00001.png", boxMask(20, 30, {})).isOk());
        auto ok = scoreMaskFolders(pred, gt);
        QVERIFY2(ok.isOk(), ok.message().c_str());
        QCOMPARE(ok->frames(), 2);
        QCOMPARE(ok->j[0], 1.0);
        QCOMPARE(ok->j[1], 0.0);
        QCOMPARE(ok->meanJ(), 0.5);
        QCOMPARE(ok->meanF(FrameSubset::Inner), 0.5); // two frames have no inner frames: the mean over all

        QVERIFY(!scoreMaskFolders(pred, dir.filePath("none").toStdString()).isOk());
        QFile junk(QString::fromStdString(gt + "/00002.png"));
        QVERIFY(junk.open(QIODevice::WriteOnly) && junk.write("not a png") > 0);
        junk.close();
        QVERIFY(!scoreMaskFolders(pred, gt).isOk());

        CancelToken cancel;
        cancel.cancel();
        QVERIFY(!scoreMaskFolders(pred, gt, ContourMeasure::Compute, cancel).isOk());
    }

    // A query set's ground truth of the wrong size is a mistake to report, not a J of 0 to average in.
    void groundTruthOfAnotherSize()
    {
        QTemporaryDir dir;
        const std::string folder = dir.path().toStdString();
        QVERIFY(writeDavisPng(folder + "/00000.png", boxMask(20, 30, {{5, 5, 10, 10}})).isOk());
        QVERIFY(writeDavisPng(folder + "/00001.png", boxMask(20, 30, {})).isOk());
        auto gt = loadGroundTruthFolder(folder);
        QVERIFY2(gt.isOk(), gt.message().c_str());
        Twin twin;
        twin.video.width = 30;
        twin.video.height = 20;
        QVERIFY(groundTruthSizeProblem(twin, *gt).empty());
        twin.video.width = 60;
        twin.video.height = 40;
        const std::string why = groundTruthSizeProblem(twin, *gt);
        QVERIFY2(why.find("ground-truth masks are 30 x 20, the video is 60 x 40") != std::string::npos, why.c_str());

        QVERIFY(writeDavisPng(folder + "/00002.png", boxMask(40, 60, {})).isOk());
        auto mixed = loadGroundTruthFolder(folder);
        QVERIFY(!mixed.isOk());
        QVERIFY2(mixed.message().find("masks of different sizes") != std::string::npos, mixed.message().c_str());
    }

    void davisKnownAnswer_data()
    {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("sequence");
        QTest::addColumn<int>("frames");
        QTest::addColumn<QVector<double>>("reference"); // J all, F all, J inner, F inner
        const QString csv = test::corpusFile("davis2016/reference_predictions/reference_JF_vs_davis2016_gt.csv");
        QFile f(csv);
        if (test::corpusDir().isEmpty() || !f.open(QIODevice::ReadOnly)) {
            QTest::newRow("no corpus") << QString() << QString() << 0 << QVector<double>{};
            return;
        }
        const QStringList lines = QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
        // Header: method,sequence,frames,J_mean_all,F_mean_all,J_mean_inner,F_mean_inner
        for (int i = 1; i < lines.size(); ++i) {
            const QStringList c = lines[i].trimmed().split(',');
            if (c.size() != 7)
                continue;
            QTest::newRow(qPrintable(c[0].section('_', 0, 0) + "/" + c[1]))
                << c[0] << c[1] << c[2].toInt()
                << QVector<double>{c[3].toDouble(), c[4].toDouble(), c[5].toDouble(), c[6].toDouble()};
        }
    }
    void davisKnownAnswer()
    {
        TS_REQUIRE_CORPUS();
        QFETCH(QString, method);
        QFETCH(QString, sequence);
        QFETCH(int, frames);
        QFETCH(QVector<double>, reference);
        QVERIFY2(!methodFolder(method).isEmpty(), qPrintable("unknown method " + method));
        const QString pred =
            test::corpusFile("davis2016/reference_predictions/" + methodFolder(method) + "/" + sequence);
        const QString gt = test::corpusFile("davis2016/Annotations/480p/" + sequence);
        auto s = scoreMaskFolders(pred.toStdString(), gt.toStdString());
        QVERIFY2(s.isOk(), s.message().c_str());
        QCOMPARE(s->frames(), frames);
        const double got[] = {s->meanJ(FrameSubset::All), s->meanF(FrameSubset::All), s->meanJ(FrameSubset::Inner),
                              s->meanF(FrameSubset::Inner)};
        const char *names[] = {"J all", "F all", "J inner", "F inner"};
        for (int i = 0; i < 4; ++i)
            QVERIFY2(std::fabs(got[i] - reference[i]) < kTolerance,
                     qPrintable(QString("%1 %2 %3: %4 vs reference %5")
                                    .arg(method, sequence, names[i])
                                    .arg(got[i], 0, 'f', 5)
                                    .arg(reference[i], 0, 'f', 5)));
    }
};

QTEST_GUILESS_MAIN(TestSegMetrics)
#include "tst_segmetrics.moc"
