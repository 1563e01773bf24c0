#include "lexicon.h"

#include "knowledge/text.h"

#include <algorithm>
#include <cmath>

namespace ts {

namespace {

// Weights of the relations a profile collects (the concept's own words count most).
constexpr float kOwnWord = 1.f;
constexpr float kOwnPart = 0.85f; // one word of a multi-word name ("bear" of "brown bear")
constexpr float kGloss = 0.7f;
constexpr float kHypernym[] = {0.85f, 0.7f, 0.55f, 0.45f};
constexpr float kHypernymGloss = 0.4f;
constexpr float kHyponym = 0.6f;
constexpr float kPartWhole = 0.6f;
constexpr float kDerived = 0.75f;

std::vector<std::string> glossWords(const std::string &gloss)
{
    // Definitions come before the quoted usage examples; the examples add noise.
    const size_t quote = gloss.find('"');
    std::vector<std::string> out;
    for (const Token &t : tokenize(quote == std::string::npos ? gloss : gloss.substr(0, quote)))
        if (t.cls == WordClass::Content && t.text.size() > 2)
            out.push_back(t.text);
    return out;
}

} // namespace

Lexicon::Lexicon(const WordNet *wordnet, const WordVectors *vectors) : m_wn(wordnet), m_wv(vectors) {}

float Lexicon::mapCosine(float cosine)
{
    // GloVe 100-d: unrelated pairs sit near 0.1-0.3, close relatives at 0.6-0.8.
    return std::clamp((cosine - 0.35f) / 0.45f, 0.f, 1.f);
}

std::string Lexicon::lemma(const std::string &word, WnPos pos) const
{
    if (!m_wn)
        return word;
    const auto forms = m_wn->baseForms(word, pos);
    return forms.empty() ? word : forms.front();
}

std::vector<SynsetId> Lexicon::nounSenses(const std::string &phrase) const
{
    return m_wn ? m_wn->lookup(phrase, WnPos::Noun) : std::vector<SynsetId>{};
}

bool Lexicon::canBe(const std::string &word, WnPos pos) const
{
    return m_wn && !m_wn->baseForms(word, pos).empty();
}

int Lexicon::vectorIndex(const std::string &word) const
{
    if (!m_wv)
        return -1;
    int r = m_wv->indexOf(word);
    if (r >= 0 || !m_wn)
        return r;
    for (WnPos p : {WnPos::Noun, WnPos::Verb, WnPos::Adj}) {
        const auto forms = m_wn->baseForms(word, p);
        for (const auto &f : forms)
            if ((r = m_wv->indexOf(f)) >= 0)
                return r;
    }
    return -1;
}

float Lexicon::vectorSimilarity(int a, int b) const
{
    if (!m_wv || a < 0 || b < 0)
        return 0.f;
    return a == b ? 1.f : mapCosine(m_wv->similarity(a, b));
}

float Lexicon::wordSimilarity(const std::string &a, const std::string &b) const
{
    if (a == b)
        return 1.f;
    if (m_wn)
        for (WnPos p : {WnPos::Noun, WnPos::Verb, WnPos::Adj})
            if (lemma(a, p) == lemma(b, p) && canBe(a, p))
                return 1.f;
    return vectorSimilarity(vectorIndex(a), vectorIndex(b));
}

float Lexicon::specificity(const std::string &word) const
{
    if (!m_wv)
        return 0.5f;
    return m_wv->specificity(vectorIndex(word));
}

const std::vector<SynsetId> &Lexicon::ancestorsOf(SynsetId id) const
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        auto it = m_ancestors.find(id);
        if (it != m_ancestors.end())
            return *it->second;
    }
    // Queries ask isA thousands of times over a few hundred concepts: each closure is walked once.
    auto closure = std::make_unique<std::vector<SynsetId>>();
    if (m_wn)
        for (const auto &[anc, dist] : m_wn->ancestors(id, 30))
            if (dist > 0)
                closure->push_back(anc);
    std::sort(closure->begin(), closure->end());
    std::lock_guard<std::mutex> lock(m_mutex);
    auto &slot = m_ancestors[id];
    if (!slot)
        slot = std::move(closure);
    return *slot;
}

int Lexicon::depth(SynsetId id) const
{
    if (!m_wn)
        return 0;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        auto it = m_depths.find(id);
        if (it != m_depths.end())
            return it->second;
    }
    const int d = m_wn->depth(id);
    std::lock_guard<std::mutex> lock(m_mutex);
    m_depths[id] = d;
    return d;
}

bool Lexicon::isA(SynsetId id, SynsetId ancestor) const
{
    if (!m_wn || !id || !ancestor)
        return false;
    if (id == ancestor)
        return true;
    const auto &a = ancestorsOf(id);
    return std::binary_search(a.begin(), a.end(), ancestor);
}

