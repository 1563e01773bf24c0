// The two reasoning roles of the pipeline, each with a built-in implementation (WordNet + GloVe + a query
// grammar) and an LLM implementation: decomposing an implicit query into explicit sub-queries, and judging one
// candidate video from its twin (relevance, the objects that satisfy the query, a trace, and the information gaps
// that just-in-time refinement could close).
#pragma once

#include "base/cancel.h"
#include "base/result.h"
#include "query/results.h"
#include "twin/twin.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace ts {

struct Decomposition {
    std::vector<SubQuery> subQueries;
    std::string source; ///< "builtin" or the LLM's name
    std::vector<TraceStep> trace;
};

class Decomposer {
public:
    virtual ~Decomposer() = default;
    /// Blocking; worker threads only.
    virtual Result<Decomposition> decompose(const std::string &query, const CancelToken &cancel) = 0;
    virtual std::string name() const = 0;
};

/// A specialist run the reasoner asks for to close an information gap (OCR of a window, a better mask...).
/// The kinds of refinement a reasoner can ask for (core/refine runs them); their names ("ocr", "mask", ...) are what
/// an LLM reads and writes.
enum class RefinementKind { Ocr, Mask, Dense, Faces, Depth, Describe };

std::string refinementKindName(RefinementKind kind);
std::optional<RefinementKind> parseRefinementKind(const std::string &name);
const std::vector<RefinementKind> &allRefinementKinds();
std::vector<std::string> refinementKindNames(const std::vector<RefinementKind> &kinds);

struct RefinementRequest {
    RefinementKind kind = RefinementKind::Ocr;
    TrackId trackId = 0; ///< 0: the whole frame
    FrameIndex firstFrame = 0;
    FrameIndex lastFrame = 0;
    std::string why;
};

struct ReasonVerdict {
    double relevance = 0.0; ///< 0..1
    std::vector<GroundedObject> objects;
    std::vector<int> satisfied; ///< sub-query indices
    std::vector<TraceStep> trace;
    std::vector<RefinementRequest> gaps; ///< what would make the verdict surer (empty when nothing is missing)
    std::string source;
};

/// What a reasoner is given about the query.
struct ReasonQuery {
    std::string text;
    std::vector<SubQuery> subQueries;
    bool decomposed = true; ///< false in the ablation without query decomposition
    /// The sub-queries came from an LLM that named the concrete things an implicit query means ("penguin" for "the
    /// flightless bird of the Antarctic"): a reasoner without world knowledge should take its targets from them.
    bool explicitSubQueries = false;
    /// Refinement kinds the pipeline can run now; unset when any may be asked for, empty when none can run. A
    /// reasoner does not ask for what cannot run.
    std::optional<std::vector<RefinementKind>> refinements;

    bool canRefine(RefinementKind kind) const
    {
        return !refinements || std::find(refinements->begin(), refinements->end(), kind) != refinements->end();
    }
};

class Reasoner {
public:
    virtual ~Reasoner() = default;
    /// Called once per query with every candidate's twin before reason() (library-relative statistics).
    virtual void prepare(const ReasonQuery &query, const std::vector<const Twin *> &candidates) { (void)query, (void)candidates; }
    /// Judges one candidate. Blocking; worker threads only; may be called from several threads at once.
    virtual Result<ReasonVerdict> reason(const ReasonQuery &query, const Twin &twin, const CancelToken &cancel) = 0;
    virtual std::string name() const = 0;
};

/// Which videos of a shortlist satisfy the query, read side by side.
struct ComparisonVerdict {
    std::vector<bool> fits;         ///< per candidate of the shortlist (those past the comparer's limit: false)
    std::vector<std::string> notes; ///< per candidate: what the reader saw that bears on the query
    std::vector<TraceStep> trace;
    std::string source;
};

class Comparer {
public:
    /// At most this many candidates are compared at once (letters A..H); a longer shortlist is cut.
    static constexpr int kMaxCandidates = 8;
    virtual ~Comparer() = default;
    /// Blocking; worker threads only; candidates in the order the caller ranks them.
    virtual Result<ComparisonVerdict> compare(const ReasonQuery &query, const std::vector<const Twin *> &candidates,
                                              const CancelToken &cancel) = 0;
    virtual std::string name() const = 0;
};

} // namespace ts
