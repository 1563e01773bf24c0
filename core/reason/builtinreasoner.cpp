#include "builtinreasoner.h"

#include "knowledge/text.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <cmath>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace ts {

namespace {

// --- weights of the evidence kinds in the relevance (the target dominates; context refines)
constexpr float kTargetWeight = 1.0f;
constexpr float kColourWeight = 0.35f;
constexpr float kContextWeight = 0.22f;
constexpr float kContextCap = 0.7f;
constexpr float kActionWeight = 0.12f;
constexpr float kSpatialWeight = 0.2f;
constexpr float kTemporalWeight = 0.3f;
constexpr float kNumberWeight = 0.35f;
constexpr float kCountWeight = 0.15f;
constexpr float kAppearanceWeight = 0.3f;

std::string fmt(double v, int digits = 2)
{
    std::ostringstream s;
    s.setf(std::ios::fixed);
    s.precision(digits);
    s << v;
    return s.str();
}

std::string joinWords(const std::vector<std::string> &w, const char *sep = " ")
{
    std::string s;
    for (const auto &x : w)
        s += (s.empty() ? "" : sep) + x;
    return s;
}


struct LabelHit {
    SynsetId id = 0;
    std::string name;
    float confidence = 0.f;
    TrackId track = 0; ///< 0 for scene labels
};

struct TrackInfo {
    const Track *track = nullptr;
    float salience = 0.f;
    std::vector<LabelHit> labels; ///< the fused label first, then alternatives
    std::vector<std::pair<FrameIndex, std::pair<float, float>>> series; ///< frame -> (centroid y, area fraction)
    std::vector<FrameSpan> spans;
    float depthMean = 0.5f;
    bool depthProxy = true;
};

std::string attr(const Track &t, const char *key)
{
    auto it = t.attributes.find(key);
    return it == t.attributes.end() ? std::string() : it->second.value;
}

float parsePercent(const std::string &s)
{
    try {
        return std::stof(s) / 100.f;
    } catch (...) {
        return 0.f;
    }
}

// Share of a text's content words that English WordNet knows (inflections included). The grammar reads English
// only; a query in another language scores low and is judged by the decomposer's English sub-queries instead.
double englishShare(const std::string &text, const Lexicon &lex)
{
    int content = 0, known = 0;
    for (const Token &t : tokenize(text)) {
        if (t.cls != WordClass::Content || t.text.size() < 3 || isStopWord(t.text))
            continue;
        ++content;
        for (WnPos pos : {WnPos::Noun, WnPos::Verb, WnPos::Adj, WnPos::Adv})
            if (lex.canBe(t.text, pos)) {
                ++known;
                break;
            }
    }
    return content == 0 ? 1.0 : static_cast<double>(known) / content;
}

constexpr double kMinEnglishShare = 0.6;

} // namespace

// --------------------------------------------------------------------------------------------------------------
// Decomposition

std::vector<SubQuery> BuiltinDecomposer::subQueriesOf(const QueryAnalysis &a)
{
    std::vector<SubQuery> out;
    auto phraseText = [&a](const NounPhrase &p) {
        std::string s = p.vague ? (p.person ? "person" : "object") : (p.person && p.head.empty() ? "person" : p.text);
        if (p.vague && !p.text.empty() && p.text != "what" && p.text != "something")
            s = p.text;
        return s;
    };
    for (int t : a.targets) {
        const NounPhrase &p = a.phrases[static_cast<size_t>(t)];
        SubQuery s;
        s.kind = SubQueryKind::Object;
        s.text = phraseText(p);
        if (!p.description.empty())
            s.text += " (" + joinWords(p.description) + ")";
        s.weight = kTargetWeight / std::max<size_t>(1, a.targets.size());
        out.push_back(std::move(s));
        if (!p.colours.empty()) {
            SubQuery c;
            c.kind = SubQueryKind::Attribute;
            c.text = joinWords(p.colours, " and ") + " " + (p.person ? "clothing" : (p.head.empty() ? "object" : p.head));
            c.weight = kColourWeight;
            out.push_back(std::move(c));
        }
    }
    int contexts = 0;
    for (size_t i = 0; i < a.phrases.size(); ++i) {
        const NounPhrase &p = a.phrases[i];
        if (std::find(a.targets.begin(), a.targets.end(), static_cast<int>(i)) != a.targets.end() || p.negated)
            continue;
        if (p.head.empty() || p.head == "one")
            continue;
        SubQuery s;
        s.kind = SubQueryKind::Scene;
        s.text = (p.colours.empty() ? "" : joinWords(p.colours) + " ") + (p.modifiers.empty() ? "" : joinWords(p.modifiers) + " ") + p.head;
        s.weight = kContextWeight;
        ++contexts;
        out.push_back(std::move(s));
    }
    if (contexts > 0) {
        const float scale = std::min(1.f, kContextCap / (kContextWeight * contexts));
        for (auto &s : out)
            if (s.kind == SubQueryKind::Scene)
                s.weight *= scale;
    }
    if (!a.actions.empty()) {
        SubQuery s;
        s.kind = SubQueryKind::Action;
        s.text = joinWords(a.actions, ", ");
        s.weight = kActionWeight;
        out.push_back(std::move(s));
    }
    for (const SpatialCue &c : a.spatial) {
        SubQuery s;
        s.kind = SubQueryKind::Spatial;
        const std::string subj = c.subject >= 0 ? phraseText(a.phrases[static_cast<size_t>(c.subject)]) : "target";
        const std::string obj = c.object >= 0 ? a.phrases[static_cast<size_t>(c.object)].head : "the others";
        s.text = subj + " " + c.relation + " " + obj;
        s.weight = kSpatialWeight;
        out.push_back(std::move(s));
    }
    for (const TemporalCue &c : a.temporal) {
        SubQuery s;
        s.kind = SubQueryKind::Temporal;
        s.text = c.text;
        s.weight = kTemporalWeight;
        out.push_back(std::move(s));
    }
    for (const std::string &n : a.numbers) {
        SubQuery s;
        s.kind = SubQueryKind::Attribute;
        s.text = "the number " + n + " is visible";
        s.weight = kNumberWeight;
        out.push_back(std::move(s));
    }
    for (const NounPhrase &p : a.phrases) {
        if (!p.negated || p.head.empty())
            continue;
        SubQuery s;
        s.kind = SubQueryKind::Object;
        s.text = p.head;
        s.negated = true;
        s.weight = 0.f; // a penalty, not a weight
        out.push_back(std::move(s));
    }
    return out;
}

Result<Decomposition> BuiltinDecomposer::decompose(const std::string &query, const CancelToken &)
{
    const auto t0 = std::chrono::steady_clock::now();
    const QueryAnalysis a = parseQuery(query, m_lex);
    Decomposition d;
    d.source = "builtin";
    d.subQueries = subQueriesOf(a);
    std::string text = "parsed: ";
    for (int t : a.targets)
        text += "target '" + a.phrases[static_cast<size_t>(t)].text + "' ";
    if (!a.negatedWords.empty())
        text += "; negated: " + joinWords(a.negatedWords, ", ");
    TraceStep step{"decompose", text, "builtin", -1,
                   std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count()};
    d.trace.push_back(std::move(step));
    // Without a language model nothing translates: say so rather than answer a German query with silence.
    if (englishShare(query, m_lex) < kMinEnglishShare)
        d.trace.push_back({"language",
                           "the query does not look like English: without a language model the built-in reasoner "
                           "matches English words only (the set-up installs one; an endpoint can be set in Settings)",
                           "builtin", -1, 0.0});
    return d;
}

