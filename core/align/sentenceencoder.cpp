#include "sentenceencoder.h"

#include "blas.h"
#include "fnv.h"

#include <QChar>
#include <QString>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ts {

// ---------------------------------------------------------------------------------------------------------------
// Tokenizer

namespace {

bool isCjk(char32_t c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
           (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

bool isWhitespace(char32_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || QChar::category(c) == QChar::Separator_Space;
}

bool isControl(char32_t c)
{
    if (c == '\t' || c == '\n' || c == '\r')
        return false;
    const auto cat = QChar::category(c);
    return cat == QChar::Other_Control || cat == QChar::Other_Format;
}

// BERT counts every non-alphanumeric ASCII symbol as punctuation ("$", "^", "`"), besides Unicode's P* classes.
bool isPunctuation(char32_t c)
{
    if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126))
        return true;
    switch (QChar::category(c)) {
    case QChar::Punctuation_Connector:
    case QChar::Punctuation_Dash:
    case QChar::Punctuation_Open:
    case QChar::Punctuation_Close:
    case QChar::Punctuation_InitialQuote:
    case QChar::Punctuation_FinalQuote:
    case QChar::Punctuation_Other:
        return true;
    default:
        return false;
    }
}

std::string utf8(const std::u32string &s)
{
    return QString::fromUcs4(s.data(), static_cast<qsizetype>(s.size())).toStdString();
}

} // namespace

Result<WordPieceTokenizer> WordPieceTokenizer::fromLines(const std::vector<std::string> &lines)
{
    WordPieceTokenizer t;
    for (size_t i = 0; i < lines.size(); ++i) {
        std::string token = lines[i];
        while (!token.empty() && (token.back() == '\r' || token.back() == '\n'))
            token.pop_back();
        if (!token.empty())
            t.m_ids.emplace(token, static_cast<int32_t>(i));
    }
    t.m_unk = t.id("[UNK]");
    t.m_cls = t.id("[CLS]");
    t.m_sep = t.id("[SEP]");
    if (t.m_unk < 0 || t.m_cls < 0 || t.m_sep < 0)
        return Result<WordPieceTokenizer>::error("the vocabulary lacks [UNK], [CLS] or [SEP] (" +
                                                 std::to_string(lines.size()) + " lines)");
    return t;
}

Result<WordPieceTokenizer> WordPieceTokenizer::fromVocabFile(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return Result<WordPieceTokenizer>::error(path + ": cannot open the vocabulary");
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line))
        lines.push_back(line);
    auto t = fromLines(lines);
    if (!t)
        return Result<WordPieceTokenizer>::error(path + ": " + t.message());
    return t;
}

int32_t WordPieceTokenizer::id(const std::string &token) const
{
    const auto it = m_ids.find(token);
    return it == m_ids.end() ? -1 : it->second;
}

std::vector<std::string> WordPieceTokenizer::basicWords(std::string_view text)
{
    // Lower-case, then canonical decomposition so accents become separate marks that are dropped ("café" -> "cafe").
    const QString decomposed = QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()))
                                   .toLower()
                                   .normalized(QString::NormalizationForm_D);
    std::vector<std::string> words;
    std::u32string word;
    auto flush = [&] {
        if (!word.empty())
            words.push_back(utf8(word));
        word.clear();
    };
    for (const char32_t c : decomposed.toStdU32String()) {
        if (c == 0 || c == 0xFFFD || isControl(c))
            continue;
        if (QChar::category(c) == QChar::Mark_NonSpacing)
            continue;
        if (isWhitespace(c)) {
            flush();
        } else if (isPunctuation(c) || isCjk(c)) {
            flush();
            words.push_back(utf8(std::u32string(1, c)));
        } else {
            word.push_back(c);
        }
    }
    flush();
    return words;
}

std::vector<std::string> WordPieceTokenizer::pieces(std::string_view text) const
{
    constexpr size_t kMaxWordChars = 100;
    std::vector<std::string> out;
    for (const std::string &word : basicWords(text)) {
        const std::u32string chars = QString::fromStdString(word).toStdU32String();
        if (chars.size() > kMaxWordChars) {
            out.push_back("[UNK]");
            continue;
        }
        std::vector<std::string> wordPieces;
        size_t start = 0;
        bool known = true;
        while (start < chars.size()) {
            size_t end = chars.size();
            std::string found;
            while (end > start) {
                std::string candidate = utf8(chars.substr(start, end - start));
                if (start > 0)
                    candidate = "##" + candidate;
                if (m_ids.count(candidate)) {
                    found = std::move(candidate);
                    break;
                }
                --end;
            }
            if (found.empty()) {
                known = false;
                break;
            }
            wordPieces.push_back(std::move(found));
            start = end;
        }
        if (known)
            out.insert(out.end(), wordPieces.begin(), wordPieces.end());
        else
            out.push_back("[UNK]");
    }
    return out;
}

