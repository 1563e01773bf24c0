#include "report.h"

#include "query/results.h"

#include <QSaveFile>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

namespace ts {

using ordered_json = nlohmann::ordered_json;

namespace {

std::string oneLine(std::string text)
{
    for (char &c : text)
        if (c == '\n' || c == '\r' || c == '\t')
            c = ' ';
    return text;
}

std::string traceLine(const TraceStep &step)
{
    std::string line = step.kind;
    if (!step.source.empty())
        line += " [" + step.source + "]";
    if (step.frameIndex >= 0)
        line += " @" + std::to_string(step.frameIndex);
    return line + ": " + oneLine(step.text);
}

std::string fixed(double value, int decimals)
{
    if (!std::isfinite(value))
        return value > 0 ? "inf" : (value < 0 ? "-inf" : "nan");
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    return buf;
}

std::string percent(double share)
{
    // NaN marks a measure that was not computed (F under --no-contour), never a score of zero.
    return std::isnan(share) ? std::string("not computed") : fixed(100.0 * share, 1);
}

// Spelled here rather than taken from the retrieval library so the evaluation links without the engine.
const char *kindName(SubQueryKind kind)
{
    switch (kind) {
    case SubQueryKind::Object:
        return "object";
    case SubQueryKind::Attribute:
        return "attribute";
    case SubQueryKind::Spatial:
        return "spatial";
    case SubQueryKind::Temporal:
        return "temporal";
    case SubQueryKind::Count:
        return "count";
    case SubQueryKind::Scene:
        return "scene";
    case SubQueryKind::Action:
        return "action";
    }
    return "condition";
}

ordered_json finiteOrNull(double v)
{
    return std::isfinite(v) ? ordered_json(v) : ordered_json(nullptr);
}

} // namespace

QueryReport makeQueryReport(const BenchQuery &query, const std::vector<ReportHit> &hits, int librarySize,
                            double bestScore, double acceptanceThreshold)
{
    QueryReport r;
    r.id = query.id;
    r.query = query.query;
    r.type = query.type;
    r.hits = hits;
    for (ReportHit &h : r.hits)
        h.grade = query.grade(h.key);
    r.control = query.isNoAnswerControl();
    if (r.control) {
        r.controlOutcome = {query.id, bestScore, acceptanceThreshold};
    } else {
        std::vector<std::string> ranking;
        ranking.reserve(hits.size());
        for (const ReportHit &h : hits)
            ranking.push_back(h.key);
        r.metrics = evaluateQuery(query, ranking, librarySize);
    }
    return r;
}

QueryReport makeQueryReport(const BenchQuery &query, const QueryResult &result, double acceptanceThreshold)
{
    std::vector<ReportHit> hits;
    double bestRelevance = -std::numeric_limits<double>::infinity();
    double bestFinal = -std::numeric_limits<double>::infinity();
    bool reasoned = false;
    for (const VideoResult &v : result.results) {
        ReportHit h;
        h.key = v.key;
        h.score = v.score;
        h.relevance = v.relevance;
        for (const TraceStep &t : v.trace)
            h.trace.push_back(traceLine(t));
        hits.push_back(std::move(h));
        bestFinal = std::max(bestFinal, v.score);
        if (v.relevance >= 0) {
            reasoned = true;
            bestRelevance = std::max(bestRelevance, v.relevance);
        }
    }
    QueryReport r = makeQueryReport(query, hits, result.librarySize, reasoned ? bestRelevance : bestFinal,
                                    acceptanceThreshold);
    for (const SubQuery &s : result.subQueries) {
        std::string line = std::string(kindName(s.kind)) + ": " + (s.negated ? "NOT " : "") + oneLine(s.text);
        if (s.weight != 1.f)
            line += " (weight " + fixed(s.weight, 2) + ")";
        r.subQueries.push_back(line);
    }
    for (const TraceStep &t : result.trace)
        r.trace.push_back(traceLine(t));
    return r;
}

std::vector<GroundingTask> groundingTasks(const BenchQuery &query, const QueryResult &result)
{
    std::vector<GroundingTask> tasks;
    for (size_t i = 0; i < result.results.size(); ++i) {
        const VideoResult &v = result.results[i];
        const auto folder = query.ground.find(v.key);
        if (folder == query.ground.end())
            continue;
        if (std::any_of(tasks.begin(), tasks.end(), [&](const GroundingTask &t) { return t.key == v.key; }))
            continue; // a repeated key is scored where it first appears
        GroundingTask t;
        t.key = v.key;
        t.rank = static_cast<int>(i) + 1;
        t.groundFolder = folder->second;
        for (const GroundedObject &o : v.objects)
            if (std::find(t.tracks.begin(), t.tracks.end(), o.trackId) == t.tracks.end())
                t.tracks.push_back(o.trackId);
        tasks.push_back(std::move(t));
    }
    return tasks;
}

MetricsRow metricsRow(const SystemReport &system)
{
    std::vector<QueryMetrics> metrics;
    std::vector<ControlOutcome> controls;
    std::vector<GroundingPair> pairs;
    for (const QueryReport &q : system.queries) {
        if (q.control)
            controls.push_back(q.controlOutcome);
        else
            metrics.push_back(q.metrics);
        pairs.insert(pairs.end(), q.grounding.begin(), q.grounding.end());
    }
    return {system.name, summarize(metrics, controls), summarizeGrounding(pairs)};
}

std::string formatMetricsTable(const std::vector<MetricsRow> &rows, TableFormat format)
{
    std::vector<std::string> header = {"System"};
    for (int k : kMetricKs)
        header.push_back("R@" + std::to_string(k));
    for (const char *h : {"MdR", "MnR", "mAP", "J", "F"})
        header.push_back(h);

    std::vector<std::vector<std::string>> cells;
    for (const MetricsRow &row : rows) {
        const RetrievalSummary &s = row.retrieval;
        const bool ranked = s.rankedQueries > 0;
        std::vector<std::string> line = {row.name};
        for (double r : s.recallAtK)
            line.push_back(ranked ? percent(r) : "-");
        line.push_back(ranked ? fixed(s.medianRank, 1) : "-");
        line.push_back(ranked ? fixed(s.meanRank, 1) : "-");
        line.push_back(s.queries > 0 ? percent(s.map) : "-");
        const bool grounded = row.grounding.pairs > 0;
        line.push_back(grounded ? percent(row.grounding.meanJ) : "-");
        line.push_back(grounded ? percent(row.grounding.meanF) : "-");
        cells.push_back(std::move(line));
    }

    std::ostringstream out;
    if (format == TableFormat::Markdown) {
        auto emitRow = [&](const std::vector<std::string> &line) {
            out << '|';
            for (const std::string &c : line)
                out << ' ' << c << " |";
            out << '\n';
        };
        emitRow(header);
        out << "|---|";
        for (size_t i = 1; i < header.size(); ++i)
            out << "---:|";
        out << '\n';
        for (const auto &line : cells)
            emitRow(line);
        return out.str();
    }

    std::vector<size_t> width(header.size());
    for (size_t c = 0; c < header.size(); ++c) {
        width[c] = header[c].size();
        for (const auto &line : cells)
            width[c] = std::max(width[c], line[c].size());
    }
    auto emitRow = [&](const std::vector<std::string> &line) {
        for (size_t c = 0; c < line.size(); ++c) {
            const std::string pad(width[c] - line[c].size(), ' ');
            // Names read left-aligned, numbers right-aligned so their decimal points line up.
            out << (c == 0 ? line[c] + pad : "  " + pad + line[c]);
        }
        out << '\n';
    };
    emitRow(header);
    size_t total = width[0];
    for (size_t c = 1; c < width.size(); ++c)
        total += width[c] + 2;
    out << std::string(total, '-') << '\n';
    for (const auto &line : cells)
        emitRow(line);
    out << "R@K, mAP, J and F in %; MdR and MnR in ranks.\n";
    return out.str();
}

std::string trecId(const std::string &id)
{
    static const char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : id) {
        if (c <= 0x20 || c == 0x7f || c == '%') {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 0xf];
        } else {
            out += static_cast<char>(c);
        }
    }
    return out.empty() ? "%00" : out; // an empty field would shift every column after it
}

