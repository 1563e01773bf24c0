// Mask conversions between RLE, OpenCV images and DAVIS-style PNG files.
#pragma once

#include "base/result.h"
#include "base/rle.h"

#include <opencv2/core.hpp>
#include <string>

namespace ts {

/// Row-major 8-bit mask (0 / 255) from an RLE.
cv::Mat rleToMat(const Rle &rle, uint8_t value = 255);
/// RLE from any single-channel 8-bit mask (nonzero = set).
Rle matToRle(const cv::Mat &mask);

/// Mask PNGs larger than this on a side are refused before decoding (8K video is 7680 wide).
constexpr uint32_t kMaxMaskSide = 16384;

/// Reads a DAVIS annotation PNG (grey or palette; any nonzero pixel is foreground).
Result<cv::Mat> readDavisPng(const std::string &path);
/// Writes a 0/255 mask as an 8-bit PNG as DAVIS-2016 annotations are stored.
Status writeDavisPng(const std::string &path, const cv::Mat &mask);
/// Reads a palette/indexed instance PNG: each nonzero value is an object id.
Result<cv::Mat> readInstancePng(const std::string &path);

} // namespace ts
