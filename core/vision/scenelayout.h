// Scene "stuff" by colour layout: the regions of a frame no object detector covers (sky, water, grass, trees,
// sand, dirt, snow, road, rock), read from where colours and textures sit in the frame: blue and smooth at the
// top is sky, green and textured at the bottom is grass... A documented proxy for a scene-parsing model (none can be
// obtained here), so its labels say source "colour-layout proxy" in the twin and the reasoner can weigh them so.
#pragma once

#include <opencv2/core.hpp>

#include <string>
#include <vector>

namespace ts {

struct StuffShare {
    std::string name; ///< "sky", "water", "grass", "tree", "sand", "soil", "snow", "road", "rock"
    float share = 0.f; ///< fraction of the frame
};

/// Stuff in one BGR frame, largest share first; regions under `exclude` (non-zero = objects already found) are
/// ignored. Shares below minShare are dropped.
std::vector<StuffShare> sceneStuff(const cv::Mat &bgr, const cv::Mat &exclude = {}, float minShare = 0.06f);

/// The source name recorded for these labels.
constexpr const char *kSceneLayoutSource = "colour-layout proxy";

} // namespace ts
