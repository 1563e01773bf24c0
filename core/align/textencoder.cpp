#include "textencoder.h"

#include "align/blas.h"
#include "align/fnv.h"
#include "align/sentenceencoder.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ts {

namespace {

constexpr char kMagic[8] = {'T', 'S', 'A', 'L', 'I', 'G', 'N', '1'};
constexpr int kFormatVersion = 1;
constexpr uint32_t kMaxHeaderBytes = 1u << 20;
constexpr int kMaxDim = 4096;

bool littleEndianHost()
{
    const uint32_t one = 1;
    unsigned char b;
    std::memcpy(&b, &one, 1);
    return b == 1;
}

struct TensorRef {
    std::string name;
    std::vector<float> *data;
    std::vector<int> shape;
};

std::vector<TensorRef> tensorsOf(AlignerWeights &w)
{
    std::vector<TensorRef> out;
    for (auto [prefix, t] : {std::pair<const char *, TowerWeights *>{"query", &w.query}, {"component", &w.component}}) {
        const std::string p = prefix;
        out.push_back({p + ".w1", &t->w1, {t->hiddenDim, t->inputDim}});
        out.push_back({p + ".b1", &t->b1, {t->hiddenDim}});
        out.push_back({p + ".w2", &t->w2, {t->outputDim, t->hiddenDim}});
        out.push_back({p + ".b2", &t->b2, {t->outputDim}});
        out.push_back({p + ".ws", &t->ws, {t->outputDim, t->inputDim}});
    }
    return out;
}

size_t elements(const std::vector<int> &shape)
{
    size_t n = 1;
    for (int d : shape)
        n *= static_cast<size_t>(d);
    return n;
}

} // namespace

std::string AlignerWeights::checksum() const
{
    uint64_t h = 1469598103934665603ull;
    for (const TensorRef &t : tensorsOf(const_cast<AlignerWeights &>(*this)))
        h = fnv1a(t.data->data(), t.data->size() * sizeof(float), h);
    return hex64(h);
}

std::string AlignerWeights::version() const { return name + "-" + checksum().substr(0, 8); }

Status checkShapes(const AlignerWeights &w)
{
    for (const TowerWeights *t : {&w.query, &w.component}) {
        if (t->inputDim <= 0 || t->hiddenDim <= 0 || t->outputDim <= 0 || t->inputDim > kMaxDim ||
            t->hiddenDim > kMaxDim || t->outputDim > kMaxDim)
            return Status::error("tower dims out of range");
    }
    if (w.query.inputDim != w.component.inputDim || w.query.outputDim != w.component.outputDim ||
        w.query.hiddenDim != w.component.hiddenDim)
        return Status::error("the query and component towers have different dims");
    for (const TensorRef &t : tensorsOf(const_cast<AlignerWeights &>(w)))
        if (t.data->size() != elements(t.shape))
            return Status::error("tensor " + t.name + " has " + std::to_string(t.data->size()) + " values, expected " +
                                 std::to_string(elements(t.shape)));
    return Status::ok();
}

Status writeAlignerFile(const std::string &path, const AlignerWeights &weightsIn)
{
    if (!littleEndianHost())
        return Status::error("weights files are little-endian; this host is not");
    AlignerWeights w = weightsIn;
    Status shapes = checkShapes(w);
    if (!shapes)
        return Status::error(path + ": " + shapes.message());
    nlohmann::json tensors = nlohmann::json::array();
    size_t payload = 0;
    for (const TensorRef &t : tensorsOf(w)) {
        tensors.push_back({{"name", t.name}, {"shape", t.shape}});
        payload += t.data->size() * sizeof(float);
    }
    const nlohmann::json header = {
        {"format", "twinseek-aligner"},
        {"format_version", kFormatVersion},
        {"name", w.name},
        {"version", w.version()},
        {"feature_recipe", w.featureRecipe},
        {"word_dim", w.wordDim},
        {"input_dim", w.query.inputDim},
        {"hidden_dim", w.query.hiddenDim},
        {"embed_dim", w.query.outputDim},
        {"training", w.training},
        {"recipe_hash", hex64(fnv1a(w.training.dump().data(), w.training.dump().size()))},
        {"tensors", tensors},
        {"payload_bytes", payload},
        {"payload_fnv1a64", w.checksum()},
    };
    const std::string text = header.dump();
    const std::string tmp = path + ".partial";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out)
            return Status::error(tmp + ": cannot write");
        const auto len = static_cast<uint32_t>(text.size());
        out.write(kMagic, sizeof kMagic);
        out.write(reinterpret_cast<const char *>(&len), sizeof len);
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        for (const TensorRef &t : tensorsOf(w))
            out.write(reinterpret_cast<const char *>(t.data->data()),
                      static_cast<std::streamsize>(t.data->size() * sizeof(float)));
        out.flush();
        if (!out)
            return Status::error(tmp + ": write failed");
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        return Status::error(path + ": cannot replace the file");
    }
    return Status::ok();
}

