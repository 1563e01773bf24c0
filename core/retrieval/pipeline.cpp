#include "pipeline.h"

#include "base/workers.h"
#include "retrieval/coarsesearch.h"
#include "store/twinstore.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <atomic>
#include <chrono>
#include <map>

namespace ts {

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t0)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// Candidates whose twins JiT may refine in one query: refinement runs models, so it is kept for the videos that
// could change the top of the ranking.
constexpr int kJitCandidates = 3;

} // namespace

TwoStageEngine::TwoStageEngine(PipelineRoles roles) : m_roles(std::move(roles)) {}

Result<std::shared_ptr<const Twin>> TwoStageEngine::twinOf(TwinStore &store, const std::string &key,
                                                           const std::string &version)
{
    using R = Result<std::shared_ptr<const Twin>>;
    {
        std::lock_guard<std::mutex> lock(m_cacheMutex);
        auto it = m_twins.find(key);
        if (it != m_twins.end() && it->second.first == version)
            return it->second.second;
    }
    auto t = store.loadTwin(key, TwinDetail::NoMasks);
    if (!t)
        return R::error(t);
    auto shared = std::make_shared<const Twin>(std::move(t).value());
    std::lock_guard<std::mutex> lock(m_cacheMutex);
    m_twins[key] = {version, shared};
    return shared;
}

/// One query through the engine: its state and the stages, in the order run() calls them. Lives for one run() on
/// the caller's worker thread; judging fans out to a few more threads, each writing only its own candidates.
class TwoStageEngine::Run {
public:
    Run(TwoStageEngine &engine, TwinStore &store, const std::string &query, const RetrievalOptions &options,
        const CancelToken &cancel, const QueryObserver &observer)
        : m_engine(engine), m_roles(engine.m_roles), m_store(store), m_options(options), m_cancel(cancel),
          m_observer(observer)
    {
        m_out.query = query;
    }

    Result<QueryResult> run()
    {
        using R = Result<QueryResult>;
        const auto tStart = Clock::now();
        if (!m_roles.builtinDecomposer || !m_roles.builtinReasoner)
            return R::error("the built-in reasoner is not available");
        if (m_out.query.size() > kMaxQueryBytes)
            return R::error("the query is " + std::to_string(m_out.query.size()) + " bytes long; at most " +
                            std::to_string(kMaxQueryBytes) + " are accepted");
        if (Status s = decompose(); !s)
            return R::error(s);
        if (Status s = align(); !s)
            return R::error(s);
        std::vector<VideoResult> results;
        if (m_options.reason) {
            report(0.3, "reasoning over candidates");
            auto t0 = Clock::now();
            loadTwins();
            judge();
            if (m_cancel.isCancelled())
                return R::cancelled();
            m_out.timings.push_back({"reason", msSince(t0)});
            if (m_options.jit && m_roles.refine) {
                t0 = Clock::now();
                refine();
                m_out.timings.push_back({"refine", msSince(t0)});
            }
            results = judgedResults();
        } else {
            results = coarseResults();
        }
        std::stable_sort(results.begin(), results.end(),
                         [](const VideoResult &a, const VideoResult &b) { return a.score > b.score; });
        if (static_cast<int>(results.size()) > m_options.top)
            results.resize(static_cast<size_t>(std::max(0, m_options.top)));
        for (size_t i = 0; i < results.size(); ++i)
            results[i].rank = static_cast<int>(i + 1);
        m_out.results = std::move(results);
        if (m_options.saveToLibrary)
            saveQueryResult(m_store, m_options, m_out);
        m_out.timings.push_back({"total", msSince(tStart)});
        report(1.0, "done");
        return std::move(m_out);
    }

private:
    struct Candidate {
        const VideoRow *row = nullptr;
        double coarse = 0.0;
        std::vector<float> perSub;
        std::vector<int64_t> bestComponent;
    };

    void report(double fraction, const char *stage) const
    {
        if (m_observer.progress)
            m_observer.progress(fraction, stage);
    }

