// Retrieval metrics against hand-computed values, grounding J/F from a synthetic twin, the TREC/JSON/Markdown
// exports and the plots.
#include "eval/plots.h"
#include "eval/report.h"
#include "eval/retrievalmetrics.h"
#include "eval/segmetrics.h"
#include "query/results.h"
#include "testsupport.h"
#include "twin/twin.h"

#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <limits>

using namespace ts;

namespace {

BenchQuery makeQuery(const QString &relevantJson, const QString &id = "Q")
{
    const QuerySet set = parseQuerySet(R"({"id": ")" + id.toStdString() + R"(", "query": "q", "relevant": )" +
                                       relevantJson.toStdString() + "}");
    return set.queries.empty() ? BenchQuery{} : set.queries[0];
}

std::vector<std::string> keys(const QStringList &list)
{
    std::vector<std::string> out;
    for (const QString &s : list)
        out.push_back(s.toStdString());
    return out;
}

constexpr double kEps = 1e-6;

bool near(double a, double b)
{
    return std::fabs(a - b) < kEps;
}

#define COMPARE_NEAR(actual, expected)                                                                                 \
    QVERIFY2(near((actual), (expected)),                                                                               \
             qPrintable(QStringLiteral("%1 = %2, expected %3").arg(#actual).arg(actual, 0, 'g', 10).arg(expected)))

Instance boxInstance(TrackId id, const Box &box, int h, int w)
{
    Instance in;
    in.trackId = id;
    in.box = box;
    in.mask = Rle::fromBox(box, h, w);
    return in;
}

// A 10x10 video analysed on frames 0 and 4. Track 1 is a 4x4 box at the top left that moves 2 px right by frame
// 4; track 2 is a 2x2 box at (6,6) seen on frame 0 only. `scale` builds the same twin at a larger resolution.
Twin gridTwin(int scale = 1)
{
    Twin t;
    const int s = scale;
    t.video.width = 10 * s;
    t.video.height = 10 * s;
    FrameRecord f0;
    f0.frameIndex = 0;
    f0.instances = {boxInstance(1, {0.f, 0.f, 4.f * s, 4.f * s}, 10 * s, 10 * s),
                    boxInstance(2, {6.f * s, 6.f * s, 2.f * s, 2.f * s}, 10 * s, 10 * s)};
    FrameRecord f4;
    f4.frameIndex = 4;
    f4.instances = {boxInstance(1, {2.f * s, 0.f, 4.f * s, 4.f * s}, 10 * s, 10 * s)};
    t.frames = {f0, f4};
    return t;
}

// Ground truth of six frames: track 1's box where it was on frames 0-2 and where it moved to on frames 3-5.
std::vector<Rle> gridGroundTruth(bool empty = false)
{
    std::vector<Rle> gt;
    for (int i = 0; i < 6; ++i)
        gt.push_back(empty ? Rle::empty(10, 10) : Rle::fromBox({i < 3 ? 0.f : 2.f, 0.f, 4.f, 4.f}, 10, 10));
    return gt;
}

ReportHit hit(const std::string &key, double score)
{
    ReportHit h;
    h.key = key;
    h.score = score;
    return h;
}

VideoResult videoResult(const std::string &key, double score, double relevance, std::vector<TrackId> tracks = {})
{
    VideoResult v;
    v.key = key;
    v.score = score;
    v.relevance = relevance;
    for (TrackId t : tracks) {
        GroundedObject o;
        o.trackId = t;
        v.objects.push_back(o);
    }
    return v;
}

// Pixels within a small distance of a colour: the plot test's "is this series drawn at all".
int pixelsNear(const cv::Mat &img, const cv::Scalar &color, int tolerance = 12)
{
    cv::Mat mask;
    cv::inRange(img,
                cv::Scalar(color[0] - tolerance, color[1] - tolerance, color[2] - tolerance),
                cv::Scalar(color[0] + tolerance, color[1] + tolerance, color[2] + tolerance), mask);
    return cv::countNonZero(mask);
}

} // namespace

Q_DECLARE_METATYPE(std::vector<int>)

class TestMetrics : public QObject {
    Q_OBJECT
private slots:
    void firstCorrectRank_data()
    {
        QTest::addColumn<QString>("relevant");
        QTest::addColumn<QStringList>("ranking");
        QTest::addColumn<int>("librarySize");
        QTest::addColumn<int>("rank");
        QTest::newRow("first") << R"({"a": 2})" << QStringList{"a", "b", "c"} << 10 << 1;
        QTest::newRow("third") << R"({"a": 2})" << QStringList{"x", "y", "a"} << 10 << 3;
        QTest::newRow("grade 1 before grade 2 does not count")
            << R"({"a": 2, "b": 1})" << QStringList{"b", "a"} << 10 << 2;
        QTest::newRow("first of two correct") << R"({"a": 2, "b": 2})" << QStringList{"x", "b", "a"} << 10 << 2;
        QTest::newRow("not returned ranks at library size") << R"({"a": 2})" << QStringList{"x", "y"} << 50 << 50;
        QTest::newRow("nothing returned") << R"({"a": 2})" << QStringList{} << 7 << 7;
        QTest::newRow("not in a library smaller than the list")
            << R"({"a": 2})" << QStringList{"x", "y", "z"} << 2 << 4;
        QTest::newRow("repeated key keeps its slot") << R"({"a": 2})" << QStringList{"x", "x", "a"} << 10 << 3;
        QTest::newRow("grade 1 only has no rank") << R"({"b": 1})" << QStringList{"b"} << 10 << 0;
    }
    void firstCorrectRank()
    {
        QFETCH(QString, relevant);
        QFETCH(QStringList, ranking);
        QFETCH(int, librarySize);
        QFETCH(int, rank);
        QCOMPARE(ts::firstCorrectRank(keys(ranking), makeQuery(relevant), librarySize), rank);
    }

    void averagePrecision_data()
    {
        QTest::addColumn<QString>("relevant");
        QTest::addColumn<QStringList>("ranking");
        QTest::addColumn<int>("k");
        QTest::addColumn<double>("ap");
        const QString ab = R"({"a": 2, "b": 1})";
        QTest::newRow("hit at 1, K=1") << ab << QStringList{"a", "x", "b"} << 1 << 1.0;
        // hits at 1 and 3: (1/1 + 2/3) / min(5, 2)
        QTest::newRow("hits at 1 and 3, K=5") << ab << QStringList{"a", "x", "b"} << 5 << (1.0 + 2.0 / 3.0) / 2.0;
        QTest::newRow("miss at 1, K=1") << ab << QStringList{"x", "a"} << 1 << 0.0;
        // hits at 2 and 4 of three relevant: (1/2 + 2/4) / 3
        QTest::newRow("two of three found") << R"({"a": 2, "b": 1, "c": 1})" << QStringList{"x", "a", "y", "b"} << 5
                                            << (0.5 + 0.5) / 3.0;
        QTest::newRow("all found in order") << R"({"a": 2, "b": 1, "c": 1})" << QStringList{"a", "b", "c"} << 10
                                            << 1.0;
        QTest::newRow("short list") << R"({"a": 2, "b": 1, "c": 1})" << QStringList{"a", "b"} << 10 << 2.0 / 3.0;
        // six relevant, K=5 normalises by 5: hits at 1, 3, 4
        QTest::newRow("more relevant than K")
            << R"({"r1": 2, "r2": 1, "r3": 1, "r4": 1, "r5": 1, "r6": 1})"
            << QStringList{"r1", "x", "r2", "r3", "y", "r4"} << 5 << (1.0 + 2.0 / 3.0 + 3.0 / 4.0) / 5.0;
        QTest::newRow("hit beyond K ignored") << R"({"a": 2})" << QStringList{"x", "y", "a"} << 2 << 0.0;
        QTest::newRow("repeat is not a second hit") << ab << QStringList{"a", "a", "b"} << 5
                                                    << (1.0 + 2.0 / 3.0) / 2.0;
        QTest::newRow("grade 0 listed is irrelevant") << R"({"a": 2, "z": 0})" << QStringList{"z", "a"} << 5 << 0.5;
        QTest::newRow("grade 1 counts") << R"({"b": 1})" << QStringList{"x", "b"} << 10 << 0.5;
        QTest::newRow("empty ranking") << ab << QStringList{} << 100 << 0.0;
        QTest::newRow("no relevant") << "{}" << QStringList{"a"} << 5 << 0.0;
    }
    void averagePrecision()
    {
        QFETCH(QString, relevant);
        QFETCH(QStringList, ranking);
        QFETCH(int, k);
        QFETCH(double, ap);
        COMPARE_NEAR(averagePrecisionAt(keys(ranking), makeQuery(relevant), k), ap);
    }

    void evaluateQueryAveragesTheKs()
    {
        // First relevant at 3 of one: AP@1 = 0, AP@5..100 = 1/3.
        const QueryMetrics m = evaluateQuery(makeQuery(R"({"b": 2})"), {"x", "y", "b"}, 20);
        QCOMPARE(m.rank, 3);
        QVERIFY(m.returnedCorrect);
        QCOMPARE(m.relevantCount, 1);
        COMPARE_NEAR(m.apAtK[0], 0.0);
        COMPARE_NEAR(m.apAtK[4], 1.0 / 3.0);
        COMPARE_NEAR(m.ap, 4.0 / 15.0);
        const QueryMetrics missing = evaluateQuery(makeQuery(R"({"b": 2})"), {"x"}, 20);
        QCOMPARE(missing.rank, 20);
        QVERIFY(!missing.returnedCorrect);
    }

    void summary_data()
    {
        // Each query line carries the system's ranking and the library size in extra fields.
        QTest::addColumn<QString>("jsonl");
        QTest::addColumn<int>("queries");
        QTest::addColumn<int>("ranked");
        QTest::addColumn<QVector<double>>("recall"); // R@1, 5, 10, 50, 100
        QTest::addColumn<double>("mdr");
        QTest::addColumn<double>("mnr");
        QTest::addColumn<double>("map");
        QTest::addColumn<double>("map1");
        // ranks 1, 3, 200 (not returned), a grade-1-only query (AP 1, no rank) and a control (left out).
        QTest::newRow("mixed") << QString(R"({"id":"1","query":"q","relevant":{"a":2},"ranking":["a"],"library":100}
{"id":"2","query":"q","relevant":{"b":2},"ranking":["x","y","b"],"library":100}
{"id":"3","query":"q","relevant":{"c":2},"ranking":["x"],"library":200}
{"id":"4","query":"q","relevant":{"d":1},"ranking":["d"],"library":100}
{"id":"5","query":"q","relevant":{},"ranking":["a"],"library":100})")
                               << 4 << 3 << QVector<double>{1.0 / 3, 2.0 / 3, 2.0 / 3, 2.0 / 3, 2.0 / 3} << 3.0
                               << 68.0 << (1.0 + 4.0 / 15.0 + 0.0 + 1.0) / 4.0 << 0.5;
        // ranks 1, 3, 7, 200: the median of an even count is the mean of the middle two.
        QTest::newRow("even count")
            << QString(R"({"id":"1","query":"q","relevant":{"a":2},"ranking":["a"],"library":200}
{"id":"2","query":"q","relevant":{"a":2},"ranking":["x","y","a"],"library":200}
{"id":"3","query":"q","relevant":{"a":2},"ranking":["1","2","3","4","5","6","a"],"library":200}
{"id":"4","query":"q","relevant":{"a":2},"ranking":[],"library":200})")
            << 4 << 4 << QVector<double>{0.25, 0.5, 0.75, 0.75, 0.75} << 5.0 << 52.75
            << (1.0 + 4.0 / 15.0 + 3.0 / 35.0 + 0.0) / 4.0 << 0.25;
        QTest::newRow("grade 1 only")
            << QString(R"({"id":"1","query":"q","relevant":{"a":1},"ranking":["a"],"library":9})")
            << 1 << 0 << QVector<double>{0, 0, 0, 0, 0} << 0.0 << 0.0 << 1.0 << 1.0;
        QTest::newRow("no queries") << QString() << 0 << 0 << QVector<double>{0, 0, 0, 0, 0} << 0.0 << 0.0 << 0.0
                                    << 0.0;
    }
    void summary()
    {
        QFETCH(QString, jsonl);
        QFETCH(int, queries);
        QFETCH(int, ranked);
        QFETCH(QVector<double>, recall);
        QFETCH(double, mdr);
        QFETCH(double, mnr);
        QFETCH(double, map);
        QFETCH(double, map1);
        const QuerySet set = parseQuerySet(jsonl.toStdString());
        QVERIFY(set.errors.empty());
        std::vector<QueryMetrics> perQuery;
        for (const BenchQuery &q : set.queries) {
            const auto ranking = nlohmann::json::parse(q.extraJson.at("ranking")).get<std::vector<std::string>>();
            const int library = std::stoi(q.extraJson.at("library"));
            perQuery.push_back(evaluateQuery(q, ranking, library));
        }
        const RetrievalSummary s = summarize(perQuery);
        QCOMPARE(s.queries, queries);
        QCOMPARE(s.rankedQueries, ranked);
        for (int i = 0; i < recall.size(); ++i)
            COMPARE_NEAR(s.recallAtK[static_cast<size_t>(i)], recall[i]);
        COMPARE_NEAR(s.medianRank, mdr);
        COMPARE_NEAR(s.meanRank, mnr);
        COMPARE_NEAR(s.map, map);
        COMPARE_NEAR(s.mapAtK[0], map1);
        QCOMPARE(s.controls, 0);
    }

    void controls_data()
    {
        QTest::addColumn<QVector<double>>("best");
        QTest::addColumn<double>("threshold");
        QTest::addColumn<double>("share");
        const double none = -std::numeric_limits<double>::infinity();
        QTest::newRow("one of two below") << QVector<double>{0.2, 0.7} << 0.5 << 0.5;
        QTest::newRow("equal is accepted") << QVector<double>{0.5} << 0.5 << 0.0;
        QTest::newRow("nothing returned is rejected") << QVector<double>{none, 0.9, 0.1} << 0.5 << 2.0 / 3.0;
        QTest::newRow("no controls") << QVector<double>{} << 0.5 << 0.0;
    }
    void controls()
    {
        QFETCH(QVector<double>, best);
        QFETCH(double, threshold);
        QFETCH(double, share);
        std::vector<ControlOutcome> outcomes;
        for (double b : best)
            outcomes.push_back({"c", b, threshold});
        const RetrievalSummary s = summarize({}, outcomes);
        QCOMPARE(s.controls, static_cast<int>(best.size()));
        COMPARE_NEAR(s.controlsRejected, share);
    }

    void recallCurveSteps()
    {
        // Rank 0 (no grade-2 video) is not a ranked query: the curve agrees with summarize()'s R@K.
        const std::vector<double> c = recallCurve({1, 3, 3, 0, 150}, 5);
        QCOMPARE(c.size(), size_t(5));
        COMPARE_NEAR(c[0], 0.25);
        COMPARE_NEAR(c[1], 0.25);
        COMPARE_NEAR(c[2], 0.75);
        COMPARE_NEAR(c[4], 0.75);
        QCOMPARE(recallCurve({}, 3), (std::vector<double>{0, 0, 0}));
    }

    void grounding_data()
    {
        QTest::addColumn<std::vector<int>>("tracks");
        QTest::addColumn<int>("scale");
        QTest::addColumn<bool>("emptyTruth");
        QTest::addColumn<double>("j");
        QTest::addColumn<double>("f");
        // Frames 0-2 take analysed frame 0 (frame 2 is a tie: the earlier wins), frames 3-5 analysed frame 4.
        QTest::newRow("the right track") << std::vector<int>{1} << 1 << false << 1.0 << 1.0;
        // Frames 0-2: union 20 px vs 16 px -> J 0.8; the 2x2 box adds 8 boundary pixels far from the 7 of the
        // truth -> precision 7/15, recall 1, F = 14/22. Frames 3-5 exact.
        QTest::newRow("an extra track") << std::vector<int>{1, 2} << 1 << false << 0.9
                                        << (3 * (14.0 / 22.0) + 3) / 6.0;
        QTest::newRow("the wrong track") << std::vector<int>{2} << 1 << false << 0.0 << 0.0;
        QTest::newRow("no tracks, empty truth") << std::vector<int>{} << 1 << true << 1.0 << 1.0;
        QTest::newRow("no tracks") << std::vector<int>{} << 1 << false << 0.0 << 0.0;
        QTest::newRow("twin at twice the size") << std::vector<int>{1} << 2 << false << 1.0 << 1.0;
    }
    void grounding()
    {
        QFETCH(std::vector<int>, tracks);
        QFETCH(int, scale);
        QFETCH(bool, emptyTruth);
        QFETCH(double, j);
        QFETCH(double, f);
        const std::vector<TrackId> ids(tracks.begin(), tracks.end());
        const SequenceScores s = scoreGrounding(gridTwin(scale), ids, gridGroundTruth(emptyTruth));
        QCOMPARE(s.frames(), 6);
        COMPARE_NEAR(s.meanJ(), j);
        COMPARE_NEAR(s.meanF(), f);
        const SequenceScores noF = scoreGrounding(gridTwin(scale), ids, gridGroundTruth(emptyTruth),
                                                  ContourMeasure::Skip);
        QVERIFY(noF.f.empty());
        COMPARE_NEAR(noF.meanJ(), j);
    }

    void groundingSummary()
    {
        const GroundingSummary s = summarizeGrounding(
            {{"q1", "a", 1, 0.9, 0.8, 10}, {"q1", "b", 3, 0.5, 0.4, 10}, {"q2", "c", 1, 0.7, 0.6, 10}});
        QCOMPARE(s.pairs, 3);
        QCOMPARE(s.firstPairs, 2);
        COMPARE_NEAR(s.meanJ, 0.7);
        COMPARE_NEAR(s.meanF, 0.6);
        COMPARE_NEAR(s.firstJ, 0.8);
        COMPARE_NEAR(s.firstF, 0.7);
        const GroundingSummary none = summarizeGrounding({});
        QCOMPARE(none.pairs, 0);
        COMPARE_NEAR(none.meanJ, 0.0);
    }

    void reportFromEngineResult()
    {
        BenchQuery q = makeQuery(R"({"bear": 2, "cotracker-bear": 1})", "D01");
        q.ground = {{"bear", "davis2016/Annotations/480p/bear"}};
        QueryResult r;
        r.librarySize = 40;
        r.subQueries = {{SubQueryKind::Object, "brown bear", 1.f, false, {}},
                        {SubQueryKind::Scene, "zoo", 0.5f, true, {}}};
        r.trace = {{"decompose", "2 conditions", "builtin", -1, 1.0}};
        r.results = {videoResult("rhino", 0.9, 0.3), videoResult("bear", 0.8, 0.95, {3, 5, 3}),
                     videoResult("cotracker-bear", 0.7, 0.9)};
        r.results[1].trace = {{"reason", "a bear\npacing", "openai:m", 12, 3.0}};
        const QueryReport rep = makeQueryReport(q, r, 0.5);
        QVERIFY(!rep.control);
        QCOMPARE(rep.metrics.rank, 2);
        COMPARE_NEAR(rep.metrics.apAtK[1], (0.5 + 2.0 / 3.0) / 2.0);
        QCOMPARE(rep.hits.size(), size_t(3));
        QCOMPARE(rep.hits[1].grade, 2);
        QCOMPARE(rep.hits[2].grade, 1);
        QCOMPARE(rep.hits[0].grade, 0);
        QCOMPARE(rep.hits[1].trace.at(0), std::string("reason [openai:m] @12: a bear pacing"));
        QCOMPARE(rep.subQueries.at(1), std::string("scene: NOT zoo (weight 0.50)"));
        QCOMPARE(rep.trace.at(0), std::string("decompose [builtin]: 2 conditions"));

        const std::vector<GroundingTask> tasks = groundingTasks(q, r);
        QCOMPARE(tasks.size(), size_t(1));
        QCOMPARE(tasks[0].key, std::string("bear"));
        QCOMPARE(tasks[0].rank, 2);
        QCOMPARE(tasks[0].tracks, (std::vector<TrackId>{3, 5}));
        QCOMPARE(tasks[0].groundFolder, std::string("davis2016/Annotations/480p/bear"));
    }

    void controlReport_data()
    {
        QTest::addColumn<QVector<double>>("relevance"); // one returned video each; -1 = no reasoning stage
        QTest::addColumn<QVector<double>>("score");
        QTest::addColumn<double>("best");
        QTest::addColumn<bool>("rejected");
        QTest::newRow("relevance below") << QVector<double>{0.3, 0.1} << QVector<double>{0.9, 0.8} << 0.3 << true;
        QTest::newRow("relevance above") << QVector<double>{0.2, 0.6} << QVector<double>{0.9, 0.8} << 0.6 << false;
        QTest::newRow("no reasoning: final score") << QVector<double>{-1} << QVector<double>{0.7} << 0.7 << false;
        QTest::newRow("nothing returned") << QVector<double>{} << QVector<double>{}
                                          << -std::numeric_limits<double>::infinity() << true;
    }
    void controlReport()
    {
        QFETCH(QVector<double>, relevance);
        QFETCH(QVector<double>, score);
        QFETCH(double, best);
        QFETCH(bool, rejected);
        QueryResult r;
        for (int i = 0; i < relevance.size(); ++i)
            r.results.push_back(videoResult("v" + std::to_string(i), score[i], relevance[i]));
        const QueryReport rep = makeQueryReport(makeQuery("{}", "N1"), r, 0.5);
        QVERIFY(rep.control);
        QCOMPARE(rep.controlOutcome.bestScore, best);
        QCOMPARE(rep.controlOutcome.rejected(), rejected);
    }

    void trecFiles()
    {
        const BenchQuery q1 = makeQuery(R"({"bear": 2, "my clip": 1, "teddy": 0})", "D01");
        const BenchQuery control = makeQuery("{}", "N1");
        SystemReport sys;
        sys.name = "full system";
        // Equal and rising system scores: trec_eval would reorder these by score.
        sys.queries.push_back(makeQueryReport(
            q1, {hit("x", 0.5), hit("bear", 0.5), hit("my clip", 0.9), hit("bear", 0.1)}, 10, 0, 0.5));
        sys.queries.push_back(makeQueryReport(control, {hit("bear", 0.2)}, 10, 0.2, 0.5));

        const QStringList lines = QString::fromStdString(trecRun(sys)).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 4); // the repeated "bear" is dropped
        QCOMPARE(lines[0], QString("D01 Q0 x 1 4.000000 full%20system"));
        QCOMPARE(lines[1], QString("D01 Q0 bear 2 3.000000 full%20system"));
        QCOMPARE(lines[2], QString("D01 Q0 my%20clip 3 2.000000 full%20system"));
        QCOMPARE(lines[3], QString("N1 Q0 bear 1 1.000000 full%20system"));
        for (const QString &l : lines)
            QCOMPARE(l.split(' ').size(), 6);
        const QStringList raw = QString::fromStdString(trecRun(sys, TrecScore::System)).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(raw[2], QString("D01 Q0 my%20clip 3 0.900000 full%20system"));

        const QStringList qrels =
            QString::fromStdString(trecQrels({q1, control})).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(qrels, (QStringList{"D01 0 bear 2", "D01 0 my%20clip 1", "D01 0 teddy 0"}));
        QCOMPARE(QString::fromStdString(trecId("a%b\tc")), QString("a%25b%09c"));
    }

    void jsonAndMarkdownReports()
    {
        BenchQuery q = makeQuery(R"({"bear": 2, "rhino": 1})", "D01");
        q.query = "the animal | that hibernates";
        q.type = "world-knowledge";
        ReportHit rhino{"rhino", 0.9, 0.4, 0, {"reason [builtin]: horn visible"}, ""};
        ReportHit bear{"bear", 0.8, 0.95, 0, {"reason [builtin]: brown fur"}, "thumbs/bear.jpg"};
        SystemReport full{"full", {makeQueryReport(q, {rhino, bear}, 30, 0, 0.5)}};
        full.queries[0].grounding.push_back({"D01", "bear", 2, 0.75, 0.5, 80});
        full.queries[0].trace = {"decompose [builtin]: 1 condition"};
        SystemReport baseline{"clip baseline", {makeQueryReport(q, {bear}, 30, 0, 0.5)}};

        const auto j = nlohmann::json::parse(reportJson({full, baseline}));
        QCOMPARE(j["systems"].size(), size_t(2));
        const auto &jq = j["systems"][0]["queries"][0];
        QCOMPARE(jq["id"].get<std::string>(), std::string("D01"));
        QCOMPARE(jq["rank"].get<int>(), 2);
        COMPARE_NEAR(jq["AP"].get<double>(), (1.0 + 1.0 + 1.0 + 1.0 + 1.0) / 5.0); // both relevant, at 1 and 2
        QCOMPARE(jq["results"][1]["key"].get<std::string>(), std::string("bear"));
        COMPARE_NEAR(jq["results"][1]["score"].get<double>(), 0.8);
        QCOMPARE(jq["results"][1]["grade"].get<int>(), 2);
        QCOMPARE(jq["results"][1]["trace"][0].get<std::string>(), std::string("reason [builtin]: brown fur"));
        COMPARE_NEAR(jq["grounding"][0]["J"].get<double>(), 0.75);
        const auto &summary = j["systems"][1]["summary"];
        COMPARE_NEAR(summary["R@1"].get<double>(), 1.0);
        QCOMPARE(summary["grounding"]["pairs"].get<int>(), 0);

        const QString md = QString::fromStdString(reportMarkdown({full, baseline}));
        QVERIFY(md.contains("| System | R@1 | R@5 | R@10 | R@50 | R@100 | MdR | MnR | mAP | J | F |"));
        QVERIFY(md.contains("| full | 0.0 | 100.0 | 100.0 | 100.0 | 100.0 | 2.0 | 2.0 | 100.0 | 75.0 | 50.0 |"));
        QVERIFY(md.contains("| clip baseline | 100.0 |"));
        QVERIFY(md.contains("the animal \\| that hibernates")); // a pipe in a query must not split the table
        QVERIFY(md.contains("Rank **2**"));
        QVERIFY(md.contains("![bear](<thumbs/bear.jpg>) bear"));
        QVERIFY(md.contains("clip baseline: rank 1"));
        QVERIFY(md.contains("decompose [builtin]: 1 condition\nreason [builtin]: horn visible\n"));
        QVERIFY(md.contains("Grounding of bear (rank 2): J 0.750, F 0.500 over 80 frames"));
    }

    void metricsTable()
    {
        MetricsRow a{"full", {}, {}};
        a.retrieval.queries = 3;
        a.retrieval.rankedQueries = 3;
        a.retrieval.recallAtK = {1.0 / 3, 2.0 / 3, 1, 1, 1};
        a.retrieval.medianRank = 2;
        a.retrieval.meanRank = 2.5;
        a.retrieval.map = 0.5;
        a.grounding.pairs = 1;
        a.grounding.meanJ = 0.8125;
        a.grounding.meanF = 0.7;
        MetricsRow b{"random baseline", {}, {}};
        const QStringList lines = QString::fromStdString(formatMetricsTable({a, b})).split('\n');
        QVERIFY(lines[0].startsWith("System"));
        QVERIFY(lines[0].contains("R@1") && lines[0].contains("MnR") && lines[0].trimmed().endsWith("F"));
        QCOMPARE(lines[2].simplified(), QString("full 33.3 66.7 100.0 100.0 100.0 2.0 2.5 50.0 81.2 70.0"));
        QCOMPARE(lines[3].simplified(), QString("random baseline - - - - - - - - - -"));
        // Columns line up: every data row is as wide as the header.
        QCOMPARE(lines[2].size(), lines[0].size());
        QCOMPARE(lines[3].size(), lines[0].size());
    }

    void plots_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        QTest::addColumn<bool>("log");
        QTest::newRow("recall log") << "recall" << 960 << 600 << true;
        QTest::newRow("recall linear small") << "recall" << 480 << 320 << false;
        QTest::newRow("histogram") << "histogram" << 800 << 500 << true;
    }
    void plots()
    {
        QFETCH(QString, kind);
        QFETCH(int, width);
        QFETCH(int, height);
        QFETCH(bool, log);
        QTemporaryDir dir;
        const std::vector<RankSeries> systems = {{"full", {1, 1, 2, 4, 9, 30, 120, 0}},
                                                 {"baseline", {3, 7, 12, 60, 80, 2, 1, 150}}};
        PlotOptions o;
        o.width = width;
        o.height = height;
        o.title = "Recall on dev";
        o.kScale = log ? AxisScale::Log : AxisScale::Linear;
        const std::string path = dir.filePath(kind + ".png").toStdString();
        const Status st = kind == "recall" ? plotRecallCurves(path, systems, o) : plotRankHistogram(path, systems, o);
        QVERIFY2(st.isOk(), st.message().c_str());
        const cv::Mat img = cv::imread(path, cv::IMREAD_COLOR);
        QVERIFY(!img.empty());
        QCOMPARE(img.cols, width);
        QCOMPARE(img.rows, height);
        // Not blank: text, axes and data cover a real share of the image, and every system's colour is drawn.
        cv::Mat grey, ink;
        cv::cvtColor(img, grey, cv::COLOR_BGR2GRAY);
        cv::threshold(grey, ink, 250, 255, cv::THRESH_BINARY_INV);
        const double inkShare = cv::countNonZero(ink) / static_cast<double>(width * height);
        QVERIFY2(inkShare > 0.01 && inkShare < 0.6, qPrintable(QString::number(inkShare)));
        QVERIFY(pixelsNear(img, seriesColor(0)) > 60);
        QVERIFY(pixelsNear(img, seriesColor(1)) > 60);
        QVERIFY(pixelsNear(img, seriesColor(2)) == 0); // no third system, no third colour
    }

    void plotErrors()
    {
        QTemporaryDir dir;
        PlotOptions tiny;
        tiny.width = 50;
        const Status small = plotRecallCurves(dir.filePath("a.png").toStdString(), {{"s", {1}}}, tiny);
        QVERIFY(!small.isOk());
        QVERIFY(QString::fromStdString(small.message()).contains("outside"));
        const Status noDir = plotRankHistogram(dir.filePath("no/such/dir.png").toStdString(), {{"s", {1}}});
        QVERIFY(!noDir.isOk());
        // No data is not an error: axes and a note are drawn.
        const cv::Mat empty = renderRecallCurves({});
        QCOMPARE(empty.cols, PlotOptions{}.width);
    }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
