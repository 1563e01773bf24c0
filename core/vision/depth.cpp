#include "depth.h"

#include "twin/maskio.h"
#include "vision/preprocess.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace ts {

void proxyDepth(std::vector<Instance> &instances, int frameWidth, int frameHeight)
{
    const size_t n = instances.size();
    if (n == 0)
        return;
    std::vector<float> score(n);
    for (size_t i = 0; i < n; ++i) {
        const Box &b = instances[i].box;
        const float base = b.bottom() / std::max(1, frameHeight); // 1 = touches the bottom edge
        const float size = std::sqrt(b.area() / std::max(1.f, static_cast<float>(frameWidth) * frameHeight));
        score[i] = 0.65f * base + 0.35f * std::min(1.f, size * 1.5f); // higher = nearer
    }
    // Occlusion: a mask that covers much of another's box pulls its owner in front.
    for (size_t i = 0; i < n; ++i) {
        if (instances[i].mask.counts().empty())
            continue;
        for (size_t j = 0; j < n; ++j) {
            if (i == j)
                continue;
            const Box inter = instances[i].box.intersected(instances[j].box);
            if (inter.area() < 0.2f * instances[j].box.area())
                continue;
            const Rle other = Rle::fromBox(instances[j].box, frameHeight, frameWidth);
            const double covered = static_cast<double>(Rle::intersectionArea(instances[i].mask, other)) /
                                   std::max(1.f, instances[j].box.area());
            if (covered > 0.25 && instances[j].areaPx < instances[i].areaPx * 4)
                score[i] = std::max(score[i], score[j] + 0.05f);
        }
    }
    for (size_t i = 0; i < n; ++i)
        instances[i].depth = {std::clamp(1.f - score[i], 0.f, 1.f), "proxy"};
}

Result<std::unique_ptr<DepthModel>> DepthModel::create(const ModelManifest &manifest, const ModelRegistry &models,
                                                       SessionCache &sessions, const SessionOptions &options)
{
    using R = Result<std::unique_ptr<DepthModel>>;
    auto session = sessions.load(models.modelPath(manifest), manifest.runtimes, options);
    if (!session)
        return R::error(manifest.id + ": " + session.message());
    std::unique_ptr<DepthModel> m(new DepthModel());
    m->m_manifest = manifest;
    m->m_session = std::move(session).value();
    m->m_inverse = manifest.output.value("decoder", "relative_inverse") == "relative_inverse";
    return R(std::move(m));
}

Result<cv::Mat> DepthModel::depthMap(const cv::Mat &bgr)
{
    Tensor input = imageToTensor(bgr, m_manifest.input);
    auto outs = m_session->run({input});
    if (!outs)
        return Result<cv::Mat>::error(outs);
    const Tensor &o = outs->front();
    if (o.shape.size() < 2)
        return Result<cv::Mat>::error(m_manifest.id + ": depth output must be at least 2-d");
    const int h = static_cast<int>(o.shape[o.shape.size() - 2]), w = static_cast<int>(o.shape.back());
    cv::Mat d(h, w, CV_32F, const_cast<float *>(o.data.data()));
    double mn = 0, mx = 0;
    cv::minMaxLoc(d, &mn, &mx);
    cv::Mat norm = (d - mn) / std::max(1e-6, mx - mn);
    if (m_inverse)
        norm = 1.0 - norm; // disparity-like output: large = near
    cv::Mat out;
    cv::resize(norm, out, bgr.size(), 0, 0, cv::INTER_LINEAR);
    return out;
}

void DepthModel::assign(const cv::Mat &depth, std::vector<Instance> &instances) const
{
    for (Instance &in : instances) {
        cv::Mat mask = in.mask.counts().empty() ? cv::Mat() : rleToMat(in.mask);
        const Box c = in.box.clipped(static_cast<float>(depth.cols), static_cast<float>(depth.rows));
        cv::Rect r(static_cast<int>(c.x), static_cast<int>(c.y), std::max(1, static_cast<int>(c.w)),
                   std::max(1, static_cast<int>(c.h)));
        r &= cv::Rect(0, 0, depth.cols, depth.rows);
        std::vector<float> values;
        for (int y = r.y; y < r.y + r.height; y += 2)
            for (int x = r.x; x < r.x + r.width; x += 2)
                if (mask.empty() || mask.at<uint8_t>(y, x))
                    values.push_back(depth.at<float>(y, x));
        if (values.empty())
            continue;
        std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
        in.depth = {values[values.size() / 2], m_manifest.id};
    }
}

} // namespace ts
