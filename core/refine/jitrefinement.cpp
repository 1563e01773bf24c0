#include "jitrefinement.h"

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

} // namespace

struct JitRefinement::Planned {
    FrameWindow window;
    std::string what; ///< "ocr on track 1, frames 74-173 (cut from 0-249)"
};

JitRefinement::JitRefinement(std::vector<std::unique_ptr<Specialist>> specialists, JitLimits limits,
                             RefinedTwinHook afterStore)
    : m_limits(limits), m_afterStore(std::move(afterStore))
{
    for (auto &s : specialists)
        if (s) {
            const RefinementKind kind = s->kind();
            m_specialists[kind] = std::move(s);
        }
}

JitRefinement::~JitRefinement() = default;

std::vector<RefinementRequest> JitRefinement::bounded(const std::vector<RefinementRequest> &requests,
                                                      std::vector<TraceStep> &trace) const
{
    std::vector<RefinementRequest> todo;
    std::set<std::tuple<RefinementKind, TrackId, FrameIndex, FrameIndex>> seen;
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
    return todo;
}

JitRefinement::Planned JitRefinement::plan(const Twin &full, const RefinementRequest &r) const
{
    const FrameIndex last = full.lastKnownFrame();
    const double fps = full.video.fps > 0 ? full.video.fps : 25.0;
    const FrameIndex maxLength = std::max<FrameIndex>(1, std::llround(m_limits.maxWindowSeconds * fps));
    FrameIndex a = std::clamp<FrameIndex>(std::min(r.firstFrame, r.lastFrame), 0, last);
    FrameIndex b = std::clamp<FrameIndex>(std::max(r.firstFrame, r.lastFrame), 0, last);
    const bool cut = b - a + 1 > maxLength;
    if (cut) {
        a = std::max<FrameIndex>(0, (a + b) / 2 - maxLength / 2);
        b = std::min(last, a + maxLength - 1);
    }
    std::string what = refinementKindName(r.kind) +
                       (r.trackId ? " on track " + std::to_string(r.trackId) : std::string(" on the whole frame")) +
                       ", frames " + std::to_string(a) + "-" + std::to_string(b);
    if (cut)
        what += " (cut from " + std::to_string(r.firstFrame) + "-" + std::to_string(r.lastFrame) + ")";
    return {FrameWindow{a, b}, what};
}

namespace {

/// What one merged outcome added, as the trace says it; observations new to the twin are appended to `added`.
std::string describeOutcome(Twin &full, const RefinementRequest &r, FrameWindow window, const RefinementOutcome &outcome,
                            size_t before, std::vector<Observation> &added)
{
    // A text search that read nothing is a result too: recorded, the reasoner does not ask for it again.
    if (r.kind == RefinementKind::Ocr && full.observations.size() == before) {
        Observation pass;
        pass.kind = "ocr-pass";
        pass.trackId = r.trackId;
        pass.firstFrame = window.first;
        pass.lastFrame = window.last;
        pass.source = outcome.model;
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
    std::string text = "by " + (outcome.model.empty() ? refinementKindName(r.kind) : outcome.model) + ": ";
    text += newObs ? std::to_string(newObs) + " new observation(s) " + found : std::string("no new observation");
    if (!outcome.frames.empty())
        text += ", " + std::to_string(outcome.frames.size()) + " frame(s) analysed";
    if (!outcome.replacedInstances.empty())
        text += ", " + std::to_string(outcome.replacedInstances.size()) + " instance(s) updated";
    if (!outcome.newTracks.empty())
        text += ", " + std::to_string(outcome.newTracks.size()) + " new track(s)";
    if (!outcome.summary.empty())
        text += " (" + outcome.summary + ")";
    return text;
}

/// Keeps what refinement changed in the library: the whole twin when frames changed (the store re-keys its rows),
/// else only the new observations, which keeps the video's coarse-stage components and embeddings.
void save(TwinStore &store, const Twin &full, bool framesChanged, const std::vector<Observation> &added,
          const RefinedTwinHook &afterStore, Clock::time_point tStart, std::vector<TraceStep> &trace)
{
    const auto tSave = Clock::now();
    Status saved = Status::ok();
    if (framesChanged) {
        auto id = store.putRefinedTwin(full);
        saved = id.status();
        // The old twin's components and embeddings went with it; made again now, the next query's coarse stage
        // does not have to heal them on its own time.
        if (id && afterStore)
            if (const Status s = afterStore(store, full, *id); !s)
                trace.push_back({"refine", "the refined twin's components could not be embedded: " + s.message(),
                                 "jit", -1, msSince(tSave)});
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
}

} // namespace

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

    int ran = 0;
    bool framesChanged = false;
    std::vector<Observation> added;
    for (const RefinementRequest &r : bounded(requests, trace)) {
        if (cancel.isCancelled())
            return R::cancelled();
        const Planned p = plan(full, r);
        const FrameIndex a = p.window.first;
        const std::string kind = refinementKindName(r.kind);
        if (r.trackId != 0 && !full.track(r.trackId)) {
            trace.push_back({"refine", p.what + ": not run: the twin has no such track", kind, a, 0.0});
            continue;
        }
        const auto specialist = m_specialists.find(r.kind);
        if (specialist == m_specialists.end()) {
            trace.push_back({"refine", p.what + ": not run: no " + kind + " specialist here", kind, a, 0.0});
            continue;
        }
        const auto t0 = Clock::now();
        auto outcome = specialist->second->run(full, p.window, r.trackId, cancel);
        if (!outcome) {
            if (cancel.isCancelled())
                return R::cancelled();
            const double ms = msSince(t0);
            trace.push_back({"refine", p.what + ": not run: " + outcome.message() + duration(ms), kind, a, ms});
            continue;
        }
        const size_t before = full.observations.size();
        if (const Status s = applyRefinement(full, *outcome); !s) {
            const double ms = msSince(t0);
            trace.push_back({"refine", p.what + ": result not used: " + s.message() + duration(ms), kind, a, ms});
            continue;
        }
        ++ran;
        const std::string text = p.what + " " + describeOutcome(full, r, p.window, *outcome, before, added);
        const double ms = msSince(t0);
        trace.push_back({"refine", text + duration(ms), outcome->model.empty() ? kind : outcome->model, a, ms});
        framesChanged = framesChanged || !outcome->frames.empty() || !outcome->replacedInstances.empty() ||
                        !outcome->newTracks.empty();
    }
    if (ran == 0)
        return R::error("no specialist ran");
    save(store, full, framesChanged, added, m_afterStore, tStart, trace);
    for (FrameRecord &f : full.frames)
        for (Instance &in : f.instances)
            in.mask = Rle();
    return full;
}

} // namespace ts
