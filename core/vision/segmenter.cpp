#include "segmenter.h"

#include "vision/preprocess.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace ts {

namespace {

cv::Rect toRect(const Box &b, int w, int h)
{
    const Box c = b.clipped(static_cast<float>(w), static_cast<float>(h));
    cv::Rect r(static_cast<int>(std::floor(c.x)), static_cast<int>(std::floor(c.y)),
               static_cast<int>(std::ceil(c.w)), static_cast<int>(std::ceil(c.h)));
    return r & cv::Rect(0, 0, w, h);
}

cv::Mat boxMask(const cv::Mat &bgr, const Box &box)
{
    cv::Mat m(bgr.rows, bgr.cols, CV_8UC1, cv::Scalar(0));
    m(toRect(box, bgr.cols, bgr.rows)).setTo(255);
    return m;
}

// Runs a single-output probability model on a crop and returns the probability map at crop size.
Result<cv::Mat> runProbabilityModel(InferenceSession &session, const InputSpec &spec, const cv::Mat &crop,
                                    int outputIndex, int channel, bool applySigmoid)
{
    Tensor input = imageToTensor(crop, spec);
    auto outs = session.run({input});
    if (!outs)
        return Result<cv::Mat>::error(outs);
    if (static_cast<int>(outs->size()) <= outputIndex)
        return Result<cv::Mat>::error("model has too few outputs");
    const Tensor &o = (*outs)[outputIndex];
    if (o.shape.size() != 4)
        return Result<cv::Mat>::error("expected a 4-d probability map");
    const int h = static_cast<int>(o.shape[2]), w = static_cast<int>(o.shape[3]);
    if (o.shape[1] <= channel)
        return Result<cv::Mat>::error("probability map has too few channels");
    cv::Mat prob(h, w, CV_32F, const_cast<float *>(o.data.data() + static_cast<size_t>(channel) * h * w));
    prob = prob.clone();
    if (applySigmoid) {
        cv::exp(-prob, prob);
        prob = 1.0 / (1.0 + prob);
    }
    cv::Mat resized;
    cv::resize(prob, resized, crop.size(), 0, 0, cv::INTER_LINEAR);
    return resized;
}

class SalientCropSegmenter : public PromptedSegmenter {
public:
    SalientCropSegmenter(ModelManifest m, std::shared_ptr<InferenceSession> s) : m_manifest(std::move(m)), m_session(std::move(s))
    {
        m_margin = m_manifest.output.value("crop_margin", 0.15f);
        m_threshold = m_manifest.output.value("threshold", 0.5f);
        m_sigmoid = m_manifest.output.value("activation", "none") == "sigmoid";
    }
    std::string modelId() const override { return m_manifest.id; }
    std::string runtime() const override { return m_session->runtime(); }

    Result<cv::Mat> segment(const cv::Mat &bgr, const SegmentPrompt &prompt) override
    {
        // The salient object of a crop around the box is, for a box drawn around one object, that object.
        const cv::Rect core = toRect(prompt.box, bgr.cols, bgr.rows);
        if (core.area() < 16)
            return boxMask(bgr, prompt.box);
        const cv::Rect crop = toRect(prompt.box.expanded(m_margin), bgr.cols, bgr.rows);
        InputSpec spec = m_manifest.input;
        if (prompt.inputSide > 0)
            spec.width = spec.height = prompt.inputSide;
        if (prompt.shape == MaskInputShape::CropAspect) {
            spec.resize = "keep_aspect";
            spec.multiple = 32; // the five poolings of the salient-object U-Nets
        }
        auto prob = runProbabilityModel(*m_session, spec, bgr(crop), 0, 0, m_sigmoid);
        if (!prob)
            return prob;
        cv::Mat bin;
        cv::compare(*prob, m_threshold, bin, cv::CMP_GE);
        cv::Mat full(bgr.rows, bgr.cols, CV_8UC1, cv::Scalar(0));
        bin.copyTo(full(crop));
        // Only what touches the prompt box belongs to the object; the margin gives context, not mask.
        cv::Mat cleaned = keepComponentsInside(full, core, 0.002);
        cv::Mat limit(bgr.rows, bgr.cols, CV_8UC1, cv::Scalar(0));
        limit(toRect(prompt.box.expanded(0.05f), bgr.cols, bgr.rows)).setTo(255);
        cv::bitwise_and(cleaned, limit, cleaned);
        return cleaned;
    }

private:
    ModelManifest m_manifest;
    std::shared_ptr<InferenceSession> m_session;
    float m_margin = 0.15f;
    float m_threshold = 0.5f;
    bool m_sigmoid = false;
};

class VocSemanticSegmenter : public PromptedSegmenter {
public:
    VocSemanticSegmenter(ModelManifest m, std::shared_ptr<InferenceSession> s) : m_manifest(std::move(m)), m_session(std::move(s)) {}
    std::string modelId() const override { return m_manifest.id; }
    std::string runtime() const override { return m_session->runtime(); }