std::vector<SynsetId> Lexicon::groupMembers(const std::vector<SynsetId> &senses) const
{
    std::vector<SynsetId> members;
    if (!m_wn || senses.empty())
        return members;
    const auto physical = nounSenses("physical entity");
    const size_t n = std::min<size_t>(senses.size(), 3);
    for (size_t i = 0; i < n; ++i) {
        if (!physical.empty() && isA(senses[i], physical.front()))
            return {};
        for (SynsetId m : m_wn->related(senses[i], WnRelation::MemberMeronym))
            if (std::find(members.begin(), members.end(), m) == members.end())
                members.push_back(m);
    }
    return members;
}

bool Lexicon::isKindOf(SynsetId id, const std::string &noun, int senses) const
{
    if (!m_wn || !id)
        return false;
    const auto s = nounSenses(noun);
    for (size_t i = 0; i < s.size() && static_cast<int>(i) < senses; ++i)
        if (s[i] == id || isA(id, s[i]))
            return true;
    return false;
}

std::vector<float> Lexicon::wordsVector(const std::vector<std::string> &words) const
{
    if (!m_wv)
        return {};
    std::vector<std::string> known;
    std::vector<float> weights;
    for (const std::string &w : words) {
        const int r = vectorIndex(w);
        if (r < 0)
            continue;
        known.push_back(m_wv->word(r));
        weights.push_back(0.3f + m_wv->specificity(r)); // rare words say more about the topic
    }
    return m_wv->meanVector(known, weights);
}

std::vector<float> Lexicon::conceptVector(SynsetId id) const
{
    const WnSynset *s = m_wn ? m_wn->synset(id) : nullptr;
    if (!s)
        return {};
    std::vector<std::string> words;
    for (const std::string &lemma : s->words)
        for (const Token &t : tokenize(lemma))
            if (t.cls == WordClass::Content)
                words.push_back(t.text);
    return wordsVector(words);
}

std::string Lexicon::name(SynsetId id) const
{
    const WnSynset *s = m_wn ? m_wn->synset(id) : nullptr;
    return s && !s->words.empty() ? s->words.front() : std::string();
}

ConceptProfile Lexicon::build(SynsetId id) const
{
    ConceptProfile p;
    p.id = id;
    const WnSynset *s = m_wn ? m_wn->synset(id) : nullptr;
    if (!s)
        return p;
    std::unordered_map<std::string, float> best;
    auto add = [&best](const std::string &w, float weight) {
        if (w.size() < 2 || isStopWord(w))
            return;
        float &b = best[w];
        b = std::max(b, weight);
    };
    // Gloss words are inflected ("horns", "eats"): store their base form so equal lemmas match exactly.
    auto base = [this](const std::string &w) {
        for (WnPos pos : {WnPos::Noun, WnPos::Verb, WnPos::Adj}) {
            const auto forms = m_wn->baseForms(w, pos);
            if (!forms.empty())
                return forms.front();
        }
        return w;
    };
    auto addName = [&](const std::string &name, float weight) {
        add(name, weight);
        const auto toks = tokenize(name);
        if (toks.size() > 1)
            for (const Token &t : toks)
                add(t.text, weight * kOwnPart);
    };
    for (const auto &w : s->words)
        addName(w, kOwnWord);
    for (const auto &w : glossWords(s->gloss))
        add(base(w), kGloss);
    // Hypernyms, nearest first, and the nearest one's gloss.
    for (const auto &[anc, dist] : m_wn->ancestors(id, 4)) {
        const WnSynset *a = m_wn->synset(anc);
        if (!a || dist < 1)
            continue;
        const float w = kHypernym[std::min(dist, 4) - 1];
        for (const auto &word : a->words)
            addName(word, w);
        if (dist == 1)
            for (const auto &g : glossWords(a->gloss))
                add(base(g), kHypernymGloss);
    }
    // Kinds of it, unless there are so many (person, animal) that the profile would match anything.
    for (WnRelation r : {WnRelation::Hyponym, WnRelation::InstanceHyponym}) {
        const auto kinds = m_wn->related(id, r);
        if (kinds.size() > 25)
            continue;
        for (SynsetId h : kinds)
            if (const WnSynset *hs = m_wn->synset(h))
                for (const auto &w : hs->words)
                    addName(w, kHyponym);
    }
    for (WnRelation r : {WnRelation::PartMeronym, WnRelation::MemberMeronym, WnRelation::SubstanceMeronym,
                         WnRelation::PartHolonym, WnRelation::MemberHolonym, WnRelation::SubstanceHolonym})
        for (SynsetId h : m_wn->related(id, r))
            if (const WnSynset *hs = m_wn->synset(h))
                for (const auto &w : hs->words)
                    addName(w, kPartWhole);
    for (SynsetId h : m_wn->related(id, WnRelation::Derivation))
        if (const WnSynset *hs = m_wn->synset(h))
            for (const auto &w : hs->words)
                add(w, kDerived);
    for (const auto &[w, weight] : best) {
        ProfileWord pw;
        pw.word = w;
        pw.weight = weight;
        pw.vectorIndex = m_wv ? m_wv->indexOf(w) : -1;
        p.words.push_back(std::move(pw));
    }
    std::sort(p.words.begin(), p.words.end(), [](const ProfileWord &a, const ProfileWord &b) {
        return a.weight != b.weight ? a.weight > b.weight : a.word < b.word;
    });
    return p;
}

