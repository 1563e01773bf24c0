// Benchmarks that print numbers (never tests): twin grounding quality on DAVIS, ingest speed and memory.
#include "commands.h"

#include "eval/twingrounding.h"
#include "ingest/ingestor.h"
#include "media/videoreader.h"
#include "terminal.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTextStream>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

namespace ts::cli {

namespace {

double seconds(std::chrono::steady_clock::time_point since)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

long currentRssKb()
{
    std::ifstream statm("/proc/self/statm");
    long pages = 0, resident = 0;
    statm >> pages >> resident;
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

double processCpuSeconds()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_utime.tv_usec * 1e-6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec * 1e-6;
}

long peakRssKb()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

QStringList readLines(const QString &path)
{
    QFile f(path);
    QStringList out;
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
        return out;
    QTextStream in(&f);
    while (!in.atEnd()) {
        const QString l = in.readLine().trimmed();
        if (!l.isEmpty())
            out << l;
    }
    return out;
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
    const QString root = p.value("corpus");
    QStringList seqs;
    const QString split = p.value("split");
    // DAVIS-2016 image sets list frames ("/JPEGImages/480p/bear/00000.jpg /Annotations/..."): keep the sequences.
    for (const QString &s : split == "all" ? QStringList{"train", "val"} : QStringList{split})
        for (const QString &line : readLines(root + "/davis2016/ImageSets/480p/" + s + ".txt")) {
            const QStringList parts = line.split(' ').first().split('/', Qt::SkipEmptyParts);
            const QString seq = parts.size() >= 3 ? parts.at(parts.size() - 2) : line;
            if (!seqs.contains(seq))
                seqs << seq;
        }
    if (seqs.isEmpty())
        return fail("no sequences found for split '" + split.toStdString() + "' under " + root.toStdString());
    double sumJ = 0, sumF = 0;
    int n = 0, missing = 0;
    std::printf("%-20s %7s %7s %6s  %s\n", "sequence", "J", "F", "frames", "tracks");
    for (const QString &seq : seqs) {
        auto twin = (*store)->loadTwin(seq.toStdString());
        if (!twin) {
            std::printf("%-20s  missing: %s\n", qPrintable(seq), twin.message().c_str());
            ++missing;
            continue;
        }
        auto gt = loadGroundTruthFolder((root + "/davis2016/Annotations/480p/" + seq).toStdString());
        if (!gt)
            return fail(gt.message());
        const GroundingScore s = bestTrackSet(*twin, *gt, p.isSet("with-f"));
        std::string ids;
        for (TrackId t : s.tracks) {
            const Track *tr = twin->track(t);
            ids += std::to_string(t) + ":" + (tr ? tr->category.name : "?") + " ";
        }
        std::printf("%-20s %7.3f %7.3f %6d  %s\n", qPrintable(seq), s.meanJ, s.meanF, s.frames, ids.c_str());
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
    std::printf("\nmean over %d sequences (%s): J = %.3f%s%s\n", n, qPrintable(split), sumJ / n,
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

    // 1. Decode only, same files, same parallelism.
    double videoSeconds = 0.0;
    std::atomic<size_t> next{0};
    std::mutex mutex;
    auto t0 = std::chrono::steady_clock::now();
    {
        std::vector<std::thread> threads;
        for (int w = 0; w < workers; ++w)
            threads.emplace_back([&] {
                for (size_t i; (i = next.fetch_add(1)) < files.size();) {
                    auto r = VideoReader::open(files[i]);
                    if (!r)
                        continue;
                    DecodedFrame f;
                    int64_t frames = 0;
                    while (r.value()->next(f, false).value())
                        ++frames;
                    std::lock_guard<std::mutex> lock(mutex);
                    videoSeconds += frames / std::max(1.0, r.value()->info().fps);
                }
            });
        for (auto &t : threads)
            t.join();
    }
    const double decodeSeconds = seconds(t0);

    // 2. The default pipeline.
    QTemporaryDir tmp;
    const QString db = p.isSet("keep-db") ? p.value("keep-db") : tmp.filePath("bench.sqlite");
    QFile::remove(db);
    auto store = Services::openStore(db.toStdString());
    if (!store)
        return fail(store.message());
    const TwinBuilderConfig cfg = builderConfig(p);
    std::printf("pipeline: %s\n", toJson(cfg).dump().c_str());
    Ingestor ingestor(**store, [&services, cfg] { return services.makeBuilder(cfg); }, {workers, true});
    std::map<std::string, double> stages, stageCpu;
    TerminalProgress bar;
    t0 = std::chrono::steady_clock::now();
    const double cpu0 = processCpuSeconds();
    const auto summary = ingestor.run(inputs, {}, [&bar](double f, const std::string &c) { bar.update(f, c); },
                                      [&](const IngestItem &item) {
                                          std::lock_guard<std::mutex> lock(mutex);
                                          for (const auto &[k, v] : item.stats.seconds)
                                              stages[k] += v;
                                          for (const auto &[k, v] : item.stats.cpuSeconds)
                                              stageCpu[k] += v;
                                      });
    bar.finish();
    const double ingestSeconds = seconds(t0);
    const double ingestCpu = processCpuSeconds() - cpu0;
    std::printf("files: %zu (%d ingested, %d failed); video: %.1f s\n", files.size(),
                summary.count(IngestOutcome::Ingested), summary.count(IngestOutcome::Failed), videoSeconds);
    std::printf("decode only:      %7.1f s  (%.2fx real time)\n", decodeSeconds, videoSeconds / decodeSeconds);
    std::printf("default pipeline: %7.1f s  (%.2fx real time), %d workers\n", ingestSeconds,
                videoSeconds / ingestSeconds, workers);
    // Other processes competing for the cores stretch wall time, not CPU time: say how much of the machine we had.
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    std::printf("process CPU:      %7.1f s  (%.0f%% of %u cores over the pipeline's wall time)\n", ingestCpu,
                100.0 * ingestCpu / std::max(1e-9, ingestSeconds * cores), cores);
    std::printf("peak RSS:         %7.0f MB\n", peakRssKb() / 1024.0);
    std::printf("per-stage time, summed over workers (grabcut is part of mask):\n");
    std::printf("  %-14s %9s %9s %6s\n", "stage", "wall s", "CPU s", "CPU %");
    double cpuSum = 0.0;
    for (const auto &[k, v] : stageCpu)
        if (k != "grabcut")
            cpuSum += v;
    for (const auto &[k, v] : stages)
        std::printf("  %-14s %9.2f %9.2f %5.1f%%\n", k.c_str(), v, stageCpu[k],
                    100.0 * stageCpu[k] / std::max(1e-9, cpuSum));

    // 3. A long 1080p video: memory must stay flat while it is analysed.
    if (p.isSet("long-video")) {
        const double length = p.value("long-video").toDouble();
        const QString longPath = tmp.filePath("long-1080p.mp4");
        std::printf("\ngenerating a %.0f s 1080p video from %s ...\n", length, files.front().c_str());
        QProcess ff;
        ff.start("ffmpeg", {"-y", "-loglevel", "error", "-stream_loop", "-1", "-i", QString::fromStdString(files.front()),
                            "-t", QString::number(length), "-vf", "scale=1920:1080", "-c:v", "libx264", "-preset",
                            "ultrafast", "-crf", "23", "-an", longPath});
        ff.waitForFinished(-1);
        if (ff.exitCode() != 0)
            return fail("ffmpeg could not generate the long video: " + ff.readAllStandardError().toStdString());
        std::vector<std::pair<double, long>> samples; // (progress, RSS kB)
        std::atomic<double> progress{0.0};
        std::atomic<bool> done{false};
        std::thread sampler([&] {
            while (!done) {
                {
                    std::lock_guard<std::mutex> lock(mutex);
                    samples.emplace_back(progress.load(), currentRssKb());
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(500));
            }
        });
        auto builder = services.makeBuilder(cfg);
        VideoInfo seed;
        seed.key = "long-1080p";
        BuildStats stats;
        t0 = std::chrono::steady_clock::now();
        auto twin = builder->build(longPath.toStdString(), seed, {},
                                   [&](double f, const std::string &) { progress = f; }, &stats);
        const double longSeconds = seconds(t0);
        done = true;
        sampler.join();
        if (!twin)
            return fail("long video: " + twin.message());
        std::printf("long video: %.0f s analysed in %.1f s (%.2fx real time, one worker), %zu tracks\n", length,
                    longSeconds, length / longSeconds, twin->tracks.size());
        // The twin is the one thing that must grow with the video: say how big its masks are, to read the RSS
        // against (counted in place: serialising a twin this size would itself add hundreds of MB to the peak).
        size_t instances = 0, maskBytes = 0;
        for (const FrameRecord &f : twin->frames)
            for (const Instance &in : f.instances) {
                ++instances;
                maskBytes += in.mask.counts().size() * sizeof(uint32_t);
            }
        std::printf("its twin: %zu frames, %zu instances, masks %.1f MB as run lengths\n", twin->frames.size(),
                    instances, maskBytes / 1e6);
        // Flat memory: the RSS at each decile of progress stays within a few percent of the first.
        std::printf("RSS while analysing (progress -> MB):");
        for (int decile = 1; decile <= 10; ++decile) {
            long kb = -1;
            for (const auto &[f, k] : samples)
                if (f >= decile / 10.0 - 1e-9) {
                    kb = k;
                    break;
                }
            if (kb < 0 && decile == 10 && !samples.empty())
                kb = samples.back().second;
            if (kb >= 0)
                std::printf(" %d%%: %.0f", decile * 10, kb / 1024.0);
        }
        std::printf("\n");
        std::printf("long video per-stage time (wall s / CPU s):");
        for (const auto &[k, v] : stats.seconds)
            std::printf(" %s %.1f/%.1f", k.c_str(), v, stats.cpuSeconds[k]);
        std::printf("\npeak RSS: %.0f MB\n", peakRssKb() / 1024.0);
    }
    return summary.count(IngestOutcome::Failed) ? 1 : 0;
}

} // namespace ts::cli
