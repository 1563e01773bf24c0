// twinseek-cli eval: the paper's tables from one command. Every query of a query set through the full system,
// each ablation (QD, CA, LR, JiT switched off one at a time) and two baselines (BM25 over the twins' text, and a
// holistic single-vector embedding of the whole twin against the whole query), on the same library. Each system
// runs on its own copy of the library, since just-in-time refinement writes refined twins; a checkpoint per system
// lets an interrupted run resume.
#include "commands.h"

#include "eval/distractors.h"
#include "eval/plots.h"
#include "eval/queryset.h"
#include "eval/report.h"
#include "eval/segmetrics.h"
#include "eval/twingrounding.h"
#include "knowledge/text.h"
#include "media/videoreader.h"
#include "terminal.h"
#include "twin/twintext.h"
#include "vision/labels.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include <cmath>
#include <limits>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>

namespace ts::cli {

namespace {

using json = nlohmann::json;

struct SystemSpec {
    std::string name; ///< as the table shows it
    std::string slug; ///< file names
    enum class Kind { Engine, Bm25, Holistic } kind = Kind::Engine;
    RetrievalOptions options;
    int distractors = 0; ///< synthetic twins added to this system's copy of the library
    EmbeddedLlm llm = EmbeddedLlm::Use;
    bool noEndpoints = false; ///< the no-LLM fallback: neither endpoints nor the embedded model
};

/// The label vocabulary of the installed detector and classifier, for synthetic distractors.
DistractorVocabulary distractorVocabulary(Services &services)
{
    DistractorVocabulary v;
    for (const char *role : {"detector", "classifier"}) {
        const ModelManifest *m = services.models().bestAvailable(role);
        if (!m || m->labelsFile.empty())
            continue;
        auto labels = loadLabels(services.models().filePath(*m, m->labelsFile));
        if (!labels)
            continue;
        for (const ClassLabel &c : *labels) {
            Label l;
            l.name = c.name;
            l.synset = c.synset;
            v.objects.push_back(l);
            if (std::string(role) == "classifier")
                v.scenes.push_back(l);
        }
    }
    return v;
}

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
std::vector<float> holisticVector(const Lexicon &lex, const std::string &text)
{
    const WordVectors *wv = lex.vectors();
    if (!wv)
        return {};
    std::vector<std::string> words;
    std::vector<float> weights;
    for (const Token &t : tokenize(text)) {
        if (t.cls != WordClass::Content || t.text.size() < 2)
            continue;
        words.push_back(t.text);
        weights.push_back(lex.specificity(t.text));
    }
    return wv->meanVector(words, weights);
}

} // namespace

int evaluate(Services &services, const QStringList &args)
{
    QCommandLineParser p;
    p.addOption(dbOption());
    p.addOption({"bench", "Query set (JSON Lines, see shared/bench/FORMAT.md).", "FILE"});
    p.addOption({"corpus", "Corpus root the query set's ground-truth folders are relative to.", "ROOT"});
    p.addOption({"out", "Folder for the reports, plots, TREC files, library copies and checkpoints (default eval-out).",
                 "DIR", "eval-out"});
    p.addOption({"json", "Also write the JSON report to this file.", "FILE"});
    p.addOption({"ablate", "Ablations to run beside the full system (default QD,CA,LR,JIT; 'none' for none).", "LIST",
                 "QD,CA,LR,JIT"});
    p.addOption({"no-baselines", "Do not run the BM25 and holistic-embedding baselines."});
    p.addOption({"no-modes", "With an LLM: do not add the fast-mode and no-LLM rows."});
    p.addOption({"accept", "Relevance a video needs to count as an answer for the no-answer controls (default 0.5).",
                 "R", "0.5"});
    p.addOption({"fresh", "Ignore checkpoints of an earlier run in the output folder."});
    p.addOption({"no-contour", "Skip the contour accuracy F (faster)."});
    p.addOption({"distractors", "Distractor scaling: also run the full system with these numbers of synthetic "
                                "distractor twins added to a copy of the library, e.g. 100,1000.", "LIST"});
    addRetrievalOptions(p);
    if (!parse(p, args, "eval", ""))
        return 2;
    if (!p.isSet("bench"))
        return fail("eval: --bench FILE is required");
    auto store = openDb(p, LibraryAccess::WriteIfPossible);
    if (!store)
        return fail(store.message());
    auto set = loadQuerySet(p.value("bench").toStdString());
    if (!set)
        return fail(set.message());
    for (const std::string &e : set->errors)
        std::fprintf(stderr, "%s: %s\n", qPrintable(p.value("bench")), e.c_str());
    for (const std::string &w : set->warnings)
        std::fprintf(stderr, "%s: warning: %s\n", qPrintable(p.value("bench")), w.c_str());
    const std::string corpus = p.value("corpus").toStdString();
    const std::string outDir = p.value("out").toStdString();
    if (!QDir().mkpath(QString::fromStdString(outDir)))
        return fail("cannot create " + outDir);
    const double accept = p.value("accept").toDouble();
    const bool contour = !p.isSet("no-contour");
    auto roles = Services::llmRolesFromEnv();
    if (!roles)
        return fail(roles.message());

    // The systems, like the rows of the paper's Tables 1, 3 and 5.
    const bool local = reasonerIsLocal(services, *roles);
    const bool haveLlm = roles->decompose || roles->reason || !services.localLlmManifest().empty();
    RetrievalOptions base = retrievalOptions(p, local);
    if (!p.isSet("top"))
        base.top = 100000; // rank the whole library: R@100 and MnR need every video's position
    std::vector<SystemSpec> systems;
    systems.push_back({base.mode == ReasoningMode::Deep && haveLlm ? "full system (deep)" : "full system", "full",
                       SystemSpec::Kind::Engine, base});
    if (haveLlm && base.mode == ReasoningMode::Deep && !p.isSet("no-modes")) {
        SystemSpec fast{"fast mode (LLM decomposition, built-in judge)", "fast", SystemSpec::Kind::Engine, base};
        fast.options.mode = ReasoningMode::Fast;
        systems.push_back(fast);
    }
    if (haveLlm && !p.isSet("no-modes")) {
        SystemSpec none{"no LLM (built-in reasoner)", "no-llm", SystemSpec::Kind::Engine, base};
        none.llm = EmbeddedLlm::Skip;
        none.noEndpoints = true;
        systems.push_back(none);
    }
    const QStringList ablate = p.value("ablate").toUpper().split(',', Qt::SkipEmptyParts);
    auto ablation = [&](const char *tag, const char *name, const char *slug, auto change) {
        if (!ablate.contains(tag))
            return;
        SystemSpec s{name, slug, SystemSpec::Kind::Engine, base};
        change(s.options);
        systems.push_back(s);
    };
    ablation("QD", "w/o decomposition (QD)", "no-qd", [](RetrievalOptions &o) { o.decompose = false; });
    ablation("CA", "w/o alignment (CA)", "no-ca", [](RetrievalOptions &o) { o.align = false; });
    ablation("LR", "w/o reasoning (LR)", "no-lr", [](RetrievalOptions &o) { o.reason = false; });
    ablation("JIT", "w/o refinement (JiT)", "no-jit", [](RetrievalOptions &o) { o.jit = false; });
    for (const QString &n : p.value("distractors").split(',', Qt::SkipEmptyParts)) {
        const int count = n.trimmed().toInt();
        if (count <= 0)
            continue;
        SystemSpec sys{"full system + " + std::to_string(count) + " distractors", "full-d" + std::to_string(count),
                       SystemSpec::Kind::Engine, base};
        sys.distractors = count;
        systems.push_back(sys);
    }
    if (!p.isSet("no-baselines")) {
        systems.push_back({"baseline: BM25 (FTS5)", "bm25", SystemSpec::Kind::Bm25, base});
        systems.push_back({"baseline: holistic embedding", "holistic", SystemSpec::Kind::Holistic, base});
    }

    CancelToken cancel;
    InterruptWatch watch(cancel);
    TerminalProgress bar;
    const int totalSteps = static_cast<int>(systems.size() * set->queries.size());
    int step = 0;
    std::vector<SystemReport> reports;
    std::map<std::string, std::vector<Rle>> groundTruth;
    std::map<std::string, std::vector<double>> holisticTwins; // key -> vector (baseline)
    const std::vector<VideoRow> rows = (*store)->videos();
    int librarySize = 0;
    std::set<std::string> inLibrary;
    for (const VideoRow &r : rows)
        if (r.status == VideoStatus::Done) {
            ++librarySize;
            inLibrary.insert(r.key);
        }
    // A relevant video the library does not hold can never be found: the metrics count it as missed, which is
    // right for a benchmark but worth knowing before reading them.
    for (const BenchQuery &q : set->queries)
        for (const auto &[key, grade] : q.relevant)
            if (grade >= kGradePartial && !inLibrary.count(key))
                std::fprintf(stderr, "%s: warning: query %s: relevant video '%s' is not in the library (counted as "
                                     "missed)\n",
                             qPrintable(p.value("bench")), q.id.c_str(), printable(key).c_str());
    std::set<std::string> groundSizeWarned;

    for (const SystemSpec &sys : systems) {
        SystemReport report;
        report.name = sys.name;
        const std::string checkpointPath = outDir + "/checkpoint-" + sys.slug + ".jsonl";
        const std::string libPath = outDir + "/library-" + sys.slug + ".sqlite";
        if (p.isSet("fresh")) {
            QFile::remove(QString::fromStdString(checkpointPath));
            QFile::remove(QString::fromStdString(libPath));
        }
        std::map<std::string, json> done = readCheckpoint(checkpointPath);
        // Engine systems with refinement run on their own copy of the library: JiT writes refined twins there.
        TwinStore *lib = store->get();
        std::unique_ptr<TwinStore> copy;
        if (sys.kind == SystemSpec::Kind::Engine && ((sys.options.jit && sys.options.reason) || sys.distractors > 0)) {
            if (done.empty() || !QFileInfo::exists(QString::fromStdString(libPath))) {
                QFile::remove(QString::fromStdString(libPath));
                Status s = (*store)->copyTo(libPath);
                if (!s)
                    return fail(s.message());
                done.clear();
                QFile::remove(QString::fromStdString(checkpointPath));
            }
            auto opened = TwinStore::open(libPath);
            if (!opened)
                return fail(opened.message());
            copy = std::move(opened).value();
            lib = copy.get();
            if (sys.distractors > 0 && done.empty()) {
                // Synthetic twins, embedded like ingested ones so the coarse stage sees them.
                const auto twins = makeDistractorTwins(sys.distractors, distractorVocabulary(services), 20261126);
                if (twins.empty())
                    return fail("no label vocabulary for distractors (are the detector and classifier installed?)");
                TwinStoredHook embed = services.componentEmbeddingHook(*lib);
                for (const Twin &t : twins) {
                    auto id = lib->putTwin(t, 0, 0, twinSearchText(t));
                    if (!id)
                        return fail("cannot add distractor " + t.video.key + ": " + id.message());
                    if (embed)
                        embed(t, *id);
                }
                std::printf("%s: %d synthetic distractor twins added to %s\n", sys.name.c_str(), sys.distractors,
                            libPath.c_str());
            }
        }
        std::ofstream checkpoint(checkpointPath, std::ios::app);
        std::unique_ptr<RetrievalEngine> engine =
            sys.kind == SystemSpec::Kind::Engine
                ? services.makeRetrievalEngine(sys.noEndpoints ? LlmRoles{} : *roles, sys.llm)
                : nullptr;
        if (sys.kind == SystemSpec::Kind::Holistic && holisticTwins.empty())
            for (const VideoRow &r : rows) {
                if (r.status != VideoStatus::Done)
                    continue;
                auto t = (*store)->loadTwin(r.key, TwinDetail::NoMasks);
                if (!t)
                    continue;
                const auto v = holisticVector(services.lexicon(), twinSearchText(*t));
                holisticTwins[r.key] = std::vector<double>(v.begin(), v.end());
            }

        for (const BenchQuery &q : set->queries) {
            if (cancel.isCancelled())
                break;
            bar.update(static_cast<double>(step++) / std::max(1, totalSteps), sys.slug + " " + q.id);
            QueryResult result;
            std::string error;
            auto it = done.find(q.id);
            if (it != done.end()) {
                auto r = queryResultFromJson(it->second);
                if (r)
                    result = std::move(r).value();
                else
                    error = r.message();
            } else if (sys.kind == SystemSpec::Kind::Engine) {
                auto r = engine->run(*lib, q.query, sys.options, cancel, {});
                if (!r) {
                    if (cancel.isCancelled())
                        break;
                    error = r.message();
                } else {
                    result = std::move(r).value();
                }
            } else {
                // Baselines: a plain ranking of the library.
                result.query = q.query;
                result.librarySize = librarySize;
                std::vector<std::pair<std::string, double>> ranked;
                if (sys.kind == SystemSpec::Kind::Bm25) {
                    std::map<int64_t, std::string> keyOf;
                    for (const VideoRow &r : rows)
                        keyOf[r.id] = r.key;
                    const std::string fts = ftsQuery(q.query);
                    if (!fts.empty())
                        for (const auto &[id, bm25] : (*store)->searchText(fts, librarySize))
                            if (keyOf.count(id))
                                ranked.push_back({keyOf[id], -bm25}); // SQLite reports lower = better
                } else {
                    const auto qv = holisticVector(services.lexicon(), q.query);
                    for (const auto &[key, v] : holisticTwins) {
                        double s = 0;
                        for (size_t k = 0; k < v.size() && k < qv.size(); ++k)
                            s += v[k] * qv[k];
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
            }
            if (error.empty() && it == done.end())
                checkpoint << json{{"id", q.id}, {"result", toJson(result)}}.dump() << "\n" << std::flush;
            QueryReport qr = makeQueryReport(q, result, accept);
            if (sys.kind != SystemSpec::Kind::Engine)
                qr.controlOutcome.bestScore = -INFINITY; // a baseline has no notion of "no answer"
            qr.error = error;
            // Grounding of every returned video that has ground-truth masks.
            if (!corpus.empty() && sys.kind == SystemSpec::Kind::Engine && sys.options.reason)
                for (const GroundingTask &t : groundingTasks(q, result)) {
                    auto &gt = groundTruth[t.groundFolder];
                    if (gt.empty()) {
                        auto loaded = loadGroundTruthFolder(corpus + "/" + t.groundFolder);
                        if (!loaded) {
                            std::fprintf(stderr, "%s: %s\n", q.id.c_str(), loaded.message().c_str());
                            continue;
                        }
                        gt = std::move(loaded).value();
                    }
                    auto twin = lib->loadTwin(t.key);
                    if (!twin)
                        continue;
                    if (const std::string why = groundTruthSizeProblem(*twin, gt); !why.empty()) {
                        if (groundSizeWarned.insert(t.groundFolder).second)
                            std::fprintf(stderr, "%s: warning: %s: %s\n", q.id.c_str(), t.groundFolder.c_str(),
                                         why.c_str());
                        continue;
                    }
                    const SequenceScores s = scoreGrounding(*twin, t.tracks, gt,
                                                            contour ? ContourMeasure::Compute : ContourMeasure::Skip);
                    qr.grounding.push_back({q.id, t.key, t.rank, s.meanJ(), contour ? s.meanF() : std::numeric_limits<double>::quiet_NaN(), s.frames()});
                }
            report.queries.push_back(std::move(qr));
        }
        reports.push_back(std::move(report));
        if (cancel.isCancelled())
            break;
    }
    bar.finish();
    if (cancel.isCancelled()) {
        std::printf("interrupted: run the same command again to resume from the checkpoints in %s\n", outDir.c_str());
        return 130;
    }

    // The table, the per-query ranks of the full system, and the files.
    std::vector<MetricsRow> table;
    for (const SystemReport &r : reports)
        table.push_back(metricsRow(r));
    std::printf("%s\n", formatMetricsTable(table).c_str());
    for (const SystemReport &r : reports) {
        int controls = 0, rejected = 0;
        for (const QueryReport &q : r.queries)
            if (q.control) {
                ++controls;
                rejected += q.controlOutcome.rejected() ? 1 : 0;
            }
        if (controls > 0 && r.name.rfind("baseline", 0) != 0)
            std::printf("%-30s no-answer controls rejected: %d of %d (relevance < %.2f)\n", r.name.c_str(), rejected,
                        controls, accept);
    }
    if (!reports.empty()) {
        std::printf("\nper query (%s):\n", reports.front().name.c_str());
        for (const QueryReport &q : reports.front().queries) {
            const std::string top = q.hits.empty() ? "-" : q.hits.front().key;
            if (q.control)
                std::printf("  %-5s control  best %.2f  top %-24s %s\n", q.id.c_str(), q.controlOutcome.bestScore,
                            top.c_str(), q.controlOutcome.rejected() ? "rejected" : "ACCEPTED");
            else
                std::printf("  %-5s rank %3d  AP %.2f  top %-24s %s\n", q.id.c_str(), q.metrics.rank, q.metrics.ap,
                            top.c_str(), q.error.c_str());
        }
    }
    // Thumbnails of the results the Markdown report shows (first frames with something in them, decoded once).
    if (!reports.empty()) {
        std::map<std::string, std::string> pathOf;
        for (const VideoRow &r : rows)
            pathOf[r.key] = r.path;
        QDir().mkpath(QString::fromStdString(outDir + "/thumbs"));
        MarkdownOptions shown;
        for (QueryReport &q : reports.front().queries)
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
    writeTextFile(outDir + "/report.json", reportJson(reports));
    if (p.isSet("json"))
        writeTextFile(p.value("json").toStdString(), reportJson(reports));
    writeTextFile(outDir + "/report.md", reportMarkdown(reports));
    writeTextFile(outDir + "/qrels.txt", trecQrels(set->queries));
    std::vector<RankSeries> series;
    for (const SystemReport &r : reports) {
        const std::string slug = systems[static_cast<size_t>(&r - &reports.front())].slug;
        writeTextFile(outDir + "/run-" + slug + ".trec", trecRun(r));
        RankSeries s;
        s.name = r.name;
        for (const QueryReport &q : r.queries)
            if (!q.control && q.metrics.rank > 0)
                s.ranks.push_back(q.metrics.rank);
        series.push_back(std::move(s));
    }
    plotRecallCurves(outDir + "/recall_at_k.png", series);
    plotRankHistogram(outDir + "/rank_histogram.png", series);
    std::printf("\nreports: %s/report.{md,json}, TREC: %s/run-*.trec + qrels.txt, plots: %s/*.png\n", outDir.c_str(),
                outDir.c_str(), outDir.c_str());
    return 0;
}

} // namespace ts::cli
