// Closed-vocabulary object detection (the OWLv2 role's embedded default): COCO detectors with their decoders.
#pragma once

#include "base/types.h"
#include "vision/inference.h"
#include "vision/labels.h"
#include "vision/modelregistry.h"
#include "vision/preprocess.h"

#include <opencv2/core.hpp>

#include <memory>

namespace ts {

struct Detection {
    Box box;
    int classId = -1;
    float score = 0.f;
};

/// Runs one detector model. Not thread-safe; one per worker. Runs on worker threads.
class ObjectDetector {
public:
    static Result<std::unique_ptr<ObjectDetector>> create(const ModelManifest &manifest, const ModelRegistry &models,
                                                          SessionCache &sessions,
                                                          const SessionOptions &options);
    /// Detections above minScore after class-wise non-maximum suppression, in source pixels.
    Result<std::vector<Detection>> detect(const cv::Mat &bgr, float minScore);

    const std::vector<ClassLabel> &labels() const { return m_labels; }
    const std::string &modelId() const { return m_manifest.id; }
    std::string runtime() const { return m_session->runtime(); }

private:
    ObjectDetector() = default;
    void decodeYolox(const Tensor &out, const InputTransform &t, float minScore, std::vector<Detection> &dets) const;
    void decodeFastestDet(const Tensor &out, int srcW, int srcH, float minScore, std::vector<Detection> &dets) const;
    void decodeNanoDet(const std::vector<Tensor> &outs, const InputTransform &t, float minScore,
                       std::vector<Detection> &dets) const;

    ModelManifest m_manifest;
    std::shared_ptr<InferenceSession> m_session;
    std::vector<ClassLabel> m_labels;
    std::string m_decoder;
    float m_nmsIou = 0.45f;
};

/// Class-wise greedy NMS (boxes of different classes never suppress each other).
std::vector<Detection> nonMaximumSuppression(std::vector<Detection> dets, float iouThreshold);

} // namespace ts
