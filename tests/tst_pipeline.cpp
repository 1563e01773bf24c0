// The two-stage engine with the built-in reasoner on a small library made by the test: the ranking follows the
// reasoning, candidates below the threshold are dropped, every stage can be switched off, refinement runs only
// for leading candidates that named gaps, and a cancelled query stops.
#include "testsupport.h"
#include "knowledge/lexicon.h"
#include "reason/builtinreasoner.h"
#include "retrieval/pipeline.h"
#include "store/twinstore.h"
#include "twin/twintext.h"
#include "wordnetfixture.h"

#include <QTemporaryDir>
#include <nlohmann/json.hpp>
#include <QTest>

using namespace ts;

namespace {

Twin twinOf(const WordNet &wn, const std::string &key, const std::vector<std::string> &nouns)
{
    Twin t;
    t.video.key = key;
    t.video.path = "/nonexistent/" + key + ".mp4";
    t.video.contentHash = "hash-" + key;
    t.video.width = 320;
    t.video.height = 240;
    t.video.fps = 10;
    t.video.frameCount = 10;
    for (size_t i = 0; i < nouns.size(); ++i) {
        Track tr;
        tr.id = static_cast<TrackId>(i + 1);
        tr.category.name = nouns[i];
        const auto s = wn.lookup(nouns[i], WnPos::Noun);
        tr.category.synset = s.empty() ? "" : WordNet::key(s.front());
        tr.category.score = 0.9f;
        tr.lastFrame = 9;
        tr.observations = 10;
        tr.meanAreaFraction = 0.2f;
        tr.attributes["duration_share"] = {"100%", "test"};
        t.tracks.push_back(tr);
    }
    for (int f = 0; f < 10; ++f) {
        FrameRecord r;
        r.frameIndex = f;
        for (const Track &tr : t.tracks) {
            Instance in;
            in.trackId = tr.id;
            in.category = tr.category;
            in.box = {10, 10, 100, 100};
            in.areaPx = 10000;
            in.centroidX = in.centroidY = 0.5f;
            r.instances.push_back(in);
        }
        t.frames.push_back(r);
    }
    return t;
}

} // namespace

class TestPipeline : public QObject {
    Q_OBJECT
    std::unique_ptr<WordNet> m_wn;
    std::unique_ptr<Lexicon> m_lex;
    QTemporaryDir m_dir;
    std::unique_ptr<TwinStore> m_store;

private slots:
    void initTestCase()
    {
        TS_LOAD_WORDNET(m_wn);
        m_lex = std::make_unique<Lexicon>(m_wn.get(), nullptr);
        auto store = TwinStore::open(m_dir.filePath("lib.sqlite").toStdString());
        QVERIFY2(store.isOk(), store.message().c_str());
        m_store = std::move(store).value();
        for (const auto &[key, nouns] : std::vector<std::pair<std::string, std::vector<std::string>>>{
                 {"zoo-bear", {"brown bear"}}, {"toy", {"teddy bear", "person"}}, {"street", {"car", "person"}},
                 {"farm", {"horse", "person"}}}) {
            const Twin t = twinOf(*m_wn, key, nouns);
            QVERIFY(m_store->putTwin(t, 1, 0, twinSearchText(t)).isOk());
        }
    }

    void rankingAndThreshold()
    {
        BuiltinDecomposer d(*m_lex);
        BuiltinReasoner r(*m_lex);
        PipelineRoles roles;
        roles.builtinDecomposer = &d;
        roles.builtinReasoner = &r;
        TwoStageEngine engine(roles);
        RetrievalOptions o;
        o.jit = false;
        o.relevanceThreshold = 0.3;
        auto res = engine.run(*m_store, "an animal with a long shaggy coat and strong claws", o, CancelToken(), {});
        QVERIFY2(res.isOk(), res.message().c_str());
        QVERIFY(!res->results.empty());
        QCOMPARE(res->results.front().key, std::string("zoo-bear"));
        QCOMPARE(res->results.front().rank, 1);
        QVERIFY(res->dropped > 0); // the street has no animal at all
        for (const VideoResult &v : res->results)
            QVERIFY(v.relevance >= 0.3);
        QCOMPARE(res->librarySize, 4);
        QVERIFY(!res->subQueries.empty());
        // Ablations: without decomposition the whole query is one sub-query; without reasoning the ranking has
        // no relevance; without the coarse stage (none installed) every video was a candidate.
        o.decompose = false;
        res = engine.run(*m_store, "an animal with a long shaggy coat and strong claws", o, CancelToken(), {});
        QVERIFY(res.isOk());
        QCOMPARE(res->subQueries.size(), size_t(1));
        QCOMPARE(res->decomposer, std::string("none"));
        o.decompose = true;
        o.reason = false;
        res = engine.run(*m_store, "an animal with a long shaggy coat and strong claws", o, CancelToken(), {});
        QVERIFY(res.isOk());
        for (const VideoResult &v : res->results)
            QCOMPARE(v.relevance, -1.0);
    }

