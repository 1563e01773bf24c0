// Units of the vision layer that need no model: tracking, colour names, geometry attributes, NMS,
// relationships, preprocessing, label files and model manifests.
#include "testsupport.h"
#include "vision/attributes.h"
#include "vision/detector.h"
#include "vision/inference.h"
#include "vision/labels.h"
#include "vision/modelregistry.h"
#include "vision/preprocess.h"
#include "vision/relations.h"
#include "vision/tracker.h"
#include "vision/twinbuilder.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/imgproc.hpp>

using namespace ts;

namespace {

void writeText(const QString &path, const QByteArray &text)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(text);
}

Instance inst(TrackId id, Box b, float depth = 0.5f)
{
    Instance in;
    in.trackId = id;
    in.box = b;
    in.centroidX = b.centerX() / 100.f;
    in.centroidY = b.centerY() / 100.f;
    in.depth = {depth, "proxy"};
    in.areaPx = static_cast<int64_t>(b.area());
    return in;
}

} // namespace

class TestVisionUnits : public QObject {
    Q_OBJECT
private slots:
    // GPU selection for ONNX Runtime, tested without a GPU: CUDA only when the session prefers a GPU and the runtime
    // lists the CUDA provider; otherwise the CPU, saying why.
    void ortProviderChoice_data()
    {
        QTest::addColumn<bool>("preferGpu");
        QTest::addColumn<QStringList>("providers");
        QTest::addColumn<bool>("library");
        QTest::addColumn<bool>("cuda");
        QTest::addColumn<QString>("note");
        const QStringList gpuBuild = {"TensorrtExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider"};
        QTest::newRow("gpu build, gpu preferred") << true << gpuBuild << true << true << "";
        QTest::newRow("gpu build, cpu asked for") << false << gpuBuild << true << false << "the CPU was asked for";
        QTest::newRow("provider listed, library missing")
            << true << gpuBuild << false << false << "libonnxruntime_providers_cuda.so) is not installed";
        QTest::newRow("cpu build") << true << QStringList{"CPUExecutionProvider"} << false << false
                                   << "no CUDA provider";
        // A build without CUDA compiled in still loads the provider library beside it.
        QTest::newRow("not listed, library installed")
            << true << QStringList{"CPUExecutionProvider"} << true << true << "";
    }
    void ortProviderChoice()
    {
        QFETCH(bool, preferGpu);
        QFETCH(QStringList, providers);
        QFETCH(bool, library);
        QFETCH(bool, cuda);
        QFETCH(QString, note);
        std::vector<std::string> list;
        for (const QString &p : providers)
            list.push_back(p.toStdString());
        const ProviderChoice c = chooseOrtProvider(preferGpu, list, library);
        QCOMPARE(c.cuda, cuda);
        QVERIFY2(QString::fromStdString(c.note).contains(note), c.note.c_str());
        QCOMPARE(c.note.empty(), cuda);
    }

    void trackerKeepsIdentities()
    {
        MultiObjectTracker tracker;
        // Two objects moving towards each other horizontally, then one hidden for three frames.
        std::vector<TrackId> first;
        for (int f = 0; f < 10; ++f) {
            std::vector<TrackObservation> obs;
            obs.push_back({{10.f + 5 * f, 10, 20, 20}, "thing", 0.9f, {}});
            if (f < 4 || f > 6)
                obs.push_back({{150.f - 5 * f, 60, 20, 20}, "thing", 0.9f, {}});
            const auto ids = tracker.update(obs, f);
            if (f == 0) {
                first = ids;
                QVERIFY(ids[0] != ids[1]);
            }
            QCOMPARE(ids[0], first[0]);
            if (obs.size() > 1)
                QCOMPARE(ids[1], first[1]); // survived the occlusion through its velocity
        }
    }

    void trackerSeparatesClasses()
    {
        MultiObjectTracker tracker;
        const auto a = tracker.update({{{10, 10, 20, 20}, "0", 0.9f, {}}}, 0);
        const auto b = tracker.update({{{11, 10, 20, 20}, "thing", 0.9f, {}}}, 1);
        QVERIFY(a[0] != b[0]);
    }

    void appearance()
    {
        cv::Mat img(40, 80, CV_8UC3, cv::Scalar(0, 0, 255));
        img(cv::Rect(40, 0, 40, 40)).setTo(cv::Scalar(255, 0, 0));
        const cv::Mat red = appearanceOf(img, {0, 0, 40, 40}), blue = appearanceOf(img, {40, 0, 40, 40});
        QVERIFY(appearanceSimilarity(red, red) > 0.99f);
        QVERIFY(appearanceSimilarity(red, blue) < 0.1f);
        QCOMPARE(appearanceSimilarity(red, cv::Mat()), 0.5f);
    }