const ConceptProfile &Lexicon::profile(SynsetId id) const
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        auto it = m_profiles.find(id);
        if (it != m_profiles.end())
            return *it->second;
    }
    auto built = std::make_unique<ConceptProfile>(build(id));
    std::lock_guard<std::mutex> lock(m_mutex);
    auto &slot = m_profiles[id];
    if (!slot)
        slot = std::move(built);
    return *slot;
}

float Lexicon::profileMatch(int vectorIndex, const std::string &lemmaText, SynsetId id) const
{
    const ConceptProfile &p = profile(id);
    float best = 0.f;
    // Word vectors put every colour near every other ("pink" ~ "black"): colours match colours by name only.
    const std::string colour = canonicalColour(lemmaText);
    if (!colour.empty()) {
        for (const ProfileWord &w : p.words) {
            const std::string c = canonicalColour(w.word);
            if (!c.empty())
                best = std::max(best, w.weight * colourSimilarity(colour, c));
        }
        return best;
    }
    for (const ProfileWord &w : p.words) {
        if (w.weight <= best)
            break; // sorted by weight: nothing further can beat the best
        float s;
        if (w.word == lemmaText)
            s = 1.f;
        else
            s = vectorSimilarity(vectorIndex, w.vectorIndex);
        best = std::max(best, w.weight * s);
    }
    return best;
}

float Lexicon::nameMatch(const std::string &word, SynsetId id) const
{
    const WnSynset *s = m_wn ? m_wn->synset(id) : nullptr;
    if (!s)
        return 0.f;
    const int wi = vectorIndex(word);
    float best = 0.f;
    // The first names only: WordNet lists them by use, and late synonyms drag in other meanings (person's
    // "soul" is near "rock" in word vectors, through music).
    for (size_t li = 0; li < s->words.size() && li < 2; ++li) {
        const std::string &lemma = s->words[li];
        if (lemma == word)
            return 1.f;
        const auto toks = tokenize(lemma);
        for (const Token &t : toks) {
            if (t.cls != WordClass::Content)
                continue;
            // The last word of a name is what it is ("park bench" is a bench); the others only qualify it.
            const float weight = &t == &toks.back() ? 1.f : 0.6f;
            best = std::max(best, weight * (t.text == word ? 1.f : vectorSimilarity(wi, vectorIndex(t.text))));
        }
    }
    return best;
}

const std::vector<SynsetId> &Lexicon::definitionConcepts(SynsetId id) const
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        auto it = m_definitionConcepts.find(id);
        if (it != m_definitionConcepts.end())
            return *it->second;
    }
    auto concepts = std::make_unique<std::vector<SynsetId>>();
    const WnSynset *s = m_wn ? m_wn->synset(id) : nullptr;
    if (s) {
        const size_t quote = s->gloss.find('"');
        const auto toks = tokenize(quote == std::string::npos ? s->gloss : s->gloss.substr(0, quote));
        for (size_t i = 0; i < toks.size(); ++i) {
            if (toks[i].cls != WordClass::Content || toks[i].text.size() < 3)
                continue;
            // Two-word names first ("ice hockey"), then the single noun.
            if (i + 1 < toks.size() && toks[i + 1].cls == WordClass::Content) {
                const auto pair = m_wn->lookup(toks[i].text + " " + toks[i + 1].text, WnPos::Noun);
                if (!pair.empty()) {
                    concepts->push_back(pair.front());
                    continue;
                }
            }
            const auto single = m_wn->lookup(toks[i].text, WnPos::Noun);
            if (!single.empty() && single.front() != id)
                concepts->push_back(single.front());
        }
        std::sort(concepts->begin(), concepts->end());
        concepts->erase(std::unique(concepts->begin(), concepts->end()), concepts->end());
    }
    std::lock_guard<std::mutex> lock(m_mutex);
    auto &slot = m_definitionConcepts[id];
    if (!slot)
        slot = std::move(concepts);
    return *slot;
}

