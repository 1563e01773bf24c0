// Just-in-time refinement and the robustness of twin construction: OCR (PP-OCR and Tesseract) on rendered text
// and on a banner in real footage, faces, better masks, dense sampling with track association, depth without a
// model, cancellation, all-or-nothing merging and storing of refined twins; a model file that is truncated or
// fails its checksum is recorded in the twin while the other roles still run; `validate-twins`.
#include "commands.h"
#include "media/videoreader.h"
#include "services.h"
#include "testsupport.h"
#include "twin/maskio.h"
#include "twin/twintext.h"
#include "vision/facedetector.h"
#include "vision/ocr.h"
#include "refine/refiner.h"
#include "refine/visionspecialists.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <fstream>
#include <set>

using namespace ts;

namespace {

QString lower(const std::string &s) { return QString::fromStdString(s).toLower(); }

// A twin made by hand from DAVIS ground truth: one "person" track on every `every`-th frame up to lastFrame,
// its masks the true masks (or just their boxes). Refinement tests start from known objects instead of
// whatever the detectors of the day find.
Twin groundTruthTwin(const QString &seq, int every, int lastFrame, bool boxMasks)
{
    Twin t;
    const QString path = test::corpusFile("davis2016/videos/" + seq + ".mp4");
    auto info = probeVideo(path.toStdString());
    if (!info)
        return t;
    t.video.key = seq.toStdString();
    t.video.path = path.toStdString();
    t.video.contentHash = "hash-" + seq.toStdString();
    t.video.fps = info->fps;
    t.video.width = info->width;
    t.video.height = info->height;
    t.video.frameCount = info->frameCount;
    t.video.durationMs = info->durationMs;
    t.sampling.detectFps = info->fps / every;
    Track track;
    track.id = 1;
    track.category = {"person", "n00007846", 0.9f, "ground-truth", {}};
    track.firstFrame = 0;
    for (int f = 0; f <= lastFrame; f += every) {
        auto gt = readDavisPng(
            test::corpusFile(QString("davis2016/Annotations/480p/%1/%2.png").arg(seq).arg(f, 5, 10, QChar('0')))
                .toStdString());
        if (!gt)
            continue;
        const Rle truth = matToRle(*gt);
        Instance in;
        in.trackId = 1;
        in.category = track.category;
        in.box = truth.boundingBox();
        in.mask = boxMasks ? Rle::fromBox(in.box, t.video.height, t.video.width) : truth;
        in.maskSource = boxMasks ? "box" : "ground-truth";
        in.areaPx = static_cast<int64_t>(in.mask.area());
        in.centroidX = in.box.centerX() / t.video.width;
        in.centroidY = in.box.centerY() / t.video.height;
        in.depth = {0.5f, "proxy"};
        FrameRecord fr;
        fr.frameIndex = f;
        fr.timeMs = frameToTimeMs(f, info->fps);
        fr.instances.push_back(in);
        t.frames.push_back(fr);
        track.lastFrame = f;
        ++track.observations;
        track.path.push_back({f, in.centroidX, in.centroidY});
    }
    t.sampling.analysedFrames = static_cast<int>(t.frames.size());
    t.tracks.push_back(track);
    t.roles.push_back({"detector", "ground-truth", "", "ok"});
    return t;
}

Rle groundTruth(const QString &seq, FrameIndex f)
{
    const QString png = QString("davis2016/Annotations/480p/%1/%2.png").arg(seq).arg(f, 5, 10, QChar('0'));
    auto gt = readDavisPng(test::corpusFile(png).toStdString());
    return gt ? matToRle(*gt) : Rle();
}

cv::Mat renderedText(const std::string &text, cv::Rect *where)
{
    cv::Mat img(240, 720, CV_8UC3, cv::Scalar(235, 240, 245));
    int baseline = 0;
    const cv::Size size = cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, 2.5, 7, &baseline);
    const cv::Point origin((img.cols - size.width) / 2, (img.rows + size.height) / 2);
    cv::putText(img, text, origin, cv::FONT_HERSHEY_SIMPLEX, 2.5, cv::Scalar(30, 20, 10), 7, cv::LINE_AA);
    *where = cv::Rect(origin.x, origin.y - size.height, size.width, size.height + baseline);
    return img;
}

QString joinedText(const std::vector<TextBox> &lines)
{
    QString s;
    for (const TextBox &t : lines)
        s += QString::fromStdString(t.text) + " ";
    return s.simplified().toUpper();
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

} // namespace

class TestRefinement : public QObject {
    Q_OBJECT
    std::unique_ptr<Services> m_services;
    std::unique_ptr<Refiner> m_refiner;

    bool haveModel(const std::string &id)
    {
        const ModelManifest *m = m_services->models().find(id);
        return m && m_services->models().availability(*m).available;
    }
    bool havePpOcr() { return haveModel("ppocr_v4") && m_services->backends().find("onnxruntime"); }

private slots:
    void initTestCase()
    {
        m_services = std::make_unique<Services>();
        m_refiner = std::make_unique<Refiner>(m_services->models(), m_services->sessions(), m_services->wordnet());
    }

    // --- OCR building blocks, on data made here