    /// 1. Query decomposition: the LLM's when there is one (the built-in decomposer if it fails), or the whole
    /// query as one sub-query in the ablation.
    Status decompose()
    {
        report(0.0, "decomposing the query");
        const auto t0 = Clock::now();
        if (m_options.decompose) {
            Result<Decomposition> d = Result<Decomposition>::error("no LLM decomposer");
            if (m_roles.decomposer) {
                d = m_roles.decomposer->decompose(m_out.query, m_cancel);
                if (!d && !d.isCancelled())
                    m_out.trace.push_back({"fallback", "decomposition by " + m_roles.decomposer->name() +
                                                           " failed (" + d.message() +
                                                           "); the built-in reasoner decomposes instead",
                                           "pipeline", -1, 0.0});
            }
            if (!d && m_cancel.isCancelled())
                return Status::cancelled();
            if (!d)
                d = m_roles.builtinDecomposer->decompose(m_out.query, m_cancel);
            if (!d)
                return Status::error("decomposition failed: " + d.message());
            m_out.subQueries = d->subQueries;
            m_out.decomposer = d->source;
            m_explicitSubQueries = m_roles.decomposer && d->source == m_roles.decomposer->name();
            for (auto &s : d->trace)
                m_out.trace.push_back(s);
        } else {
            SubQuery whole;
            whole.kind = SubQueryKind::Object;
            whole.text = m_out.query;
            m_out.subQueries.push_back(whole);
            m_out.decomposer = "none";
        }
        m_out.timings.push_back({"decompose", msSince(t0)});
        if (m_cancel.isCancelled())
            return Status::cancelled();
        if (m_observer.decomposed)
            m_observer.decomposed(m_out.subQueries, m_out.decomposer);
        return Status::ok();
    }

    /// 2. Candidates: the coarse stage's top-K, or the whole library.
    Status align()
    {
        report(0.1, "aligning sub-queries with twin components");
        const auto t0 = Clock::now();
        m_rows = m_store.videos();
        std::map<int64_t, const VideoRow *> byId;
        int done = 0;
        for (const VideoRow &r : m_rows)
            if (r.status == VideoStatus::Done) {
                byId[r.id] = &r;
                ++done;
            }
        m_out.librarySize = done;
        if (m_options.align && m_roles.coarse) {
            // An LLM reading every candidate's twin takes 30; the built-in judge (fast mode, or the shortlist of a
            // deep cascade) reads 200 in well under a second.
            const bool llmReadsAll =
                m_roles.reasoner && m_options.mode == ReasoningMode::Deep && m_options.deepCandidates <= 0;
            const int wanted =
                m_options.candidates > 0 ? m_options.candidates : std::max(m_options.top, llmReadsAll ? 30 : 200);
            const int k = m_options.reason ? wanted : std::max(m_options.top, wanted);
            auto hits = m_roles.coarse->search(m_store, m_out.subQueries, k, m_options.aggregation, m_cancel);
            if (!hits)
                return Status::error("coarse search failed: " + hits.message());
            for (const CoarseHit &h : *hits) {
                auto it = byId.find(h.videoId);
                if (it != byId.end())
                    m_candidates.push_back({it->second, h.score, h.perSubQuery, h.bestComponent});
            }
            m_out.trace.push_back({"align",
                                   "coarse stage kept " + std::to_string(m_candidates.size()) + " of " +
                                       std::to_string(done) + " videos (encoder " + m_roles.coarse->encoderVersion() +
                                       ")",
                                   "aligner", -1, msSince(t0)});
            addUnembedded();
        } else {
            for (const VideoRow &r : m_rows)
                if (r.status == VideoStatus::Done)
                    m_candidates.push_back({&r, 0.0, {}, {}});
            if (m_options.align && !m_roles.coarse)
                m_out.trace.push_back(
                    {"align", "no trained aligner: every video goes to the reasoning stage", "pipeline", -1, 0.0});
        }
        m_out.timings.push_back({"align", msSince(t0)});
        return Status::ok();
    }

    /// Videos whose components this encoder has not embedded yet cannot be ranked by it; they go to the reasoning
    /// stage unranked rather than being lost.
    void addUnembedded()
    {
        int unembedded = 0;
        for (const VideoRow &r : m_rows)
            if (r.status == VideoStatus::Done && r.encoderVersion != m_roles.coarse->encoderVersion()) {
                const bool already = std::any_of(m_candidates.begin(), m_candidates.end(),
                                                 [&r](const Candidate &c) { return c.row->id == r.id; });
                if (!already) {
                    m_candidates.push_back({&r, 0.0, {}, {}});
                    ++unembedded;
                }
            }
        if (unembedded > 0)
            m_out.trace.push_back({"align",
                                   std::to_string(unembedded) + " videos have no embeddings for this encoder " +
                                       "and are reasoned over directly (run `twinseek-cli embed`)",
                                   "aligner", -1, 0.0});
    }

