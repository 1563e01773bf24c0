#include "textfeatures.h"

#include "sentenceencoder.h"

#include "knowledge/text.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_set>

namespace ts {

namespace {

// Lexicographer files of nouns that name things one can see: Tops (person, animal), animal, artifact, body,
// food, object (natural objects, landforms), person, plant. Attributes, locations and acts ("right", "centre",
// "riding") are kept out of the hypernym slot.
bool isThingFile(int lexFile)
{
    switch (lexFile) {
    case 3:
    case 5:
    case 6:
    case 8:
    case 13:
    case 17:
    case 18:
    case 20:
        return true;
    default:
        return false;
    }
}

// Colour modifiers keep their own vectors ("light blue" vs "dark blue").
bool isColourModifier(std::string_view w)
{
    return w == "light" || w == "dark" || w == "pale" || w == "bright" || w == "deep";
}

constexpr int kMaxHypernymDistance = 8;
constexpr float kHypernymDecay = 0.8f;
// Ancestors with fewer ancestors of their own than this are too general to tell things apart (entity, object,
// whole, artifact, living thing).
constexpr size_t kMinAncestorDepth = 5;

void addScaled(float *dst, const float *src, float w, int n)
{
    for (int i = 0; i < n; ++i)
        dst[i] += w * src[i];
}

void normalise(float *v, int n)
{
    double s = 0.0;
    for (int i = 0; i < n; ++i)
        s += static_cast<double>(v[i]) * v[i];
    if (s <= 1e-20)
        return;
    const float inv = static_cast<float>(1.0 / std::sqrt(s));
    for (int i = 0; i < n; ++i)
        v[i] *= inv;
}

} // namespace

TextFeaturizer::TextFeaturizer(const WordVectors *vectors, const WordNet *wordnet, const SentenceEncoder *sentence)
    : m_wv(vectors), m_wn(wordnet), m_sentence(sentence), m_dim(vectors ? vectors->dimensions() : 0),
      m_sentenceDim(sentence ? sentence->dimensions() : 0)
{
}

bool TextFeaturizer::isGeometryWord(std::string_view w)
{
    static const std::unordered_set<std::string_view> words = {
        "left", "right", "leftward", "leftwards", "rightward", "rightwards", "up", "upward", "upwards", "down",
        "downward", "downwards", "top", "bottom", "upper", "lower", "centre", "center", "middle", "central", "corner",
        "side", "foreground", "background", "towards", "toward", "away", "camera", "closer", "moving", "motionless",
        "static", "still", "stationary", "slow", "slowly", "fast", "quickly", "quick", "rapidly", "speeding", "tiny",
        "small", "little", "medium", "large", "big", "huge", "giant", "dominant", "far", "distant", "wide", "tall",
        "compact", "round", "sized",
        // Spatial prepositions are function words elsewhere, but here they are what a relation says.
        "above", "below", "over", "under", "beneath", "underneath", "behind", "front", "near", "beside", "next",
        "inside", "within", "outside", "between", "atop", "across", "along", "around", "through", "into", "onto", "on"};
    return words.count(w) > 0;
}

SynsetId TextFeaturizer::thingSense(const std::string &phrase) const
{
    if (!m_wn)
        return 0;
    const auto senses = m_wn->lookup(phrase, WnPos::Noun);
    if (senses.empty())
        return 0;
    const WnSynset *s = m_wn->synset(senses.front());
    return s && isThingFile(s->lexFile) ? s->id : 0;
}

const TextFeaturizer::Hypernyms &TextFeaturizer::hypernymsOf(const std::string &phrase, bool *isThing) const
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        auto it = m_cache.find(phrase);
        if (it != m_cache.end()) {
            *isThing = !it->second.vector.empty();
            return it->second;
        }
    }
    Hypernyms h;
    if (const SynsetId id = thingSense(phrase)) {
        std::vector<float> acc(static_cast<size_t>(m_dim), 0.f);
        bool any = false;
        for (const auto &[ancestor, distance] : m_wn->ancestors(id, kMaxHypernymDistance)) {
            if (m_wn->ancestors(ancestor).size() < kMinAncestorDepth)
                continue;
            const WnSynset *s = m_wn->synset(ancestor);
            if (!s || s->words.empty())
                continue;
            // The first lemma names the synset; a multi-word name contributes the mean of its known words.
            std::vector<float> name(static_cast<size_t>(m_dim), 0.f);
            bool known = false;
            for (const Token &t : tokenize(s->words.front())) {
                const int idx = m_wv->indexOf(t.text);
                if (idx < 0 || t.cls != WordClass::Content)
                    continue;
                addScaled(name.data(), m_wv->vector(idx), 1.f, m_dim);
                known = true;
            }
            if (!known)
                continue;
            normalise(name.data(), m_dim);
            addScaled(acc.data(), name.data(), std::pow(kHypernymDecay, static_cast<float>(distance - 1)), m_dim);
            any = true;
        }
        if (any) {
            normalise(acc.data(), m_dim);
            h.vector = std::move(acc);
        }
    }
    std::lock_guard<std::mutex> lock(m_mutex);
    auto [it, inserted] = m_cache.emplace(phrase, std::move(h));
    *isThing = !it->second.vector.empty();
    return it->second;
}

