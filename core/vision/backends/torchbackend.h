// LibTorch TorchScript inference backend (its own target: LibTorch headers are slow to compile).
// Uses CUDA when torch::cuda::is_available() and the session asks for a GPU, else the CPU.
#pragma once

#include "vision/inference.h"

namespace ts {
std::unique_ptr<InferenceBackend> makeTorchBackend();
}
