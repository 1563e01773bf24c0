// Just-in-time refinement wired to the specialists: turns the gaps a reasoner names into bounded specialist runs
// (ts::Refiner for ocr, mask, dense, faces and depth; the describe role's VLM for describe), merges what they find
// into the stored twin, saves it so later queries reuse it, and records every step in the reasoning trace.
#pragma once

#include "reason/llmconfig.h"
#include "reason/reasoner.h"
#include "retrieval/pipeline.h"
#include "vision/refinement.h"

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace ts {

class Services;
class TwinStore;

/// Runs the specialist one refinement request names on a window JitRefinement has already bounded. The seam
/// between planning and models: the app plugs in its specialists, tests plug in their own.
class SpecialistRunner {
public:
    virtual ~SpecialistRunner() = default;
    /// Blocking; called on a query's worker thread. twin is the full stored twin (masks included). Returns what
    /// to merge into the twin; "describe" returns an observation of kind "description".
    virtual Result<RefinementOutcome> run(const Twin &twin, const RefinementRequest &request, FrameWindow window,
                                          const CancelToken &cancel) = 0;
};

/// This machine's specialists: a ts::Refiner (models and sessions from services, loaded on first use) and, when
/// describe is set, its VLM. services must outlive the runner.
std::unique_ptr<SpecialistRunner> makeSpecialistRunner(Services &services, const std::optional<LlmEndpoint> &describe);

struct JitLimits {
    int maxRequests = 3;           ///< specialist runs per candidate and refinement round
    double maxWindowSeconds = 4.0; ///< longer windows are cut to this, around their middle
};

class JitRefinement {
public:
    explicit JitRefinement(std::unique_ptr<SpecialistRunner> runner, JitLimits limits = {});
    ~JitRefinement();
    JitRefinement(const JitRefinement &) = delete;
    JitRefinement &operator=(const JitRefinement &) = delete;

    /// Runs the (bounded) requests on the stored twin of twin.video.key, merges every outcome that fits, saves the
    /// result in store and appends one trace step per request. Returns the refined twin without masks (as the
    /// pipeline keeps twins), or an error when no specialist ran; then nothing is stored. Worker thread.
    Result<Twin> refine(TwinStore &store, const Twin &twin, const std::vector<RefinementRequest> &requests,
                        const CancelToken &cancel, std::vector<TraceStep> &trace);

    /// While a Binding lives, refineFunction() calls made on the thread that created it save into its store.
    /// The pipeline runs refinement on the thread that runs the query, so the engine binds its store per run.
    class Binding {
    public:
        Binding(Binding &&other) noexcept : m_owner(other.m_owner), m_thread(other.m_thread)
        {
            other.m_owner = nullptr;
        }
        Binding(const Binding &) = delete;
        Binding &operator=(const Binding &) = delete;
        Binding &operator=(Binding &&) = delete;
        ~Binding();

    private:
        friend class JitRefinement;
        Binding(JitRefinement *owner, std::thread::id thread) : m_owner(owner), m_thread(thread) {}
        JitRefinement *m_owner;
        std::thread::id m_thread;
    };
    [[nodiscard]] Binding bind(TwinStore &store);

    /// For PipelineRoles::refine: refine() with the store bound to the calling thread.
    RefineFn refineFunction();

private:
    TwinStore *boundStore() const;

    std::unique_ptr<SpecialistRunner> m_runner;
    JitLimits m_limits;
    mutable std::mutex m_bindMutex;
    std::map<std::thread::id, TwinStore *> m_stores;
};

} // namespace ts
