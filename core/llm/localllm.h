// The embedded language model: a GGUF file run in-process by llama.cpp on the user's CPU, behind the same
// LlmClient interface as the HTTP endpoints, so decomposition, reasoning and refinement requests work with no server
// at all. Replies are constrained by a grammar derived from the request's JSON schema (gbnf.h), so the model can only
// answer in the requested shape. A prompt-prefix cache keeps the evaluated tokens of the last prompt in the model's
// KV memory: the next prompt re-evaluates only what differs, so the instructions and the query are evaluated once
// per query, not once per candidate video. llama.h stays inside localllm.cpp.
#pragma once

#include "base/cancel.h"
#include "base/result.h"
#include "llm/llmclient.h"

#include <memory>
#include <string>

namespace ts {

struct LocalLlmOptions {
    std::string modelPath; ///< a GGUF file
    int contextTokens = 8192; ///< prompt + reply; longer prompts are refused with a message
    int threads = 0; ///< 0: one per hardware thread
    int batchTokens = 512; ///< prompt tokens evaluated per step (also the cancellation granularity)
};

/// Counters of one generation, for traces and benchmarks.
struct LocalLlmStats {
    int promptTokens = 0;
    int reusedTokens = 0; ///< prompt tokens whose evaluation the prefix cache saved
    int generatedTokens = 0;
    double promptMs = 0.0;
    double generateMs = 0.0;
};

/// One loaded model. Thread-safe: generations are serialised (a CPU runs one at a time fastest), and a waiting call
/// gives up as soon as its cancel token is set.
class LocalLlm {
public:
    /// Loads the model (memory-mapped) and makes its context. Blocking; worker threads only.
    static Result<std::shared_ptr<LocalLlm>> load(const LocalLlmOptions &options);
    ~LocalLlm();
    LocalLlm(const LocalLlm &) = delete;
    LocalLlm &operator=(const LocalLlm &) = delete;

    /// The chat formatted by the model's own template, then tokens until end of generation, maxTokens, or the
    /// grammar is complete. grammar: GBNF with root "root", or empty for free text. Blocking; worker threads only.
    Result<std::string> generate(const std::vector<LlmMessage> &messages, const std::string &grammar, int maxTokens,
                                 const CancelToken &cancel, LocalLlmStats *stats = nullptr);

    /// general.name of the GGUF, else the file name.
    const std::string &modelName() const;
    const LocalLlmOptions &options() const;
    /// Totals since load: prompt and generated tokens, and their times (tokens per second for benchmarks).
    LocalLlmStats totals() const;

private:
    struct Impl;
    explicit LocalLlm(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

/// An LlmClient over a loaded model, named "local:MODEL". Structured requests are decoded under the grammar of their
/// schema and validated like any server's reply; requests with images are refused (no vision model is embedded).
std::unique_ptr<LlmClient> makeLocalLlmClient(std::shared_ptr<LocalLlm> model, int maxTokens = 1024);

} // namespace ts
