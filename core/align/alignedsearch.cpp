#include "alignedsearch.h"

#include "align/embedding.h"

namespace ts {

namespace {
// Concepts the reasoner inferred name the target more exactly than a description; the first two are enough.
constexpr size_t kConceptsRead = 2;
} // namespace

std::string AlignedCoarseSearch::queryText(const SubQuery &subQuery)
{
    std::string text = subQuery.text;
    for (size_t i = 0; i < subQuery.concepts.size() && i < kConceptsRead; ++i)
        text += ", " + subQuery.concepts[i];
    return text;
}

IndexQuery AlignedCoarseSearch::embed(const SubQuery &subQuery) const
{
    IndexQuery q;
    q.vector = m_encoder.encode(Tower::Query, queryText(subQuery));
    q.weight = subQuery.weight;
    q.negated = subQuery.negated;
    return q;
}

int AlignedCoarseSearch::loads() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_loads;
}

Result<std::shared_ptr<const ComponentIndex>> AlignedCoarseSearch::index(TwinStore &store, const CancelToken &cancel)
{
    using R = Result<std::shared_ptr<const ComponentIndex>>;
    // One load at a time; searches that find the index current share it without copying.
    std::lock_guard<std::mutex> lock(m_mutex);
    const bool sameStore = m_index && m_storePath == store.path();
    // Nothing written since the last look: current without touching the embeddings table (a signature costs a
    // scan of it, ~20 ms per 100,000 embeddings). After a write, the signature decides whether to reload.
    auto marker = store.changeMarker();
    if (sameStore && marker == m_changeMarker)
        return R(m_index);
    // Something was written. Videos stored without embeddings of this encoder (ingested before it was installed,
    // or by a path without the embedding hook) would be invisible to the coarse stage: embed them now. Only their
    // components are written; a library that cannot be written to is searched as it is.
    const EmbedSummary healed = embedLibrary(store, m_encoder, EmbedScope::Stale, cancel, {});
    if (healed.cancelled)
        return R::cancelled();
    if (!healed.embedded.empty())
        marker = store.changeMarker();
    const EmbeddingSignature signature = store.embeddingSignature(m_encoder.version());
    m_changeMarker = marker;
    if (sameStore && signature == m_signature)
        return R(m_index);
    auto loaded = ComponentIndex::fromStore(store, m_encoder.version(), m_encoder.dimensions(), cancel);
    if (!loaded)
        return R::error(loaded);
    m_index = *loaded;
    m_storePath = store.path();
    m_signature = signature;
    ++m_loads;
    return R(m_index);
}

Result<std::vector<CoarseHit>> AlignedCoarseSearch::search(TwinStore &store, const std::vector<SubQuery> &subQueries,
                                                           int k, Aggregation aggregation, const CancelToken &cancel)
{
    using R = Result<std::vector<CoarseHit>>;
    auto idx = index(store, cancel);
    if (!idx)
        return R::error(idx);
    std::vector<IndexQuery> queries;
    queries.reserve(subQueries.size());
    for (const SubQuery &s : subQueries)
        queries.push_back(embed(s));
    auto hits = (*idx)->search(queries, k, aggregation, cancel);
    if (cancel.isCancelled())
        return R::cancelled();
    return R(std::move(hits));
}

} // namespace ts
