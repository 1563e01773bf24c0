// The built-in reasoner: decomposes and judges queries with a query grammar (queryparse.h) over lexical
// knowledge (WordNet senses, hypernyms, glosses and meronyms, joined by GloVe similarity). It is the default when
// no LLM endpoint is configured and the fallback when one fails. It does not know any video or query: it infers
// which library concepts fit a description ("the animal that spins silk to trap its prey") from their
// WordNet profiles, checks the category ("animal": a rubber spider is an artifact), the colours, actions, spatial
// relations, temporal patterns and negations the query states against the twin, and names what the twin lacks.
#pragma once

#include "knowledge/lexicon.h"
#include "reason/queryparse.h"
#include "reason/reasoner.h"

#include <map>
#include <memory>
#include <mutex>

namespace ts {

class BuiltinDecomposer : public Decomposer {
public:
    explicit BuiltinDecomposer(const Lexicon &lexicon) : m_lex(lexicon) {}
    Result<Decomposition> decompose(const std::string &query, const CancelToken &cancel) override;
    std::string name() const override { return "builtin"; }
    /// The sub-queries a parsed query gives (shared with the reasoner's trace).
    static std::vector<SubQuery> subQueriesOf(const QueryAnalysis &a);

private:
    const Lexicon &m_lex;
};

struct BuiltinReasonerOptions {
    bool explainLabels = true; ///< name the matched concepts in the trace
};

class BuiltinReasoner : public Reasoner {
public:
    explicit BuiltinReasoner(const Lexicon &lexicon, BuiltinReasonerOptions options = {});
    ~BuiltinReasoner() override;
    void prepare(const ReasonQuery &query, const std::vector<const Twin *> &candidates) override;
    Result<ReasonVerdict> reason(const ReasonQuery &query, const Twin &twin, const CancelToken &cancel) override;
    std::string name() const override { return "builtin"; }

    struct QueryState; ///< the parsed query and its per-concept fit tables (internal)

private:
    /// Takes the target an LLM decomposition named (its first object sub-query) into the parsed query.
    void adoptNamedTarget(QueryAnalysis &analysis, const std::vector<SubQuery> &subQueries) const;
    std::shared_ptr<QueryState> stateFor(const ReasonQuery &query, const std::vector<const Twin *> &twins);
    /// The verdict on one twin; `components` receives the evidence scores in a fixed order per query.
    ReasonVerdict judge(const QueryState &state, const Twin &twin, std::vector<float> &components,
                        std::vector<bool> *targetMask = nullptr) const;

    const Lexicon &m_lex;
    BuiltinReasonerOptions m_options;
    std::mutex m_mutex;
    std::shared_ptr<const QueryState> m_state;
};

} // namespace ts
