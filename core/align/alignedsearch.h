// The coarse stage with the trained aligner: sub-queries embedded by the query tower, searched against the
// library's component embeddings (made by the component tower at ingest) in an exact BLAS index that is loaded
// once per library and reloaded when the library's embeddings change. After any write to the library, videos whose
// embeddings are missing or from another encoder are embedded on the way (components only, twins untouched), so
// none is silently left out of the coarse stage.
#pragma once

#include "retrieval/coarsesearch.h"
#include "align/componentindex.h"
#include "align/textencoder.h"

#include <memory>
#include <mutex>
#include <string>

namespace ts {

class AlignedCoarseSearch : public CoarseSearch {
public:
    /// The encoder must outlive this object.
    explicit AlignedCoarseSearch(const TextEncoder &encoder) : m_encoder(encoder) { }

    Result<std::vector<CoarseHit>> search(TwinStore &store, const std::vector<SubQuery> &subQueries, int k,
                                          Aggregation aggregation, const CancelToken &cancel) override;
    std::string encoderVersion() const override { return m_encoder.version(); }

    /// What the query tower reads for a sub-query: its wording plus the concepts the reasoner inferred.
    static std::string queryText(const SubQuery &subQuery);
    IndexQuery embed(const SubQuery &subQuery) const;
    /// The index of the store's library, loaded or refreshed when its embeddings changed. Worker threads only.
    Result<std::shared_ptr<const ComponentIndex>> index(TwinStore &store, const CancelToken &cancel);
    /// How many times an index was (re)loaded from a store.
    int loads() const;

private:
    const TextEncoder &m_encoder;
    mutable std::mutex m_mutex;
    std::string m_storePath;
    std::pair<int64_t, int64_t> m_changeMarker{-1, -1};
    EmbeddingSignature m_signature;
    std::shared_ptr<const ComponentIndex> m_index;
    int m_loads = 0;
};

} // namespace ts
