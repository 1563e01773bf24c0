// The two-stage reasoning retrieval of the paper: query decomposition (QD), compositional alignment over the
// stored twin components (CA, the coarse stage that picks the top-K candidates), reasoning rerank over each
// candidate's twin (LR) with just-in-time refinement (JiT). Each stage can be switched off for ablations.
#pragma once

#include "base/cancel.h"
#include "base/result.h"
#include "query/results.h"

#include <functional>
#include <memory>
#include <string>

namespace ts {

class TwinStore;

enum class Aggregation { WeightedMean, Min };

/// Who judges the candidates. Fast: the built-in judge reads every candidate (the LLM, when there is one, still
/// decomposes the query). Deep: the LLM judges and asks for just-in-time refinement.
enum class ReasoningMode { Fast, Deep };

/// How the LLM reads the built-in judge's shortlist in deep mode. Compare: all of it side by side in one request,
/// picking the video that fits best (or none); the pick ranks first. Each: one judgement per candidate, on an
/// absolute scale (the paper's form, for a strong model behind an endpoint).
enum class DeepJudging { Compare, Each };

struct RetrievalOptions {
    int top = 10; ///< results returned (after the rerank)
    /// Top-K of the coarse stage that go to the reasoning stage; 0 = by reasoner: an LLM reads each candidate's
    /// twin (30), the built-in reasoner takes well under a millisecond per candidate (200).
    int candidates = 0;
    bool decompose = true; ///< QD: off = the whole query is one sub-query
    bool align = true; ///< CA: off = every video goes to the reasoning stage, in library order
    bool reason = true; ///< LR: off = the coarse ranking is final
    bool jit = true; ///< JiT refinement during reasoning
    ReasoningMode mode = ReasoningMode::Deep;
    /// Deep mode on a slow LLM: the built-in judge reads every candidate first and the LLM judges only this many of
    /// the best (0: the LLM judges every candidate). A video the LLM did not read cannot rank above one it accepted,
    /// and its relevance is capped at the best the LLM gave, so "nothing fits" from the LLM holds for the rest too.
    int deepCandidates = 0;
    /// Compare needs a comparer role (the engine falls back to Each without one).
    DeepJudging deepJudging = DeepJudging::Compare;
    double relevanceThreshold = 0.1; ///< reasoning relevance below which a candidate is dropped
    /// Weight of the coarse score beside the reasoning relevance in the final ranking (score = relevance +
    /// coarseWeight * coarse). Measured on the development queries with the sentence-encoder aligner: 0.5 with the
    /// 0.1 threshold beat 0.2 with 0.2 on every retrieval metric, and neighbouring settings scored within a point.
    double coarseWeight = 0.5;
    Aggregation aggregation = Aggregation::WeightedMean;
    bool saveToLibrary = false; ///< record the query, ranking and traces in the library database
};

/// Longer queries are refused: a query is a sentence or two, and every stage's cost grows with its length (a 5 MB
/// line once stalled an evaluation for ten minutes).
constexpr size_t kMaxQueryBytes = 4000;

/// A candidate's verdict as it arrives during the reasoning stage (an LLM judgement or a judgement after refinement),
/// so a window can show provisional results long before the query ends.
struct CandidateEvent {
    VideoResult result; ///< rank 0: provisional; score fused as in the final ranking
    int judged = 0; ///< candidates the LLM has judged so far in this query
    int toJudge = 0; ///< candidates the LLM will judge in this query
    bool refined = false; ///< the verdict followed just-in-time refinement
};

/// What a caller hears while a query runs. Every callback runs on a worker thread, possibly on several at once, and
/// must be quick; an empty one is not called.
struct QueryObserver {
    QueryObserver() = default;
    QueryObserver(ProgressFn progressFn) : progress(std::move(progressFn)) {} // NOLINT: a bare progress is common
    ProgressFn progress; ///< 0..1 with the current stage
    /// The sub-queries, once decomposition ends (before any candidate is judged).
    std::function<void(const std::vector<SubQuery> &subQueries, const std::string &decomposer)> decomposed;
    std::function<void(const CandidateEvent &event)> judged;
};

class RetrievalEngine {
public:
    virtual ~RetrievalEngine() = default;
    /// Runs a query against the store's library. Blocking; call it on a worker thread (never the UI thread).
    /// observer hears progress, the decomposition and LLM verdicts as they arrive; cancel stops an LLM mid-answer.
    virtual Result<QueryResult> run(TwinStore &store, const std::string &query, const RetrievalOptions &options,
                                    const CancelToken &cancel, const QueryObserver &observer) = 0;
};

} // namespace ts
