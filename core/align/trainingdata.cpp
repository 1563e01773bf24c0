#include "trainingdata.h"

#include "align/components.h"
#include "knowledge/text.h"

#include <cblas.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <set>

namespace ts {

namespace {

// Ancestors with fewer ancestors of their own are too general to name a thing ("entity", "whole", "artifact").
constexpr size_t kMinAncestors = 5;
// Far enough that "animal" is reached from "elephant" (six hops) and "vehicle" from "minivan".
constexpr int kMaxHypernymHops = 8;
// Words beyond this frequency rank are too rare for a paraphrase a person would type.
constexpr int kReadableRank = 120000;
// Pseudo synsets for labels WordNet does not know: a hash of the name in a range WordNet ids never use.
constexpr SynsetId kPseudoBase = 0xF0000000u;

std::string article(const std::string &phrase)
{
    if (phrase.empty())
        return "a";
    const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(phrase[0])));
    return (c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u') ? "an" : "a";
}

std::string withDeterminer(const std::string &phrase, Rng &rng)
{
    const float r = rng.unit();
    if (r < 0.6f)
        return article(phrase) + " " + phrase;
    if (r < 0.75f)
        return "the " + phrase;
    return phrase;
}

SynsetId pseudoSynset(const std::string &name)
{
    uint32_t h = 2166136261u;
    for (unsigned char c : name) {
        h ^= c;
        h *= 16777619u;
    }
    return kPseudoBase | (h & 0x0FFFFFFFu);
}

bool isPseudo(SynsetId id) { return (id & 0xF0000000u) == kPseudoBase; }

SynsetId synsetOf(const WordNet &wn, const std::string &key, const std::string &name)
{
    SynsetId id = key.empty() ? 0 : wn.fromKey(key);
    if (!id && !name.empty()) {
        const auto senses = wn.lookup(name, WnPos::Noun);
        if (!senses.empty())
            id = senses.front();
    }
    return id ? id : pseudoSynset(name.empty() ? "object" : name);
}

bool contains(const std::vector<SynsetId> &sorted, SynsetId id)
{
    return std::binary_search(sorted.begin(), sorted.end(), id);
}

std::string attr(const Track &t, const char *key)
{
    auto it = t.attributes.find(key);
    return it == t.attributes.end() || it->second.value == "none" ? std::string() : it->second.value;
}

bool sizeSatisfies(const std::string &asked, const std::string &has)
{
    if (asked == has)
        return true;
    if (asked == "small")
        return has == "tiny";
    if (asked == "large")
        return has == "dominant";
    return false;
}

bool positionSatisfies(const std::string &asked, const std::string &has)
{
    if (asked == has)
        return true;
    // "on the left" holds for the left third at any height; "at the top" for the top third at any side.
    if (asked.find('-') == std::string::npos)
        return has.find(asked) != std::string::npos;
    return false;
}

struct PredicateWords {
    std::vector<std::string> forward; ///< "subject X object"
    std::vector<std::string> inverse; ///< "object X subject"
};

const PredicateWords &predicateWords(const std::string &p)
{
    static const std::map<std::string, PredicateWords> table = {
        {"left of",
         {{"left of", "to the left of", "on the left of"}, {"right of", "to the right of", "on the right of"}}},
        {"above", {{"above", "over", "higher than"}, {"below", "under", "beneath", "underneath"}}},
        {"in front of", {{"in front of", "closer to the camera than"}, {"behind", "further back than"}}},
        {"near", {{"near", "next to", "close to", "beside", "by"}, {}}},
        {"overlapping", {{"overlapping", "touching", "in contact with"}, {}}},
        {"inside", {{"inside", "in", "within"}, {"containing"}}},
        {"riding", {{"riding", "on", "mounted on", "sitting on"}, {"ridden by", "carrying"}}},
        {"carrying", {{"carrying", "holding", "with"}, {"carried by", "held by"}}},
        {"approaching", {{"approaching", "moving towards", "coming closer to", "getting closer to"}, {}}},
        {"moving away from", {{"moving away from", "leaving", "going away from"}, {}}},
        {"appears", {{"appearing", "entering the scene", "coming into view", "showing up"}, {}}},
        {"disappears", {{"disappearing", "leaving the scene", "going out of view", "vanishing"}, {}}},
    };
    static const PredicateWords none;
    auto it = table.find(p);
    return it == table.end() ? none : it->second;
}

std::string colourWord(const std::string &c, Rng &rng)
{
    if (c == "grey" && rng.chance(0.4f))
        return "gray";
    if (c == "purple" && rng.chance(0.3f))
        return "violet";
    if (c == "lilac" && rng.chance(0.3f))
        return "lavender";
    if (c == "navy" && rng.chance(0.4f))
        return "navy blue";
    return c;
}

std::string sizeWord(const std::string &s, Rng &rng, std::string *specSize)
{
    *specSize = s;
    if (s == "tiny")
        return rng.chance(0.5f) ? "tiny" : "very small";
    if (s == "small") {
        return rng.chance(0.6f) ? "small" : "little";
    }
    if (s == "medium")
        return rng.chance(0.5f) ? "medium-sized" : "mid-sized";
    if (s == "large")
        return rng.chance(0.5f) ? "large" : "big";
    if (s == "dominant") {
        if (rng.chance(0.5f)) {
            *specSize = "large";
            return rng.chance(0.5f) ? "large" : "big";
        }
        return rng.chance(0.5f) ? "huge" : "giant";
    }
    return s;
}

std::string directionPhrase(const std::string &d, Rng &rng)
{
    static const std::map<std::string, std::vector<std::string>> table = {
        {"left", {"to the left", "leftwards", "left"}},
        {"right", {"to the right", "rightwards", "right"}},
        {"up", {"upwards", "up"}},
        {"down", {"downwards", "down"}},
        {"towards camera", {"towards the camera", "toward the camera", "closer to the camera"}},
        {"away from camera", {"away from the camera", "away"}},
    };
    auto it = table.find(d);
    return it == table.end() ? d : rng.pick(it->second);
}

std::string positionPhrase(const std::string &p, Rng &rng, std::string *spec)
{
    *spec = p;
    if (p == "left" || p == "right")
        return rng.pick(
            std::vector<std::string>{"on the " + p, "at the " + p + " side", "on the " + p + " side of the frame"});
    if (p == "centre")
        return rng.pick(std::vector<std::string>{"in the centre", "in the middle", "in the center of the frame"});
    const size_t dash = p.find('-');
    if (dash == std::string::npos)
        return "at the " + p;
    const std::string v = p.substr(0, dash), h = p.substr(dash + 1);
    if (h == "centre") {
        *spec = v;
        return rng.pick(std::vector<std::string>{"at the " + v, "near the " + v, "at the " + v + " of the frame"});
    }
    if (rng.chance(0.4f)) {
        *spec = h;
        return "on the " + h;
    }
    return rng.pick(std::vector<std::string>{"in the " + v + " " + h + " corner",
                                             "at the " + std::string(v == "top" ? "upper" : "lower") + " " + h});
}

// The k words most similar to word idx among the common ones: paraphrases use words people type, and one BLAS
// pass over them is ~4x cheaper than scanning the whole table.
std::vector<int> nearestCommonWords(const WordVectors &wv, int idx, int k)
{
    const int rows = std::min(wv.size(), kReadableRank / 2);
    std::vector<float> sims(static_cast<size_t>(rows));
    cblas_sgemv(CblasRowMajor, CblasNoTrans, rows, wv.dimensions(), 1.f, wv.vector(0), wv.dimensions(), wv.vector(idx),
                1, 0.f, sims.data(), 1);
    std::vector<int> order(static_cast<size_t>(rows));
    std::iota(order.begin(), order.end(), 0);
    const int top = std::min(rows, k + 1);
    std::partial_sort(order.begin(), order.begin() + top, order.end(), [&sims](int a, int b) {
        return sims[static_cast<size_t>(a)] != sims[static_cast<size_t>(b)]
                   ? sims[static_cast<size_t>(a)] > sims[static_cast<size_t>(b)]
                   : a < b;
    });
    order.resize(static_cast<size_t>(top));
    return order;
}

/// For each concept, the concepts of the vocabulary whose names are closest in word vectors: the classes a
/// classifier confuses it with, which is what real label alternatives look like ("goose": drake, dowitcher).
std::vector<std::vector<int>> confusableConcepts(const std::vector<LabelConcept> &concepts, const WordVectors *wv,
                                                 int k)
{
    std::vector<std::vector<int>> out(concepts.size());
    if (!wv)
        return out;
    const int dim = wv->dimensions();
    std::vector<float> means(concepts.size() * static_cast<size_t>(dim), 0.f);
    for (size_t i = 0; i < concepts.size(); ++i) {
        std::vector<std::string> words;
        for (const Token &t : tokenize(concepts[i].name))
            words.push_back(t.text);
        const auto m = wv->meanVector(words);
        if (!m.empty())
            std::copy(m.begin(), m.end(), means.begin() + static_cast<std::ptrdiff_t>(i * static_cast<size_t>(dim)));
    }
    const int n = static_cast<int>(concepts.size());
    std::vector<float> sims(concepts.size() * concepts.size());
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, dim, 1.f, means.data(), dim, means.data(), dim, 0.f,
                sims.data(), n);
    for (int i = 0; i < n; ++i) {
        const float *row = sims.data() + static_cast<size_t>(i) * static_cast<size_t>(n);
        std::vector<int> order(static_cast<size_t>(n));
        std::iota(order.begin(), order.end(), 0);
        const int top = std::min(n, k + 1);
        std::partial_sort(order.begin(), order.begin() + top, order.end(),
                          [row](int a, int b) { return row[a] != row[b] ? row[a] > row[b] : a < b; });
        for (int j = 0; j < top; ++j)
            if (order[static_cast<size_t>(j)] != i && row[order[static_cast<size_t>(j)]] > 0.f)
                out[static_cast<size_t>(i)].push_back(order[static_cast<size_t>(j)]);
    }
    return out;
}

} // namespace

