// The small GGUF of the model cache (Gemma 3 270M), for the tests that run the real llama.cpp path: found and loaded
// the same way everywhere, skipped (or, under CI, failed) with one message when the set-up did not fetch it.
#pragma once

#include "llm/localllm.h"
#include "testsupport.h"

#include <memory>
#include <string>

namespace ts::test {

inline const char *const kSmallLlmMissing = "gemma3_270m is not in the model cache (run scripts/setup.sh)";

/// Loads the small model with that context into out (its file in *path). Returns "" on success, kSmallLlmMissing
/// when it is not installed, or why it could not be loaded.
std::string loadSmallLlm(std::shared_ptr<LocalLlm> &out, int contextTokens, std::string *path = nullptr);

} // namespace ts::test

/// In a test function: loads the small model into target (a std::shared_ptr<LocalLlm>), or skips/fails saying why.
#define TS_LOAD_SMALL_LLM(target, contextTokens, path)                                                                 \
    do {                                                                                                               \
        const std::string whyNot = ts::test::loadSmallLlm(target, contextTokens, path);                                \
        if (whyNot == ts::test::kSmallLlmMissing)                                                                      \
            TS_MISSING(whyNot.c_str());                                                                                \
        QVERIFY2(whyNot.empty(), whyNot.c_str());                                                                      \
    } while (0)
