// The coarse stage's benchmark on synthetic libraries (twins drawn from the installed models' label vocabulary, no
// real videos) of growing size: the exact BLAS search, FAISS on the same vectors where it is built, and the search
// through a stored library; latency percentiles and how often the source video of a query is found.
#pragma once

#include "align/textencoder.h"
#include "align/trainingdata.h"
#include "base/result.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ts {

class TwinStore;

struct CoarseBenchSetup {
    const TextEncoder *encoder = nullptr;
    const WordNet *wordnet = nullptr;
    const WordVectors *vectors = nullptr;
    std::vector<LabelConcept> objects; ///< detector and classifier classes
    std::vector<LabelConcept> scenes;  ///< classifier classes
    int queries = 50;                  ///< per library size, of 1-3 sub-queries paraphrasing one video's components
    int k = 10;                        ///< videos returned per query
    int faissK = 2000;                 ///< components FAISS returns per sub-query
    uint64_t seed = 7;
    /// Where to write each library (and time the search through it); empty: in memory only.
    std::function<Result<std::unique_ptr<TwinStore>>(int videos)> openStore;
};

struct CoarseBenchRow {
    int videos = 0;
    size_t components = 0;
    double indexMb = 0.0;
    double embedSeconds = 0.0; ///< generating and embedding the components (and writing the library)
    double exactP50Ms = 0.0, exactP95Ms = 0.0;
    bool faiss = false;
    double faissP50Ms = 0.0, faissP95Ms = 0.0;
    double faissSame = 0.0;    ///< share of queries whose top-k video set equals the exact one
    double faissOverlap = 0.0; ///< mean share of the exact top-k FAISS also returned
    double selfAtK = 0.0;      ///< share of queries whose source video is in the exact top-k
    bool stored = false;
    double loadSeconds = 0.0, storeP50Ms = 0.0, storeP95Ms = 0.0, storeSame = 0.0;
};

/// One library size. Generated and embedded in chunks so 100,000 twins never sit in memory at once.
Result<CoarseBenchRow> benchCoarseLibrary(int videos, const CoarseBenchSetup &setup);

/// The p-quantile (0..1) of the values, nearest rank; 0 for none.
double percentile(std::vector<double> values, double p);

} // namespace ts