    /// The candidates' twins (damaged ones are reported, not judged) and who judges them.
    void loadTwins()
    {
        m_rq = ReasonQuery{m_out.query, m_out.subQueries, m_options.decompose, m_explicitSubQueries,
                           m_roles.refineKinds};
        if (!m_options.jit || !m_roles.refine)
            m_rq.refinements.emplace(); // nothing can run: gaps are still noted in the trace, not requested
        const size_t n = m_candidates.size();
        m_twins.assign(n, nullptr);
        for (size_t i = 0; i < n; ++i) {
            auto twin = m_engine.twinOf(m_store, m_candidates[i].row->key, m_candidates[i].row->ingestedAt);
            if (twin)
                m_twins[i] = *twin;
            else
                m_out.damaged.push_back({m_candidates[i].row->key, twin.message()});
        }
        if (!m_out.damaged.empty())
            m_out.trace.push_back({"error", damagedTwinsNote(m_out.damaged), "store", -1, 0.0});
        m_builtin = m_roles.builtinReasoner;
        m_primary = m_roles.reasoner && m_options.mode == ReasoningMode::Deep ? m_roles.reasoner : m_builtin;
        // Deep mode over a slow LLM: the built-in judge shortlists, the LLM reads the shortlist (one candidate at a
        // time, or all of it side by side).
        m_cascade = m_primary != m_builtin && m_options.deepCandidates > 0 &&
                    n > static_cast<size_t>(m_options.deepCandidates);
        m_comparing = m_cascade && m_roles.comparer && m_options.deepJudging == DeepJudging::Compare;
        m_verdicts.assign(n, Result<ReasonVerdict>::error("not run"));
        m_judgedBy.assign(n, m_primary);
        m_extraTrace.assign(n, {});
        m_comparerFits.assign(n, false);
    }

    /// 3. Reasoning rerank: the built-in judge, the LLM, or the built-in judge's shortlist read by the LLM.
    void judge()
    {
        std::vector<const Twin *> ptrs;
        for (const auto &t : m_twins)
            if (t)
                ptrs.push_back(t.get());
        m_builtin->prepare(m_rq, ptrs); // the default, the shortlist of a cascade, and the fallback of an LLM
        if (m_primary != m_builtin)
            m_primary->prepare(m_rq, ptrs);
        std::vector<size_t> all(m_candidates.size());
        for (size_t i = 0; i < all.size(); ++i)
            all[i] = i;
        if (!m_cascade) {
            m_llmToJudge = m_primary != m_builtin ? static_cast<int>(all.size()) : 0;
            judgeAll(all, m_primary != m_builtin ? 4 : 2, 0.3, 0.8);
            return;
        }
        std::fill(m_judgedBy.begin(), m_judgedBy.end(), m_builtin);
        judgeAll(all, 2, 0.3, 0.4);
        std::vector<size_t> order;
        for (size_t i : all)
            if (m_verdicts[i])
                order.push_back(i);
        std::stable_sort(order.begin(), order.end(),
                         [&](size_t a, size_t b) { return m_verdicts[a]->relevance > m_verdicts[b]->relevance; });
        order.resize(std::min(order.size(), static_cast<size_t>(m_options.deepCandidates)));
        m_llmToJudge = static_cast<int>(order.size());
        if (m_comparing) {
            report(0.4, "comparing the shortlist");
            compareShortlist(order);
        } else {
            for (size_t i : order)
                m_judgedBy[i] = m_primary;
            judgeAll(order, 4, 0.4, 0.8);
            // The LLM read the most promising videos; the others rank after those it accepted and are believed
            // no more relevant than the best it found.
            for (size_t i : order)
                if (m_verdicts[i] && m_judgedBy[i] == m_primary)
                    m_llmBest = std::max(m_llmBest, m_verdicts[i]->relevance);
            for (size_t i : all)
                capUnread(i);
        }
        m_out.trace.push_back({"reason",
                               "deep mode: the built-in judge shortlisted " + std::to_string(order.size()) + " of " +
                                   std::to_string(m_candidates.size()) + " candidates for " +
                                   (m_comparing ? m_roles.comparer->name() + " to compare" : m_primary->name()),
                               "pipeline", -1, 0.0});
    }

