// The TorchScript plug point end to end: scripts/make_test_torchscript.py (Debian's python3-torch) writes a tiny
// scripted "depth" model whose output is a known function of its input (the mean of the colour channels) and its
// manifest; the model registry and the LibTorch backend load it, the twin builder runs it in the depth role on
// real footage, and refinement asks it for depth on demand. The twin must name the model and hold its values.
#include "media/videoreader.h"
#include "services.h"
#include "testsupport.h"
#include "twin/maskio.h"
#include "refine/refiner.h"

#include <QProcessEnvironment>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

using namespace ts;

namespace {

const char *const kModelId = "meanchannel_depth";

// What the model and the depth decoder make of a frame, computed here independently: the frame stretched to the
// model's input size, the channel mean, normalised to 0..1 over the map (decoder "relative": larger = farther),
// back at frame size; an object's depth is the median over its mask.
cv::Mat expectedDepthMap(const cv::Mat &bgr, int inputWidth, int inputHeight)
{
    cv::Mat small;
    cv::resize(bgr, small, cv::Size(inputWidth, inputHeight), 0, 0,
               bgr.cols > inputWidth * 2 ? cv::INTER_AREA : cv::INTER_LINEAR);
    cv::Mat f;
    small.convertTo(f, CV_32FC3, 1.0 / 255.0);
    std::vector<cv::Mat> ch;
    cv::split(f, ch);
    cv::Mat mean = (ch[0] + ch[1] + ch[2]) / 3.0;
    double mn = 0, mx = 0;
    cv::minMaxLoc(mean, &mn, &mx);
    cv::Mat norm = (mean - mn) / std::max(1e-6, mx - mn);
    cv::Mat full;
    cv::resize(norm, full, bgr.size(), 0, 0, cv::INTER_LINEAR);
    return full;
}

float medianUnder(const cv::Mat &map, const Instance &in)
{
    std::vector<float> v;
    const cv::Mat mask = in.mask.counts().empty() ? cv::Mat() : rleToMat(in.mask);
    const cv::Rect r = cv::Rect(static_cast<int>(in.box.x), static_cast<int>(in.box.y),
                                std::max(1, static_cast<int>(in.box.w)), std::max(1, static_cast<int>(in.box.h))) &
                       cv::Rect(0, 0, map.cols, map.rows);
    for (int y = r.y; y < r.y + r.height; ++y)
        for (int x = r.x; x < r.x + r.width; ++x)
            if (mask.empty() || mask.at<uint8_t>(y, x))
                v.push_back(map.at<float>(y, x));
    if (v.empty())
        return -1.f;
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
}

} // namespace

class TestTorchScript : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    std::unique_ptr<Services> m_services;

