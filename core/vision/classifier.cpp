#include "classifier.h"

#include "vision/preprocess.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace ts {

Result<std::unique_ptr<ImageClassifier>> ImageClassifier::create(const ModelManifest &manifest,
                                                                 const ModelRegistry &models,
                                                                 SessionCache &sessions,
                                                                 const SessionOptions &options)
{
    using R = Result<std::unique_ptr<ImageClassifier>>;
    std::unique_ptr<ImageClassifier> c(new ImageClassifier());
    c->m_manifest = manifest;
    if (manifest.labelsFile.empty())
        return R::error(manifest.id + ": a classifier needs a labels file");
    auto labels = loadLabels(models.filePath(manifest, manifest.labelsFile));
    if (!labels)
        return R::error(manifest.id + ": " + labels.message());
    c->m_labels = std::move(labels).value();
    auto session = sessions.load(models.modelPath(manifest), manifest.runtimes, options);
    if (!session)
        return R::error(manifest.id + ": " + session.message());
    c->m_session = std::move(session).value();
    c->m_batched = manifest.output.value("batched", true);
    return R(std::move(c));
}

Result<std::vector<std::vector<ClassScore>>> ImageClassifier::classify(const std::vector<cv::Mat> &images, int topK)
{
    using R = Result<std::vector<std::vector<ClassScore>>>;
    std::vector<std::vector<ClassScore>> out;
    if (images.empty())
        return out;
    const size_t numClasses = m_labels.size();
    auto decode = [&](const float *logits, bool alreadyProbabilities) {
        std::vector<float> p(logits, logits + numClasses);
        if (!alreadyProbabilities) {
            const float mx = *std::max_element(p.begin(), p.end());
            float sum = 0.f;
            for (float &v : p) {
                v = std::exp(v - mx);
                sum += v;
            }
            for (float &v : p)
                v /= sum;
        }
        std::vector<int> idx(numClasses);
        std::iota(idx.begin(), idx.end(), 0);
        const int k = std::min<int>(topK, static_cast<int>(numClasses));
        std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), [&p](int a, int b) { return p[a] > p[b]; });
        std::vector<ClassScore> top;
        for (int i = 0; i < k; ++i)
            top.push_back({idx[i], p[idx[i]]});
        return top;
    };
    const bool probabilities = m_manifest.output.value("activation", "softmax") == "none";
    auto runBatch = [&](const std::vector<cv::Mat> &batch) -> Status {
        Tensor input = imagesToTensor(batch, m_manifest.input);
        auto res = m_session->run({input});
        if (!res)
            return res.status();
        const Tensor &o = res->front();
        if (o.elementCount() != static_cast<int64_t>(batch.size() * numClasses))
            return Status::error(m_manifest.id + ": output size does not match the label count");
        for (size_t i = 0; i < batch.size(); ++i)
            out.push_back(decode(o.data.data() + i * numClasses, probabilities));
        return Status::ok();
    };
    if (m_batched) {
        Status s = runBatch(images);
        if (!s)
            return R::error(s);
    } else {
        for (const cv::Mat &img : images) {
            Status s = runBatch({img});
            if (!s)
                return R::error(s);
        }
    }
    return out;
}

} // namespace ts
