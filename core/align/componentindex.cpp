#include "componentindex.h"

#include "align/blas.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <numeric>

namespace ts {

namespace {

// Rows per sgemm call: big enough to keep BLAS efficient, small enough that the similarity block stays in cache
// and cancellation is noticed within a millisecond or two.
constexpr size_t kBlockRows = 16384;

} // namespace

void ComponentIndex::Builder::reserve(size_t rows)
{
    m_vectors.reserve(rows * static_cast<size_t>(m_dim));
    m_videos.reserve(rows);
    m_ids.reserve(rows);
    m_weights.reserve(rows);
}

bool ComponentIndex::Builder::add(VideoId video, int64_t componentId, float weight, const float *vector, int dim)
{
    if (dim != m_dim || !vector)
        return false;
    m_vectors.insert(m_vectors.end(), vector, vector + dim);
    m_videos.push_back(video);
    m_ids.push_back(componentId);
    m_weights.push_back(std::clamp(weight, 0.f, 1.f));
    return true;
}

std::shared_ptr<const ComponentIndex> ComponentIndex::Builder::finish()
{
    std::shared_ptr<ComponentIndex> index(new ComponentIndex());
    index->m_dim = m_dim;
    const size_t n = m_ids.size();
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), size_t{0});
    const bool grouped = std::is_sorted(order.begin(), order.end(), [this](size_t a, size_t b) {
        return m_videos[a] != m_videos[b] ? m_videos[a] < m_videos[b] : m_ids[a] < m_ids[b];
    });
    if (!grouped)
        std::stable_sort(order.begin(), order.end(), [this](size_t a, size_t b) {
            return m_videos[a] != m_videos[b] ? m_videos[a] < m_videos[b] : m_ids[a] < m_ids[b];
        });
    const size_t dim = static_cast<size_t>(m_dim);
    if (grouped) {
        index->m_vectors = std::move(m_vectors);
        index->m_ids = std::move(m_ids);
        index->m_weights = std::move(m_weights);
    } else {
        index->m_vectors.resize(n * dim);
        index->m_ids.resize(n);
        index->m_weights.resize(n);
        for (size_t i = 0; i < n; ++i) {
            std::memcpy(index->m_vectors.data() + i * dim, m_vectors.data() + order[i] * dim, dim * sizeof(float));
            index->m_ids[i] = m_ids[order[i]];
            index->m_weights[i] = m_weights[order[i]];
        }
        m_vectors.clear();
        m_vectors.shrink_to_fit();
    }
    index->m_rowVideo.resize(n);
    index->m_offsets.push_back(0);
    for (size_t i = 0; i < n; ++i) {
        const VideoId v = m_videos[grouped ? i : order[i]];
        if (index->m_videoIds.empty() || index->m_videoIds.back() != v) {
            if (!index->m_videoIds.empty())
                index->m_offsets.push_back(i);
            index->m_videoIds.push_back(v);
            auto key = m_keys.find(v);
            index->m_keys.push_back(key == m_keys.end() ? std::string() : key->second);
        }
        index->m_rowVideo[i] = static_cast<uint32_t>(index->m_videoIds.size() - 1);
    }
    if (n > 0)
        index->m_offsets.push_back(n);
    return index;
}

Result<std::shared_ptr<const ComponentIndex>> ComponentIndex::fromStore(const TwinStore &store,
                                                                        const std::string &encoderVersion,
                                                                        int dimensions, const CancelToken &cancel)
{
    using R = Result<std::shared_ptr<const ComponentIndex>>;
    Builder builder(dimensions);
    size_t skipped = 0;
    Status s = store.forEachEmbedding(encoderVersion, [&](const EmbeddingRow &row) {
        if (!builder.add(row.videoId, row.componentId, row.weight, row.vector, row.dim))
            ++skipped;
        return !cancel.isCancelled();
    });
    if (!s)
        return R::error(s);
    if (cancel.isCancelled())
        return R::cancelled();
    for (const VideoRow &v : store.videos())
        if (v.status == VideoStatus::Done)
            builder.setKey(v.id, v.key);
    (void)skipped; // rows of another size cannot come from this encoder version; they are ignored
    return R(builder.finish());
}

size_t ComponentIndex::memoryBytes() const
{
    return m_vectors.capacity() * sizeof(float) + m_ids.capacity() * sizeof(int64_t) +
           m_weights.capacity() * sizeof(float) + m_rowVideo.capacity() * sizeof(uint32_t) +
           m_offsets.capacity() * sizeof(size_t) + m_videoIds.capacity() * sizeof(VideoId);
}

