// twinseek-cli query and decompose: the two-stage retrieval from the command line.
#include "commands.h"

#include "eval/benchmarks.h"

#include "reason/builtinreasoner.h"
#include "reason/llmreasoner.h"
#include "retrieval/pipeline.h"
#include "terminal.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>

namespace ts::cli {

namespace {

using json = nlohmann::json;

/// Grounding masks of a result as COCO RLE per analysed frame (union of the grounded objects).
json groundingMasks(const Twin &twin, const VideoResult &r)
{
    json masks = json::object();
    if (r.objects.empty())
        return masks;
    std::vector<TrackId> ids;
    for (const GroundedObject &o : r.objects)
        ids.push_back(o.trackId);
    for (const FrameRecord &f : twin.frames) {
        bool any = false;
        for (const Instance &in : f.instances)
            if (std::find(ids.begin(), ids.end(), in.trackId) != ids.end() && in.mask.area() > 0)
                any = true;
        if (!any)
            continue;
        const Rle m = twin.maskOf(ids, f.frameIndex);
        masks[std::to_string(f.frameIndex)] = toJson(m);
    }
    return masks;
}

/// 0: answered over the whole library; 1: the answer could not be saved as asked; 3: answered, but some stored twins
/// could not be read, so the answer does not cover every video.
int queryExitCode(const QueryResult &r)
{
    if (!r.saveError.empty())
        return 1;
    return r.damaged.empty() ? 0 : 3;
}

} // namespace

RetrievalOptions retrievalOptions(const QCommandLineParser &p, bool reasonerIsLocal)
{
    RetrievalOptions o;
    // An embedded LLM on a CPU reads a twin in tens of seconds: fast mode by default, and deep mode lets it read
    // only the built-in judge's shortlist. A server judges every candidate.
    const QString mode = p.value("mode").toLower();
    o.mode = mode == "fast"   ? ReasoningMode::Fast
             : mode == "deep" ? ReasoningMode::Deep
                              : (reasonerIsLocal ? ReasoningMode::Fast : ReasoningMode::Deep);
    o.deepJudging = p.value("deep-judging").toLower() == "each" ? DeepJudging::Each : DeepJudging::Compare;
    // Comparing reads a short summary per video in one request: five cost less than three judgements.
    const int localShortlist = o.deepJudging == DeepJudging::Compare ? 5 : 3;
    o.deepCandidates = p.isSet("deep-candidates") ? std::max(0, p.value("deep-candidates").toInt())
                                                  : (reasonerIsLocal ? localShortlist : 0);
    o.top = std::max(1, p.value("top").toInt());
    if (p.isSet("candidates"))
        o.candidates = std::max(1, p.value("candidates").toInt());
    o.decompose = !p.isSet("no-decompose");
    o.align = !p.isSet("no-align");
    o.reason = !p.isSet("no-reason");
    o.jit = !p.isSet("no-jit");
    if (p.isSet("threshold"))
        o.relevanceThreshold = p.value("threshold").toDouble();
    if (p.isSet("coarse-weight"))
        o.coarseWeight = std::max(0.0, p.value("coarse-weight").toDouble());
    if (p.isSet("aggregate") && p.value("aggregate") == "min")
        o.aggregation = Aggregation::Min;
    return o;
}

void addRetrievalOptions(QCommandLineParser &p)
{
    p.addOption({"top", "Results to return (default 10).", "N", "10"});
    p.addOption({"candidates", "Videos the coarse stage passes to the reasoning stage (default 30 with an LLM "
                               "reasoner, 200 with the built-in one).", "K"});
    p.addOption({"no-decompose", "Ablation: the whole query is one sub-query."});
    p.addOption({"no-align", "Ablation: no coarse stage; every video is reasoned over."});
    p.addOption({"no-reason", "Ablation: the coarse ranking is final."});
    p.addOption({"no-jit", "Ablation: no just-in-time refinement."});
    p.addOption({"threshold", "Relevance below which the reasoner drops a candidate (default 0.1).", "R"});
    p.addOption({"coarse-weight", "Weight of the coarse score beside the relevance in the final ranking (default 0.5).",
                 "W"});
    p.addOption({"aggregate", "Sub-query aggregation of the coarse stage: mean (default) or min.", "MODE"});
    p.addOption({"mode", "fast (LLM decomposition, built-in judge) or deep (the LLM judges and asks for refinement); "
                         "default: fast with the embedded LLM, deep with an LLM endpoint.", "MODE"});
    p.addOption({"deep-candidates", "Deep mode: the LLM reads only the N best of the built-in judgement (default 5 "
                                    "to compare, 3 to judge each, with the embedded LLM; 0 = every candidate, one "
                                    "by one, with an endpoint).", "N"});
    p.addOption({"deep-judging", "Deep mode: compare (the LLM reads the shortlist side by side and says which "
                                 "videos fit the query; those rank first; the default) or each (one judgement per "
                                 "candidate).", "HOW"});
}

bool reasonerIsLocal(Services &services, const LlmRoles &roles)
{
    return !roles.reason && !services.localLlmManifest().empty();
}

int query(Services &services, const QStringList &args)
{
    QCommandLineParser p;
    p.addOption(dbOption());
    addRetrievalOptions(p);
    p.addOption({"json", "Print one JSON document (grounding masks as COCO RLE per frame)."});
    p.addOption({"save", "Record the query and its results in the library."});
    if (!parse(p, args, "query", "QUERY: what to look for, in plain words."))
        return 2;
    const QStringList pos = p.positionalArguments().mid(1);
    if (pos.isEmpty())
        return fail("query: give the query text");
    const std::string text = pos.join(' ').toStdString();
    auto store = openDb(p, LibraryAccess::WriteIfPossible);
    if (!store)
        return fail(store.message());
    auto roles = Services::llmRolesFromEnv();
    if (!roles)
        return fail(roles.message());
    auto engine = services.makeRetrievalEngine(*roles);
    RetrievalOptions options = retrievalOptions(p, reasonerIsLocal(services, *roles));
    options.saveToLibrary = p.isSet("save");
    CancelToken cancel;
    auto r = engine->run(**store, text, options, cancel, {});
    if (!r)
        return fail(r.message());
    if (p.isSet("json")) {
        json j = toJson(*r);
        for (size_t i = 0; i < r->results.size(); ++i) {
            auto twin = (*store)->loadTwin(r->results[i].key);
            if (twin)
                j["results"][i]["masks"] = groundingMasks(*twin, r->results[i]);
        }
        std::cout << j.dump(2) << "\n";
        return queryExitCode(*r);
    }
    std::printf("query: %s\n", text.c_str());
    std::printf("sub-queries (%s):\n", r->decomposer.c_str());
    for (size_t i = 0; i < r->subQueries.size(); ++i) {
        const SubQuery &s = r->subQueries[i];
        std::printf("  [%zu] %-9s %s%s (weight %.2f)\n", i, subQueryKindName(s.kind).c_str(), s.negated ? "NOT " : "",
                    s.text.c_str(), s.weight);
    }
    for (const TraceStep &t : r->trace)
        if (t.kind == "fallback" || t.kind == "align" || t.kind == "language")
            std::printf("  note: %s\n", t.text.c_str());
    if (!r->damaged.empty())
        std::printf("  warning: %s\n", printable(damagedTwinsNote(r->damaged)).c_str());
    if (r->results.empty())
        std::printf("no video satisfies the query (%d of %d videos rejected by the reasoner%s)\n", r->dropped,
                    r->librarySize,
                    r->damaged.empty() ? "" : (", " + std::to_string(r->damaged.size()) + " not read").c_str());
    for (const VideoResult &v : r->results) {
        std::printf("\n#%d  %-28s score %.3f", v.rank, printable(v.key).c_str(), v.score);
        if (v.relevance >= 0)
            std::printf("  relevance %.3f", v.relevance);
        std::printf("  coarse %.3f  (%s)\n", v.coarseScore, v.reasoner.c_str());
        std::string sat;
        for (int s : v.satisfied)
            sat += (sat.empty() ? "" : ", ") + std::to_string(s);
        std::printf("    satisfies sub-queries: %s\n", sat.empty() ? "-" : sat.c_str());
        for (const GroundedObject &o : v.objects) {
            std::string spans;
            for (const FrameSpan &s : o.spans)
                spans += (spans.empty() ? "" : ", ") + std::to_string(s.first) + "-" + std::to_string(s.last);
            std::printf("    object track %d '%s' frames %s\n", o.trackId, printable(o.label).c_str(), spans.c_str());
        }
        for (const TraceStep &t : v.trace)
            std::printf("    %-8s %s\n", t.kind.c_str(), printable(t.text).c_str());
    }
    std::printf("\n");
    for (const StageTiming &t : r->timings)
        std::printf("%s %.1f ms  ", t.stage.c_str(), t.ms);
    std::printf("\n");
    if (r->savedQueryId > 0)
        std::printf("saved in the library as query %lld\n", static_cast<long long>(r->savedQueryId));
    if (!r->saveError.empty())
        std::fprintf(stderr, "twinseek-cli: %s\n", r->saveError.c_str());
    return queryExitCode(*r);
}

int decompose(Services &services, const QStringList &args)
{
    QCommandLineParser p;
    p.addOption({"json", "Print JSON."});
    p.addOption({"builtin", "Use the built-in grammar even when an LLM is available."});
    if (!parse(p, args, "decompose", "QUERY: the query to split into sub-queries."))
        return 2;
    const std::string text = p.positionalArguments().mid(1).join(' ').toStdString();
    if (text.empty())
        return fail("decompose: give the query text");
    // The decomposer a query would get: a configured endpoint, else the embedded LLM, else the built-in grammar.
    std::unique_ptr<LlmClient> client;
    bool local = false;
    if (!p.isSet("builtin")) {
        auto roles = Services::llmRolesFromEnv();
        if (!roles)
            return fail(roles.message());
        client = roles->decompose ? makeLlmClient(*roles->decompose) : services.makeLazyLocalLlmClient();
        local = !roles->decompose;
    }
    Result<Decomposition> d = Result<Decomposition>::error("no LLM");
    if (client) {
        LlmDecomposer llm(std::move(client), nullptr, local ? DecompositionFormat::Compact : DecompositionFormat::Full);
        d = llm.decompose(text, CancelToken());
        if (!d)
            std::fprintf(stderr, "LLM decomposition failed (%s); the built-in grammar decomposes\n", d.message().c_str());
    }
    if (!d) {
        BuiltinDecomposer builtin(services.lexicon());
        d = builtin.decompose(text, CancelToken());
    }
    if (!d)
        return fail(d.message());
    if (p.isSet("json")) {
        json subs = json::array();
        for (const SubQuery &s : d->subQueries)
            subs.push_back(toJson(s));
        std::cout << json{{"query", text}, {"source", d->source}, {"sub_queries", subs}}.dump(2) << "\n";
        return 0;
    }
    std::printf("decomposed by %s\n", d->source.c_str());
    for (const SubQuery &s : d->subQueries) {
        std::string concepts;
        for (const std::string &c : s.concepts)
            concepts += (concepts.empty() ? " [" : ", ") + c;
        std::printf("%-9s %s%s (%.2f)%s\n", subQueryKindName(s.kind).c_str(), s.negated ? "NOT " : "", s.text.c_str(),
                    s.weight, concepts.empty() ? "" : (concepts + "]").c_str());
    }
    return 0;
}

} // namespace ts::cli

