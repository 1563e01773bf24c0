// The concrete two-stage engine: decomposition, coarse alignment over stored component embeddings, reasoning
// rerank with just-in-time refinement, grounding. Each role has an LLM implementation (optional) and the built-in
// one, which also catches every LLM failure so a query is never lost.
#pragma once

#include "retrieval/engine.h"
#include "reason/reasoner.h"
#include "twin/twin.h"

#include <functional>
#include <map>
#include <memory>
#include <mutex>

namespace ts {

class Lexicon;
class CoarseSearch;

/// Runs the specialists a reasoner asked for on a video of the query's library and returns the refined twin (or a
/// message); the refined twin is kept in that library. Worker thread; may be slow (model inference).
using RefineFn =
    std::function<Result<Twin>(TwinStore &store, const Twin &twin, const std::vector<RefinementRequest> &requests,
                               const CancelToken &cancel, std::vector<TraceStep> &trace)>;

struct PipelineRoles {
    Decomposer *decomposer = nullptr; ///< LLM decomposer, or nullptr for the built-in one only
    Reasoner *reasoner = nullptr; ///< LLM reasoner, or nullptr
    Comparer *comparer = nullptr; ///< LLM reading a deep-mode shortlist side by side, or nullptr
    Decomposer *builtinDecomposer = nullptr; ///< required: default and fallback
    Reasoner *builtinReasoner = nullptr; ///< required: default and fallback
    CoarseSearch *coarse = nullptr; ///< the compositional alignment stage; nullptr disables it
    RefineFn refine; ///< just-in-time refinement; empty disables it
    /// What refine can run (see ReasonQuery::refinements); unset: any.
    std::optional<std::vector<RefinementKind>> refineKinds;
};

/// One line for the answer and the trace: which stored twins could not be read, and what to run.
std::string damagedTwinsNote(const std::vector<DamagedTwin> &damaged);

/// Records the query, its settings, ranking and traces in the library (the queries, results and traces tables);
/// sets result.savedQueryId, or result.saveError when the library refused.
void saveQueryResult(TwinStore &store, const RetrievalOptions &options, QueryResult &result);

class TwoStageEngine : public RetrievalEngine {
public:
    explicit TwoStageEngine(PipelineRoles roles);
    Result<QueryResult> run(TwinStore &store, const std::string &query, const RetrievalOptions &options,
                            const CancelToken &cancel, const QueryObserver &observer) override;

private:
    class Run; // one query's state and stages

    /// Twins without masks, cached by key and ingest time (reasoning reads them for every query). Thread-safe.
    Result<std::shared_ptr<const Twin>> twinOf(TwinStore &store, const std::string &key, const std::string &version);
    /// Drops a cached twin (refinement stored a new one). Thread-safe.
    void forgetTwin(const std::string &key);

    PipelineRoles m_roles;
    std::mutex m_cacheMutex;
    std::map<std::string, std::pair<std::string, std::shared_ptr<const Twin>>> m_twins;
};

} // namespace ts
