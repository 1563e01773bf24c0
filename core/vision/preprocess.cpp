#include "preprocess.h"

#include <opencv2/imgproc.hpp>

namespace ts {

namespace {

// The size the image is fed at: fixed, or for keep_aspect the long side at max(width, height) and the short
// side rounded to the model's stride multiple.
cv::Size inputSize(const cv::Mat &bgr, const InputSpec &spec)
{
    if (spec.resize != "keep_aspect")
        return {spec.width, spec.height};
    const int longSide = std::max(spec.width, spec.height);
    const int m = std::max(1, spec.multiple);
    auto shortSide = [&](double ratio) { return std::max(m, static_cast<int>(std::lround(longSide * ratio / m)) * m); };
    if (bgr.cols >= bgr.rows)
        return {longSide, shortSide(static_cast<double>(bgr.rows) / std::max(1, bgr.cols))};
    return {shortSide(static_cast<double>(bgr.cols) / std::max(1, bgr.rows)), longSide};
}

cv::Mat resized(const cv::Mat &bgr, const InputSpec &spec, InputTransform &t)
{
    const cv::Size size = inputSize(bgr, spec);
    const int W = size.width, H = size.height;
    cv::Mat out;
    if (spec.resize == "letterbox") {
        const float r = std::min(static_cast<float>(W) / bgr.cols, static_cast<float>(H) / bgr.rows);
        const int w = std::max(1, static_cast<int>(std::round(bgr.cols * r)));
        const int h = std::max(1, static_cast<int>(std::round(bgr.rows * r)));
        out = cv::Mat(H, W, CV_8UC3, cv::Scalar::all(spec.padValue));
        cv::Mat roi = out(cv::Rect(0, 0, std::min(w, W), std::min(h, H)));
        cv::resize(bgr, roi, roi.size(), 0, 0, cv::INTER_LINEAR);
        t = {r, r, 0.f, 0.f};
    } else if (spec.resize == "center_crop") {
        // Short side to the crop size * 256/224 (the ImageNet convention), then the centre.
        const float shortSide = std::min(W, H) * 256.f / 224.f;
        const float r = shortSide / std::min(bgr.cols, bgr.rows);
        cv::Mat tmp;
        cv::resize(bgr, tmp, cv::Size(std::max(W, static_cast<int>(std::round(bgr.cols * r))),
                                      std::max(H, static_cast<int>(std::round(bgr.rows * r)))),
                   0, 0, cv::INTER_AREA);
        const int x0 = (tmp.cols - W) / 2, y0 = (tmp.rows - H) / 2;
        out = tmp(cv::Rect(x0, y0, W, H)).clone();
        t = {r, r, static_cast<float>(-x0), static_cast<float>(-y0)};
    } else {
        cv::resize(bgr, out, cv::Size(W, H), 0, 0, bgr.cols > W * 2 ? cv::INTER_AREA : cv::INTER_LINEAR);
        t = {static_cast<float>(W) / bgr.cols, static_cast<float>(H) / bgr.rows, 0.f, 0.f};
    }
    return out;
}

void writeImage(const cv::Mat &img, const InputSpec &spec, float *dst)
{
    const int W = img.cols, H = img.rows;
    const bool rgb = spec.channels == "rgb";
    const bool nchw = spec.layout == "nchw";
    float mul[3], add[3];
    for (int c = 0; c < 3; ++c) {
        // Output channel c reads source channel (rgb ? 2 - c : c); normalisation is per output channel.
        mul[c] = spec.scale / spec.std[c];
        add[c] = -spec.mean[c] / spec.std[c];
    }
    for (int y = 0; y < H; ++y) {
        const uint8_t *row = img.ptr<uint8_t>(y);
        for (int x = 0; x < W; ++x) {
            for (int c = 0; c < 3; ++c) {
                const int src = rgb ? 2 - c : c;
                const float v = row[x * 3 + src] * mul[c] + add[c];
                if (nchw)
                    dst[(static_cast<size_t>(c) * H + y) * W + x] = v;
                else
                    dst[(static_cast<size_t>(y) * W + x) * 3 + c] = v;
            }
        }
    }
}

} // namespace

Tensor imageToTensor(const cv::Mat &bgr, const InputSpec &spec, InputTransform *transform)
{
    InputTransform t;
    cv::Mat img = resized(bgr, spec, t);
    if (transform)
        *transform = t;
    Tensor tensor;
    tensor.shape = spec.layout == "nchw" ? std::vector<int64_t>{1, 3, img.rows, img.cols}
                                         : std::vector<int64_t>{1, img.rows, img.cols, 3};
    tensor.data.resize(static_cast<size_t>(3) * img.cols * img.rows);
    writeImage(img, spec, tensor.data.data());
    return tensor;
}

Tensor imagesToTensor(const std::vector<cv::Mat> &bgr, const InputSpec &spec)
{
    // A batch shares one size: keep_aspect is not available here.
    Tensor tensor;
    const int64_t n = static_cast<int64_t>(bgr.size());
    tensor.shape = spec.layout == "nchw" ? std::vector<int64_t>{n, 3, spec.height, spec.width}
                                         : std::vector<int64_t>{n, spec.height, spec.width, 3};
    const size_t per = static_cast<size_t>(3) * spec.width * spec.height;
    tensor.data.resize(per * bgr.size());
    for (size_t i = 0; i < bgr.size(); ++i) {
        InputTransform t;
        writeImage(resized(bgr[i], spec, t), spec, tensor.data.data() + per * i);
    }
    return tensor;
}

} // namespace ts
