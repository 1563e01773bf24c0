// The embedded default specialists on real footage, and the TorchScript plug point with a tiny module the
// test makes itself (Debian's python3-torch scripts it).
#include "media/videoreader.h"
#include "services.h"
#include "testsupport.h"
#include "twin/maskio.h"
#include "vision/classifier.h"
#include "vision/detector.h"
#include "vision/segmenter.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/imgproc.hpp>

using namespace ts;

namespace {

cv::Mat frameOf(const QString &relative, FrameIndex index)
{
    auto r = VideoReader::open(test::corpusFile(relative).toStdString());
    if (!r)
        return {};
    auto f = r.value()->frameAt(index);
    return f ? f->bgr : cv::Mat();
}

Box gtBox(const QString &seq, int frame)
{
    auto m = readDavisPng(test::corpusFile(QString("davis2016/Annotations/480p/%1/%2.png").arg(seq).arg(frame, 5, 10, QChar('0')))
                              .toStdString());
    return m ? matToRle(*m).boundingBox() : Box{};
}

} // namespace

class TestSpecialists : public QObject {
    Q_OBJECT
    std::unique_ptr<Services> m_services;
    std::unique_ptr<SessionCache> m_sessions;

    const ModelManifest *require(const std::string &id)
    {
        const ModelManifest *m = m_services->models().find(id);
        if (!m || !m_services->models().availability(*m).available)
            return nullptr;
        return m;
    }

private slots:
    void initTestCase()
    {
        TS_REQUIRE_CORPUS();
        m_services = std::make_unique<Services>();
        m_sessions = std::make_unique<SessionCache>(m_services->backends());
    }

    void detectorFindsTheBear()
    {
        const ModelManifest *m = require("yolox_nano");
        if (!m)
            TS_MISSING("yolox_nano is not in the model cache (run scripts/setup.sh)");
        auto det = ObjectDetector::create(*m, m_services->models(), *m_sessions, {});
        QVERIFY2(det.isOk(), det.message().c_str());
        const cv::Mat img = frameOf("davis2016/videos/bear.mp4", 0);
        QVERIFY(!img.empty());
        auto dets = (*det)->detect(img, 0.3f);
        QVERIFY(dets.isOk());
        const Box gt = gtBox("bear", 0);
        float best = 0.f;
        std::string label;
        for (const Detection &d : *dets)
            if (boxIou(d.box, gt) > best) {
                best = boxIou(d.box, gt);
                label = (*det)->labels()[static_cast<size_t>(d.classId)].name;
            }
        QVERIFY2(best > 0.6f, qPrintable(QString("best IoU %1").arg(best)));
        QCOMPARE(QString::fromStdString(label), QStringLiteral("bear"));
    }

    void classifierNamesTheSpecies()
    {
        const ModelManifest *m = require("mobilenetv2_int8");
        if (!m)
            TS_MISSING("mobilenetv2_int8 is not in the model cache");
        auto cls = ImageClassifier::create(*m, m_services->models(), *m_sessions, {});
        QVERIFY2(cls.isOk(), cls.message().c_str());
        const cv::Mat img = frameOf("davis2016/videos/blackswan.mp4", 0);
        auto r = (*cls)->classify({img}, 5);
        QVERIFY(r.isOk());
        const ClassLabel &top = (*cls)->labels()[static_cast<size_t>(r->front().front().classId)];
        QCOMPARE(QString::fromStdString(top.name), QStringLiteral("black swan"));
        QCOMPARE(QString::fromStdString(top.synset), QStringLiteral("n01860187"));
    }

