// Just-in-time refinement's seam: a Specialist runs one kind of analysis on a window of one video (and optionally
// one track) when the twin built at ingest does not settle a question (what does the sign say, is that a face, is
// the mask right, what happened between two sampled frames, which object is nearer, what is this object doing).
//
// Design note: every specialist returns its changes as a value (RefinementOutcome) and touches nothing else; the
// planner (JitRefinement) merges them with applyRefinement(), all or nothing, and the store keeps the refined twin
// (TwinStore::putRefinedTwin) in one transaction. So a cancelled or failed refinement leaves the twin and the library
// as they were, and the reasoning trace can show exactly what each call added.
#pragma once

#include "base/cancel.h"
#include "base/result.h"
#include "reason/reasoner.h"
#include "twin/twin.h"

#include <string>
#include <vector>

namespace ts {

/// Frames first..last of the video, both included.
struct FrameWindow {
    FrameIndex first = 0;
    FrameIndex last = 0;
};

/// A new version of the instance of instance.trackId on frame frameIndex.
struct InstanceUpdate {
    FrameIndex frameIndex = 0;
    Instance instance;
};

/// What one refinement call adds to or changes in a twin.
struct RefinementOutcome {
    std::string specialist; ///< the kind's name ("ocr", "mask", "dense", "face", "depth", "describe")
    std::string model; ///< the model that ran (or "none" when there was nothing to do)
    std::string runtime;
    std::string summary; ///< one line for the reasoning trace
    FrameWindow window;
    std::vector<Observation> observations; ///< appended; ones the twin already has are skipped
    std::vector<InstanceUpdate> replacedInstances;
    std::vector<FrameRecord> frames; ///< newly analysed frames: replace the record of the same index or are inserted
    std::vector<Track> newTracks; ///< objects first seen in `frames`
    std::vector<std::string> errors; ///< per-frame failures that did not stop the rest
    int analysedFrames = 0; ///< frames the specialist looked at
};

/// What a specialist can do here and what it costs: shown in the settings and used by the planner.
struct SpecialistInfo {
    RefinementKind kind = RefinementKind::Ocr;
    std::string model; ///< empty when none is available
    std::string runtime;
    std::string status; ///< "ok", or "disabled: why"
    bool needsTrack = false; ///< runs on one track only (a better mask)
    int maxFrames = 0; ///< frames it looks at per window at most: its cost
};

/// One specialist behind the planner. Implementations: the vision specialists over a Refiner
/// (refine/visionspecialists.h) and the describe role's vision-language model (refine/describer.h).
class Specialist {
public:
    virtual ~Specialist() = default;
    virtual RefinementKind kind() const = 0;
    /// Loads the model on first use (it says why not when it cannot).
    virtual SpecialistInfo info() = 0;
    /// Blocking; called on a query's worker thread; checks `cancel` between frames and returns Status::cancelled()
    /// (and no changes) when cancelled. twin is the full stored twin (masks included); track 0 = the whole frame.
    virtual Result<RefinementOutcome> run(const Twin &twin, FrameWindow window, TrackId track,
                                          const CancelToken &cancel) = 0;
};

/// Merges an outcome into the twin: all of it, or nothing when it does not fit the twin (an unknown frame or
/// track, a mask of the wrong size). Tracks' spans, observation counts and paths follow new frames; geometric
/// relationships are re-derived when frames changed; the twin's roles list the refinement that ran.
Status applyRefinement(Twin &twin, const RefinementOutcome &outcome);

} // namespace ts
