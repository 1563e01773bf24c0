// Benchmarks that print numbers (never tests): twin grounding quality on DAVIS, ingest speed and memory. The
// measuring is core/eval/benchmarks.h; this is the options and the printing.
#include "commands.h"

#include "eval/benchmarks.h"
#include "terminal.h"

#include <QFile>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>
#include <thread>

namespace ts::cli {

namespace {

void printIngest(const IngestBench &b, const DecodeBench &decode, size_t files, int workers)
{
    std::printf("files: %zu (%d ingested, %d failed); video: %.1f s\n", files,
                b.summary.count(IngestOutcome::Ingested), b.summary.count(IngestOutcome::Failed), decode.videoSeconds);
    std::printf("decode only:      %7.1f s  (%.2fx real time)\n", decode.wallSeconds,
                decode.videoSeconds / decode.wallSeconds);
    std::printf("default pipeline: %7.1f s  (%.2fx real time), %d workers\n", b.wallSeconds,
                decode.videoSeconds / b.wallSeconds, workers);
    // Other processes competing for the cores stretch wall time, not CPU time: say how much of the machine we had.
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    std::printf("process CPU:      %7.1f s  (%.0f%% of %u cores over the pipeline's wall time)\n", b.cpuSeconds,
                100.0 * b.cpuSeconds / std::max(1e-9, b.wallSeconds * cores), cores);
    std::printf("peak RSS:         %7.0f MB\n", peakRssKb() / 1024.0);
    std::printf("per-stage time, summed over workers (grabcut is part of mask):\n");
    std::printf("  %-14s %9s %9s %6s\n", "stage", "wall s", "CPU s", "CPU %");
    double cpuSum = 0.0;
    for (const auto &[k, v] : b.stageCpu)
        if (k != "grabcut")
            cpuSum += v;
    for (const auto &[k, v] : b.stageSeconds) {
        const auto cpu = b.stageCpu.find(k);
        const double c = cpu == b.stageCpu.end() ? 0.0 : cpu->second;
        std::printf("  %-14s %9.2f %9.2f %5.1f%%\n", k.c_str(), v, c, 100.0 * c / std::max(1e-9, cpuSum));
    }
}

void printLongVideo(const LongVideoBench &b)
{
    std::printf("long video: %.0f s analysed in %.1f s (%.2fx real time, one worker), %zu tracks\n", b.videoSeconds,
                b.wallSeconds, b.videoSeconds / b.wallSeconds, b.tracks);
    std::printf("its twin: %zu frames, %zu instances, masks %.1f MB as run lengths\n", b.frames, b.instances,
                b.maskBytes / 1e6);
    std::printf("RSS while analysing (progress -> MB):");
    for (const auto &[percent, mb] : b.rssAtDecile)
        std::printf(" %d%%: %.0f", percent, mb);
    std::printf("\n");
    std::printf("long video per-stage time (wall s / CPU s):");
    for (const auto &[k, v] : b.stageSeconds) {
        const auto cpu = b.stageCpu.find(k);
        std::printf(" %s %.1f/%.1f", k.c_str(), v, cpu == b.stageCpu.end() ? 0.0 : cpu->second);
    }
    std::printf("\npeak RSS: %.0f MB\n", peakRssKb() / 1024.0);
}

} // namespace

int benchTwins(Services &, const QStringList &args)
{
    QCommandLineParser p;
    p.addOption(dbOption());
    p.addOption({"corpus", "Corpus root holding davis2016/.", "ROOT"});
    p.addOption({"split", "DAVIS split: train, val or all (default train).", "NAME", "train"});
    p.addOption({"with-f", "Also compute contour accuracy F (slower)."});
    p.addOption({"per-frame", "Also print J on every frame as one digit (0 = J below 0.1, 9 = 0.9 or more, "
                              "* = 0.95 or more)."});
    if (!parse(p, args, "bench-twins", ""))
        return 2;
    if (!p.isSet("corpus"))
        return fail("bench-twins: --corpus ROOT is required");
    auto store = openDb(p);
    if (!store)
        return fail(store.message());
    const std::string root = p.value("corpus").toStdString(), split = p.value("split").toStdString();
    const std::vector<std::string> seqs = davisSequences(root, split);
    if (seqs.empty())
        return fail("no sequences found for split '" + split + "' under " + root);
    auto rows = benchTwinGrounding(**store, root, seqs, p.isSet("with-f"));
    if (!rows)
        return fail(rows.message());
    double sumJ = 0, sumF = 0;
    int n = 0, missing = 0;
    std::printf("%-20s %7s %7s %6s  %s\n", "sequence", "J", "F", "frames", "tracks");
    for (const SequenceGrounding &r : *rows) {
        if (!r.missing.empty()) {
            std::printf("%-20s  missing: %s\n", r.sequence.c_str(), r.missing.c_str());
            ++missing;
            continue;
        }
        const GroundingScore &s = r.score;
        std::printf("%-20s %7.3f %7.3f %6d  %s\n", r.sequence.c_str(), s.meanJ, s.meanF, s.frames, r.tracks.c_str());
        if (p.isSet("per-frame")) {
            // Where the J is lost: whole frames without the object (0s) or loose masks everywhere (5s, 6s).
            std::string digits;
            for (float j : s.frameJ)
                digits += j >= 0.95f ? '*' : static_cast<char>('0' + std::clamp(static_cast<int>(j * 10.f), 0, 9));
            std::printf("    %s\n", digits.c_str());
        }
        sumJ += s.meanJ;
        sumF += s.meanF;
        ++n;
    }
    if (n == 0)
        return fail("no twins to score");
    std::printf("\nmean over %d sequences (%s): J = %.3f%s%s\n", n, split.c_str(), sumJ / n,
                p.isSet("with-f") ? (", F = " + std::to_string(sumF / n).substr(0, 5)).c_str() : "",
                missing ? (" (" + std::to_string(missing) + " missing)").c_str() : "");
    return missing ? 1 : 0;
}

int benchIngest(Services &services, const QStringList &args)
{
    QCommandLineParser p;
    p.addOption({{"w", "workers"}, "Videos analysed in parallel (default 2).", "N", "2"});
    p.addOption({"long-video", "Also generate a 1080p video of this many seconds from the first file and ingest it, "
                               "sampling memory as it goes.", "SECONDS"});
    p.addOption({"keep-db", "Keep the benchmark library at this path.", "LIB.sqlite"});
    p.addOption({"pipeline", "Pipeline settings as JSON over the defaults, e.g. '{\"segmenter\": \"isnet_crop_int8\"}'.",
                 "JSON"});
    if (!parse(p, args, "bench-ingest", "PATH...: videos or folders."))
        return 2;
    std::vector<std::string> inputs;
    for (const QString &s : p.positionalArguments().mid(1))
        inputs.push_back(s.toStdString());
    std::vector<IngestItem> problems;
    const auto files = Ingestor::collectFiles(inputs, problems);
    if (files.empty())
        return fail("bench-ingest: no files");
    const int workers = std::max(1, p.value("workers").toInt());

    // 1. Decode only, same files, same parallelism. 2. The pipeline.
    const DecodeBench decode = benchDecode(files, workers);
    QTemporaryDir tmp;
    const QString db = p.isSet("keep-db") ? p.value("keep-db") : tmp.filePath("bench.sqlite");
    QFile::remove(db);
    auto store = Services::openStore(db.toStdString());
    if (!store)
        return fail(store.message());
    const TwinBuilderConfig cfg = builderConfig(p);
    std::printf("pipeline: %s\n", toJson(cfg).dump().c_str());
    TerminalProgress bar;
    const IngestBench ingest = benchIngestRun(
        **store, inputs, [&services, cfg] { return services.makeBuilder(cfg); }, workers,
        [&bar](double f, const std::string &c) { bar.update(f, c); });
    bar.finish();
    printIngest(ingest, decode, files.size(), workers);

    // 3. A long 1080p video: memory must stay flat while it is analysed.
    if (p.isSet("long-video")) {
        const double length = p.value("long-video").toDouble();
        std::printf("\ngenerating a %.0f s 1080p video from %s ...\n", length, files.front().c_str());
        auto builder = services.makeBuilder(cfg);
        auto longRun =
            benchLongVideo(*builder, files.front(), length, tmp.filePath("long-1080p.mp4").toStdString());
        if (!longRun)
            return fail(longRun.message());
        printLongVideo(*longRun);
    }
    return ingest.summary.count(IngestOutcome::Failed) ? 1 : 0;
}

} // namespace ts::cli
