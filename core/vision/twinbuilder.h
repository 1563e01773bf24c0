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

namespace ts {

class WordNet;

struct TwinBuilderConfig {
    double detectFps = 6.0; ///< analysed frames per second (the SA-V annotation rate)
    double keyframeFps = 2.0; ///< expensive masks and crop classification per second
    double saliencyFps = 2.0; ///< whole-frame salient-object passes per second
    float detectThreshold = 0.35f;
    int maxInstances = 8;
    int maxMaskedPerKeyframe = 4;
    bool classify = true;
    bool salientObjects = true;
    bool masks = true;
    std::string detectorId; ///< empty = best available of the role
    std::string classifierId;
    std::string segmenterId;
    std::string saliencyId;
    std::string depthId;
    int threads = 1; ///< intra-op threads per session
    int decoderThreads = 1;
};

/// Seconds spent per stage, summed over frames, for benchmarks.
struct BuildStats {
    std::map<std::string, double> seconds;
    int decodedFrames = 0;
    int analysedFrames = 0;
    int keyframes = 0;
};

class TwinBuilder {
public:
    /// Bump when analysis changes in a way that makes stored twins stale.
    static constexpr int kPipelineVersion = 3;

    TwinBuilder(const ModelRegistry &models, const BackendRegistry &backends, const WordNet *wordnet,
                TwinBuilderConfig config);
    ~TwinBuilder();

    /// Loads the models (once). Failures of single roles are recorded and the others still run.
    void prepare();
    /// What runs for each role (model, runtime, status), e.g. for the twin and `twinseek-cli models`.
    const std::vector<RoleRecord> &roles();

    /// Analyses the video at path. seed carries key, hash and size; the rest is filled from the file.
    Result<Twin> build(const std::string &path, const VideoInfo &seed, const CancelToken &cancel,
                       const ProgressFn &progress, BuildStats *stats = nullptr);

    const TwinBuilderConfig &config() const { return m_config; }

private:
    struct Impl;
    std::unique_ptr<Impl> d;
    TwinBuilderConfig m_config;
};

} // namespace ts
