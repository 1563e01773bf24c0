// Exports of an evaluation run: per-query reports built from what the engine returned, TREC run and qrels files
// (trec_eval's formats), a JSON report, a Markdown report, and the paper-style metrics table (rows = systems).
#pragma once

#include "base/result.h"
#include "base/types.h"
#include "eval/queryset.h"
#include "eval/retrievalmetrics.h"
#include "eval/segmetrics.h"

#include <string>
#include <vector>

namespace ts {

struct QueryResult;

/// One returned video as the reports show it.
struct ReportHit {
    std::string key;
    double score = 0.0; ///< the final score the system ranked by
    double relevance = -1.0; ///< reasoning-stage relevance 0..1; -1 when that stage did not run
    int grade = kGradeIrrelevant; ///< from the query set
    std::vector<std::string> trace; ///< this video's reasoning steps, one line each
    std::string thumbnail; ///< image for the Markdown report (path as it should appear in the link); empty = none
};

/// One query as one system answered it.
struct QueryReport {
    std::string id;
    std::string query;
    std::string type;
    bool control = false; ///< a no-answer control: `controlOutcome` applies, `metrics` does not
    QueryMetrics metrics;
    ControlOutcome controlOutcome;
    std::vector<std::string> subQueries; ///< the decomposition, one line each ("object: brown bear")
    std::vector<ReportHit> hits; ///< in returned order
    std::vector<std::string> trace; ///< query-level steps (decomposition, fallbacks), one line each
    std::vector<GroundingPair> grounding; ///< filled by the caller (see groundingTasks)
    std::string error; ///< the system failed on this query (the query is still scored, as returning nothing)
};

/// A ranking of plain keys (a baseline that has no QueryResult), scored like any other system.
QueryReport makeQueryReport(const BenchQuery &query, const std::vector<ReportHit> &hits, int librarySize,
                            double bestScore, double acceptanceThreshold);
/**
 * Scores what the engine returned for a query: the ranking is the order of `result.results`. For a no-answer
 * control the best score is the highest reasoning relevance among the returned videos, or the highest final
 * score when the reasoning stage did not run, and -infinity when nothing was returned; a caller with another
 * rule overwrites controlOutcome.bestScore.
 */
QueryReport makeQueryReport(const BenchQuery &query, const QueryResult &result, double acceptanceThreshold);

/// One returned video that has ground-truth masks: what the caller scores with scoreGrounding().
struct GroundingTask {
    std::string key;
    int rank = 0;
    std::vector<TrackId> tracks; ///< the objects the system returned as satisfying the query
    std::string groundFolder; ///< relative to the corpus root, as in the query set
};
std::vector<GroundingTask> groundingTasks(const BenchQuery &query, const QueryResult &result);

/// One system (the full pipeline, an ablation, a baseline) over a query set.
struct SystemReport {
    std::string name;
    std::vector<QueryReport> queries;
};

/// One row of the metrics table; rows need not come from a SystemReport (numbers quoted from elsewhere).
struct MetricsRow {
    std::string name;
    RetrievalSummary retrieval;
    GroundingSummary grounding; ///< grounding.pairs == 0 prints J and F as "-"
};
MetricsRow metricsRow(const SystemReport &system);

enum class TableFormat { Text, Markdown };
/// Rows = systems, columns R@1 R@5 R@10 R@50 R@100 MdR MnR mAP J F; shares as percentages with one decimal.
std::string formatMetricsTable(const std::vector<MetricsRow> &rows, TableFormat format = TableFormat::Text);

/// How the score column of a TREC run is filled. trec_eval re-sorts each query by that column (ties by doc id),
/// so only scores that fall strictly with the rank keep the system's order.
enum class TrecScore {
    FromRank, ///< n + 1 - rank: the evaluated order is exactly the returned order (default)
    System, ///< the system's final score, as is
};
/// Run file: "qid Q0 docid rank score tag" per returned video. Whitespace and '%' in ids are %-escaped.
std::string trecRun(const SystemReport &system, TrecScore scores = TrecScore::FromRank);
/// Qrels file: "qid 0 docid grade" per listed video of every query (no-answer controls have no lines).
std::string trecQrels(const std::vector<BenchQuery> &queries);
/// The id as it appears in TREC files (whitespace, control characters and '%' as %XX).
std::string trecId(const std::string &id);

/// Machine-readable report: per system the summary and per query id, query, type, rank, AP, ranked keys with
/// scores, traces and J/F.
std::string reportJson(const std::vector<SystemReport> &systems, int indent = 2);

struct MarkdownOptions {
    std::string title = "TwinSeek evaluation";
    int topResults = 5; ///< results listed per query
    int traceLines = 6; ///< trace lines shown per query
    int detailSystem = 0; ///< the system whose per-query detail is shown; the others get one line each
};
std::string reportMarkdown(const std::vector<SystemReport> &systems, const MarkdownOptions &options = {});

/// Writes text to a file atomically (the old file stays when writing fails).
Status writeTextFile(const std::string &path, const std::string &text);

} // namespace ts
