#include "cli.h"

#include "commands.h"

#include "align/sentenceencoder.h"
#include "align/textencoder.h"
#include "ingest/ingestor.h"
#include "terminal.h"
#include "twin/twin.h"

#include <QCommandLineParser>
#include <QFileInfo>

#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <thread>

namespace ts {

namespace {

using json = nlohmann::json;

} // namespace

namespace cli {

int fail(const std::string &message)
{
    std::fprintf(stderr, "twinseek-cli: %s\n", message.c_str());
    return 1;
}

QCommandLineOption dbOption() { return {{"d", "db"}, "Library database file.", "LIB.sqlite"}; }

bool parse(QCommandLineParser &parser, const QStringList &args, const QString &command, const QString &usage)
{
    parser.setApplicationDescription("twinseek-cli " + command);
    parser.addHelpOption();
    parser.addPositionalArgument(command, usage);
    if (!parser.parse(args)) {
        std::fprintf(stderr, "twinseek-cli %s: %s\n", qPrintable(command), qPrintable(parser.errorText()));
        return false;
    }
    if (parser.isSet("help")) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        return false;
    }
    return true;
}

Result<std::unique_ptr<TwinStore>> openDb(const QCommandLineParser &parser, LibraryAccess access)
{
    using R = Result<std::unique_ptr<TwinStore>>;
    if (!parser.isSet("db"))
        return R::error("--db LIB.sqlite is required");
    const QString path = parser.value("db");
    if (access != LibraryAccess::Create && !QFileInfo::exists(path))
        return R::error(path.toStdString() + ": no such library (`twinseek-cli ingest --db " + path.toStdString() +
                        " FOLDER` creates one)");
    if (access == LibraryAccess::ReadOnly)
        return Services::openStore(path.toStdString(), StoreAccess::ReadOnly);
    auto store = Services::openStore(path.toStdString());
    if (!store && access == LibraryAccess::WriteIfPossible) {
        auto reader = Services::openStore(path.toStdString(), StoreAccess::ReadOnly);
        if (reader)
            return reader;
    }
    return store;
}

TwinBuilderConfig builderConfig(const QCommandLineParser &parser)
{
    TwinBuilderConfig c;
    const QStringList given = parser.optionNames(); // isSet() warns about options a command does not declare
    if (given.contains("pipeline")) {
        auto j = nlohmann::json::parse(parser.value("pipeline").toStdString(), nullptr, false);
        auto parsed = builderConfigFromJson(j, c);
        if (!parsed)
            std::fprintf(stderr, "twinseek-cli: --pipeline: %s (using defaults)\n", parsed.message().c_str());
        else
            c = *parsed;
    }
    if (given.contains("detect-fps"))
        c.detectFps = parser.value("detect-fps").toDouble();
    if (given.contains("keyframe-fps"))
        c.keyframeFps = parser.value("keyframe-fps").toDouble();
    if (given.contains("threads"))
        c.threads = std::max(1, parser.value("threads").toInt());
    return c;
}

} // namespace cli

