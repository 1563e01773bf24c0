// The input layer shared by both text encoders: a text becomes four GloVe-sized slots, each a weighted mean of
// word vectors of one kind of word. Content words (weighted by specificity, the Zipf-rank stand-in for IDF),
// colour words, geometry words (size, motion, direction, position, spatial prepositions) and the WordNet hypernyms of
// the nouns that name things. Keeping the kinds apart lets a small MLP weigh "brown" against "bear" instead of seeing
// one blur; the hypernym slot lets "an animal" meet "brown bear" although GloVe puts them far apart. With a pretrained
// sentence encoder (sentenceencoder.h) its unit-length embedding of the whole text follows the slots, so the towers
// start from a model that knows phrases and world knowledge the slots cannot hold. Immutable after construction
// apart from a word cache; thread-safe.
#pragma once

#include "knowledge/wordnet.h"
#include "knowledge/wordvectors.h"

#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ts {

class SentenceEncoder;

class TextFeaturizer {
public:
    /// Names the recipe below; weights files record it and refuse to load with another.
    static constexpr const char *kRecipe = "slots4:content-idf,colour,geometry+spatial,hypernym8;v1";
    static constexpr int kSlots = 4;
    /// Joins kRecipe and the sentence encoder's identity in the recipe of features that include it.
    static constexpr const char *kSentenceTag = "+sentence-mean:";

    /// vectors is required; without wordnet the hypernym slot stays zero (hasHypernyms() says so). With a sentence
    /// encoder (which must outlive this) its embedding is appended to the slots.
    TextFeaturizer(const WordVectors *vectors, const WordNet *wordnet, const SentenceEncoder *sentence = nullptr);

    int dimensions() const { return kSlots * m_dim + m_sentenceDim; }
    /// kRecipe, plus kSentenceTag and the encoder's identity when there is one.
    std::string recipe() const;
    /// The sentence encoder identity a recipe names (empty when its features have none).
    static std::string sentenceIdentity(const std::string &recipe);
    const SentenceEncoder *sentenceEncoder() const { return m_sentence; }
    bool hasHypernyms() const { return m_wn != nullptr; }
    const WordVectors *vectors() const { return m_wv; }
    const WordNet *wordnet() const { return m_wn; }

    /// Writes dimensions() floats to out.
    void features(std::string_view text, float *out) const;
    std::vector<float> features(std::string_view text) const;
    /// texts.size() x dimensions() floats to out; the sentence encoder runs over all texts at once.
    void features(const std::vector<std::string> &texts, float *out) const;

    /// True for words the geometry slot takes (sizes, speeds, directions, positions).
    static bool isGeometryWord(std::string_view word);

private:
    struct Hypernyms {
        std::vector<float> vector; ///< normalised weighted mean of ancestor names; empty when none
    };
    const Hypernyms &hypernymsOf(const std::string &phrase, bool *isThing) const;
    SynsetId thingSense(const std::string &phrase) const;

    const WordVectors *m_wv;
    void slotFeatures(std::string_view text, float *out) const;

    const WordNet *m_wn;
    const SentenceEncoder *m_sentence = nullptr;
    int m_dim = 0;
    int m_sentenceDim = 0;
    mutable std::mutex m_mutex;
    mutable std::unordered_map<std::string, Hypernyms> m_cache; ///< phrase -> hypernym vector (empty: not a thing)
};

} // namespace ts
