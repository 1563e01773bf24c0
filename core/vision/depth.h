// Depth of instances (the Depth Anything role). With a depth model (manifest role "depth": relative inverse
// depth, e.g. a Depth Anything export), the median model depth inside the mask. Without one, a documented
// geometric proxy, recorded with source "proxy":
//   - ground contact: objects whose base (box bottom) is lower in the frame are nearer (a level camera);
//   - apparent size: of two objects, the larger is more likely nearer;
//   - occlusion order: an object whose mask covers part of another's box is in front of it.
// Proxy depth is relative within a frame, 0 = nearest, 1 = farthest.
#pragma once

#include "twin/twin.h"
#include "vision/inference.h"
#include "vision/modelregistry.h"

#include <opencv2/core.hpp>

#include <memory>

namespace ts {

/// Fills instances' depth with the proxy (needs boxes, and masks where present).
void proxyDepth(std::vector<Instance> &instances, int frameWidth, int frameHeight);

/// A monocular depth model; not thread-safe, one per worker.
class DepthModel {
public:
    static Result<std::unique_ptr<DepthModel>> create(const ModelManifest &manifest, const ModelRegistry &models,
                                                      SessionCache &sessions, const SessionOptions &options);
    /// Relative depth map (0 near .. 1 far) of the frame's size.
    Result<cv::Mat> depthMap(const cv::Mat &bgr);
    /// Sets instances' depth from the map (median inside each mask or box).
    void assign(const cv::Mat &depthMap, std::vector<Instance> &instances) const;
    const std::string &modelId() const { return m_manifest.id; }
    std::string runtime() const { return m_session->runtime(); }

private:
    ModelManifest m_manifest;
    std::shared_ptr<InferenceSession> m_session;
    bool m_inverse = true;
};

} // namespace ts
