// Instance masks (the SAM-2 role). A prompted-segmentation interface (box and points in, mask out) where
// SAM-class models plug in, with embedded defaults: ISNet salient mask within the box (ONNX Runtime), DeepLab
// VOC masks within the box, and GrabCut when only OpenCV is there.
#pragma once

#include "base/types.h"
#include "vision/inference.h"
#include "vision/modelregistry.h"

#include <opencv2/core.hpp>

#include <memory>

namespace ts {

/// How a crop is shaped into the input of a mask model that takes any size.
enum class MaskInputShape {
    Square, ///< stretched to inputSide x inputSide (how the salient-object models were trained)
    CropAspect, ///< the crop's own aspect ratio, long side inputSide: a wide crop costs less than its square
};

struct SegmentPrompt {
    Box box; ///< required
    std::vector<cv::Point2f> positive; ///< optional clicks inside the object
    std::vector<cv::Point2f> negative;
    /// Side of the square model input for models that take any size (0: the manifest's). The mask model's cost
    /// grows with its square; callers shrink it for small boxes.
    int inputSide = 0;
    MaskInputShape shape = MaskInputShape::Square;
};

/// Not thread-safe; one per worker. Runs on worker threads.
class PromptedSegmenter {
public:
    virtual ~PromptedSegmenter() = default;
    virtual std::string modelId() const = 0;
    virtual std::string runtime() const = 0;
    /// An 8-bit mask of the frame's size (0 / 255) for the object the prompt points at.
    virtual Result<cv::Mat> segment(const cv::Mat &bgr, const SegmentPrompt &prompt) = 0;
};

/// Builds the segmenter a manifest describes (output.decoder: "salient_crop", "voc_semantic", "prompted").
Result<std::unique_ptr<PromptedSegmenter>> makeSegmenter(const ModelManifest &manifest, const ModelRegistry &models,
                                                         SessionCache &sessions,
                                                         const SessionOptions &options);
/// GrabCut initialised from the box; needs no model file.
std::unique_ptr<PromptedSegmenter> makeGrabCutSegmenter();

/// Whole-frame salient-object probability (ISNet), used to find objects no detector class covers.
class SaliencyModel {
public:
    static Result<std::unique_ptr<SaliencyModel>> create(const ModelManifest &manifest, const ModelRegistry &models,
                                                         SessionCache &sessions,
                                                         const SessionOptions &options);
    /// Float map (0..1) of the frame's size. longSide > 0 replaces the manifest's input long side (the map is
    /// used to find objects, not to draw their outlines, so a coarser input serves).
    Result<cv::Mat> saliency(const cv::Mat &bgr, int longSide = 0);
    const std::string &modelId() const { return m_manifest.id; }
    std::string runtime() const { return m_session->runtime(); }

private:
    ModelManifest m_manifest;
    std::shared_ptr<InferenceSession> m_session;
};

/// Keeps the connected components of a binary mask that overlap `keep` (the box core), drops specks.
cv::Mat keepComponentsInside(const cv::Mat &mask, const cv::Rect &keep, double minAreaFraction);

} // namespace ts
