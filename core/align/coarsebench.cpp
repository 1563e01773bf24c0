#include "coarsebench.h"

#include "align/alignedsearch.h"
#include "align/componentindex.h"
#include "align/components.h"
#include "store/twinstore.h"
#ifdef TWINSEEK_HAVE_FAISS
#include "align/faisssearch.h"
#endif

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <set>

namespace ts {

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

struct BenchQuery {
    VideoId source;
    std::vector<SubQuery> texts;
    std::vector<IndexQuery> subQueries;
};

/// One library size, from the synthetic twins to the three searches.
class LibraryBench {
public:
    LibraryBench(int videos, const CoarseBenchSetup &setup)
        : m_videos(videos), m_setup(setup), m_rng(setup.seed * 31 + static_cast<uint64_t>(videos)),
          m_dim(setup.encoder->dimensions())
    {
        m_row.videos = videos;
    }

    Result<CoarseBenchRow> run()
    {
        for (int q = 0; q < m_setup.queries; ++q)
            m_sources.emplace(m_rng.uniform(m_videos), Twin());
        if (m_setup.openStore) {
            auto opened = m_setup.openStore(m_videos);
            if (!opened)
                return Result<CoarseBenchRow>::error(opened);
            m_store = std::move(opened).value();
        }
        if (Status s = buildLibrary(); !s)
            return Result<CoarseBenchRow>::error(s);
        makeQueries();
        if (m_queries.empty())
            return Result<CoarseBenchRow>::error("no query could be paraphrased from the synthetic twins");
        timeExact();
        timeFaiss();
        if (m_store)
            if (Status s = timeStore(); !s)
                return Result<CoarseBenchRow>::error(s);
        return m_row;
    }

private:
    Status buildLibrary()
    {
        const auto tEmbed = Clock::now();
        ComponentIndex::Builder builder(m_dim);
        builder.reserve(static_cast<size_t>(m_videos) * 11);
        int64_t componentId = 0;
        constexpr int kChunk = 4000;
        for (int start = 0; start < m_videos; start += kChunk) {
            SyntheticOptions so;
            so.videos = std::min(kChunk, m_videos - start);
            so.firstIndex = start;
            so.seed = m_setup.seed;
            so.maxTracks = 7; // about ten components per video
            so.maxRelations = 7;
            std::vector<Twin> twins =
                syntheticTwins(m_setup.objects, m_setup.scenes, *m_setup.wordnet, m_setup.vectors, so);
            std::vector<std::vector<Component>> comps(twins.size());
            std::vector<std::string> texts;
            for (size_t j = 0; j < twins.size(); ++j) {
                comps[j] = componentsOf(twins[j]);
                for (const Component &c : comps[j])
                    texts.push_back(c.text);
            }
            const std::vector<float> vectors = m_setup.encoder->encode(Tower::Component, texts);
            size_t row = 0;
            for (size_t j = 0; j < twins.size(); ++j) {
                VideoId id = start + static_cast<VideoId>(j) + 1;
                if (m_store) {
                    auto stored = storeTwin(twins[j], comps[j], vectors, row);
                    if (!stored)
                        return stored.status();
                    id = *stored;
                }
                for (const Component &c : comps[j])
                    builder.add(id, ++componentId, c.weight, vectors.data() + (row++) * static_cast<size_t>(m_dim),
                                m_dim);
                auto src = m_sources.find(start + static_cast<int>(j));
                if (src != m_sources.end())
                    src->second = std::move(twins[j]);
            }
        }
        m_row.embedSeconds = msSince(tEmbed) / 1000.0;
        m_index = builder.finish();
        m_row.components = m_index->size();
        m_row.indexMb = m_index->memoryBytes() / 1048576.0;
        return Status::ok();
    }

    /// A twin and its component vectors (those from row on) into the library; its id there.
    Result<VideoId> storeTwin(const Twin &twin, const std::vector<Component> &comps, const std::vector<float> &vectors,
                              size_t row)
    {
        auto put = m_store->putTwin(twin, 1, 0, std::string());
        if (!put)
            return put;
        std::vector<std::vector<float>> own;
        for (size_t c = 0; c < comps.size(); ++c)
            own.emplace_back(vectors.begin() + static_cast<std::ptrdiff_t>((row + c) * m_dim),
                             vectors.begin() + static_cast<std::ptrdiff_t>((row + c + 1) * m_dim));
        if (Status s = m_store->putComponents(*put, comps, own, m_setup.encoder->version()); !s)
            return Result<VideoId>::error(s);
        return put;
    }