std::vector<float> TextFeaturizer::features(std::string_view text) const
{
    std::vector<float> out(static_cast<size_t>(dimensions()), 0.f);
    features(text, out.data());
    return out;
}

std::string TextFeaturizer::recipe() const
{
    return m_sentence ? std::string(kRecipe) + kSentenceTag + m_sentence->identity() : std::string(kRecipe);
}

std::string TextFeaturizer::sentenceIdentity(const std::string &recipe)
{
    const size_t at = recipe.find(kSentenceTag);
    return at == std::string::npos ? std::string() : recipe.substr(at + std::strlen(kSentenceTag));
}

void TextFeaturizer::features(std::string_view text, float *out) const
{
    slotFeatures(text, out);
    if (m_sentence) {
        const std::vector<float> e = m_sentence->encode(text);
        std::copy(e.begin(), e.end(), out + kSlots * m_dim);
    }
}

void TextFeaturizer::features(const std::vector<std::string> &texts, float *out) const
{
    const size_t n = static_cast<size_t>(dimensions());
    for (size_t i = 0; i < texts.size(); ++i)
        slotFeatures(texts[i], out + i * n);
    if (!m_sentence || texts.empty())
        return;
    std::vector<float> e(texts.size() * static_cast<size_t>(m_sentenceDim));
    m_sentence->encode(texts, e.data());
    for (size_t i = 0; i < texts.size(); ++i)
        std::copy_n(e.data() + i * m_sentenceDim, m_sentenceDim, out + i * n + kSlots * m_dim);
}

void TextFeaturizer::slotFeatures(std::string_view text, float *out) const
{
    const int n = dimensions();
    std::memset(out, 0, sizeof(float) * static_cast<size_t>(n));
    if (!m_wv || m_dim == 0)
        return;
    float *content = out;
    float *colour = out + m_dim;
    float *geometry = out + 2 * m_dim;
    float *hypernym = out + 3 * m_dim;

    const std::vector<Token> tokens = tokenize(text);
    auto vectorIndex = [this](const std::string &w) {
        int idx = m_wv->indexOf(w);
        if (idx < 0 && m_wn) {
            for (WnPos pos : {WnPos::Noun, WnPos::Verb})
                for (const std::string &base : m_wn->baseForms(w, pos))
                    if ((idx = m_wv->indexOf(base)) >= 0)
                        return idx;
        }
        return idx;
    };
    auto isContent = [](const Token &t) {
        return t.cls == WordClass::Content && !isGeometryWord(t.text) && canonicalColour(t.text).empty() &&
               !isColourModifier(t.text);
    };

    auto addContent = [&](const std::string &word) {
        const int idx = vectorIndex(word);
        const float weight = m_wv->specificity(idx);
        if (idx >= 0)
            addScaled(content, m_wv->vector(idx), weight, m_dim);
        return weight;
    };
    for (size_t i = 0; i < tokens.size(); ++i) {
        const Token &t = tokens[i];
        if (t.cls == WordClass::Number || t.cls == WordClass::Punctuation)
            continue;
        // Collocations first ("brown bear", "fire hydrant"): the pair names the thing, and its hypernyms are
        // the ones meant; a colour word inside a name is part of the name.
        if (m_wn && t.cls == WordClass::Content && !isGeometryWord(t.text) && i + 1 < tokens.size() &&
            isContent(tokens[i + 1])) {
            bool thing = false;
            const Hypernyms &pair = hypernymsOf(t.text + " " + tokens[i + 1].text, &thing);
            if (thing) {
                const float weight = std::max(addContent(t.text), addContent(tokens[i + 1].text));
                addScaled(hypernym, pair.vector.data(), weight, m_dim);
                ++i;
                continue;
            }
        }
        if (isGeometryWord(t.text)) {
            const int idx = m_wv->indexOf(t.text);
            if (idx >= 0)
                addScaled(geometry, m_wv->vector(idx), 1.f, m_dim);
            continue;
        }
        if (isColourModifier(t.text)) {
            const int idx = m_wv->indexOf(t.text);
            if (idx >= 0)
                addScaled(colour, m_wv->vector(idx), 0.5f, m_dim);
            continue;
        }
        const std::string canonical = canonicalColour(t.text);
        if (!canonical.empty()) {
            const int idx = m_wv->indexOf(canonical);
            if (idx >= 0)
                addScaled(colour, m_wv->vector(idx), 1.f, m_dim);
            continue;
        }
        if (t.cls != WordClass::Content || isStopWord(t.text))
            continue;
        const float weight = addContent(t.text);
        if (!m_wn)
            continue;
        bool thing = false;
        const Hypernyms &single = hypernymsOf(t.text, &thing);
        if (thing)
            addScaled(hypernym, single.vector.data(), weight, m_dim);
    }
    for (int s = 0; s < kSlots; ++s)
        normalise(out + s * m_dim, m_dim);
}

} // namespace ts
