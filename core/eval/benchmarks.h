// Benchmarks that measure (never tests): twin grounding on DAVIS-2016 against its ground-truth masks, and ingest
// speed against decoding alone, with per-stage CPU time and the memory of a long video. The command line prints
// what these return.
#pragma once

#include "base/result.h"
#include "eval/twingrounding.h"
#include "ingest/ingestor.h"
#include "retrieval/engine.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace ts {

class TwinStore;
class TwinBuilder;

/// This process's CPU time (user + system) in seconds, and its resident memory now and at its peak, in kB.
double processCpuSeconds();
long currentRssKb();
long peakRssKb();

/// The sequences of a DAVIS-2016 split ("train", "val" or "all") listed under corpusRoot/davis2016/ImageSets.
std::vector<std::string> davisSequences(const std::string &corpusRoot, const std::string &split);

struct SequenceGrounding {
    std::string sequence;
    std::string missing; ///< why the library has no twin of it; empty when scored
    GroundingScore score; ///< the best set of tracks against the ground truth
    std::string tracks;   ///< "id:label ..." of those tracks
};

/// Each sequence's twin from the store against its ground-truth folder. Fails only when a ground truth cannot be
/// read (a missing twin is reported in its row).
Result<std::vector<SequenceGrounding>> benchTwinGrounding(const TwinStore &store, const std::string &corpusRoot,
                                                          const std::vector<std::string> &sequences, bool withF);

struct DecodeBench {
    double videoSeconds = 0.0; ///< length of the files decoded
    double wallSeconds = 0.0;
};

/// Decodes every frame of the files, workers in parallel, and nothing else: the floor of ingest time.
DecodeBench benchDecode(const std::vector<std::string> &files, int workers);

struct IngestBench {
    IngestSummary summary;
    double wallSeconds = 0.0;
    double cpuSeconds = 0.0; ///< the process's, over the run
    std::map<std::string, double> stageSeconds; ///< wall, summed over workers
    std::map<std::string, double> stageCpu;
};

/// Ingests the inputs into store with builders from factory, workers in parallel.
IngestBench benchIngestRun(TwinStore &store, const std::vector<std::string> &inputs, BuilderFactory factory,
                           int workers, const ProgressFn &progress);

struct LongVideoBench {
    double videoSeconds = 0.0;
    double wallSeconds = 0.0;
    size_t tracks = 0, frames = 0, instances = 0, maskBytes = 0; ///< the twin it built
    std::vector<std::pair<int, double>> rssAtDecile; ///< (10..100 % of progress, RSS MB)
    std::map<std::string, double> stageSeconds, stageCpu;
};

/// A 1080p video of the given length made with ffmpeg from source (looped) at path, then built by one builder
/// while its resident memory is sampled every half second: it must stay flat while the twin grows.
Result<LongVideoBench> benchLongVideo(TwinBuilder &builder, const std::string &source, double seconds,
                                      const std::string &path);

struct QueryLatencyBench {
    int passes = 0;
    double warmupSeconds = 0.0;
    std::vector<double> totalMs;                          ///< one per query and pass
    std::map<std::string, std::vector<double>> stageMs;   ///< per stage of the engine's timings
};

/// The queries through the engine: a warm-up over the first warmupQueries (it loads what a running app holds:
/// WordNet, word vectors, twins, a language model), then afterWarmup, then passes timed passes over all of them.
Result<QueryLatencyBench> benchQueryLatency(RetrievalEngine &engine, TwinStore &store,
                                            const std::vector<std::string> &queries, const RetrievalOptions &options,
                                            size_t warmupQueries, int passes,
                                            const std::function<void()> &afterWarmup = {});

/// The q-quantile (0..1) of latencies, rounding the rank to the nearest; 0 for none.
double latencyPercentile(std::vector<double> values, double q);

} // namespace ts