    /// 1-3 sub-queries paraphrasing components of one synthetic video each.
    void makeQueries()
    {
        Paraphraser paraphraser(*m_setup.wordnet, m_setup.vectors);
        for (int q = 0; q < m_setup.queries; ++q) {
            auto it = m_sources.begin();
            std::advance(it, m_rng.uniform(static_cast<int>(m_sources.size())));
            const std::vector<Component> comps = componentsOf(it->second);
            BenchQuery query{it->first + 1, {}, {}};
            const int n = 1 + m_rng.uniform(3);
            for (int s = 0; s < n && !comps.empty(); ++s) {
                const auto para = paraphraser.paraphrase(it->second, m_rng.pick(comps), m_rng, 1);
                if (para.empty())
                    continue;
                SubQuery sq;
                sq.text = para.front().text;
                query.subQueries.push_back({m_setup.encoder->encode(Tower::Query, sq.text), 1.f, false});
                query.texts.push_back(std::move(sq));
            }
            if (!query.subQueries.empty())
                m_queries.push_back(std::move(query));
        }
    }

    void timeExact()
    {
        const int k = m_setup.k;
        std::vector<double> ms;
        int self = 0;
        m_index->search(m_queries.front().subQueries, k, Aggregation::WeightedMean, m_cancel); // warm caches, threads
        for (const BenchQuery &q : m_queries) {
            const auto t0 = Clock::now();
            const auto hits = m_index->search(q.subQueries, k, Aggregation::WeightedMean, m_cancel);
            ms.push_back(msSince(t0));
            m_exactTop.emplace_back();
            for (const CoarseHit &h : hits) {
                m_exactTop.back().insert(h.videoId);
                self += h.videoId == q.source ? 1 : 0;
            }
        }
        m_row.exactP50Ms = percentile(ms, 0.5);
        m_row.exactP95Ms = percentile(ms, 0.95);
        m_row.selfAtK = static_cast<double>(self) / static_cast<double>(m_queries.size());
    }

    void timeFaiss()
    {
#ifdef TWINSEEK_HAVE_FAISS
        const int k = m_setup.k, faissK = std::max(m_setup.k, m_setup.faissK);
        FaissFlatSearch faiss(*m_index);
        std::vector<double> ms;
        int same = 0;
        double overlap = 0.0;
        faiss.search(m_queries.front().subQueries, k, Aggregation::WeightedMean, faissK);
        for (size_t i = 0; i < m_queries.size(); ++i) {
            const auto t0 = Clock::now();
            const auto hits = faiss.search(m_queries[i].subQueries, k, Aggregation::WeightedMean, faissK);
            ms.push_back(msSince(t0));
            std::set<int64_t> b;
            for (const auto &h : hits)
                b.insert(h.videoId);
            int common = 0;
            for (int64_t v : m_exactTop[i])
                common += b.count(v) ? 1 : 0;
            same += m_exactTop[i] == b ? 1 : 0;
            overlap += m_exactTop[i].empty() ? 1.0 : static_cast<double>(common) / m_exactTop[i].size();
        }
        const double n = static_cast<double>(m_queries.size());
        m_row.faiss = true;
        m_row.faissP50Ms = percentile(ms, 0.5);
        m_row.faissP95Ms = percentile(ms, 0.95);
        m_row.faissSame = same / n;
        m_row.faissOverlap = overlap / n;
#endif
    }

    Status timeStore()
    {
        AlignedCoarseSearch search(*m_setup.encoder);
        const auto t0 = Clock::now();
        auto loaded = search.index(*m_store, m_cancel);
        m_row.loadSeconds = msSince(t0) / 1000.0;
        if (!loaded)
            return loaded.status();
        std::vector<double> ms;
        int same = 0;
        for (size_t i = 0; i < m_queries.size(); ++i) {
            const auto t1 = Clock::now();
            auto hits = search.search(*m_store, m_queries[i].texts, m_setup.k, Aggregation::WeightedMean, m_cancel);
            ms.push_back(msSince(t1));
            if (!hits)
                return hits.status();
            std::set<int64_t> b;
            for (const auto &h : *hits)
                b.insert(h.videoId);
            same += b == m_exactTop[i] ? 1 : 0;
        }
        m_row.stored = true;
        m_row.storeP50Ms = percentile(ms, 0.5);
        m_row.storeP95Ms = percentile(ms, 0.95);
        m_row.storeSame = static_cast<double>(same) / static_cast<double>(m_queries.size());
        return Status::ok();
    }

    const int m_videos;
    const CoarseBenchSetup &m_setup;
    Rng m_rng;
    const int m_dim;
    CoarseBenchRow m_row;
    std::map<int, Twin> m_sources; // query source video index -> its twin (kept while generating)
    std::unique_ptr<TwinStore> m_store;
    std::shared_ptr<const ComponentIndex> m_index;
    std::vector<BenchQuery> m_queries;
    std::vector<std::set<int64_t>> m_exactTop;
    CancelToken m_cancel;
};

} // namespace

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0.0;
    std::sort(v.begin(), v.end());
    const size_t i = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size()))) - 1;
    return v[std::min(v.size() - 1, std::max<size_t>(0, i))];
}

Result<CoarseBenchRow> benchCoarseLibrary(int videos, const CoarseBenchSetup &setup)
{
    if (videos <= 0 || !setup.encoder || !setup.wordnet)
        return Result<CoarseBenchRow>::error("a positive size, an encoder and WordNet are needed");
    return LibraryBench(videos, setup).run();
}

} // namespace ts
