#include "torchbackend.h"

#include <torch/script.h>
#include <torch/torch.h>

namespace ts {

namespace {

class TorchSession : public InferenceSession {
public:
    TorchSession(torch::jit::script::Module module, torch::Device device)
        : m_module(std::move(module)), m_device(device)
    {
        m_module.eval();
    }
    std::string runtime() const override { return "torchscript"; }
    bool isThreadSafe() const override { return true; } // forward() on an eval-mode module under NoGradGuard
    std::string device() const override { return m_device.str(); }

    Result<std::vector<Tensor>> run(const std::vector<Tensor> &inputs) override
    {
        using R = Result<std::vector<Tensor>>;
        try {
            torch::NoGradGuard noGrad;
            std::vector<torch::jit::IValue> args;
            for (const Tensor &t : inputs) {
                auto x = torch::from_blob(const_cast<float *>(t.data.data()), t.shape, torch::kFloat32).to(m_device);
                args.emplace_back(std::move(x));
            }
            torch::jit::IValue out = m_module.forward(args);
            std::vector<Tensor> result;
            auto add = [&result](const at::Tensor &x) {
                at::Tensor c = x.detach().to(torch::kCPU).to(torch::kFloat32).contiguous();
                Tensor t;
                t.shape.assign(c.sizes().begin(), c.sizes().end());
                t.data.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
                result.push_back(std::move(t));
            };
            if (out.isTensor())
                add(out.toTensor());
            else if (out.isTuple())
                for (const auto &e : out.toTuple()->elements()) {
                    if (!e.isTensor())
                        return R::error("TorchScript output tuple holds a non-tensor");
                    add(e.toTensor());
                }
            else if (out.isTensorList())
                for (const at::Tensor &e : out.toTensorVector())
                    add(e);
            else
                return R::error("TorchScript output is neither a tensor nor a tuple of tensors");
            return result;
        } catch (const c10::Error &e) {
            return R::error(std::string("LibTorch: ") + e.what_without_backtrace());
        } catch (const std::exception &e) {
            return R::error(std::string("LibTorch: ") + e.what());
        }
    }

private:
    torch::jit::script::Module m_module;
    torch::Device m_device;
};

class TorchBackend : public InferenceBackend {
public:
    std::string name() const override { return "torchscript"; }
    bool supportsFile(const std::string &path) const override
    {
        auto ends = [&path](const char *s) {
            const std::string e(s);
            return path.size() > e.size() && path.compare(path.size() - e.size(), e.size(), e) == 0;
        };
        return ends(".pt") || ends(".pth") || ends(".torchscript");
    }
    std::string devices() const override
    {
        return torch::cuda::is_available() ? "cuda:0, cpu" : "cpu (no CUDA device, or a CPU build of LibTorch)";
    }
    Result<std::unique_ptr<InferenceSession>> load(const std::string &path, const SessionOptions &options) override
    {
        using R = Result<std::unique_ptr<InferenceSession>>;
        try {
            torch::set_num_threads(std::max(1, options.threads));
            const bool cuda = options.preferGpu && torch::cuda::is_available();
            torch::Device device = cuda ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
            auto module = torch::jit::load(path, device);
            return R(std::make_unique<TorchSession>(std::move(module), device));
        } catch (const c10::Error &e) {
            return R::error(std::string("LibTorch cannot load the model: ") + e.what_without_backtrace());
        } catch (const std::exception &e) {
            return R::error(std::string("LibTorch cannot load the model: ") + e.what());
        }
    }
};

} // namespace

std::unique_ptr<InferenceBackend> makeTorchBackend() { return std::make_unique<TorchBackend>(); }

} // namespace ts
