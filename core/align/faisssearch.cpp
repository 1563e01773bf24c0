#include "faisssearch.h"

#include <faiss/IndexFlat.h>

#include <algorithm>
#include <limits>

namespace ts {

struct FaissFlatSearch::Impl {
    explicit Impl(int dim) : flat(dim) { }
    faiss::IndexFlatIP flat;
};

FaissFlatSearch::FaissFlatSearch(const ComponentIndex &index)
    : m_index(index), m_impl(std::make_unique<Impl>(index.dimensions()))
{
    m_impl->flat.add(static_cast<faiss::Index::idx_t>(index.size()), index.vectors());
}

FaissFlatSearch::~FaissFlatSearch() = default;

std::vector<CoarseHit> FaissFlatSearch::search(const std::vector<IndexQuery> &queries, int k, Aggregation aggregation,
                                               int perQuery) const
{
    const size_t nq = queries.size();
    const size_t videos = m_index.videoCount();
    if (nq == 0 || videos == 0 || k <= 0)
        return {};
    const size_t dim = static_cast<size_t>(m_index.dimensions());
    const auto kk =
        static_cast<faiss::Index::idx_t>(std::min<size_t>(static_cast<size_t>(std::max(1, perQuery)), m_index.size()));
    std::vector<float> q(nq * dim, 0.f);
    for (size_t s = 0; s < nq; ++s)
        if (queries[s].vector.size() == dim)
            std::copy(queries[s].vector.begin(), queries[s].vector.end(),
                      q.begin() + static_cast<std::ptrdiff_t>(s * dim));
    std::vector<float> distances(nq * static_cast<size_t>(kk));
    std::vector<faiss::Index::idx_t> labels(nq * static_cast<size_t>(kk));
    m_impl->flat.search(static_cast<faiss::Index::idx_t>(nq), q.data(), kk, distances.data(), labels.data());

    std::vector<float> best(nq * videos, -std::numeric_limits<float>::infinity());
    std::vector<int64_t> bestRow(nq * videos, -1);
    for (size_t s = 0; s < nq; ++s) {
        float lowest = std::numeric_limits<float>::infinity();
        for (faiss::Index::idx_t i = 0; i < kk; ++i) {
            const faiss::Index::idx_t row = labels[s * static_cast<size_t>(kk) + static_cast<size_t>(i)];
            if (row < 0)
                continue;
            const float raw = distances[s * static_cast<size_t>(kk) + static_cast<size_t>(i)];
            lowest = std::min(lowest, raw);
            const float v = raw + ComponentIndex::kSalience * (m_index.weight(static_cast<size_t>(row)) - 1.f);
            const size_t vid = m_index.videoOfRow(static_cast<size_t>(row));
            if (v > best[s * videos + vid]) {
                best[s * videos + vid] = v;
                bestRow[s * videos + vid] = row;
            }
        }
        for (size_t v = 0; v < videos; ++v)
            if (bestRow[s * videos + v] < 0)
                best[s * videos + v] = lowest;
    }
    return m_index.rank(queries, best, bestRow, k, aggregation);
}

} // namespace ts
