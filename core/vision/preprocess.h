// Turning images into model input tensors as a manifest's input spec says, and mapping results back.
#pragma once

#include "vision/inference.h"
#include "vision/modelregistry.h"

#include <opencv2/core.hpp>

namespace ts {

/// How model-input coordinates map back to the source image: src = (model - pad) / scale.
struct InputTransform {
    float scaleX = 1.f;
    float scaleY = 1.f;
    float padX = 0.f;
    float padY = 0.f;
    float toSourceX(float x) const { return (x - padX) / scaleX; }
    float toSourceY(float y) const { return (y - padY) / scaleY; }
};

/// Resizes (stretch, letterbox or centre crop), converts channels, normalises and lays out as the spec says.
Tensor imageToTensor(const cv::Mat &bgr, const InputSpec &spec, InputTransform *transform = nullptr);
/// Several same-size crops in one NCHW/NHWC batch.
Tensor imagesToTensor(const std::vector<cv::Mat> &bgr, const InputSpec &spec);

} // namespace ts