    Result<cv::Mat> segment(const cv::Mat &bgr, const SegmentPrompt &prompt) override
    {
        // Every non-background class inside the box (DeepLab's class labels are unreliable; its extent is not).
        const cv::Rect core = toRect(prompt.box, bgr.cols, bgr.rows);
        if (core.area() < 16)
            return boxMask(bgr, prompt.box);
        const cv::Rect crop = toRect(prompt.box.expanded(0.1f), bgr.cols, bgr.rows);
        Tensor input = imageToTensor(bgr(crop), m_manifest.input);
        auto outs = m_session->run({input});
        if (!outs)
            return Result<cv::Mat>::error(outs);
        const Tensor &o = outs->front();
        if (o.shape.size() != 4)
            return Result<cv::Mat>::error("expected NHWC class scores");
        const int h = static_cast<int>(o.shape[1]), w = static_cast<int>(o.shape[2]), c = static_cast<int>(o.shape[3]);
        cv::Mat fg(h, w, CV_8UC1);
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x) {
                const float *p = o.data.data() + (static_cast<size_t>(y) * w + x) * c;
                fg.at<uint8_t>(y, x) = std::max_element(p, p + c) - p != 0 ? 255 : 0;
            }
        cv::Mat resized;
        cv::resize(fg, resized, crop.size(), 0, 0, cv::INTER_NEAREST);
        cv::Mat full(bgr.rows, bgr.cols, CV_8UC1, cv::Scalar(0));
        resized.copyTo(full(crop));
        cv::Mat limit(bgr.rows, bgr.cols, CV_8UC1, cv::Scalar(0));
        limit(core).setTo(255);
        cv::bitwise_and(full, limit, full);
        return keepComponentsInside(full, core, 0.002);
    }

private:
    ModelManifest m_manifest;
    std::shared_ptr<InferenceSession> m_session;
};

// A SAM-class model exported with two inputs: the image tensor (as input spec says) and a box [1, 4] in
// model-input pixels (x0, y0, x1, y1); output: mask logits or probabilities [1, 1, h, w] over the model input.
class PromptedModelSegmenter : public PromptedSegmenter {
public:
    PromptedModelSegmenter(ModelManifest m, std::shared_ptr<InferenceSession> s) : m_manifest(std::move(m)), m_session(std::move(s))
    {
        m_sigmoid = m_manifest.output.value("activation", "sigmoid") == "sigmoid";
        m_threshold = m_manifest.output.value("threshold", 0.5f);
    }
    std::string modelId() const override { return m_manifest.id; }
    std::string runtime() const override { return m_session->runtime(); }

