// The colour-layout proxy for scene stuff, on synthetic frames with known layouts and on real corpus frames.
#include "media/videoreader.h"
#include "testsupport.h"
#include "vision/scenelayout.h"

#include <opencv2/imgproc.hpp>

#include <QTest>

using namespace ts;

namespace {

/// Two bands: top colour over bottom colour, with optional texture noise on each.
cv::Mat bands(cv::Scalar top, cv::Scalar bottom, double split, double topNoise, double bottomNoise)
{
    cv::Mat img(360, 640, CV_8UC3);
    const int y = static_cast<int>(img.rows * split);
    img(cv::Rect(0, 0, img.cols, y)).setTo(top);
    img(cv::Rect(0, y, img.cols, img.rows - y)).setTo(bottom);
    cv::RNG rng(7);
    for (auto [rect, noise] : {std::pair{cv::Rect(0, 0, img.cols, y), topNoise},
                               std::pair{cv::Rect(0, y, img.cols, img.rows - y), bottomNoise}}) {
        if (noise <= 0)
            continue;
        // Coarse blotches, as grass or foliage look at video resolution (pixel noise would average away).
        cv::Mat coarse(std::max(1, rect.height / 6), std::max(1, rect.width / 6), CV_8UC3), n;
        rng.fill(coarse, cv::RNG::NORMAL, cv::Scalar::all(0), cv::Scalar::all(noise));
        cv::resize(coarse, n, rect.size(), 0, 0, cv::INTER_NEAREST);
        cv::Mat roi = img(rect);
        cv::add(roi, n, roi, cv::noArray(), CV_8UC3);
    }
    return img;
}

bool has(const std::vector<StuffShare> &s, const std::string &name, float minShare)
{
    for (const StuffShare &x : s)
        if (x.name == name && x.share >= minShare)
            return true;
    return false;
}

} // namespace

class TestSceneLayout : public QObject {
    Q_OBJECT
private slots:
    void layouts_data()
    {
        QTest::addColumn<cv::Scalar>("top");
        QTest::addColumn<cv::Scalar>("bottom");
        QTest::addColumn<double>("bottomNoise");
        QTest::addColumn<QString>("topStuff");
        QTest::addColumn<QString>("bottomStuff");
        // BGR colours.
        QTest::newRow("sky over grass") << cv::Scalar(235, 180, 120) << cv::Scalar(40, 150, 60) << 25.0 << "sky" << "grass";
        QTest::newRow("sky over water") << cv::Scalar(240, 200, 150) << cv::Scalar(160, 90, 30) << 4.0 << "sky" << "water";
        QTest::newRow("sky over sand") << cv::Scalar(235, 190, 130) << cv::Scalar(150, 200, 225) << 3.0 << "sky" << "sand";
        QTest::newRow("sky over road") << cv::Scalar(240, 190, 130) << cv::Scalar(110, 110, 110) << 3.0 << "sky" << "road";
        QTest::newRow("trees over dirt") << cv::Scalar(40, 110, 50) << cv::Scalar(50, 90, 130) << 6.0 << "tree" << "soil";
    }
    void layouts()
    {
        QFETCH(cv::Scalar, top);
        QFETCH(cv::Scalar, bottom);
        QFETCH(double, bottomNoise);
        QFETCH(QString, topStuff);
        QFETCH(QString, bottomStuff);
        const auto s = sceneStuff(bands(top, bottom, 0.4, topStuff == "tree" ? 30.0 : 0.0, bottomNoise));
        QString got;
        for (const auto &x : s)
            got += QString::fromStdString(x.name) + QString(" %1 ").arg(x.share, 0, 'f', 2);
        QVERIFY2(has(s, topStuff.toStdString(), 0.25f), qPrintable(got));
        QVERIFY2(has(s, bottomStuff.toStdString(), 0.4f), qPrintable(got));
    }

    void excludedRegionsDoNotCount()
    {
        const cv::Mat img = bands(cv::Scalar(235, 180, 120), cv::Scalar(40, 150, 60), 0.4, 0, 25);
        cv::Mat exclude(img.size(), CV_8UC1, cv::Scalar(0));
        exclude(cv::Rect(0, 144, img.cols, img.rows - 144)).setTo(255); // the grass is "an object" here
        const auto s = sceneStuff(img, exclude);
        QVERIFY(!has(s, "grass", 0.05f));
        QVERIFY(has(s, "sky", 0.25f));
    }

    void plainIndoorFrameHasNoOutdoorStuff()
    {
        cv::Mat img(360, 640, CV_8UC3, cv::Scalar(60, 40, 180)); // a saturated red wall
        const auto s = sceneStuff(img);
        QVERIFY(!has(s, "sky", 0.05f) && !has(s, "grass", 0.05f) && !has(s, "water", 0.05f));
        QVERIFY(sceneStuff(cv::Mat()).empty());
    }

    void realFrames_data()
    {
        QTest::addColumn<QString>("clip");
        QTest::addColumn<QString>("stuff");
        QTest::newRow("boat on the sea") << "davis2016/videos/boat.mp4" << "water";
        QTest::newRow("soccer ball on a lawn") << "davis2016/videos/soccerball.mp4" << "grass";
        QTest::newRow("kite walk on a beach") << "davis2016/videos/kite-walk.mp4" << "sand";
        QTest::newRow("mallard on a pond") << "davis2016/videos/mallard-water.mp4" << "water";
        QTest::newRow("motocross on dirt") << "davis2016/videos/motocross-bumps.mp4" << "soil";
    }
    void realFrames()
    {
        TS_REQUIRE_CORPUS();
        QFETCH(QString, clip);
        QFETCH(QString, stuff);
        auto reader = VideoReader::open(test::corpusFile(clip).toStdString());
        QVERIFY2(reader, reader.message().c_str());
        auto frame = (*reader)->frameAt(10);
        QVERIFY2(frame, frame.message().c_str());
        const auto s = sceneStuff(frame->bgr);
        QString got;
        for (const auto &x : s)
            got += QString::fromStdString(x.name) + QString(" %1 ").arg(x.share, 0, 'f', 2);
        qInfo("%s: %s", qPrintable(clip), qPrintable(got));
        QVERIFY2(has(s, stuff.toStdString(), 0.1f), qPrintable(got));
    }
};

QTEST_GUILESS_MAIN(TestSceneLayout)
#include "tst_scenelayout.moc"
