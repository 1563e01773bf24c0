// Just-in-time refinement: specialists the reasoning stage calls on demand, for a frame window of one video and
// optionally one track, when the twin built at ingest does not settle a question (what does the sign say, is that
// a face, is the mask right, what happened between two sampled frames, which object is nearer).
//
// Design note: every specialist returns its changes as a value (RefinementOutcome) and touches nothing else; the
// caller merges them with applyRefinement(), all or nothing, and persists the twin with storeRefinedTwin() in one
// transaction. So a cancelled or failed refinement leaves the twin and the library as they were, and the
// reasoning trace can show exactly what each call added.
#pragma once

#include "base/cancel.h"
#include "base/result.h"
#include "twin/twin.h"
#include "vision/inference.h"
#include "vision/modelregistry.h"
#include "vision/ocr.h"
#include "vision/twinbuilder.h"

#include <memory>
#include <string>
#include <vector>

namespace ts {

class TwinStore;
class WordNet;

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
    std::string specialist; ///< "ocr", "mask", "dense", "face" or "depth"
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

struct RefinerConfig {
    int maxOcrFrames = 3; ///< frames read per window (text rarely changes within a window)
    int maxFaceFrames = 6;
    int maxMaskFrames = 12; ///< frames a better mask is made for, spread over the window
    int maxDepthFrames = 8;
    int maxDenseFrames = 48;
    float trackMargin = 0.15f; ///< crops around a track's box grow by this fraction on every side
    OcrOptions ocr;
    std::string ocrModel; ///< empty: the best available of the role
    std::string faceModel;
    std::string segmenterModel;
    std::string depthModel;
    int threads = 1; ///< intra-op threads per session
    TwinBuilderConfig builder; ///< dense sampling analyses frames as ingest does, with these settings
};

/**
 * On-demand specialists. One Refiner per worker thread: it owns its readers and detectors (sessions that are
 * thread-safe come from the shared SessionCache). Models load on first use. Every call reads the video file
 * named in twin.video.path, checks `cancel` between frames and returns an error (and no changes) when cancelled.
 */
class Refiner {
public:
    Refiner(const ModelRegistry &models, SessionCache &sessions, const WordNet *wordnet, RefinerConfig config = {});
    ~Refiner();
    Refiner(const Refiner &) = delete;
    Refiner &operator=(const Refiner &) = delete;

    /// Text in the window (within the track's box when track != 0): observations of kind "ocr", one per
    /// distinct text, spanning the frames it was read on. Text inside an object's box is tied to that track.
    Result<RefinementOutcome> ocr(const Twin &twin, FrameWindow window, TrackId track = 0,
                                  const CancelToken &cancel = {}, const ProgressFn &progress = {});
    /// The segmenter-role model's mask of the track, prompted by its box, on the twin's frames in the window;
    /// replaces those instances' masks (maskSource names the model).
    Result<RefinementOutcome> betterMask(const Twin &twin, FrameWindow window, TrackId track,
                                         const CancelToken &cancel = {}, const ProgressFn &progress = {});
    /// Analyses frames of the window at `fps` that the twin has not analysed (detection, masks, attributes and
    /// depth as ingest does) and associates what it finds with the twin's tracks; new objects get new tracks.
    Result<RefinementOutcome> denseSample(const Twin &twin, FrameWindow window, double fps,
                                          const CancelToken &cancel = {}, const ProgressFn &progress = {});
    /// Faces in the window (within the track's box when track != 0): observations of kind "face".
    Result<RefinementOutcome> faces(const Twin &twin, FrameWindow window, TrackId track = 0,
                                    const CancelToken &cancel = {}, const ProgressFn &progress = {});
    /// Model depth of the instances on the twin's frames in the window; an error saying so when no depth model
    /// is installed (the twin then keeps its geometric proxy).
    Result<RefinementOutcome> depth(const Twin &twin, FrameWindow window, const CancelToken &cancel = {},
                                    const ProgressFn &progress = {});

    /// What each specialist would run (role "ocr", "face", "segmenter", "depth", "dense"), loading the models.
    std::vector<RoleRecord> capabilities();

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

/// Merges an outcome into the twin: all of it, or nothing when it does not fit the twin (an unknown frame or
/// track, a mask of the wrong size). Tracks' spans, observation counts and paths follow new frames; geometric
/// relationships are re-derived when frames changed; the twin's roles list the refinement that ran.
Status applyRefinement(Twin &twin, const RefinementOutcome &outcome);

/// Replaces the stored twin of twin.video.key in one transaction, keeping the row's pipeline version and file
/// mtime (a refined twin is not stale). Refuses when the stored video's content changed since the twin was made.
/// The video's components and embeddings are dropped with the old twin; the caller re-makes them.
Result<VideoId> storeRefinedTwin(TwinStore &store, const Twin &twin);

} // namespace ts