    void dbFindsTextLines_data()
    {
        QTest::addColumn<float>("angle");
        QTest::addColumn<float>("probability");
        QTest::addColumn<int>("kernelHeight");
        QTest::addColumn<int>("expected");
        QTest::newRow("horizontal line") << 0.f << 0.9f << 12 << 1;
        QTest::newRow("rotated line") << 25.f << 0.9f << 12 << 1;
        QTest::newRow("weak blob is noise") << 0.f << 0.45f << 12 << 0;
        QTest::newRow("speck") << 0.f << 0.9f << 2 << 0;
    }
    void dbFindsTextLines()
    {
        QFETCH(float, angle);
        QFETCH(float, probability);
        QFETCH(int, kernelHeight);
        QFETCH(int, expected);
        cv::Mat prob(200, 300, CV_32F, cv::Scalar(0.02f));
        const cv::RotatedRect kernel({150.f, 100.f}, cv::Size2f(120.f, static_cast<float>(kernelHeight)), angle);
        cv::Point2f p[4];
        kernel.points(p);
        std::vector<cv::Point> poly;
        for (const auto &q : p)
            poly.emplace_back(cvRound(q.x), cvRound(q.y));
        cv::fillPoly(prob, std::vector<std::vector<cv::Point>>{poly}, cv::Scalar(probability));
        const auto quads = dbTextQuads(prob);
        QCOMPARE(static_cast<int>(quads.size()), expected);
        if (expected == 0)
            return;
        // The kernel grows back by area * 1.5 / perimeter on every side.
        const double w = 120.0, h = kernelHeight, grow = w * h * 1.5 / (2 * (w + h));
        const auto &q = quads.front();
        const double top = cv::norm(q[1] - q[0]), side = cv::norm(q[3] - q[0]);
        QVERIFY2(std::abs(top - (w + 2 * grow)) < 4.0, qPrintable(QString("width %1").arg(top)));
        QVERIFY2(std::abs(side - (h + 2 * grow)) < 4.0, qPrintable(QString("height %1").arg(side)));
        // Corners in reading order: top-left is left of top-right and above bottom-left.
        QVERIFY(q[0].x < q[1].x);
        QVERIFY(q[0].y < q[3].y);
        const cv::Point2f centre = (q[0] + q[2]) * 0.5f;
        QVERIFY(cv::norm(centre - cv::Point2f(150.f, 100.f)) < 3.0);
    }

    void ctcDecoding_data()
    {
        QTest::addColumn<QVector<int>>("path");
        QTest::addColumn<QString>("text");
        // alphabet: 0 blank, 1 "a", 2 "b", 3 " "
        QTest::newRow("repeats merge") << QVector<int>{1, 1, 2, 2, 2} << "ab";
        QTest::newRow("blank separates repeats") << QVector<int>{1, 0, 1, 2} << "aab";
        QTest::newRow("blanks only") << QVector<int>{0, 0, 0} << "";
        QTest::newRow("space kept") << QVector<int>{1, 3, 2, 0} << "a b";
    }
    void ctcDecoding()
    {
        QFETCH(QVector<int>, path);
        QFETCH(QString, text);
        const std::vector<std::string> alphabet{"", "a", "b", " "};
        std::vector<float> scores(static_cast<size_t>(path.size()) * 4, 0.05f);
        for (int t = 0; t < path.size(); ++t)
            scores[static_cast<size_t>(t) * 4 + static_cast<size_t>(path[t])] = 0.8f;
        auto [decoded, confidence] = ctcGreedyDecode(scores.data(), path.size(), 4, alphabet);
        QCOMPARE(QString::fromStdString(decoded), text);
        QCOMPARE(confidence, text.isEmpty() ? 0.f : 0.8f);
    }

    void readsRenderedText_data()
    {
        QTest::addColumn<QString>("engine");
        QTest::addColumn<QString>("text");
        for (const char *engine : {"ppocr", "tesseract"}) {
            QTest::newRow(qPrintable(QString("%1: word and number").arg(engine))) << engine << "HELLO 42";
            QTest::newRow(qPrintable(QString("%1: capitals").arg(engine))) << engine << "FINISH LINE";
        }
    }
    void readsRenderedText()
    {
        QFETCH(QString, engine);
        QFETCH(QString, text);
        Result<std::unique_ptr<TextReader>> reader = Result<std::unique_ptr<TextReader>>::error("");
        if (engine == "ppocr") {
            if (!havePpOcr())
                TS_MISSING("PP-OCR needs ONNX Runtime and ppocr_v4 in the model cache (run scripts/setup.sh)");
            reader = makePpOcrReader(*m_services->models().find("ppocr_v4"), m_services->models(),
                                     m_services->sessions(), {});
        } else {
            if (!haveTesseract())
                TS_MISSING("this build has no Tesseract (Debian libtesseract-dev)");
            reader = makeTesseractReader();
        }
        QVERIFY2(reader.isOk(), reader.message().c_str());
        cv::Rect where;
        const cv::Mat img = renderedText(text.toStdString(), &where);
        auto lines = (*reader)->read(img);
        QVERIFY2(lines.isOk(), lines.message().c_str());
        QVERIFY(!lines->empty());
        QCOMPARE(joinedText(*lines).remove(' '), text.toUpper().remove(' '));
        for (const TextBox &t : *lines) {
            QCOMPARE(t.source, (*reader)->modelId());
            QVERIFY2(t.confidence >= 0.5f && t.confidence <= 1.f, qPrintable(QString::number(t.confidence)));
            // Every line lies on the rendered text (a little slack for the detector's unclipping).
            const Box expected{static_cast<float>(where.x), static_cast<float>(where.y),
                               static_cast<float>(where.width), static_cast<float>(where.height)};
            QVERIFY2(t.box.intersected(expected.expanded(0.1f)).area() > 0.8f * t.box.area(),
                     qPrintable(QString("%1 at %2,%3 %4x%5").arg(QString::fromStdString(t.text)).arg(t.box.x)
                                    .arg(t.box.y).arg(t.box.w).arg(t.box.h)));
        }
    }

