#include "evaluation.h"

#include "eval/plots.h"
#include "eval/segmetrics.h"
#include "eval/twingrounding.h"
#include "knowledge/lexicon.h"
#include "knowledge/text.h"
#include "knowledge/wordvectors.h"
#include "media/videoreader.h"
#include "store/twinstore.h"
#include "twin/twintext.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <set>

namespace ts {

namespace {

using json = nlohmann::json;

std::map<std::string, json> readCheckpoint(const std::string &path)
{
    std::map<std::string, json> done;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        auto j = json::parse(line, nullptr, false);
        if (!j.is_discarded() && j.contains("id") && j.contains("result"))
            done[j["id"].get<std::string>()] = j["result"];
    }
    return done;
}

/// Content words of a query as an FTS5 expression ("bear" OR "rocks"...); FTS5 syntax characters cannot leak in.
std::string ftsQuery(const std::string &query)
{
    std::string out;
    std::set<std::string> seen;
    for (const Token &t : tokenize(query)) {
        if (t.cls != WordClass::Content || t.text.size() < 2 || !seen.insert(t.text).second)
            continue;
        std::string w;
        for (char c : t.text)
            if (std::isalnum(static_cast<unsigned char>(c)))
                w += c;
        if (w.empty())
            continue;
        out += (out.empty() ? "" : " OR ") + std::string("\"") + w + "\"";
    }
    return out;
}

/// IDF-weighted mean word vector of a text (the holistic baseline's single vector).
std::vector<float> holisticVector(const Lexicon *lex, const std::string &text)
{
    const WordVectors *wv = lex ? lex->vectors() : nullptr;
    if (!wv)
        return {};
    std::vector<std::string> words;
    std::vector<float> weights;
    for (const Token &t : tokenize(text)) {
        if (t.cls != WordClass::Content || t.text.size() < 2)
            continue;
        words.push_back(t.text);
        weights.push_back(lex->specificity(t.text));
    }
    return wv->meanVector(words, weights);
}

/// One system over the query set.
class SystemRun {
public:
    SystemRun(TwinStore &store, const std::vector<VideoRow> &rows, const EvalSystem &system,
              const EvaluationSetup &setup, const CancelToken &cancel, EvaluationRun &run)
        : m_store(store), m_rows(rows), m_system(system), m_setup(setup), m_cancel(cancel), m_run(run)
    {
        for (const VideoRow &r : rows)
            if (r.status == VideoStatus::Done)
                ++m_librarySize;
    }

    /// Checkpoint, library copy (with distractors) and engine; fails only when the copy cannot be made.
    Status prepare()
    {
        const std::string checkpointPath = m_setup.outDir + "/checkpoint-" + m_system.slug + ".jsonl";
        const std::string libPath = m_setup.outDir + "/library-" + m_system.slug + ".sqlite";
        if (m_setup.fresh) {
            QFile::remove(QString::fromStdString(checkpointPath));
            QFile::remove(QString::fromStdString(libPath));
        }
        m_done = readCheckpoint(checkpointPath);
        m_library = &m_store;
        const bool engine = m_system.kind == EvalSystemKind::Engine;
        if (engine && ((m_system.options.jit && m_system.options.reason) || m_system.distractors > 0)) {
            if (Status s = openCopy(libPath, checkpointPath); !s)
                return s;
        }
        m_checkpoint.open(checkpointPath, std::ios::app);
        if (engine) {
            if (!m_setup.makeEngine)
                return Status::error("no engine for " + m_system.name);
            m_engine = m_setup.makeEngine(m_system);
            if (!m_engine)
                return Status::error("no engine for " + m_system.name);
        }
        if (m_system.kind == EvalSystemKind::Holistic)
            embedLibraryHolistically();
        return Status::ok();
    }