    Result<cv::Mat> segment(const cv::Mat &bgr, const SegmentPrompt &prompt) override
    {
        InputTransform t;
        Tensor image = imageToTensor(bgr, m_manifest.input, &t);
        Tensor box;
        box.shape = {1, 4};
        box.data = {prompt.box.x * t.scaleX + t.padX, prompt.box.y * t.scaleY + t.padY,
                    prompt.box.right() * t.scaleX + t.padX, prompt.box.bottom() * t.scaleY + t.padY};
        auto outs = m_session->run({image, box});
        if (!outs)
            return Result<cv::Mat>::error(outs);
        const Tensor &o = outs->front();
        if (o.shape.size() != 4 || o.shape[0] != 1)
            return Result<cv::Mat>::error(m_manifest.id + ": expected a [1, k, h, w] mask output");
        const int h = static_cast<int>(o.shape[2]), w = static_cast<int>(o.shape[3]);
        cv::Mat prob(h, w, CV_32F, const_cast<float *>(o.data.data()));
        prob = prob.clone();
        if (m_sigmoid) {
            cv::exp(-prob, prob);
            prob = 1.0 / (1.0 + prob);
        }
        // Undo the input transform: model pixels -> source pixels.
        cv::Mat scaled;
        cv::resize(prob, scaled, cv::Size(m_manifest.input.width, m_manifest.input.height));
        cv::Mat warp = (cv::Mat_<double>(2, 3) << 1.0 / t.scaleX, 0, -t.padX / t.scaleX, 0, 1.0 / t.scaleY,
                        -t.padY / t.scaleY);
        cv::Mat src;
        cv::warpAffine(scaled, src, warp, bgr.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0));
        cv::Mat mask;
        cv::compare(src, m_threshold, mask, cv::CMP_GE);
        return mask;
    }

private:
    ModelManifest m_manifest;
    std::shared_ptr<InferenceSession> m_session;
    bool m_sigmoid = true;
    float m_threshold = 0.5f;
};

class GrabCutSegmenter : public PromptedSegmenter {
public:
    std::string modelId() const override { return "grabcut"; }
    std::string runtime() const override { return "opencv"; }
    Result<cv::Mat> segment(const cv::Mat &bgr, const SegmentPrompt &prompt) override
    {
        const cv::Rect core = toRect(prompt.box, bgr.cols, bgr.rows);
        if (core.width < 8 || core.height < 8)
            return boxMask(bgr, prompt.box);
        // Work on a downscaled crop: GrabCut cost grows with pixels, its quality hardly with resolution.
        const cv::Rect crop = toRect(prompt.box.expanded(0.2f), bgr.cols, bgr.rows);
        const double s = std::min(1.0, 200.0 / std::max(crop.width, crop.height));
        cv::Mat small;
        cv::resize(bgr(crop), small, cv::Size(), s, s, cv::INTER_AREA);
        cv::Rect r(static_cast<int>((core.x - crop.x) * s), static_cast<int>((core.y - crop.y) * s),
                   std::max(2, static_cast<int>(core.width * s)), std::max(2, static_cast<int>(core.height * s)));
        r &= cv::Rect(0, 0, small.cols, small.rows);
        if (r.width < 2 || r.height < 2 || r.width >= small.cols && r.height >= small.rows)
            return boxMask(bgr, prompt.box);
        cv::Mat gc(small.size(), CV_8UC1, cv::Scalar(cv::GC_BGD)), bg, fg;
        gc(r).setTo(cv::GC_PR_FGD);
        for (const cv::Point2f &p : prompt.positive)
            cv::circle(gc, cv::Point(static_cast<int>((p.x - crop.x) * s), static_cast<int>((p.y - crop.y) * s)), 2,
                       cv::GC_FGD, -1);
        // GrabCut seeds k-means from the thread's random generator: fix it so masks do not depend on history.
        cv::theRNG().state = 0x12345678u;
        try {
            cv::grabCut(small, gc, r, bg, fg, 4, cv::GC_INIT_WITH_MASK);
        } catch (const cv::Exception &e) {
            return Result<cv::Mat>::error(std::string("GrabCut: ") + e.what());
        }
        cv::Mat bin = (gc == cv::GC_FGD) | (gc == cv::GC_PR_FGD);
        cv::Mat up;
        cv::resize(bin, up, crop.size(), 0, 0, cv::INTER_LINEAR);
        cv::threshold(up, up, 127, 255, cv::THRESH_BINARY);
        cv::Mat full(bgr.rows, bgr.cols, CV_8UC1, cv::Scalar(0));
        up.copyTo(full(crop));
        return keepComponentsInside(full, core, 0.002);
    }
};

} // namespace