std::vector<int32_t> WordPieceTokenizer::encode(std::string_view text, int maxTokens) const
{
    std::vector<int32_t> ids{m_cls};
    for (const std::string &piece : pieces(text)) {
        if (static_cast<int>(ids.size()) >= std::max(2, maxTokens) - 1)
            break;
        const int32_t i = id(piece);
        ids.push_back(i < 0 ? m_unk : i);
    }
    ids.push_back(m_sep);
    return ids;
}

// ---------------------------------------------------------------------------------------------------------------
// Weights

namespace {

// The safetensors layout: uint64 header length, a JSON header {name: {dtype, shape, data_offsets}}, raw tensor data.
class SafeTensors {
public:
    static Result<SafeTensors> read(const std::string &path)
    {
        using R = Result<SafeTensors>;
        std::ifstream in(path, std::ios::binary);
        if (!in)
            return R::error(path + ": cannot open");
        in.seekg(0, std::ios::end);
        const auto fileSize = static_cast<uint64_t>(in.tellg());
        in.seekg(0);
        uint64_t headerSize = 0;
        if (fileSize < 8 || !in.read(reinterpret_cast<char *>(&headerSize), 8))
            return R::error(path + ": too short for a safetensors file");
        if (headerSize == 0 || headerSize > fileSize - 8 || headerSize > (100u << 20))
            return R::error(path + ": header length " + std::to_string(headerSize) + " does not fit the file");
        std::string header(headerSize, '\0');
        if (!in.read(header.data(), static_cast<std::streamsize>(headerSize)))
            return R::error(path + ": truncated header");
        SafeTensors st;
        st.m_path = path;
        st.m_header = nlohmann::json::parse(header, nullptr, false);
        if (!st.m_header.is_object())
            return R::error(path + ": the header is not a JSON object");
        st.m_data.resize(fileSize - 8 - headerSize);
        if (!in.read(st.m_data.data(), static_cast<std::streamsize>(st.m_data.size())))
            return R::error(path + ": truncated data");
        return st;
    }

    /// Copies a float32 tensor of the expected shape (an empty expected shape accepts any), or says why not.
    Status take(const std::string &name, const std::vector<int64_t> &shape, std::vector<float> &out) const
    {
        const auto it = m_header.find(name);
        if (it == m_header.end() || !it->is_object())
            return Status::error(m_path + ": no tensor '" + name + "'");
        const auto &t = *it;
        if (t.value("dtype", "") != "F32")
            return Status::error(m_path + ": tensor '" + name + "' is " + t.value("dtype", "?") + ", not F32");
        std::vector<int64_t> got;
        if (t.contains("shape") && t["shape"].is_array())
            for (const auto &d : t["shape"])
                got.push_back(d.is_number_integer() ? d.get<int64_t>() : -1);
        if (!shape.empty() && got != shape) {
            std::string g;
            for (int64_t d : got)
                g += (g.empty() ? "" : "x") + std::to_string(d);
            return Status::error(m_path + ": tensor '" + name + "' has shape " + g);
        }
        int64_t count = 1;
        for (int64_t d : got) {
            if (d < 0 || d > (int64_t(1) << 31))
                return Status::error(m_path + ": tensor '" + name + "' has a bad shape");
            count *= d;
        }
        const auto &offsets = t.value("data_offsets", nlohmann::json::array());
        if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
            !offsets[1].is_number_unsigned())
            return Status::error(m_path + ": tensor '" + name + "' has no data offsets");
        const uint64_t begin = offsets[0].get<uint64_t>(), end = offsets[1].get<uint64_t>();
        if (begin > end || end > m_data.size() || end - begin != static_cast<uint64_t>(count) * sizeof(float))
            return Status::error(m_path + ": tensor '" + name + "' lies outside the file or has the wrong size");
        out.resize(static_cast<size_t>(count));
        std::memcpy(out.data(), m_data.data() + begin, end - begin);
        for (float v : out)
            if (!std::isfinite(v))
                return Status::error(m_path + ": tensor '" + name + "' holds a non-finite value");
        return Status::ok();
    }

