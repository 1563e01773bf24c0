// Services::makeRetrievalEngine: the pieces of the two-stage engine, owned together.
#include "engineassembly.h"

#include "llm/llmcache.h"
#include "reason/builtinreasoner.h"
#include "reason/llmcomparer.h"
#include "refine/describer.h"
#include "refine/visionspecialists.h"
#include "retrieval/pipeline.h"
#include "services.h"

#include <QUrl>

#include <map>

namespace ts {

namespace {

/// The engine and everything it calls, with one owner.
class OwningEngine : public RetrievalEngine {
public:
    OwningEngine(const Lexicon &lexicon, EngineParts parts) : m_decomposer(lexicon), m_reasoner(lexicon)
    {
        PipelineRoles roles;
        roles.builtinDecomposer = &m_decomposer;
        roles.builtinReasoner = &m_reasoner;
        // A configured endpoint takes precedence over the embedded model.
        std::unique_ptr<LlmClient> local;
        if (parts.roles.decompose) {
            m_llmDecomposer = std::make_unique<LlmDecomposer>(makeLlmClient(*parts.roles.decompose),
                                                              healthOf(*parts.roles.decompose));
        } else if (parts.localClient && (local = parts.localClient())) {
            m_llmDecomposer = std::make_unique<LlmDecomposer>(std::move(local), nullptr, DecompositionFormat::Compact);
        }
        roles.decomposer = m_llmDecomposer.get();
        if (parts.roles.reason) {
            m_llmReasoner = std::make_unique<LlmReasoner>(makeLlmClient(*parts.roles.reason), parts.reasoner,
                                                          healthOf(*parts.roles.reason));
        } else if (parts.localClient && (local = parts.localClient())) {
            m_llmReasoner = std::make_unique<LlmReasoner>(std::move(local), parts.reasoner);
        }
        roles.reasoner = m_llmReasoner.get();
        if (parts.roles.reason) {
            m_llmComparer = std::make_unique<LlmComparer>(makeLlmClient(*parts.roles.reason), CompareSummaryOptions{},
                                                          healthOf(*parts.roles.reason));
        } else if (m_llmReasoner && parts.localClient && (local = parts.localClient())) {
            m_llmComparer = std::make_unique<LlmComparer>(std::move(local));
        }
        roles.comparer = m_llmComparer.get();
        if (!parts.specialists.empty()) {
            m_jit = std::make_unique<JitRefinement>(std::move(parts.specialists), parts.jit,
                                                    std::move(parts.afterRefinedTwin));
            JitRefinement *jit = m_jit.get();
            roles.refine = [jit](TwinStore &store, const Twin &twin, const std::vector<RefinementRequest> &requests,
                                 const CancelToken &cancel, std::vector<TraceStep> &trace) {
                return jit->refine(store, twin, requests, cancel, trace);
            };
        }
        roles.coarse = parts.coarse;
        roles.refineKinds = parts.refineKinds;
        m_engine = std::make_unique<TwoStageEngine>(std::move(roles));
    }

    Result<QueryResult> run(TwinStore &store, const std::string &query, const RetrievalOptions &options,
                            const CancelToken &cancel, const QueryObserver &observer) override
    {
        // A failed endpoint stays skipped across queries until its breaker lets a probe through (EndpointHealth).
        auto r = m_engine->run(store, query, options, cancel, observer);
        if (!r)
            return r;
        for (auto &[key, h] : m_health) {
            const std::string why = h.health->blockedBecause();
            if (why.empty())
                continue;
            // One note per failed endpoint; the decomposition fallback may already have said it.
            bool said = false;
            for (const TraceStep &s : r->trace)
                said = said || (s.kind == "fallback" && s.text.find(why) != std::string::npos);
            if (!said)
                r->trace.push_back(
                    {"fallback",
                     "LLM endpoint " + h.name + " failed (" + why + "): the built-in reasoner answered for this query",
                     "pipeline", -1, 0.0});
        }
        return r;
    }

private:
    struct Health {
        std::shared_ptr<EndpointHealth> health;
        std::string name;
    };