std::string trecRun(const SystemReport &system, TrecScore scores)
{
    const std::string tag = trecId(system.name.empty() ? "twinseek" : system.name);
    std::ostringstream out;
    for (const QueryReport &q : system.queries) {
        const int n = static_cast<int>(q.hits.size());
        std::vector<std::string> written;
        for (int i = 0; i < n; ++i) {
            const ReportHit &h = q.hits[static_cast<size_t>(i)];
            // trec_eval refuses a run that lists a document twice for a query; the first position is the rank.
            if (std::find(written.begin(), written.end(), h.key) != written.end())
                continue;
            written.push_back(h.key);
            const int rank = i + 1;
            const double score = scores == TrecScore::FromRank ? static_cast<double>(n + 1 - rank) : h.score;
            out << trecId(q.id) << " Q0 " << trecId(h.key) << ' ' << rank << ' '
                << (std::isfinite(score) ? fixed(score, 6) : std::string("0")) << ' ' << tag << '\n';
        }
    }
    return out.str();
}

std::string trecQrels(const std::vector<BenchQuery> &queries)
{
    std::ostringstream out;
    for (const BenchQuery &q : queries)
        for (const auto &[key, grade] : q.relevant)
            out << trecId(q.id) << " 0 " << trecId(key) << ' ' << grade << '\n';
    return out.str();
}