    /// One candidate by the judge it was given; an LLM's failure falls back to the built-in judge.
    Result<ReasonVerdict> judgeOne(size_t i, const Twin &twin)
    {
        Result<ReasonVerdict> v = m_judgedBy[i]->reason(m_rq, twin, m_cancel);
        if (!v && m_judgedBy[i] != m_builtin && !m_cancel.isCancelled()) {
            m_extraTrace[i].push_back({"fallback",
                                       m_judgedBy[i]->name() + " failed (" + v.message() +
                                           "); the built-in reasoner judged this video",
                                       "pipeline", -1, 0.0});
            m_judgedBy[i] = m_builtin; // each worker writes only its own candidate
            v = m_builtin->reason(m_rq, twin, m_cancel);
        }
        return v;
    }

    /// LLM calls over the network wait: run several at once; the built-in reasoner is quick, and an embedded LLM
    /// serialises its calls anyway.
    void judgeAll(const std::vector<size_t> &which, int threads, double from, double to)
    {
        std::atomic<int> finished{0};
        forEachOnWorkers(which.size(), threads, [&](size_t n, int) {
            const size_t i = which[n];
            if (m_cancel.isCancelled())
                return;
            const bool forLlm = m_judgedBy[i] != m_builtin;
            if (m_twins[i])
                m_verdicts[i] = judgeOne(i, *m_twins[i]);
            else
                m_verdicts[i] = Result<ReasonVerdict>::error("twin could not be loaded");
            if (forLlm)
                announce(i, false);
            report(from + (to - from) * (++finished) / std::max<size_t>(1, which.size()), "reasoning over candidates");
        });
    }

    /// The comparer reads the shortlist (best first) side by side; the videos it says fit rank before the rest, in
    /// the built-in order among themselves. Its failure, or no video fitting, leaves the built-in ranking as it is:
    /// the threshold of the built-in judge decides what is dropped.
    void compareShortlist(const std::vector<size_t> &order)
    {
        std::vector<const Twin *> shortlist;
        std::vector<size_t> shown;
        for (size_t i : order)
            if (m_twins[i] && shortlist.size() < static_cast<size_t>(Comparer::kMaxCandidates)) {
                shortlist.push_back(m_twins[i].get());
                shown.push_back(i);
            }
        if (shortlist.empty())
            return;
        auto c = m_roles.comparer->compare(m_rq, shortlist, m_cancel);
        if (!c) {
            if (!m_cancel.isCancelled())
                m_out.trace.push_back({"fallback",
                                       m_roles.comparer->name() + " could not compare the shortlist (" + c.message() +
                                           "); the built-in ranking stands",
                                       "pipeline", -1, 0.0});
            return;
        }
        for (size_t n = 0; n < shown.size(); ++n) {
            const size_t i = shown[n];
            const bool fits = n < c->fits.size() && c->fits[n];
            m_comparerFits[i] = fits;
            std::string text = "read beside " + std::to_string(shown.size() - 1) + " other shortlisted videos: " +
                               (fits ? "fits the query" : "does not fit the query");
            if (n < c->notes.size() && !c->notes[n].empty())
                text += " (sees: " + c->notes[n] + ")";
            m_extraTrace[i].push_back({"compare", text, c->source, -1, 0.0});
            for (const TraceStep &s : c->trace)
                m_extraTrace[i].push_back(s);
        }
        for (size_t i : shown)
            announce(i, false);
    }

    /// In a per-candidate cascade, a video the LLM did not read is believed no more relevant than the best it read.
    void capUnread(size_t i)
    {
        if (!m_cascade || m_comparing || m_judgedBy[i] != m_builtin || !m_verdicts[i] ||
            m_verdicts[i]->relevance <= m_llmBest)
            return;
        m_verdicts[i]->relevance = m_llmBest;
        m_verdicts[i]->trace.push_back({"cascade",
                                        "not read by " + m_primary->name() + "; relevance capped at " +
                                            std::to_string(m_llmBest).substr(0, 4) +
                                            ", the best it gave to the videos it read",
                                        "pipeline", -1, 0.0});
    }