float Lexicon::conceptLink(const std::string &word, SynsetId id) const
{
    if (!m_wn || !id || isStopWord(word) || !canonicalColour(word).empty())
        return 0.f;
    const auto senses = m_wn->lookup(word, WnPos::Noun);
    if (senses.empty())
        return 0.f;
    const auto &mentioned = definitionConcepts(id);
    float best = 0.f;
    for (size_t i = 0; i < senses.size() && i < 2; ++i) {
        // Broad words ("thing", "object") are kinds of everything's ancestors: they say nothing here.
        if (depth(senses[i]) < 4)
            continue;
        for (SynsetId g : mentioned) {
            if (g == senses[i] || isA(g, senses[i]))
                best = std::max(best, i == 0 ? 0.75f : 0.6f);
            else if (isA(senses[i], g) && depth(g) >= 5)
                best = std::max(best, 0.5f);
        }
    }
    return best;
}

bool Lexicon::definedAs(SynsetId id, const std::string &noun) const
{
    const WnSynset *s = m_wn ? m_wn->synset(id) : nullptr;
    if (!s || noun.empty())
        return false;
    const std::string definition = s->gloss.substr(0, s->gloss.find_first_of(";\""));
    // The genus comes before the definition's first preposition or clause: "a large ferocious bear of ...",
    // "tall fast-moving dog breed", "a vehicle carrying many passengers" (not "seas" in "shark widespread in
    // warm seas").
    int seen = 0;
    for (const Token &t : tokenize(definition)) {
        if (t.cls == WordClass::Preposition || t.cls == WordClass::Relative || t.cls == WordClass::Conjunction ||
            t.cls == WordClass::Punctuation)
            break;
        if (t.cls != WordClass::Content)
            continue;
        if (++seen > 6)
            break;
        const auto forms = m_wn->baseForms(t.text, WnPos::Noun);
        if (t.text == noun || (!forms.empty() && forms.front() == noun))
            return true;
    }
    return false;
}

float Lexicon::glossLink(const std::string &word, SynsetId id) const
{
    if (!m_wn || !id || isStopWord(word) || !canonicalColour(word).empty())
        return 0.f;
    const std::vector<std::string> *words = nullptr;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        auto it = m_glossWords.find(word);
        if (it != m_glossWords.end())
            words = it->second.get();
    }
    if (!words) {
        // The definitions of the word's first senses, as lemmas.
        auto collected = std::make_unique<std::vector<std::string>>();
        for (WnPos pos : {WnPos::Noun, WnPos::Verb}) {
            const auto senses = m_wn->lookup(word, pos);
            for (size_t i = 0; i < senses.size() && i < 3; ++i)
                if (const WnSynset *s = m_wn->synset(senses[i]))
                    for (const std::string &w : glossWords(s->gloss)) {
                        const auto forms = m_wn->baseForms(w, WnPos::Noun);
                        collected->push_back(forms.empty() ? w : forms.front());
                    }
        }
        std::sort(collected->begin(), collected->end());
        collected->erase(std::unique(collected->begin(), collected->end()), collected->end());
        std::lock_guard<std::mutex> lock(m_mutex);
        auto &slot = m_glossWords[word];
        if (!slot)
            slot = std::move(collected);
        words = slot.get();
    }
    auto mentioned = [words](const std::string &name) {
        const auto toks = tokenize(name);
        return !toks.empty() && std::binary_search(words->begin(), words->end(), toks.back().text);
    };
    float best = 0.f;
    if (const WnSynset *s = m_wn->synset(id))
        for (const auto &w : s->words)
            if (mentioned(w))
                best = 0.8f;
    if (best > 0.f)
        return best;
    for (const auto &[anc, dist] : m_wn->ancestors(id, 3)) {
        if (dist < 1 || depth(anc) < 5)
            continue; // "a kind of organism" says nothing
        if (const WnSynset *a = m_wn->synset(anc))
            for (const auto &w : a->words)
                if (mentioned(w))
                    best = std::max(best, dist == 1 ? 0.65f : dist == 2 ? 0.55f : 0.45f);
    }
    return best;
}

float Lexicon::profileMatch(const std::string &word, SynsetId id) const
{
    std::string l = word;
    if (m_wn)
        for (WnPos pos : {WnPos::Noun, WnPos::Verb, WnPos::Adj})
            if (canBe(word, pos)) {
                l = lemma(word, pos);
                break;
            }
    return profileMatch(vectorIndex(word), l, id);
}

} // namespace ts