cv::Mat keepComponentsInside(const cv::Mat &mask, const cv::Rect &keep, double minAreaFraction)
{
    cv::Mat labels, stats, centroids;
    const int n = cv::connectedComponentsWithStats(mask, labels, stats, centroids, 8, CV_32S);
    const double minArea = std::max(4.0, minAreaFraction * mask.total());
    std::vector<uint8_t> ok(static_cast<size_t>(n), 0);
    for (int i = 1; i < n; ++i) {
        const cv::Rect r(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP),
                         stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT));
        ok[i] = stats.at<int>(i, cv::CC_STAT_AREA) >= minArea && (r & keep).area() > 0;
    }
    cv::Mat out(mask.size(), CV_8UC1, cv::Scalar(0));
    for (int y = 0; y < mask.rows; ++y) {
        const int *l = labels.ptr<int>(y);
        uint8_t *o = out.ptr<uint8_t>(y);
        for (int x = 0; x < mask.cols; ++x)
            o[x] = ok[l[x]] ? 255 : 0;
    }
    return out;
}

Result<std::unique_ptr<PromptedSegmenter>> makeSegmenter(const ModelManifest &manifest, const ModelRegistry &models,
                                                         SessionCache &sessions,
                                                         const SessionOptions &options)
{
    using R = Result<std::unique_ptr<PromptedSegmenter>>;
    const std::string decoder = manifest.output.value("decoder", "");
    if (decoder != "salient_crop" && decoder != "voc_semantic" && decoder != "prompted")
        return R::error(manifest.id + ": unknown segmenter decoder '" + decoder + "'");
    auto session = sessions.load(models.modelPath(manifest), manifest.runtimes, options);
    if (!session)
        return R::error(manifest.id + ": " + session.message());
    if (decoder == "salient_crop")
        return R(std::make_unique<SalientCropSegmenter>(manifest, std::move(session).value()));
    if (decoder == "voc_semantic")
        return R(std::make_unique<VocSemanticSegmenter>(manifest, std::move(session).value()));
    return R(std::make_unique<PromptedModelSegmenter>(manifest, std::move(session).value()));
}

std::unique_ptr<PromptedSegmenter> makeGrabCutSegmenter() { return std::make_unique<GrabCutSegmenter>(); }

Result<std::unique_ptr<SaliencyModel>> SaliencyModel::create(const ModelManifest &manifest, const ModelRegistry &models,
                                                             SessionCache &sessions,
                                                             const SessionOptions &options)
{
    using R = Result<std::unique_ptr<SaliencyModel>>;
    auto session = sessions.load(models.modelPath(manifest), manifest.runtimes, options);
    if (!session)
        return R::error(manifest.id + ": " + session.message());
    std::unique_ptr<SaliencyModel> m(new SaliencyModel());
    m->m_manifest = manifest;
    m->m_session = std::move(session).value();
    return R(std::move(m));
}

Result<cv::Mat> SaliencyModel::saliency(const cv::Mat &bgr, int longSide)
{
    InputSpec spec = m_manifest.input;
    if (longSide > 0)
        spec.width = spec.height = longSide;
    return runProbabilityModel(*m_session, spec, bgr, 0, 0,
                               m_manifest.output.value("activation", "none") == "sigmoid");
}

} // namespace ts
