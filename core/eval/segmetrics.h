// Grounding metrics as the DAVIS benchmark defines them: region similarity J (IoU) and contour accuracy F
// (boundary precision/recall with a tolerance of bound_th times the image diagonal).
#pragma once

#include <opencv2/core.hpp>

namespace ts {

/// Region IoU of two binary masks (nonzero = set); two empty masks give 1.
double regionJ(const cv::Mat &prediction, const cv::Mat &groundTruth);
/// Contour accuracy F exactly as davis2017-evaluation's f_measure (seg2bmap, disk dilation, bound_th).
double contourF(const cv::Mat &prediction, const cv::Mat &groundTruth, double boundTh = 0.008);
/// One-pixel boundary map of a binary mask (DAVIS seg2bmap at the mask's own size).
cv::Mat boundaryMap(const cv::Mat &mask);

} // namespace ts
