// The coarse stage as the engine sees it (compositional alignment, paper Eq. 2): every sub-query is embedded by the
// query encoder, every twin component (object track, relationship, scene) was embedded at ingest by the component
// encoder; a video's score aggregates, over sub-queries, its best-matching component (max), by weighted mean or
// min. core/align implements it.
#pragma once

#include "base/cancel.h"
#include "base/result.h"
#include "retrieval/engine.h"
#include "query/results.h"

#include <string>
#include <vector>

namespace ts {

class TwinStore;

struct CoarseHit {
    int64_t videoId = 0;
    std::string key;
    double score = 0.0;
    std::vector<float> perSubQuery; ///< best component similarity per sub-query
    std::vector<int64_t> bestComponent; ///< its component id per sub-query (0 when none)
};

class CoarseSearch {
public:
    virtual ~CoarseSearch() = default;
    /// The k best videos of the store's library for the sub-queries, best first. Worker threads only.
    virtual Result<std::vector<CoarseHit>> search(TwinStore &store, const std::vector<SubQuery> &subQueries, int k,
                                                  Aggregation aggregation, const CancelToken &cancel) = 0;
    /// The encoder version whose embeddings this search reads.
    virtual std::string encoderVersion() const = 0;
};

} // namespace ts