    /// Roles served by one server share its health: when it is down, it is down for all of them.
    std::shared_ptr<EndpointHealth> healthOf(const LlmEndpoint &e)
    {
        const std::string key = toString(e.protocol) + " " + e.baseUrl;
        Health &h = m_health[key];
        if (!h.health) {
            h.health = std::make_shared<EndpointHealth>();
            // The address without user info or query: neither belongs in a trace.
            const QUrl url(QString::fromStdString(e.baseUrl));
            h.name = toString(e.protocol) + ":" + e.model + " at " +
                     url.toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemoveFragment).toStdString();
        }
        return h.health;
    }

    BuiltinDecomposer m_decomposer;
    BuiltinReasoner m_reasoner;
    std::map<std::string, Health> m_health;
    std::unique_ptr<LlmDecomposer> m_llmDecomposer;
    std::unique_ptr<LlmReasoner> m_llmReasoner;
    std::unique_ptr<LlmComparer> m_llmComparer;
    std::unique_ptr<JitRefinement> m_jit;
    std::unique_ptr<TwoStageEngine> m_engine;
};

} // namespace

std::unique_ptr<RetrievalEngine> assembleRetrievalEngine(const Lexicon &lexicon, EngineParts parts)
{
    return std::make_unique<OwningEngine>(lexicon, std::move(parts));
}

std::unique_ptr<RetrievalEngine> Services::makeRetrievalEngine(const LlmRoles &roles, EmbeddedLlm llm)
{
    EngineParts parts;
    parts.roles = roles;
    parts.specialists = makeVisionSpecialists(models(), sessions(), wordnet());
    parts.specialists.push_back(std::make_unique<DescribeSpecialist>(
        roles.describe ? std::make_unique<VlmDescriber>(makeLlmClient(*roles.describe)) : nullptr));
    parts.afterRefinedTwin = [this](TwinStore &store, const Twin &twin, VideoId id) {
        return componentEmbeddingHook(store)(twin, id);
    };
    // What refinement can run here, from the installed models (nothing is loaded to find out).
    parts.refineKinds.emplace();
    const std::vector<std::pair<RefinementKind, const char *>> modelRoles = {{RefinementKind::Ocr, "ocr"},
                                                                               {RefinementKind::Faces, "face"},
                                                                               {RefinementKind::Mask, "segmenter"},
                                                                               {RefinementKind::Depth, "depth"},
                                                                               {RefinementKind::Dense, "detector"}};
    for (const auto &[kind, role] : modelRoles)
        if (models().bestAvailable(role))
            parts.refineKinds->push_back(kind);
    if (roles.describe)
        parts.refineKinds->push_back(RefinementKind::Describe);
    // The trained aligner when its weights are installed; without one every video goes to the reasoning stage.
    parts.coarse = coarseSearch();
    if (llm == EmbeddedLlm::Use && !localLlmManifest().empty()) {
        parts.localClient = [this]() -> std::unique_ptr<LlmClient> {
            auto client = makeLazyLocalLlmClient();
            return m_llmReplyCache ? makeCachingLlmClient(std::move(client), llmReplyCacheDir()) : std::move(client);
        };
        if (!roles.reason) {
            // A small model on a CPU reads ~50 tokens/s and writes ~10: a twin view of ~900 tokens, short reasoning.
            parts.reasoner.compact.maxTokens = 900;
            parts.reasoner.compact.keyFrames = 2;
            parts.reasoner.compact.alternatives = 2;
            parts.reasoner.compact.relationships = 16;
            parts.reasoner.compact.observations = 12;
            parts.reasoner.maxGaps = 2;
            parts.reasoner.maxSteps = 4;
            parts.reasoner.maxStepChars = 160;
            parts.reasoner.maxObjects = 6;
            parts.reasoner.maxSpans = 4;
        }
    }
    return assembleRetrievalEngine(lexicon(), std::move(parts));
}

} // namespace ts