    /// Answers (or reads from the checkpoint) and scores one query.
    QueryReport query(const BenchQuery &q, std::map<std::string, std::vector<Rle>> &groundTruth,
                      std::set<std::string> &sizeWarned)
    {
        QueryResult result;
        std::string error;
        auto it = m_done.find(q.id);
        if (it != m_done.end()) {
            auto r = queryResultFromJson(it->second);
            if (r)
                result = std::move(r).value();
            else
                error = r.message();
        } else if (m_engine) {
            auto r = m_engine->run(*m_library, q.query, m_system.options, m_cancel, {});
            if (r)
                result = std::move(r).value();
            else
                error = r.message();
        } else {
            result = baseline(q);
        }
        if (m_cancel.isCancelled() && !error.empty())
            return {};
        if (error.empty() && it == m_done.end())
            m_checkpoint << json{{"id", q.id}, {"result", toJson(result)}}.dump() << "\n" << std::flush;
        QueryReport report = makeQueryReport(q, result, m_setup.accept);
        if (!m_engine)
            report.controlOutcome.bestScore = -INFINITY; // a baseline has no notion of "no answer"
        report.error = error;
        if (!m_setup.corpusRoot.empty() && m_engine && m_system.options.reason)
            ground(q, result, report, groundTruth, sizeWarned);
        return report;
    }

private:
    Status openCopy(const std::string &libPath, const std::string &checkpointPath)
    {
        if (m_done.empty() || !QFileInfo::exists(QString::fromStdString(libPath))) {
            QFile::remove(QString::fromStdString(libPath));
            if (Status s = m_store.copyTo(libPath); !s)
                return s;
            m_done.clear();
            QFile::remove(QString::fromStdString(checkpointPath));
        }
        auto opened = TwinStore::open(libPath);
        if (!opened)
            return opened.status();
        m_copy = std::move(opened).value();
        m_library = m_copy.get();
        if (m_system.distractors > 0 && m_done.empty())
            return addDistractors(libPath);
        return Status::ok();
    }

    /// Synthetic twins, embedded like ingested ones so the coarse stage sees them.
    Status addDistractors(const std::string &libPath)
    {
        const DistractorVocabulary vocabulary =
            m_setup.distractorVocabulary ? m_setup.distractorVocabulary() : DistractorVocabulary{};
        const auto twins = makeDistractorTwins(m_system.distractors, vocabulary, 20261126);
        if (twins.empty())
            return Status::error("no label vocabulary for distractors (are the detector and classifier installed?)");
        auto embed = m_setup.embeddingHook ? m_setup.embeddingHook(*m_library)
                                           : std::function<Status(const Twin &, int64_t)>();
        for (const Twin &t : twins) {
            auto id = m_library->putTwin(t, 0, 0, twinSearchText(t));
            if (!id)
                return Status::error("cannot add distractor " + t.video.key + ": " + id.message());
            if (embed)
                embed(t, *id);
        }
        m_run.warnings.push_back(m_system.name + ": " + std::to_string(m_system.distractors) +
                                 " synthetic distractor twins added to " + libPath);
        return Status::ok();
    }

    void embedLibraryHolistically()
    {
        for (const VideoRow &r : m_rows) {
            if (r.status != VideoStatus::Done)
                continue;
            auto t = m_store.loadTwin(r.key, TwinDetail::NoMasks);
            if (t)
                m_holistic[r.key] = holisticVector(m_setup.lexicon, twinSearchText(*t));
        }
    }

    /// The baselines: a plain ranking of the library.
    QueryResult baseline(const BenchQuery &q) const
    {
        QueryResult result;
        result.query = q.query;
        result.librarySize = m_librarySize;
        std::vector<std::pair<std::string, double>> ranked;
        if (m_system.kind == EvalSystemKind::Bm25) {
            std::map<int64_t, std::string> keyOf;
            for (const VideoRow &r : m_rows)
                keyOf[r.id] = r.key;
            const std::string fts = ftsQuery(q.query);
            if (!fts.empty())
                for (const auto &[id, bm25] : m_store.searchText(fts, m_librarySize))
                    if (keyOf.count(id))
                        ranked.push_back({keyOf[id], -bm25}); // SQLite reports lower = better
        } else {
            const auto qv = holisticVector(m_setup.lexicon, q.query);
            for (const auto &[key, v] : m_holistic) {
                double s = 0;
                for (size_t k = 0; k < v.size() && k < qv.size(); ++k)
                    s += static_cast<double>(v[k]) * qv[k];
                ranked.push_back({key, s});
            }
            std::stable_sort(ranked.begin(), ranked.end(),
                             [](const auto &a, const auto &b) { return a.second > b.second; });
        }
        for (size_t k = 0; k < ranked.size(); ++k) {
            VideoResult v;
            v.key = ranked[k].first;
            v.rank = static_cast<int>(k + 1);
            v.score = ranked[k].second;
            result.results.push_back(std::move(v));
        }
        return result;
    }