    void fallsBackToTesseractWithoutModel()
    {
        if (!haveTesseract())
            TS_MISSING("this build has no Tesseract (Debian libtesseract-dev)");
        QTemporaryDir dir;
        // A registry whose OCR manifest names a file that is not there.
        QVERIFY(writeFile(dir.filePath("ocr.json"), R"({"id": "gone_ocr", "role": "ocr", "runtimes": ["onnxruntime"],
            "files": [{"name": "gone_det.onnx"}],
            "output": {"decoder": "ppocr", "recogniser": "gone_rec.onnx", "keys": "gone_keys.txt"}})"));
        ModelRegistry models({dir.path().toStdString()}, dir.filePath("cache").toStdString());
        models.loadManifests();
        std::string note;
        auto reader = makeTextReader(models, m_services->sessions(), {}, {}, {}, &note);
        QVERIFY2(reader.isOk(), reader.message().c_str());
        QCOMPARE((*reader)->modelId(), std::string("tesseract-eng"));
        QVERIFY2(QString::fromStdString(note).contains("missing"), note.c_str());
        cv::Rect where;
        auto lines = (*reader)->read(renderedText("EXIT 7", &where));
        QVERIFY2(lines.isOk(), lines.message().c_str());
        QCOMPARE(joinedText(*lines).remove(' '), QStringLiteral("EXIT7"));
    }

    // --- the on-demand specialists on real footage

    void ocrReadsTheBanner()
    {
        TS_REQUIRE_CORPUS();
        if (!havePpOcr())
            TS_MISSING("PP-OCR needs ONNX Runtime and ppocr_v4 in the model cache (run scripts/setup.sh)");
        // DAVIS "tennis": a blue banner reads "...z.ch/jobs" and "ASVZ" behind the player.
        const Twin twin = groundTruthTwin("tennis", 4, 20, false);
        QVERIFY(!twin.frames.empty());
        auto r = m_refiner->ocr(twin, {0, 10});
        QVERIFY2(r.isOk(), r.message().c_str());
        QCOMPARE(r->specialist, std::string("ocr"));
        QCOMPARE(r->model, std::string("ppocr_v4"));
        QVERIFY(r->analysedFrames >= 2);
        const Observation *asvz = nullptr, *jobs = nullptr;
        for (const Observation &o : r->observations) {
            QCOMPARE(o.kind, std::string("ocr"));
            QVERIFY(o.firstFrame >= 0 && o.lastFrame <= 10 && o.firstFrame <= o.lastFrame);
            if (lower(o.text).contains("asvz"))
                asvz = &o;
            if (lower(o.text).contains("jobs"))
                jobs = &o;
        }
        QVERIFY2(asvz && jobs, r->summary.c_str());
        // On the banner (top left), read on more than one frame, not tied to the player.
        QVERIFY(asvz->box.right() < 300.f && asvz->box.bottom() < 200.f);
        QVERIFY(asvz->lastFrame > asvz->firstFrame);
        QCOMPARE(asvz->trackId, 0);
        QVERIFY(asvz->confidence > 0.7f);
        QCOMPARE(asvz->source, std::string("ppocr_v4"));
        QVERIFY2(lower(r->summary).contains("\"asvz\""), r->summary.c_str());

        Twin refined = twin;
        QVERIFY(applyRefinement(refined, *r));
        QCOMPARE(refined.observations.size(), r->observations.size());
        // Applying the same outcome twice adds nothing.
        QVERIFY(applyRefinement(refined, *r));
        QCOMPARE(refined.observations.size(), r->observations.size());
        QVERIFY(std::any_of(refined.roles.begin(), refined.roles.end(),
                            [](const RoleRecord &x) { return x.role == "refine:ocr" && x.model == "ppocr_v4"; }));
        QVERIFY(cli::twinProblems(refined).empty());
    }

    void facesOfATrack()
    {
        TS_REQUIRE_CORPUS();
        if (!haveModel("yunet_face"))
            TS_MISSING("yunet_face is not in the model cache (run scripts/setup.sh)");
        const Twin twin = groundTruthTwin("tennis", 4, 24, false);
        auto r = m_refiner->faces(twin, {0, 24}, 1);
        QVERIFY2(r.isOk(), r.message().c_str());
        QVERIFY2(!r->observations.empty(), r->summary.c_str());
        for (const Observation &o : r->observations) {
            QCOMPARE(o.kind, std::string("face"));
            QCOMPARE(o.trackId, 1);
            QCOMPARE(o.source, std::string("yunet_face"));
            QVERIFY(o.confidence > 0.8f);
            // In the upper third of the player's box on its first frame.
            const Instance &player = twin.frames[static_cast<size_t>(twin.nearestFrame(o.lastFrame))].instances.front();
            const Box upper{player.box.x, player.box.y, player.box.w, player.box.h / 3};
            QVERIFY2(upper.expanded(0.2f).intersected(o.box).area() > 0.7f * o.box.area(),
                     qPrintable(QString("face at %1,%2").arg(o.box.x).arg(o.box.y)));
        }
        // One player, one face, followed over the window.
        QCOMPARE(r->observations.size(), size_t(1));
        QVERIFY(r->observations.front().lastFrame > r->observations.front().firstFrame);

        // A frame without people has no face.
        auto detector = FaceDetector::create(*m_services->models().find("yunet_face"), m_services->models());
        QVERIFY2(detector.isOk(), detector.message().c_str());
        auto none = (*detector)->detect(cv::Mat(240, 320, CV_8UC3, cv::Scalar(90, 140, 60)));
        QVERIFY(none.isOk());
        QVERIFY(none->empty());
    }

