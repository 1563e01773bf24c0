// The vision specialists of just-in-time refinement (OCR, a better mask, dense sampling, faces, model depth) over
// one video's window: one Refiner owns their readers and models, which load on first use. The Specialist adapters
// over it are in refine/visionspecialists.h.
#pragma once

#include "base/cancel.h"
#include "base/result.h"
#include "refine/specialist.h"
#include "twin/twin.h"
#include "vision/inference.h"
#include "vision/modelregistry.h"
#include "vision/ocr.h"
#include "vision/twinbuilder.h"

#include <memory>
#include <string>
#include <vector>

namespace ts {

class WordNet;

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

} // namespace ts