// --------------------------------------------------------------------------------------------------------------
// Reasoning

struct BuiltinReasoner::QueryState {
    std::string text;
    std::string restated; ///< the English text judged instead of a query in another language (empty: the query)
    bool decomposed = true;
    bool explicitSubQueries = false;
    std::optional<std::vector<RefinementKind>> refinements; ///< see ReasonQuery
    bool canRefine(RefinementKind kind) const
    {
        return !refinements || std::find(refinements->begin(), refinements->end(), kind) != refinements->end();
    }
    QueryAnalysis analysis;
    std::vector<SubQuery> subQueries; ///< the built-in reading, in scoring order
    SynsetId person = 0;
    std::vector<SynsetId> groupSenses; ///< gathering, social group: "no audience" means few people
    // Per phrase, per description word: the background (mean, max) over the candidates' concepts.
    std::vector<std::vector<std::pair<float, float>>> descStats;
    /// Per phrase: the description's mean word vector, and the (mean, max) of its cosine with the candidates'
    /// concept names: what the description is "about" as a whole ("sleeps", "winter", "den" -> bear).
    std::vector<std::vector<float>> descVector;
    std::vector<std::pair<float, float>> topicStats;
    /// Per phrase: does its head name a category some candidate concept belongs to ("animal" does, the colloquial
    /// "machine" for a bicycle does not)? Then the category is a hard requirement; else the description decides.
    std::vector<bool> strictHead;
    std::vector<bool> broadHead; ///< the head's main sense sits high in WordNet (depth <= 7: machine, animal)
    /// Per evidence component (in judge()'s order): log inverse soft frequency among the candidates; empty when
    /// the reasoner was not prepared with candidates (every component then weighs its base weight).
    std::vector<double> rarity;
    mutable std::mutex mutex;
    mutable std::vector<std::unordered_map<SynsetId, float>> fit; ///< phrase -> concept -> fit
    mutable std::unordered_map<std::string, std::unordered_map<SynsetId, float>> looks; ///< modifier -> concept

    /// How well a modifier ("tutu", "team sport") describes a concept the classifier saw (cached per query).
    float lookMatch(const Lexicon &lex, const std::string &modifier, SynsetId id) const
    {
        {
            std::lock_guard<std::mutex> lock(mutex);
            auto m = looks.find(modifier);
            if (m != looks.end()) {
                auto it = m->second.find(id);
                if (it != m->second.end())
                    return it->second;
            }
        }
        const float v = std::max(lex.profileMatch(modifier, id), lex.conceptLink(modifier, id));
        std::lock_guard<std::mutex> lock(mutex);
        looks[modifier][id] = v;
        return v;
    }
};

BuiltinReasoner::BuiltinReasoner(const Lexicon &lexicon, BuiltinReasonerOptions options)
    : m_lex(lexicon), m_options(options)
{
}

BuiltinReasoner::~BuiltinReasoner() = default;

namespace {

/// Everything the reasoner reads from one twin.
struct TwinView {
    std::vector<TrackInfo> tracks;
    std::vector<LabelHit> scene;
    FrameIndex frameCount = 1;
    int personTracks = 0;
};

TwinView viewOf(const Twin &twin, const Lexicon &lex, SynsetId person)
{
    TwinView v;
    v.frameCount = std::max<FrameIndex>(1, twin.video.frameCount);
    const WordNet *wn = lex.wordnet();
    auto idOf = [wn](const std::string &key) { return wn && !key.empty() ? wn->fromKey(key) : SynsetId(0); };
    std::unordered_map<TrackId, size_t> index;
    for (const Track &t : twin.tracks) {
        TrackInfo ti;
        ti.track = &t;
        const float share = parsePercent(attr(t, "duration_share"));
        const float area = t.meanAreaFraction;
        // Prominent objects: seen for long and not tiny. A short glimpse of a small thing is weak evidence.
        ti.salience = std::clamp(0.45f + 0.35f * std::min(1.f, share * 1.6f) + 0.2f * std::min(1.f, area * 8.f), 0.f, 1.f);
        ti.labels.push_back({idOf(t.category.synset), t.category.name, 0.55f + 0.45f * std::clamp(t.category.score, 0.f, 1.f), t.id});
        for (const LabelAlternative &a : t.category.alternatives)
            ti.labels.push_back({idOf(a.synset), a.name, 0.25f + 0.75f * std::clamp(a.score, 0.f, 1.f), t.id});
        if (person && ti.labels.front().id && lex.isA(ti.labels.front().id, person) && share >= 0.15f)
            ++v.personTracks;
        index[t.id] = v.tracks.size();
        v.tracks.push_back(std::move(ti));
    }
    // Per-track time series and presence spans from the analysed frames.
    std::unordered_map<TrackId, FrameIndex> lastSeen;
    const FrameIndex gap = std::max<FrameIndex>(2, static_cast<FrameIndex>(twin.video.fps > 0 ? twin.video.fps : 10));
    const double frameArea = std::max(1.0, static_cast<double>(twin.video.width) * twin.video.height);
    std::unordered_map<TrackId, std::pair<double, int>> depthSum;
    for (const FrameRecord &f : twin.frames)
        for (const Instance &in : f.instances) {
            auto it = index.find(in.trackId);
            if (it == index.end())
                continue;
            TrackInfo &ti = v.tracks[it->second];
            ti.series.push_back({f.frameIndex, {in.centroidY, static_cast<float>(in.areaPx / frameArea)}});
            auto ls = lastSeen.find(in.trackId);
            if (ls == lastSeen.end() || f.frameIndex - ls->second > gap || ti.spans.empty())
                ti.spans.push_back({f.frameIndex, f.frameIndex});
            else
                ti.spans.back().last = f.frameIndex;
            lastSeen[in.trackId] = f.frameIndex;
            auto &ds = depthSum[in.trackId];
            ds.first += in.depth.value;
            ++ds.second;
            ti.depthProxy = in.depth.source.empty() || in.depth.source == "proxy";
        }
    for (auto &ti : v.tracks) {
        auto ds = depthSum.find(ti.track->id);
        if (ds != depthSum.end() && ds->second.second > 0)
            ti.depthMean = static_cast<float>(ds->second.first / ds->second.second);
    }
    for (const Label &l : twin.scene)
        v.scene.push_back({idOf(l.synset), l.name, 0.35f + 0.5f * std::clamp(l.score, 0.f, 1.f), 0});
    return v;
}

} // namespace