    void betterMaskReplacesBoxes()
    {
        TS_REQUIRE_CORPUS();
        if (!haveModel("isnet_crop") || !m_services->backends().find("onnxruntime"))
            TS_MISSING("isnet_crop needs ONNX Runtime and the model cache (run scripts/setup.sh)");
        // Box-shaped masks, as a twin has where no mask model ran; the model's masks must be closer to the truth.
        const Twin twin = groundTruthTwin("tennis", 4, 16, true);
        auto r = m_refiner->betterMask(twin, {0, 16}, 1);
        QVERIFY2(r.isOk(), r.message().c_str());
        QCOMPARE(r->replacedInstances.size(), twin.frames.size());
        double boxIouSum = 0.0, modelIouSum = 0.0;
        for (const InstanceUpdate &u : r->replacedInstances) {
            QCOMPARE(u.instance.trackId, 1);
            QCOMPARE(u.instance.maskSource, std::string("isnet_crop"));
            QCOMPARE(u.instance.mask.height(), twin.video.height);
            const Rle truth = groundTruth("tennis", u.frameIndex);
            const FrameRecord &before = twin.frames[static_cast<size_t>(twin.nearestFrame(u.frameIndex))];
            boxIouSum += Rle::iou(before.instances[0].mask, truth);
            modelIouSum += Rle::iou(u.instance.mask, truth);
            QCOMPARE(u.instance.areaPx, static_cast<int64_t>(u.instance.mask.area()));
        }
        const double n = static_cast<double>(r->replacedInstances.size());
        QVERIFY2(modelIouSum / n > boxIouSum / n + 0.1,
                 qPrintable(QString("model %1, box %2").arg(modelIouSum / n).arg(boxIouSum / n)));
        Twin refined = twin;
        QVERIFY(applyRefinement(refined, *r));
        for (const FrameRecord &f : refined.frames)
            QCOMPARE(f.instances.front().maskSource, std::string("isnet_crop"));
        QVERIFY(cli::twinProblems(refined).empty());
        // The track must be on the window's frames.
        QVERIFY(!m_refiner->betterMask(twin, {0, 16}, 42).isOk());
    }

    void denseSamplingAssociatesTracks()
    {
        TS_REQUIRE_CORPUS();
        if (!haveModel("yolox_nano"))
            TS_MISSING("yolox_nano is not in the model cache (run scripts/setup.sh)");
        // The twin has every 8th frame; sampling 0..16 at 6 fps adds frames 4 and 12, where the player is.
        const Twin twin = groundTruthTwin("tennis", 8, 64, false);
        auto r = m_refiner->denseSample(twin, {0, 16}, 6.0);
        QVERIFY2(r.isOk(), r.message().c_str());
        QCOMPARE(r->frames.size(), size_t(2));
        QCOMPARE(r->frames[0].frameIndex, FrameIndex(4));
        QCOMPARE(r->frames[1].frameIndex, FrameIndex(12));
        for (const FrameRecord &f : r->frames) {
            QVERIFY(f.detected);
            const Instance *player = nullptr;
            for (const Instance &in : f.instances)
                if (in.trackId == 1)
                    player = &in;
            QVERIFY2(player, qPrintable(QString("player not associated on frame %1: %2")
                                            .arg(f.frameIndex).arg(QString::fromStdString(r->summary))));
            QCOMPARE(player->category.name, std::string("person"));
            QVERIFY(boxIou(player->box, groundTruth("tennis", f.frameIndex).boundingBox()) > 0.5f);
            for (const Instance &in : f.instances)
                QVERIFY(in.trackId == 1 || std::any_of(r->newTracks.begin(), r->newTracks.end(),
                                                       [&in](const Track &t) { return t.id == in.trackId; }));
        }
        for (const Track &t : r->newTracks)
            QVERIFY(t.id > 1);

        Twin refined = twin;
        QVERIFY(applyRefinement(refined, *r));
        QCOMPARE(refined.frames.size(), twin.frames.size() + 2);
        QVERIFY(std::is_sorted(refined.frames.begin(), refined.frames.end(),
                               [](const FrameRecord &a, const FrameRecord &b) { return a.frameIndex < b.frameIndex; }));
        QCOMPARE(refined.track(1)->observations, twin.track(1)->observations + 2);
        QCOMPARE(refined.sampling.analysedFrames, twin.sampling.analysedFrames + 2);
        QCOMPARE(refined.tracks.size(), twin.tracks.size() + r->newTracks.size());
        const auto problems = cli::twinProblems(refined);
        QVERIFY2(problems.empty(), problems.empty() ? "" : problems.front().c_str());

        // Nothing left to sample at that rate.
        auto again = m_refiner->denseSample(refined, {0, 16}, 6.0);
        QVERIFY2(again.isOk(), again.message().c_str());
        QVERIFY(again->frames.empty());
    }

    void depthWithoutModelSaysSo()
    {
        TS_REQUIRE_CORPUS();
        if (m_services->models().bestAvailable("depth"))
            QSKIP("a depth model is installed; tst_torchscript covers refinement with one");
        const Twin twin = groundTruthTwin("tennis", 4, 8, false);
        auto r = m_refiner->depth(twin, {0, 8});
        QVERIFY(!r.isOk());
        QVERIFY2(QString::fromStdString(r.message()).contains("no depth model"), r.message().c_str());
        // The reasoning stage sees the same in the list of what it can call.
        bool listed = false;
        for (const RoleRecord &c : m_refiner->capabilities()) {
            if (c.role == "depth") {
                listed = true;
                QVERIFY2(QString::fromStdString(c.status).startsWith("disabled: no depth model"), c.status.c_str());
            }
            if (c.role == "ocr" && havePpOcr())
                QCOMPARE(c.model, std::string("ppocr_v4"));
        }
        QVERIFY(listed);
    }

