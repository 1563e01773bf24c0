#include "refineassembly.h"

#include "reason/llmclient.h"
#include "reason/vlmdescriber.h"
#include "services.h"
#include "store/twinstore.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <set>
#include <tuple>

namespace ts {

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

FrameIndex lastFrameOf(const Twin &twin)
{
    if (twin.video.frameCount > 0)
        return twin.video.frameCount - 1;
    FrameIndex last = 0;
    for (const FrameRecord &f : twin.frames)
        last = std::max(last, f.frameIndex);
    for (const Track &t : twin.tracks)
        last = std::max(last, t.lastFrame);
    return last;
}

std::string duration(double ms)
{
    char buf[32];
    if (ms < 1000.0)
        std::snprintf(buf, sizeof buf, " [%.0f ms]", ms);
    else
        std::snprintf(buf, sizeof buf, " [%.1f s]", ms / 1000.0);
    return buf;
}

std::string quoted(const std::string &text, size_t maxBytes)
{
    std::string t = text.substr(0, maxBytes);
    while (!t.empty() && (static_cast<unsigned char>(t.back()) & 0x80))
        t.pop_back(); // no half of a UTF-8 sequence in the trace
    return "\"" + t + (t.size() < text.size() ? "...\"" : "\"");
}

/// ts::Refiner for the vision specialists, the describe role's VLM for descriptions.
class ModelSpecialistRunner : public SpecialistRunner {
public:
    ModelSpecialistRunner(Services &services, const std::optional<LlmEndpoint> &describe) : m_services(services)
    {
        if (describe)
            m_describer = std::make_unique<VlmDescriber>(makeLlmClient(*describe));
    }

    Result<RefinementOutcome> run(const Twin &twin, const RefinementRequest &request, FrameWindow window,
                                  const CancelToken &cancel) override
    {
        using R = Result<RefinementOutcome>;
        if (request.kind == "describe")
            return describe(twin, request, window, cancel);
        // One Refiner, one request at a time: it owns a video reader and detectors that are not thread-safe, and
        // queries rarely refine concurrently.
        std::lock_guard<std::mutex> lock(m_mutex);
        if (!m_refiner)
            m_refiner = std::make_unique<Refiner>(m_services.models(), m_services.sessions(), m_services.wordnet());
        if (request.kind == "ocr")
            return m_refiner->ocr(twin, window, request.trackId, cancel);
        if (request.kind == "faces")
            return m_refiner->faces(twin, window, request.trackId, cancel);
        if (request.kind == "depth")
            return m_refiner->depth(twin, window, cancel);
        if (request.kind == "mask") {
            if (request.trackId == 0)
                return R::error("a better mask needs a track");
            return m_refiner->betterMask(twin, window, request.trackId, cancel);
        }
        if (request.kind == "dense") {
            // Denser than ingest, but bounded: the refiner caps the frames per window too.
            const double fps =
                twin.video.fps > 0 ? std::min(twin.video.fps, std::max(8.0, 2.0 * twin.sampling.detectFps)) : 8.0;
            return m_refiner->denseSample(twin, window, fps, cancel);
        }
        return R::error("no specialist for '" + request.kind + "'");
    }

private:
    Result<RefinementOutcome> describe(const Twin &twin, const RefinementRequest &request, FrameWindow window,
                                       const CancelToken &cancel)
    {
        using R = Result<RefinementOutcome>;
        if (!m_describer)
            return R::error("no describe endpoint is configured (set the describe role or TWINSEEK_DESCRIBE_URL), so "
                            "nothing was described");
        auto o = m_describer->describe(twin, request.trackId, window.first, window.last, cancel);
        if (!o)
            return R::error(o);
        RefinementOutcome out;
        out.specialist = "describe";
        out.model = m_describer->name();
        out.runtime = "llm";
        out.window = window;
        out.summary =
            "described " + (request.trackId ? "track " + std::to_string(request.trackId) : std::string("the frames"));
        out.analysedFrames = 1;
        out.observations.push_back(std::move(o).value());
        return out;
    }

    Services &m_services;
    std::mutex m_mutex;
    std::unique_ptr<Refiner> m_refiner;
    std::unique_ptr<VlmDescriber> m_describer; ///< thread-safe on its own
};

} // namespace