namespace {

/// How well a concept is what the phrase names (its head), 0..1; -1 when the phrase names no category.
float headMatchOf(const NounPhrase &p, SynsetId id, const Lexicon &lex, SynsetId person)
{
    if (!id)
        return 0.f;
    if (p.person)
        return person && lex.isA(id, person) ? 1.f : 0.f;
    if (p.vague || p.head.empty() || p.head == "one")
        return -1.f;
    // A head neither WordNet nor the word vectors know ("off-roader") names no category: the rest must decide.
    if (p.senses.empty() && lex.vectorIndex(p.head) < 0)
        return -1.f;
    float best = 0.f;
    const WordNet *wn = lex.wordnet();
    for (size_t i = 0; i < p.senses.size() && i < 3; ++i) {
        const SynsetId h = p.senses[i];
        // WordNet lists senses by frequency: a rare sense ("machine": an efficient person) counts little.
        float senseWeight = i == 0 ? 1.f : i == 1 ? 0.55f : 0.4f;
        float m;
        if (h == id) {
            m = 1.f;
            senseWeight = i == 0 ? 1.f : i == 1 ? 0.85f : 0.7f; // the very concept, named by a less common sense
        } else if (lex.isA(id, h))
            m = 1.f;
        else if (lex.isA(h, id))
            m = 0.7f; // the label is a more general word for what was asked
        else
            // Close kin (a seashore for "beach", an ibex for "goat") are partly what was asked.
            m = wn ? static_cast<float>(std::clamp((wn->wuPalmer(h, id) - 0.6) / 0.35, 0.0, 1.0)) * 0.75f : 0.f;
        best = std::max(best, senseWeight * m);
    }
    // A group ("people", "a herd") is seen as its members, each tracked on its own.
    if (best < 0.9f)
        for (SynsetId member : lex.groupMembers(p.senses))
            if (lex.isA(id, member))
                best = 0.9f;
    // Kinds WordNet files elsewhere ("bus" is public transport there) still say what they are in their definition.
    if (best < 0.9f && lex.definedAs(id, p.head))
        best = 0.9f;
    // Heads WordNet does not connect to the label by hypernymy ("off-roader", "spinner") still match by words.
    // (By the concept's own words only: "harness" is defined with "a person", but is no person.)
    // Word vectors tell relatedness more than identity ("board" is near "table"): for a thing to find in the
    // scene the name counts less than for the target, which the description backs up.
    best = std::max(best, (p.role == PhraseRole::Target ? 0.8f : 0.5f) * lex.nameMatch(p.head, id));
    return best;
}

} // namespace

namespace {

// The sub-queries as one English phrase list the grammar can parse ("bear, walking on rocks, no people").
std::string restatement(const std::vector<SubQuery> &subQueries)
{
    std::string out;
    for (const SubQuery &s : subQueries)
        out += (out.empty() ? "" : ", ") + std::string(s.negated ? "no " : "") + s.text;
    return out;
}

} // namespace

void BuiltinReasoner::adoptNamedTarget(QueryAnalysis &a, const std::vector<SubQuery> &subQueries) const
{
    // The concepts of the first object sub-query: what the query is looking for, named by a model with the world
    // knowledge the grammar lacks. A small model often lists a few candidates ("bear, fox"), so each of them (up to
    // three) stands for the target. The clause that described the target stays: its words still weigh the evidence.
    const SubQuery *named = nullptr;
    for (const SubQuery &s : subQueries)
        if (s.kind == SubQueryKind::Object && !s.negated) {
            named = &s;
            break;
        }
    if (!named)
        return;
    if (a.targets.empty()) {
        NounPhrase p;
        p.role = PhraseRole::Target;
        p.vague = true;
        p.text = named->text;
        a.phrases.push_back(p);
        a.targets.push_back(static_cast<int>(a.phrases.size() - 1));
    }
    NounPhrase &target = a.phrases[static_cast<size_t>(a.targets.front())];
    if (target.person && !target.vague)
        return; // "a woman ...": the grammar's person is already concrete
    std::vector<SynsetId> adopted;
    std::string head;
    for (size_t c = 0; c < named->concepts.size() && c < 3; ++c) {
        std::string lemma = named->concepts[c];
        std::transform(lemma.begin(), lemma.end(), lemma.begin(), [](unsigned char ch) { return std::tolower(ch); });
        auto senses = m_lex.nounSenses(lemma);
        if (senses.empty() && lemma.find(' ') != std::string::npos) {
            lemma = lemma.substr(lemma.find_last_of(' ') + 1); // "brown bear" -> "bear"
            senses = m_lex.nounSenses(lemma);
        }
        if (senses.empty() || lemma == target.head)
            continue;
        // A named thing replaces a vague target ("something", "the thing") or narrows a general one it is a kind of
        // ("animal" -> "bear"); a model that names something other than the query's own noun is not believed.
        senses.resize(std::min<size_t>(2, senses.size()));
        bool narrower = target.vague || target.senses.empty();
        for (SynsetId sense : senses)
            for (SynsetId general : target.senses)
                narrower = narrower || m_lex.isA(sense, general);
        if (!narrower)
            continue;
        if (head.empty())
            head = lemma;
        for (SynsetId sense : senses)
            if (std::find(adopted.begin(), adopted.end(), sense) == adopted.end())
                adopted.push_back(sense);
    }
    if (adopted.empty())
        return;
    target.head = head;
    target.senses = std::move(adopted);
    target.vague = false;
}

std::shared_ptr<BuiltinReasoner::QueryState> BuiltinReasoner::stateFor(const ReasonQuery &query,
                                                                             const std::vector<const Twin *> &twins)
{
    auto st = std::make_shared<QueryState>();
    st->text = query.text;
    st->decomposed = query.decomposed;
    st->explicitSubQueries = query.explicitSubQueries;
    st->refinements = query.refinements;
    if (query.decomposed) {
        if (query.explicitSubQueries && !query.subQueries.empty() && englishShare(query.text, m_lex) < kMinEnglishShare)
            st->restated = restatement(query.subQueries);
        st->analysis = parseQuery(st->restated.empty() ? query.text : st->restated, m_lex);
        if (query.explicitSubQueries)
            adoptNamedTarget(st->analysis, query.subQueries);
    } else {
        // Without decomposition the query is one bag of words describing one unknown thing.
        QueryAnalysis a;
        a.query = query.text;
        NounPhrase p;
        p.role = PhraseRole::Target;
        p.vague = true;
        p.text = query.text;
        for (const Token &t : tokenize(query.text))
            if (t.cls == WordClass::Content && t.text.size() > 1)
                p.description.push_back(t.text);
        a.phrases.push_back(std::move(p));
        a.targets.push_back(0);
        st->analysis = std::move(a);
    }
    st->subQueries = BuiltinDecomposer::subQueriesOf(st->analysis);
    const auto personSenses = m_lex.nounSenses("person");
    st->person = personSenses.empty() ? 0 : personSenses.front();
    for (const char *g : {"gathering", "social group", "crowd"}) {
        const auto s = m_lex.nounSenses(g);
        if (!s.empty())
            st->groupSenses.push_back(s.front());
    }
    // The candidates' concepts: the background against which a description word is judged distinctive.
    std::set<SynsetId> vocab;
    const WordNet *wn = m_lex.wordnet();
    for (const Twin *t : twins) {
        if (!t || !wn)
            continue;
        for (const Track &tr : t->tracks) {
            if (SynsetId id = wn->fromKey(tr.category.synset))
                vocab.insert(id);
            for (const auto &a : tr.category.alternatives)
                if (SynsetId id = wn->fromKey(a.synset))
                    vocab.insert(id);
        }
        for (const Label &l : t->scene)
            if (SynsetId id = wn->fromKey(l.synset))
                vocab.insert(id);
    }
    const auto &phrases = st->analysis.phrases;
    st->descStats.resize(phrases.size());
    st->fit.resize(phrases.size());
    for (size_t p = 0; p < phrases.size(); ++p) {
        for (const std::string &d : phrases[p].description) {
            float sum = 0.f, mx = 0.f;
            for (SynsetId id : vocab) {
                const float m = std::max({m_lex.profileMatch(d, id), m_lex.glossLink(d, id), m_lex.conceptLink(d, id)});
                sum += m;
                mx = std::max(mx, m);
            }
            st->descStats[p].push_back({vocab.empty() ? 0.f : sum / vocab.size(), mx});
        }
    }
    st->descVector.resize(phrases.size());
    st->topicStats.assign(phrases.size(), {0.f, 0.f});
    for (size_t p = 0; p < phrases.size(); ++p) {
        if (phrases[p].description.size() < 2)
            continue;
        st->descVector[p] = m_lex.wordsVector(phrases[p].description);
        if (st->descVector[p].empty())
            continue;
        float sum = 0.f, mx = -1.f;
        int count = 0;
        for (SynsetId id : vocab) {
            const auto cv = m_lex.conceptVector(id);
            if (cv.empty())
                continue;
            const float c = dot(cv.data(), st->descVector[p].data(), static_cast<int>(cv.size()));
            sum += c;
            mx = std::max(mx, c);
            ++count;
        }
        if (count > 0)
            st->topicStats[p] = {sum / count, mx};
    }
    st->strictHead.assign(phrases.size(), false);
    st->broadHead.assign(phrases.size(), false);
    for (size_t p = 0; p < phrases.size(); ++p)
        if (!phrases[p].person && !phrases[p].senses.empty() && m_lex.wordnet())
            st->broadHead[p] = m_lex.depth(phrases[p].senses.front()) <= 7;
    for (size_t p = 0; p < phrases.size(); ++p) {
        if (phrases[p].person) {
            st->strictHead[p] = true;
            continue;
        }
        for (SynsetId id : vocab)
            if (headMatchOf(phrases[p], id, m_lex, st->person) >= 0.69f) {
                st->strictHead[p] = true;
                break;
            }
    }
    return st;
}

