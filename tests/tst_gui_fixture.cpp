#include "tst_gui_fixture.h"

#include "mainwindow.h"
#include "testsupport.h"
#include "vision/twinbuilder.h"

#include <QSignalSpy>
#include <QTest>

namespace ts::guitest {

bool openLibraryAndWait(MainWindow &window, const QString &path)
{
    QSignalSpy opened(&window, &MainWindow::libraryOpened);
    window.openLibrary(path);
    if (!opened.wait(60000) && opened.isEmpty())
        return false;
    return opened.last().at(1).toBool();
}

bool makeClip(const QString &path)
{
    return test::makeSyntheticVideo(path, QStringLiteral("testsrc2=size=%1x%2:rate=%3").arg(kWidth).arg(kHeight).arg(kFps),
                                    kFrames / kFps, QStringLiteral("-c:v libx264 -pix_fmt yuv420p -preset ultrafast -g 12"));
}

Twin makeTwin(const QString &key, const QString &path)
{
    Twin t;
    t.video.key = key.toStdString();
    t.video.path = path.toStdString();
    t.video.contentHash = "synthetic-" + key.toStdString();
    t.video.fileSize = 1000;
    t.video.durationMs = static_cast<int64_t>(kFrames * 1000 / kFps);
    t.video.fps = kFps;
    t.video.width = kWidth;
    t.video.height = kHeight;
    t.video.frameCount = kFrames;
    t.video.codec = "h264";
    t.sampling = {kFps / 2, 1.0, kFrames / 2, "synthetic"};
    for (int f = 0; f < kFrames; f += 2) {
        FrameRecord fr;
        fr.frameIndex = f;
        fr.timeMs = static_cast<int64_t>(f * 1000 / kFps);
        fr.keyframe = f % 10 == 0;
        Instance dog;
        dog.trackId = 1;
        dog.category = {"dog", "n02084071", 0.9f, "yolox_nano", {}};
        dog.attributes["colour"] = {"brown", "cielab-names", 0.7f};
        dog.box = {10.f + f, 20.f, 40.f, 30.f};
        dog.mask = Rle::fromBox(dog.box, kHeight, kWidth);
        dog.maskSource = "isnet_crop";
        dog.depth = {0.6f, "proxy"};
        dog.areaPx = static_cast<int64_t>(dog.mask.area());
        Instance ball;
        ball.trackId = 2;
        ball.category = {"ball", "n02778669", 0.8f, "yolox_nano", {}};
        ball.box = {100.f, 70.f, 30.f, 30.f};
        ball.mask = Rle::fromBox(ball.box, kHeight, kWidth);
        ball.maskSource = "grabcut";
        ball.depth = {0.2f, "proxy"};
        ball.areaPx = static_cast<int64_t>(ball.mask.area());
        fr.instances = {dog, ball};
        t.frames.push_back(fr);
    }
    Track dog;
    dog.id = 1;
    dog.category = t.frames[0].instances[0].category;
    dog.firstFrame = 0;
    dog.lastFrame = kFrames - 2;
    dog.observations = kFrames / 2;
    Track ball = dog;
    ball.id = 2;
    ball.category = t.frames[0].instances[1].category;
    t.tracks = {dog, ball};
    t.relationships = {{1, "left of", 2, 0, kFrames - 2, 0.9f, "geometry"}};
    t.observations = {{"ocr", "TEST", 2, 20, 24, {100, 70, 30, 30}, 0.8f, "ppocr_v4"}};
    return t;
}

std::shared_ptr<TwinStore> makeLibrary(const QString &dbPath, const std::vector<Twin> &twins)
{
    auto store = TwinStore::open(dbPath.toStdString());
    if (!store)
        return nullptr;
    std::shared_ptr<TwinStore> shared(std::move(store).value());
    for (const Twin &t : twins)
        if (!shared->putTwin(t, TwinBuilder::kPipelineVersion, 1, t.video.key))
            return nullptr;
    return shared;
}

Result<QueryResult> FakeEngine::run(TwinStore &, const std::string &query, const RetrievalOptions &,
                                    const CancelToken &cancel, const QueryObserver &observer)
{
    ++m_runs;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_last = query;
    }
    if (observer.progress)
        observer.progress(0.5, "aligning sub-queries with twin components"); // the engine's longest stage name
    if (cancel.isCancelled())
        return Result<QueryResult>::error("cancelled");
    QueryResult r;
    r.query = query;
    r.decomposer = "local:a-language-model-with-a-long-name-1.5b-instruct";
    r.subQueries = {{SubQueryKind::Object, "dog", 1.f, false, {"dog"}}, {SubQueryKind::Spatial, "dog left of ball", 1.f, false, {}}};
    if (m_streaming) {
        if (observer.decomposed)
            observer.decomposed(r.subQueries, r.decomposer);
        CandidateEvent e;
        e.result.key = m_keys.back();
        e.result.score = e.result.relevance = 0.7;
        e.result.reasoner = "fake-llm";
        e.judged = 1;
        e.toJudge = static_cast<int>(m_keys.size());
        if (observer.judged)
            observer.judged(e);
        while (!m_released && !cancel.isCancelled())
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        m_released = false;
        if (cancel.isCancelled())
            return Result<QueryResult>::error("cancelled");
    }
    r.librarySize = static_cast<int>(m_keys.size());
    for (size_t i = 0; i < m_keys.size(); ++i) {
        VideoResult v;
        v.key = m_keys[i];
        v.rank = static_cast<int>(i) + 1;
        v.score = 0.9 - 0.1 * static_cast<double>(i);
        v.relevance = v.score;
        v.satisfied = i == 0 ? std::vector<int>{0, 1} : std::vector<int>{0};
        v.reasoner = "fake";
        if (i == 0) {
            v.objects = {{1, "dog", {{10, 30}}, 0.9f, {0, 1}}};
            v.trace = {{"refine", "read the text on the ball", "ocr", 22, 1.0}, {"verdict", "a dog left of a ball", "fake", -1, 0.0}};
        }
        r.results.push_back(v);
    }
    r.timings = {{"total", 5.0}};
    return r;
}

} // namespace ts::guitest
