// Training data for the paired encoders, made by the project itself (never from benchmark queries):
// synthetic twins drawn from the full label vocabulary of the installed detectors and classifier, and optionally
// a library's real twins; their components (componentsOf) paired with sub-queries that paraphrase them with
// WordNet (synonyms, hypernyms, gloss phrases), GloVe neighbours that WordNet confirms, and attribute, motion,
// position and relation phrasings. Every sub-query carries a spec of what it asks for and every component the
// facts it holds, so the loss can treat every component that satisfies a sub-query as a positive.
// Deterministic for a seed (own RNG, no unordered iteration).
#pragma once

#include "knowledge/wordnet.h"
#include "knowledge/wordvectors.h"
#include "store/twinstore.h"
#include "twin/twin.h"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace ts {

/// Small deterministic generator (SplitMix64): the same stream on every platform and standard library.
class Rng {
public:
    explicit Rng(uint64_t seed) : m_state(seed) { }
    uint64_t next();
    /// 0..n-1 (n > 0)
    int uniform(int n) { return static_cast<int>(next() % static_cast<uint64_t>(n)); }
    float unit() { return static_cast<float>(next() >> 40) / static_cast<float>(1ull << 24); }
    bool chance(float p) { return unit() < p; }
    template <class T> const T &pick(const std::vector<T> &v)
    {
        return v[static_cast<size_t>(uniform(static_cast<int>(v.size())))];
    }

private:
    uint64_t m_state;
};

/// A class of a detector or classifier: display name and WordNet synset key ("n02132136").
struct LabelConcept {
    std::string name;
    std::string synset;
};

enum class ComponentKind : uint8_t { Object, Relation, Scene, Text };

ComponentKind componentKindFromName(const std::string &kind);

/// What a component holds, for deciding which sub-queries it satisfies.
struct ComponentFacts {
    ComponentKind kind = ComponentKind::Object;
    std::vector<SynsetId> concepts; ///< sorted: category (and named alternatives) with all their hypernyms
    std::vector<SynsetId> objectConcepts; ///< relations: the object's, empty for unary relations
    std::string colour, colour2, size, motion, direction, position, predicate;
    std::vector<std::string> words; ///< text components: lower-case words
};

/// What a sub-query asks for. Empty fields and 0 concepts are "anything".
struct QuerySpec {
    ComponentKind kind = ComponentKind::Object;
    SynsetId concept = 0;
    SynsetId objectConcept = 0;
    bool unary = false; ///< relations: appears / disappears
    std::string colour, size, motion, direction, position, predicate, word;
};

bool satisfies(const QuerySpec &spec, const ComponentFacts &facts);

struct Paraphrase {
    std::string text;
    QuerySpec spec;
};

/// Sub-query phrasings of twin components. Thread-safe (per-synset phrase cache under a mutex).
class Paraphraser {
public:
    Paraphraser(const WordNet &wordnet, const WordVectors *vectors);

    ComponentFacts factsOf(const Twin &twin, const Component &component) const;
    /// Up to n different sub-queries the component satisfies.
    std::vector<Paraphrase> paraphrase(const Twin &twin, const Component &component, Rng &rng, int n) const;

    struct ConceptPhrase {
        std::string text;
        SynsetId spec = 0; ///< the synset the phrase names (the concept itself or a hypernym)
        int kind = 0; ///< 0 own name, 1 synonym, 2 hypernym, 3 gloss, 4 word-vector neighbour
    };
    /// Ways to name a concept, the concept's own name first.
    const std::vector<ConceptPhrase> &phrasesOf(SynsetId id, const std::string &name) const;

private:
    std::vector<SynsetId> closure(SynsetId id) const;
    bool readable(const std::string &phrase) const;
    Paraphrase objectParaphrase(const Track &track, const ComponentFacts &facts, Rng &rng) const;
    Paraphrase relationParaphrase(const Twin &twin, const Component &c, const ComponentFacts &facts, Rng &rng) const;
    Paraphrase sceneParaphrase(const Label &label, SynsetId id, Rng &rng) const;
    Paraphrase textParaphrase(const ComponentFacts &facts, Rng &rng) const;
    const ConceptPhrase &pickPhrase(SynsetId id, const std::string &name, Rng &rng, bool allowGloss) const;

    const WordNet &m_wn;
    const WordVectors *m_wv;
    mutable std::mutex m_mutex;
    mutable std::map<std::pair<SynsetId, std::string>, std::unique_ptr<std::vector<ConceptPhrase>>> m_phrases;
};

struct SyntheticOptions {
    int videos = 1000;
    int firstIndex = 0; ///< index of the first video, so a large set can be made in chunks
    uint64_t seed = 1;
    int maxTracks = 5;
    int maxRelations = 5;
    int maxSceneLabels = 3;
    float textRate = 0.1f; ///< share of videos with an OCR observation
};

/// Twins of videos that do not exist, drawn from the label vocabulary: keys "synthetic-000001", path
/// "synthetic:", sampling.notes says so. objects: detector and classifier classes; scenes: classifier classes.
std::vector<Twin> syntheticTwins(const std::vector<LabelConcept> &objects, const std::vector<LabelConcept> &scenes,
                                 const WordNet &wordnet, const WordVectors *vectors, const SyntheticOptions &options);

struct TrainingPair {
    int query = 0;
    int positive = 0; ///< the component the query was made from
    int hardNegative = -1; ///< a component that looks alike but does not satisfy the query
    bool validation = false;
};

struct TrainingSet {
    std::vector<std::string> queryTexts;
    std::vector<QuerySpec> specs;
    std::vector<std::string> componentTexts;
    std::vector<ComponentFacts> facts;
    std::vector<TrainingPair> pairs;
    bool satisfies(int query, int component) const
    {
        return ts::satisfies(specs[static_cast<size_t>(query)], facts[static_cast<size_t>(component)]);
    }
};

struct TrainingDataOptions {
    uint64_t seed = 1;
    int objectParaphrases = 3; ///< per object component (relations, scenes and text get one each)
    int libraryRepeats = 4; ///< real twins' components are paraphrased this many times more
    float validationShare = 0.05f; ///< of the synthetic videos, held out
};

/// Components of the synthetic and library twins with paraphrased sub-queries. Library twins are all used for
/// training (they are few); validation is on held-out synthetic videos.
TrainingSet makeTrainingSet(const std::vector<Twin> &synthetic, const std::vector<Twin> &library,
                            const Paraphraser &paraphraser, const TrainingDataOptions &options);

} // namespace ts
