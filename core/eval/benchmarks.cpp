#include "benchmarks.h"

#include "base/workers.h"

#include "media/videoreader.h"
#include "store/twinstore.h"
#include "vision/twinbuilder.h"

#include <QFile>
#include <QProcess>
#include <QString>
#include <QTextStream>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <thread>

namespace ts {

namespace {

double secondsSince(std::chrono::steady_clock::time_point since)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

std::vector<std::string> nonEmptyLines(const std::string &path)
{
    QFile f(QString::fromStdString(path));
    std::vector<std::string> out;
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
        return out;
    QTextStream in(&f);
    while (!in.atEnd()) {
        const QString l = in.readLine().trimmed();
        if (!l.isEmpty())
            out.push_back(l.toStdString());
    }
    return out;
}

} // namespace

double processCpuSeconds()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_utime.tv_usec * 1e-6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec * 1e-6;
}

long currentRssKb()
{
    std::ifstream statm("/proc/self/statm");
    long pages = 0, resident = 0;
    statm >> pages >> resident;
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

long peakRssKb()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

std::vector<std::string> davisSequences(const std::string &corpusRoot, const std::string &split)
{
    std::vector<std::string> seqs;
    const std::vector<std::string> splits =
        split == "all" ? std::vector<std::string>{"train", "val"} : std::vector<std::string>{split};
    // DAVIS-2016 image sets list frames ("/JPEGImages/480p/bear/00000.jpg /Annotations/..."): keep the sequences.
    for (const std::string &s : splits)
        for (const std::string &line : nonEmptyLines(corpusRoot + "/davis2016/ImageSets/480p/" + s + ".txt")) {
            const QStringList parts =
                QString::fromStdString(line).split(' ').first().split('/', Qt::SkipEmptyParts);
            const std::string seq = parts.size() >= 3 ? parts.at(parts.size() - 2).toStdString() : line;
            if (std::find(seqs.begin(), seqs.end(), seq) == seqs.end())
                seqs.push_back(seq);
        }
    return seqs;
}

Result<std::vector<SequenceGrounding>> benchTwinGrounding(const TwinStore &store, const std::string &corpusRoot,
                                                          const std::vector<std::string> &sequences, bool withF)
{
    std::vector<SequenceGrounding> rows;
    for (const std::string &seq : sequences) {
        SequenceGrounding row;
        row.sequence = seq;
        auto twin = store.loadTwin(seq);
        if (!twin) {
            row.missing = twin.message();
            rows.push_back(std::move(row));
            continue;
        }
        auto gt = loadGroundTruthFolder(corpusRoot + "/davis2016/Annotations/480p/" + seq);
        if (!gt)
            return Result<std::vector<SequenceGrounding>>::error(gt);
        row.score = bestTrackSet(*twin, *gt, withF);
        for (TrackId t : row.score.tracks) {
            const Track *tr = twin->track(t);
            row.tracks += std::to_string(t) + ":" + (tr ? tr->category.name : "?") + " ";
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

DecodeBench benchDecode(const std::vector<std::string> &files, int workers)
{
    DecodeBench out;
    std::mutex mutex;
    const auto t0 = std::chrono::steady_clock::now();
    forEachOnWorkers(files.size(), workers, [&](size_t i, int) {
        auto r = VideoReader::open(files[i]);
        if (!r)
            return;
        DecodedFrame f;
        int64_t frames = 0;
        while (r.value()->next(f, false).value())
            ++frames;
        std::lock_guard<std::mutex> lock(mutex);
        out.videoSeconds += frames / std::max(1.0, r.value()->info().fps);
    });
    out.wallSeconds = secondsSince(t0);
    return out;
}

IngestBench benchIngestRun(TwinStore &store, const std::vector<std::string> &inputs, BuilderFactory factory,
                           int workers, const ProgressFn &progress)
{
    IngestBench out;
    std::mutex mutex;
    Ingestor ingestor(store, std::move(factory), {workers, true});
    const auto t0 = std::chrono::steady_clock::now();
    const double cpu0 = processCpuSeconds();
    out.summary = ingestor.run(inputs, {}, progress, [&](const IngestItem &item) {
        std::lock_guard<std::mutex> lock(mutex);
        for (const auto &[k, v] : item.stats.seconds)
            out.stageSeconds[k] += v;
        for (const auto &[k, v] : item.stats.cpuSeconds)
            out.stageCpu[k] += v;
    });
    out.wallSeconds = secondsSince(t0);
    out.cpuSeconds = processCpuSeconds() - cpu0;
    return out;
}

Result<LongVideoBench> benchLongVideo(TwinBuilder &builder, const std::string &source, double seconds,
                                      const std::string &path)
{
    using R = Result<LongVideoBench>;
    QProcess ff;
    ff.start("ffmpeg", {"-y", "-loglevel", "error", "-stream_loop", "-1", "-i", QString::fromStdString(source), "-t",
                        QString::number(seconds), "-vf", "scale=1920:1080", "-c:v", "libx264", "-preset", "ultrafast",
                        "-crf", "23", "-an", QString::fromStdString(path)});
    ff.waitForFinished(-1);
    if (ff.exitCode() != 0)
        return R::error("ffmpeg could not generate the long video: " + ff.readAllStandardError().toStdString());
    std::mutex mutex;
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
    VideoInfo seed;
    seed.key = "long-1080p";
    BuildStats stats;
    const auto t0 = std::chrono::steady_clock::now();
    auto twin = builder.build(path, seed, {}, [&](double f, const std::string &) { progress = f; }, &stats);
    LongVideoBench out;
    out.wallSeconds = secondsSince(t0);
    done = true;
    sampler.join();
    if (!twin)
        return R::error("long video: " + twin.message());
    out.videoSeconds = seconds;
    out.tracks = twin->tracks.size();
    out.frames = twin->frames.size();
    // The twin is the one thing that must grow with the video: how big its masks are, to read the RSS against
    // (counted in place: serialising a twin this size would itself add hundreds of MB to the peak).
    for (const FrameRecord &f : twin->frames)
        for (const Instance &in : f.instances) {
            ++out.instances;
            out.maskBytes += in.mask.counts().size() * sizeof(uint32_t);
        }
    // Flat memory: the RSS at each decile of progress.
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
            out.rssAtDecile.push_back({decile * 10, kb / 1024.0});
    }
    out.stageSeconds = stats.seconds;
    out.stageCpu = stats.cpuSeconds;
    return out;
}

Result<QueryLatencyBench> benchQueryLatency(RetrievalEngine &engine, TwinStore &store,
                                            const std::vector<std::string> &queries, const RetrievalOptions &options,
                                            size_t warmupQueries, int passes,
                                            const std::function<void()> &afterWarmup)
{
    QueryLatencyBench out;
    out.passes = std::max(1, passes);
    CancelToken cancel;
    const auto tw = std::chrono::steady_clock::now();
    for (size_t i = 0; i < std::min(warmupQueries, queries.size()); ++i)
        engine.run(store, queries[i], options, cancel, {});
    out.warmupSeconds = secondsSince(tw);
    if (afterWarmup)
        afterWarmup();
    for (int r = 0; r < out.passes; ++r)
        for (const std::string &q : queries) {
            auto res = engine.run(store, q, options, cancel, {});
            if (!res)
                return Result<QueryLatencyBench>::error(res);
            for (const StageTiming &t : res->timings)
                (t.stage == "total" ? out.totalMs : out.stageMs[t.stage]).push_back(t.ms);
        }
    return out;
}

double latencyPercentile(std::vector<double> v, double q)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[std::min(v.size() - 1, static_cast<size_t>(q * (v.size() - 1) + 0.5))];
}

} // namespace ts