Result<AlignerWeights> readAlignerFile(const std::string &path)
{
    using R = Result<AlignerWeights>;
    auto fail = [&path](const std::string &why) { return R::error(path + ": " + why); };
    if (!littleEndianHost())
        return fail("weights files are little-endian; this host is not");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return fail("cannot open the aligner weights");
    // Weights are a few MB; a path that names something huge is a mistake, not a model to read into memory.
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    if (size > (std::streamoff{256} << 20))
        return fail("too large for aligner weights (" + std::to_string(size) + " bytes)");
    in.seekg(0, std::ios::beg);
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string bytes = buffer.str();
    if (bytes.size() < sizeof kMagic + 4 || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
        return fail("not an aligner weights file (bad magic)");
    uint32_t headerLen = 0;
    std::memcpy(&headerLen, bytes.data() + sizeof kMagic, 4);
    const size_t headerStart = sizeof kMagic + 4;
    if (headerLen == 0 || headerLen > kMaxHeaderBytes)
        return fail("implausible header length " + std::to_string(headerLen));
    if (bytes.size() < headerStart + headerLen)
        return fail("truncated inside the header (" + std::to_string(bytes.size()) + " bytes)");
    const auto header =
        nlohmann::json::parse(bytes.begin() + static_cast<std::ptrdiff_t>(headerStart),
                              bytes.begin() + static_cast<std::ptrdiff_t>(headerStart + headerLen), nullptr, false);
    if (header.is_discarded() || !header.is_object())
        return fail("header is not valid JSON");
    auto str = [&header](const char *k) {
        auto it = header.find(k);
        return it != header.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    auto integer = [&header](const char *k) -> int64_t {
        auto it = header.find(k);
        return it != header.end() && it->is_number_integer() ? it->get<int64_t>() : -1;
    };
    if (str("format") != "twinseek-aligner")
        return fail("header does not name the twinseek-aligner format");
    if (integer("format_version") != kFormatVersion)
        return fail("unsupported format version " + std::to_string(integer("format_version")));
    AlignerWeights w;
    w.name = str("name");
    w.featureRecipe = str("feature_recipe");
    w.wordDim = static_cast<int>(integer("word_dim"));
    if (w.name.empty() || w.featureRecipe.empty() || w.wordDim <= 0)
        return fail("header lacks name, feature_recipe or word_dim");
    if (header.contains("training") && header["training"].is_object())
        w.training = header["training"];
    const int64_t inputDim = integer("input_dim"), hiddenDim = integer("hidden_dim"), embedDim = integer("embed_dim");
    if (inputDim <= 0 || hiddenDim <= 0 || embedDim <= 0 || inputDim > kMaxDim || hiddenDim > kMaxDim ||
        embedDim > kMaxDim)
        return fail("dims missing or out of range");
    for (TowerWeights *t : {&w.query, &w.component}) {
        t->inputDim = static_cast<int>(inputDim);
        t->hiddenDim = static_cast<int>(hiddenDim);
        t->outputDim = static_cast<int>(embedDim);
    }
    const auto expected = tensorsOf(w);
    const auto &listed = header.contains("tensors") ? header["tensors"] : nlohmann::json();
    if (!listed.is_array() || listed.size() != expected.size())
        return fail("header must list " + std::to_string(expected.size()) + " tensors");
    size_t payload = 0;
    for (size_t i = 0; i < expected.size(); ++i) {
        const auto &t = listed[i];
        if (!t.is_object() || t.value("name", std::string()) != expected[i].name || !t.contains("shape") ||
            t["shape"] != nlohmann::json(expected[i].shape))
            return fail("tensor " + std::to_string(i) + " should be " + expected[i].name + " with the header's dims");
        payload += elements(expected[i].shape) * sizeof(float);
    }
    if (integer("payload_bytes") != static_cast<int64_t>(payload))
        return fail("payload_bytes disagrees with the tensor shapes");
    const size_t payloadStart = headerStart + headerLen;
    if (bytes.size() < payloadStart + payload)
        return fail("truncated: expected " + std::to_string(payload) + " bytes of weights, found " +
                    std::to_string(bytes.size() - payloadStart));
    if (bytes.size() > payloadStart + payload)
        return fail("trailing bytes after the weights");
    size_t offset = payloadStart;
    for (const TensorRef &t : expected) {
        t.data->resize(elements(t.shape));
        std::memcpy(t.data->data(), bytes.data() + offset, t.data->size() * sizeof(float));
        offset += t.data->size() * sizeof(float);
        for (float v : *t.data)
            if (!std::isfinite(v))
                return fail("tensor " + t.name + " holds a non-finite value");
    }
    if (w.checksum() != str("payload_fnv1a64"))
        return fail("checksum mismatch: the weights are damaged");
    if (!str("version").empty() && str("version") != w.version())
        return fail("version " + str("version") + " does not match the weights (" + w.version() + ")");
    return R(std::move(w));
}

// ----------------------------------------------------------------------------------------------------------------

std::vector<float> towerForward(const TowerWeights &t, const float *input, int rows)
{
    const int in = t.inputDim, hid = t.hiddenDim, outDim = t.outputDim;
    std::vector<float> out(static_cast<size_t>(rows) * outDim);
    if (rows <= 0)
        return out;
    std::vector<float> hidden(static_cast<size_t>(rows) * hid);
    // hidden = relu(X W1^T + b1)
    for (int r = 0; r < rows; ++r)
        std::memcpy(hidden.data() + static_cast<size_t>(r) * hid, t.b1.data(), sizeof(float) * hid);
    sgemmNT(rows, hid, in, 1.f, input, in, t.w1.data(), in, 1.f,
                hidden.data(), hid);
    for (float &v : hidden)
        v = v > 0.f ? v : 0.f;
    // out = H W2^T + b2 + X Ws^T
    for (int r = 0; r < rows; ++r)
        std::memcpy(out.data() + static_cast<size_t>(r) * outDim, t.b2.data(), sizeof(float) * outDim);
    sgemmNT(rows, outDim, hid, 1.f, hidden.data(), hid, t.w2.data(), hid,
                1.f, out.data(), outDim);
    sgemmNT(rows, outDim, in, 1.f, input, in, t.ws.data(), in, 1.f,
                out.data(), outDim);
    for (int r = 0; r < rows; ++r) {
        float *v = out.data() + static_cast<size_t>(r) * outDim;
        double s = 0.0;
        for (int i = 0; i < outDim; ++i)
            s += static_cast<double>(v[i]) * v[i];
        // Same floor as torch's normalize (eps 1e-12 on the norm).
        const float inv = static_cast<float>(1.0 / std::max(std::sqrt(s), 1e-12));
        for (int i = 0; i < outDim; ++i)
            v[i] *= inv;
    }
    return out;
}

TextEncoder::TextEncoder(AlignerWeights weights, const WordVectors *vectors, const WordNet *wordnet,
                         const SentenceEncoder *sentence)
    : m_weights(std::move(weights)), m_featurizer(vectors, wordnet, sentence), m_version(m_weights.version())
{
}

Result<std::unique_ptr<TextEncoder>> TextEncoder::fromWeights(AlignerWeights weights, const WordVectors *vectors,
                                                              const WordNet *wordnet, const SentenceEncoder *sentence)
{
    using R = Result<std::unique_ptr<TextEncoder>>;
    if (!vectors)
        return R::error("the aligner needs word vectors (run scripts/setup.sh)");
    Status shapes = checkShapes(weights);
    if (!shapes)
        return R::error(shapes);
    const std::string wantSentence = TextFeaturizer::sentenceIdentity(weights.featureRecipe);
    if (wantSentence.empty()) {
        sentence = nullptr;
    } else if (!sentence) {
        return R::error("the aligner was trained on the sentence encoder " + wantSentence +
                        ", which is not installed (run scripts/setup.sh)");
    } else if (sentence->identity() != wantSentence) {
        return R::error("the aligner was trained on the sentence encoder " + wantSentence + ", the installed one is " +
                        sentence->identity());
    }
    const std::string made = TextFeaturizer(vectors, wordnet, sentence).recipe();
    if (weights.featureRecipe != made)
        return R::error("weights were trained on features '" + weights.featureRecipe + "', this build makes '" + made +
                        "'");
    if (weights.wordDim != vectors->dimensions())
        return R::error("weights expect " + std::to_string(weights.wordDim) +
                        "-d word vectors, the installed ones are " + std::to_string(vectors->dimensions()) + "-d");
    std::unique_ptr<TextEncoder> e(new TextEncoder(std::move(weights), vectors, wordnet, sentence));
    if (e->m_weights.query.inputDim != e->m_featurizer.dimensions())
        return R::error("weights take " + std::to_string(e->m_weights.query.inputDim) + " inputs, the features have " +
                        std::to_string(e->m_featurizer.dimensions()));
    return R(std::move(e));
}

Result<std::unique_ptr<TextEncoder>> TextEncoder::load(const std::string &path, const WordVectors *vectors,
                                                       const WordNet *wordnet, const SentenceEncoder *sentence)
{
    auto w = readAlignerFile(path);
    if (!w)
        return Result<std::unique_ptr<TextEncoder>>::error(w);
    auto e = fromWeights(std::move(w).value(), vectors, wordnet, sentence);
    if (!e)
        return Result<std::unique_ptr<TextEncoder>>::error(path + ": " + e.message());
    return e;
}

std::vector<float> TextEncoder::encodeFeatures(Tower tower, const float *features, int rows) const
{
    return towerForward(tower == Tower::Query ? m_weights.query : m_weights.component, features, rows);
}

std::vector<float> TextEncoder::encode(Tower tower, std::string_view text) const
{
    const std::vector<float> f = m_featurizer.features(text);
    return encodeFeatures(tower, f.data(), 1);
}

std::vector<float> TextEncoder::encode(Tower tower, const std::vector<std::string> &texts) const
{
    const int dim = m_featurizer.dimensions();
    std::vector<float> f(texts.size() * static_cast<size_t>(dim));
    m_featurizer.features(texts, f.data());
    return encodeFeatures(tower, f.data(), static_cast<int>(texts.size()));
}

} // namespace ts
