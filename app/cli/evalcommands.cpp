// twinseek-cli eval: the paper's tables from one command (core/eval/evaluation.h runs them): the options, the
// engines from the composition root, and the table printed.
#include "commands.h"

#include "eval/evaluation.h"
#include "terminal.h"
#include "vision/labels.h"

#include <QDir>

#include <cstdio>

namespace ts::cli {

namespace {

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

void printSummary(const std::vector<SystemReport> &reports, double accept)
{
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
    if (reports.empty())
        return;
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
    const QString benchPath = p.value("bench");
    auto set = loadQuerySet(benchPath.toStdString());
    if (!set)
        return fail(set.message());
    for (const std::string &e : set->errors)
        std::fprintf(stderr, "%s: %s\n", qPrintable(benchPath), e.c_str());
    for (const std::string &w : set->warnings)
        std::fprintf(stderr, "%s: warning: %s\n", qPrintable(benchPath), w.c_str());
    EvaluationSetup setup;
    setup.outDir = p.value("out").toStdString();
    if (!QDir().mkpath(QString::fromStdString(setup.outDir)))
        return fail("cannot create " + setup.outDir);
    setup.corpusRoot = p.value("corpus").toStdString();
    setup.accept = p.value("accept").toDouble();
    setup.contour = !p.isSet("no-contour");
    setup.fresh = p.isSet("fresh");
    auto roles = Services::llmRolesFromEnv();
    if (!roles)
        return fail(roles.message());

    // The systems, like the rows of the paper's Tables 1, 3 and 5.
    RetrievalOptions base = retrievalOptions(p, reasonerIsLocal(services, *roles));
    if (!p.isSet("top"))
        base.top = 100000; // rank the whole library: R@100 and MnR need every video's position
    EvalRows rows;
    rows.haveLlm = roles->decompose || roles->reason || !services.localLlmManifest().empty();
    rows.modes = !p.isSet("no-modes");
    rows.ablations.clear();
    for (const QString &a : p.value("ablate").toUpper().split(',', Qt::SkipEmptyParts))
        rows.ablations.push_back(a.trimmed().toStdString());
    for (const QString &n : p.value("distractors").split(',', Qt::SkipEmptyParts))
        rows.distractors.push_back(n.trimmed().toInt());
    rows.baselines = !p.isSet("no-baselines");
    const std::vector<EvalSystem> systems = standardSystems(base, rows);

    setup.makeEngine = [&](const EvalSystem &s) {
        return services.makeRetrievalEngine(s.withLlm ? *roles : LlmRoles{},
                                            s.withLlm ? EmbeddedLlm::Use : EmbeddedLlm::Skip);
    };
    setup.distractorVocabulary = [&services] { return distractorVocabulary(services); };
    setup.embeddingHook = [&services](TwinStore &lib) -> std::function<Status(const Twin &, int64_t)> {
        return services.componentEmbeddingHook(lib);
    };
    setup.lexicon = &services.lexicon();
    TerminalProgress bar;
    setup.progress = [&bar](double f, const std::string &label) { bar.update(f, label); };
    CancelToken cancel;
    InterruptWatch watch(cancel);
    auto run = runEvaluation(**store, *set, systems, setup, cancel);
    bar.finish();
    if (!run)
        return fail(run.message());
    for (const std::string &w : run->warnings)
        std::fprintf(stderr, "%s: warning: %s\n", qPrintable(benchPath), w.c_str());
    if (run->interrupted) {
        std::printf("interrupted: run the same command again to resume from the checkpoints in %s\n",
                    setup.outDir.c_str());
        return 130;
    }
    printSummary(run->reports, setup.accept);
    if (Status s = writeEvaluationFiles(setup.outDir, run->reports, systems, *set, (*store)->videos()); !s)
        return fail(s.message());
    if (p.isSet("json"))
        if (Status s = writeTextFile(p.value("json").toStdString(), reportJson(run->reports)); !s)
            return fail(s.message());
    std::printf("\nreports: %s/report.{md,json}, TREC: %s/run-*.trec + qrels.txt, plots: %s/*.png\n",
                setup.outDir.c_str(), setup.outDir.c_str(), setup.outDir.c_str());
    return 0;
}

} // namespace ts::cli
