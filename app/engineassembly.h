// The retrieval engine from its parts, so the composition root and the tests assemble it the same way.
#pragma once

#include "llm/llmconfig.h"
#include "reason/llmreasoner.h"
#include "refine/jitrefinement.h"
#include "retrieval/engine.h"

#include <functional>
#include <memory>

namespace ts {

class CoarseSearch;
class Lexicon;

struct EngineParts {
    LlmRoles roles; ///< each configured role gets an LLM implementation; the built-in ones are always there
    std::vector<std::unique_ptr<Specialist>> specialists; ///< just-in-time refinement; none disables it
    CoarseSearch *coarse = nullptr;                ///< the compositional alignment stage (not owned); nullptr: none
    LlmReasonerOptions reasoner;
    JitLimits jit;
    RefinedTwinHook afterRefinedTwin; ///< re-embeds a refined twin's components; empty: the next search heals them
    std::optional<std::vector<RefinementKind>> refineKinds; ///< what the specialists can run here; unset: any
    /// The embedded model (llama.cpp) for the roles no endpoint serves: decompose and reason. Empty or returning
    /// nullptr: those roles stay built-in. Called once per role when the engine is assembled.
    std::function<std::unique_ptr<LlmClient>()> localClient;
};

/// Two-stage engine: LLM decomposer and reasoner for the configured roles with the built-in ones as default and
/// fallback, JiT refinement saving into the store a query runs on. An endpoint that fails at the transport level
/// is skipped for the rest of that query (one note in the query's trace); each query tries it again.
/// lexicon must outlive the engine.
std::unique_ptr<RetrievalEngine> assembleRetrievalEngine(const Lexicon &lexicon, EngineParts parts);

} // namespace ts