    void refinementOnlyForLeadersWithGaps()
    {
        BuiltinDecomposer d(*m_lex);
        BuiltinReasoner r(*m_lex);
        PipelineRoles roles;
        roles.builtinDecomposer = &d;
        roles.builtinReasoner = &r;
        std::vector<std::string> refined;
        roles.refine = [&refined](const Twin &twin, const std::vector<RefinementRequest> &requests, const CancelToken &,
                                  std::vector<TraceStep> &trace) -> Result<Twin> {
            refined.push_back(twin.video.key);
            Twin t = twin;
            for (const RefinementRequest &q : requests)
                if (q.kind == "ocr") {
                    Observation o;
                    o.kind = "ocr";
                    o.text = "7";
                    o.confidence = 1.f;
                    t.observations.push_back(o);
                    trace.push_back({"refine", "test OCR read 7", "test", -1, 0.0});
                }
            return t;
        };
        TwoStageEngine engine(roles);
        RetrievalOptions o;
        o.relevanceThreshold = 0.05;
        auto res = engine.run(*m_store, "rider number 7 on a horse", o, CancelToken(), {});
        QVERIFY2(res.isOk(), res.message().c_str());
        QVERIFY(!refined.empty());
        QVERIFY(refined.size() <= 3);
        QCOMPARE(res->results.front().key, std::string("farm"));
        bool traced = false;
        for (const TraceStep &s : res->results.front().trace)
            traced = traced || s.text.find("test OCR read 7") != std::string::npos;
        QVERIFY(traced);
        // Without JiT the refine function is never called.
        refined.clear();
        o.jit = false;
        QVERIFY(engine.run(*m_store, "rider number 7 on a horse", o, CancelToken(), {}).isOk());
        QVERIFY(refined.empty());
    }

    void cancelled()
    {
        BuiltinDecomposer d(*m_lex);
        BuiltinReasoner r(*m_lex);
        PipelineRoles roles;
        roles.builtinDecomposer = &d;
        roles.builtinReasoner = &r;
        TwoStageEngine engine(roles);
        CancelToken cancel;
        cancel.cancel();
        auto res = engine.run(*m_store, "a horse", RetrievalOptions(), cancel, {});
        QVERIFY(!res.isOk());
        QCOMPARE(res.message(), std::string("cancelled"));
    }

    void resultJsonRoundTrip()
    {
        BuiltinDecomposer d(*m_lex);
        BuiltinReasoner r(*m_lex);
        PipelineRoles roles;
        roles.builtinDecomposer = &d;
        roles.builtinReasoner = &r;
        TwoStageEngine engine(roles);
        RetrievalOptions o;
        o.jit = false;
        auto res = engine.run(*m_store, "a person near a car", o, CancelToken(), {});
        QVERIFY(res.isOk());
        auto back = queryResultFromJson(toJson(*res));
        QVERIFY2(back.isOk(), back.message().c_str());
        QCOMPARE(back->results.size(), res->results.size());
        QCOMPARE(back->results.front().key, res->results.front().key);
        QCOMPARE(back->results.front().objects.size(), res->results.front().objects.size());
        QCOMPARE(back->subQueries.size(), res->subQueries.size());
        QVERIFY(!queryResultFromJson(nlohmann::json::array()).isOk());
    }
};

QTEST_GUILESS_MAIN(TestPipeline)
#include "tst_pipeline.moc"
