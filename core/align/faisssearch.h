// FAISS (IndexFlatIP) over the same vectors as a ComponentIndex, for comparing against the exact BLAS search in
// the benchmark. FAISS returns the nearest components per sub-query; videos are then scored exactly like the BLAS
// index (ComponentIndex::rank), a video with no retrieved component for a sub-query getting that sub-query's
// lowest retrieved similarity (an upper bound of its true best). Only built with TWINSEEK_WITH_FAISS.
#pragma once

#include "align/componentindex.h"

#include <memory>

namespace ts {

class FaissFlatSearch {
public:
    /// Copies the index's vectors into FAISS (another rows x dim floats).
    explicit FaissFlatSearch(const ComponentIndex &index);
    ~FaissFlatSearch();
    FaissFlatSearch(const FaissFlatSearch &) = delete;
    FaissFlatSearch &operator=(const FaissFlatSearch &) = delete;

    /// perQuery nearest components of every sub-query, aggregated per video; the k best videos.
    std::vector<CoarseHit> search(const std::vector<IndexQuery> &queries, int k, Aggregation aggregation,
                                  int perQuery) const;

private:
    struct Impl;
    const ComponentIndex &m_index;
    std::unique_ptr<Impl> m_impl;
};

} // namespace ts
