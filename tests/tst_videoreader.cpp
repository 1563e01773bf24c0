// The FFmpeg media layer on real footage and on every kind of broken file: a value with a message, never a crash
// or a hang. Run under valgrind by the memcheck_videoreader test.
#include "media/videoreader.h"
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/core.hpp>

#include <cstdlib>

using namespace ts;

namespace {

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestVideoReader : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_good; // a small generated H.264 file

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_good = m_dir.filePath("good.mp4");
        QVERIFY2(test::makeSyntheticVideo(m_good, "testsrc2=size=160x120:rate=25", 2.0), "ffmpeg could not make a video");
    }

    void metadataAndSequentialDecode()
    {
        auto r = VideoReader::open(m_good.toStdString());
        QVERIFY2(r.isOk(), r.message().c_str());
        const MediaInfo &info = r.value()->info();
        QCOMPARE(info.width, 160);
        QCOMPARE(info.height, 120);
        QCOMPARE(info.fps, 25.0);
        QCOMPARE(info.codec, std::string("h264"));
        DecodedFrame f;
        int n = 0;
        FrameIndex last = -1;
        while (true) {
            auto got = r.value()->next(f);
            QVERIFY(got.isOk());
            if (!got.value())
                break;
            QCOMPARE(f.frameIndex, last + 1);
            QCOMPARE(f.bgr.cols, 160);
            last = f.frameIndex;
            ++n;
        }
        QCOMPARE(n, 50);
        QCOMPARE(f.timeMs, int64_t(49 * 40));
    }

    void oddWidthRowsAreWhole()
    {
        // 854 = 8 * 106 + 6: swscale's fast YUV->BGR path left the last 6 columns unwritten.
        const QString path = m_dir.filePath("odd.mp4");
        QVERIFY(test::makeSyntheticVideo(path, "color=c=0x2080e0:size=854x48:rate=25", 0.2));
        auto r = VideoReader::open(path.toStdString());
        QVERIFY2(r.isOk(), r.message().c_str());
        DecodedFrame f;
        QVERIFY(r.value()->next(f).value());
        QCOMPARE(f.bgr.cols, 854);
        for (int y : {0, f.bgr.rows / 2, f.bgr.rows - 1}) {
            const cv::Vec3b first = f.bgr.at<cv::Vec3b>(y, 0);
            QVERIFY2(first[2] > 16 && first[0] > 160, "not the colour of the clip");
            for (int x = 846; x < 854; ++x) {
                const cv::Vec3b p = f.bgr.at<cv::Vec3b>(y, x);
                for (int c = 0; c < 3; ++c)
                    QVERIFY2(std::abs(p[c] - first[c]) <= 3, qPrintable(QString("pixel %1,%2 differs").arg(x).arg(y)));
            }
        }
    }

    void realClipFrameCountMatchesMasks()
    {
        TS_REQUIRE_CORPUS();
        const QString path = test::corpusFile("davis2016/videos/bear.mp4");
        auto r = VideoReader::open(path.toStdString());
        QVERIFY2(r.isOk(), r.message().c_str());
        QCOMPARE(r.value()->info().width, 854);
        QCOMPARE(r.value()->info().height, 480);
        DecodedFrame f;
        int n = 0;
        while (r.value()->next(f, false).value())
            ++n;
        const int masks = QDir(test::corpusFile("davis2016/Annotations/480p/bear")).entryList({"*.png"}).size();
        QCOMPARE(n, masks);
        QCOMPARE(static_cast<int>(r.value()->info().frameCount), masks);
    }

    void seekIsExact()
    {
        // Every frame reached by seeking equals the frame reached by decoding from the start.
        auto seq = VideoReader::open(m_good.toStdString());
        QVERIFY(seq.isOk());
        std::vector<cv::Mat> frames;
        DecodedFrame f;
        while (seq.value()->next(f).value())
            frames.push_back(f.bgr.clone());
        auto r = VideoReader::open(m_good.toStdString());
        QVERIFY(r.isOk());
        for (FrameIndex target : {37, 3, 49, 0, 26, 25, 1}) {
            auto got = r.value()->frameAt(target);
            QVERIFY2(got.isOk(), got.message().c_str());
            QCOMPARE(got->frameIndex, target);
            QCOMPARE(cv::norm(got->bgr, frames[static_cast<size_t>(target)], cv::NORM_INF), 0.0);
        }
        QVERIFY(!r.value()->frameAt(500).isOk());
        // After a seek, sequential reading continues from there.
        QVERIFY(r.value()->seekToFrame(10).isOk());
        QVERIFY(r.value()->next(f).value());
        QCOMPARE(f.frameIndex, FrameIndex(10));
        QVERIFY(r.value()->next(f).value());
        QCOMPARE(f.frameIndex, FrameIndex(11));
    }

    void thumbnail()
    {
        auto t = makeThumbnail(m_good.toStdString(), 64);
        QVERIFY2(t.isOk(), t.message().c_str());
        QCOMPARE(t->cols, 64);
        QCOMPARE(t->rows, 48);
    }

    void brokenFiles_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("expected"); // substring of the error, or "" when a partial decode is fine
        const QByteArray good = readFile(m_good);
        QVERIFY(!good.isEmpty());

        QString p = m_dir.filePath("empty.mp4");
        writeFile(p, {});
        QTest::newRow("zero bytes") << p << "not a media file";

        p = m_dir.filePath("text.mp4");
        writeFile(p, QByteArray("This is a shopping list, not a video.\n").repeated(50));
        QTest::newRow("text renamed mp4") << p << "not a media file";

        p = m_dir.filePath("truncated.mp4");
        writeFile(p, good.left(good.size() / 3));
        QTest::newRow("truncated") << p << "";

        p = m_dir.filePath("corrupt.mp4");
        QByteArray corrupt = good;
        for (int i = corrupt.size() / 4; i < corrupt.size() * 3 / 4; i += 7)
            corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5a);
        writeFile(p, corrupt);
        QTest::newRow("corrupt middle") << p << "";

        p = m_dir.filePath("garbage.mkv");
        QByteArray garbage(200000, '\0');
        for (int i = 0; i < garbage.size(); ++i)
            garbage[i] = static_cast<char>((i * 2654435761u) >> 13);
        writeFile(p, garbage);
        QTest::newRow("random bytes") << p << "";

        p = m_dir.filePath("image.mp4");
        QVERIFY(test::runProcess("ffmpeg", {"-y", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=64x48",
                                            "-frames:v", "1", "-f", "image2", "-c:v", "png", p}) == 0);
        QTest::newRow("png renamed mp4") << p << "image";

        p = m_dir.filePath("audio.mp4");
        QVERIFY(test::runProcess("ffmpeg", {"-y", "-loglevel", "error", "-f", "lavfi", "-i", "sine=duration=1",
                                            "-c:a", "aac", p}) == 0);
        QTest::newRow("audio only") << p << "no video stream";

        // An AVI whose codec tag nobody knows: "unsupported codec", naming the tag.
        p = m_dir.filePath("unknown-codec.avi");
        QVERIFY(test::makeSyntheticVideo(p, "testsrc2=size=64x48:rate=5", 1.0, "-c:v mjpeg"));
        QByteArray avi = readFile(p);
        avi.replace("MJPG", "QZXW");
        avi.replace("mjpg", "qzxw");
        writeFile(p, avi);
        QTest::newRow("unsupported codec") << p << "unsupported video codec";

        QTest::newRow("directory") << m_dir.path() << "not a media file";
        p = m_dir.filePath("dangling.mp4");
        QFile::link(m_dir.filePath("does-not-exist.mp4"), p);
        QTest::newRow("dangling symlink") << p << "not a media file";
    }
    void brokenFiles()
    {
        QFETCH(QString, path);
        QFETCH(QString, expected);
        ReaderOptions o;
        o.stallTimeoutMs = 5000;
        auto r = VideoReader::open(path.toStdString(), o);
        if (!expected.isEmpty()) {
            QVERIFY(!r.isOk());
            QVERIFY2(QString::fromStdString(r.message()).contains(expected), r.message().c_str());
            return;
        }
        if (!r.isOk()) {
            QVERIFY(!r.message().empty());
            return;
        }
        // Opened: decoding what is there must end, with frames or an error value, never a crash.
        DecodedFrame f;
        int n = 0;
        for (int guard = 0; guard < 1000; ++guard) {
            auto got = r.value()->next(f);
            if (!got.isOk() || !got.value())
                break;
            ++n;
        }
        QVERIFY(n < 1000);
    }
};

QTEST_GUILESS_MAIN(TestVideoReader)
#include "tst_videoreader.moc"
