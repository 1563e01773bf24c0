// What a query returns: the decomposed sub-queries and, per retrieved video, its scores, the objects that
// satisfy the query (track ids with frame spans; masks come from the twin) and the reasoning trace.
// Plain values: made on a worker thread, shown by the UI, written by the CLI and the evaluation.
#pragma once

#include "base/result.h"
#include "base/types.h"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <utility>
#include <vector>

namespace ts {

enum class SubQueryKind { Object, Attribute, Spatial, Temporal, Count, Scene, Action };

/// One atomic, explicit condition split from an implicit query.
struct SubQuery {
    SubQueryKind kind = SubQueryKind::Object;
    std::string text; ///< explicit wording, e.g. "brown bear", "person left of dog"
    float weight = 1.f;
    bool negated = false; ///< the condition must NOT hold ("no audience")
    std::vector<std::string> concepts; ///< explicit concepts the reasoner inferred (WordNet lemmas), best first
};

/// One step of the reasoning, for the trace and the timeline.
struct TraceStep {
    std::string kind; ///< "decompose", "align", "reason", "gap", "refine", "verdict", "fallback", "error"
    std::string text;
    std::string source; ///< which reasoner, model or specialist produced it
    FrameIndex frameIndex = -1; ///< where in the video it refers to (-1: whole video)
    double ms = 0.0;
};

struct FrameSpan {
    FrameIndex first = 0;
    FrameIndex last = 0;
};

/// An object (track) of the twin that satisfies the query, with where it does.
struct GroundedObject {
    TrackId trackId = 0;
    std::string label;
    std::vector<FrameSpan> spans;
    float score = 0.f;
    std::vector<int> subQueries; ///< indices into QueryResult::subQueries it satisfies
};

struct VideoResult {
    std::string key;
    int64_t videoId = 0;
    int rank = 0; ///< 1-based
    double score = 0.0; ///< final score used for the ranking
    double coarseScore = 0.0; ///< stage 1 (compositional alignment)
    double relevance = -1.0; ///< stage 2 (reasoning) in 0..1; -1 when the stage did not run
    std::vector<int> satisfied; ///< indices of the sub-queries this video satisfies
    std::vector<GroundedObject> objects;
    std::vector<TraceStep> trace;
    std::string reasoner; ///< who answered stage 2 ("builtin", "openai:MODEL", ...)
};

struct StageTiming {
    std::string stage;
    double ms = 0.0;
};

/// A video whose stored twin could not be read: it could not be judged, so the answer does not cover it.
struct DamagedTwin {
    std::string key;
    std::string message;
};

struct QueryResult {
    std::string query;
    std::vector<SubQuery> subQueries;
    std::string decomposer; ///< who decomposed the query
    std::vector<VideoResult> results; ///< best first
    std::vector<TraceStep> trace; ///< query-level steps (decomposition, fallbacks)
    std::vector<StageTiming> timings;
    int librarySize = 0;
    int dropped = 0; ///< candidates the reasoner rejected (below the relevance threshold)
    std::vector<DamagedTwin> damaged; ///< candidates whose twin could not be read (not judged, not in results)
    int64_t savedQueryId = 0; ///< row in the library's queries table when saved (RetrievalOptions::saveToLibrary)
    std::string saveError; ///< why saving failed; the answer itself stands
};

std::string subQueryKindName(SubQueryKind kind);
SubQueryKind subQueryKindFromName(const std::string &name);

nlohmann::json toJson(const SubQuery &s);
nlohmann::json toJson(const TraceStep &t);
nlohmann::json toJson(const VideoResult &r);
nlohmann::json toJson(const QueryResult &r);
/// Reads what toJson(QueryResult) wrote (e.g. an evaluation's checkpoint); says what is wrong and where.
Result<QueryResult> queryResultFromJson(const nlohmann::json &j);

} // namespace ts