    /// 4. Just-in-time refinement for the leading candidates that named gaps, then a second judgement.
    void refine()
    {
        std::vector<size_t> order;
        for (size_t i = 0; i < m_candidates.size(); ++i)
            if (m_verdicts[i] && !m_verdicts[i]->gaps.empty())
                order.push_back(i);
        std::sort(order.begin(), order.end(),
                  [&](size_t x, size_t y) { return m_verdicts[x]->relevance > m_verdicts[y]->relevance; });
        int refined = 0;
        for (size_t i : order) {
            if (refined >= kJitCandidates || m_cancel.isCancelled())
                break;
            if (m_verdicts[i]->relevance < m_options.relevanceThreshold)
                continue;
            report(0.8, "refining twins just in time");
            refineOne(i);
            ++refined;
        }
    }

    void refineOne(size_t i)
    {
        std::vector<TraceStep> steps;
        for (const RefinementRequest &g : m_verdicts[i]->gaps)
            steps.push_back({"gap", refinementKindName(g.kind) + ": " + g.why, m_verdicts[i]->source, g.firstFrame, 0.0});
        const auto t1 = Clock::now();
        auto refinedTwin = m_roles.refine(m_store, *m_twins[i], m_verdicts[i]->gaps, m_cancel, steps);
        if (!refinedTwin) {
            steps.push_back({"refine", "refinement failed: " + refinedTwin.message(), "refiner", -1, msSince(t1)});
            for (auto &s : steps)
                m_extraTrace[i].push_back(s);
            return;
        }
        auto shared = std::make_shared<const Twin>(std::move(refinedTwin).value());
        m_engine.forgetTwin(m_candidates[i].row->key); // the store holds the refined twin now
        m_twins[i] = shared;
        auto again = judgeOne(i, *shared);
        if (again) {
            steps.push_back({"refine",
                             "reasoning resumed on the refined twin: relevance " +
                                 std::to_string(m_verdicts[i]->relevance).substr(0, 4) + " -> " +
                                 std::to_string(again->relevance).substr(0, 4),
                             again->source, -1, msSince(t1)});
            // The refined verdict's own gaps are what is still missing; do not loop on them.
            again->gaps.clear();
            m_verdicts[i] = std::move(again);
            capUnread(i);
        }
        for (auto &s : steps)
            m_extraTrace[i].push_back(s);
        announce(i, true);
    }

    /// A candidate's result from its verdict: for the final ranking and for the provisional ones a caller sees.
    VideoResult toResult(size_t i) const
    {
        const ReasonVerdict &v = *m_verdicts[i];
        VideoResult r;
        r.key = m_candidates[i].row->key;
        r.videoId = m_candidates[i].row->id;
        r.coarseScore = m_candidates[i].coarse;
        r.relevance = v.relevance;
        // Reasoning and alignment are fused; in a cascade the LLM's verdicts come first.
        r.score = v.relevance + m_options.coarseWeight * m_candidates[i].coarse +
                  (m_cascade && (m_judgedBy[i] == m_primary || m_comparerFits[i]) ? 1.0 : 0.0);
        r.objects = v.objects;
        r.satisfied = v.satisfied;
        if (m_explicitSubQueries && m_judgedBy[i] == m_builtin) {
            // The built-in judge counts its own parse of the query, not the LLM's sub-queries the result shows.
            r.satisfied.clear();
            for (GroundedObject &o : r.objects)
                o.subQueries.clear();
        }
        r.reasoner = m_comparerFits[i] ? v.source + ", confirmed by " + m_roles.comparer->name() : v.source;
        r.trace = m_extraTrace[i];
        for (const auto &s : v.trace)
            r.trace.push_back(s);
        return r;
    }

    /// The LLM's verdicts reach the observer as they arrive (the built-in judge answers all at once, in well under
    /// a second: its verdicts wait for the ranking).
    void announce(size_t i, bool refined)
    {
        if (!m_observer.judged || !m_verdicts[i])
            return;
        CandidateEvent e;
        e.result = toResult(i);
        e.judged = refined ? m_llmJudged.load() : ++m_llmJudged;
        e.toJudge = m_llmToJudge;
        e.refined = refined;
        m_observer.judged(e);
    }

    std::vector<VideoResult> judgedResults()
    {
        std::vector<VideoResult> results;
        for (size_t i = 0; i < m_candidates.size(); ++i) {
            if (!m_verdicts[i])
                continue;
            if (m_verdicts[i]->relevance < m_options.relevanceThreshold) {
                ++m_out.dropped;
                continue;
            }
            results.push_back(toResult(i));
        }
        return results;
    }