void BuiltinReasoner::prepare(const ReasonQuery &query, const std::vector<const Twin *> &candidates)
{
    auto st = stateFor(query, candidates);
    // How common each piece of evidence is among the candidates (a soft document frequency).
    std::vector<double> frequency;
    std::vector<bool> isTarget;
    int n = 0;
    for (const Twin *t : candidates) {
        if (!t)
            continue;
        std::vector<float> scores;
        judge(*st, *t, scores, &isTarget);
        if (frequency.size() < scores.size())
            frequency.resize(scores.size(), 0.0);
        for (size_t k = 0; k < scores.size(); ++k)
            frequency[k] += scores[k];
        ++n;
    }
    st->rarity.clear();
    // Evidence no candidate shows cannot tell them apart: it is left out rather than lowering everyone (the
    // target excepted: its absence everywhere is what a no-answer query looks like).
    for (size_t k = 0; k < frequency.size(); ++k) {
        const bool target = k < isTarget.size() && isTarget[k];
        const double r = std::clamp(std::log((n + 1.0) / (frequency[k] + 0.5)), 0.1, 3.0);
        st->rarity.push_back(!target && frequency[k] < 0.05 ? 0.0 : r);
    }
    std::lock_guard<std::mutex> lock(m_mutex);
    m_state = std::move(st);
}


static float phraseFit(const NounPhrase &p, size_t phraseIndex, SynsetId id, const Lexicon &lex,
                       const BuiltinReasoner::QueryState &st);

Result<ReasonVerdict> BuiltinReasoner::reason(const ReasonQuery &query, const Twin &twin, const CancelToken &cancel)
{
    using R = Result<ReasonVerdict>;
    if (cancel.isCancelled())
        return R::cancelled();
    std::shared_ptr<const QueryState> st;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_state && m_state->text == query.text && m_state->decomposed == query.decomposed &&
            m_state->explicitSubQueries == query.explicitSubQueries && m_state->refinements == query.refinements)
            st = m_state;
    }
    if (!st) {
        st = stateFor(query, {&twin});
        std::lock_guard<std::mutex> lock(m_mutex);
        m_state = st;
    }
    std::vector<float> scores;
    return judge(*st, twin, scores);
}

namespace {

struct TargetChoice {
    int phrase = -1;
    int trackIndex = -1; ///< into view.tracks; -1 when a scene label was best
    float score = 0.f;
    LabelHit label;
};

/// One candidate judged against the parsed query: the target first, then each kind of evidence the query asks for
/// (colours, looks, context, actions, spatial relations, temporal patterns, numbers, counts, negations), the
/// relevance, and the grounding, in the order the verdict's trace tells them. Lives for one judge() call.
struct Judgement {
    Judgement(const BuiltinReasoner::QueryState &state, const Twin &twin, const Lexicon &lex,
              std::vector<float> &components, std::vector<bool> *targetMask)
        : st(&state), a(state.analysis), twin(twin), lex(lex), view(viewOf(twin, lex, state.person)),
          components(components), targetMask(targetMask)
    {
        v.source = "builtin";
        components.clear();
        if (targetMask)
            targetMask->clear();
    }

    ReasonVerdict run()
    {
        if (!st->restated.empty())
            note("query", "the query is not in English: judged by the decomposition's English sub-queries \"" +
                              st->restated + "\"");
        // The target is required; everything else (colours, context, actions, relations, time) refines it, so the
        // relevance is the target's fit scaled by how much of the rest holds: nothing outscores a missing target.
        chooseTargets();
        scoreTargets();
        scoreContexts();
        scoreActions();
        scoreSpatial();
        scoreTemporal();
        scoreNumbers();
        scoreCounts();
        scoreNegations();
        weighRelevance();
        ground();

        for (size_t s = 0; s < subScores.size() && s < st->subQueries.size(); ++s)
            if (subScores[s] >= 0.5f)
                v.satisfied.push_back(static_cast<int>(s));
        note("verdict", "relevance " + fmt(v.relevance) + (penalty < 1.f ? " (after negation penalty x" + fmt(penalty) + ")" : ""));
        return std::move(v);
    }

    void note(const std::string &kind, const std::string &text, FrameIndex frame = -1)
    {
        v.trace.push_back({kind, text, "builtin", frame, 0.0});
    }
    float fitOf(size_t phrase, SynsetId id) const { return phraseFit(a.phrases[phrase], phrase, id, lex, *st); }
    void addComponent(float weight, float score, bool isTarget = false)
    {
        baseWeights.push_back(weight);
        components.push_back(score);
        if (targetMask)
            targetMask->push_back(isTarget);
    }
    void addScore(float weight, float score, bool isTarget = false)
    {
        if (isTarget) {
            targetWeight += weight;
            targetSum += weight * score;
        }
        addComponent(weight, score, isTarget);
        subScores.push_back(score);
    }

    // What the query says the target looks like or wears against everything the classifier saw on the track.
    float appearanceOf(const NounPhrase &p, const TrackInfo &ti) const
    {
        if (p.modifiers.empty())
            return 0.f;
        float sum = 0.f;
        for (const std::string &m : p.modifiers) {
            float best = 0.f;
            for (const LabelHit &h : ti.labels)
                if (h.id)
                    best = std::max(best, st->lookMatch(lex, m, h.id) * h.confidence);
            for (const LabelHit &h : view.scene) // worn or held things also show in the whole frame
                if (h.id)
                    best = std::max(best, 0.6f * st->lookMatch(lex, m, h.id) * h.confidence);
            sum += best;
        }
        return sum / p.modifiers.size();
    }