    /// Grounding of every returned video that has ground-truth masks.
    void ground(const BenchQuery &q, const QueryResult &result, QueryReport &report,
                std::map<std::string, std::vector<Rle>> &groundTruth, std::set<std::string> &sizeWarned)
    {
        for (const GroundingTask &t : groundingTasks(q, result)) {
            auto &gt = groundTruth[t.groundFolder];
            if (gt.empty()) {
                auto loaded = loadGroundTruthFolder(m_setup.corpusRoot + "/" + t.groundFolder);
                if (!loaded) {
                    m_run.warnings.push_back(q.id + ": " + loaded.message());
                    continue;
                }
                gt = std::move(loaded).value();
            }
            auto twin = m_library->loadTwin(t.key);
            if (!twin)
                continue;
            if (const std::string why = groundTruthSizeProblem(*twin, gt); !why.empty()) {
                if (sizeWarned.insert(t.groundFolder).second)
                    m_run.warnings.push_back(q.id + ": " + t.groundFolder + ": " + why);
                continue;
            }
            const SequenceScores s = scoreGrounding(*twin, t.tracks, gt,
                                                    m_setup.contour ? ContourMeasure::Compute : ContourMeasure::Skip);
            report.grounding.push_back({q.id, t.key, t.rank, s.meanJ(),
                                        m_setup.contour ? s.meanF() : std::numeric_limits<double>::quiet_NaN(),
                                        s.frames()});
        }
    }

    TwinStore &m_store;
    const std::vector<VideoRow> &m_rows;
    const EvalSystem &m_system;
    const EvaluationSetup &m_setup;
    const CancelToken &m_cancel;
    EvaluationRun &m_run;
    int m_librarySize = 0;
    std::map<std::string, json> m_done;
    std::unique_ptr<TwinStore> m_copy;
    TwinStore *m_library = nullptr;
    std::ofstream m_checkpoint;
    std::unique_ptr<RetrievalEngine> m_engine;
    std::map<std::string, std::vector<float>> m_holistic;
};

/// Thumbnails of the results the Markdown report shows (first frames with something in them, decoded once).
void addThumbnails(const std::string &outDir, SystemReport &report, const std::vector<VideoRow> &library)
{
    std::map<std::string, std::string> pathOf;
    for (const VideoRow &r : library)
        pathOf[r.key] = r.path;
    QDir().mkpath(QString::fromStdString(outDir + "/thumbs"));
    const MarkdownOptions shown;
    for (QueryReport &q : report.queries)
        for (size_t h = 0; h < q.hits.size() && h < static_cast<size_t>(shown.topResults); ++h) {
            ReportHit &hit = q.hits[h];
            const std::string rel = "thumbs/" + hit.key + ".jpg";
            const std::string file = outDir + "/" + rel;
            if (!QFileInfo::exists(QString::fromStdString(file))) {
                auto it = pathOf.find(hit.key);
                if (it == pathOf.end())
                    continue;
                auto img = makeThumbnail(it->second, 240);
                if (!img || !cv::imwrite(file, *img))
                    continue;
            }
            hit.thumbnail = rel;
        }
}

} // namespace

std::vector<EvalSystem> standardSystems(const RetrievalOptions &base, const EvalRows &rows)
{
    std::vector<EvalSystem> systems;
    const bool deep = base.mode == ReasoningMode::Deep && rows.haveLlm;
    systems.push_back({deep ? "full system (deep)" : "full system", "full", EvalSystemKind::Engine, base});
    if (deep && rows.modes) {
        EvalSystem fast{"fast mode (LLM decomposition, built-in judge)", "fast", EvalSystemKind::Engine, base};
        fast.options.mode = ReasoningMode::Fast;
        systems.push_back(fast);
    }
    if (rows.haveLlm && rows.modes) {
        EvalSystem none{"no LLM (built-in reasoner)", "no-llm", EvalSystemKind::Engine, base};
        none.withLlm = false;
        systems.push_back(none);
    }
    auto ablation = [&](const char *tag, const char *name, const char *slug, auto change) {
        if (std::find(rows.ablations.begin(), rows.ablations.end(), tag) == rows.ablations.end())
            return;
        EvalSystem s{name, slug, EvalSystemKind::Engine, base};
        change(s.options);
        systems.push_back(s);
    };
    ablation("QD", "w/o decomposition (QD)", "no-qd", [](RetrievalOptions &o) { o.decompose = false; });
    ablation("CA", "w/o alignment (CA)", "no-ca", [](RetrievalOptions &o) { o.align = false; });
    ablation("LR", "w/o reasoning (LR)", "no-lr", [](RetrievalOptions &o) { o.reason = false; });
    ablation("JIT", "w/o refinement (JiT)", "no-jit", [](RetrievalOptions &o) { o.jit = false; });
    for (int count : rows.distractors) {
        if (count <= 0)
            continue;
        EvalSystem s{"full system + " + std::to_string(count) + " distractors", "full-d" + std::to_string(count),
                     EvalSystemKind::Engine, base};
        s.distractors = count;
        systems.push_back(s);
    }
    if (rows.baselines) {
        systems.push_back({"baseline: BM25 (FTS5)", "bm25", EvalSystemKind::Bm25, base});
        systems.push_back({"baseline: holistic embedding", "holistic", EvalSystemKind::Holistic, base});
    }
    return systems;
}

