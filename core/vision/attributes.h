// Attributes of an instance (the Qwen2.5-VL role's embedded default): named colours by CIELab clustering
// against a colour-name table, size class, position in frame and shape; motion is a track attribute.
#pragma once

#include "base/types.h"
#include "twin/twin.h"

#include <opencv2/core.hpp>

#include <string>
#include <vector>

namespace ts {

struct NamedColour {
    std::string name;
    float share = 0.f; ///< of the object's pixels
};

/// The object's colours, largest share first (at most 3, shares >= 10%).
std::vector<NamedColour> nameColours(const cv::Mat &bgr, const cv::Mat &mask, const Box &box);
/// The colour-name table entry nearest to an sRGB colour (for tests and the UI).
std::string nearestColourName(uint8_t r, uint8_t g, uint8_t b);

std::string sizeClass(double areaFraction);
std::string positionInFrame(float cx, float cy);
std::string shapeOf(const cv::Mat &mask, const Box &box);
/// static / slow / fast from speed in frame widths per second.
std::string motionClass(float speedWidthsPerSecond);
/// left / right / up / down / towards camera / away from camera from displacement and growth.
std::string directionWord(float dx, float dy, float growth);

/// Per-instance attributes from pixels (colour, size, position, shape).
AttributeMap instanceAttributes(const cv::Mat &bgr, const cv::Mat &mask, const Box &box, int frameWidth,
                                int frameHeight);

} // namespace ts
