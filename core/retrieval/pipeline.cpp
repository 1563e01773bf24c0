#include "pipeline.h"

#include "align/coarsesearch.h"
#include "store/twinstore.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <atomic>
#include <chrono>
#include <thread>

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
        return R::error(t.message());
    auto shared = std::make_shared<const Twin>(std::move(t).value());
    std::lock_guard<std::mutex> lock(m_cacheMutex);
    m_twins[key] = {version, shared};
    return shared;
}

Result<QueryResult> TwoStageEngine::run(TwinStore &store, const std::string &query, const RetrievalOptions &options,
                                        const CancelToken &cancel, const QueryObserver &observer)
{
    using R = Result<QueryResult>;
    QueryResult out;
    out.query = query;
    const auto tStart = Clock::now();
    auto report = [&observer](double f, const char *stage) {
        if (observer.progress)
            observer.progress(f, stage);
    };
    if (!m_roles.builtinDecomposer || !m_roles.builtinReasoner)
        return R::error("the built-in reasoner is not available");
    if (query.size() > kMaxQueryBytes)
        return R::error("the query is " + std::to_string(query.size()) + " bytes long; at most " +
                        std::to_string(kMaxQueryBytes) + " are accepted");

    // 1. Query decomposition.
    report(0.0, "decomposing the query");
    bool explicitSubQueries = false;
    auto t0 = Clock::now();
    if (options.decompose) {
        Result<Decomposition> d = Result<Decomposition>::error("no LLM decomposer");
        if (m_roles.decomposer) {
            d = m_roles.decomposer->decompose(query, cancel);
            if (!d && d.message() != "cancelled")
                out.trace.push_back({"fallback", "decomposition by " + m_roles.decomposer->name() + " failed (" +
                                                     d.message() + "); the built-in reasoner decomposes instead",
                                     "pipeline", -1, 0.0});
        }
        if (!d && cancel.isCancelled())
            return R::error("cancelled");
        if (!d)
            d = m_roles.builtinDecomposer->decompose(query, cancel);
        if (!d)
            return R::error("decomposition failed: " + d.message());
        out.subQueries = d->subQueries;
        out.decomposer = d->source;
        explicitSubQueries = m_roles.decomposer && d->source == m_roles.decomposer->name();
        for (auto &s : d->trace)
            out.trace.push_back(s);
    } else {
        SubQuery whole;
        whole.kind = SubQueryKind::Object;
        whole.text = query;
        out.subQueries.push_back(whole);
        out.decomposer = "none";
    }
    out.timings.push_back({"decompose", msSince(t0)});
    if (cancel.isCancelled())
        return R::error("cancelled");
    if (observer.decomposed)
        observer.decomposed(out.subQueries, out.decomposer);

    // 2. Candidates: the coarse stage's top-K, or the whole library.
    report(0.1, "aligning sub-queries with twin components");
    t0 = Clock::now();
    const std::vector<VideoRow> rows = store.videos();
    std::map<int64_t, const VideoRow *> byId;
    int done = 0;
    for (const VideoRow &r : rows)
        if (r.status == VideoStatus::Done) {
            byId[r.id] = &r;
            ++done;
        }
    out.librarySize = done;
    struct Candidate {
        const VideoRow *row = nullptr;
        double coarse = 0.0;
        std::vector<float> perSub;
        std::vector<int64_t> bestComponent;
    };
    std::vector<Candidate> candidates;
    if (options.align && m_roles.coarse) {
        // An LLM reading every candidate's twin takes 30; the built-in judge (fast mode, or the shortlist of a deep
        // cascade) reads 200 in well under a second.
        const bool llmReadsAll = m_roles.reasoner && options.mode == ReasoningMode::Deep && options.deepCandidates <= 0;
        const int wanted =
            options.candidates > 0 ? options.candidates : std::max(options.top, llmReadsAll ? 30 : 200);
        const int k = options.reason ? wanted : std::max(options.top, wanted);
        auto hits = m_roles.coarse->search(store, out.subQueries, k, options.aggregation, cancel);
        if (!hits)
            return R::error("coarse search failed: " + hits.message());
        for (const CoarseHit &h : *hits) {
            auto it = byId.find(h.videoId);
            if (it != byId.end())
                candidates.push_back({it->second, h.score, h.perSubQuery, h.bestComponent});
        }
        out.trace.push_back({"align", "coarse stage kept " + std::to_string(candidates.size()) + " of " +
                                          std::to_string(done) + " videos (encoder " + m_roles.coarse->encoderVersion() + ")",
                             "aligner", -1, msSince(t0)});
        // Videos whose components this encoder has not embedded yet cannot be ranked by it; they go to the
        // reasoning stage unranked rather than being lost.
        int unembedded = 0;
        for (const VideoRow &r : rows)
            if (r.status == VideoStatus::Done && r.encoderVersion != m_roles.coarse->encoderVersion()) {
                const bool already = std::any_of(candidates.begin(), candidates.end(),
                                                 [&r](const Candidate &c) { return c.row->id == r.id; });
                if (!already) {
                    candidates.push_back({&r, 0.0, {}, {}});
                    ++unembedded;
                }
            }
        if (unembedded > 0)
            out.trace.push_back({"align", std::to_string(unembedded) + " videos have no embeddings for this encoder " +
                                              "and are reasoned over directly (run `twinseek-cli embed`)",
                                 "aligner", -1, 0.0});
    } else {
        for (const VideoRow &r : rows)
            if (r.status == VideoStatus::Done)
                candidates.push_back({&r, 0.0, {}, {}});
        if (options.align && !m_roles.coarse)
            out.trace.push_back({"align", "no trained aligner: every video goes to the reasoning stage", "pipeline", -1, 0.0});
    }
    out.timings.push_back({"align", msSince(t0)});

    // 3. Reasoning rerank.
    std::vector<VideoResult> results;
    if (options.reason) {
        report(0.3, "reasoning over candidates");
        t0 = Clock::now();
        ReasonQuery rq{query, out.subQueries, options.decompose, explicitSubQueries, m_roles.refineKinds};
        if (!options.jit || !m_roles.refine)
            rq.refinements = {"none"}; // nothing can run: gaps are still noted in the trace, not requested
        std::vector<std::shared_ptr<const Twin>> twins(candidates.size());
        for (size_t i = 0; i < candidates.size(); ++i) {
            auto twin = twinOf(store, candidates[i].row->key, candidates[i].row->ingestedAt);
            if (twin)
                twins[i] = *twin;
            else
                out.damaged.push_back({candidates[i].row->key, twin.message()});
        }
        if (!out.damaged.empty())
            out.trace.push_back({"error", damagedTwinsNote(out.damaged), "store", -1, 0.0});
        std::vector<const Twin *> ptrs;
        for (const auto &t : twins)
            if (t)
                ptrs.push_back(t.get());
        Reasoner *builtin = m_roles.builtinReasoner;
        Reasoner *primary = m_roles.reasoner && options.mode == ReasoningMode::Deep ? m_roles.reasoner : builtin;
        // Deep mode over a slow LLM: the built-in judge shortlists, the LLM reads the shortlist (one candidate at a
        // time, or all of it side by side).
        const bool cascade = primary != builtin && options.deepCandidates > 0 &&
                             candidates.size() > static_cast<size_t>(options.deepCandidates);
        const bool comparing = cascade && m_roles.comparer && options.deepJudging == DeepJudging::Compare;
        std::vector<bool> comparerFits(candidates.size(), false); // the shortlisted videos the comparer said fit
        builtin->prepare(rq, ptrs); // the default, the shortlist of a cascade, and the fallback of an LLM
        if (primary != builtin)
            primary->prepare(rq, ptrs);
        std::vector<Result<ReasonVerdict>> verdicts(candidates.size(), Result<ReasonVerdict>::error("not run"));
        std::vector<Reasoner *> judgedBy(candidates.size(), primary);
        std::vector<std::vector<TraceStep>> extraTrace(candidates.size());
        auto judge = [&](size_t i, const Twin &twin) {
            Result<ReasonVerdict> v = judgedBy[i]->reason(rq, twin, cancel);
            if (!v && judgedBy[i] != builtin && !cancel.isCancelled()) {
                extraTrace[i].push_back({"fallback", judgedBy[i]->name() + " failed (" + v.message() +
                                                         "); the built-in reasoner judged this video",
                                         "pipeline", -1, 0.0});
                judgedBy[i] = builtin; // each worker writes only its own candidate
                v = builtin->reason(rq, twin, cancel);
            }
            return v;
        };
        // A candidate's result from its verdict: for the final ranking and for the provisional ones a caller sees.
        auto toResult = [&](size_t i) {
            const ReasonVerdict &v = *verdicts[i];
            VideoResult r;
            r.key = candidates[i].row->key;
            r.videoId = candidates[i].row->id;
            r.coarseScore = candidates[i].coarse;
            r.relevance = v.relevance;
            // Reasoning and alignment are fused; in a cascade the LLM's verdicts come first.
            r.score = v.relevance + options.coarseWeight * candidates[i].coarse +
                      (cascade && (judgedBy[i] == primary || comparerFits[i]) ? 1.0 : 0.0);
            r.objects = v.objects;
            r.satisfied = v.satisfied;
            if (explicitSubQueries && judgedBy[i] == builtin) {
                // The built-in judge counts its own parse of the query, not the LLM's sub-queries the result shows.
                r.satisfied.clear();
                for (GroundedObject &o : r.objects)
                    o.subQueries.clear();
            }
            r.reasoner = comparerFits[i] ? v.source + ", confirmed by " + m_roles.comparer->name() : v.source;
            r.trace = extraTrace[i];
            for (const auto &s : v.trace)
                r.trace.push_back(s);
            return r;
        };
        // The LLM's verdicts reach the observer as they arrive (the built-in judge answers all at once, in well
        // under a second: its verdicts wait for the ranking).
        std::atomic<int> llmJudged{0};
        int llmToJudge = 0;
        auto announce = [&](size_t i, bool refined) {
            if (!observer.judged || !verdicts[i])
                return;
            CandidateEvent e;
            e.result = toResult(i);
            e.judged = refined ? llmJudged.load() : ++llmJudged;
            e.toJudge = llmToJudge;
            e.refined = refined;
            observer.judged(e);
        };
        // LLM calls over the network wait: run several at once; the built-in reasoner is quick, and an embedded
        // LLM serialises its calls anyway.
        auto judgeAll = [&](const std::vector<size_t> &which, int threads, double from, double to) {
            std::atomic<size_t> next{0};
            std::atomic<int> finished{0};
            auto worker = [&] {
                for (size_t n = next++; n < which.size(); n = next++) {
                    const size_t i = which[n];
                    if (cancel.isCancelled())
                        return;
                    const bool forLlm = judgedBy[i] != builtin;
                    if (twins[i])
                        verdicts[i] = judge(i, *twins[i]);
                    else
                        verdicts[i] = Result<ReasonVerdict>::error("twin could not be loaded");
                    if (forLlm)
                        announce(i, false);
                    report(from + (to - from) * (++finished) / std::max<size_t>(1, which.size()),
                           "reasoning over candidates");
                }
            };
            std::vector<std::thread> pool;
            for (int t = 1; t < std::min<int>(threads, static_cast<int>(which.size())); ++t)
                pool.emplace_back(worker);
            worker();
            for (auto &th : pool)
                th.join();
        };
        double llmBest = 0.0; // cascade: the best relevance the LLM gave
        auto capUnread = [&](size_t i) {
            if (!cascade || judgedBy[i] != builtin || !verdicts[i] || verdicts[i]->relevance <= llmBest)
                return;
            verdicts[i]->relevance = llmBest;
            verdicts[i]->trace.push_back({"cascade",
                                          "not read by " + primary->name() + "; relevance capped at " +
                                              std::to_string(llmBest).substr(0, 4) +
                                              ", the best it gave to the videos it read",
                                          "pipeline", -1, 0.0});
        };
        // The comparer reads the shortlist (best first) side by side; the videos it says fit rank before the rest,
        // in the built-in order among themselves. Its failure, or no video fitting, leaves the built-in ranking as
        // it is: the threshold of the built-in judge decides what is dropped.
        auto compareShortlist = [&](const std::vector<size_t> &order) {
            std::vector<const Twin *> shortlist;
            std::vector<size_t> shown;
            for (size_t i : order)
                if (twins[i] && shortlist.size() < static_cast<size_t>(Comparer::kMaxCandidates)) {
                    shortlist.push_back(twins[i].get());
                    shown.push_back(i);
                }
            if (shortlist.empty())
                return;
            auto c = m_roles.comparer->compare(rq, shortlist, cancel);
            if (!c) {
                if (!cancel.isCancelled())
                    out.trace.push_back({"fallback",
                                         m_roles.comparer->name() + " could not compare the shortlist (" +
                                             c.message() + "); the built-in ranking stands",
                                         "pipeline", -1, 0.0});
                return;
            }
            for (size_t n = 0; n < shown.size(); ++n) {
                const size_t i = shown[n];
                const bool fits = n < c->fits.size() && c->fits[n];
                comparerFits[i] = fits;
                std::string text = "read beside " + std::to_string(shown.size() - 1) + " other shortlisted videos: " +
                                   (fits ? "fits the query" : "does not fit the query");
                if (n < c->notes.size() && !c->notes[n].empty())
                    text += " (sees: " + c->notes[n] + ")";
                extraTrace[i].push_back({"compare", text, c->source, -1, 0.0});
                for (const TraceStep &s : c->trace)
                    extraTrace[i].push_back(s);
            }
            for (size_t i : shown)
                announce(i, false);
        };
        std::vector<size_t> all(candidates.size());
        for (size_t i = 0; i < all.size(); ++i)
            all[i] = i;
        if (cascade) {
            std::fill(judgedBy.begin(), judgedBy.end(), builtin);
            judgeAll(all, 2, 0.3, 0.4);
            std::vector<size_t> order;
            for (size_t i : all)
                if (verdicts[i])
                    order.push_back(i);
            std::stable_sort(order.begin(), order.end(),
                             [&](size_t a, size_t b) { return verdicts[a]->relevance > verdicts[b]->relevance; });
            order.resize(std::min(order.size(), static_cast<size_t>(options.deepCandidates)));
            llmToJudge = static_cast<int>(order.size());
            if (comparing) {
                report(0.4, "comparing the shortlist");
                compareShortlist(order);
            } else {
                for (size_t i : order)
                    judgedBy[i] = primary;
                judgeAll(order, 4, 0.4, 0.8);
                // The LLM read the most promising videos; the others rank after those it accepted and are believed
                // no more relevant than the best it found.
                for (size_t i : order)
                    if (verdicts[i] && judgedBy[i] == primary)
                        llmBest = std::max(llmBest, verdicts[i]->relevance);
                for (size_t i : all)
                    capUnread(i);
            }
            out.trace.push_back({"reason",
                                 "deep mode: the built-in judge shortlisted " + std::to_string(order.size()) + " of " +
                                     std::to_string(candidates.size()) + " candidates for " +
                                     (comparing ? m_roles.comparer->name() + " to compare" : primary->name()),
                                 "pipeline", -1, 0.0});
        } else {
            llmToJudge = primary != builtin ? static_cast<int>(all.size()) : 0;
            judgeAll(all, primary != builtin ? 4 : 2, 0.3, 0.8);
        }
        if (cancel.isCancelled())
            return R::error("cancelled");
        out.timings.push_back({"reason", msSince(t0)});

        // 4. Just-in-time refinement for the leading candidates that named gaps.
        if (options.jit && m_roles.refine) {
            t0 = Clock::now();
            std::vector<size_t> order;
            for (size_t i = 0; i < candidates.size(); ++i)
                if (verdicts[i] && !verdicts[i]->gaps.empty())
                    order.push_back(i);
            std::sort(order.begin(), order.end(),
                      [&](size_t x, size_t y) { return verdicts[x]->relevance > verdicts[y]->relevance; });
            int refined = 0;
            for (size_t i : order) {
                if (refined >= kJitCandidates || cancel.isCancelled())
                    break;
                if (verdicts[i]->relevance < options.relevanceThreshold)
                    continue;
                report(0.8, "refining twins just in time");
                std::vector<TraceStep> steps;
                for (const RefinementRequest &g : verdicts[i]->gaps)
                    steps.push_back({"gap", g.kind + ": " + g.why, verdicts[i]->source, g.firstFrame, 0.0});
                auto t1 = Clock::now();
                auto refinedTwin = m_roles.refine(*twins[i], verdicts[i]->gaps, cancel, steps);
                ++refined;
                if (!refinedTwin) {
                    steps.push_back({"refine", "refinement failed: " + refinedTwin.message(), "refiner", -1, msSince(t1)});
                    for (auto &s : steps)
                        extraTrace[i].push_back(s);
                    continue;
                }
                auto shared = std::make_shared<const Twin>(std::move(refinedTwin).value());
                {
                    std::lock_guard<std::mutex> lock(m_cacheMutex);
                    m_twins.erase(candidates[i].row->key); // the store holds the refined twin now
                }
                twins[i] = shared;
                auto again = judge(i, *shared);
                if (again) {
                    steps.push_back({"refine", "reasoning resumed on the refined twin: relevance " +
                                                   std::to_string(verdicts[i]->relevance).substr(0, 4) + " -> " +
                                                   std::to_string(again->relevance).substr(0, 4),
                                     again->source, -1, msSince(t1)});
                    // The refined verdict's own gaps are what is still missing; do not loop on them.
                    again->gaps.clear();
                    verdicts[i] = std::move(again);
                    capUnread(i);
                }
                for (auto &s : steps)
                    extraTrace[i].push_back(s);
                announce(i, true);
            }
            out.timings.push_back({"refine", msSince(t0)});
        }

        for (size_t i = 0; i < candidates.size(); ++i) {
            if (!verdicts[i])
                continue;
            if (verdicts[i]->relevance < options.relevanceThreshold) {
                ++out.dropped;
                continue;
            }
            results.push_back(toResult(i));
        }
    } else {
        for (const Candidate &c : candidates) {
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
    }
    std::stable_sort(results.begin(), results.end(),
                     [](const VideoResult &a, const VideoResult &b) { return a.score > b.score; });
    if (static_cast<int>(results.size()) > options.top)
        results.resize(static_cast<size_t>(std::max(0, options.top)));
    for (size_t i = 0; i < results.size(); ++i)
        results[i].rank = static_cast<int>(i + 1);
    out.results = std::move(results);
    if (options.saveToLibrary)
        saveQueryResult(store, options, out);
    out.timings.push_back({"total", msSince(tStart)});
    report(1.0, "done");
    return out;
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
