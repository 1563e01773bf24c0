#include "facedetector.h"

#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect/face.hpp>

#include <algorithm>

namespace ts {

FaceDetector::~FaceDetector() = default;

Result<std::unique_ptr<FaceDetector>> FaceDetector::create(const ModelManifest &manifest, const ModelRegistry &models)
{
    using R = Result<std::unique_ptr<FaceDetector>>;
    if (manifest.output.value("decoder", "") != "yunet")
        return R::error(manifest.id + ": output.decoder must be \"yunet\"");
    std::unique_ptr<FaceDetector> d(new FaceDetector());
    d->m_manifest = manifest;
    d->m_threshold = manifest.output.value("score_threshold", 0.6f);
    const cv::Size size(manifest.input.width > 0 ? manifest.input.width : 160,
                        manifest.input.height > 0 ? manifest.input.height : 120);
    try {
        d->m_net = cv::FaceDetectorYN::create(models.modelPath(manifest), "", size, d->m_threshold,
                                              manifest.output.value("nms_threshold", 0.3f), 5000);
    } catch (const cv::Exception &e) {
        return R::error(manifest.id + ": OpenCV cannot load the face model: " + e.what());
    }
    if (!d->m_net)
        return R::error(manifest.id + ": OpenCV cannot load the face model");
    return R(std::move(d));
}

Result<std::vector<FaceDetection>> FaceDetector::detect(const cv::Mat &bgr, int minSide)
{
    using R = Result<std::vector<FaceDetection>>;
    if (bgr.empty() || bgr.channels() != 3)
        return R::error("face detection needs a colour image");
    const int longSide = std::max(bgr.cols, bgr.rows);
    const double scale = longSide < minSide ? static_cast<double>(minSide) / longSide : 1.0;
    cv::Mat img = bgr;
    if (scale != 1.0)
        cv::resize(bgr, img, cv::Size(), scale, scale, cv::INTER_LINEAR);
    cv::Mat faces;
    try {
        m_net->setInputSize(img.size());
        m_net->detect(img, faces);
    } catch (const cv::Exception &e) {
        return R::error(m_manifest.id + ": " + e.what());
    }
    std::vector<FaceDetection> out;
    // Rows: x, y, w, h, five landmark (x, y) pairs, score.
    for (int i = 0; i < faces.rows; ++i) {
        const float *r = faces.ptr<float>(i);
        FaceDetection f;
        const float s = static_cast<float>(1.0 / scale);
        f.box = Box{r[0] * s, r[1] * s, r[2] * s, r[3] * s}.clipped(static_cast<float>(bgr.cols),
                                                                  static_cast<float>(bgr.rows));
        for (int k = 0; k < 5; ++k)
            f.landmarks[static_cast<size_t>(k)] = {r[4 + 2 * k] * s, r[5 + 2 * k] * s};
        f.score = r[14];
        if (f.box.isEmpty() || f.score < m_threshold)
            continue;
        out.push_back(f);
    }
    std::sort(out.begin(), out.end(), [](const FaceDetection &a, const FaceDetection &b) { return a.score > b.score; });
    return out;
}

} // namespace ts