    void colourNames_data()
    {
        QTest::addColumn<int>("r");
        QTest::addColumn<int>("g");
        QTest::addColumn<int>("b");
        QTest::addColumn<QString>("name");
        QTest::newRow("red") << 210 << 25 << 30 << "red";
        QTest::newRow("yellow") << 245 << 220 << 50 << "yellow";
        QTest::newRow("blue") << 30 << 70 << 210 << "blue";
        QTest::newRow("black") << 10 << 12 << 10 << "black";
        QTest::newRow("white") << 250 << 250 << 248 << "white";
        QTest::newRow("grey") << 120 << 122 << 125 << "grey";
        QTest::newRow("brown") << 115 << 70 << 35 << "brown";
        QTest::newRow("pink") << 245 << 150 << 190 << "pink";
        QTest::newRow("green") << 40 << 160 << 50 << "green";
        QTest::newRow("orange") << 245 << 130 << 20 << "orange";
    }
    void colourNames()
    {
        QFETCH(int, r);
        QFETCH(int, g);
        QFETCH(int, b);
        QFETCH(QString, name);
        QCOMPARE(QString::fromStdString(nearestColourName(r, g, b)), name);
    }

    void colourSharesUseTheMask()
    {
        cv::Mat img(50, 50, CV_8UC3, cv::Scalar(30, 200, 40)); // green background
        cv::Mat mask(50, 50, CV_8UC1, cv::Scalar(0));
        cv::circle(img, {25, 25}, 15, cv::Scalar(30, 30, 210), -1); // red disc
        cv::circle(mask, {25, 25}, 14, cv::Scalar(255), -1);
        const auto colours = nameColours(img, mask, {0, 0, 50, 50});
        QVERIFY(!colours.empty());
        QCOMPARE(QString::fromStdString(colours[0].name), QStringLiteral("red"));
        QVERIFY(colours[0].share > 0.9f);
        const auto unmasked = nameColours(img, cv::Mat(), {0, 0, 50, 50});
        QCOMPARE(QString::fromStdString(unmasked[0].name), QStringLiteral("green"));
    }

    void geometryWords()
    {
        QCOMPARE(QString::fromStdString(sizeClass(0.001)), QStringLiteral("tiny"));
        QCOMPARE(QString::fromStdString(sizeClass(0.5)), QStringLiteral("dominant"));
        QCOMPARE(QString::fromStdString(positionInFrame(0.1f, 0.9f)), QStringLiteral("bottom-left"));
        QCOMPARE(QString::fromStdString(positionInFrame(0.5f, 0.5f)), QStringLiteral("centre"));
        QCOMPARE(QString::fromStdString(motionClass(0.0f)), QStringLiteral("static"));
        QCOMPARE(QString::fromStdString(motionClass(0.5f)), QStringLiteral("fast"));
        QCOMPARE(QString::fromStdString(directionWord(0.3f, 0.01f, 0.f)), QStringLiteral("right"));
        QCOMPARE(QString::fromStdString(directionWord(0.0f, -0.2f, 0.f)), QStringLiteral("up"));
        QCOMPARE(QString::fromStdString(directionWord(0.01f, 0.f, 1.2f)), QStringLiteral("towards camera"));
        cv::Mat tall(100, 100, CV_8UC1, cv::Scalar(0));
        tall(cv::Rect(40, 5, 20, 90)).setTo(255);
        QVERIFY(QString::fromStdString(shapeOf(tall, {40, 5, 20, 90})).startsWith("tall"));
    }

    void nms()
    {
        std::vector<Detection> d = {{{0, 0, 10, 10}, 1, 0.9f}, {{1, 1, 10, 10}, 1, 0.8f}, {{1, 1, 10, 10}, 2, 0.7f},
                                    {{50, 50, 10, 10}, 1, 0.6f}};
        const auto kept = nonMaximumSuppression(d, 0.5f);
        QCOMPARE(kept.size(), size_t(3));
        QCOMPARE(kept[0].score, 0.9f);
    }

    void relationships()
    {
        Twin t;
        t.video.width = t.video.height = 100;
        t.video.fps = 10;
        t.video.durationMs = 1000;
        // Track 1 stays left; track 2 moves in from the right and gets close; track 3 appears late.
        for (int f = 0; f < 10; ++f) {
            FrameRecord fr;
            fr.frameIndex = f;
            fr.instances.push_back(inst(1, {5, 40, 10, 10}, 0.3f));
            fr.instances.push_back(inst(2, {80.f - 6 * f, 40, 10, 10}, 0.6f));
            if (f >= 6)
                fr.instances.push_back(inst(3, {40, 5, 10, 10}));
            t.frames.push_back(fr);
        }
        t.tracks = {Track{1}, Track{2}, Track{3}};
        t.tracks[0].firstFrame = 0, t.tracks[0].lastFrame = 9;
        t.tracks[1].firstFrame = 0, t.tracks[1].lastFrame = 9;
        t.tracks[2].firstFrame = 6, t.tracks[2].lastFrame = 9;
        const auto rels = extractRelationships(t);
        auto has = [&](TrackId s, const char *p, TrackId o) {
            return std::any_of(rels.begin(), rels.end(), [&](const Relationship &r) {
                return r.subject == s && r.predicate == p && r.object == o;
            });
        };
        QVERIFY(has(1, "left of", 2));
        QVERIFY(!has(2, "left of", 1));
        QVERIFY(has(1, "approaching", 2));
        QVERIFY(has(3, "appears", 0));
        QVERIFY(has(3, "above", 1) || has(3, "above", 2));
    }

