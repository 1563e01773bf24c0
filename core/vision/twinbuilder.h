// Builds the digital twin of one video from the specialists: detection (+ salient objects no detector class
// covers), tracking, classification of object crops and of the scene (WordNet synsets, top-k), instance masks on
// keyframes propagated between them, attributes, depth (model or proxy) and relationships.
// One builder per worker thread: it owns its model sessions.
#pragma once

#include "base/cancel.h"
#include "base/result.h"
#include "twin/twin.h"
#include "vision/classifier.h"
#include "vision/depth.h"
#include "vision/detector.h"
#include "vision/segmenter.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ts {

class WordNet;

struct TwinBuilderConfig {
    double detectFps = 6.0; ///< frames per second the detectors run on (the SA-V annotation rate)
    double maskFps = 25.0; ///< frames per second that get masks (propagated by optical flow between detections)
    double keyframeFps = 3.0; ///< highest rate the mask model runs at per object; crop classification rate
    double minKeyframeFps = 1.0; ///< lowest rate, for objects whose flow-carried masks stay right
    double remaskAgreement = 0.85; ///< carried-vs-model mask IoU above which an object's remask interval doubles
    /// Drift measured without the model: when the box IoU of an object's flow-carried mask with its detection box
    /// falls this far below what the model's mask had, the object is due before its interval is up (0: off).
    double remaskFitDrop = 0.15;
    double maskModelFps = 0.0; ///< highest mask-model rate per object (0: keyframeFps)
    double saliencyFps = 0.15; ///< whole-frame salient-object passes per second
    float detectThreshold = 0.35f;
    int maxInstances = 8;
    int maxModelMasksPerKeyframe = 1; ///< groups of touching objects per detection frame given to the mask model
    int maxMaskedInstances = 3; ///< new objects without a mask get GrabCut, up to this many per frame
    int maskInputMax = 0; ///< largest mask-model input side (0: the manifest's)
    int maskInputMin = 0; ///< smallest side: crops smaller than maskInputMax are fed at their own size, not less
    /// Feed crops at their own aspect ratio (long side as above), not stretched square: 1.24x faster ingest, but
    /// J 0.629 against 0.658 on DAVIS train (ISNet was trained on squares).
    bool maskKeepAspect = false;
    int saliencyInputSide = 0; ///< long side of the whole-frame salient pass input (0: the manifest's)
    int classifyEvery = 1; ///< keyframes per crop-classification pass
    int flowWidth = 640; ///< optical flow is computed at this width (400: J 0.643, 640: 0.658 on DAVIS train)
    int flowPreset = 0; ///< DIS optical flow preset: 0 ultrafast, 1 fast, 2 medium
    bool classify = true;
    bool salientObjects = true;
    bool sceneTiles = true; ///< also classify four overlapping tiles of keyframes for scene objects
    bool sceneStuff = true; ///< sky, water, grass... around the objects by colour layout (a proxy)
    bool masks = true;
    std::string detectorId; ///< empty = best available of the role
    std::string classifierId;
    std::string segmenterId;
    std::string saliencyId;
    std::string depthId;
    int threads = 1; ///< intra-op threads per session
    /// Frames decoded, given their optical flow and detected ahead of the analysis, on a thread of their own, so
    /// that one video keeps two cores busy (0: everything on the worker's thread; the twin is the same either way).
    /// The front stage must get through a mask-model pass's worth of frames (a keyframe interval, 8 frames at
    /// 25 fps) to keep the analysis fed: 4 gained nothing, 16 made one worker 1.13x faster.
    int prefetchFrames = 16;
    /// ONNX Runtime sessions keep their activation memory between runs: 7% faster ISNet runs, but no faster ingest
    /// with two workers and 160 MB more.
    bool memoryArena = false;
    int decoderThreads = 1;
};

/// Reads the fields given in j (snake_case names, e.g. {"detect_fps": 3}) over base; unknown keys are errors.
Result<TwinBuilderConfig> builderConfigFromJson(const nlohmann::json &j, TwinBuilderConfig base = {});
nlohmann::json toJson(const TwinBuilderConfig &config);

/// When an object is due for the mask model again, in detection frames. Pure; for the builder and its tests.
struct RemaskPolicy {
    int minInterval = 2; ///< detection frames: shortest interval, and how soon drift may call the model again
    int maxInterval = 6;
    double agreement = 0.85; ///< see TwinBuilderConfig::remaskAgreement
    double fitDrop = 0.15; ///< see TwinBuilderConfig::remaskFitDrop

    /// lastModel: detection frame of the object's last model mask (-1: never); fit: box IoU of its flow-carried
    /// mask with its detection box now (0 when nothing is carried), fitAtModel: the same for the model's mask.
    bool due(int lastModel, int interval, int now, double fit, double fitAtModel) const;
    /// The interval after a model mask that agreed this well (IoU) with the carried one; -1: nothing was carried.
    int next(int interval, double agreementIou) const;
};

/// The mask model's input side for a box (analysis pixels): its crop at its own resolution, rounded up to the
/// model stride and kept within [minSide, maxSide]; 0 (the manifest's size) when maxSide is 0.
int maskInputSideFor(const Box &box, int minSide, int maxSide);

/// Seconds spent per stage, summed over frames, for benchmarks: wall time, and the CPU time of the thread
/// that ran the stage (stages nest: "grabcut" is part of "mask").
struct BuildStats {
    std::map<std::string, double> seconds;
    std::map<std::string, double> cpuSeconds;
    int decodedFrames = 0;
    int analysedFrames = 0;
    int keyframes = 0;
};

class TwinBuilder {
public:
    /// Bump when analysis changes in a way that makes stored twins stale.
    static constexpr int kPipelineVersion = 8;

    /// sessions may be shared with other builders (thread-safe sessions are then loaded once).
    TwinBuilder(const ModelRegistry &models, SessionCache &sessions, const WordNet *wordnet, TwinBuilderConfig config);
    ~TwinBuilder();

    /// Loads the models (once). Failures of single roles are recorded and the others still run.
    void prepare();
    /// What runs for each role (model, runtime, status), e.g. for the twin and `twinseek-cli models`.
    const std::vector<RoleRecord> &roles();

    /// Analyses the video at path. seed carries key, hash and size; the rest is filled from the file.
    Result<Twin> build(const std::string &path, const VideoInfo &seed, const CancelToken &cancel,
                       const ProgressFn &progress, BuildStats *stats = nullptr);

    /// Frames analysed on their own by analyseFrames(), and what failed on the way.
    struct FrameAnalysis {
        std::vector<FrameRecord> frames;
        std::vector<std::string> errors;
    };
    /// Analyses the listed frames of the video on their own as build() analyses a detection frame (detection,
    /// the mask model for the largest objects and GrabCut for others, attributes, depth) but without tracking,
    /// classification or the salient-object search: instances carry track id 0 and the detector's label.
    /// Just-in-time refinement uses it to sample a window densely. Runs on the caller's (worker) thread.
    Result<FrameAnalysis> analyseFrames(const std::string &path, const std::vector<FrameIndex> &frames,
                                        const CancelToken &cancel, BuildStats *stats = nullptr);

    const TwinBuilderConfig &config() const { return m_config; }

private:
    struct Impl;
    class Run; // one video through build()
    std::unique_ptr<Impl> d;
    TwinBuilderConfig m_config;
};

} // namespace ts
