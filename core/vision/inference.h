// One narrow inference interface over several runtimes (OpenCV DNN, ONNX Runtime, LibTorch).
// Runtimes register with a BackendRegistry owned by the composition root; specialists ask the registry for a
// session by the runtimes their manifest allows, in order of preference.
#pragma once

#include "base/result.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace ts {

/// Dense float tensor, row-major.
struct Tensor {
    std::vector<int64_t> shape;
    std::vector<float> data;

    int64_t elementCount() const
    {
        int64_t n = 1;
        for (int64_t d : shape)
            n *= d;
        return n;
    }
};

struct SessionOptions {
    int threads = 1; ///< intra-op threads for this session
    bool preferGpu = true; ///< use a GPU when the runtime has one (LibTorch CUDA, ONNX Runtime's CUDA provider)
    /// ONNX Runtime's CPU memory arena: activation buffers are kept between runs (faster runs, more memory).
    bool memoryArena = false;
};

/// Where an ONNX Runtime session is to run: on CUDA when the session prefers a GPU and the CUDA provider's library
/// (libonnxruntime_providers_cuda.so, shipped by the GPU builds) is installed beside ONNX Runtime, whether or not
/// this build lists the provider (builds without it compiled in still load it); else on the CPU, and note says why.
/// Whether the provider then starts (CUDA runtime, a device) is tried once by the runtime. Pure, so the choice is
/// tested without a GPU.
struct ProviderChoice {
    bool cuda = false;
    std::string note;
};
ProviderChoice chooseOrtProvider(bool preferGpu, const std::vector<std::string> &availableProviders,
                                 bool cudaLibraryInstalled);

/// A loaded model. Not thread-safe: each worker owns its sessions. Runs on worker threads.
class InferenceSession {
public:
    virtual ~InferenceSession() = default;
    virtual std::string runtime() const = 0;
    /// Device the model runs on ("cpu", "cuda:0").
    virtual std::string device() const { return "cpu"; }
    /// Whether run() may be called from several threads at once (then workers share one session and its weights).
    virtual bool isThreadSafe() const { return false; }
    /// Inputs in model order; outputs returned in the model's output order.
    virtual Result<std::vector<Tensor>> run(const std::vector<Tensor> &inputs) = 0;
};

class InferenceBackend {
public:
    virtual ~InferenceBackend() = default;
    virtual std::string name() const = 0; ///< "opencv", "onnxruntime", "torchscript"
    /// Whether this backend can open files of this kind (".onnx", ".pt").
    virtual bool supportsFile(const std::string &path) const = 0;
    virtual Result<std::unique_ptr<InferenceSession>> load(const std::string &path, const SessionOptions &options) = 0;
    /// Where this runtime can run models on this machine, GPU first ("cuda:0, cpu"), with why not on a GPU.
    virtual std::string devices() const { return "cpu"; }
};

/// The runtimes available in this build; owned by the composition root, passed to whoever needs it.
class BackendRegistry {
public:
    void add(std::unique_ptr<InferenceBackend> backend);
    InferenceBackend *find(const std::string &name) const;
    std::vector<std::string> names() const;
    /// Loads path with the first of `runtimes` that is present and accepts the file.
    Result<std::unique_ptr<InferenceSession>> load(const std::string &path, const std::vector<std::string> &runtimes,
                                                   const SessionOptions &options) const;

private:
    std::vector<std::unique_ptr<InferenceBackend>> m_backends;
};

/// Hands out sessions; sessions that are thread-safe are loaded once and shared by every worker and specialist
/// that runs the same file with the same options, so large weights are in memory once. Thread-safe.
class SessionCache {
public:
    explicit SessionCache(const BackendRegistry &backends) : m_backends(backends) {}
    Result<std::shared_ptr<InferenceSession>> load(const std::string &path, const std::vector<std::string> &runtimes,
                                                   const SessionOptions &options);
    const BackendRegistry &backends() const { return m_backends; }

private:
    const BackendRegistry &m_backends;
    std::mutex m_mutex;
    std::vector<std::pair<std::string, std::weak_ptr<InferenceSession>>> m_sessions;
};

/// OpenCV DNN, always built.
std::unique_ptr<InferenceBackend> makeOpenCvBackend();

} // namespace ts