    void letterboxMapsBack()
    {
        InputSpec spec;
        spec.width = spec.height = 100;
        spec.resize = "letterbox";
        cv::Mat img(50, 200, CV_8UC3, cv::Scalar(10, 20, 30));
        InputTransform t;
        const Tensor x = imageToTensor(img, spec, &t);
        QCOMPARE(x.shape, (std::vector<int64_t>{1, 3, 100, 100}));
        QCOMPARE(t.scaleX, 0.5f);
        QCOMPARE(t.toSourceX(50.f), 100.f);
        QCOMPARE(x.data[0], 10.f); // B first, unnormalised
        spec.channels = "rgb";
        spec.layout = "nhwc";
        spec.scale = 1.f / 255.f;
        const Tensor y = imageToTensor(img, spec);
        QCOMPARE(y.shape, (std::vector<int64_t>{1, 100, 100, 3}));
        QVERIFY(qAbs(y.data[0] - 30.f / 255.f) < 1e-6f);
    }

    void labelFiles()
    {
        QTemporaryDir dir;
        writeText(dir.filePath("a.tsv"), "# comment\n0\tdog\tn02084071\n1\tcat\tn02121620\n");
        writeText(dir.filePath("b.txt"), "n01440764 tench, Tinca tinca\nn01443537 goldfish, Carassius auratus\n");
        writeText(dir.filePath("c.txt"), "person\nbicycle\n");
        writeText(dir.filePath("bad.tsv"), "0\tdog\tnot-a-synset\n");
        auto a = loadLabels(dir.filePath("a.tsv").toStdString());
        QVERIFY(a.isOk());
        QCOMPARE(a->at(1).synset, std::string("n02121620"));
        auto b = loadLabels(dir.filePath("b.txt").toStdString());
        QCOMPARE(b->at(1).name, std::string("goldfish"));
        QCOMPARE(b->at(1).synonyms.size(), size_t(2));
        QCOMPARE(loadLabels(dir.filePath("c.txt").toStdString())->at(1).name, std::string("bicycle"));
        auto bad = loadLabels(dir.filePath("bad.tsv").toStdString());
        QVERIFY(!bad.isOk());
        QVERIFY(QString::fromStdString(bad.message()).contains(":1:"));
        QVERIFY(!loadLabels(dir.filePath("none.txt").toStdString()).isOk());
    }

