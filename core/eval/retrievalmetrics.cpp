#include "retrievalmetrics.h"

#include <algorithm>
#include <iterator>
#include <numeric>
#include <set>

namespace ts {

int firstCorrectRank(const std::vector<std::string> &ranking, const BenchQuery &query, int librarySize)
{
    if (!query.hasCorrectAnswer())
        return 0;
    // A key repeated in the list is found at its first position anyway, so no de-duplication is needed here.
    for (size_t i = 0; i < ranking.size(); ++i)
        if (query.grade(ranking[i]) == kGradeCorrect)
            return static_cast<int>(i) + 1;
    return std::max(librarySize, static_cast<int>(ranking.size()) + 1);
}

double averagePrecisionAt(const std::vector<std::string> &ranking, const BenchQuery &query, int k)
{
    const int relevantCount = query.relevantCount();
    if (relevantCount == 0 || k <= 0)
        return 0.0;
    std::set<std::string> seen;
    int hits = 0;
    double sum = 0.0;
    const size_t depth = std::min(ranking.size(), static_cast<size_t>(k));
    for (size_t i = 0; i < depth; ++i) {
        if (!seen.insert(ranking[i]).second)
            continue; // a repeat is not a second hit
        if (query.grade(ranking[i]) >= kGradePartial) {
            ++hits;
            sum += static_cast<double>(hits) / static_cast<double>(i + 1);
        }
    }
    return sum / static_cast<double>(std::min(k, relevantCount));
}

QueryMetrics evaluateQuery(const BenchQuery &query, const std::vector<std::string> &ranking, int librarySize)
{
    QueryMetrics m;
    m.id = query.id;
    m.relevantCount = query.relevantCount();
    m.rank = firstCorrectRank(ranking, query, librarySize);
    m.returnedCorrect = m.rank > 0 && m.rank <= static_cast<int>(ranking.size());
    for (size_t i = 0; i < kMetricKs.size(); ++i)
        m.apAtK[i] = averagePrecisionAt(ranking, query, kMetricKs[i]);
    m.ap = std::accumulate(m.apAtK.begin(), m.apAtK.end(), 0.0) / static_cast<double>(kMetricKs.size());
    return m;
}

double median(std::vector<double> values)
{
    if (values.empty())
        return 0.0;
    std::sort(values.begin(), values.end());
    const size_t n = values.size();
    return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

RetrievalSummary summarize(const std::vector<QueryMetrics> &perQuery, const std::vector<ControlOutcome> &controls)
{
    RetrievalSummary s;
    std::vector<double> ranks;
    for (const QueryMetrics &m : perQuery) {
        if (m.relevantCount == 0)
            continue; // a control handed in by mistake must not count as a miss
        ++s.queries;
        for (size_t i = 0; i < kMetricKs.size(); ++i)
            s.mapAtK[i] += m.apAtK[i];
        if (m.rank <= 0)
            continue;
        ranks.push_back(m.rank);
        for (size_t i = 0; i < kMetricKs.size(); ++i)
            if (m.rank <= kMetricKs[i])
                s.recallAtK[i] += 1.0;
    }
    s.rankedQueries = static_cast<int>(ranks.size());
    if (s.queries > 0) {
        for (double &v : s.mapAtK)
            v /= s.queries;
        s.map = std::accumulate(s.mapAtK.begin(), s.mapAtK.end(), 0.0) / static_cast<double>(kMetricKs.size());
    }
    if (s.rankedQueries > 0) {
        for (double &v : s.recallAtK)
            v /= s.rankedQueries;
        s.meanRank = std::accumulate(ranks.begin(), ranks.end(), 0.0) / s.rankedQueries;
        s.medianRank = median(ranks);
    }
    s.controls = static_cast<int>(controls.size());
    if (s.controls > 0) {
        const auto rejected = std::count_if(controls.begin(), controls.end(),
                                            [](const ControlOutcome &c) { return c.rejected(); });
        s.controlsRejected = static_cast<double>(rejected) / s.controls;
    }
    return s;
}

std::vector<double> recallCurve(const std::vector<int> &ranks, int maxK)
{
    std::vector<double> curve(static_cast<size_t>(std::max(0, maxK)), 0.0);
    std::vector<int> ranked;
    std::copy_if(ranks.begin(), ranks.end(), std::back_inserter(ranked), [](int r) { return r > 0; });
    if (ranked.empty())
        return curve;
    std::sort(ranked.begin(), ranked.end());
    for (int k = 1; k <= maxK; ++k) {
        const auto found = std::upper_bound(ranked.begin(), ranked.end(), k) - ranked.begin();
        curve[static_cast<size_t>(k - 1)] = static_cast<double>(found) / static_cast<double>(ranked.size());
    }
    return curve;
}

} // namespace ts
