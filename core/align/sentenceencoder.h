// A pretrained sentence encoder (BERT family, e.g. all-MiniLM-L6-v2) run in plain C++ over BLAS: WordPiece
// tokenisation as BERT's uncased tokenizer does it, the transformer encoder, mean pooling over the tokens and unit
// length, so texts that mean the same land close even when they share no word ("a couch" and "a sofa"). It is the
// input layer of the coarse stage's paired encoders (textfeatures.h). Weights come from a safetensors file and a
// vocab.txt named by a model manifest (role "sentence-encoder"); nothing is downloaded at run time.
// Immutable after load: any number of threads may encode at once.
#pragma once

#include "base/result.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ts {

/// BERT's uncased WordPiece tokenizer: clean, split CJK, lower-case, strip accents, split on punctuation, then
/// greedy longest-match word pieces ("##" continues a word); a word with no spelling in the vocabulary is [UNK].
class WordPieceTokenizer {
public:
    static Result<WordPieceTokenizer> fromVocabFile(const std::string &path);
    /// One token per line, the line number is the id (the vocab.txt layout).
    static Result<WordPieceTokenizer> fromLines(const std::vector<std::string> &lines);

    /// The word pieces of a text, without [CLS]/[SEP].
    std::vector<std::string> pieces(std::string_view text) const;
    /// [CLS] pieces [SEP] as ids, the pieces cut so the whole is at most maxTokens (>= 2).
    std::vector<int32_t> encode(std::string_view text, int maxTokens) const;
    /// -1 when the token is not in the vocabulary.
    int32_t id(const std::string &token) const;
    size_t size() const { return m_ids.size(); }

private:
    /// Cleaning, lower-casing, accent stripping and splitting: the "basic" words WordPiece then cuts.
    static std::vector<std::string> basicWords(std::string_view text);
    std::unordered_map<std::string, int32_t> m_ids;
    int32_t m_unk = -1;
    int32_t m_cls = -1;
    int32_t m_sep = -1;
};

/// A BERT encoder's shapes (from the weights; the layout is that of Hugging Face BertModel).
struct BertShape {
    int vocab = 0;
    int hidden = 0;
    int layers = 0;
    int heads = 0;
    int intermediate = 0;
    int maxPositions = 0;
};

class SentenceEncoder {
public:
    /// Loads a safetensors file of a BertModel (float32) and its vocab.txt. The weights do not record the number
    /// of attention heads; MiniLM, bge-small and BERT base all have 12.
    static Result<std::unique_ptr<SentenceEncoder>> load(const std::string &weightsPath, const std::string &vocabPath,
                                                         int heads = 12);

    int dimensions() const { return m_shape.hidden; }
    const BertShape &shape() const { return m_shape; }
    const WordPieceTokenizer &tokenizer() const { return m_tokenizer; }
    /// Names the model and its weights ("bert-l6-h384:" + the first 8 hex digits of an FNV-1a hash of the weights),
    /// so features made with other weights are never mixed up.
    const std::string &identity() const { return m_identity; }
    /// Tokens per text at most (longer texts are cut); 128 as the model was trained.
    static constexpr int kMaxTokens = 128;

    /// Unit-length embeddings, texts.size() x dimensions() row-major, into out. Texts are packed into large matrix
    /// products; calls from several threads may run at once.
    void encode(const std::vector<std::string> &texts, float *out) const;
    std::vector<float> encode(std::string_view text) const;

private:
    struct Layer {
        std::vector<float> wq, bq, wk, bk, wv, bv, wo, bo, ln1g, ln1b, wi, bi, wo2, bo2, ln2g, ln2b;
    };
    SentenceEncoder() = default;
    void encodeBatch(const std::vector<std::vector<int32_t>> &ids, float *out) const;

    BertShape m_shape;
    WordPieceTokenizer m_tokenizer;
    std::string m_identity;
    std::vector<float> m_wordEmbed, m_posEmbed, m_typeEmbed, m_embLnG, m_embLnB;
    std::vector<Layer> m_layers;
};

} // namespace ts