    void segmentersWithinTheBox_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("sequence");
        QTest::addColumn<double>("minIou");
        QTest::newRow("isnet on a swan") << "isnet_crop" << "blackswan" << 0.8;
        QTest::newRow("isnet on a bear") << "isnet_crop" << "bear" << 0.8;
        QTest::newRow("grabcut on a bear") << "grabcut" << "bear" << 0.7;
    }
    void segmentersWithinTheBox()
    {
        QFETCH(QString, model);
        QFETCH(QString, sequence);
        QFETCH(double, minIou);
        std::unique_ptr<PromptedSegmenter> seg;
        if (model == "grabcut") {
            seg = makeGrabCutSegmenter();
        } else {
            const ModelManifest *m = require(model.toStdString());
            if (!m)
                TS_MISSING("segmentation model not in the model cache");
            auto s = makeSegmenter(*m, m_services->models(), *m_sessions, {});
            QVERIFY2(s.isOk(), s.message().c_str());
            seg = std::move(s).value();
        }
        const cv::Mat img = frameOf("davis2016/videos/" + sequence + ".mp4", 0);
        auto gt = readDavisPng(test::corpusFile("davis2016/Annotations/480p/" + sequence + "/00000.png").toStdString());
        QVERIFY(gt.isOk());
        const Rle gtRle = matToRle(*gt);
        auto mask = seg->segment(img, {gtRle.boundingBox(), {}, {}});
        QVERIFY2(mask.isOk(), mask.message().c_str());
        const double iou = Rle::iou(matToRle(*mask), gtRle);
        QVERIFY2(iou > minIou, qPrintable(QString("%1 IoU %2").arg(model).arg(iou)));
    }

    void torchScriptPlugPoint()
    {
        if (!m_services->backends().find("torchscript"))
            TS_MISSING("this build has no LibTorch backend");
        QTemporaryDir dir;
        // A "SAM-class" module: image [1,3,H,W] and box [1,4] in, mask logits [1,1,H,W] out (the box itself).
        const QString script = dir.filePath("make.py");
        QFile f(script);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("import torch, sys\n"
                "class BoxSam(torch.nn.Module):\n"
                "    def forward(self, image, box):\n"
                "        h, w = image.shape[2], image.shape[3]\n"
                "        ys = torch.arange(h, dtype=torch.float32).view(1, 1, h, 1)\n"
                "        xs = torch.arange(w, dtype=torch.float32).view(1, 1, 1, w)\n"
                "        inside = (xs >= box[0, 0]) & (xs < box[0, 2]) & (ys >= box[0, 1]) & (ys < box[0, 3])\n"
                "        return inside.float() * 20.0 - 10.0\n"
                "torch.jit.script(BoxSam()).save(sys.argv[1])\n");
        f.close();
        QString out;
        const int rc = test::runProcess("/usr/bin/python3", {script, dir.filePath("boxsam.pt")}, &out);
        if (rc != 0)
            TS_MISSING("python3-torch could not script the test module: " + out.left(200));
        QFile manifest(dir.filePath("boxsam.json"));
        QVERIFY(manifest.open(QIODevice::WriteOnly));
        manifest.write(R"({"id": "boxsam", "role": "segmenter", "runtimes": ["torchscript"],
            "files": [{"name": "boxsam.pt"}],
            "input": {"width": 64, "height": 64, "layout": "nchw", "channels": "rgb", "scale": 0.0039215686,
                      "resize": "stretch"},
            "output": {"decoder": "prompted", "activation": "sigmoid"}})");
        manifest.close();
        ModelRegistry reg({dir.path().toStdString()}, dir.filePath("cache").toStdString());
        reg.loadManifests();
        const ModelManifest *m = reg.find("boxsam");
        QVERIFY(m);
        QVERIFY(reg.availability(*m).available);
        auto seg = makeSegmenter(*m, reg, *m_sessions, {});
        QVERIFY2(seg.isOk(), seg.message().c_str());
        QCOMPARE(QString::fromStdString((*seg)->runtime()), QStringLiteral("torchscript"));
        cv::Mat img(120, 160, CV_8UC3, cv::Scalar(50, 60, 70));
        const Box box{40, 30, 80, 60};
        auto mask = (*seg)->segment(img, {box, {}, {}});
        QVERIFY2(mask.isOk(), mask.message().c_str());
        const double iou = Rle::iou(matToRle(*mask), Rle::fromBox(box, 120, 160));
        QVERIFY2(iou > 0.9, qPrintable(QString::number(iou)));
    }
};

QTEST_GUILESS_MAIN(TestSpecialists)
#include "tst_specialists.moc"