Result<EvaluationRun> runEvaluation(TwinStore &store, const QuerySet &set, const std::vector<EvalSystem> &systems,
                                    const EvaluationSetup &setup, const CancelToken &cancel)
{
    EvaluationRun run;
    const std::vector<VideoRow> rows = store.videos();
    std::set<std::string> inLibrary;
    for (const VideoRow &r : rows)
        if (r.status == VideoStatus::Done)
            inLibrary.insert(r.key);
    // A relevant video the library does not hold can never be found: the metrics count it as missed, which is
    // right for a benchmark but worth knowing before reading them.
    for (const BenchQuery &q : set.queries)
        for (const auto &[key, grade] : q.relevant)
            if (grade >= kGradePartial && !inLibrary.count(key))
                run.warnings.push_back("query " + q.id + ": relevant video '" + key +
                                       "' is not in the library (counted as missed)");
    std::map<std::string, std::vector<Rle>> groundTruth;
    std::set<std::string> sizeWarned;
    const size_t total = std::max<size_t>(1, systems.size() * set.queries.size());
    size_t step = 0;
    for (const EvalSystem &system : systems) {
        SystemRun sys(store, rows, system, setup, cancel, run);
        if (Status s = sys.prepare(); !s)
            return Result<EvaluationRun>::error(system.name + ": " + s.message());
        SystemReport report;
        report.name = system.name;
        for (const BenchQuery &q : set.queries) {
            if (cancel.isCancelled())
                break;
            if (setup.progress)
                setup.progress(static_cast<double>(step++) / static_cast<double>(total), system.slug + " " + q.id);
            QueryReport qr = sys.query(q, groundTruth, sizeWarned);
            if (cancel.isCancelled())
                break;
            report.queries.push_back(std::move(qr));
        }
        if (cancel.isCancelled()) {
            run.interrupted = true;
            break;
        }
        run.reports.push_back(std::move(report));
    }
    return run;
}

Status writeEvaluationFiles(const std::string &outDir, std::vector<SystemReport> &reports,
                            const std::vector<EvalSystem> &systems, const QuerySet &set,
                            const std::vector<VideoRow> &library)
{
    if (!reports.empty())
        addThumbnails(outDir, reports.front(), library);
    for (const auto &[file, text] : std::vector<std::pair<std::string, std::string>>{
             {"report.json", reportJson(reports)},
             {"report.md", reportMarkdown(reports)},
             {"qrels.txt", trecQrels(set.queries)}})
        if (Status s = writeTextFile(outDir + "/" + file, text); !s)
            return s;
    std::vector<RankSeries> series;
    for (size_t i = 0; i < reports.size() && i < systems.size(); ++i) {
        if (Status s = writeTextFile(outDir + "/run-" + systems[i].slug + ".trec", trecRun(reports[i])); !s)
            return s;
        RankSeries s;
        s.name = reports[i].name;
        for (const QueryReport &q : reports[i].queries)
            if (!q.control && q.metrics.rank > 0)
                s.ranks.push_back(q.metrics.rank);
        series.push_back(std::move(s));
    }
    if (Status s = plotRecallCurves(outDir + "/recall_at_k.png", series); !s)
        return s;
    return plotRankHistogram(outDir + "/rank_histogram.png", series);
}

} // namespace ts