    // 1. Targets: the best track (or whole-frame label) for each, with its colours.
    void chooseTargets()
    {
        std::set<int> usedTracks;
        for (int t : a.targets) {
            const NounPhrase &p = a.phrases[static_cast<size_t>(t)];
            TargetChoice best;
            best.phrase = t;
            float bestChoice = 0.f;
            for (size_t k = 0; k < view.tracks.size(); ++k) {
                if (usedTracks.count(static_cast<int>(k)))
                    continue;
                const TrackInfo &ti = view.tracks[k];
                float labelScore = 0.f;
                LabelHit bestLabel;
                for (const LabelHit &h : ti.labels) {
                    const float s = fitOf(static_cast<size_t>(t), h.id) * h.confidence;
                    if (s > labelScore) {
                        labelScore = s;
                        bestLabel = h;
                    }
                }
                float colour = 1.f;
                if (!p.colours.empty()) {
                    float c = 0.f;
                    for (const std::string &want : p.colours)
                        c += std::max(colourSimilarity(want, attr(*ti.track, "colour")),
                                      0.75f * colourSimilarity(want, attr(*ti.track, "colour_secondary")));
                    colour = 0.55f + 0.45f * c / p.colours.size();
                }
                // Colours the query rules out ("not the ones wearing green") push a look-alike down.
                for (const std::string &neg : a.negatedWords)
                    if (!canonicalColour(neg).empty() && colourSimilarity(neg, attr(*ti.track, "colour")) >= 0.75f)
                        colour *= 0.6f;
                // What the query says the target looks like or wears ("tutu", "helmet") against everything the
                // classifier saw on this track's crops (a person track's alternatives are its clothes and gear).
                const float look = appearanceOf(p, ti);
                // Colour and looks choose among candidates of one video; the target's own score stays what it is
                // (they are scored as their own evidence below).
                const float s = labelScore * ti.salience;
                const float choice = s * colour * (p.modifiers.empty() ? 1.f : 0.75f + 0.25f * look);
                if (choice > bestChoice) {
                    bestChoice = choice;
                    best.score = s;
                    best.trackIndex = static_cast<int>(k);
                    best.label = bestLabel;
                }
            }
            for (const LabelHit &h : view.scene) {
                // A whole-frame label can stand for the target (a swing, a pillow filling the frame) but counts less:
                // nothing says where it is.
                const float s = fitOf(static_cast<size_t>(t), h.id) * h.confidence * 0.8f;
                if (s > bestChoice) {
                    bestChoice = s;
                    best.score = s;
                    best.trackIndex = -1;
                    best.label = h;
                }
            }
            if (best.trackIndex >= 0)
                usedTracks.insert(best.trackIndex);
            chosen.push_back(best);
        }

    }

    void scoreTargets()
    {
        for (size_t i = 0; i < chosen.size(); ++i) {
            const TargetChoice &c = chosen[i];
            const NounPhrase &p = a.phrases[static_cast<size_t>(c.phrase)];
            addScore(kTargetWeight / std::max<size_t>(1, chosen.size()), c.score, true);
            std::string where = c.trackIndex >= 0 ? "track " + std::to_string(view.tracks[static_cast<size_t>(c.trackIndex)].track->id)
                                                  : std::string("the whole frame");
            if (c.score > 0.f)
                note("reason", "'" + p.text + "': " + where + " seen as '" + c.label.name + "' fits " + fmt(c.score) +
                                   (p.description.empty() ? "" : " (described as: " + joinWords(p.description) + ")"),
                     c.trackIndex >= 0 ? view.tracks[static_cast<size_t>(c.trackIndex)].track->firstFrame : -1);
            else
                note("reason", "'" + p.text + "': nothing in the twin fits");
            if (!p.colours.empty()) {
                float colour = 0.5f; // unknown when the target is only a whole-frame label
                std::string seen = "unknown";
                if (c.trackIndex >= 0) {
                    const Track &tr = *view.tracks[static_cast<size_t>(c.trackIndex)].track;
                    float sum = 0.f;
                    for (const std::string &want : p.colours)
                        sum += std::max(colourSimilarity(want, attr(tr, "colour")),
                                        0.75f * colourSimilarity(want, attr(tr, "colour_secondary")));
                    colour = sum / p.colours.size();
                    seen = attr(tr, "colour") + (attr(tr, "colour_secondary").empty() ? "" : "/" + attr(tr, "colour_secondary"));
                    if (attr(tr, "colour").empty() && st->canRefine(RefinementKind::Mask))
                        v.gaps.push_back({RefinementKind::Mask, tr.id, tr.firstFrame, tr.lastFrame,
                                          "no colour measured for the target"});
                }
                addScore(kColourWeight, colour);
                note("reason", "colour asked " + joinWords(p.colours, "/") + ", seen " + seen + ": " + fmt(colour));
            }
            if (!p.modifiers.empty()) {
                const float look = c.trackIndex >= 0 ? appearanceOf(p, view.tracks[static_cast<size_t>(c.trackIndex)]) : 0.f;
                addComponent(kAppearanceWeight, look);
                if (look >= 0.3f)
                    note("reason", "looks like '" + joinWords(p.modifiers, " ") + "': " + fmt(look));
            }
        }

    }

    void scoreContexts()
    {
        // 2. Context phrases: anything in the twin (tracks, alternatives, whole-frame labels) that is what they name.
        int contexts = 0;
        for (size_t i = 0; i < a.phrases.size(); ++i) {
            const NounPhrase &p = a.phrases[i];
            if (std::find(a.targets.begin(), a.targets.end(), static_cast<int>(i)) != a.targets.end() || p.negated ||
                p.head.empty() || p.head == "one")
                continue;
            ++contexts;
        }
        const float contextWeight = contexts > 0 ? kContextWeight * std::min(1.f, kContextCap / (kContextWeight * contexts)) : 0.f;
        contextTrack.assign(a.phrases.size(), {-1, 0.f});
        for (size_t i = 0; i < a.phrases.size(); ++i) {
            const NounPhrase &p = a.phrases[i];
            if (std::find(a.targets.begin(), a.targets.end(), static_cast<int>(i)) != a.targets.end() || p.negated ||
                p.head.empty() || p.head == "one")
                continue;
            float best = 0.f;
            std::string what;
            for (size_t k = 0; k < view.tracks.size(); ++k)
                for (const LabelHit &h : view.tracks[k].labels) {
                    const float s = fitOf(i, h.id) * h.confidence;
                    if (s > best) {
                        best = s;
                        what = "track " + std::to_string(h.track) + " '" + h.name + "'";
                    }
                    if (s > contextTrack[i].second)
                        contextTrack[i] = {static_cast<int>(k), s};
                }
            for (const LabelHit &h : view.scene) {
                const float s = fitOf(i, h.id) * h.confidence;
                if (s > best) {
                    best = s;
                    what = "scene '" + h.name + "'";
                }
            }
            // Weak associations (a "board" that is a car at 0.3) are everywhere; only clear matches count.
            addScore(contextWeight * (p.fromDescription ? 0.6f : 1.f), std::clamp((best - 0.15f) / 0.6f, 0.f, 1.f));
            if (best >= 0.3f)
                note("reason", "context '" + p.text + "': " + what + " " + fmt(best));
        }

    }

