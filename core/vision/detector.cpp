#include "detector.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace ts {

namespace {

float sigmoid(float x) { return 1.f / (1.f + std::exp(-x)); }

} // namespace

std::vector<Detection> nonMaximumSuppression(std::vector<Detection> dets, float iouThreshold)
{
    std::sort(dets.begin(), dets.end(), [](const Detection &a, const Detection &b) { return a.score > b.score; });
    std::vector<Detection> keep;
    std::vector<bool> removed(dets.size(), false);
    for (size_t i = 0; i < dets.size(); ++i) {
        if (removed[i])
            continue;
        keep.push_back(dets[i]);
        for (size_t j = i + 1; j < dets.size(); ++j)
            if (!removed[j] && dets[j].classId == dets[i].classId && boxIou(dets[i].box, dets[j].box) > iouThreshold)
                removed[j] = true;
    }
    return keep;
}

Result<std::unique_ptr<ObjectDetector>> ObjectDetector::create(const ModelManifest &manifest,
                                                               const ModelRegistry &models,
                                                               SessionCache &sessions,
                                                               const SessionOptions &options)
{
    using R = Result<std::unique_ptr<ObjectDetector>>;
    std::unique_ptr<ObjectDetector> d(new ObjectDetector());
    d->m_manifest = manifest;
    d->m_decoder = manifest.output.value("decoder", "");
    if (d->m_decoder != "yolox" && d->m_decoder != "fastestdet" && d->m_decoder != "nanodet")
        return R::error(manifest.id + ": unknown detector decoder '" + d->m_decoder + "'");
    d->m_nmsIou = manifest.output.value("nms_iou", 0.45f);
    if (manifest.labelsFile.empty())
        return R::error(manifest.id + ": a detector needs a labels file");
    auto labels = loadLabels(models.filePath(manifest, manifest.labelsFile));
    if (!labels)
        return R::error(manifest.id + ": " + labels.message());
    d->m_labels = std::move(labels).value();
    auto session = sessions.load(models.modelPath(manifest), manifest.runtimes, options);
    if (!session)
        return R::error(manifest.id + ": " + session.message());
    d->m_session = std::move(session).value();
    return R(std::move(d));
}

Result<std::vector<Detection>> ObjectDetector::detect(const cv::Mat &bgr, float minScore)
{
    using R = Result<std::vector<Detection>>;
    if (bgr.empty() || bgr.type() != CV_8UC3)
        return R::error("detector needs a BGR image");
    InputTransform t;
    Tensor input = imageToTensor(bgr, m_manifest.input, &t);
    auto outs = m_session->run({input});
    if (!outs)
        return R::error(outs);
    std::vector<Detection> dets;
    if (outs->empty())
        return R::error(m_manifest.id + ": model produced no output");
    if (m_decoder == "yolox")
        decodeYolox(outs->front(), t, minScore, dets);
    else if (m_decoder == "fastestdet")
        decodeFastestDet(outs->front(), bgr.cols, bgr.rows, minScore, dets);
    else
        decodeNanoDet(*outs, t, minScore, dets);
    for (Detection &d : dets)
        d.box = d.box.clipped(static_cast<float>(bgr.cols), static_cast<float>(bgr.rows));
    dets.erase(std::remove_if(dets.begin(), dets.end(), [](const Detection &d) { return d.box.area() < 4.f; }),
               dets.end());
    return nonMaximumSuppression(std::move(dets), m_nmsIou);
}

void ObjectDetector::decodeYolox(const Tensor &out, const InputTransform &t, float minScore,
                                 std::vector<Detection> &dets) const
{
    // [1, N, 5 + C]: (cx, cy, w, h) relative to grid cells of strides 8/16/32, objectness and class scores
    // already passed through a sigmoid by the exported head.
    const int W = m_manifest.input.width, H = m_manifest.input.height;
    const int numClasses = static_cast<int>(m_labels.size());
    if (out.shape.size() != 3 || out.shape[2] != 5 + numClasses)
        return;
    const float *p = out.data.data();
    const int64_t n = out.shape[1];
    int64_t row = 0;
    std::vector<int> strides = m_manifest.output.value("strides", std::vector<int>{8, 16, 32});
    for (int stride : strides) {
        const int gw = W / stride, gh = H / stride;
        for (int gy = 0; gy < gh; ++gy) {
            for (int gx = 0; gx < gw; ++gx, ++row) {
                if (row >= n)
                    return;
                const float *r = p + row * (5 + numClasses);
                const float obj = r[4];
                if (obj < minScore)
                    continue;
                int best = 0;
                for (int c = 1; c < numClasses; ++c)
                    if (r[5 + c] > r[5 + best])
                        best = c;
                const float score = obj * r[5 + best];
                if (score < minScore)
                    continue;
                const float cx = (r[0] + gx) * stride, cy = (r[1] + gy) * stride;
                const float bw = std::exp(r[2]) * stride, bh = std::exp(r[3]) * stride;
                Detection d;
                d.classId = best;
                d.score = score;
                const float x0 = t.toSourceX(cx - bw / 2), y0 = t.toSourceY(cy - bh / 2);
                d.box = {x0, y0, bw / t.scaleX, bh / t.scaleY};
                dets.push_back(d);
            }
        }
    }
}