namespace ts::cli {

int benchQuery(Services &services, const QStringList &args)
{
    QCommandLineParser p;
    p.addOption(dbOption());
    p.addOption({"bench", "Query set whose queries are timed (JSON Lines).", "FILE"});
    p.addOption({"repeat", "Timed passes over the queries after one warm-up pass (default 3; 1 with an LLM).", "N"});
    p.addOption({"limit", "Time only the first N queries.", "N"});
    addRetrievalOptions(p);
    if (!parse(p, args, "bench-query", ""))
        return 2;
    // Timing an LLM means asking it: answers from the reply cache would time the disk.
    services.setLlmReplyCacheEnabled(false);
    if (!p.isSet("bench"))
        return fail("bench-query: --bench FILE is required");
    auto store = openDb(p, LibraryAccess::WriteIfPossible);
    if (!store)
        return fail(store.message());
    std::vector<std::string> queries;
    {
        std::ifstream in(p.value("bench").toStdString());
        std::string line;
        while (std::getline(in, line)) {
            auto j = nlohmann::json::parse(line, nullptr, false);
            if (j.is_object() && j.contains("query") && j["query"].is_string())
                queries.push_back(j["query"].get<std::string>());
        }
    }
    if (p.isSet("limit") && p.value("limit").toInt() > 0 && p.value("limit").toInt() < static_cast<int>(queries.size()))
        queries.resize(static_cast<size_t>(p.value("limit").toInt()));
    if (queries.empty())
        return fail("bench-query: no queries in " + p.value("bench").toStdString());
    auto roles = Services::llmRolesFromEnv();
    if (!roles)
        return fail(roles.message());
    auto engine = services.makeRetrievalEngine(*roles);
    const bool llm = roles->decompose || roles->reason || !services.localLlmManifest().empty();
    RetrievalOptions options = retrievalOptions(p, reasonerIsLocal(services, *roles));
    // Warm-up: loads WordNet, the word vectors, the twins and the concept profiles once, as a running app has; with
    // an LLM one query suffices (it also loads the model). The LLM's usage counts the timed passes only.
    const int repeat = std::max(1, p.isSet("repeat") ? p.value("repeat").toInt() : (llm ? 1 : 3));
    LlmUsage usageBefore;
    auto timed = benchQueryLatency(*engine, **store, queries, options, llm ? 1 : queries.size(), repeat,
                                   [&] { usageBefore = services.localLlmUsage(); });
    if (!timed)
        return fail(timed.message());
    const QueryLatencyBench &b = *timed;
    std::printf("%zu queries x %d passes on a library of %zu videos (warm-up pass %.1f s)\n", queries.size(), repeat,
                (*store)->videos().size(), b.warmupSeconds);
    std::printf("query latency: p50 %.1f ms, p95 %.1f ms, max %.1f ms\n", latencyPercentile(b.totalMs, 0.5),
                latencyPercentile(b.totalMs, 0.95), latencyPercentile(b.totalMs, 1.0));
    for (const auto &[stage, v] : b.stageMs)
        std::printf("  %-10s p50 %7.1f ms  p95 %7.1f ms\n", stage.c_str(), latencyPercentile(v, 0.5),
                    latencyPercentile(v, 0.95));
    const LlmUsage usage = services.localLlmUsage() - usageBefore;
    if (usage.promptTokens > 0 || usage.generatedTokens > 0)
        std::printf("embedded LLM: prompt %.1f tokens/s (%d evaluated, %d more reused from the prefix cache), "
                    "generation %.1f tokens/s (%d tokens)\n",
                    usage.promptMs > 0 ? 1000.0 * (usage.promptTokens - usage.reusedTokens) / usage.promptMs : 0.0,
                    usage.promptTokens - usage.reusedTokens, usage.reusedTokens,
                    usage.generateMs > 0 ? 1000.0 * usage.generatedTokens / usage.generateMs : 0.0,
                    usage.generatedTokens);
    std::printf("peak RSS %.0f MB\n", peakRssKb() / 1024.0);
    return 0;
}

} // namespace ts::cli