namespace {

ordered_json summaryJson(const MetricsRow &row)
{
    const RetrievalSummary &s = row.retrieval;
    ordered_json j;
    j["queries"] = s.queries;
    j["rankedQueries"] = s.rankedQueries;
    for (size_t i = 0; i < kMetricKs.size(); ++i)
        j["R@" + std::to_string(kMetricKs[i])] = s.recallAtK[i];
    j["MdR"] = s.medianRank;
    j["MnR"] = s.meanRank;
    j["mAP"] = s.map;
    for (size_t i = 0; i < kMetricKs.size(); ++i)
        j["mAP@" + std::to_string(kMetricKs[i])] = s.mapAtK[i];
    j["controls"] = s.controls;
    j["controlsRejected"] = s.controlsRejected;
    const GroundingSummary &g = row.grounding;
    j["grounding"] = {{"pairs", g.pairs}, {"J", g.meanJ}, {"F", g.meanF},
                      {"firstPairs", g.firstPairs}, {"firstJ", g.firstJ}, {"firstF", g.firstF}};
    return j;
}

ordered_json queryJson(const QueryReport &q)
{
    ordered_json j;
    j["id"] = q.id;
    j["query"] = q.query;
    j["type"] = q.type;
    j["control"] = q.control;
    if (q.control) {
        j["bestScore"] = finiteOrNull(q.controlOutcome.bestScore);
        j["threshold"] = q.controlOutcome.threshold;
        j["rejected"] = q.controlOutcome.rejected();
    } else {
        j["rank"] = q.metrics.rank > 0 ? ordered_json(q.metrics.rank) : ordered_json(nullptr);
        j["returnedCorrect"] = q.metrics.returnedCorrect;
        j["relevantCount"] = q.metrics.relevantCount;
        j["AP"] = q.metrics.ap;
        ordered_json ap = ordered_json::object();
        for (size_t i = 0; i < kMetricKs.size(); ++i)
            ap[std::to_string(kMetricKs[i])] = q.metrics.apAtK[i];
        j["AP@K"] = ap;
    }
    j["subQueries"] = q.subQueries;
    ordered_json results = ordered_json::array();
    for (size_t i = 0; i < q.hits.size(); ++i) {
        const ReportHit &h = q.hits[i];
        ordered_json r;
        r["rank"] = i + 1;
        r["key"] = h.key;
        r["score"] = finiteOrNull(h.score);
        r["relevance"] = finiteOrNull(h.relevance);
        r["grade"] = h.grade;
        if (!h.trace.empty())
            r["trace"] = h.trace;
        if (!h.thumbnail.empty())
            r["thumbnail"] = h.thumbnail;
        results.push_back(std::move(r));
    }
    j["results"] = std::move(results);
    j["trace"] = q.trace;
    ordered_json grounding = ordered_json::array();
    for (const GroundingPair &p : q.grounding)
        grounding.push_back({{"key", p.key}, {"rank", p.rank}, {"J", p.j}, {"F", p.f}, {"frames", p.frames}});
    j["grounding"] = std::move(grounding);
    if (!q.error.empty())
        j["error"] = q.error;
    return j;
}

} // namespace