    // The vision specialists behind the planner's interface: one per kind, each naming its kind, what it runs and
    // its cost; a better mask refuses the whole frame; the kinds' names are the reasoners' vocabulary.
    void visionSpecialists()
    {
        TS_REQUIRE_CORPUS();
        auto specialists = makeVisionSpecialists(m_services->models(), m_services->sessions(), m_services->wordnet());
        std::set<RefinementKind> kinds;
        for (const auto &s : specialists) {
            QVERIFY(kinds.insert(s->kind()).second);
            const SpecialistInfo info = s->info();
            QCOMPARE(info.kind, s->kind());
            QVERIFY(info.maxFrames > 0);
            QCOMPARE(info.needsTrack, s->kind() == RefinementKind::Mask);
            QVERIFY2(info.status == "ok" || info.status.rfind("disabled: ", 0) == 0, info.status.c_str());
            if (s->kind() == RefinementKind::Ocr && havePpOcr())
                QCOMPARE(info.model, std::string("ppocr_v4"));
            if (s->kind() == RefinementKind::Depth && !m_services->models().bestAvailable("depth"))
                QVERIFY2(info.status.rfind("disabled: no depth model", 0) == 0, info.status.c_str());
        }
        QCOMPARE(kinds, (std::set<RefinementKind>{RefinementKind::Ocr, RefinementKind::Mask, RefinementKind::Dense,
                                                  RefinementKind::Faces, RefinementKind::Depth}));
        const Twin twin = groundTruthTwin("tennis", 4, 8, false);
        for (const auto &s : specialists)
            if (s->kind() == RefinementKind::Mask) {
                auto r = s->run(twin, {0, 8}, 0, CancelToken());
                QVERIFY(!r.isOk());
                QCOMPARE(r.message(), std::string("a better mask needs a track"));
            }
        for (RefinementKind k : allRefinementKinds())
            QCOMPARE(parseRefinementKind(refinementKindName(k)), std::optional<RefinementKind>(k));
        QVERIFY(!parseRefinementKind("telepathy"));
    }

    // Without a GPU (or with the CPU build of ONNX Runtime that setup installs) a session that prefers the GPU runs
    // on the CPU, and the runtime says why.
    void ortFallsBackToTheCpu()
    {
        InferenceBackend *ort = m_services->backends().find("onnxruntime");
        if (!ort || !haveModel("yolox_nano"))
            TS_MISSING("ONNX Runtime or the yolox_nano model is not installed");
        const std::string devices = ort->devices();
        if (devices.rfind("cuda", 0) == 0)
            QSKIP("this ONNX Runtime has the CUDA provider: the fallback is not what runs here");
        QVERIFY2(devices.rfind("cpu (", 0) == 0 && devices.find("CUDA provider") != std::string::npos, devices.c_str());
        SessionOptions options;
        options.preferGpu = true;
        auto session = ort->load(m_services->models().modelPath(*m_services->models().find("yolox_nano")), options);
        QVERIFY2(session.isOk(), session.message().c_str());
        QCOMPARE((*session)->device(), std::string("cpu"));
        QCOMPARE((*session)->runtime(), std::string("onnxruntime")); // what twins record stays as it was
    }

    void windowsAndTracksAreChecked_data()
    {
        QTest::addColumn<qint64>("first");
        QTest::addColumn<qint64>("last");
        QTest::addColumn<int>("track");
        QTest::addColumn<QString>("message");
        QTest::newRow("reversed window") << qint64(10) << qint64(2) << 0 << "after its last";
        QTest::newRow("past the end") << qint64(500) << qint64(600) << 0 << "outside the video";
        QTest::newRow("unknown track") << qint64(0) << qint64(5) << 9 << "no track 9";
    }
    void windowsAndTracksAreChecked()
    {
        TS_REQUIRE_CORPUS();
        QFETCH(qint64, first);
        QFETCH(qint64, last);
        QFETCH(int, track);
        QFETCH(QString, message);
        const Twin twin = groundTruthTwin("tennis", 4, 8, false);
        // Checked before any model is loaded or frame decoded.
        std::vector<Result<RefinementOutcome>> results{m_refiner->ocr(twin, {first, last}, track),
                                                       m_refiner->faces(twin, {first, last}, track)};
        if (track == 0)
            results.push_back(m_refiner->denseSample(twin, {first, last}, 6.0));
        else
            results.push_back(m_refiner->betterMask(twin, {first, last}, track));
        for (const auto &r : results) {
            QVERIFY(!r.isOk());
            QVERIFY2(QString::fromStdString(r.message()).contains(message), r.message().c_str());
        }
    }

    void cancelledRefinementChangesNothing_data()
    {
        QTest::addColumn<bool>("beforeStart");
        QTest::newRow("cancelled before the call") << true;
        QTest::newRow("cancelled while running") << false;
    }
    void cancelledRefinementChangesNothing()
    {
        TS_REQUIRE_CORPUS();
        if (!haveModel("yunet_face"))
            TS_MISSING("yunet_face is not in the model cache (run scripts/setup.sh)");
        QFETCH(bool, beforeStart);
        const Twin twin = groundTruthTwin("tennis", 4, 40, false);
        CancelToken cancel;
        if (beforeStart)
            cancel.cancel();
        int reports = 0;
        auto r = m_refiner->faces(twin, {0, 40}, 0, cancel, [&](double, const std::string &) {
            ++reports;
            cancel.cancel(); // the first progress report arrives before the first frame is looked at
        });
        QVERIFY(!r.isOk());
        QCOMPARE(QString::fromStdString(r.message()), QStringLiteral("cancelled"));
        QVERIFY(r.isCancelled());
        QVERIFY(beforeStart || reports > 0);
    }

