// Masks between RLE, OpenCV and DAVIS PNG files (grey and palette), on synthetic and real annotations.
#include "testsupport.h"
#include "twin/maskio.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

using namespace ts;

class TestMaskIo : public QObject {
    Q_OBJECT
private slots:
    void matRoundTrip()
    {
        cv::Mat m(37, 53, CV_8UC1, cv::Scalar(0));
        cv::circle(m, {20, 15}, 9, cv::Scalar(255), -1);
        cv::rectangle(m, {40, 2}, {52, 36}, cv::Scalar(7), -1); // any nonzero value is foreground
        const Rle r = matToRle(m);
        QCOMPARE(static_cast<int>(r.area()), cv::countNonZero(m));
        cv::Mat back = rleToMat(r);
        QCOMPARE(cv::countNonZero(back != (m != 0)), 0);
        // A view with a row stride larger than its width.
        cv::Mat big(60, 80, CV_8UC1, cv::Scalar(0));
        m.copyTo(big(cv::Rect(5, 5, 53, 37)));
        QCOMPARE(matToRle(big(cv::Rect(5, 5, 53, 37))), r);
    }

    void pngRoundTrip()
    {
        QTemporaryDir dir;
        cv::Mat m(20, 30, CV_8UC1, cv::Scalar(0));
        cv::rectangle(m, {3, 4}, {12, 15}, cv::Scalar(1), -1);
        const QString path = dir.filePath("00000.png");
        QVERIFY(writeDavisPng(path.toStdString(), m).isOk());
        auto back = readDavisPng(path.toStdString());
        QVERIFY(back.isOk());
        QCOMPARE(matToRle(*back), matToRle(m));
        cv::Mat raw = cv::imread(path.toStdString(), cv::IMREAD_UNCHANGED);
        double mx = 0;
        cv::minMaxLoc(raw, nullptr, &mx);
        QCOMPARE(mx, 255.0); // stored as 0/255 like DAVIS-2016
    }

    void brokenFiles()
    {
        QTemporaryDir dir;
        QVERIFY(!readDavisPng(dir.filePath("missing.png").toStdString()).isOk());
        QFile junk(dir.filePath("junk.png"));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("definitely not a png");
        junk.close();
        auto r = readDavisPng(junk.fileName().toStdString());
        QVERIFY(!r.isOk());
        QVERIFY2(QString::fromStdString(r.message()).contains("not a PNG image"), r.message().c_str());
        QVERIFY(!writeDavisPng(dir.filePath("x.png").toStdString(), cv::Mat()).isOk());
        QVERIFY(!writeDavisPng("/nonexistent-dir/x.png", cv::Mat(2, 2, CV_8UC1, cv::Scalar(1))).isOk());
    }

    // A mask that would decode to gigabytes is refused from its header, before any pixel is decoded.
    void hugePngIsRefusedBeforeDecoding()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("huge.png");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        const unsigned char header[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
                                        0, 0, 0x4e, 0x20, 0, 0, 0x4e, 0x20, 8, 0, 0, 0, 0, 0, 0, 0, 0};
        f.write(reinterpret_cast<const char *>(header), sizeof(header));
        f.write(QByteArray(4096, '\0'));
        f.close();
        for (auto read : {&readDavisPng, &readInstancePng}) {
            auto r = read(path.toStdString());
            QVERIFY(!r.isOk());
            QVERIFY2(r.message().find("20000 x 20000 pixels; at most 16384") != std::string::npos, r.message().c_str());
        }
    }

    void realAnnotations()
    {
        TS_REQUIRE_CORPUS();
        // DAVIS-2016 ground truth (grey 0/255) and a palette-coded prediction of the same frame.
        auto gt = readDavisPng(test::corpusFile("davis2016/Annotations/480p/blackswan/00000.png").toStdString());
        QVERIFY(gt.isOk());
        QCOMPARE(gt->cols, 854);
        QCOMPARE(gt->rows, 480);
        const int area = cv::countNonZero(*gt);
        QVERIFY(area > 10000 && area < 100000);
        auto pal = readDavisPng(test::corpusFile("davis2016/reference_predictions/semi-supervised/osvos/blackswan/00000.png")
                                    .toStdString());
        QVERIFY(pal.isOk());
        // The reference method is accurate on this easy frame.
        QVERIFY(Rle::iou(matToRle(*gt), matToRle(*pal)) > 0.85);
        auto inst = readInstancePng(test::corpusFile("instances/cutie/masks/judo/00000.png").toStdString());
        if (inst.isOk()) {
            double mx = 0;
            cv::minMaxLoc(*inst, nullptr, &mx);
            QVERIFY(mx >= 1);
        }
    }
};

QTEST_GUILESS_MAIN(TestMaskIo)
#include "tst_maskio.moc"