std::unique_ptr<SpecialistRunner> makeSpecialistRunner(Services &services, const std::optional<LlmEndpoint> &describe)
{
    return std::make_unique<ModelSpecialistRunner>(services, describe);
}

// ---------------------------------------------------------------------------------------------------------------

JitRefinement::JitRefinement(std::unique_ptr<SpecialistRunner> runner, JitLimits limits)
    : m_runner(std::move(runner)), m_limits(limits)
{
}

JitRefinement::~JitRefinement() = default;

JitRefinement::Binding::~Binding()
{
    if (!m_owner)
        return;
    std::lock_guard<std::mutex> lock(m_owner->m_bindMutex);
    m_owner->m_stores.erase(m_thread);
}

JitRefinement::Binding JitRefinement::bind(TwinStore &store)
{
    const auto id = std::this_thread::get_id();
    std::lock_guard<std::mutex> lock(m_bindMutex);
    m_stores[id] = &store;
    return Binding(this, id);
}

TwinStore *JitRefinement::boundStore() const
{
    std::lock_guard<std::mutex> lock(m_bindMutex);
    auto it = m_stores.find(std::this_thread::get_id());
    return it == m_stores.end() ? nullptr : it->second;
}

RefineFn JitRefinement::refineFunction()
{
    return [this](const Twin &twin, const std::vector<RefinementRequest> &requests, const CancelToken &cancel,
                  std::vector<TraceStep> &trace) -> Result<Twin> {
        TwinStore *store = boundStore();
        if (!store)
            return Result<Twin>::error("no library is bound to this query's thread");
        return refine(*store, twin, requests, cancel, trace);
    };
}