    void scoreActions()
    {
        // 3. Actions: the motion the verbs imply against the target's measured motion.
        target = chosen.empty() || chosen.front().trackIndex < 0
                                      ? nullptr
                                      : &view.tracks[static_cast<size_t>(chosen.front().trackIndex)];
        if (!a.actions.empty()) {
            float score = 0.5f;
            if (target) {
                const std::string motion = attr(*target->track, "motion");
                int fast = 0, slow = 0, still = 0, moving = 0;
                for (const std::string &verb : a.actions) {
                    static const std::set<std::string> kStill = {"stand", "sit", "lie", "rest", "sleep", "wait", "stay",
                                                                 "perch", "pose", "hang", "hold"};
                    if (kStill.count(verb)) {
                        ++still;
                        continue;
                    }
                    // WordNet: a kind of "travel rapidly" is fast, a kind of "walk" slow, a kind of "travel" moving.
                    const WordNet *wn = lex.wordnet();
                    if (!wn)
                        continue;
                    const auto senses = wn->lookup(verb, WnPos::Verb);
                    const auto fastS = wn->lookup("speed", WnPos::Verb), walkS = wn->lookup("walk", WnPos::Verb),
                               travelS = wn->lookup("travel", WnPos::Verb);
                    for (size_t s = 0; s < senses.size() && s < 2; ++s) {
                        if (!fastS.empty() && wn->isA(senses[s], fastS.front())) {
                            ++fast;
                            break;
                        }
                        if (!walkS.empty() && wn->isA(senses[s], walkS.front())) {
                            ++slow;
                            break;
                        }
                        if (!travelS.empty() && wn->isA(senses[s], travelS.front())) {
                            ++moving;
                            break;
                        }
                    }
                }
                const int claims = fast + slow + still + moving;
                if (claims > 0) {
                    float agree = 0.f;
                    agree += fast * (motion == "fast" ? 1.f : motion == "slow" ? 0.5f : 0.1f);
                    agree += slow * (motion == "slow" ? 1.f : motion == "fast" ? 0.6f : 0.3f);
                    agree += moving * (motion == "static" ? 0.2f : 1.f);
                    agree += still * (motion == "static" ? 1.f : motion == "slow" ? 0.5f : 0.2f);
                    score = agree / claims;
                }
            }
            addScore(kActionWeight, score);
            note("reason", "actions " + joinWords(a.actions, ", ") + ": measured motion " +
                               (target ? attr(*target->track, "motion") : std::string("unknown")) + ", " + fmt(score));
        }

    }

    void scoreSpatial()
    {
        // 4. Spatial relations between the target and other things.
        for (const SpatialCue &c : a.spatial) {
            float score = 0.5f;
            std::string why = "not checkable";
            const int subjIdx = c.subject >= 0 ? c.subject : (a.targets.empty() ? -1 : a.targets.front());
            int subjTrack = -1;
            for (const auto &ch : chosen)
                if (ch.phrase == subjIdx)
                    subjTrack = ch.trackIndex;
            if (subjTrack >= 0) {
                const Track &st0 = *view.tracks[static_cast<size_t>(subjTrack)].track;
                if (c.object < 0) {
                    // "in front" with nothing named after it ("the cup in front"): nearest among the others by depth.
                    int nearer = 0, others = 0;
                    for (size_t k = 0; k < view.tracks.size(); ++k) {
                        if (static_cast<int>(k) == subjTrack)
                            continue;
                        ++others;
                        if (view.tracks[k].depthMean < view.tracks[static_cast<size_t>(subjTrack)].depthMean)
                            ++nearer;
                    }
                    const bool front = c.relation == "in front of";
                    score = others == 0 ? 0.6f : 1.f - static_cast<float>(front ? nearer : others - nearer) / others;
                    why = (front ? "nearest" : "farthest") + std::string(" of ") + std::to_string(others + 1) + " objects by depth (" +
                          (view.tracks[static_cast<size_t>(subjTrack)].depthProxy ? "proxy" : "model") + ")";
                    if (view.tracks[static_cast<size_t>(subjTrack)].depthProxy && st->canRefine(RefinementKind::Depth))
                        v.gaps.push_back({RefinementKind::Depth, st0.id, st0.firstFrame, st0.lastFrame,
                                          "depth order comes from a geometric proxy"});
                } else {
                    const auto ot = contextTrack[static_cast<size_t>(c.object)];
                    if (ot.first >= 0 && ot.first != subjTrack && ot.second >= 0.35f) {
                        const TrackId o = view.tracks[static_cast<size_t>(ot.first)].track->id;
                        const std::string &rel = c.relation;
                        auto holds = [&](TrackId s, const std::string &pred, TrackId obj) {
                            for (const Relationship &r : twin.relationships)
                                if (r.subject == s && r.object == obj && r.predicate == pred)
                                    return true;
                            return false;
                        };
                        bool ok = false;
                        const TrackId sId = st0.id;
                        if (rel == "near" || rel == "past" || rel == "between")
                            ok = holds(sId, "near", o) || holds(o, "near", sId) || holds(sId, "overlapping", o) ||
                                 holds(o, "overlapping", sId) || holds(sId, "approaching", o) || holds(sId, "moving away from", o);
                        else if (rel == "above")
                            ok = holds(sId, "above", o) || holds(sId, "riding", o);
                        else if (rel == "below")
                            ok = holds(o, "above", sId);
                        else if (rel == "in front of")
                            ok = holds(sId, "in front of", o);
                        else if (rel == "behind")
                            ok = holds(o, "in front of", sId) || holds(o, "overlapping", sId);
                        else if (rel == "riding" || rel == "on")
                            ok = holds(sId, "riding", o) || holds(sId, "above", o) || holds(sId, "overlapping", o) ||
                                 holds(o, "carrying", sId);
                        else if (rel == "inside")
                            ok = holds(sId, "inside", o) || holds(sId, "overlapping", o);
                        else if (rel == "towards")
                            ok = holds(sId, "approaching", o);
                        else if (rel == "away from")
                            ok = holds(sId, "moving away from", o);
                        else
                            ok = holds(sId, "near", o) || holds(sId, "overlapping", o);
                        score = ok ? 1.f : 0.3f;
                        why = std::string(ok ? "holds" : "not observed") + " between track " + std::to_string(sId) +
                              " and track " + std::to_string(o);
                    } else {
                        // The other thing is only a whole-frame label (a fountain, trees): present, relation unknown.
                        score = 0.5f;
                        why = "the other thing is not tracked";
                    }
                }
            }
            addScore(kSpatialWeight, score);
            note("reason", "spatial '" + c.text + "': " + why + ", " + fmt(score));
        }

    }

