// ONNX Runtime inference backend (its own target; the only translation unit that includes ORT headers).
#pragma once

#include "vision/inference.h"

namespace ts {
std::unique_ptr<InferenceBackend> makeOnnxRuntimeBackend();
}