    /// Dimension d of a tensor's shape, -1 when absent.
    int64_t dim(const std::string &name, size_t d) const
    {
        const auto it = m_header.find(name);
        if (it == m_header.end() || !it->is_object() || !it->contains("shape"))
            return -1;
        const auto &s = (*it)["shape"];
        return s.is_array() && d < s.size() && s[d].is_number_integer() ? s[d].get<int64_t>() : -1;
    }

private:
    std::string m_path;
    nlohmann::json m_header;
    std::vector<char> m_data;
};

void layerNorm(float *rows, int count, int dim, const float *gamma, const float *beta)
{
    constexpr double kEps = 1e-12;
    for (int r = 0; r < count; ++r) {
        float *x = rows + static_cast<size_t>(r) * dim;
        double mean = 0.0;
        for (int i = 0; i < dim; ++i)
            mean += x[i];
        mean /= dim;
        double var = 0.0;
        for (int i = 0; i < dim; ++i)
            var += (x[i] - mean) * (x[i] - mean);
        var /= dim;
        const double inv = 1.0 / std::sqrt(var + kEps);
        for (int i = 0; i < dim; ++i)
            x[i] = static_cast<float>((x[i] - mean) * inv) * gamma[i] + beta[i];
    }
}

/// out (rows x n) = in (rows x k) W^T + b, W in torch Linear layout (n x k).
void linear(const float *in, int rows, int k, const std::vector<float> &w, const std::vector<float> &b, int n,
            float *out)
{
    for (int r = 0; r < rows; ++r)
        std::memcpy(out + static_cast<size_t>(r) * n, b.data(), sizeof(float) * static_cast<size_t>(n));
    sgemmNT(rows, n, k, 1.f, in, k, w.data(), k, 1.f, out, n);
}

} // namespace

