// Whole-image and object-crop classification into a large vocabulary tied to WordNet (the ImageNet classifier):
// it names things COCO has no class for (black swan, camel, parachute, swing) and gives top-k for doubt.
#pragma once

#include "vision/inference.h"
#include "vision/labels.h"
#include "vision/modelregistry.h"

#include <opencv2/core.hpp>

#include <memory>

namespace ts {

struct ClassScore {
    int classId = -1;
    float score = 0.f;
};

/// Not thread-safe; one per worker. Runs on worker threads.
class ImageClassifier {
public:
    static Result<std::unique_ptr<ImageClassifier>> create(const ModelManifest &manifest, const ModelRegistry &models,
                                                           SessionCache &sessions,
                                                           const SessionOptions &options);
    /// Top-k softmax scores per image (images are BGR crops of any size).
    Result<std::vector<std::vector<ClassScore>>> classify(const std::vector<cv::Mat> &images, int topK);

    const std::vector<ClassLabel> &labels() const { return m_labels; }
    const std::string &modelId() const { return m_manifest.id; }
    std::string runtime() const { return m_session->runtime(); }

private:
    ImageClassifier() = default;
    ModelManifest m_manifest;
    std::shared_ptr<InferenceSession> m_session;
    std::vector<ClassLabel> m_labels;
    bool m_batched = true;
};

} // namespace ts