    void scoreTemporal()
    {
        // 5. Temporal patterns on the target's track.
        for (const TemporalCue &c : a.temporal) {
            float score = 0.5f;
            std::string why = "no target track";
            if (target && target->series.size() >= 3) {
                const auto &s = target->series;
                const size_t q = std::max<size_t>(1, s.size() / 4);
                float yEarly = 0, yLate = 0, aEarly = 0, aLate = 0;
                for (size_t k = 0; k < q; ++k) {
                    yEarly += s[k].second.first;
                    aEarly += s[k].second.second;
                    yLate += s[s.size() - 1 - k].second.first;
                    aLate += s[s.size() - 1 - k].second.second;
                }
                yEarly /= q, yLate /= q, aEarly /= q, aLate /= q;
                const float startShare = static_cast<float>(s.front().first) / view.frameCount;
                const float endShare = static_cast<float>(s.back().first) / view.frameCount;
                // Which change the later state names: up/away into the air, growing to fill the frame, stopping,
                // leaving. Word vectors decide, from prototypes of each change.
                auto closeness = [this](const std::vector<std::string> &words, std::initializer_list<const char *> protos) {
                    float best = 0.f;
                    for (const auto &w : words)
                        for (const char *p : protos)
                            best = std::max(best, lex.wordSimilarity(w, p));
                    return best;
                };
                const std::vector<std::string> after = c.after.empty() && c.kind == TemporalKind::Keeps ? std::vector<std::string>{} : c.after;
                const float up = closeness(after, {"fly", "sky", "air", "rise", "up", "lift"});
                const float grow = closeness(after, {"grow", "larger", "approach", "fill", "closer", "big"});
                const float stop = closeness(after, {"stop", "still", "rest", "sit", "halt"});
                const float leave = closeness(after, {"disappear", "leave", "gone", "vanish", "away"});
                const float moveScore = std::clamp((yEarly - yLate) / 0.15f, 0.f, 1.f);
                const float growScore = aEarly > 0 ? std::clamp(std::log(std::max(1e-4f, aLate) / aEarly) / std::log(4.f), 0.f, 1.f) : 0.f;
                const std::string motion = attr(*target->track, "motion");
                switch (c.kind) {
                case TemporalKind::StartEnd:
                case TemporalKind::EndsUp: {
                    const float m = std::max({up, grow, stop, leave});
                    if (m < 0.35f) {
                        why = "the later state is not a change the twin measures";
                        break;
                    }
                    if (m == up) {
                        score = std::max(moveScore, motion == "fast" ? 0.5f : 0.f);
                        why = "centroid height " + fmt(1 - yEarly) + " -> " + fmt(1 - yLate);
                    } else if (m == grow) {
                        score = growScore;
                        why = "area " + fmt(aEarly, 3) + " -> " + fmt(aLate, 3) + " of the frame";
                    } else if (m == leave) {
                        score = endShare < 0.85f ? 1.f : 0.2f;
                        why = "last seen at " + fmt(endShare * 100, 0) + "% of the video";
                    } else {
                        score = motion == "static" ? 0.8f : 0.4f;
                        why = "motion " + motion;
                    }
                    break;
                }
                case TemporalKind::Keeps:
                    score = motion == "static" ? 0.2f : (endShare > 0.8f ? 1.f : 0.6f);
                    why = "motion " + motion + ", seen until " + fmt(endShare * 100, 0) + "%";
                    break;
                case TemporalKind::Appears:
                    score = startShare > 0.1f ? 1.f : 0.3f;
                    why = "first seen at " + fmt(startShare * 100, 0) + "%";
                    break;
                case TemporalKind::Disappears:
                    score = endShare < 0.9f ? 1.f : 0.3f;
                    why = "last seen at " + fmt(endShare * 100, 0) + "%";
                    break;
                case TemporalKind::Approaches:
                    score = growScore;
                    why = "area " + fmt(aEarly, 3) + " -> " + fmt(aLate, 3);
                    break;
                case TemporalKind::Recedes:
                    score = aEarly > 0 ? std::clamp(std::log(aEarly / std::max(1e-4f, aLate)) / std::log(4.f), 0.f, 1.f) : 0.f;
                    why = "area " + fmt(aEarly, 3) + " -> " + fmt(aLate, 3);
                    break;
                }
            } else if (target && st->canRefine(RefinementKind::Dense)) {
                why = "too few observations of the target";
                v.gaps.push_back({RefinementKind::Dense, target->track->id, target->track->firstFrame, target->track->lastFrame,
                                  "the temporal pattern needs denser sampling"});
            }
            addScore(kTemporalWeight, score);
            note("reason", "temporal '" + c.text + "': " + why + ", " + fmt(score));
        }

    }

    void scoreNumbers()
    {
        // 6. Numbers to read: only text the twin has read (OCR observations) can confirm them.
        for (const std::string &n : a.numbers) {
            float score = 0.f;
            bool anyOcr = false;
            for (const Observation &o : twin.observations) {
                if (o.kind == "ocr-pass")
                    anyOcr = true; // text was looked for here and none was found
                if (o.kind != "ocr")
                    continue;
                anyOcr = true;
                // Whole-token match: "205" in "205" or "No.205", not in "1205".
                const std::string &t = o.text;
                for (size_t pos = t.find(n); pos != std::string::npos; pos = t.find(n, pos + 1)) {
                    const bool leftOk = pos == 0 || !std::isdigit(static_cast<unsigned char>(t[pos - 1]));
                    const bool rightOk = pos + n.size() >= t.size() || !std::isdigit(static_cast<unsigned char>(t[pos + n.size()]));
                    if (leftOk && rightOk)
                        score = std::max(score, 0.6f + 0.4f * std::clamp(o.confidence, 0.f, 1.f));
                }
            }
            if (!anyOcr) {
                score = 0.25f; // unknown until the text is read
                const TrackId tid = target ? target->track->id : 0;
                if (st->canRefine(RefinementKind::Ocr))
                    v.gaps.push_back({RefinementKind::Ocr, tid, target ? target->track->firstFrame : 0,
                                  target ? target->track->lastFrame : twin.video.frameCount - 1,
                                  "the query names the number " + n + " and no text has been read"});
            }
            addScore(kNumberWeight, score);
            note("reason", "number " + n + (anyOcr ? (score > 0.5f ? ": read in the video" : ": not among the text read")
                                                   : ": no text read yet"));
        }

    }

    void scoreCounts()
    {
        // 7. Counts.
        for (size_t i = 0; i < a.phrases.size(); ++i) {
            const NounPhrase &p = a.phrases[i];
            if (p.count < 2)
                continue;
            int n = 0;
            for (const TrackInfo &ti : view.tracks)
                for (const LabelHit &h : ti.labels)
                    if (fitOf(i, h.id) >= 0.6f && ti.salience >= 0.5f) {
                        ++n;
                        break;
                    }
            const float score = n == p.count ? 1.f : std::pow(0.6f, static_cast<float>(std::abs(n - p.count)));
            addComponent(kCountWeight, score);
            note("reason", "count of '" + p.head + "': asked " + std::to_string(p.count) + ", seen " + std::to_string(n));
        }

    }

    void scoreNegations()
    {
        // 8. Negations: things the query rules out lower the relevance when the twin shows them.
        penalty = 1.f;
        for (size_t i = 0; i < a.phrases.size(); ++i) {
            const NounPhrase &p = a.phrases[i];
            if (!p.negated || p.head.empty())
                continue;
            float evidence = 0.f;
            bool group = false;
            for (SynsetId s : p.senses)
                for (SynsetId g : st->groupSenses)
                    if (s == g || lex.isA(s, g))
                        group = true;
            if (group) {
                // "no audience", "no crowd": a gathering means several people.
                evidence = std::clamp((view.personTracks - 1) / 3.f, 0.f, 1.f);
            } else {
                for (const TrackInfo &ti : view.tracks)
                    for (const LabelHit &h : ti.labels)
                        evidence = std::max(evidence, fitOf(i, h.id) * h.confidence * ti.salience);
                for (const LabelHit &h : view.scene)
                    evidence = std::max(evidence, fitOf(i, h.id) * h.confidence);
                evidence = evidence >= 0.5f ? evidence : 0.f;
            }
            penalty *= 1.f - 0.45f * evidence;
            note("reason", "ruled out '" + p.head + "': " + (evidence > 0 ? "seen (" + fmt(evidence) + ")" : "not seen") +
                               (group ? ", " + std::to_string(view.personTracks) + " people tracked" : ""));
        }

    }