std::vector<CoarseHit> ComponentIndex::search(const std::vector<IndexQuery> &queries, int k, Aggregation aggregation,
                                              const CancelToken &cancel) const
{
    const size_t nq = queries.size();
    const size_t videos = videoCount();
    if (nq == 0 || videos == 0 || k <= 0)
        return {};
    const size_t dim = static_cast<size_t>(m_dim);
    std::vector<float> q(nq * dim, 0.f);
    for (size_t s = 0; s < nq; ++s)
        if (queries[s].vector.size() == dim)
            std::memcpy(q.data() + s * dim, queries[s].vector.data(), dim * sizeof(float));

    std::vector<float> best(nq * videos, -std::numeric_limits<float>::infinity());
    std::vector<int64_t> bestRow(nq * videos, -1);
    std::vector<float> sims(nq * kBlockRows);
    const size_t n = size();
    for (size_t r0 = 0; r0 < n; r0 += kBlockRows) {
        if (cancel.isCancelled())
            return {};
        const size_t nb = std::min(kBlockRows, n - r0);
        sgemmNT(static_cast<int>(nq), static_cast<int>(nb),
                    static_cast<int>(dim), 1.f, q.data(), static_cast<int>(dim), vector(r0), static_cast<int>(dim), 0.f,
                    sims.data(), static_cast<int>(nb));
        for (size_t s = 0; s < nq; ++s) {
            const float *row = sims.data() + s * nb;
            float *bestS = best.data() + s * videos;
            int64_t *rowS = bestRow.data() + s * videos;
            for (size_t i = 0; i < nb; ++i) {
                const size_t r = r0 + i;
                const float v = row[i] + kSalience * (m_weights[r] - 1.f);
                const uint32_t vid = m_rowVideo[r];
                if (v > bestS[vid]) {
                    bestS[vid] = v;
                    rowS[vid] = static_cast<int64_t>(r);
                }
            }
        }
    }
    return rank(queries, best, bestRow, k, aggregation);
}

std::vector<CoarseHit> ComponentIndex::rank(const std::vector<IndexQuery> &queries, const std::vector<float> &best,
                                            const std::vector<int64_t> &bestRow, int k, Aggregation aggregation) const
{
    const size_t nq = queries.size();
    const size_t videos = videoCount();
    if (nq == 0 || videos == 0 || k <= 0)
        return {};
    double weightSum = 0.0;
    for (const IndexQuery &iq : queries)
        weightSum += std::max(0.f, iq.weight);
    const bool equalWeights = weightSum <= 0.0;
    if (equalWeights)
        weightSum = static_cast<double>(nq);

    std::vector<double> score(videos);
    for (size_t v = 0; v < videos; ++v) {
        double acc = aggregation == Aggregation::Min ? std::numeric_limits<double>::infinity() : 0.0;
        for (size_t s = 0; s < nq; ++s) {
            const double sat = satisfaction(best[s * videos + v], queries[s].negated);
            if (aggregation == Aggregation::Min)
                acc = std::min(acc, sat);
            else
                acc += (equalWeights ? 1.0 : std::max(0.f, queries[s].weight)) * sat;
        }
        score[v] = aggregation == Aggregation::Min ? acc : acc / weightSum;
    }
    std::vector<uint32_t> order(videos);
    std::iota(order.begin(), order.end(), 0u);
    const size_t top = std::min(videos, static_cast<size_t>(k));
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(top), order.end(),
                      [&](uint32_t a, uint32_t b) {
                          return score[a] != score[b] ? score[a] > score[b] : m_videoIds[a] < m_videoIds[b];
                      });
    std::vector<CoarseHit> hits;
    hits.reserve(top);
    for (size_t i = 0; i < top; ++i) {
        const uint32_t v = order[i];
        CoarseHit h;
        h.videoId = m_videoIds[v];
        h.key = m_keys[v];
        h.score = score[v];
        for (size_t s = 0; s < nq; ++s) {
            h.perSubQuery.push_back(best[s * videos + v]);
            const int64_t r = bestRow[s * videos + v];
            h.bestComponent.push_back(r >= 0 ? m_ids[static_cast<size_t>(r)] : 0);
        }
        hits.push_back(std::move(h));
    }
    return hits;
}

} // namespace ts
