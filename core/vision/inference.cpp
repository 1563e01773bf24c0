#include "inference.h"

#include <algorithm>

#include <opencv2/core/utils/logger.hpp>
#include <opencv2/dnn.hpp>

namespace ts {

ProviderChoice chooseOrtProvider(bool preferGpu, const std::vector<std::string> &availableProviders,
                                 bool cudaLibraryInstalled)
{
    ProviderChoice out;
    const bool listed = std::find(availableProviders.begin(), availableProviders.end(), "CUDAExecutionProvider") !=
                        availableProviders.end();
    if (!preferGpu)
        out.note = "the CPU was asked for";
    else if (cudaLibraryInstalled)
        out.cuda = true;
    else if (listed)
        out.note = "the CUDA provider library (libonnxruntime_providers_cuda.so) is not installed beside ONNX Runtime";
    else
        out.note = "this ONNX Runtime has no CUDA provider (TWINSEEK_ONNXRUNTIME_GPU=1 scripts/setup.sh installs one)";
    return out;
}

void BackendRegistry::add(std::unique_ptr<InferenceBackend> backend) { m_backends.push_back(std::move(backend)); }

InferenceBackend *BackendRegistry::find(const std::string &name) const
{
    for (const auto &b : m_backends)
        if (b->name() == name)
            return b.get();
    return nullptr;
}

std::vector<std::string> BackendRegistry::names() const
{
    std::vector<std::string> out;
    for (const auto &b : m_backends)
        out.push_back(b->name());
    return out;
}

Result<std::unique_ptr<InferenceSession>> BackendRegistry::load(const std::string &path,
                                                                const std::vector<std::string> &runtimes,
                                                                const SessionOptions &options) const
{
    std::string errors;
    for (const std::string &rt : runtimes) {
        InferenceBackend *b = find(rt);
        if (!b) {
            errors += rt + ": not in this build; ";
            continue;
        }
        if (!b->supportsFile(path)) {
            errors += rt + ": cannot open this file type; ";
            continue;
        }
        auto s = b->load(path, options);
        if (s)
            return s;
        errors += rt + ": " + s.message() + "; ";
    }
    if (errors.empty())
        errors = "no runtime listed";
    return Result<std::unique_ptr<InferenceSession>>::error(errors);
}

Result<std::shared_ptr<InferenceSession>> SessionCache::load(const std::string &path,
                                                            const std::vector<std::string> &runtimes,
                                                            const SessionOptions &options)
{
    std::string key = path + "|" + std::to_string(options.threads) + "|" + (options.preferGpu ? "gpu" : "cpu") +
                      (options.memoryArena ? "|arena" : "");
    for (const std::string &r : runtimes)
        key += "|" + r;
    std::lock_guard<std::mutex> lock(m_mutex);
    for (const auto &[k, weak] : m_sessions)
        if (k == key)
            if (auto s = weak.lock())
                return s;
    auto loaded = m_backends.load(path, runtimes, options);
    if (!loaded)
        return Result<std::shared_ptr<InferenceSession>>::error(loaded);
    std::shared_ptr<InferenceSession> shared(std::move(loaded).value());
    if (shared->isThreadSafe()) {
        m_sessions.erase(std::remove_if(m_sessions.begin(), m_sessions.end(),
                                        [](const auto &e) { return e.second.expired(); }),
                         m_sessions.end());
        m_sessions.emplace_back(key, shared);
    }
    return shared;
}

namespace {

class OpenCvSession : public InferenceSession {
public:
    explicit OpenCvSession(cv::dnn::Net net) : m_net(std::move(net))
    {
        m_outputs = m_net.getUnconnectedOutLayersNames();
    }
    std::string runtime() const override { return "opencv"; }
    Result<std::vector<Tensor>> run(const std::vector<Tensor> &inputs) override
    {
        using R = Result<std::vector<Tensor>>;
        if (inputs.size() != 1)
            return R::error("OpenCV DNN sessions take one input");
        try {
            const Tensor &in = inputs.front();
            std::vector<int> dims(in.shape.begin(), in.shape.end());
            cv::Mat blob(static_cast<int>(dims.size()), dims.data(), CV_32F, const_cast<float *>(in.data.data()));
            m_net.setInput(blob);
            std::vector<cv::Mat> outs;
            m_net.forward(outs, m_outputs);
            std::vector<Tensor> result;
            for (const cv::Mat &o : outs) {
                Tensor t;
                for (int i = 0; i < o.dims; ++i)
                    t.shape.push_back(o.size[i]);
                cv::Mat c = o.isContinuous() ? o : o.clone();
                t.data.assign(c.ptr<float>(), c.ptr<float>() + c.total());
                result.push_back(std::move(t));
            }
            return result;
        } catch (const cv::Exception &e) {
            return R::error(std::string("OpenCV DNN: ") + e.what());
        }
    }

private:
    cv::dnn::Net m_net;
    std::vector<std::string> m_outputs;
};

class OpenCvBackend : public InferenceBackend {
public:
    std::string name() const override { return "opencv"; }
    bool supportsFile(const std::string &path) const override
    {
        return path.size() > 5 && path.compare(path.size() - 5, 5, ".onnx") == 0;
    }
    Result<std::unique_ptr<InferenceSession>> load(const std::string &path, const SessionOptions &) override
    {
        using R = Result<std::unique_ptr<InferenceSession>>;
        try {
            cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_ERROR);
            cv::dnn::Net net = cv::dnn::readNetFromONNX(path);
            if (net.empty())
                return R::error("cannot read " + path);
            net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
            net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
            return R(std::make_unique<OpenCvSession>(std::move(net)));
        } catch (const cv::Exception &e) {
            return R::error(std::string("OpenCV DNN cannot load the model: ") + e.what());
        }
    }
};

} // namespace

std::unique_ptr<InferenceBackend> makeOpenCvBackend() { return std::make_unique<OpenCvBackend>(); }

} // namespace ts