    void applyIsAllOrNothing_data()
    {
        QTest::addColumn<QString>("defect");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown frame") << "frame" << "no analysed frame";
        QTest::newRow("unknown track in a new frame") << "track" << "unknown track";
        QTest::newRow("mask of another size") << "mask" << "size";
        QTest::newRow("new track that exists") << "duplicate" << "already exists";
    }
    void applyIsAllOrNothing()
    {
        QFETCH(QString, defect);
        QFETCH(QString, message);
        const Twin twin = test::sampleTwin();
        RefinementOutcome o;
        o.specialist = "test";
        o.model = "test";
        // A valid part first, so a partial merge would show.
        o.observations.push_back({"ocr", "STOP", 1, 0, 4, {1, 1, 2, 1}, 0.9f, "test"});
        InstanceUpdate u{4, twin.frames[1].instances[0]};
        u.instance.depth = {0.9f, "test"};
        o.replacedInstances.push_back(u);
        if (defect == "frame") {
            InstanceUpdate bad = u;
            bad.frameIndex = 3;
            o.replacedInstances.push_back(bad);
        } else if (defect == "track") {
            FrameRecord f;
            f.frameIndex = 2;
            Instance in = twin.frames[0].instances[0];
            in.trackId = 5;
            f.instances.push_back(in);
            o.frames.push_back(f);
        } else if (defect == "mask") {
            InstanceUpdate bad = u;
            bad.frameIndex = 0;
            bad.instance.mask = Rle::fromBox({1, 1, 2, 2}, 12, 16);
            o.replacedInstances.push_back(bad);
        } else {
            Track t = twin.tracks[0];
            o.newTracks.push_back(t);
        }
        Twin changed = twin;
        Status s = applyRefinement(changed, o);
        QVERIFY(!s);
        QVERIFY2(QString::fromStdString(s.message()).contains(message), s.message().c_str());
        QCOMPARE(toJson(changed).dump(), toJson(twin).dump());
    }

    void refinedTwinIsStored()
    {
        QTemporaryDir dir;
        auto store = Services::openStore(dir.filePath("lib.sqlite").toStdString());
        QVERIFY2(store.isOk(), store.message().c_str());
        Twin twin = test::sampleTwin();
        QVERIFY((*store)->putTwin(twin, 3, 12345, "dog").isOk());
        RefinementOutcome o;
        o.specialist = "ocr";
        o.model = "ppocr_v4";
        o.runtime = "onnxruntime";
        o.window = {0, 4};
        o.observations.push_back({"ocr", "NO PARKING", 0, 0, 4, {2, 2, 3, 1}, 0.93f, "ppocr_v4"});
        QVERIFY(applyRefinement(twin, o));
        auto id = (*store)->putRefinedTwin(twin);
        QVERIFY2(id.isOk(), id.message().c_str());
        auto back = (*store)->loadTwin("clip");
        QVERIFY2(back.isOk(), back.message().c_str());
        QCOMPARE(toJson(*back).dump(), toJson(twin).dump());
        const auto row = (*store)->videoByKey("clip");
        QVERIFY(row.has_value());
        QCOMPARE(row->pipelineVersion, 3);
        QCOMPARE(row->mtimeMs, int64_t(12345));
        // Full-text search sees the new text.
        QVERIFY(!(*store)->searchText("parking", 5).empty());

        // A twin of an older version of the file is refused and the stored twin stays.
        Twin stale = twin;
        stale.video.contentHash = "other";
        stale.observations.clear();
        auto refused = (*store)->putRefinedTwin(stale);
        QVERIFY(!refused.isOk());
        QVERIFY2(QString::fromStdString(refused.message()).contains("changed"), refused.message().c_str());
        QCOMPARE((*store)->loadTwin("clip")->observations.size(), twin.observations.size());
        QVERIFY(!(*store)->putRefinedTwin([] {
                     Twin t = test::sampleTwin();
                     t.video.key = "unknown";
                     return t;
                 }()).isOk());
    }

    void refinesAnIngestedTwinEndToEnd()
    {
        TS_REQUIRE_CORPUS();
        if (!havePpOcr() || !haveModel("yolox_nano") || !haveModel("isnet_crop") || !haveModel("yunet_face"))
            TS_MISSING("the default models and ONNX Runtime are needed (run scripts/setup.sh)");
        // A twin as ingest makes it (frames between detections carry flow masks), stored, refined four ways,
        // stored again: the library's twin must stay valid and keep what each refinement added.
        const std::string path = test::corpusFile("davis2016/videos/tennis.mp4").toStdString();
        VideoInfo seed;
        seed.key = "tennis";
        seed.contentHash = "tennis-hash";
        auto built = m_services->makeBuilder({})->build(path, seed, {}, {});
        QVERIFY2(built.isOk(), built.message().c_str());
        QTemporaryDir dir;
        auto store = Services::openStore(dir.filePath("lib.sqlite").toStdString());
        QVERIFY2(store.isOk(), store.message().c_str());
        QVERIFY((*store)->putTwin(*built, TwinBuilder::kPipelineVersion, 777, twinSearchText(*built)).isOk());

        auto loaded = (*store)->loadTwin("tennis");
        QVERIFY2(loaded.isOk(), loaded.message().c_str());
        Twin twin = *loaded;
        TrackId player = 0;
        for (const Track &t : twin.tracks)
            if (t.category.name == "person" && (player == 0 || t.observations > twin.track(player)->observations))
                player = t.id;
        QVERIFY2(player != 0, "no person track in the tennis twin");
        int detectedBefore = 0;
        for (const FrameRecord &f : twin.frames)
            detectedBefore += f.detected ? 1 : 0;

        auto text = m_refiner->ocr(twin, {0, 12});
        QVERIFY2(text.isOk(), text.message().c_str());
        QVERIFY(applyRefinement(twin, *text));
        auto face = m_refiner->faces(twin, {0, 12}, player);
        QVERIFY2(face.isOk(), face.message().c_str());
        QVERIFY(applyRefinement(twin, *face));
        auto dense = m_refiner->denseSample(twin, {0, 12}, 12.0);
        QVERIFY2(dense.isOk(), dense.message().c_str());
        QVERIFY2(!dense->frames.empty(), dense->summary.c_str());
        QVERIFY(applyRefinement(twin, *dense));
        auto mask = m_refiner->betterMask(twin, {0, 12}, player);
        QVERIFY2(mask.isOk(), mask.message().c_str());
        QVERIFY(applyRefinement(twin, *mask));
        const auto problems = cli::twinProblems(twin);
        QVERIFY2(problems.empty(), problems.empty() ? "" : problems.front().c_str());

        auto id = (*store)->putRefinedTwin(twin);
        QVERIFY2(id.isOk(), id.message().c_str());
        auto back = (*store)->loadTwin("tennis");
        QVERIFY2(back.isOk(), back.message().c_str());
        QCOMPARE(toJson(*back).dump(), toJson(twin).dump());
        QCOMPARE((*store)->videoByKey("tennis")->pipelineVersion, TwinBuilder::kPipelineVersion);
        int detectedAfter = 0;
        for (const FrameRecord &f : back->frames)
            detectedAfter += f.detected ? 1 : 0;
        QCOMPARE(detectedAfter, detectedBefore + static_cast<int>(dense->frames.size()));
        QVERIFY(std::any_of(back->observations.begin(), back->observations.end(),
                            [](const Observation &o) { return o.kind == "ocr" && lower(o.text).contains("asvz"); }));
        QVERIFY(std::any_of(back->observations.begin(), back->observations.end(),
                            [player](const Observation &o) { return o.kind == "face" && o.trackId == player; }));
        for (const char *role : {"refine:ocr", "refine:face", "refine:dense", "refine:mask"})
            QVERIFY2(std::any_of(back->roles.begin(), back->roles.end(),
                                 [role](const RoleRecord &r) { return r.role == role; }),
                     role);
        QVERIFY(!(*store)->searchText("asvz", 5).empty());
    }

