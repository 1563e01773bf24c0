// Retrieval metrics of shared/bench/FORMAT.md: rank of the first correct video, R@K, MdR, MnR, AP@K and mAP, and
// the no-answer controls. Plain functions over a ranking (video keys, best first) so a baseline, an ablation and
// the full system are scored by the same code.
//
// Conventions (FORMAT.md leaves these open; they are fixed here):
// - The returned order is the ranking. Scores are not looked at, so equal scores never reorder or share a rank.
// - A key returned more than once counts at its first position only; later copies count as irrelevant entries.
// - A grade-2 video that was not returned ranks at the library size (after every returned video); when the library
//   size given is not larger than the returned list (a key missing from the library), at one past the list.
// - A query whose relevant videos are all grade 1 has no correct answer: it has no rank and is left out of R@K, MdR
//   and MnR, but its AP counts (AP counts grade >= 1). The summary says how many queries each mean is over.
// - A query with no video of grade >= 1 is a no-answer control: it is left out of every mean above and scored
//   only by the share of controls whose best relevance score falls below the acceptance threshold.
#pragma once

#include "eval/queryset.h"

#include <array>
#include <string>
#include <vector>

namespace ts {

/// The cut-offs of R@K and AP@K, as the paper's tables.
constexpr std::array<int, 5> kMetricKs = {1, 5, 10, 50, 100};

/// Scores of one query with a non-empty relevant set.
struct QueryMetrics {
    std::string id;
    int rank = 0; ///< 1-based rank of the first grade-2 video; 0 when the query has no grade-2 video
    bool returnedCorrect = false; ///< the first grade-2 video was in the returned list (not placed at library size)
    int relevantCount = 0; ///< videos of grade >= 1
    std::array<double, kMetricKs.size()> apAtK{}; ///< AP@1, AP@5, AP@10, AP@50, AP@100
    double ap = 0.0; ///< mean of apAtK (this query's share of mAP)
};

/// 1-based rank of the first grade-2 video in `ranking` (see the conventions above); 0 without a grade-2 video.
int firstCorrectRank(const std::vector<std::string> &ranking, const BenchQuery &query, int librarySize);
/// AP over the top k, grade >= 1 relevant, normalised by min(k, relevant count); 0 without relevant videos.
double averagePrecisionAt(const std::vector<std::string> &ranking, const BenchQuery &query, int k);
/// Every per-query number at once. `query` must not be a no-answer control (relevantCount() > 0).
QueryMetrics evaluateQuery(const BenchQuery &query, const std::vector<std::string> &ranking, int librarySize);

/// One no-answer control as the system answered it.
struct ControlOutcome {
    std::string id;
    double bestScore = 0.0; ///< best relevance score the system gave any video (caller's choice when none)
    double threshold = 0.0; ///< the system's acceptance threshold
    bool rejected() const { return bestScore < threshold; }
};

struct RetrievalSummary {
    int queries = 0; ///< queries with a non-empty relevant set: the mAP denominator
    int rankedQueries = 0; ///< of those, with a grade-2 video: the R@K, MdR and MnR denominator
    std::array<double, kMetricKs.size()> recallAtK{}; ///< shares 0..1
    double medianRank = 0.0;
    double meanRank = 0.0;
    std::array<double, kMetricKs.size()> mapAtK{}; ///< mean AP@K per K
    double map = 0.0; ///< mean over K of mapAtK (= mean over queries of QueryMetrics::ap)
    int controls = 0; ///< no-answer controls
    double controlsRejected = 0.0; ///< share 0..1 of the controls the system rejected; 0 without controls
};

/// Means over the per-query metrics and the controls. Empty inputs give zeros and zero counts.
RetrievalSummary summarize(const std::vector<QueryMetrics> &perQuery,
                           const std::vector<ControlOutcome> &controls = {});

/// Median as numpy computes it (mean of the two middle values for an even count); 0 for no values.
double median(std::vector<double> values);
/// R@K for K = 1..maxK (index K-1), for curves; ranks <= 0 (no grade-2 video) are left out as in summarize().
std::vector<double> recallCurve(const std::vector<int> &ranks, int maxK = 100);

} // namespace ts