Result<std::unique_ptr<SentenceEncoder>> SentenceEncoder::load(const std::string &weightsPath,
                                                               const std::string &vocabPath, int heads)
{
    using R = Result<std::unique_ptr<SentenceEncoder>>;
    auto tokenizer = WordPieceTokenizer::fromVocabFile(vocabPath);
    if (!tokenizer)
        return R::error(tokenizer);
    auto read = SafeTensors::read(weightsPath);
    if (!read)
        return R::error(read);
    const SafeTensors &st = read.value();

    std::unique_ptr<SentenceEncoder> e(new SentenceEncoder);
    e->m_tokenizer = std::move(tokenizer).value();
    BertShape &s = e->m_shape;
    s.vocab = static_cast<int>(st.dim("embeddings.word_embeddings.weight", 0));
    s.hidden = static_cast<int>(st.dim("embeddings.word_embeddings.weight", 1));
    s.maxPositions = static_cast<int>(st.dim("embeddings.position_embeddings.weight", 0));
    s.intermediate = static_cast<int>(st.dim("encoder.layer.0.intermediate.dense.weight", 0));
    while (st.dim("encoder.layer." + std::to_string(s.layers) + ".attention.self.query.weight", 0) > 0)
        ++s.layers;
    s.heads = heads;
    if (s.vocab <= 0 || s.hidden <= 0 || s.maxPositions < kMaxTokens || s.intermediate <= 0 || s.layers == 0)
        return R::error(weightsPath + ": not the weights of a BERT encoder (embeddings or layers missing)");
    if (heads <= 0 || s.hidden % heads != 0)
        return R::error(weightsPath + ": " + std::to_string(s.hidden) + " hidden units do not split into " +
                        std::to_string(heads) + " heads");
    if (static_cast<size_t>(s.vocab) < e->m_tokenizer.size())
        return R::error(vocabPath + ": the vocabulary has " + std::to_string(e->m_tokenizer.size()) +
                        " tokens, the model " + std::to_string(s.vocab));

    const int64_t h = s.hidden, inter = s.intermediate;
    std::vector<std::pair<std::string, std::pair<std::vector<int64_t>, std::vector<float> *>>> wanted = {
        {"embeddings.word_embeddings.weight", {{s.vocab, h}, &e->m_wordEmbed}},
        {"embeddings.position_embeddings.weight", {{s.maxPositions, h}, &e->m_posEmbed}},
        {"embeddings.token_type_embeddings.weight", {{}, &e->m_typeEmbed}},
        {"embeddings.LayerNorm.weight", {{h}, &e->m_embLnG}},
        {"embeddings.LayerNorm.bias", {{h}, &e->m_embLnB}},
    };
    e->m_layers.resize(static_cast<size_t>(s.layers));
    for (int l = 0; l < s.layers; ++l) {
        const std::string p = "encoder.layer." + std::to_string(l) + ".";
        Layer &L = e->m_layers[static_cast<size_t>(l)];
        const std::vector<std::pair<std::string, std::pair<std::vector<int64_t>, std::vector<float> *>>> more = {
            {p + "attention.self.query.weight", {{h, h}, &L.wq}},
            {p + "attention.self.query.bias", {{h}, &L.bq}},
            {p + "attention.self.key.weight", {{h, h}, &L.wk}},
            {p + "attention.self.key.bias", {{h}, &L.bk}},
            {p + "attention.self.value.weight", {{h, h}, &L.wv}},
            {p + "attention.self.value.bias", {{h}, &L.bv}},
            {p + "attention.output.dense.weight", {{h, h}, &L.wo}},
            {p + "attention.output.dense.bias", {{h}, &L.bo}},
            {p + "attention.output.LayerNorm.weight", {{h}, &L.ln1g}},
            {p + "attention.output.LayerNorm.bias", {{h}, &L.ln1b}},
            {p + "intermediate.dense.weight", {{inter, h}, &L.wi}},
            {p + "intermediate.dense.bias", {{inter}, &L.bi}},
            {p + "output.dense.weight", {{h, inter}, &L.wo2}},
            {p + "output.dense.bias", {{h}, &L.bo2}},
            {p + "output.LayerNorm.weight", {{h}, &L.ln2g}},
            {p + "output.LayerNorm.bias", {{h}, &L.ln2b}},
        };
        wanted.insert(wanted.end(), more.begin(), more.end());
    }
    uint64_t hash = kFnvOffset;
    for (const auto &[name, target] : wanted) {
        Status taken = st.take(name, target.first, *target.second);
        if (!taken)
            return R::error(taken);
        hash = fnv1a(target.second->data(), target.second->size() * sizeof(float), hash);
    }
    if (e->m_typeEmbed.size() < static_cast<size_t>(h))
        return R::error(weightsPath + ": the token type embeddings are empty");

    e->m_identity =
        "bert-l" + std::to_string(s.layers) + "-h" + std::to_string(s.hidden) + ":" + hex64(hash).substr(0, 8);
    return R(std::move(e));
}

std::vector<float> SentenceEncoder::encode(std::string_view text) const
{
    std::vector<float> out(static_cast<size_t>(dimensions()));
    encode({std::string(text)}, out.data());
    return out;
}

void SentenceEncoder::encode(const std::vector<std::string> &texts, float *out) const
{
    // Pack texts into batches of about this many tokens: large enough for efficient matrix products, small enough
    // that the intermediate activations stay a few megabytes.
    constexpr size_t kBatchTokens = 2048;
    std::vector<std::vector<int32_t>> batch;
    size_t tokens = 0, first = 0;
    const size_t dim = static_cast<size_t>(dimensions());
    for (size_t i = 0; i < texts.size(); ++i) {
        batch.push_back(m_tokenizer.encode(texts[i], kMaxTokens));
        tokens += batch.back().size();
        if (tokens >= kBatchTokens || i + 1 == texts.size()) {
            encodeBatch(batch, out + first * dim);
            first = i + 1;
            batch.clear();
            tokens = 0;
        }
    }
}