    // --- robustness of twin construction

    void brokenModelIsRecorded_data()
    {
        QTest::addColumn<QString>("role");
        QTest::addColumn<QString>("original");
        QTest::addColumn<QString>("defect");
        QTest::addColumn<QString>("status");
        QTest::newRow("truncated detector") << "detector" << "yolox_nano" << "truncated" << "error:";
        QTest::newRow("detector failing its checksum") << "detector" << "yolox_nano" << "checksum" << "disabled:";
        QTest::newRow("detector failing at run time") << "detector" << "yolox_nano" << "wrong model" << "ok";
        QTest::newRow("truncated classifier") << "classifier" << "mobilenetv2_int8" << "truncated" << "error:";
        QTest::newRow("truncated segmenter") << "segmenter" << "isnet_crop" << "truncated" << "error:";
        QTest::newRow("truncated depth model") << "depth" << "yolox_nano" << "truncated" << "proxy:";
    }
    void brokenModelIsRecorded()
    {
        TS_REQUIRE_CORPUS();
        QFETCH(QString, role);
        QFETCH(QString, original);
        QFETCH(QString, defect);
        QFETCH(QString, status);
        for (const char *id : {"yolox_nano", "mobilenetv2_int8", "isnet_crop", "ppocr_v4"})
            if (!haveModel(id) || !m_services->backends().find("onnxruntime"))
                TS_MISSING("the default models and ONNX Runtime are needed (run scripts/setup.sh)");
        // A manifest in the user's directory pointing at a truncated copy of a real model file (or, failing at
        // run time, at a real model of another kind: the PP-OCR recogniser wants 48-pixel-high lines).
        QTemporaryDir dir;
        const ModelManifest *orig = m_services->models().find(original.toStdString());
        std::ifstream in(orig->manifestPath);
        nlohmann::json j = nlohmann::json::parse(in);
        const std::string brokenId = "broken_" + role.toStdString();
        const std::string brokenFile =
            defect == "wrong model" ? "ppocr/ch_PP-OCRv4_rec_infer.onnx" : brokenId + ".onnx";
        j["id"] = brokenId;
        j["role"] = role.toStdString();
        for (auto &f : j["files"])
            if (f["name"] == orig->modelFile) {
                f["name"] = brokenFile;
                f.erase("sources");
                if (defect != "checksum")
                    f.erase("sha256");
            }
        j["model_file"] = brokenFile;
        j["runtimes"] = {"onnxruntime"};
        if (role == "depth")
            j["output"] = {{"decoder", "relative_inverse"}};
        QVERIFY(writeFile(dir.filePath(QString::fromStdString(brokenId) + ".json"),
                          QByteArray::fromStdString(j.dump(2))));
        if (defect != "wrong model") {
            QFile model(QString::fromStdString(m_services->models().modelPath(*orig)));
            QVERIFY(model.open(QIODevice::ReadOnly));
            QVERIFY(writeFile(dir.filePath(QString::fromStdString(brokenFile)),
                              model.read(std::min<qint64>(model.size() / 3, 200000))));
        }

        AppPaths paths = defaultAppPaths();
        paths.manifestDirs.insert(paths.manifestDirs.begin(), dir.path().toStdString());
        Services services(paths);
        QVERIFY2(services.models().find(brokenId), "the broken manifest was not read");
        TwinBuilderConfig cfg;
        cfg.salientObjects = false;
        if (role == "detector")
            cfg.detectorId = brokenId;
        else if (role == "classifier")
            cfg.classifierId = brokenId;
        else if (role == "segmenter")
            cfg.segmenterId = brokenId;
        else
            cfg.depthId = brokenId;
        auto builder = services.makeBuilder(cfg);
        VideoInfo seed;
        seed.key = "dog-agility";
        auto twin = builder->build(test::corpusFile("davis2016/videos/dog-agility.mp4").toStdString(), seed, {}, {});
        QVERIFY2(twin.isOk(), twin.message().c_str());

        // The failure is in the twin, named, and the other roles ran.
        const RoleRecord *broken = nullptr;
        for (const RoleRecord &r : twin->roles) {
            if (r.role == role.toStdString() && r.model != "grabcut") {
                broken = &r;
                continue;
            }
            // Depth and scene stuff are geometry/colour proxies when no model is installed: not "ok", not broken.
            if (r.role == "depth" || r.role == "scene-stuff" || r.model == "grabcut")
                continue;
            QVERIFY2(r.status.rfind("ok", 0) == 0, (r.role + ": " + r.status).c_str());
        }
        QVERIFY2(broken, "no record of the broken role");
        QVERIFY2(QString::fromStdString(broken->status).startsWith(status), broken->status.c_str());
        if (defect == "wrong model") {
            // It loaded; every run failed, and the twin says so once.
            QCOMPARE(broken->model, brokenId);
            QVERIFY(std::any_of(twin->errors.begin(), twin->errors.end(), [](const std::string &e) {
                return e.rfind("detector: ", 0) == 0;
            }));
            QVERIFY(twin->tracks.empty());
        } else {
            QVERIFY2(QString::fromStdString(broken->status).contains(defect == "checksum" ? "checksum" : "broken_"),
                     broken->status.c_str());
        }
        QVERIFY(!twin->frames.empty());
        std::set<std::string> maskSources, depthSources;
        for (const FrameRecord &f : twin->frames)
            for (const Instance &i : f.instances) {
                maskSources.insert(i.maskSource);
                depthSources.insert(i.depth.source);
            }
        if (role == "detector") {
            QVERIFY2(!twin->scene.empty(), "the classifier's scene labels are missing");
        } else {
            QVERIFY(!twin->tracks.empty());
            QCOMPARE(twin->tracks.front().category.model.substr(0, 10), std::string("yolox_nano"));
        }
        if (role == "classifier")
            QVERIFY(twin->scene.empty());
        if (role == "segmenter") {
            QVERIFY(maskSources.count("grabcut"));
            QVERIFY(!maskSources.count("isnet_crop"));
        } else if (role != "detector") {
            QVERIFY(maskSources.count("isnet_crop"));
        }
        if (role == "depth")
            QCOMPARE(depthSources, std::set<std::string>{"proxy"});
        const auto problems = cli::twinProblems(*twin);
        QVERIFY2(problems.empty(), problems.empty() ? "" : problems.front().c_str());
    }

