// Just-in-time refinement's planner: turns the gaps a reasoner names into bounded runs of the specialists that can
// close them, merges what they find into the stored twin (applyRefinement), has the store keep it so later queries
// reuse it, and records every step in the reasoning trace.
#pragma once

#include "query/results.h"
#include "reason/reasoner.h"
#include "refine/specialist.h"

#include <functional>
#include <map>
#include <memory>
#include <vector>

namespace ts {

class TwinStore;

/// Runs after a refined twin replaced the stored one (which dropped the video's coarse-stage components and
/// embeddings): the composition root re-embeds them here, rather than the next query's coarse stage healing them
/// on that query's time. Worker thread.
using RefinedTwinHook = std::function<Status(TwinStore &store, const Twin &twin, VideoId id)>;

struct JitLimits {
    int maxRequests = 3;           ///< specialist runs per candidate and refinement round
    double maxWindowSeconds = 4.0; ///< longer windows are cut to this, around their middle
};

class JitRefinement {
public:
    /// One specialist per kind (a later one of the same kind replaces an earlier one).
    explicit JitRefinement(std::vector<std::unique_ptr<Specialist>> specialists, JitLimits limits = {},
                           RefinedTwinHook afterStore = {});
    ~JitRefinement();
    JitRefinement(const JitRefinement &) = delete;
    JitRefinement &operator=(const JitRefinement &) = delete;

    /// Runs the (bounded) requests on the stored twin of twin.video.key, merges every outcome that fits, saves the
    /// result in store and appends one trace step per request. Returns the refined twin without masks (as the
    /// pipeline keeps twins), or an error when no specialist ran; then nothing is stored. Worker thread; the
    /// store is the one the query runs on (the pipeline passes it in).
    Result<Twin> refine(TwinStore &store, const Twin &twin, const std::vector<RefinementRequest> &requests,
                        const CancelToken &cancel, std::vector<TraceStep> &trace);

private:
    struct Planned;
    std::vector<RefinementRequest> bounded(const std::vector<RefinementRequest> &requests,
                                           std::vector<TraceStep> &trace) const;
    Planned plan(const Twin &full, const RefinementRequest &r) const;

    std::map<RefinementKind, std::unique_ptr<Specialist>> m_specialists;
    JitLimits m_limits;
    RefinedTwinHook m_afterStore;
};

} // namespace ts
