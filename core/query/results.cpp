#include "results.h"

#include <nlohmann/json.hpp>

namespace ts {

using json = nlohmann::json;

namespace {

constexpr const char *kKindNames[] = {"object", "attribute", "spatial", "temporal", "count", "scene", "action"};

} // namespace

std::string subQueryKindName(SubQueryKind kind) { return kKindNames[static_cast<int>(kind)]; }

SubQueryKind subQueryKindFromName(const std::string &name)
{
    for (int i = 0; i < 7; ++i)
        if (name == kKindNames[i])
            return static_cast<SubQueryKind>(i);
    if (name == "relation" || name == "relationship")
        return SubQueryKind::Spatial;
    if (name == "event" || name == "motion")
        return SubQueryKind::Action;
    return SubQueryKind::Object;
}

json toJson(const SubQuery &s)
{
    json j{{"kind", subQueryKindName(s.kind)}, {"text", s.text}, {"weight", s.weight}};
    if (s.negated)
        j["negated"] = true;
    if (!s.concepts.empty())
        j["concepts"] = s.concepts;
    return j;
}

json toJson(const TraceStep &t)
{
    json j{{"kind", t.kind}, {"text", t.text}};
    if (!t.source.empty())
        j["source"] = t.source;
    if (t.frameIndex >= 0)
        j["frame"] = t.frameIndex;
    if (t.ms > 0)
        j["ms"] = t.ms;
    return j;
}

json toJson(const VideoResult &r)
{
    json objects = json::array();
    for (const GroundedObject &o : r.objects) {
        json spans = json::array();
        for (const FrameSpan &s : o.spans)
            spans.push_back({s.first, s.last});
        objects.push_back({{"track", o.trackId}, {"label", o.label}, {"spans", spans}, {"score", o.score},
                           {"sub_queries", o.subQueries}});
    }
    json trace = json::array();
    for (const TraceStep &t : r.trace)
        trace.push_back(toJson(t));
    json j{{"rank", r.rank},           {"key", r.key},         {"score", r.score},
           {"coarse_score", r.coarseScore}, {"satisfied", r.satisfied}, {"objects", objects},
           {"trace", trace},           {"reasoner", r.reasoner}};
    if (r.relevance >= 0)
        j["relevance"] = r.relevance;
    return j;
}

json toJson(const QueryResult &r)
{
    json subs = json::array();
    for (const SubQuery &s : r.subQueries)
        subs.push_back(toJson(s));
    json results = json::array();
    for (const VideoResult &v : r.results)
        results.push_back(toJson(v));
    json trace = json::array();
    for (const TraceStep &t : r.trace)
        trace.push_back(toJson(t));
    json timings = json::object();
    for (const StageTiming &t : r.timings)
        timings[t.stage] = t.ms;
    json damaged = json::array();
    for (const DamagedTwin &d : r.damaged)
        damaged.push_back({{"key", d.key}, {"message", d.message}});
    json j = {{"query", r.query},     {"sub_queries", subs},       {"decomposer", r.decomposer},
              {"results", results},   {"trace", trace},           {"timings_ms", timings},
              {"library_size", r.librarySize}, {"dropped", r.dropped}, {"damaged", damaged}};
    if (r.savedQueryId > 0)
        j["saved_query_id"] = r.savedQueryId;
    if (!r.saveError.empty())
        j["save_error"] = r.saveError;
    return j;
}

Result<QueryResult> queryResultFromJson(const json &j)
{
    using R = Result<QueryResult>;
    try {
        QueryResult r;
        r.query = j.at("query").get<std::string>();
        r.decomposer = j.value("decomposer", "");
        r.librarySize = j.value("library_size", 0);
        r.dropped = j.value("dropped", 0);
        for (const json &d : j.value("damaged", json::array()))
            r.damaged.push_back({d.at("key").get<std::string>(), d.value("message", "")});
        r.savedQueryId = j.value("saved_query_id", int64_t(0));
        r.saveError = j.value("save_error", "");
        for (const json &s : j.value("sub_queries", json::array())) {
            SubQuery q;
            q.kind = subQueryKindFromName(s.value("kind", "object"));
            q.text = s.value("text", "");
            q.weight = s.value("weight", 1.f);
            q.negated = s.value("negated", false);
            q.concepts = s.value("concepts", std::vector<std::string>{});
            r.subQueries.push_back(std::move(q));
        }
        auto step = [](const json &t) {
            return TraceStep{t.value("kind", ""), t.value("text", ""), t.value("source", ""),
                             t.value("frame", static_cast<FrameIndex>(-1)), t.value("ms", 0.0)};
        };
        for (const json &t : j.value("trace", json::array()))
            r.trace.push_back(step(t));
        for (const json &v : j.value("results", json::array())) {
            VideoResult x;
            x.key = v.at("key").get<std::string>();
            x.rank = v.value("rank", 0);
            x.score = v.value("score", 0.0);
            x.coarseScore = v.value("coarse_score", 0.0);
            x.relevance = v.value("relevance", -1.0);
            x.satisfied = v.value("satisfied", std::vector<int>{});
            x.reasoner = v.value("reasoner", "");
            for (const json &o : v.value("objects", json::array())) {
                GroundedObject g;
                g.trackId = o.at("track").get<TrackId>();
                g.label = o.value("label", "");
                g.score = o.value("score", 0.f);
                g.subQueries = o.value("sub_queries", std::vector<int>{});
                for (const json &s : o.value("spans", json::array()))
                    if (s.is_array() && s.size() == 2)
                        g.spans.push_back({s[0].get<FrameIndex>(), s[1].get<FrameIndex>()});
                x.objects.push_back(std::move(g));
            }
            for (const json &t : v.value("trace", json::array()))
                x.trace.push_back(step(t));
            r.results.push_back(std::move(x));
        }
        return r;
    } catch (const json::exception &e) {
        return R::error(std::string("not a query result: ") + e.what());
    }
}

} // namespace ts
