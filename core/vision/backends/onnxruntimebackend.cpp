#include "onnxruntimebackend.h"

#include <dlfcn.h>
#include <onnxruntime_cxx_api.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <mutex>

namespace ts {

namespace {

Ort::Env &environment()
{
    // ORT wants exactly one environment per process; it is created on first use and lives until exit.
    static std::once_flag once;
    static std::unique_ptr<Ort::Env> env;
    std::call_once(once, [] {
        // A local video tool does not phone home. Since 1.29 ONNX Runtime's POSIX builds start a telemetry uploader
        // (DNS look-ups, a device id and an event queue in its own statically linked SQLite) while the environment
        // is created, before DisableTelemetryEvents() can be called; only this variable, read at creation and
        // latched for the process, stops all of it.
        setenv("ORT_DISABLE_TELEMETRY", "1", 1);
        env = std::make_unique<Ort::Env>(ORT_LOGGING_LEVEL_ERROR, "twinseek");
        env->DisableTelemetryEvents();
    });
    return *env;
}

/// Whether the CUDA provider's library sits beside the loaded libonnxruntime (where ONNX Runtime looks for it):
/// builds list the provider even when the library is missing, and trying it then fails with an error message.
bool cudaProviderInstalled()
{
    static const bool installed = [] {
        Dl_info info{};
        if (!dladdr(reinterpret_cast<void *>(&OrtGetApiBase), &info) || !info.dli_fname)
            return false;
        const std::filesystem::path dir = std::filesystem::path(info.dli_fname).parent_path();
        std::error_code ec;
        return std::filesystem::exists(dir / "libonnxruntime_providers_cuda.so", ec);
    }();
    return installed;
}

/// Whether CUDA sessions can start here: the provider chosen (listed, its library present) and loading it works
/// (it needs the CUDA runtime and a device). Tried once per process; the reason for the CPU goes to *why.
bool cudaUsable(std::string *why = nullptr)
{
    static const std::pair<bool, std::string> usable = []() -> std::pair<bool, std::string> {
        const ProviderChoice c = chooseOrtProvider(true, Ort::GetAvailableProviders(), cudaProviderInstalled());
        if (!c.cuda)
            return {false, c.note};
        try {
            environment(); // the provider logs through the environment's logger
            Ort::SessionOptions probe;
            probe.AppendExecutionProvider_CUDA(OrtCUDAProviderOptions{});
            return {true, {}};
        } catch (const Ort::Exception &e) {
            std::string what = e.what();
            while (!what.empty() && std::isspace(static_cast<unsigned char>(what.back())))
                what.pop_back();
            return {false, "the CUDA provider did not start: " + what};
        }
    }();
    if (why)
        *why = usable.second;
    return usable.first;
}

class OrtSession : public InferenceSession {
public:
    OrtSession(const std::string &path, const SessionOptions &options)
    {
        Ort::SessionOptions so;
        so.SetIntraOpNumThreads(std::max(1, options.threads));
        so.SetInterOpNumThreads(1);
        so.SetGraphOptimizationLevel(GraphOptimizationLevel::ORT_ENABLE_ALL);
        so.SetExecutionMode(ExecutionMode::ORT_SEQUENTIAL);
        // Without the arena, activation memory goes back after each run: peak memory of a 512x512 ISNet drops by
        // about a sixth; its runs take about 7% longer on an AVX-512 CPU (scripts/bench_mask_batch.py).
        if (!options.memoryArena)
            so.DisableCpuMemArena();
        if (options.preferGpu && cudaUsable()) {
            // Nodes CUDA cannot run stay on the CPU provider, which is always registered after it.
            so.AppendExecutionProvider_CUDA(OrtCUDAProviderOptions{});
            m_device = "cuda:0";
        }
        m_session = std::make_unique<Ort::Session>(environment(), path.c_str(), so);
        Ort::AllocatorWithDefaultOptions alloc;
        for (size_t i = 0; i < m_session->GetInputCount(); ++i)
            m_inputNames.push_back(m_session->GetInputNameAllocated(i, alloc).get());
        for (size_t i = 0; i < m_session->GetOutputCount(); ++i)
            m_outputNames.push_back(m_session->GetOutputNameAllocated(i, alloc).get());
    }
    std::string runtime() const override { return "onnxruntime"; }
    std::string device() const override { return m_device; }
    bool isThreadSafe() const override { return true; } // Ort::Session::Run is safe to call concurrently

    Result<std::vector<Tensor>> run(const std::vector<Tensor> &inputs) override
    {
        using R = Result<std::vector<Tensor>>;
        if (inputs.size() != m_inputNames.size())
            return R::error("model expects " + std::to_string(m_inputNames.size()) + " inputs, got " +
                            std::to_string(inputs.size()));
        try {
            auto mem = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
            std::vector<Ort::Value> values;
            for (const Tensor &t : inputs)
                values.push_back(Ort::Value::CreateTensor<float>(mem, const_cast<float *>(t.data.data()),
                                                                 t.data.size(), t.shape.data(), t.shape.size()));
            std::vector<const char *> in, out;
            for (const auto &n : m_inputNames)
                in.push_back(n.c_str());
            for (const auto &n : m_outputNames)
                out.push_back(n.c_str());
            auto outputs = m_session->Run(Ort::RunOptions{nullptr}, in.data(), values.data(), values.size(),
                                          out.data(), out.size());
            std::vector<Tensor> result;
            for (auto &o : outputs) {
                auto info = o.GetTensorTypeAndShapeInfo();
                Tensor t;
                t.shape = info.GetShape();
                const size_t n = info.GetElementCount();
                if (info.GetElementType() != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT)
                    return R::error("model output is not float");
                const float *p = o.GetTensorData<float>();
                t.data.assign(p, p + n);
                result.push_back(std::move(t));
            }
            return result;
        } catch (const Ort::Exception &e) {
            return R::error(std::string("ONNX Runtime: ") + e.what());
        }
    }

private:
    std::string m_device = "cpu";
    std::unique_ptr<Ort::Session> m_session;
    std::vector<std::string> m_inputNames;
    std::vector<std::string> m_outputNames;
};

class OrtBackend : public InferenceBackend {
public:
    std::string name() const override { return "onnxruntime"; }
    bool supportsFile(const std::string &path) const override
    {
        return path.size() > 5 && path.compare(path.size() - 5, 5, ".onnx") == 0;
    }
    std::string devices() const override
    {
        std::string why;
        return cudaUsable(&why) ? "cuda:0, cpu" : "cpu (" + why + ")";
    }
    Result<std::unique_ptr<InferenceSession>> load(const std::string &path, const SessionOptions &options) override
    {
        using R = Result<std::unique_ptr<InferenceSession>>;
        try {
            return R(std::make_unique<OrtSession>(path, options));
        } catch (const Ort::Exception &e) {
            return R::error(std::string("ONNX Runtime cannot load the model: ") + e.what());
        }
    }
};

} // namespace

std::unique_ptr<InferenceBackend> makeOnnxRuntimeBackend() { return std::make_unique<OrtBackend>(); }

} // namespace ts