private slots:
    void initTestCase()
    {
        TS_REQUIRE_CORPUS();
        {
            Services probe;
            if (!probe.backends().find("torchscript"))
                TS_MISSING("this build has no LibTorch backend (Debian libtorch-dev, CMake option TWINSEEK_WITH_TORCH)");
        }
        QVERIFY(m_dir.isValid());
        // Debian's python3-torch lives in the system interpreter, which need not be the first python3 on PATH.
        QStringList pythons;
        const QString configured = qEnvironmentVariable("TWINSEEK_PYTHON");
        if (!configured.isEmpty())
            pythons << configured;
        const QString onPath = QStandardPaths::findExecutable("python3");
        if (!onPath.isEmpty())
            pythons << onPath;
        pythons << "/usr/bin/python3";
        const QString script = QStringLiteral(TWINSEEK_SCRIPTS_DIR "/make_test_torchscript.py");
        QString out, tried;
        int rc = -1;
        for (const QString &py : pythons) {
            rc = test::runProcess(py, {script, m_dir.path()}, &out);
            if (rc == 0)
                break;
            tried += py + ": " + out.trimmed().left(200) + "; ";
            if (rc != 3 && rc != -1)
                QFAIL(qPrintable("make_test_torchscript.py failed: " + tried));
        }
        if (rc != 0)
            TS_MISSING("python3-torch is not installed, the test model cannot be made (" + tried + ")");
        AppPaths paths = defaultAppPaths();
        paths.manifestDirs.insert(paths.manifestDirs.begin(), m_dir.path().toStdString());
        m_services = std::make_unique<Services>(paths);
    }

    void registryAndBackendLoadIt()
    {
        const ModelManifest *m = m_services->models().find(kModelId);
        QVERIFY2(m, "the generated manifest was not read");
        QCOMPARE(m->role, std::string("depth"));
        QVERIFY(m_services->models().availability(*m).available);
        QCOMPARE(m_services->models().bestAvailable("depth"), m);
        auto session = m_services->sessions().load(m_services->models().modelPath(*m), m->runtimes, {});
        QVERIFY2(session.isOk(), session.message().c_str());
        QCOMPARE((*session)->runtime(), std::string("torchscript"));
        // CUDA when LibTorch sees a GPU, else the CPU.
        const QString device = QString::fromStdString((*session)->device());
        QVERIFY2(device == "cpu" || device.startsWith("cuda"), qPrintable(device));
        // The known function, exactly: the channel mean.
        Tensor in;
        in.shape = {1, 3, 2, 3};
        in.data = {0.f, 1.f, 2.f, 3.f, 4.f, 5.f, 6.f, 7.f, 8.f, 9.f, 10.f, 11.f, 12.f, 13.f, 14.f, 15.f, 16.f, 17.f};
        auto out = (*session)->run({in});
        QVERIFY2(out.isOk(), out.message().c_str());
        QCOMPARE(out->front().shape, (std::vector<int64_t>{1, 1, 2, 3}));
        for (int i = 0; i < 6; ++i)
            QCOMPARE(out->front().data[static_cast<size_t>(i)], static_cast<float>(i + 6));
    }

    void depthRoleInTheTwinBuilder()
    {
        const ModelManifest *m = m_services->models().find(kModelId);
        QVERIFY(m);
        TwinBuilderConfig cfg;
        cfg.depthId = kModelId;
        cfg.keyframeFps = cfg.detectFps; // a fresh depth map on every detection frame
        cfg.classify = false;
        cfg.salientObjects = false;
        auto builder = m_services->makeBuilder(cfg);
        const std::string path = test::corpusFile("davis2016/videos/dog-agility.mp4").toStdString();
        VideoInfo seed;
        seed.key = "dog-agility";
        auto twin = builder->build(path, seed, {}, {});
        QVERIFY2(twin.isOk(), twin.message().c_str());
        const auto role = std::find_if(twin->roles.begin(), twin->roles.end(),
                                       [](const RoleRecord &r) { return r.role == "depth"; });
        QVERIFY(role != twin->roles.end());
        QCOMPARE(role->model, std::string(kModelId));
        QCOMPARE(role->runtime, std::string("torchscript"));
        QCOMPARE(role->status, std::string("ok"));

        auto reader = VideoReader::open(path);
        QVERIFY(reader.isOk());
        int checked = 0, instances = 0;
        for (const FrameRecord &f : twin->frames) {
            for (const Instance &in : f.instances) {
                ++instances;
                // Every instance, on detection frames and on frames masks were carried to.
                QCOMPARE(in.depth.source, std::string(kModelId));
                QVERIFY(in.depth.value >= 0.f && in.depth.value <= 1.f);
            }
            if (!f.detected || f.instances.empty())
                continue;
            auto frame = reader.value()->frameAt(f.frameIndex);
            QVERIFY(frame.isOk());
            const cv::Mat expected = expectedDepthMap(frame->bgr, m->input.width, m->input.height);
            for (const Instance &in : f.instances) {
                const float want = medianUnder(expected, in);
                QVERIFY2(std::abs(in.depth.value - want) < 0.03f,
                         qPrintable(QString("frame %1 track %2: depth %3, the channel mean gives %4")
                                        .arg(f.frameIndex).arg(in.trackId).arg(in.depth.value).arg(want)));
                ++checked;
            }
        }
        QVERIFY2(checked >= 3, qPrintable(QString("only %1 instances checked").arg(checked)));
        QVERIFY(instances > checked); // frames between detections carried masks and got depth too

        // On demand: refinement uses the installed depth model and the values it gives are the same function.
        Refiner refiner(m_services->models(), m_services->sessions(), m_services->wordnet());
        auto r = refiner.depth(*twin, {0, 12});
        QVERIFY2(r.isOk(), r.message().c_str());
        QCOMPARE(r->model, std::string(kModelId));
        QCOMPARE(r->runtime, std::string("torchscript"));
        QVERIFY(!r->replacedInstances.empty());
        for (const InstanceUpdate &u : r->replacedInstances) {
            QCOMPARE(u.instance.depth.source, std::string(kModelId));
            auto frame = reader.value()->frameAt(u.frameIndex);
            QVERIFY(frame.isOk());
            const float want = medianUnder(expectedDepthMap(frame->bgr, m->input.width, m->input.height), u.instance);
            QVERIFY2(std::abs(u.instance.depth.value - want) < 0.03f,
                     qPrintable(QString("frame %1: %2 vs %3").arg(u.frameIndex).arg(u.instance.depth.value).arg(want)));
        }
        Twin refined = *twin;
        QVERIFY(applyRefinement(refined, *r));
    }
};

QTEST_GUILESS_MAIN(TestTorchScript)
#include "tst_torchscript.moc"