Result<Twin> JitRefinement::refine(TwinStore &store, const Twin &twin, const std::vector<RefinementRequest> &requests,
                                   const CancelToken &cancel, std::vector<TraceStep> &trace)
{
    using R = Result<Twin>;
    const auto tStart = Clock::now();
    // The pipeline's twin has no masks; refining it and saving it would wipe the stored masks.
    auto stored = store.loadTwin(twin.video.key, TwinDetail::Full);
    if (!stored)
        return R::error("the library has no twin of '" + twin.video.key + "': " + stored.message());
    Twin full = std::move(stored).value();
    if (!twin.video.contentHash.empty() && full.video.contentHash != twin.video.contentHash)
        return R::error("the video '" + twin.video.key + "' changed since this query loaded it");

    const FrameIndex last = lastFrameOf(full);
    const double fps = full.video.fps > 0 ? full.video.fps : 25.0;
    const FrameIndex maxLength = std::max<FrameIndex>(1, std::llround(m_limits.maxWindowSeconds * fps));

    std::vector<RefinementRequest> todo;
    std::set<std::tuple<std::string, TrackId, FrameIndex, FrameIndex>> seen;
    int skipped = 0;
    for (const RefinementRequest &r : requests) {
        if (!seen.insert({r.kind, r.trackId, r.firstFrame, r.lastFrame}).second)
            continue;
        if (static_cast<int>(todo.size()) >= m_limits.maxRequests) {
            ++skipped;
            continue;
        }
        todo.push_back(r);
    }
    if (skipped > 0)
        trace.push_back({"refine",
                         std::to_string(skipped) + " more request(s) not run: at most " +
                             std::to_string(m_limits.maxRequests) + " per candidate",
                         "jit", -1, 0.0});

    int ran = 0;
    bool framesChanged = false;
    std::vector<Observation> added;
    for (const RefinementRequest &r : todo) {
        if (cancel.isCancelled())
            return R::cancelled();
        FrameIndex a = std::clamp<FrameIndex>(std::min(r.firstFrame, r.lastFrame), 0, last);
        FrameIndex b = std::clamp<FrameIndex>(std::max(r.firstFrame, r.lastFrame), 0, last);
        const bool cut = b - a + 1 > maxLength;
        if (cut) {
            a = std::max<FrameIndex>(0, (a + b) / 2 - maxLength / 2);
            b = std::min(last, a + maxLength - 1);
        }
        std::string what = r.kind +
                           (r.trackId ? " on track " + std::to_string(r.trackId) : std::string(" on the whole frame")) +
                           ", frames " + std::to_string(a) + "-" + std::to_string(b);
        if (cut)
            what += " (cut from " + std::to_string(r.firstFrame) + "-" + std::to_string(r.lastFrame) + ")";
        if (r.trackId != 0 && !full.track(r.trackId)) {
            trace.push_back({"refine", what + ": not run: the twin has no such track", r.kind, a, 0.0});
            continue;
        }
        const auto t0 = Clock::now();
        auto outcome = m_runner->run(full, r, FrameWindow{a, b}, cancel);
        if (!outcome) {
            if (cancel.isCancelled())
                return R::cancelled();
            const double ms = msSince(t0);
            trace.push_back({"refine", what + ": not run: " + outcome.message() + duration(ms), r.kind, a, ms});
            continue;
        }
        const size_t before = full.observations.size();
        if (const Status s = applyRefinement(full, *outcome); !s) {
            const double ms = msSince(t0);
            trace.push_back({"refine", what + ": result not used: " + s.message() + duration(ms), r.kind, a, ms});
            continue;
        }
        ++ran;
        // A text search that read nothing is a result too: recorded, the reasoner does not ask for it again.
        if (r.kind == "ocr" && full.observations.size() == before) {
            Observation pass;
            pass.kind = "ocr-pass";
            pass.trackId = r.trackId;
            pass.firstFrame = a;
            pass.lastFrame = b;
            pass.source = outcome->model;
            full.observations.push_back(pass);
            added.push_back(pass);
        }
        std::string found;
        size_t newObs = 0;
        for (size_t i = before; i < full.observations.size(); ++i) {
            if (full.observations[i].kind == "ocr-pass")
                continue; // already in `added`
            added.push_back(full.observations[i]);
            ++newObs;
            if (i < before + 3)
                found += (found.empty() ? "" : ", ") + quoted(full.observations[i].text, 60);
        }
        std::string text = what + " by " + (outcome->model.empty() ? r.kind : outcome->model) + ": ";
        text += newObs ? std::to_string(newObs) + " new observation(s) " + found : std::string("no new observation");
        if (!outcome->frames.empty())
            text += ", " + std::to_string(outcome->frames.size()) + " frame(s) analysed";
        if (!outcome->replacedInstances.empty())
            text += ", " + std::to_string(outcome->replacedInstances.size()) + " instance(s) updated";
        if (!outcome->newTracks.empty())
            text += ", " + std::to_string(outcome->newTracks.size()) + " new track(s)";
        if (!outcome->summary.empty())
            text += " (" + outcome->summary + ")";
        const double ms = msSince(t0);
        trace.push_back({"refine", text + duration(ms), outcome->model.empty() ? r.kind : outcome->model, a, ms});
        framesChanged = framesChanged || !outcome->frames.empty() || !outcome->replacedInstances.empty() ||
                        !outcome->newTracks.empty();
    }
    if (ran == 0)
        return R::error("no specialist ran");

    // Observations alone are appended in place: that keeps the video's coarse-stage components and embeddings,
    // which replacing the twin would drop.
    const auto tSave = Clock::now();
    Status saved = Status::ok();
    if (framesChanged) {
        auto id = storeRefinedTwin(store, full);
        saved = id.status();
        // ALIGNER: once core/align provides the component encoder, re-embed this video's components here
        // (storeRefinedTwin dropped them with the old twin).
    } else if (!added.empty()) {
        saved = store.addObservations(full.video.key, added);
    }
    if (!saved)
        trace.push_back({"refine", "not saved in the library (used for this query only): " + saved.message(), "jit", -1,
                         msSince(tSave)});
    else if (framesChanged || !added.empty())
        trace.push_back({"refine",
                         framesChanged ? "refined twin saved in the library"
                                       : std::to_string(added.size()) + " observation(s) saved in the library",
                         "jit", -1, msSince(tStart)});

    for (FrameRecord &f : full.frames)
        for (Instance &in : f.instances)
            in.mask = Rle();
    return full;
}

} // namespace ts
