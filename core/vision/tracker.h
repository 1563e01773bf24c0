// Track identities across sampled frames: association by box overlap (with constant-velocity prediction) and
// colour appearance, kept through short occlusions.
#pragma once

#include "base/types.h"

#include <opencv2/core.hpp>

#include <string>
#include <vector>

namespace ts {

struct TrackerConfig {
    float minIou = 0.2f; ///< below this, boxes only match on strong appearance and nearness
    float appearanceWeight = 0.35f;
    int maxMissedFrames = 8; ///< analysed frames a track survives unseen (about 1.3 s at 6 fps)
    bool classAware = true; ///< different coarse classes never share a track
};

struct TrackObservation {
    Box box;
    std::string classKey; ///< coarse class used for class-aware matching
    float score = 0.f;
    cv::Mat appearance; ///< normalised colour histogram (see appearanceOf), may be empty
};

/// Greedy best-first association; deterministic. Not thread-safe; one per video.
class MultiObjectTracker {
public:
    explicit MultiObjectTracker(TrackerConfig config = {});
    /// Where a track is expected in the next update (e.g. the box of its mask carried by optical flow), which
    /// beats constant-velocity prediction for fast or turning objects. Cleared by update().
    void setPrediction(TrackId id, const Box &box);
    /// Returns one track id per observation (new ids for new objects).
    std::vector<TrackId> update(const std::vector<TrackObservation> &observations, FrameIndex frameIndex);

private:
    struct State {
        TrackId id = 0;
        Box box;
        float vx = 0.f, vy = 0.f; ///< per analysed frame
        std::string classKey;
        cv::Mat appearance;
        int missed = 0;
        FrameIndex lastFrame = 0;
        bool predicted = false;
        Box prediction;
    };
    TrackerConfig m_config;
    std::vector<State> m_tracks;
    TrackId m_nextId = 1;
};

/// Hue-saturation histogram of the pixels in box (masked when mask is given), L1-normalised.
cv::Mat appearanceOf(const cv::Mat &bgr, const Box &box, const cv::Mat &mask = {});
/// Histogram intersection in 0..1.
float appearanceSimilarity(const cv::Mat &a, const cv::Mat &b);

} // namespace ts