namespace {

using cli::builderConfig;
using cli::dbOption;
using cli::fail;
using cli::openDb;
using cli::parse;


int cmdIngest(Services &services, const QStringList &args)
{
    QCommandLineParser p;
    p.addOption(dbOption());
    p.addOption({{"w", "workers"}, "Videos analysed in parallel (default 2).", "N", "2"});
    p.addOption({"threads", "Inference threads per worker (default 1).", "N"});
    const TwinBuilderConfig defaults;
    p.addOption({"detect-fps", QString("Analysed frames per second (default %1).").arg(defaults.detectFps), "FPS"});
    p.addOption({"keyframe-fps",
                 QString("Highest mask-model rate per object, per second (default %1).").arg(defaults.keyframeFps),
                 "FPS"});
    p.addOption({"force", "Rebuild twins even for unchanged files."});
    p.addOption({"keep-duplicates", "Give byte-identical files a video each (default: one video with several paths)."});
    p.addOption({"pipeline", "Pipeline settings as JSON, e.g. '{\"detect_fps\": 3}'.", "JSON"});
    p.addOption({"stats", "Print per-stage timings."});
    if (!parse(p, args, "ingest", "PATH...: video files or folders (searched recursively)."))
        return 2;
    const QStringList paths = p.positionalArguments().mid(1);
    if (paths.isEmpty())
        return fail("ingest: give at least one file or folder");
    auto store = openDb(p, cli::LibraryAccess::Create);
    if (!store)
        return fail(store.message());
    // Adding to a damaged library buries the damage under new rows: refuse before analysing anything.
    if (Status s = (*store)->checkIntegrity(IntegrityCheck::Quick); !s)
        return fail(p.value("db").toStdString() + " is damaged (" + s.message().substr(0, 300) +
                    "); nothing was added. `twinseek-cli check` reports it; restore a copy or ingest into a new library");
    const TwinBuilderConfig cfg = builderConfig(p);
    IngestOptions options;
    options.workers = std::max(1, p.value("workers").toInt());
    options.force = p.isSet("force");
    if (p.isSet("keep-duplicates"))
        options.duplicates = DuplicatePolicy::Separate;
    {
        auto probe = services.makeBuilder(cfg);
        for (const RoleRecord &r : probe->roles())
            if (r.status != "ok")
                std::fprintf(stderr, "note: %s: %s\n", r.role.c_str(), r.status.c_str());
    }
    Ingestor ingestor(**store, [&services, cfg] { return services.makeBuilder(cfg); }, options);
    // Components are embedded for the coarse stage as each twin is stored (texts only without an aligner).
    ingestor.setStoredHook(services.componentEmbeddingHook(**store));
    if (!services.aligner())
        std::fprintf(stderr, "note: aligner: %s\n", services.alignerError().c_str());
    std::vector<std::string> list;
    for (const QString &s : paths)
        list.push_back(s.toStdString());
    TerminalProgress bar;
    CancelToken cancel;
    InterruptWatch watch(cancel);
    std::map<std::string, double> stageSeconds;
    std::mutex statsMutex;
    const auto summary = ingestor.run(
        list, cancel, [&bar](double f, const std::string &cur) { bar.update(f, cur); },
        [&](const IngestItem &item) {
            if (item.outcome == IngestOutcome::Failed)
                bar.line("FAILED  " + printable(item.path) + ": " + printable(item.message));
            else if (item.outcome == IngestOutcome::Skipped)
                bar.line("skipped " + printable(item.path) + ": " + printable(item.message));
            else if (item.outcome == IngestOutcome::Ingested)
                bar.line("ok      " + printable(item.key) + " (" + printable(item.message) + ", " + std::to_string(item.seconds).substr(0, 5) + " s)");
            else if (item.outcome == IngestOutcome::Unchanged && item.message.rfind("a copy of ", 0) == 0)
                bar.line("copy    " + printable(item.path) + ": " + printable(item.message));
            else if (item.outcome == IngestOutcome::Unchanged && !bar.isTerminal())
                bar.line("same    " + printable(item.key));
            std::lock_guard<std::mutex> lock(statsMutex);
            for (const auto &[k, v] : item.stats.seconds)
                stageSeconds[k] += v;
        });
    bar.finish();
    const int skipped = summary.count(IngestOutcome::Skipped);
    std::printf("ingested %d, unchanged %d, failed %d, not video %d%s%s\n", summary.count(IngestOutcome::Ingested),
                summary.count(IngestOutcome::Unchanged), summary.count(IngestOutcome::Failed),
                summary.count(IngestOutcome::NotVideo),
                skipped ? (", skipped " + std::to_string(skipped)).c_str() : "", summary.cancelled ? " (cancelled)" : "");
    if (p.isSet("stats"))
        for (const auto &[k, v] : stageSeconds)
            std::printf("  stage %-14s %8.2f s (summed over workers)\n", k.c_str(), v);
    if (summary.cancelled)
        return 130;
    return summary.count(IngestOutcome::Failed) > 0 ? 3 : 0;
}

int cmdList(Services &, const QStringList &args)
{
    QCommandLineParser p;
    p.addOption(dbOption());
    p.addOption({"json", "Print JSON."});
    if (!parse(p, args, "list", ""))
        return 2;
    auto store = openDb(p, cli::LibraryAccess::ReadOnly);
    if (!store)
        return fail(store.message());
    const auto rows = (*store)->videos();
    const auto copies = (*store)->copies();
    auto copiesOf = [&copies](VideoId id) {
        auto it = copies.find(id);
        return it == copies.end() ? std::vector<std::string>{} : it->second;
    };
    if (p.isSet("json")) {
        json out = json::array();
        for (const auto &r : rows)
            out.push_back({{"key", r.key},
                           {"path", r.path},
                           {"copies", copiesOf(r.id)},
                           {"status", videoStatusName(r.status)},
                           {"error", r.error},
                           {"duration_ms", r.durationMs},
                           {"frames", r.frameCount},
                           {"width", r.width},
                           {"height", r.height},
                           {"tracks", r.tracks},
                           {"pipeline_version", r.pipelineVersion},
                           {"encoder", r.encoderVersion}});
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    for (const auto &r : rows) {
        const size_t copyCount = copiesOf(r.id).size();
        if (r.status == VideoStatus::Failed)
            std::printf("%-32s failed   %s\n", printable(r.key).c_str(), printable(r.error).c_str());
        else
            std::printf("%-32s done     %6.1f s %5lld frames %4dx%-4d %3d tracks%s%s\n", printable(r.key).c_str(),
                        r.durationMs / 1000.0, static_cast<long long>(r.frameCount), r.width, r.height, r.tracks,
                        copyCount == 0 ? "" : ("  +" + std::to_string(copyCount) + " copies").c_str(),
                        r.error.empty() ? "" : ("  (last error: " + printable(r.error) + ")").c_str());
    }
    std::printf("%zu videos\n", rows.size());
    return 0;
}

int cmdTwin(Services &, const QStringList &args)
{
    QCommandLineParser p;
    p.addOption(dbOption());
    p.addOption({"indent", "JSON indentation (default 2; -1 for one line).", "N", "2"});
    if (!parse(p, args, "twin", "KEY: the video's key (file stem)."))
        return 2;
    if (p.positionalArguments().size() != 2)
        return fail("twin: give exactly one KEY");
    auto store = openDb(p, cli::LibraryAccess::ReadOnly);
    if (!store)
        return fail(store.message());
    auto twin = (*store)->loadTwin(p.positionalArguments().at(1).toStdString());
    if (!twin)
        return fail(twin.message());
    std::cout << toJsonText(*twin, p.value("indent").toInt()) << "\n";
    return 0;
}

int cmdRemove(Services &, const QStringList &args)
{
    QCommandLineParser p;
    p.addOption(dbOption());
    if (!parse(p, args, "remove", "KEY...: videos to remove from the library."))
        return 2;
    auto store = openDb(p);
    if (!store)
        return fail(store.message());
    int failures = 0;
    for (const QString &k : p.positionalArguments().mid(1)) {
        Status s = (*store)->removeVideo(k.toStdString());
        if (!s) {
            std::fprintf(stderr, "%s: %s\n", qPrintable(k), s.message().c_str());
            ++failures;
        }
    }
    return failures ? 1 : 0;
}

int cmdCheck(Services &, const QStringList &args)
{
    QCommandLineParser p;
    p.addOption(dbOption());
    if (!parse(p, args, "check", ""))
        return 2;
    auto store = openDb(p, cli::LibraryAccess::ReadOnly);
    if (!store)
        return fail(store.message());
    Status s = (*store)->checkIntegrity();
    if (!s)
        return fail(s.message());
    std::printf("ok: schema %d, %zu videos\n", (*store)->schemaVersion(), (*store)->videos().size());
    return 0;
}

/// One line per role of the query pipeline: which real model serves it, or which fallback does and why.
void printQueryRoles(Services &services)
{
    auto roles = Services::llmRolesFromEnv();
    const std::string local = services.localLlmManifest();
    const std::string localName = local.empty() ? "" : local.substr(local.find_last_of('/') + 1);
    auto llmLine = [&](const char *role, const std::optional<LlmEndpoint> &e, const char *fallback) {
        if (roles && e)
            std::printf("  %-12s LLM endpoint %s:%s\n", role, toString(e->protocol).c_str(), e->model.c_str());
        else if (!local.empty())
            std::printf("  %-12s embedded LLM %s (llama.cpp, this CPU)\n", role, localName.c_str());
        else
            std::printf("  %-12s fallback: %s (%s)\n", role, fallback, services.localLlmError().empty()
                                                                         ? "no language model installed"
                                                                         : services.localLlmError().c_str());
    };
    std::printf("roles of the query pipeline:\n");
    llmLine("decompose", roles ? roles->decompose : std::nullopt, "built-in query grammar");
    if (!(roles && roles->reason) && !local.empty())
        std::printf("  %-12s built-in reasoner in fast mode (the default); embedded LLM %s with --mode deep\n",
                    "reason", localName.c_str());
    else
        llmLine("reason", roles ? roles->reason : std::nullopt, "built-in reasoner (WordNet + word vectors)");
    if (roles && roles->describe)
        std::printf("  %-12s VLM endpoint %s\n", "describe", roles->describe->model.c_str());
    else
        std::printf("  %-12s none: no vision-language model here (configure TWINSEEK_DESCRIBE_URL)\n", "describe");
    if (const TextEncoder *aligner = services.aligner()) {
        const SentenceEncoder *sentence = aligner->featurizer().sentenceEncoder();
        std::printf("  %-12s trained paired encoders over %s (%s)\n", "coarse",
                    sentence ? ("GloVe slots + sentence encoder " + sentence->identity()).c_str() : "GloVe slots",
                    QFileInfo(QString::fromStdString(services.alignerPath())).fileName().toUtf8().constData());
        if (!services.alignerError().empty())
            std::printf("  %-12s newer aligner not loaded: %s\n", "", services.alignerError().c_str());
    } else
        std::printf("  %-12s fallback: every video goes to the reasoning stage (%s)\n", "coarse",
                    services.alignerError().c_str());
    if (services.wordVectors())
        std::printf("  %-12s GloVe 100-d\n", "word vectors");
    else
        std::printf("  %-12s missing: %s\n", "word vectors", services.wordVectorsError().c_str());
    if (!roles)
        std::printf("  (LLM endpoint settings are invalid: %s)\n", roles.message().c_str());
}

int cmdModels(Services &services, const QStringList &args)
{
    QCommandLineParser p;
    p.addOption({"json", "Print JSON."});
    p.addOption({"summary", "Only what runs for each role of the query pipeline, one line each."});
    if (!parse(p, args, "models", ""))
        return 2;
    if (p.isSet("summary")) {
        printQueryRoles(services);
        return 0;
    }
    auto &models = services.models();
    json out = json::array();
    for (const ModelManifest &m : models.manifests()) {
        const auto a = models.availability(m);
        out.push_back({{"id", m.id},
                       {"role", m.role},
                       {"runtimes", m.runtimes},
                       {"licence", m.licence},
                       {"available", a.available},
                       {"verified", a.verified},
                       {"message", a.message},
                       {"path", models.modelPath(m)}});
    }
    json devices = json::object();
    for (const auto &n : services.backends().names())
        devices[n] = services.backends().find(n)->devices();
    if (p.isSet("json")) {
        std::cout << json{{"models", out},
                          {"problems", models.problems()},
                          {"runtimes", services.backends().names()},
                          {"devices", devices}}
                         .dump(2)
                  << "\n";
        return 0;
    }
    std::printf("runtimes:");
    for (const auto &n : services.backends().names())
        std::printf(" %s", n.c_str());
    std::printf("\n");
    for (const auto &[n, d] : devices.items())
        std::printf("  %s runs on: %s\n", n.c_str(), d.get<std::string>().c_str());
    std::printf("model cache: %s\n", models.cacheDir().c_str());
    for (const json &m : out)
        std::printf("%-26s %-11s %-9s %s\n", m["id"].get<std::string>().c_str(), m["role"].get<std::string>().c_str(),
                    m["available"].get<bool>() ? "ready" : "missing", m["message"].get<std::string>().c_str());
    for (const auto &prob : models.problems())
        std::printf("manifest problem: %s\n", prob.c_str());
    TwinBuilderConfig cfg;
    auto builder = services.makeBuilder(cfg);
    std::printf("\nroles in the default pipeline:\n");
    for (const RoleRecord &r : builder->roles())
        std::printf("  %-14s %-26s %-12s %s\n", r.role.c_str(), r.model.c_str(), r.runtime.c_str(), r.status.c_str());
    if (!services.wordnet())
        std::printf("  wordnet: %s\n", services.wordnetError().c_str());
    std::printf("\n");
    printQueryRoles(services);
    return 0;
}

void usage()
{
    std::printf("Usage: twinseek-cli COMMAND [options]\n\n"
                "Commands:\n"
                "  ingest  --db LIB PATH...    build digital twins of videos (files or folders)\n"
                "  list    --db LIB            list the library's videos and their status\n"
                "  twin    --db LIB KEY        print a video's digital twin as JSON\n"
                "  remove  --db LIB KEY...     remove videos and everything stored for them\n"
                "  check   --db LIB            check the database's integrity\n"
                "  validate-twins --db LIB     check every stored twin's invariants and JSON round trip\n"
                "  models                      list models, runtimes and what runs for each role\n"
                "  query   --db LIB QUERY      find the videos that satisfy an implicit query (two-stage reasoning)\n"
                "  decompose QUERY             split a query into explicit sub-queries\n"
                "  eval    --db LIB --bench FILE --corpus ROOT   retrieval and grounding metrics, ablations, baselines\n"
                "  bench-twins --db LIB --corpus ROOT   grounding quality of the twins on DAVIS (J, F)\n"
                "  bench-ingest PATH...        ingest speed against decode-only time, memory, per-stage time\n"
                "  bench-query --db LIB --bench FILE   query latency (p50, p95) and per-stage timings\n"
                "  train-aligner --out FILE [--db LIB]   train the coarse stage's paired text encoders (LibTorch)\n"
                "  embed   --db LIB            embed components of videos whose encoder version differs\n"
                "  bench-coarse [--videos N,N] coarse-stage search speed on synthetic libraries (BLAS vs FAISS)\n"
                "  eval-aligner --db LIB       sanity: is each video found by its own labels, paraphrased?\n"
                "  version                     print the version\n\n"
                "Run `twinseek-cli COMMAND --help` for a command's options.\n");
}

} // namespace

int runCli(const QStringList &args)
{
    using Command = std::function<int(Services &, const QStringList &)>;
    const std::map<QString, Command> commands = {
        {"ingest", cmdIngest}, {"list", cmdList},   {"twin", cmdTwin},
        {"remove", cmdRemove}, {"check", cmdCheck}, {"models", cmdModels},
        {"bench-twins", cli::benchTwins}, {"bench-ingest", cli::benchIngest},
        {"validate-twins", cli::validateTwins},
        {"query", cli::query}, {"decompose", cli::decompose}, {"eval", cli::evaluate}, {"bench-query", cli::benchQuery},
        {"train-aligner", cli::trainAligner}, {"embed", cli::embed},
        {"bench-coarse", cli::benchCoarseSearch}, {"eval-aligner", cli::evalAlignerOnLibrary},
    };
    if (args.size() < 2 || args[1] == "help" || args[1] == "--help" || args[1] == "-h") {
        usage();
        return args.size() < 2 ? 2 : 0;
    }
    if (args[1] == "version" || args[1] == "--version") {
        std::printf("twinseek-cli %s\n", twinseekVersion().c_str());
        return 0;
    }
    auto it = commands.find(args[1]);
    if (it == commands.end()) {
        std::fprintf(stderr, "twinseek-cli: unknown command '%s'\n\n", qPrintable(args[1]));
        usage();
        return 2;
    }
    Services services;
    // Each command parses args itself: args[0] is the program, the first positional argument the command.
    return it->second(services, args);
}

} // namespace ts