    // --- validate-twins

    void twinProblemsFindsBrokenInvariants_data()
    {
        QTest::addColumn<QString>("defect");
        QTest::addColumn<QString>("message");
        QTest::newRow("valid twin") << "" << "";
        QTest::newRow("instance of no track") << "track" << "no such track";
        QTest::newRow("mask of another size") << "mask" << "mask is 8x5";
        QTest::newRow("frames out of order") << "order" << "does not follow";
        QTest::newRow("frame past the end") << "end" << "outside the video";
        QTest::newRow("centroid outside the frame") << "centroid" << "outside 0..1";
        QTest::newRow("relationship of no track") << "relationship" << "no subject track";
    }
    void twinProblemsFindsBrokenInvariants()
    {
        QFETCH(QString, defect);
        QFETCH(QString, message);
        Twin t = test::sampleTwin();
        Instance &in = t.frames[0].instances[0];
        if (defect == "track")
            in.trackId = 9;
        else if (defect == "mask")
            in.mask = Rle::fromBox(in.box, 5, 8);
        else if (defect == "order")
            std::swap(t.frames[0], t.frames[1]);
        else if (defect == "end")
            t.frames[1].frameIndex = 60;
        else if (defect == "centroid")
            in.centroidX = 1.5f;
        else if (defect == "relationship")
            t.relationships[0].subject = 5;
        const auto problems = cli::twinProblems(t);
        if (message.isEmpty()) {
            QVERIFY2(problems.empty(), problems.empty() ? "" : problems.front().c_str());
            return;
        }
        QVERIFY(!problems.empty());
        QVERIFY2(QString::fromStdString(problems.front()).contains(message), problems.front().c_str());
    }

    void validateTwinsCommand()
    {
        if (!QFileInfo::exists(test::cliPath()))
            TS_MISSING("twinseek-cli is not built");
        QTemporaryDir dir;
        const QString db = dir.filePath("lib.sqlite");
        {
            auto store = Services::openStore(db.toStdString());
            QVERIFY2(store.isOk(), store.message().c_str());
            QVERIFY((*store)->putTwin(test::sampleTwin(), 4, 1, "dog").isOk());
            Twin bad = test::sampleTwin();
            bad.video.key = "bad";
            bad.frames[1].instances[0].trackId = 7;
            QVERIFY((*store)->putTwin(bad, 4, 1, "dog").isOk());
            QVERIFY((*store)->recordFailure("junk", "/videos/junk.mp4", "", 3, 1, 4, "not a video"));
        }
        QString out;
        QCOMPARE(test::runProcess(test::cliPath(), {"validate-twins", "--db", db}, &out), 3);
        QVERIFY2(out.contains(QRegularExpression("ok +clip ")), qPrintable(out));
        QVERIFY2(out.contains("INVALID bad: frame 4, track 7: no such track"), qPrintable(out));
        QVERIFY2(out.contains("skipped junk"), qPrintable(out));
        QVERIFY2(out.contains("1 twins valid, 1 invalid, 1 videos without a twin"), qPrintable(out));
        QCOMPARE(test::runProcess(test::cliPath(), {"remove", "--db", db, "bad"}), 0);
        QCOMPARE(test::runProcess(test::cliPath(), {"validate-twins", "--db", db}, &out), 0);
        QVERIFY2(out.contains("1 twins valid, 0 invalid"), qPrintable(out));
        QVERIFY(test::runProcess(test::cliPath(), {"validate-twins", "--db", dir.filePath("none/x.sqlite")}) != 0);
    }
};

QTEST_GUILESS_MAIN(TestRefinement)
#include "tst_refinement.moc"
