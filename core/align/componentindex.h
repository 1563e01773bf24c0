// The library's component embeddings in one contiguous matrix, searched exactly with BLAS (cblas_sgemm).
//
// Scoring (paper Eq. 2 with salience and negation): for sub-query s with unit vector q_s and component c of video v,
//   sim(s, c) = q_s . e_c + kSalience * (weight_c - 1)     (salient components win near-ties)
//   m_s(v)    = max over the components of v of sim(s, c)
//   sat_s(v)  = m_s(v), or 1 - m_s(v) for a negated sub-query (matching the negated concept lowers the score)
//   score(v)  = sum_s w_s sat_s(v) / sum_s w_s   (WeightedMean)   or   min_s sat_s(v)   (Min)
// Only videos that have components of this encoder take part. Ties go to the smaller video id.
// Immutable after build: any number of threads may search one index at once.
#pragma once

#include "retrieval/coarsesearch.h"
#include "base/cancel.h"
#include "base/result.h"
#include "store/twinstore.h"

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace ts {

/// A sub-query as the index sees it: an embedding (dimensions() floats), a weight and its polarity.
struct IndexQuery {
    std::vector<float> vector;
    float weight = 1.f;
    bool negated = false;
};

class ComponentIndex {
public:
    static constexpr float kSalience = 0.05f;

    /// Collects rows (any order) and lays them out grouped by video.
    class Builder {
    public:
        explicit Builder(int dimensions) : m_dim(dimensions) { }
        void reserve(size_t rows);
        /// False (row ignored) when the vector has another size.
        bool add(VideoId video, int64_t componentId, float weight, const float *vector, int dim);
        void setKey(VideoId video, std::string key) { m_keys[video] = std::move(key); }
        std::shared_ptr<const ComponentIndex> finish();

    private:
        int m_dim;
        std::vector<float> m_vectors;
        std::vector<VideoId> m_videos;
        std::vector<int64_t> m_ids;
        std::vector<float> m_weights;
        std::unordered_map<VideoId, std::string> m_keys;
    };

    /// Loads every embedding of encoderVersion from the store (keys from its video list). Worker threads only.
    static Result<std::shared_ptr<const ComponentIndex>>
    fromStore(const TwinStore &store, const std::string &encoderVersion, int dimensions, const CancelToken &cancel);

    int dimensions() const { return m_dim; }
    size_t size() const { return m_ids.size(); }
    size_t videoCount() const { return m_videoIds.size(); }
    size_t memoryBytes() const;
    const float *vectors() const { return m_vectors.data(); }
    const float *vector(size_t row) const { return m_vectors.data() + row * static_cast<size_t>(m_dim); }
    /// Row range [begin, end) of video index i (0..videoCount()).
    size_t videoBegin(size_t i) const { return m_offsets[i]; }
    size_t videoEnd(size_t i) const { return m_offsets[i + 1]; }
    VideoId videoId(size_t i) const { return m_videoIds[i]; }
    int64_t componentId(size_t row) const { return m_ids[row]; }
    float weight(size_t row) const { return m_weights[row]; }
    /// Video index of a row.
    size_t videoOfRow(size_t row) const { return m_rowVideo[row]; }

    /// The k best videos, best first (empty when cancelled, nothing indexed or no sub-query).
    std::vector<CoarseHit> search(const std::vector<IndexQuery> &queries, int k, Aggregation aggregation,
                                  const CancelToken &cancel) const;

    /// Turns per-video best similarities (queries x videos, row-major) into ranked hits; shared with other
    /// search back-ends (FAISS) so they aggregate exactly alike.
    std::vector<CoarseHit> rank(const std::vector<IndexQuery> &queries, const std::vector<float> &best,
                                const std::vector<int64_t> &bestRow, int k, Aggregation aggregation) const;

private:
    ComponentIndex() = default;
    int m_dim = 0;
    std::vector<float> m_vectors; ///< rows x dim, grouped by video
    std::vector<int64_t> m_ids;
    std::vector<float> m_weights;
    std::vector<uint32_t> m_rowVideo;
    std::vector<size_t> m_offsets; ///< videoCount() + 1
    std::vector<VideoId> m_videoIds;
    std::vector<std::string> m_keys;
};

/// Satisfaction of one sub-query given the best similarity (see the scoring note above).
inline float satisfaction(float best, bool negated) { return negated ? 1.f - best : best; }

} // namespace ts
