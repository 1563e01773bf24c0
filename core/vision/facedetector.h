// Faces (an on-demand specialist of just-in-time refinement): YuNet through OpenCV's cv::FaceDetectorYN.
// YuNet is fully convolutional, so any input size works; small faces need the image enlarged, which the
// caller does by passing a crop around a person instead of the whole frame.
#pragma once

#include "base/result.h"
#include "base/types.h"
#include "vision/modelregistry.h"

#include <opencv2/core.hpp>

#include <array>
#include <memory>
#include <string>
#include <vector>

namespace cv {
class FaceDetectorYN;
}

namespace ts {

struct FaceDetection {
    Box box; ///< in the image's pixels
    float score = 0.f;
    std::array<cv::Point2f, 5> landmarks{}; ///< right eye, left eye, nose tip, right and left mouth corners
};

/// Not thread-safe; one per worker. Runs on worker threads.
class FaceDetector {
public:
    /// The manifest's output.decoder must be "yunet"; output.score_threshold overrides the default 0.6.
    static Result<std::unique_ptr<FaceDetector>> create(const ModelManifest &manifest, const ModelRegistry &models);
    ~FaceDetector();

    /// Faces above the score threshold, best first. Images whose long side is below minSide are enlarged first.
    Result<std::vector<FaceDetection>> detect(const cv::Mat &bgr, int minSide = 320);

    const std::string &modelId() const { return m_manifest.id; }
    std::string runtime() const { return "opencv"; }

private:
    FaceDetector() = default;
    ModelManifest m_manifest;
    cv::Ptr<cv::FaceDetectorYN> m_net;
    float m_threshold = 0.6f;
};

} // namespace ts
