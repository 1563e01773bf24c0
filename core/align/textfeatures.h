// The input layer shared by both text encoders: a text becomes four GloVe-sized slots, each a weighted mean of
// word vectors of one kind of word. Content words (weighted by specificity, the Zipf-rank stand-in for IDF),
// colour words, geometry words (size, motion, direction, position, spatial prepositions) and the WordNet hypernyms of
// the nouns that name things. Keeping the kinds apart lets a small MLP weigh "brown" against "bear" instead of seeing
// one blur; the hypernym slot lets "an animal" meet "brown bear" although GloVe puts them far apart. Immutable after
// construction apart from a word cache; thread-safe.
#pragma once

#include "knowledge/wordnet.h"
#include "knowledge/wordvectors.h"

#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ts {

class TextFeaturizer {
public:
    /// Names the recipe below; weights files record it and refuse to load with another.
    static constexpr const char *kRecipe = "slots4:content-idf,colour,geometry+spatial,hypernym8;v1";
    static constexpr int kSlots = 4;

    /// vectors is required; without wordnet the hypernym slot stays zero (hasHypernyms() says so).
    TextFeaturizer(const WordVectors *vectors, const WordNet *wordnet);

    int dimensions() const { return kSlots * m_dim; }
    bool hasHypernyms() const { return m_wn != nullptr; }
    const WordVectors *vectors() const { return m_wv; }
    const WordNet *wordnet() const { return m_wn; }

    /// Writes dimensions() floats to out.
    void features(std::string_view text, float *out) const;
    std::vector<float> features(std::string_view text) const;

    /// True for words the geometry slot takes (sizes, speeds, directions, positions).
    static bool isGeometryWord(std::string_view word);

private:
    struct Hypernyms {
        std::vector<float> vector; ///< normalised weighted mean of ancestor names; empty when none
    };
    const Hypernyms &hypernymsOf(const std::string &phrase, bool *isThing) const;
    SynsetId thingSense(const std::string &phrase) const;

    const WordVectors *m_wv;
    const WordNet *m_wn;
    int m_dim = 0;
    mutable std::mutex m_mutex;
    mutable std::unordered_map<std::string, Hypernyms> m_cache; ///< phrase -> hypernym vector (empty: not a thing)
};

} // namespace ts