    void remaskPolicy_data()
    {
        QTest::addColumn<int>("lastModel");
        QTest::addColumn<int>("interval");
        QTest::addColumn<int>("now");
        QTest::addColumn<double>("fit");
        QTest::addColumn<double>("fitAtModel");
        QTest::addColumn<bool>("due");
        // minInterval 6, maxInterval 24, fitDrop 0.15
        QTest::newRow("never masked") << -1 << 0 << 3 << 0.0 << 0.0 << true;
        QTest::newRow("interval running, fit held") << 10 << 12 << 17 << 0.70 << 0.72 << false;
        QTest::newRow("interval up") << 10 << 12 << 22 << 0.70 << 0.72 << true;
        QTest::newRow("drift after the shortest interval") << 10 << 12 << 16 << 0.50 << 0.72 << true;
        QTest::newRow("drift too soon") << 10 << 12 << 15 << 0.20 << 0.72 << false;
        QTest::newRow("loose box that never fitted is no drift") << 10 << 24 << 20 << 0.55 << 0.60 << false;
        QTest::newRow("interval below the shortest") << 10 << 0 << 13 << 0.9 << 0.9 << false;
    }
    void remaskPolicy()
    {
        QFETCH(int, lastModel);
        QFETCH(int, interval);
        QFETCH(int, now);
        QFETCH(double, fit);
        QFETCH(double, fitAtModel);
        QFETCH(bool, due);
        RemaskPolicy p;
        p.minInterval = 6;
        p.maxInterval = 24;
        p.fitDrop = 0.15;
        QCOMPARE(p.due(lastModel, interval, now, fit, fitAtModel), due);
    }
    void remaskIntervalAdapts()
    {
        RemaskPolicy p;
        p.minInterval = 6;
        p.maxInterval = 24;
        p.agreement = 0.75;
        QCOMPARE(p.next(0, -1.0), 12); // first mask: checked once soon
        QCOMPARE(p.next(12, 0.9), 24); // agreement doubles...
        QCOMPARE(p.next(24, 0.9), 24); // ...up to the longest
        QCOMPARE(p.next(24, 0.7), 24); // in between: kept
        QCOMPARE(p.next(24, 0.3), 6); // disagreement: back to the shortest
        p.fitDrop = 0.0; // drift check off: only the interval counts
        QVERIFY(!p.due(0, 24, 10, 0.0, 0.9));
    }
    void maskInputSide_data()
    {
        QTest::addColumn<float>("side"); // box side, analysis pixels
        QTest::addColumn<int>("minSide");
        QTest::addColumn<int>("maxSide");
        QTest::addColumn<int>("expected");
        QTest::newRow("manifest size") << 100.f << 0 << 0 << 0;
        QTest::newRow("large box: the largest input") << 600.f << 320 << 512 << 512;
        QTest::newRow("small box: the smallest") << 50.f << 320 << 512 << 320;
        QTest::newRow("in between: own size to the stride") << 300.f << 320 << 512 << 416; // 390 -> 416
        QTest::newRow("min above max: max wins") << 50.f << 640 << 512 << 512;
    }
    void maskInputSide()
    {
        QFETCH(float, side);
        QFETCH(int, minSide);
        QFETCH(int, maxSide);
        QFETCH(int, expected);
        QCOMPARE(maskInputSideFor(Box{10.f, 10.f, side, side * 0.5f}, minSide, maxSide), expected);
    }
    void builderConfigFields()
    {
        auto c = builderConfigFromJson(nlohmann::json::parse(
            R"({"mask_model_fps": 1.5, "remask_fit_drop": 0.2, "saliency_input_side": 320, "classify_every": 2,
                "prefetch_frames": 0, "mask_keep_aspect": true, "memory_arena": true})"));
        QVERIFY2(c, c.message().c_str());
        QCOMPARE(c->maskModelFps, 1.5);
        QCOMPARE(c->prefetchFrames, 0);
        QVERIFY(c->maskKeepAspect);
        QVERIFY(c->memoryArena);
        QCOMPARE(TwinBuilderConfig().prefetchFrames, 16);
        QCOMPARE(c->saliencyInputSide, 320);
        QCOMPARE(c->classifyEvery, 2);
        const auto back = builderConfigFromJson(toJson(*c));
        QVERIFY(back);
        QCOMPARE(back->remaskFitDrop, 0.2);
        QVERIFY(!builderConfigFromJson(nlohmann::json::parse(R"({"classify_every": 0})")));
        QVERIFY(!builderConfigFromJson(nlohmann::json::parse(R"({"mask_input_max": -1})")));
        QVERIFY(!builderConfigFromJson(nlohmann::json::parse(R"({"prefetch_frames": -1})")));
    }
    void manifests()
    {
        QTemporaryDir dir;
        writeText(dir.filePath("good.json"),
                  R"({"id":"m","role":"detector","runtimes":["opencv"],"files":[{"name":"m.onnx","sha256":"00"}]})");
        writeText(dir.filePath("broken.json"), "{oops");
        writeText(dir.filePath("incomplete.json"), R"({"id":"x","role":"depth"})");
        writeText(dir.filePath("m.onnx"), "not really a model");
        ModelRegistry reg({dir.path().toStdString()}, dir.filePath("cache").toStdString());
        reg.loadManifests();
        QCOMPARE(reg.manifests().size(), size_t(1));
        QCOMPARE(reg.problems().size(), size_t(2));
        const ModelManifest *m = reg.find("m");
        QVERIFY(m);
        const auto a = reg.availability(*m);
        QVERIFY(!a.available);
        QVERIFY(QString::fromStdString(a.message).contains("checksum"));
        QVERIFY(reg.bestAvailable("detector") == nullptr);
        // Declaring the right checksum makes it available.
        const std::string sum = sha256File(dir.filePath("m.onnx").toStdString());
        writeText(dir.filePath("good.json"),
                  QByteArray(R"({"id":"m","role":"detector","runtimes":["opencv"],"files":[{"name":"m.onnx","sha256":")") +
                      QByteArray::fromStdString(sum) + "\"}]}");
        ModelRegistry reg2({dir.path().toStdString()}, dir.filePath("cache").toStdString());
        reg2.loadManifests();
        QVERIFY(reg2.availability(*reg2.find("m")).available);
        QVERIFY(reg2.bestAvailable("detector") != nullptr);
    }
};

QTEST_GUILESS_MAIN(TestVisionUnits)
#include "tst_visionunits.moc"