    /// The ablation without reasoning: the coarse ranking is final.
    std::vector<VideoResult> coarseResults() const
    {
        std::vector<VideoResult> results;
        for (const Candidate &c : m_candidates) {
            VideoResult r;
            r.key = c.row->key;
            r.videoId = c.row->id;
            r.coarseScore = c.coarse;
            r.score = c.coarse;
            for (size_t s = 0; s < c.perSub.size(); ++s)
                if (c.perSub[s] >= 0.5f)
                    r.satisfied.push_back(static_cast<int>(s));
            r.reasoner = "none";
            results.push_back(std::move(r));
        }
        return results;
    }

    TwoStageEngine &m_engine;
    const PipelineRoles &m_roles;
    TwinStore &m_store;
    const RetrievalOptions &m_options;
    const CancelToken &m_cancel;
    const QueryObserver &m_observer;
    QueryResult m_out;
    bool m_explicitSubQueries = false;
    std::vector<VideoRow> m_rows;
    std::vector<Candidate> m_candidates; // point into m_rows

    // The reasoning stage, per candidate (index into m_candidates).
    ReasonQuery m_rq;
    std::vector<std::shared_ptr<const Twin>> m_twins;
    std::vector<Result<ReasonVerdict>> m_verdicts;
    std::vector<Reasoner *> m_judgedBy;
    std::vector<std::vector<TraceStep>> m_extraTrace;
    std::vector<bool> m_comparerFits; // written before any verdict is announced, read after
    Reasoner *m_builtin = nullptr;
    Reasoner *m_primary = nullptr;
    bool m_cascade = false;
    bool m_comparing = false;
    double m_llmBest = 0.0; // per-candidate cascade: the best relevance the LLM gave
    std::atomic<int> m_llmJudged{0};
    int m_llmToJudge = 0;
};

Result<QueryResult> TwoStageEngine::run(TwinStore &store, const std::string &query, const RetrievalOptions &options,
                                        const CancelToken &cancel, const QueryObserver &observer)
{
    return Run(*this, store, query, options, cancel, observer).run();
}

void TwoStageEngine::forgetTwin(const std::string &key)
{
    std::lock_guard<std::mutex> lock(m_cacheMutex);
    m_twins.erase(key);
}

std::string damagedTwinsNote(const std::vector<DamagedTwin> &damaged)
{
    std::string keys;
    for (size_t i = 0; i < damaged.size() && i < 5; ++i)
        keys += (i ? ", " : "") + damaged[i].key;
    if (damaged.size() > 5)
        keys += ", ...";
    return std::to_string(damaged.size()) + (damaged.size() == 1 ? " stored twin" : " stored twins") +
           " could not be read and were not judged (" + keys + "; first: " + damaged.front().message +
           "); run `twinseek-cli validate-twins`, then `twinseek-cli ingest --force` on those videos";
}

void saveQueryResult(TwinStore &store, const RetrievalOptions &options, QueryResult &result)
{
    if (store.isReadOnly()) {
        result.saveError = "the query could not be saved: the library is open read-only";
        return;
    }
    // The query row keeps what produced the ranking (settings, sub-queries, query-level trace); each result row keeps
    // the whole result (objects, trace) so a saved query can be shown again without running it.
    nlohmann::json context = toJson(result);
    context.erase("results");
    context["options"] = {{"top", options.top},
                          {"candidates", options.candidates},
                          {"decompose", options.decompose},
                          {"align", options.align},
                          {"reason", options.reason},
                          {"jit", options.jit},
                          {"mode", options.mode == ReasoningMode::Deep ? "deep" : "fast"},
                          {"deep_candidates", options.deepCandidates},
                          {"deep_judging", options.deepJudging == DeepJudging::Compare ? "compare" : "each"},
                          {"relevance_threshold", options.relevanceThreshold},
                          {"coarse_weight", options.coarseWeight},
                          {"aggregation", options.aggregation == Aggregation::Min ? "min" : "mean"}};
    std::vector<std::pair<VideoId, double>> ranking;
    std::vector<std::string> rows;
    for (const VideoResult &r : result.results) {
        ranking.emplace_back(r.videoId, r.score);
        rows.push_back(toJson(r).dump());
    }
    auto id = store.saveQuery(result.query, context.dump(), ranking, rows);
    if (id)
        result.savedQueryId = *id;
    else
        result.saveError = "the query could not be saved in the library: " + id.message();
}

} // namespace ts