std::string reportJson(const std::vector<SystemReport> &systems, int indent)
{
    ordered_json root;
    root["format"] = "twinseek-eval-report";
    root["version"] = 1;
    ordered_json list = ordered_json::array();
    for (const SystemReport &s : systems) {
        ordered_json j;
        j["name"] = s.name;
        j["summary"] = summaryJson(metricsRow(s));
        ordered_json queries = ordered_json::array();
        for (const QueryReport &q : s.queries)
            queries.push_back(queryJson(q));
        j["queries"] = std::move(queries);
        list.push_back(std::move(j));
    }
    root["systems"] = std::move(list);
    // Replace rather than throw on invalid UTF-8 that came from a video (OCR text in a trace).
    return root.dump(indent, ' ', false, ordered_json::error_handler_t::replace) + "\n";
}

namespace {

// Text from queries, keys and traces must not break the table or start Markdown constructs.
std::string mdCell(const std::string &text)
{
    std::string out;
    for (char c : oneLine(text)) {
        if (c == '|' || c == '*' || c == '_' || c == '`' || c == '[' || c == ']' || c == '<' || c == '>')
            out += '\\';
        out += c;
    }
    return out;
}

std::string rankText(const QueryReport &q)
{
    if (q.metrics.rank <= 0)
        return "- (no grade-2 video)";
    return std::to_string(q.metrics.rank) + (q.metrics.returnedCorrect ? "" : " (not returned)");
}

std::string controlText(const QueryReport &q)
{
    const ControlOutcome &c = q.controlOutcome;
    const std::string best = std::isfinite(c.bestScore) ? fixed(c.bestScore, 3) : std::string("none returned");
    return "no-answer control: best score " + best + " vs threshold " + fixed(c.threshold, 3) + ": " +
           (c.rejected() ? "rejected (correct)" : "accepted (wrong)");
}

const QueryReport *findQuery(const SystemReport &s, const std::string &id)
{
    for (const QueryReport &q : s.queries)
        if (q.id == id)
            return &q;
    return nullptr;
}

} // namespace

