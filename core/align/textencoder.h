// The paired text encoders of the coarse stage: a query tower for sub-queries and a component tower for twin
// components, both over the same input features (textfeatures.h), each a small residual MLP to a unit-length
// embedding: e = normalise(W2 relu(W1 x + b1) + b2 + Ws x). Trained in LibTorch (aligntrainer.h); inference here
// is plain BLAS so the app needs no LibTorch at run time.
//
// Weights file (models/trained/aligner-*.bin), little-endian:
//   8 bytes "TSALIGN1" | uint32 header length | header JSON | float32 tensors in the header's order.
// The header names the format, version, feature recipe, dims, the training recipe and its hash, and an FNV-1a
// checksum of the tensor bytes, so a truncated or damaged file is refused with a message instead of misread.
#pragma once

#include "align/textfeatures.h"
#include "base/result.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ts {

enum class Tower { Query, Component };

struct TowerWeights {
    int inputDim = 0;
    int hiddenDim = 0;
    int outputDim = 0;
    std::vector<float> w1; ///< hidden x input, row-major (torch Linear layout)
    std::vector<float> b1; ///< hidden
    std::vector<float> w2; ///< output x hidden
    std::vector<float> b2; ///< output
    std::vector<float> ws; ///< output x input: the linear skip that keeps word-vector similarity for unseen words
};

struct AlignerWeights {
    std::string name = "aligner-v1"; ///< human name of the model generation
    std::string featureRecipe = TextFeaturizer::kRecipe;
    int wordDim = 0; ///< dimensions of the word vectors the features were made with
    nlohmann::json training = nlohmann::json::object(); ///< recipe: data, epochs, seed, loss, date...
    TowerWeights query;
    TowerWeights component;

    /// name + "-" + the first 8 hex digits of the weights' checksum: what embeddings record.
    std::string version() const;
    /// FNV-1a 64 over the tensor bytes, hex.
    std::string checksum() const;
};

/// Reads a weights file; says what is wrong (and where) when it is not a complete, intact one.
Result<AlignerWeights> readAlignerFile(const std::string &path);
/// Writes atomically (temporary file, then rename).
Status writeAlignerFile(const std::string &path, const AlignerWeights &weights);
/// Checks that the towers' shapes agree with each other and with the declared dims.
Status checkShapes(const AlignerWeights &weights);

class TextEncoder {
public:
    /// Loads weights for the given word vectors, WordNet and sentence encoder (the feature recipe must match;
    /// weights trained without a sentence encoder ignore it, weights trained with one refuse to load without it).
    static Result<std::unique_ptr<TextEncoder>> load(const std::string &path, const WordVectors *vectors,
                                                     const WordNet *wordnet, const SentenceEncoder *sentence = nullptr);
    static Result<std::unique_ptr<TextEncoder>> fromWeights(AlignerWeights weights, const WordVectors *vectors,
                                                            const WordNet *wordnet,
                                                            const SentenceEncoder *sentence = nullptr);

    const std::string &version() const { return m_version; }
    int dimensions() const { return m_weights.query.outputDim; }
    const AlignerWeights &weights() const { return m_weights; }
    const TextFeaturizer &featurizer() const { return m_featurizer; }

    /// Unit-length embedding of one text.
    std::vector<float> encode(Tower tower, std::string_view text) const;
    /// rows x dimensions(), row-major, for many texts (one BLAS call per layer).
    std::vector<float> encode(Tower tower, const std::vector<std::string> &texts) const;
    /// The towers on precomputed features (rows x featurizer().dimensions()).
    std::vector<float> encodeFeatures(Tower tower, const float *features, int rows) const;

private:
    TextEncoder(AlignerWeights weights, const WordVectors *vectors, const WordNet *wordnet,
                const SentenceEncoder *sentence);
    AlignerWeights m_weights;
    TextFeaturizer m_featurizer;
    std::string m_version;
};

/// The tower's forward pass (rows x input -> rows x output, unit rows); shared by the encoder and its tests.
std::vector<float> towerForward(const TowerWeights &tower, const float *input, int rows);

} // namespace ts