void SentenceEncoder::encodeBatch(const std::vector<std::vector<int32_t>> &ids, float *out) const
{
    const int h = m_shape.hidden, inter = m_shape.intermediate, heads = m_shape.heads, headDim = h / heads;
    std::vector<int> offsets{0};
    for (const auto &seq : ids)
        offsets.push_back(offsets.back() + static_cast<int>(seq.size()));
    const int total = offsets.back();
    const size_t th = static_cast<size_t>(total) * h;

    // Embeddings: word + position + token type 0, then layer norm.
    std::vector<float> x(th);
    for (size_t s = 0; s < ids.size(); ++s)
        for (size_t t = 0; t < ids[s].size(); ++t) {
            float *row = x.data() + (static_cast<size_t>(offsets[s]) + t) * h;
            const int32_t token = std::clamp<int32_t>(ids[s][t], 0, m_shape.vocab - 1);
            const float *w = m_wordEmbed.data() + static_cast<size_t>(token) * h;
            const float *p = m_posEmbed.data() + t * h;
            for (int i = 0; i < h; ++i)
                row[i] = w[i] + p[i] + m_typeEmbed[static_cast<size_t>(i)];
        }
    layerNorm(x.data(), total, h, m_embLnG.data(), m_embLnB.data());

    std::vector<float> q(th), k(th), v(th), ctx(th), attn(th), mid(static_cast<size_t>(total) * inter);
    std::vector<float> scores;
    const float scale = 1.f / std::sqrt(static_cast<float>(headDim));
    for (const Layer &L : m_layers) {
        linear(x.data(), total, h, L.wq, L.bq, h, q.data());
        linear(x.data(), total, h, L.wk, L.bk, h, k.data());
        linear(x.data(), total, h, L.wv, L.bv, h, v.data());
        // Self-attention within each text (no padding: every token attends to every token of its own text).
        for (size_t s = 0; s < ids.size(); ++s) {
            const int base = offsets[s], len = offsets[s + 1] - offsets[s];
            scores.resize(static_cast<size_t>(len) * len);
            for (int head = 0; head < heads; ++head) {
                const int c0 = head * headDim;
                for (int i = 0; i < len; ++i) {
                    const float *qi = q.data() + static_cast<size_t>(base + i) * h + c0;
                    float best = -1e30f;
                    for (int j = 0; j < len; ++j) {
                        const float *kj = k.data() + static_cast<size_t>(base + j) * h + c0;
                        float dot = 0.f;
                        for (int d = 0; d < headDim; ++d)
                            dot += qi[d] * kj[d];
                        scores[static_cast<size_t>(i) * len + j] = dot * scale;
                        best = std::max(best, dot * scale);
                    }
                    float sum = 0.f;
                    for (int j = 0; j < len; ++j) {
                        float &e = scores[static_cast<size_t>(i) * len + j];
                        e = std::exp(e - best);
                        sum += e;
                    }
                    float *ci = ctx.data() + static_cast<size_t>(base + i) * h + c0;
                    std::fill(ci, ci + headDim, 0.f);
                    for (int j = 0; j < len; ++j) {
                        const float p = scores[static_cast<size_t>(i) * len + j] / sum;
                        const float *vj = v.data() + static_cast<size_t>(base + j) * h + c0;
                        for (int d = 0; d < headDim; ++d)
                            ci[d] += p * vj[d];
                    }
                }
            }
        }
        linear(ctx.data(), total, h, L.wo, L.bo, h, attn.data());
        for (size_t i = 0; i < th; ++i)
            attn[i] += x[i];
        layerNorm(attn.data(), total, h, L.ln1g.data(), L.ln1b.data());
        linear(attn.data(), total, h, L.wi, L.bi, inter, mid.data());
        for (float &m : mid) // GELU, the exact (erf) form BERT uses
            m = 0.5f * m * (1.f + std::erf(m * 0.70710678118654752f));
        linear(mid.data(), total, inter, L.wo2, L.bo2, h, x.data());
        for (size_t i = 0; i < th; ++i)
            x[i] += attn[i];
        layerNorm(x.data(), total, h, L.ln2g.data(), L.ln2b.data());
    }

    // Mean over each text's tokens ([CLS] and [SEP] included, as sentence-transformers pools), then unit length.
    for (size_t s = 0; s < ids.size(); ++s) {
        float *o = out + s * static_cast<size_t>(h);
        std::fill(o, o + h, 0.f);
        const int len = offsets[s + 1] - offsets[s];
        for (int t = offsets[s]; t < offsets[s + 1]; ++t)
            for (int i = 0; i < h; ++i)
                o[i] += x[static_cast<size_t>(t) * h + i];
        double norm = 0.0;
        for (int i = 0; i < h; ++i) {
            o[i] /= static_cast<float>(len);
            norm += static_cast<double>(o[i]) * o[i];
        }
        const float inv = static_cast<float>(1.0 / std::max(std::sqrt(norm), 1e-12));
        for (int i = 0; i < h; ++i)
            o[i] *= inv;
    }
}

} // namespace ts