std::string reportMarkdown(const std::vector<SystemReport> &systems, const MarkdownOptions &options)
{
    std::ostringstream out;
    out << "# " << oneLine(options.title) << "\n\n";
    std::vector<MetricsRow> rows;
    for (const SystemReport &s : systems)
        rows.push_back(metricsRow(s));

    out << "## Metrics\n\n" << formatMetricsTable(rows, TableFormat::Markdown) << '\n';
    out << "R@K, mAP, J and F in %. R@K, MdR and MnR are over the queries with a grade-2 video; mAP over all "
           "queries with a relevant video; J and F over the returned videos that have ground-truth masks.\n\n";
    out << "| System | Queries | With a grade-2 video | Controls | Controls rejected | Grounded pairs | "
           "J ranked first | F ranked first |\n|---|---:|---:|---:|---:|---:|---:|---:|\n";
    for (const MetricsRow &r : rows) {
        const bool first = r.grounding.firstPairs > 0;
        out << "| " << mdCell(r.name) << " | " << r.retrieval.queries << " | " << r.retrieval.rankedQueries << " | "
            << r.retrieval.controls << " | "
            << (r.retrieval.controls > 0 ? percent(r.retrieval.controlsRejected) + " %" : std::string("-")) << " | "
            << r.grounding.pairs << " | " << (first ? percent(r.grounding.firstJ) : std::string("-")) << " | "
            << (first ? percent(r.grounding.firstF) : std::string("-")) << " |\n";
    }
    out << '\n';

    if (systems.empty() || options.detailSystem < 0 || options.detailSystem >= static_cast<int>(systems.size()))
        return out.str();
    const SystemReport &detail = systems[static_cast<size_t>(options.detailSystem)];
    out << "## Queries (" << mdCell(detail.name) << ")\n\n";
    for (const QueryReport &q : detail.queries) {
        out << "### " << mdCell(q.id) << (q.type.empty() ? "" : " · " + mdCell(q.type)) << "\n\n";
        out << "> " << mdCell(q.query) << "\n\n";
        if (!q.error.empty())
            out << "**Error:** " << mdCell(q.error) << "\n\n";
        if (q.control) {
            out << controlText(q) << "\n\n";
        } else {
            out << "Rank **" << rankText(q) << "** · AP " << fixed(q.metrics.ap, 3);
            if (q.metrics.returnedCorrect)
                out << " · score " << fixed(q.hits[static_cast<size_t>(q.metrics.rank - 1)].score, 3);
            out << "\n\n";
        }
        std::vector<std::string> others;
        for (size_t s = 0; s < systems.size(); ++s) {
            if (static_cast<int>(s) == options.detailSystem)
                continue;
            const QueryReport *o = findQuery(systems[s], q.id);
            if (!o)
                continue;
            others.push_back(mdCell(systems[s].name) + ": " +
                             (o->control ? std::string(o->controlOutcome.rejected() ? "rejected" : "accepted")
                                         : "rank " + rankText(*o) + ", AP " + fixed(o->metrics.ap, 3)));
        }
        if (!others.empty()) {
            out << "Other systems: ";
            for (size_t i = 0; i < others.size(); ++i)
                out << (i ? "; " : "") << others[i];
            out << "\n\n";
        }
        if (!q.subQueries.empty()) {
            out << "Sub-queries: ";
            for (size_t i = 0; i < q.subQueries.size(); ++i)
                out << (i ? "; " : "") << mdCell(q.subQueries[i]);
            out << "\n\n";
        }
        const size_t top = std::min(q.hits.size(), static_cast<size_t>(std::max(0, options.topResults)));
        if (top > 0) {
            out << "| # | Video | Grade | Score | Relevance |\n|---:|---|---:|---:|---:|\n";
            for (size_t i = 0; i < top; ++i) {
                const ReportHit &h = q.hits[i];
                out << "| " << i + 1 << " | ";
                if (!h.thumbnail.empty())
                    out << "![" << mdCell(h.key) << "](<" << h.thumbnail << ">) ";
                out << mdCell(h.key) << " | " << h.grade << " | " << fixed(h.score, 3) << " | "
                    << (h.relevance >= 0 ? fixed(h.relevance, 3) : std::string("-")) << " |\n";
            }
            out << '\n';
        } else {
            out << "Nothing returned.\n\n";
        }
        for (const GroundingPair &p : q.grounding)
            out << "Grounding of " << mdCell(p.key) << " (rank " << p.rank << "): J " << fixed(p.j, 3) << ", F "
                << (std::isnan(p.f) ? std::string("not computed") : fixed(p.f, 3)) << " over " << p.frames
                << " frames\n\n";
        // The query-level steps first (decomposition), then the reasoning about the top video.
        std::vector<std::string> trace = q.trace;
        if (!q.hits.empty())
            trace.insert(trace.end(), q.hits.front().trace.begin(), q.hits.front().trace.end());
        const size_t shown = std::min(trace.size(), static_cast<size_t>(std::max(0, options.traceLines)));
        if (shown > 0) {
            out << "```text\n";
            for (size_t i = 0; i < shown; ++i) {
                std::string line = trace[i];
                // A line of backticks in a trace would close the fence early.
                for (size_t p = line.find("```"); p != std::string::npos; p = line.find("```"))
                    line.replace(p, 3, "'''");
                out << line << '\n';
            }
            if (trace.size() > shown)
                out << "... " << trace.size() - shown << " more\n";
            out << "```\n\n";
        }
    }
    return out.str();
}

Status writeTextFile(const std::string &path, const std::string &text)
{
    QSaveFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::WriteOnly))
        return Status::error(path + ": " + file.errorString().toStdString());
    if (file.write(text.data(), static_cast<qint64>(text.size())) != static_cast<qint64>(text.size()))
        return Status::error(path + ": " + file.errorString().toStdString());
    if (!file.commit())
        return Status::error(path + ": " + file.errorString().toStdString());
    return Status::ok();
}

} // namespace ts
