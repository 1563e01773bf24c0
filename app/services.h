// The composition root: builds the services both executables and the tests share (model registry, inference
// runtimes, WordNet, stores, twin builders) and hands them out. No globals: whoever needs a service gets it
// from here through a constructor.
#pragma once

#include "base/result.h"
#include "ingest/ingestor.h"
#include "knowledge/lexicon.h"
#include "knowledge/wordnet.h"
#include "knowledge/wordvectors.h"
#include "llm/llmconfig.h"
#include "retrieval/engine.h"
#include "store/twinstore.h"
#include "vision/inference.h"
#include "vision/modelregistry.h"
#include "vision/twinbuilder.h"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace ts {

class CoarseSearch;
class LlmClient;
class LocalLlm;
class SentenceEncoder;
class TextEncoder;

/// Token counts and times of the embedded LLM (for benchmarks).
struct LlmUsage {
    int promptTokens = 0;
    int reusedTokens = 0; ///< of promptTokens, served by the prefix cache
    int generatedTokens = 0;
    double promptMs = 0.0;
    double generateMs = 0.0;
    LlmUsage operator-(const LlmUsage &o) const
    {
        return {promptTokens - o.promptTokens, reusedTokens - o.reusedTokens, generatedTokens - o.generatedTokens,
                promptMs - o.promptMs, generateMs - o.generateMs};
    }
};

/// Whether an engine may use the embedded LLM for the roles no endpoint serves.
enum class EmbeddedLlm { Use, Skip };

struct AppPaths {
    std::string cacheDir; ///< model cache and runtimes (TWINSEEK_CACHE_DIR or the user's cache folder)
    std::vector<std::string> manifestDirs; ///< user manifests first, then the shipped ones
    std::string wordnetDir;
};

/// Paths from the environment, the installed layout and the user's standard folders.
AppPaths defaultAppPaths();

class Services {
public:
    explicit Services(AppPaths paths = defaultAppPaths());
    ~Services();

    const AppPaths &paths() const { return m_paths; }
    ModelRegistry &models() { return *m_models; }
    BackendRegistry &backends() { return *m_backends; }
    /// Inference sessions shared by every worker where the runtime allows it.
    SessionCache &sessions() { return *m_sessions; }
    /// WordNet, loaded on first use (nullptr with a message in wordnetError() when missing).
    const WordNet *wordnet();
    const std::string &wordnetError() const { return m_wordnetError; }

    /// GloVe vectors from the model cache, loaded on first use (nullptr with wordVectorsError() when missing).
    const WordVectors *wordVectors();
    const std::string &wordVectorsError() const { return m_vectorsError; }
    /// WordNet + word vectors for the built-in reasoner (works, weaker, with either missing).
    const Lexicon &lexicon();

    std::unique_ptr<TwinBuilder> makeBuilder(const TwinBuilderConfig &config);
    /// The two-stage retrieval engine: LLM roles from `roles` (none: the built-in reasoner only), the trained
    /// aligner when its weights are installed, just-in-time refinement with this machine's specialists.
    std::unique_ptr<RetrievalEngine> makeRetrievalEngine(const LlmRoles &roles = {}, EmbeddedLlm llm = EmbeddedLlm::Use);
    /// LLM roles from the environment (TWINSEEK_LLM_URL...), over base; errors name the variable.
    static Result<LlmRoles> llmRolesFromEnv(const LlmRoles &base = {});
    static Result<std::unique_ptr<TwinStore>> openStore(const std::string &path,
                                                        StoreAccess access = StoreAccess::ReadWrite);

    /// The pretrained sentence encoder (role "sentence-encoder"), loaded on first use; nullptr with
    /// sentenceEncoderError() when none is installed. $TWINSEEK_SENTENCE_ENCODER=off leaves it out.
    const SentenceEncoder *sentenceEncoder();
    const std::string &sentenceEncoderError() const { return m_sentenceError; }

    /// The trained aligners' weights, preferred first: $TWINSEEK_ALIGNER alone, else the aligner-*.bin under
    /// trained/ of the first manifest directory that has any (user's, then installed, then the source tree),
    /// newest name first. Empty if none.
    std::vector<std::string> alignerPaths() const;
    /// The aligner in use (the first of alignerPaths() that loads), or the preferred one before loading.
    std::string alignerPath();
    /// The trained aligner (paired text encoders), loaded on first use: the first candidate whose word vectors and
    /// sentence encoder are installed; nullptr with alignerError() when none loads.
    const TextEncoder *aligner();
    const std::string &alignerError() const { return m_alignerError; }
    /// Ingest hook that stores a twin's components embedded by the aligner (texts only without one), on the
    /// ingest worker thread. The store must outlive the hook.
    TwinStoredHook componentEmbeddingHook(TwinStore &store);
    /// The coarse stage over the aligner's embeddings (one per Services, so every engine shares its loaded
    /// index); nullptr without an aligner.
    CoarseSearch *coarseSearch();

    /// The GGUF the embedded LLM runs: $TWINSEEK_LOCAL_LLM (a file path; "off" disables it), else the best
    /// installed model of role "llm". Empty when there is none or this build has no llama.cpp (localLlmError says).
    std::string localLlmManifest();
    /// The embedded LLM, loaded (memory-mapped) on first use; nullptr with localLlmError() when it cannot run.
    /// Threads: $TWINSEEK_LLM_THREADS, else one per hardware thread. Blocking; worker threads only.
    std::shared_ptr<LocalLlm> localLlm();
    std::string localLlmError();
    /// A client of the embedded LLM that loads the model on its first request (so assembling an engine costs
    /// nothing). Thread-safe.
    std::unique_ptr<LlmClient> makeLazyLocalLlmClient();
    /// Where LLM answers are cached ($TWINSEEK_CACHE_DIR/llm-replies).
    std::string llmReplyCacheDir() const;
    /// On by default; benchmarks switch it off to time the model itself. Affects engines made afterwards.
    void setLlmReplyCacheEnabled(bool enabled) { m_llmReplyCache = enabled; }
    /// Totals of the embedded LLM since it was loaded (zero when it is not).
    LlmUsage localLlmUsage();

private:
    AppPaths m_paths;
    std::unique_ptr<ModelRegistry> m_models;
    std::unique_ptr<BackendRegistry> m_backends;
    std::unique_ptr<SessionCache> m_sessions;
    std::once_flag m_wordnetOnce;
    std::unique_ptr<WordNet> m_wordnet;
    std::string m_wordnetError;
    std::once_flag m_vectorsOnce;
    std::unique_ptr<WordVectors> m_vectors;
    std::string m_vectorsError;
    std::once_flag m_lexiconOnce;
    std::unique_ptr<Lexicon> m_lexicon;
    std::once_flag m_sentenceOnce;
    std::unique_ptr<SentenceEncoder> m_sentence;
    std::string m_sentenceError;
    std::once_flag m_alignerOnce;
    std::unique_ptr<TextEncoder> m_aligner;
    std::string m_alignerLoadedPath;
    std::string m_alignerError;
    std::once_flag m_coarseOnce;
    std::unique_ptr<CoarseSearch> m_coarse;
    std::mutex m_llmMutex;
    std::shared_ptr<LocalLlm> m_llm;
    std::string m_llmError;
    bool m_llmTried = false;
    bool m_llmReplyCache = true;
};

std::string twinseekVersion();

} // namespace ts