void ObjectDetector::decodeFastestDet(const Tensor &out, int srcW, int srcH, float minScore,
                                      std::vector<Detection> &dets) const
{
    // [1, 5 + C, gh, gw]: objectness, box offsets (tanh, sigmoid), class scores; boxes are relative to the image.
    const int numClasses = static_cast<int>(m_labels.size());
    if (out.shape.size() != 4 || out.shape[1] != 5 + numClasses)
        return;
    const int gh = static_cast<int>(out.shape[2]), gw = static_cast<int>(out.shape[3]);
    const float *p = out.data.data();
    auto at = [&](int c, int y, int x) { return p[(static_cast<size_t>(c) * gh + y) * gw + x]; };
    for (int y = 0; y < gh; ++y) {
        for (int x = 0; x < gw; ++x) {
            const float obj = at(0, y, x);
            int best = 0;
            for (int c = 1; c < numClasses; ++c)
                if (at(5 + c, y, x) > at(5 + best, y, x))
                    best = c;
            const float score = std::pow(std::max(obj, 0.f), 0.6f) * std::pow(std::max(at(5 + best, y, x), 0.f), 0.4f);
            if (score < minScore)
                continue;
            const float cx = (std::tanh(at(1, y, x)) + x) / gw, cy = (std::tanh(at(2, y, x)) + y) / gh;
            const float bw = sigmoid(at(3, y, x)), bh = sigmoid(at(4, y, x));
            Detection d;
            d.classId = best;
            d.score = score;
            d.box = {(cx - bw / 2) * srcW, (cy - bh / 2) * srcH, bw * srcW, bh * srcH};
            dets.push_back(d);
        }
    }
}

void ObjectDetector::decodeNanoDet(const std::vector<Tensor> &outs, const InputTransform &t, float minScore,
                                   std::vector<Detection> &dets) const
{
    // Per stride: class scores [1, cells, C] and distance distributions [1, cells, 4 * (regMax + 1)].
    const int numClasses = static_cast<int>(m_labels.size());
    const int W = m_manifest.input.width;
    const int regMax = m_manifest.output.value("reg_max", 7);
    const int bins = regMax + 1;
    std::vector<int> strides = m_manifest.output.value("strides", std::vector<int>{8, 16, 32});
    for (int stride : strides) {
        const int gw = (W + stride - 1) / stride;
        const int64_t cells = static_cast<int64_t>(gw) * ((m_manifest.input.height + stride - 1) / stride);
        const Tensor *cls = nullptr, *reg = nullptr;
        for (const Tensor &o : outs) {
            if (o.shape.size() != 3 || o.shape[1] != cells)
                continue;
            if (o.shape[2] == numClasses)
                cls = &o;
            else if (o.shape[2] == 4 * bins)
                reg = &o;
        }
        if (!cls || !reg)
            continue;
        for (int64_t i = 0; i < cells; ++i) {
            const float *c = cls->data.data() + i * numClasses;
            const int best = static_cast<int>(std::max_element(c, c + numClasses) - c);
            if (c[best] < minScore)
                continue;
            const float *r = reg->data.data() + i * 4 * bins;
            float dist[4];
            for (int side = 0; side < 4; ++side) {
                const float *b = r + side * bins;
                const float mx = *std::max_element(b, b + bins);
                float sum = 0.f, acc = 0.f;
                for (int k = 0; k < bins; ++k) {
                    const float e = std::exp(b[k] - mx);
                    sum += e;
                    acc += e * k;
                }
                dist[side] = acc / sum * stride;
            }
            const float cx = (i % gw + 0.5f) * stride, cy = (i / gw + 0.5f) * stride;
            const float x0 = cx - dist[0], y0 = cy - dist[1], x1 = cx + dist[2], y1 = cy + dist[3];
            Detection d;
            d.classId = best;
            d.score = c[best];
            d.box = {t.toSourceX(x0), t.toSourceY(y0), (x1 - x0) / t.scaleX, (y1 - y0) / t.scaleY};
            dets.push_back(d);
        }
    }
}

} // namespace ts