uint64_t Rng::next()
{
    uint64_t z = (m_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

ComponentKind componentKindFromName(const std::string &kind)
{
    if (kind == "relation")
        return ComponentKind::Relation;
    if (kind == "scene")
        return ComponentKind::Scene;
    if (kind == "text")
        return ComponentKind::Text;
    return ComponentKind::Object;
}

bool satisfies(const QuerySpec &q, const ComponentFacts &f)
{
    auto conceptOk = [](SynsetId asked, const std::vector<SynsetId> &has) { return !asked || contains(has, asked); };
    switch (q.kind) {
    case ComponentKind::Text:
        return f.kind == ComponentKind::Text && std::find(f.words.begin(), f.words.end(), q.word) != f.words.end();
    case ComponentKind::Relation: {
        if (f.kind != ComponentKind::Relation || q.predicate != f.predicate || q.unary != f.objectConcepts.empty())
            return false;
        if (q.unary)
            return conceptOk(q.concept, f.concepts);
        // The encoders read words, not word order, so a relation holds either way round for the coarse stage;
        // the reasoning stage checks which object is which.
        return (conceptOk(q.concept, f.concepts) && conceptOk(q.objectConcept, f.objectConcepts)) ||
               (conceptOk(q.concept, f.objectConcepts) && conceptOk(q.objectConcept, f.concepts));
    }
    case ComponentKind::Scene:
        return (f.kind == ComponentKind::Scene || f.kind == ComponentKind::Object) && q.concept
        &&contains(f.concepts, q.concept);
    case ComponentKind::Object: {
        const bool attributes =
            !q.colour.empty() || !q.size.empty() || !q.motion.empty() || !q.direction.empty() || !q.position.empty();
        if (f.kind == ComponentKind::Scene)
        return !attributes && q.concept && contains(f.concepts, q.concept);
        if (f.kind != ComponentKind::Object || !conceptOk(q.concept, f.concepts))
            return false;
        if (!q.colour.empty() && q.colour != f.colour && q.colour != f.colour2)
            return false;
        if (!q.size.empty() && !sizeSatisfies(q.size, f.size))
            return false;
        if (!q.motion.empty() && q.motion != f.motion)
            return false;
        if (!q.direction.empty() && (q.direction != f.direction || f.motion == "static"))
            return false;
        if (!q.position.empty() && !positionSatisfies(q.position, f.position))
            return false;
        return true;
    }
    }
    return false;
}

// ------------------------------------------------------------------------------------------------------------------

Paraphraser::Paraphraser(const WordNet &wordnet, const WordVectors *vectors) : m_wn(wordnet), m_wv(vectors) { }

std::vector<SynsetId> Paraphraser::closure(SynsetId id) const
{
    std::vector<SynsetId> out{id};
    if (!isPseudo(id))
        for (const auto &[a, d] : m_wn.ancestors(id, 20))
            out.push_back(a);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

bool Paraphraser::readable(const std::string &phrase) const
{
    const auto tokens = tokenize(phrase);
    if (tokens.empty() || tokens.size() > 12)
        return false;
    for (const Token &t : tokens) {
        if (t.cls == WordClass::Punctuation)
            return false;
        for (char c : t.text)
            if (!std::isalpha(static_cast<unsigned char>(c)) && c != '\'')
                return false;
        if (m_wv) {
            const int idx = m_wv->indexOf(t.text);
            if (idx < 0 || idx > kReadableRank)
                return false;
        }
    }
    return true;
}

const std::vector<Paraphraser::ConceptPhrase> &Paraphraser::phrasesOf(SynsetId id, const std::string &name) const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    auto &slot = m_phrases[{id, name}];
    if (slot)
        return *slot;
    slot = std::make_unique<std::vector<ConceptPhrase>>();
    auto &out = *slot;
    std::set<std::string> seen;
    auto add = [&](const std::string &text, SynsetId spec, int kind) {
        if (text.empty() || !seen.insert(text).second)
            return;
        out.push_back({text, spec, kind});
    };
    add(name, id, 0);
    const WnSynset *s = isPseudo(id) ? nullptr : m_wn.synset(id);
    if (!s)
        return out;
    for (const std::string &w : s->words)
        if (readable(w))
            add(w, id, 1);
    for (const auto &[a, d] : m_wn.ancestors(id, kMaxHypernymHops)) {
        if (m_wn.ancestors(a).size() < kMinAncestors)
            continue;
        const WnSynset *as = m_wn.synset(a);
        if (!as)
            continue;
        for (const std::string &w : as->words)
            if (readable(w)) {
                add(w, a, 2);
                break;
            }
    }
    // The definition's first clause, without usage examples or parentheses: "large ferocious bear of Eurasia".
    std::string gloss = s->gloss.substr(0, s->gloss.find_first_of(";\"("));
    while (!gloss.empty() && (gloss.back() == ' ' || gloss.back() == ','))
        gloss.pop_back();
    // A gloss that is itself a noun phrase with a determiner ("a human being") keeps it; the templates add none.
    for (const char *det : {"a ", "an ", "the "})
        if (gloss.rfind(det, 0) == 0)
            gloss = gloss.substr(std::strlen(det));
    if (!gloss.empty() && tokenize(gloss).size() <= 10)
        add(gloss, id, 3);
    // Word-vector neighbours of the head word, kept only when WordNet confirms they name this concept or one of
    // its hypernyms ("bear" -> "bears"; not "bull", its neighbour in finance).
    if (m_wv) {
        const auto heads = tokenize(name);
        const int idx = heads.empty() ? -1 : m_wv->indexOf(heads.back().text);
        if (idx >= 0) {
            for (int n : nearestCommonWords(*m_wv, idx, 12)) {
                const std::string &w = m_wv->word(n);
                if (n == idx || !readable(w))
                    continue;
                const auto senses = m_wn.lookup(w, WnPos::Noun);
                for (size_t i = 0; i < senses.size() && i < 2; ++i) {
                    if (senses[i] == id) {
                        add(w, id, 4);
                        break;
                    }
                    if (m_wn.isA(id, senses[i]) && m_wn.ancestors(senses[i]).size() >= kMinAncestors) {
                        add(w, senses[i], 4);
                        break;
                    }
                }
            }
        }
    }
    return out;
}

const Paraphraser::ConceptPhrase &Paraphraser::pickPhrase(SynsetId id, const std::string &name, Rng &rng,
                                                          bool allowGloss) const
{
    const auto &phrases = phrasesOf(id, name);
    // Own name most often, hypernyms next: queries name things at every level ("a bear", "an animal").
    static const float kWeights[] = {0.35f, 0.15f, 0.3f, 0.1f, 0.1f};
    float total = 0.f;
    for (const ConceptPhrase &p : phrases)
        if (allowGloss || p.kind != 3)
            total += kWeights[p.kind];
    float r = rng.unit() * total;
    for (const ConceptPhrase &p : phrases) {
        if (!allowGloss && p.kind == 3)
            continue;
        r -= kWeights[p.kind];
        if (r <= 0.f)
            return p;
    }
    return phrases.front();
}

ComponentFacts Paraphraser::factsOf(const Twin &twin, const Component &c) const
{
    ComponentFacts f;
    f.kind = componentKindFromName(c.kind);
    switch (f.kind) {
    case ComponentKind::Object: {
        const Track *t = twin.track(std::atoll(c.ref.c_str()));
        if (!t)
            break;
        f.concepts = closure(synsetOf(m_wn, t->category.synset, t->category.name));
        // Alternatives the text names are not negatives: a query for one of them may well mean this object.
        for (const LabelAlternative &a : t->category.alternatives)
            if (c.text.find(a.name) != std::string::npos) {
                const auto more = closure(synsetOf(m_wn, a.synset, a.name));
                f.concepts.insert(f.concepts.end(), more.begin(), more.end());
            }
        std::sort(f.concepts.begin(), f.concepts.end());
        f.concepts.erase(std::unique(f.concepts.begin(), f.concepts.end()), f.concepts.end());
        f.colour = attr(*t, "colour");
        f.colour2 = attr(*t, "colour_secondary");
        f.size = attr(*t, "size");
        f.motion = attr(*t, "motion");
        f.direction = attr(*t, "direction");
        f.position = attr(*t, "position");
        break;
    }
    case ComponentKind::Relation: {
        const auto pairs = relationRefPairs(c.ref);
        const size_t a = c.ref.find(':');
        const size_t b = c.ref.find(':', a + 1);
        if (pairs.empty() || a == std::string::npos || b == std::string::npos)
            break;
        f.predicate = c.ref.substr(a + 1, b - a - 1);
        if (const Track *s = twin.track(pairs.front().first))
            f.concepts = closure(synsetOf(m_wn, s->category.synset, s->category.name));
        if (pairs.front().second)
            if (const Track *o = twin.track(pairs.front().second))
                f.objectConcepts = closure(synsetOf(m_wn, o->category.synset, o->category.name));
        break;
    }
    case ComponentKind::Scene: {
        const size_t i = static_cast<size_t>(std::atoll(c.ref.c_str() + std::min<size_t>(6, c.ref.size())));
        if (c.ref.rfind("scene:", 0) == 0 && i < twin.scene.size())
            f.concepts = closure(synsetOf(m_wn, twin.scene[i].synset, twin.scene[i].name));
        break;
    }
    case ComponentKind::Text:
        for (const Token &t : tokenize(c.text))
            if (t.cls == WordClass::Content)
                f.words.push_back(t.text);
        break;
    }
    return f;
}

Paraphrase Paraphraser::objectParaphrase(const Track &track, const ComponentFacts &f, Rng &rng) const
{
    const SynsetId id = synsetOf(m_wn, track.category.synset, track.category.name);
    const ConceptPhrase &p = pickPhrase(id, track.category.name, rng, true);
    Paraphrase out;
    out.spec.kind = ComponentKind::Object;
    out.spec.concept = p.spec;
    const std::string det = withDeterminer(p.text, rng);

    static const SynsetId none = 0;
    auto firstSense = [this](const char *w) {
        const auto s = m_wn.lookup(w, WnPos::Noun);
        return s.empty() ? none : s.front();
    };
    const bool animate =
        (m_wn.isA(id, firstSense("person")) || m_wn.isA(id, firstSense("animal")) || id == firstSense("person"));
    const bool vehicle = m_wn.isA(id, firstSense("vehicle"));
    const bool person = id == firstSense("person") || m_wn.isA(id, firstSense("person"));
    auto motionPhrase = [&](bool withDirection, bool constrainMotion) {
        std::string verb;
        if (f.motion == "static")
            verb = rng.pick(std::vector<std::string>{"standing still", "stationary", "motionless", "staying still"});
        else if (f.motion == "slow")
            verb = animate   ? rng.pick(std::vector<std::string>{"walking", "moving slowly", "strolling"})
                   : vehicle ? rng.pick(std::vector<std::string>{"driving slowly", "moving slowly", "rolling slowly"})
                             : rng.pick(std::vector<std::string>{"moving slowly", "slowly moving", "drifting"});
        else if (f.motion == "fast")
            verb = animate   ? rng.pick(std::vector<std::string>{"running", "moving fast", "rushing"})
                   : vehicle ? rng.pick(std::vector<std::string>{"speeding", "driving fast", "moving quickly"})
                             : rng.pick(std::vector<std::string>{"moving fast", "moving quickly", "flying by"});
        else
            verb = "moving";
        if (constrainMotion || f.motion == "static")
            out.spec.motion = f.motion;
        if (withDirection && !f.direction.empty() && f.motion != "static") {
            out.spec.direction = f.direction;
            return (rng.chance(0.3f) ? rng.pick(std::vector<std::string>{"moving", "going", "heading"}) : verb) + " " +
                   directionPhrase(f.direction, rng);
        }
        return verb;
    };

    const float r = rng.unit();
    if (p.kind == 3 || r < 0.25f) {
        out.text = det;
    } else if (r < 0.40f && !f.colour.empty()) {
        const std::string c = rng.chance(0.7f) || f.colour2.empty() ? f.colour : f.colour2;
        out.spec.colour = c;
        out.text = withDeterminer(colourWord(c, rng) + " " + p.text, rng);
        // People are described by what they wear: "someone wearing red", "red and white clothing".
        if (person && rng.chance(0.5f)) {
            const std::string colours = colourWord(c, rng) +
                                        (!f.colour2.empty() && f.colour2 != c && rng.chance(0.4f)
                                             ? " and " + colourWord(f.colour2, rng) : std::string());
            if (colours.find(" and ") != std::string::npos)
                out.spec.colour = c; // either colour satisfies; the first is the one asked for
            out.text = rng.pick(std::vector<std::string>{det + " in " + colours, det + " wearing " + colours,
                                                         colours + " clothing", colours + " clothes"});
        }
    } else if (r < 0.48f && !f.size.empty()) {
        std::string spec;
        const std::string w = sizeWord(f.size, rng, &spec);
        out.spec.size = spec;
        out.text = withDeterminer(w + " " + p.text, rng);
    } else if (r < 0.60f && !f.motion.empty()) {
        out.text = det + " " + motionPhrase(true, false);
    } else if (r < 0.67f && !f.motion.empty()) {
        out.text = det + " " + motionPhrase(false, true);
    } else if (r < 0.75f && !f.position.empty()) {
        std::string spec;
        out.text = det + " " + positionPhrase(f.position, rng, &spec);
        out.spec.position = spec;
    } else if (r < 0.90f) {
        // Several aspects at once: "a large brown mammal walking to the left".
        std::string head = p.text;
        if (!f.colour.empty() && rng.chance(0.7f)) {
            out.spec.colour = f.colour;
            head = colourWord(f.colour, rng) + " " + head;
        }
        if (!f.size.empty() && rng.chance(0.5f)) {
            std::string spec;
            head = sizeWord(f.size, rng, &spec) + " " + head;
            out.spec.size = spec;
        }
        out.text = withDeterminer(head, rng);
        if (!f.motion.empty() && rng.chance(0.6f))
            out.text += " " + motionPhrase(rng.chance(0.6f), false);
        else if (!f.position.empty()) {
            std::string spec;
            out.text += " " + positionPhrase(f.position, rng, &spec);
            out.spec.position = spec;
        }
    } else {
        // Attributes alone: "a pink object", "something moving fast to the left".
        out.spec.concept = 0;
        const std::string thing = rng.pick(std::vector<std::string>{"something", "an object", "a thing"});
        if (!f.colour.empty() && rng.chance(0.5f)) {
            out.spec.colour = f.colour;
            out.text = rng.chance(0.5f) ? "something " + colourWord(f.colour, rng)
                                        : withDeterminer(colourWord(f.colour, rng) + " object", rng);
        } else if (!f.motion.empty() && f.motion != "static") {
            // Actions alone ("walking", "running to the left") ask for motion as much as "something moving" does.
            const std::string motion = motionPhrase(rng.chance(0.5f), true);
            out.text = rng.chance(0.3f) ? motion : thing + " " + motion;
        } else if (!f.position.empty()) {
            std::string spec;
            out.text = thing + " " + positionPhrase(f.position, rng, &spec);
            out.spec.position = spec;
        } else {
            out.spec.concept = p.spec;
            out.text = det;
        }
    }
    return out;
}

Paraphrase Paraphraser::relationParaphrase(const Twin &twin, const Component &c, const ComponentFacts &f,
                                           Rng &rng) const
{
    Paraphrase out;
    out.spec.kind = ComponentKind::Relation;
    out.spec.predicate = f.predicate;
    const auto pairs = relationRefPairs(c.ref);
    const Track *s = pairs.empty() ? nullptr : twin.track(pairs.front().first);
    const Track *o = pairs.empty() || !pairs.front().second ? nullptr : twin.track(pairs.front().second);
    if (!s) {
        out.text = c.text;
        return out;
    }
    const ConceptPhrase &sp =
        pickPhrase(synsetOf(m_wn, s->category.synset, s->category.name), s->category.name, rng, false);
    out.spec.concept = sp.spec;
    const PredicateWords &words = predicateWords(f.predicate);
    if (!o) {
        out.spec.unary = true;
        const std::string verb = words.forward.empty() ? f.predicate : rng.pick(words.forward);
        out.text = withDeterminer(sp.text, rng) + " " + verb;
        return out;
    }
    const ConceptPhrase &op =
        pickPhrase(synsetOf(m_wn, o->category.synset, o->category.name), o->category.name, rng, false);
    out.spec.objectConcept = op.spec;
    const std::string subject = withDeterminer(sp.text, rng), object = withDeterminer(op.text, rng);
    if (!words.inverse.empty() && rng.chance(0.3f))
        out.text = object + " " + rng.pick(words.inverse) + " " + subject;
    else
        out.text = subject + " " + (words.forward.empty() ? f.predicate : rng.pick(words.forward)) + " " + object;
    return out;
}

Paraphrase Paraphraser::sceneParaphrase(const Label &label, SynsetId id, Rng &rng) const
{
    const ConceptPhrase &p = pickPhrase(id, label.name, rng, true);
    Paraphrase out;
    out.spec.kind = ComponentKind::Scene;
    out.spec.concept = p.spec;
    const std::string det = withDeterminer(p.text, rng);
    const float r = rng.unit();
    out.text = r < 0.5f    ? det
               : r < 0.7f  ? "a scene with " + det
               : r < 0.85f ? det + " in the background"
                           : "somewhere with " + det;
    return out;
}

Paraphrase Paraphraser::textParaphrase(const ComponentFacts &f, Rng &rng) const
{
    Paraphrase out;
    out.spec.kind = ComponentKind::Text;
    std::vector<std::string> words;
    for (const std::string &w : f.words)
        if (w.size() >= 3)
            words.push_back(w);
    if (words.empty())
        words = f.words;
    if (words.empty())
        return out;
    const std::string w = rng.pick(words);
    out.spec.word = w;
    out.text = rng.pick(std::vector<std::string>{"the word " + w, "text saying " + w, "a sign reading " + w,
                                                 w + " written on a sign", "the text " + w});
    return out;
}

std::vector<Paraphrase> Paraphraser::paraphrase(const Twin &twin, const Component &c, Rng &rng, int n) const
{
    std::vector<Paraphrase> out;
    const ComponentFacts f = factsOf(twin, c);
    std::set<std::string> seen;
    for (int attempt = 0; attempt < n * 3 && static_cast<int>(out.size()) < n; ++attempt) {
        Paraphrase p;
        switch (f.kind) {
        case ComponentKind::Object:
            if (const Track *t = twin.track(std::atoll(c.ref.c_str())))
                p = objectParaphrase(*t, f, rng);
            break;
        case ComponentKind::Relation:
            p = relationParaphrase(twin, c, f, rng);
            break;
        case ComponentKind::Scene: {
            const size_t i = static_cast<size_t>(std::atoll(c.ref.c_str() + std::min<size_t>(6, c.ref.size())));
            if (i < twin.scene.size())
                p = sceneParaphrase(twin.scene[i], synsetOf(m_wn, twin.scene[i].synset, twin.scene[i].name), rng);
            break;
        }
        case ComponentKind::Text:
            p = textParaphrase(f, rng);
            break;
        }
        // A paraphrase must hold for its own component; anything else is a generator bug, not training data.
        if (p.text.empty() || !satisfies(p.spec, f) || !seen.insert(p.text).second)
            continue;
        out.push_back(std::move(p));
    }
    return out;
}

// ------------------------------------------------------------------------------------------------------------------

std::vector<Twin> syntheticTwins(const std::vector<LabelConcept> &objects, const std::vector<LabelConcept> &scenes,
                                 const WordNet &wn, const WordVectors *vectors, const SyntheticOptions &o)
{
    std::vector<Twin> out;
    if (objects.empty())
        return out;
    static const std::vector<std::string> colours = {
        "black", "white", "grey", "red",  "orange", "yellow", "green", "blue",       "purple",     "pink",
        "brown", "beige", "navy", "teal", "olive",  "maroon", "lilac", "dark green", "light blue", "tan"};
    static const std::vector<std::string> sizes = {"tiny",   "small", "small", "medium",
                                                   "medium", "large", "large", "dominant"};
    static const std::vector<std::string> motions = {"static", "slow", "slow", "fast"};
    static const std::vector<std::string> directions = {"left", "right",          "up",
                                                        "down", "towards camera", "away from camera"};
    static const std::vector<std::string> positions = {"centre",        "centre",      "left",      "right",
                                                       "top-left",      "top-centre",  "top-right", "bottom-left",
                                                       "bottom-centre", "bottom-right"};
    static const std::vector<std::string> binary = {
        "left of",          "near",   "above",  "overlapping", "in front of", "approaching",
        "moving away from", "inside", "riding", "carrying"};
    static const std::map<std::string, float> areaOfSize = {
        {"tiny", 0.003f}, {"small", 0.015f}, {"medium", 0.05f}, {"large", 0.15f}, {"dominant", 0.4f}};
    const auto confusable = confusableConcepts(objects, vectors, 8);
    int person = -1;
    for (size_t i = 0; i < objects.size(); ++i)
        if (objects[i].name == "person")
            person = static_cast<int>(i);
    // OCR-like words: common enough to be words people search for, rare enough to identify a video.
    std::vector<std::string> ocrWords;
    if (vectors)
        for (int i = 300; i < std::min(vectors->size(), 20000); i += 7) {
            const std::string &w = vectors->word(i);
            if (w.size() >= 3 && std::all_of(w.begin(), w.end(), [](char c) { return c >= 'a' && c <= 'z'; }))
                ocrWords.push_back(w);
        }

    for (int v = o.firstIndex; v < o.firstIndex + o.videos; ++v) {
        Rng rng(o.seed * 0x100000001b3ull + static_cast<uint64_t>(v) * 0x9e3779b97f4a7c15ull + 17);
        Twin t;
        char key[32];
        std::snprintf(key, sizeof key, "synthetic-%06d", v + 1);
        t.video.key = key;
        t.video.path = "synthetic:";
        t.video.fps = 25.0;
        t.video.frameCount = 100 + rng.uniform(200);
        t.video.durationMs = static_cast<int64_t>(t.video.frameCount * 40);
        t.video.width = 854;
        t.video.height = 480;
        t.sampling.notes = "synthetic twin generated from the label vocabulary (not a real video)";
        const int tracks = 1 + rng.uniform(std::max(1, o.maxTracks));
        for (int k = 0; k < tracks; ++k) {
            Track tr;
            tr.id = k + 1;
            const LabelConcept &c =
                (person >= 0 && rng.chance(0.2f)) ? objects[static_cast<size_t>(person)] : rng.pick(objects);
            tr.category.name = c.name;
            tr.category.synset = c.synset;
            tr.category.score = 0.4f + 0.55f * rng.unit();
            tr.category.model = "synthetic";
            const int alternatives = rng.uniform(4);
            float score = tr.category.score * (0.2f + 0.5f * rng.unit());
            const auto &near = confusable[static_cast<size_t>(&c - objects.data())];
            for (int a = 0; a < alternatives; ++a) {
                const LabelConcept &alt = !near.empty() && rng.chance(0.8f)
                                              ? objects[static_cast<size_t>(rng.pick(near))]
                                              : rng.pick(objects);
                if (alt.name == c.name)
                    continue;
                tr.category.alternatives.push_back({alt.name, alt.synset, score});
                score *= 0.5f;
            }
            const std::string size = rng.pick(sizes);
            const std::string motion = rng.pick(motions);
            const float share = 0.1f + 0.9f * rng.unit();
            tr.attributes["colour"] = {rng.pick(colours), "synthetic", 1.f};
            if (rng.chance(0.6f)) {
                const std::string c2 = rng.pick(colours);
                if (c2 != tr.attributes["colour"].value)
                    tr.attributes["colour_secondary"] = {c2, "synthetic", 1.f};
            }
            tr.attributes["size"] = {size, "synthetic", 1.f};
            tr.attributes["motion"] = {motion, "synthetic", 1.f};
            tr.attributes["direction"] = {motion == "static" ? "none" : rng.pick(directions), "synthetic", 1.f};
            tr.attributes["position"] = {rng.pick(positions), "synthetic", 1.f};
            tr.attributes["duration_share"] = {std::to_string(static_cast<int>(share * 100)) + "%", "synthetic", 1.f};
            tr.meanAreaFraction = areaOfSize.at(size) * (0.7f + 0.6f * rng.unit());
            tr.firstFrame = rng.uniform(static_cast<int>(t.video.frameCount / 4) + 1);
            tr.lastFrame = std::min<FrameIndex>(t.video.frameCount - 1,
                                                tr.firstFrame + static_cast<FrameIndex>(share * t.video.frameCount));
            tr.observations = static_cast<int>((tr.lastFrame - tr.firstFrame) / 4 + 1);
            t.tracks.push_back(std::move(tr));
        }
        const int relations = rng.uniform(o.maxRelations + 1);
        for (int r = 0; r < relations; ++r) {
            Relationship rel;
            rel.subject = 1 + rng.uniform(tracks);
            if (tracks >= 2 && rng.chance(0.75f)) {
                do
                    rel.object = 1 + rng.uniform(tracks);
                while (rel.object == rel.subject);
                rel.predicate = rng.pick(binary);
            } else {
                rel.predicate = rng.chance(0.5f) ? "appears" : "disappears";
            }
            rel.confidence = 0.5f + 0.5f * rng.unit();
            rel.source = "synthetic";
            t.relationships.push_back(std::move(rel));
        }
        if (!scenes.empty()) {
            const int labels = 1 + rng.uniform(std::max(1, o.maxSceneLabels));
            float score = 0.3f + 0.5f * rng.unit();
            for (int s = 0; s < labels; ++s) {
                const LabelConcept &c = rng.pick(scenes);
                t.scene.push_back({c.name, c.synset, score, "synthetic", {}});
                score *= 0.4f;
            }
        }
        if (!ocrWords.empty() && rng.chance(o.textRate)) {
            Observation ob;
            ob.kind = "ocr";
            const int words = 1 + rng.uniform(3);
            for (int w = 0; w < words; ++w)
                ob.text += (w ? " " : "") + rng.pick(ocrWords);
            if (rng.chance(0.5f))
                std::transform(ob.text.begin(), ob.text.end(), ob.text.begin(),
                               [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
            ob.confidence = 0.6f + 0.4f * rng.unit();
            ob.source = "synthetic";
            t.observations.push_back(std::move(ob));
        }
        (void)wn;
        out.push_back(std::move(t));
    }
    return out;
}

TrainingSet makeTrainingSet(const std::vector<Twin> &synthetic, const std::vector<Twin> &library,
                            const Paraphraser &paraphraser, const TrainingDataOptions &o)
{
    TrainingSet set;
    Rng rng(o.seed ^ 0x5eedf00dull);
    struct Source {
        int video;
        ComponentKind kind;
    };
    std::vector<Source> sources;
    std::vector<std::vector<int>> componentsOfVideo;
    int video = 0;
    auto addTwins = [&](const std::vector<Twin> &twins, bool isLibrary) {
        for (const Twin &twin : twins) {
            const bool validation = !isLibrary && rng.chance(o.validationShare);
            componentsOfVideo.emplace_back();
            for (const Component &c : componentsOf(twin)) {
                const int ci = static_cast<int>(set.componentTexts.size());
                set.componentTexts.push_back(c.text);
                set.facts.push_back(paraphraser.factsOf(twin, c));
                sources.push_back({video, set.facts.back().kind});
                componentsOfVideo.back().push_back(ci);
                const int repeats = isLibrary ? o.libraryRepeats : 1;
                const int n = (set.facts.back().kind == ComponentKind::Object ? o.objectParaphrases : 1) * repeats;
                for (Paraphrase &p : paraphraser.paraphrase(twin, c, rng, n)) {
                    TrainingPair pair;
                    pair.query = static_cast<int>(set.queryTexts.size());
                    pair.positive = ci;
                    pair.validation = validation;
                    set.queryTexts.push_back(std::move(p.text));
                    set.specs.push_back(p.spec);
                    set.pairs.push_back(pair);
                }
            }
            ++video;
        }
    };
    addTwins(synthetic, false);
    addTwins(library, true);

    // Hard negatives: a component of the same video that does not satisfy the query (it differs in exactly the
    // way the query is about), else one of another video of the same kind.
    const int components = static_cast<int>(set.componentTexts.size());
    for (TrainingPair &pair : set.pairs) {
        const auto &own = componentsOfVideo[static_cast<size_t>(sources[static_cast<size_t>(pair.positive)].video)];
        for (int attempt = 0; attempt < 6 && pair.hardNegative < 0 && own.size() > 1; ++attempt) {
            const int c = rng.pick(own);
            if (c != pair.positive && !set.satisfies(pair.query, c))
                pair.hardNegative = c;
        }
        for (int attempt = 0; attempt < 12 && pair.hardNegative < 0 && components > 1; ++attempt) {
            const int c = rng.uniform(components);
            if (sources[static_cast<size_t>(c)].kind == sources[static_cast<size_t>(pair.positive)].kind &&
                !set.satisfies(pair.query, c))
                pair.hardNegative = c;
        }
    }
    return set;
}

} // namespace ts
