// Benchmark query sets: JSON Lines files of queries with graded relevance and ground-truth mask folders
// (shared/bench/FORMAT.md). Reading is forgiving per line: a malformed line is reported and skipped, the others
// load, because one typo in a hand-written set must not cost the whole evaluation.
#pragma once

#include "base/result.h"

#include <map>
#include <string>
#include <vector>

namespace ts {

/// Relevance grades of FORMAT.md.
constexpr int kGradeIrrelevant = 0;
constexpr int kGradePartial = 1;
constexpr int kGradeCorrect = 2;

/// One benchmark query.
struct BenchQuery {
    std::string id;
    std::string query;
    std::string type; ///< documentation ("world-knowledge", "explicit", ...); empty when absent
    std::map<std::string, int> relevant; ///< video key -> grade 0/1/2; keys not listed are irrelevant
    std::map<std::string, std::string> ground; ///< video key -> mask folder relative to the corpus root
    /// Other fields ("forbid", "hard_negatives", "note", ...) as compact JSON text, kept so a save round-trips.
    std::map<std::string, std::string> extraJson;
    int line = 0; ///< 1-based line in the file it came from; 0 when made in memory

    int grade(const std::string &key) const;
    /// Videos of grade >= 1 (what AP counts as relevant).
    int relevantCount() const;
    bool hasCorrectAnswer() const; ///< some video has grade 2
    /// No video of grade >= 1: a no-answer control (FORMAT.md's empty `relevant`; a map of only zeros counts too).
    bool isNoAnswerControl() const { return relevantCount() == 0; }
};

struct QuerySet {
    std::vector<BenchQuery> queries; ///< in file order
    std::vector<std::string> errors; ///< one per skipped line: "line 7: ..."
    std::vector<std::string> warnings; ///< loaded lines with something suspicious (ground for an unlisted key)
};

/// Parses JSON Lines text; blank lines are ignored, each malformed line yields one error and is skipped.
QuerySet parseQuerySet(const std::string &text);
/// Reads a query set file; fails only when the file cannot be read (line problems go to QuerySet::errors).
Result<QuerySet> loadQuerySet(const std::string &path);

/// One JSON line (no newline) in the order id, query, type, relevant, ground, then the extra fields.
std::string querySetLine(const BenchQuery &query);
/// Writes the queries in the format loadQuerySet reads; atomically (the old file stays when writing fails).
Status saveQuerySet(const std::string &path, const std::vector<BenchQuery> &queries);

} // namespace ts