    void weighRelevance()
    {
        // Relevance: the evidence weighted by how rare it is among the candidates (what most candidates show, like a
        // person in a library of people, tells little), gated by the target being there at all.
        const double targetFit = targetWeight > 0 ? targetSum / targetWeight : 0.0;
        double num = 0.0, den = 0.0;
        for (size_t k = 0; k < components.size(); ++k) {
            const double w = baseWeights[k] * (k < st->rarity.size() ? st->rarity[k] : 1.0);
            num += w * components[k];
            den += w;
        }
        // Without the target the rest can still say something (a sail on open water implies its sailor, too small
        // for the detector), but most of the relevance is gone.
        const double gate = std::clamp(targetFit / 0.5, 0.0, 1.0);
        v.relevance = std::clamp((den > 0 ? num / den : 0.0) * (0.35 + 0.65 * gate) * penalty, 0.0, 1.0);

    }

    void ground()
    {
        // Grounding: the targets' tracks and what they ride or carry.
        for (const TargetChoice &c : chosen) {
            if (c.trackIndex < 0 || c.score < 0.15f)
                continue;
            const TrackInfo &ti = view.tracks[static_cast<size_t>(c.trackIndex)];
            GroundedObject g;
            g.trackId = ti.track->id;
            g.label = ti.track->category.name;
            g.spans = ti.spans;
            g.score = c.score;
            for (size_t s = 0; s < st->subQueries.size(); ++s)
                if (st->subQueries[s].kind == SubQueryKind::Object && !st->subQueries[s].negated)
                    g.subQueries.push_back(static_cast<int>(s));
            v.objects.push_back(std::move(g));
            for (const Relationship &r : twin.relationships) {
                TrackId other = 0;
                if (r.subject == ti.track->id && (r.predicate == "riding" || r.predicate == "carrying" || r.predicate == "inside"))
                    other = r.object;
                else if (r.object == ti.track->id && (r.predicate == "riding" || r.predicate == "carrying" || r.predicate == "inside"))
                    other = r.subject;
                if (!other || std::any_of(v.objects.begin(), v.objects.end(), [other](const GroundedObject &o) { return o.trackId == other; }))
                    continue;
                const Track *ot = twin.track(other);
                if (!ot)
                    continue;
                // What the target rides is part of it (horse and rider, bike and rider); anything else it touches only
                // when the query names it.
                bool named = r.predicate == "riding";
                const WordNet *wn = lex.wordnet();
                const SynsetId otherId = wn ? wn->fromKey(ot->category.synset) : 0;
                for (size_t ph = 0; ph < a.phrases.size() && !named; ++ph)
                    named = !a.phrases[ph].negated && fitOf(ph, otherId) >= 0.45f;
                if (!named)
                    continue;
                GroundedObject o;
                o.trackId = other;
                o.label = ot->category.name;
                o.score = c.score * 0.8f;
                for (const TrackInfo &t2 : view.tracks)
                    if (t2.track->id == other)
                        o.spans = t2.spans;
                v.objects.push_back(std::move(o));
                note("reason", "track " + std::to_string(other) + " '" + ot->category.name + "' is " + r.predicate +
                                   " with the target: grounded with it", r.firstFrame);
            }
        }
    }

    const BuiltinReasoner::QueryState *st;
    const QueryAnalysis &a;
    const Twin &twin;
    const Lexicon &lex;
    const TwinView view;
    ReasonVerdict v;
    std::vector<float> &components; ///< the evidence scores, in the order they were added
    std::vector<bool> *targetMask;  ///< parallel to components: which are the target's fit (may be null)
    double targetWeight = 0.0, targetSum = 0.0;
    std::vector<float> subScores;   ///< parallel to st->subQueries
    std::vector<float> baseWeights; ///< parallel to components
    std::vector<TargetChoice> chosen;
    std::vector<std::pair<int, float>> contextTrack; ///< phrase -> best track
    const TrackInfo *target = nullptr; ///< the first target's track
    float penalty = 1.f;               ///< from negations
};

} // namespace

ReasonVerdict BuiltinReasoner::judge(const QueryState &state, const Twin &twin, std::vector<float> &components,
                                     std::vector<bool> *targetMask) const
{
    return Judgement(state, twin, m_lex, components, targetMask).run();
}

static float phraseFit(const NounPhrase &p, size_t phraseIndex, SynsetId id, const Lexicon &lex,
                       const BuiltinReasoner::QueryState &st)
{
    if (!id)
        return 0.f;
    {
        std::lock_guard<std::mutex> lock(st.mutex);
        auto &table = st.fit[phraseIndex];
        auto it = table.find(id);
        if (it != table.end())
            return it->second;
    }
    const float head = headMatchOf(p, id, lex, st.person);
    // Description and modifiers: how distinctive this concept is for each word, against the candidates' concepts.
    float wsum = 0.f, ssum = 0.f, strongest = 0.f;
    const auto &stats = st.descStats[phraseIndex];
    for (size_t k = 0; k < p.description.size() && k < stats.size(); ++k) {
        // Knowledge both ways: the concept's words near the description's, or the description's definitions
        // naming the concept ("saddle": a seat for the rider of a horse).
        const float m = std::max({lex.profileMatch(p.description[k], id), lex.glossLink(p.description[k], id),
                                  lex.conceptLink(p.description[k], id)});
        const auto [mean, mx] = stats[k];
        const float n = std::clamp((m - mean) / std::max(0.15f, mx - mean), 0.f, 1.f);
        const float w = 0.3f + lex.specificity(p.description[k]);
        wsum += w;
        ssum += w * n;
        strongest = std::max(strongest, n);
    }
    // One telling clue ("pink" for a flamingo) is worth more than its share of the words: half mean, half best.
    if (wsum > 0) {
        ssum = 0.5f * ssum + 0.5f * strongest * wsum;
    }
    // The description as a whole: its mean word vector against the concept's name, against the candidates.
    if (!st.descVector[phraseIndex].empty()) {
        const auto cv = lex.conceptVector(id);
        if (!cv.empty()) {
            const auto [mean, mx] = st.topicStats[phraseIndex];
            const float c = dot(cv.data(), st.descVector[phraseIndex].data(), static_cast<int>(cv.size()));
            const float n = std::clamp((c - mean) / std::max(0.08f, mx - mean), 0.f, 1.f);
            const float w = 0.5f * (wsum > 0 ? wsum : 1.f); // as much as half the words together
            wsum += w;
            ssum += w * n;
        }
    }
    for (const std::string &m : p.modifiers) {
        const float w = 0.45f + lex.specificity(m);
        wsum += w;
        ssum += w * lex.profileMatch(m, id);
    }
    const float detail = wsum > 0 ? ssum / wsum : -1.f;
    float fit;
    if (head < 0)
        fit = detail < 0 ? 0.3f : 0.25f + 0.75f * detail;
    else if (detail < 0)
        fit = head;
    else
        fit = head * (0.6f + 0.4f * detail);
    // A head no candidate belongs to is a loose word for it ("racing machine" for a bicycle): the description
    // and modifiers may carry the match.
    // A broad head ("machine", "thing", "animal") is often a loose word for the answer ("racing machine" for a
    // bicycle): the description may carry part of the match; how much depends on how broad the head is.
    if (head >= 0 && detail >= 0 && p.role == PhraseRole::Target) {
        const float looseness = !st.strictHead[phraseIndex] ? 0.9f : st.broadHead[phraseIndex] ? 0.6f : 0.f;
        fit = std::max(fit, looseness * detail);
    }
    std::lock_guard<std::mutex> lock(st.mutex);
    st.fit[phraseIndex][id] = fit;
    return fit;
}

} // namespace ts
