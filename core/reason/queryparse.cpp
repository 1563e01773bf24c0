#include "queryparse.h"

#include "knowledge/text.h"

#include <algorithm>
#include <set>

namespace ts {

namespace {

enum class Tag { Det, Pron, Prep, Conj, Neg, Rel, Aux, Num, Punct, Noun, Verb, Adj, Adv, Colour };

bool endsWith(const std::string &s, const char *suffix)
{
    const size_t n = std::char_traits<char>::length(suffix);
    return s.size() > n && s.compare(s.size() - n, n, suffix) == 0;
}

bool isPersonPronoun(const std::string &w)
{
    return w == "someone" || w == "somebody" || w == "anyone" || w == "anybody" || w == "everyone" ||
           w == "everybody" || w == "he" || w == "she" || w == "him" || w == "her";
}

bool isVaguePronoun(const std::string &w)
{
    return w == "something" || w == "anything" || w == "what" || w == "whatever" || w == "thing" || w == "things" ||
           w == "stuff" || w == "everything";
}

bool isReMention(const std::string &w) { return w == "one" || w == "ones"; }

// Subject pronouns that open a reduced relative clause ("the dish you'd order for dessert").
bool isSubjectPronoun(const std::string &w)
{
    return w == "you" || w == "they" || w == "we" || w == "i" || w == "he" || w == "she" || w == "it" ||
           w == "someone" || w == "people";
}

struct Tagged {
    Token token;
    Tag tag = Tag::Noun;
    std::string lemma;
};

class Parser {
public:
    Parser(const std::string &query, const Lexicon &lex) : m_lex(lex)
    {
        m_out.query = query;
        m_out.tokens = tokenize(query);
        for (const Token &t : m_out.tokens)
            m_words.push_back({t, Tag::Noun, t.text});
    }

    QueryAnalysis run()
    {
        tag();
        chunk();
        clauses();
        return std::move(m_out);
    }

private:
    const Lexicon &m_lex;
    QueryAnalysis m_out;
    std::vector<Tagged> m_words;
    std::vector<int> m_phraseOf; // token -> phrase index or -1

    bool can(const std::string &w, WnPos p) const { return m_lex.canBe(w, p); }
    const std::string &text(int i) const { return m_words[static_cast<size_t>(i)].token.text; }
    Tag tagAt(int i) const
    {
        return i >= 0 && i < static_cast<int>(m_words.size()) ? m_words[static_cast<size_t>(i)].tag : Tag::Punct;
    }
    int size() const { return static_cast<int>(m_words.size()); }

    bool nounCapable(int i) const
    {
        if (i < 0 || i >= size())
            return false;
        const Token &t = m_words[static_cast<size_t>(i)].token;
        return t.cls == WordClass::Content && (can(t.text, WnPos::Noun) || !m_lex.wordnet());
    }

    void tag()
    {
        const int n = size();
        for (int i = 0; i < n; ++i) {
            Tagged &w = m_words[static_cast<size_t>(i)];
            const std::string &s = w.token.text;
            // Inner parts of a compound ("off-roader", "red-and-white", "number-3") modify what follows.
            const bool innerPart = w.token.hyphenPart && i + 1 < n && m_words[static_cast<size_t>(i + 1)].token.hyphenPart &&
                                   m_words[static_cast<size_t>(i + 1)].token.compound == w.token.compound;
            if (innerPart && canonicalColour(s).empty() && w.token.cls != WordClass::Number) {
                w.tag = Tag::Adj;
                w.lemma = s;
                continue;
            }
            // "number 205", "no. 3": the word only announces a number to read.
            if ((s == "number" || s == "no") && i + 1 < n && m_words[static_cast<size_t>(i + 1)].token.cls == WordClass::Number) {
                w.tag = Tag::Num;
                continue;
            }
            // "in front of": "front" belongs to the preposition.
            if (s == "front" && i > 0 && text(i - 1) == "in") {
                w.tag = Tag::Prep;
                continue;
            }
            switch (w.token.cls) {
            case WordClass::Determiner: w.tag = Tag::Det; continue;
            case WordClass::Pronoun: w.tag = Tag::Pron; continue;
            case WordClass::Preposition: w.tag = Tag::Prep; continue;
            case WordClass::Conjunction: w.tag = Tag::Conj; continue;
            case WordClass::Negator: w.tag = Tag::Neg; continue;
            case WordClass::Relative: w.tag = Tag::Rel; continue;
            case WordClass::Auxiliary: w.tag = Tag::Aux; continue;
            case WordClass::Number: w.tag = Tag::Num; continue;
            case WordClass::Punctuation: w.tag = Tag::Punct; continue;
            case WordClass::Content: break;
            }
            const Tag prev = i > 0 ? m_words[static_cast<size_t>(i - 1)].tag : Tag::Punct;
            // A gerund after a word is its verb, not its noun ("the boy dragging a sledge").
            const bool nextGerund = i + 1 < n && endsWith(text(i + 1), "ing") && can(text(i + 1), WnPos::Verb);
            const bool nextNoun = nounCapable(i + 1) && canonicalColour(text(i + 1)).empty() && !nextGerund;
            const bool noun = can(s, WnPos::Noun), verb = can(s, WnPos::Verb), adj = can(s, WnPos::Adj);
            // "pale grey", "dark green": the shade word modifies the colour that follows.
            if ((s == "pale" || s == "dark" || s == "light" || s == "bright") && i + 1 < n &&
                !canonicalColour(text(i + 1)).empty()) {
                w.tag = Tag::Adj;
            } else if (!canonicalColour(s).empty() && !(noun && prev == Tag::Det && !nextNoun && s == "orange")) {
                w.tag = Tag::Colour;
            } else if (verb && endsWith(s, "ing") && i > 0 && !m_lex.nounSenses(text(i - 1) + " " + s).empty()) {
                w.tag = Tag::Noun; // "zebra crossing", "swimming pool"
            } else if (verb && endsWith(s, "ing")) {
                const bool modifierSlot = prev == Tag::Det || prev == Tag::Adj || prev == Tag::Colour || prev == Tag::Num;
                w.tag = modifierSlot && nextNoun ? Tag::Adj : (prev == Tag::Det && noun ? Tag::Noun : Tag::Verb);
            } else if (verb && !noun && (endsWith(s, "ed") || endsWith(s, "en")) && nextNoun &&
                       (prev == Tag::Det || prev == Tag::Adj || prev == Tag::Adv || prev == Tag::Colour ||
                        prev == Tag::Prep)) {
                w.tag = Tag::Adj; // "silhouetted onlookers", "curved stick"
            } else if (noun && verb) {
                // "keeps walking", "starts waddling": an aspect verb before a gerund; "ends up", "starts out".
                static const std::set<std::string> kAspect = {"keep", "start", "begin", "stop", "finish", "continue",
                                                              "quit", "resume", "end"};
                const std::string vl = m_lex.lemma(s, WnPos::Verb);
                const bool gerundNext = kAspect.count(vl) && i + 1 < n &&
                                        ((endsWith(text(i + 1), "ing") && can(text(i + 1), WnPos::Verb)) ||
                                         text(i + 1) == "up" || text(i + 1) == "out");
                // "not sit", "never use" negate verbs; "no crowd", "without a helmet" negate things.
                const bool verbNegator = prev == Tag::Neg && (text(i - 1) == "not" || text(i - 1) == "never");
                const bool verbSlot = prev == Tag::Rel || prev == Tag::Aux || verbNegator || gerundNext ||
                                      (prev == Tag::Pron && isSubjectPronoun(text(i - 1))) ||
                                      (i > 0 && text(i - 1) == "to" && !nextNoun);
                // "a farmer feeds his goats": a noun, then a word more often a verb, then its object.
                const Tag next = tagAhead(i + 1);
                const bool verbMostly = senseCount(s, WnPos::Verb) >= senseCount(s, WnPos::Noun);
                const bool thirdPerson = endsWith(s, "s") && !endsWith(s, "ss") && verbMostly &&
                                         ((prev == Tag::Noun && (next == Tag::Det || next == Tag::Pron || next == Tag::Prep)) ||
                                          prev == Tag::Punct || prev == Tag::Conj);
                w.tag = verbSlot || thirdPerson ? Tag::Verb : Tag::Noun;
                if (w.tag == Tag::Noun && adj && nextNoun)
                    w.tag = Tag::Adj;
            } else if (adj && !noun) {
                w.tag = Tag::Adj;
            } else if (noun) {
                w.tag = adj && nextNoun ? Tag::Adj : Tag::Noun;
            } else if (verb) {
                w.tag = Tag::Verb;
            } else if (can(s, WnPos::Adv)) {
                w.tag = Tag::Adv;
            } else {
                w.tag = Tag::Noun; // names and words WordNet does not know
            }
            // A noun modifier directly before another noun is kept as a modifier ("zoo enclosure").
            w.lemma = lemmaFor(s, w.tag);
        }
        for (Tagged &w : m_words)
            if (w.lemma.empty())
                w.lemma = w.token.text;
    }

    // The closed-class tag of a token ahead (content words are not tagged yet: Noun).
    Tag tagAhead(int k) const
    {
        if (k >= size())
            return Tag::Punct;
        switch (m_words[static_cast<size_t>(k)].token.cls) {
        case WordClass::Determiner: return Tag::Det;
        case WordClass::Pronoun: return Tag::Pron;
        case WordClass::Preposition: return Tag::Prep;
        case WordClass::Punctuation: return Tag::Punct;
        default: return Tag::Noun;
        }
    }

    int senseCount(const std::string &w, WnPos pos) const
    {
        return m_lex.wordnet() ? static_cast<int>(m_lex.wordnet()->lookup(w, pos).size()) : 0;
    }

    std::string lemmaFor(const std::string &s, Tag t) const
    {
        // A word that is itself a noun lemma stays as it is ("number" is not "numb" here).
        if (t != Tag::Verb && m_lex.wordnet() && m_lex.lemma(s, WnPos::Noun) == s && can(s, WnPos::Noun))
            return s;
        switch (t) {
        case Tag::Noun: return m_lex.lemma(s, WnPos::Noun);
        case Tag::Verb: return m_lex.lemma(s, WnPos::Verb);
        case Tag::Adj: {
            // Participles used as modifiers keep their verb ("racing" -> "race"), adjectives their own form.
            if (can(s, WnPos::Adj))
                return m_lex.lemma(s, WnPos::Adj);
            if (can(s, WnPos::Verb))
                return m_lex.lemma(s, WnPos::Verb);
            return m_lex.lemma(s, WnPos::Noun);
        }
        default: return s;
        }
    }

    static bool npTag(Tag t) { return t == Tag::Det || t == Tag::Num || t == Tag::Adj || t == Tag::Colour || t == Tag::Noun; }

    void chunk()
    {
        const int n = size();
        m_phraseOf.assign(static_cast<size_t>(n), -1);
        int i = 0;
        while (i < n) {
            const Tag t = tagAt(i);
            if (t == Tag::Pron && (isPersonPronoun(text(i)) || isVaguePronoun(text(i)) || isReMention(text(i)))) {
                NounPhrase p;
                p.text = text(i);
                p.person = isPersonPronoun(text(i));
                p.vague = !p.person;
                p.firstToken = p.lastToken = i;
                if (isReMention(text(i)))
                    p.head = "one";
                if (p.person) {
                    p.head = "person";
                    p.senses = m_lex.nounSenses("person");
                }
                addPhrase(std::move(p));
                ++i;
                continue;
            }
            if (t == Tag::Det && text(i) == "'s" && !m_out.phrases.empty() && m_out.phrases.back().lastToken == i - 1) {
                // "a hobbyist's railway layout", "someone's hand": the possessor describes what follows.
                NounPhrase owner = m_out.phrases.back();
                m_out.phrases.pop_back();
                for (int k = owner.firstToken; k <= owner.lastToken; ++k)
                    m_phraseOf[static_cast<size_t>(k)] = -1;
                if (!owner.head.empty())
                    m_pendingModifiers.push_back(owner.head);
                ++i;
                continue;
            }
            if (!npTag(t)) {
                ++i;
                continue;
            }
            int j = i;
            int lastNoun = -1;
            while (j < n && npTag(tagAt(j))) {
                // A determiner inside a run starts a new phrase ("the rocks the bear...").
                if (j > i && tagAt(j) == Tag::Det)
                    break;
                if (tagAt(j) == Tag::Noun)
                    lastNoun = j;
                ++j;
            }
            // The phrase may end in a pronoun re-mention ("a dark green one") or a vague noun ("the thing").
            int headTok = lastNoun;
            bool reMention = false, vague = false;
            if (j < n && tagAt(j) == Tag::Pron && (isReMention(text(j)) || isVaguePronoun(text(j)))) {
                reMention = isReMention(text(j));
                vague = !reMention;
                headTok = j;
                ++j;
            }
            if (headTok < 0) {
                // Only adjectives or colours: a predicate ("ends up airborne") or modifiers listed before the phrase
                // they describe ("small, slow, hard-shelled green reptiles").
                if (j < n && tagAt(j) == Tag::Punct && text(j) == ",")
                    for (int k = i; k < j; ++k)
                        if (tagAt(k) == Tag::Adj || tagAt(k) == Tag::Colour)
                            m_pendingModifiers.push_back(tagAt(k) == Tag::Colour ? canonicalColour(text(k))
                                                                                 : m_words[static_cast<size_t>(k)].lemma);
                i = j;
                continue;
            }
            const int end = headTok;
            NounPhrase p;
            p.firstToken = i;
            p.lastToken = end;
            for (int k = i; k <= end; ++k)
                p.text += (k > i ? " " : "") + text(k);
            if (reMention)
                p.head = "one";
            else if (!vague)
                p.head = m_words[static_cast<size_t>(headTok)].lemma;
            // The last part of a compound stands for the compound when the compound is a known word ("off-roader").
            {
                const Token &ht = m_words[static_cast<size_t>(headTok)].token;
                if (!vague && !reMention && ht.hyphenPart && !ht.compound.empty() &&
                    (m_lex.vectorIndex(ht.compound) >= 0 || !m_lex.nounSenses(ht.compound).empty()))
                    p.head = ht.compound;
            }
            {
                const std::string &first = text(i);
                p.possessive = first == "its" || first == "their" || first == "his" || first == "her" ||
                               first == "your" || first == "my" || first == "our";
            }
            p.vague = vague;
            std::string compoundDone;
            for (int k = i; k < headTok; ++k) {
                const Tagged &w = m_words[static_cast<size_t>(k)];
                // A hyphenated modifier WordNet knows as one name ("team-sport") is one concept.
                if (w.token.hyphenPart && !w.token.compound.empty()) {
                    if (w.token.compound == compoundDone)
                        continue;
                    std::string spaced = w.token.compound;
                    std::replace(spaced.begin(), spaced.end(), '-', ' ');
                    if (!m_lex.nounSenses(spaced).empty()) {
                        p.modifiers.push_back(spaced);
                        compoundDone = w.token.compound;
                        continue;
                    }
                }
                if (w.tag == Tag::Colour)
                    p.colours.push_back(canonicalColour(w.token.text));
                else if (w.tag == Tag::Num && numberValue(w.token.text) >= 0 && w.token.text.size() < 4 &&
                         !(k > i && text(k - 1) == "number"))
                    p.count = numberValue(w.token.text);
                else if ((w.tag == Tag::Adj || w.tag == Tag::Noun) && !isStopWord(w.token.text) &&
                         !(k + 1 < headTok && tagAt(k + 1) == Tag::Colour)) // "pale" of "pale grey"
                    p.modifiers.push_back(w.lemma);
            }
            // Collocations WordNet knows ("park bench", "stone wall", "teddy bear") become the head.
            if (!p.head.empty() && headTok > i && tagAt(headTok - 1) == Tag::Noun) {
                const std::string coll = m_words[static_cast<size_t>(headTok - 1)].token.text + " " + p.head;
                if (!m_lex.nounSenses(coll).empty()) {
                    p.head = coll;
                    if (!p.modifiers.empty())
                        p.modifiers.pop_back();
                }
            }
            if (!p.head.empty() && p.head != "one")
                p.senses = commonSenses(p.head);
            for (const auto &m : m_pendingModifiers)
                p.modifiers.push_back(m);
            m_pendingModifiers.clear();
            // The last part of an unknown compound says little about what it is ("plant-eaters" is no person).
            const bool compoundPart = m_words[static_cast<size_t>(headTok)].token.hyphenPart && p.head.find('-') == std::string::npos;
            disambiguate(p);
            p.person = !p.head.empty() && p.head != "one" && !compoundPart && personNoun(p.senses);
            addPhrase(std::move(p));
            i = j;
        }
    }

    // The modifiers choose among the head's senses: a "baby stroller" is the pram (its definition names a
    // baby), not the first sense, a person who strolls.
    void disambiguate(NounPhrase &p) const
    {
        if (p.modifiers.empty() || p.senses.size() < 2 || !m_lex.wordnet())
            return;
        // Support = the sense's own words or definition contain a modifier as such (no similarity guessing).
        auto support = [&](SynsetId id) {
            int n = 0;
            for (const ProfileWord &w : m_lex.profile(id).words)
                if (w.weight >= 0.7f)
                    for (const std::string &m : p.modifiers)
                        n += w.word == m;
            return n;
        };
        if (support(p.senses.front()) > 0)
            return;
        size_t best = 0;
        for (size_t i = 1; i < p.senses.size() && i < 3 && best == 0; ++i)
            if (support(p.senses[i]) > 0)
                best = i;
        if (best > 0)
            std::rotate(p.senses.begin(), p.senses.begin() + static_cast<long>(best),
                        p.senses.begin() + static_cast<long>(best) + 1);
    }

    // Noun senses without the named individuals ("Tree", an English actor, is no sense of "tree" here).
    std::vector<SynsetId> commonSenses(const std::string &noun) const
    {
        std::vector<SynsetId> out;
        const WordNet *wn = m_lex.wordnet();
        for (SynsetId id : m_lex.nounSenses(noun))
            if (!wn || wn->related(id, WnRelation::InstanceHypernym).empty())
                out.push_back(id);
        return out;
    }

    bool personNoun(const std::vector<SynsetId> &senses) const
    {
        if (!m_lex.wordnet() || senses.empty())
            return false;
        const auto person = m_lex.nounSenses("person");
        if (person.empty())
            return false;
        if (m_lex.isA(senses.front(), person.front()))
            return true;
        // A group whose members are persons ("people", "crowd") asks for persons on screen.
        for (SynsetId member : m_lex.groupMembers(senses))
            if (m_lex.isA(member, person.front()))
                return true;
        return false;
    }

    void addPhrase(NounPhrase p)
    {
        const int idx = static_cast<int>(m_out.phrases.size());
        for (int k = p.firstToken; k <= p.lastToken; ++k)
            m_phraseOf[static_cast<size_t>(k)] = idx;
        m_out.phrases.push_back(std::move(p));
    }

    int phraseStartingAfter(int tok) const
    {
        for (int k = tok + 1; k < size(); ++k) {
            if (m_phraseOf[static_cast<size_t>(k)] >= 0)
                return m_phraseOf[static_cast<size_t>(k)];
            if (tagAt(k) == Tag::Punct)
                return -1;
        }
        return -1;
    }

    // The preposition (possibly two or three words: "in front of", "next to") right before a phrase.
    std::string prepositionBefore(int firstToken) const
    {
        int k = firstToken - 1;
        std::vector<std::string> words;
        while (k >= 0 && (tagAt(k) == Tag::Prep || text(k) == "front" || text(k) == "top" || text(k) == "middle" ||
                          text(k) == "edge" || text(k) == "side") && words.size() < 3) {
            words.insert(words.begin(), text(k));
            --k;
        }
        std::string s;
        for (const auto &w : words)
            s += (s.empty() ? "" : " ") + w;
        return s;
    }

    static std::string normaliseRelation(const std::string &prep)
    {
        if (prep.find("front") != std::string::npos)
            return "in front of";
        if (prep.find("behind") != std::string::npos || prep == "beyond")
            return "behind";
        if (prep.find("top") != std::string::npos || prep == "above" || prep == "over" || prep == "atop" ||
            prep == "on" || prep == "onto" || prep == "upon")
            return prep == "on" || prep == "onto" || prep == "upon" ? "on" : "above";
        if (prep == "beneath" || prep == "under" || prep == "below" || prep == "underneath")
            return "below";
        if (prep == "by" || prep == "near" || prep == "beside" || prep.find("next") != std::string::npos ||
            prep == "alongside" || prep == "with")
            return "near";
        if (prep == "inside" || prep == "into" || prep == "within")
            return "inside";
        if (prep == "past")
            return "past";
        if (prep == "between" || prep == "among" || prep == "amid")
            return "between";
        if (prep.find("toward") != std::string::npos || prep == "to")
            return "towards";
        if (prep == "away" || prep.find("from") != std::string::npos)
            return "away from";
        return prep;
    }

    void clauses()
    {
        auto &phrases = m_out.phrases;
        for (auto &p : phrases)
            p.preposition = prepositionBefore(p.firstToken);
        contentWordsAndNumbers();
        negationScopes();
        if (phrases.empty())
            return;
        int lastTarget = 0;
        const int target = chooseTargets(lastTarget);
        walkAfterTarget(target, lastTarget);
        settleDescriptions();
        temporalPatterns();
        dropKnowledgePhrases();
    }

    /// Content lemmas and numbers to read.
    void contentWordsAndNumbers()
    {
        const int n = size();
        for (int i = 0; i < n; ++i) {
            const Tagged &w = m_words[static_cast<size_t>(i)];
            if ((w.tag == Tag::Noun || w.tag == Tag::Verb || w.tag == Tag::Adj || w.tag == Tag::Colour ||
                 w.tag == Tag::Adv) &&
                w.token.text.size() > 1)
                m_out.contentWords.push_back(w.lemma);
            if (w.tag == Tag::Num && w.token.text.size() < 6) {
                const bool labelled = i > 0 && (text(i - 1) == "number" || text(i - 1) == "no" || text(i - 1) == "#");
                const bool year = w.token.text.size() == 4 && i > 0 && (text(i - 1) == "in" || text(i - 1) == "since");
                if (labelled || (!year && std::isdigit(static_cast<unsigned char>(w.token.text[0])) &&
                                 (i + 1 >= n || tagAt(i + 1) != Tag::Noun)))
                    if (!year)
                        m_out.numbers.push_back(w.token.text);
            }
        }
    }

    /// "instead of waiting", "never looking back": a verb is negated; "no passengers", "not the ones wearing
    /// green": the phrase is.
    void negationScopes()
    {
        const int n = size();
        auto &phrases = m_out.phrases;
        for (int i = 0; i < n; ++i) {
            if (tagAt(i) != Tag::Neg)
                continue;
            int k = i + 1;
            while (k < n && (tagAt(k) == Tag::Prep || tagAt(k) == Tag::Adv || tagAt(k) == Tag::Aux) && k < i + 3)
                ++k;
            if (k < n && tagAt(k) == Tag::Verb) {
                m_out.negatedWords.push_back(m_words[static_cast<size_t>(k)].lemma);
                continue;
            }
            if (k < n && m_phraseOf[static_cast<size_t>(k)] >= 0 && k <= i + 3) {
                NounPhrase &p = phrases[static_cast<size_t>(m_phraseOf[static_cast<size_t>(k)])];
                p.negated = true;
                if (!p.head.empty())
                    m_out.negatedWords.push_back(p.head);
                for (const auto &c : p.colours)
                    m_out.negatedWords.push_back(c);
            }
        }
    }

    /// The target phrase (and a second one joined by "and", or the participant of an activity); returns its index
    /// and sets lastTarget to the last token of the targets.
    int chooseTargets(int &lastTarget)
    {
        const int n = size();
        auto &phrases = m_out.phrases;
        // The target: the first phrase (a leading gerund, "juggling three clubs...", is an action on it).
        int target = 0;
        for (size_t p = 0; p < phrases.size(); ++p)
            if (!phrases[p].negated) {
                target = static_cast<int>(p);
                break;
            }
        markTarget(target);
        for (int k = 0; k < phrases[static_cast<size_t>(target)].firstToken; ++k)
            if (tagAt(k) == Tag::Verb)
                m_out.actions.push_back(m_words[static_cast<size_t>(k)].lemma);
        // "X and Y ...": a second target joined directly by "and".
        {
            const int after = phrases[static_cast<size_t>(target)].lastToken + 1;
            if (after < n && text(after) == "and") {
                const int q = after + 1 < n ? m_phraseOf[static_cast<size_t>(after + 1)] : -1;
                if (q >= 0 && !phrases[static_cast<size_t>(q)].negated)
                    markTarget(q);
            }
        }
        NounPhrase &tp = phrases[static_cast<size_t>(target)];
        lastTarget = m_out.targets.size() > 1
                                   ? phrases[static_cast<size_t>(m_out.targets.back())].lastToken
                                   : tp.lastToken;
        // "a game of chess ..., the man moving a piece": an activity is seen through who takes part in it.
        if (isActivity(phrases[static_cast<size_t>(target)]))
            for (size_t q = static_cast<size_t>(target) + 1; q < phrases.size(); ++q)
                if (!phrases[q].negated && (phrases[q].person || isOrganism(phrases[q]))) {
                    markTarget(static_cast<int>(q));
                    break;
                }

        return target;
    }

    /// The rest of the query after the target: the describing clause, attributes said of the target, re-mentions,
    /// actions, spatial cues.
    void walkAfterTarget(int target, int lastTarget)
    {
        const int n = size();
        auto &phrases = m_out.phrases;
        NounPhrase &tp = phrases[static_cast<size_t>(target)];
        enum class State { Main, Relative };
        State state = State::Main;
        bool clauseHasVerb = false;
        bool reMentionNext = false;
        int i = lastTarget + 1;
        // A clause opened right after the target ("that...", "whose...", "you'd...", "a baker would...").
        auto opensRelative = [&](int k) {
            if (k >= n)
                return false;
            if (tagAt(k) == Tag::Rel)
                return true;
            if (tagAt(k) == Tag::Pron && isSubjectPronoun(text(k)))
                return true;
            // "something a baker would slide into an oven", "the thing a painter mixes colours on":
            // after a target that names no category, a new subject opens the clause that says what it is.
            const bool startsPhrase = m_phraseOf[static_cast<size_t>(k)] >= 0 || tagAt(k) == Tag::Det;
            if (startsPhrase && (tp.vague || tp.head.empty()))
                for (int e = k; e < n && e < k + 7 && tagAt(e) != Tag::Punct; ++e)
                    if (tagAt(e) == Tag::Verb || tagAt(e) == Tag::Aux)
                        return true;
            return false;
        };
        // "the bird prized for the feathers on its tail": a past participle right after the target describes it.
        const bool pastParticiple = i < n && tagAt(i) == Tag::Verb &&
                                    (endsWith(text(i), "ed") || endsWith(text(i), "en") || text(i) == "said" ||
                                     text(i) == "known" || text(i) == "kept" || text(i) == "used");
        if (opensRelative(i) || pastParticiple)
            state = State::Relative;
        for (; i < n; ++i) {
            const Tagged &w = m_words[static_cast<size_t>(i)];
            const int ph = m_phraseOf[static_cast<size_t>(i)];
            if (w.tag == Tag::Punct) {
                // A comma closes the describing clause once it has its verb, unless the clause's finite verb
                // follows ("the plant that, watered once a week, grows tall").
                const bool finiteNext = i + 1 < n && tagAt(i + 1) == Tag::Verb && endsWith(text(i + 1), "s") &&
                                        !endsWith(text(i + 1), "ss");
                if (state == State::Relative && clauseHasVerb && !finiteNext)
                    state = State::Main;
                continue;
            }
            if (w.token.text == "here") {
                // "here a young male", "here a dark green one": only the phrase right after "here" is the target again.
                const int nextPh = i + 1 < n ? m_phraseOf[static_cast<size_t>(i + 1)] : -1;
                reMentionNext = nextPh >= 0;
                continue;
            }
            if (reMentionNext && ph < 0)
                reMentionNext = false;
            if (state == State::Relative) {
                if (w.tag == Tag::Verb || w.tag == Tag::Aux)
                    clauseHasVerb = true;
                // Colours here are knowledge too ("whose leaves turn red in autumn"), so they join the description.
                if ((w.tag == Tag::Noun || w.tag == Tag::Verb || w.tag == Tag::Adj || w.tag == Tag::Adv ||
                     w.tag == Tag::Num || w.tag == Tag::Colour) &&
                    w.token.text.size() > 1)
                    tp.description.push_back(w.tag == Tag::Colour ? canonicalColour(w.token.text) : w.lemma);
                if (ph >= 0) // phrases inside the describing clause are knowledge, not things in the video
                    m_inDescription.insert(ph);
                continue;
            }
            if (w.tag == Tag::Rel && i > 0) {
                // A later relative clause describes the phrase before it; for the target it adds description.
                const int prevPh = m_phraseOf[static_cast<size_t>(i - 1)];
                if (prevPh == target) {
                    state = State::Relative;
                    clauseHasVerb = false;
                }
                continue;
            }
            if (w.tag == Tag::Verb) {
                const bool negatedVerb =
                    std::find(m_out.negatedWords.begin(), m_out.negatedWords.end(), w.lemma) != m_out.negatedWords.end();
                // Past participles describe something else ("a door painted with stripes"), not what the target does.
                static const std::set<std::string> kIrregularParticiples = {
                    "hung", "held", "kept", "built", "made", "worn", "torn", "drawn", "sewn", "shown", "grown",
                    "thrown", "caught", "bought", "found", "bound", "wound", "spun", "struck", "stuck", "lit", "laid"};
                const bool participle = (endsWith(w.token.text, "ed") || endsWith(w.token.text, "en") ||
                                         kIrregularParticiples.count(w.token.text) > 0) &&
                                        w.token.text != w.lemma;
                if (!negatedVerb && !participle)
                    m_out.actions.push_back(w.lemma);
                temporalVerb(i);
                continue;
            }
            if (ph < 0 || ph == target || (!m_out.targets.empty() && ph == m_out.targets.back()))
                continue;
            if (i == phrases[static_cast<size_t>(ph)].firstToken)
                attachPhrase(tp, target, ph, reMentionNext);
        }
    }

    /// A phrase after the target, outside the describing clause: the target again (right after "here", which
    /// reMentionNext says and this clears), what it wears or has, or the other side of a spatial cue.
    void attachPhrase(NounPhrase &tp, int target, int ph, bool &reMentionNext)
    {
        NounPhrase &p = m_out.phrases[static_cast<size_t>(ph)];
        // "here a young male", "the one on the left", "a dark green one": the target again.
        if (reMentionNext || p.head == "one") {
            reMentionNext = false;
            mergeReMention(tp, p, ph);
            return;
        }
        // "in the orange vest", "in a white coat", "wearing ...": what the target wears gives its colours.
        const std::string prep = p.preposition;
        if ((prep == "in" || prep == "wearing") && !p.colours.empty() && phraseAdjacentToTarget(p)) {
            for (const auto &c : p.colours)
                tp.colours.push_back(c);
            if (!p.head.empty())
                tp.modifiers.push_back(p.head);
            m_merged.insert(ph);
            return;
        }
        // "an animal with a long shaggy coat": what the target has describes it too (for people it is more
        // often something carried, which stays a thing to look for as well).
        if (prep == "with" && phraseAdjacentToTarget(p) && !p.head.empty()) {
            for (const auto &m : p.modifiers)
                tp.description.push_back(m);
            tp.description.push_back(p.head);
            if (!tp.person)
                m_merged.insert(ph);
        }
        if (!prep.empty()) {
            SpatialCue s;
            s.subject = target;
            s.relation = normaliseRelation(prep);
            s.object = ph;
            s.text = prep + " " + p.text;
            if (prep == "on" && (p.person || phraseIsVehicleOrAnimal(p)))
                s.relation = "riding";
            if (!s.relation.empty() && s.relation != "in" && s.relation != "of" && s.relation != "for" &&
                s.relation != "as" && s.relation != "like" && s.relation != "than")
                m_out.spatial.push_back(std::move(s));
        }
    }

    void settleDescriptions()
    {
        auto &phrases = m_out.phrases;
        // What the clause describing a person names is usually around them ("whose scooter has a top box"); for
        // other targets it is knowledge about them ("the bird that eats shrimp"), not a thing in the video.
        const bool personTarget = !m_out.targets.empty() && phrases[static_cast<size_t>(m_out.targets.front())].person;
        for (int idx : m_inDescription)
            if (std::find(m_out.targets.begin(), m_out.targets.end(), idx) == m_out.targets.end()) {
                if (personTarget)
                    phrases[static_cast<size_t>(idx)].fromDescription = true;
                else
                    m_descriptionOnly.insert(idx);
            }
        for (size_t p = 0; p < phrases.size(); ++p)
            if (phrases[p].possessive && phrases[p].role != PhraseRole::Target)
                m_merged.insert(static_cast<int>(p));
    }

    void dropKnowledgePhrases()
    {
        auto &phrases = m_out.phrases;
        // Phrases that were only knowledge about the target ("a baker would slide into an oven") are dropped
        // from the things to look for.
        std::vector<NounPhrase> kept;
        std::vector<int> remap(phrases.size(), -1);
        for (size_t p = 0; p < phrases.size(); ++p) {
            if (m_descriptionOnly.count(static_cast<int>(p)) || m_merged.count(static_cast<int>(p)))
                continue;
            remap[p] = static_cast<int>(kept.size());
            kept.push_back(phrases[p]);
        }
        for (int &t : m_out.targets)
            t = remap[static_cast<size_t>(t)];
        std::vector<SpatialCue> spatial;
        for (SpatialCue s : m_out.spatial) {
            s.subject = s.subject >= 0 ? remap[static_cast<size_t>(s.subject)] : -1;
            s.object = s.object >= 0 ? remap[static_cast<size_t>(s.object)] : -1;
            const bool objectNamed = s.object >= 0 && !kept[static_cast<size_t>(s.object)].head.empty();
            if (objectNamed || (s.object < 0 && (s.relation == "in front of" || s.relation == "behind")))
                spatial.push_back(std::move(s));
        }
        m_out.spatial = std::move(spatial);
        m_out.phrases = std::move(kept);
    }

    bool phraseAdjacentToTarget(const NounPhrase &p) const
    {
        // Clothing is said right after the target or after another piece of clothing ("in a scarf and gloves").
        for (int t : m_out.targets) {
            const NounPhrase &tp = m_out.phrases[static_cast<size_t>(t)];
            if (p.firstToken - tp.lastToken <= 4)
                return true;
        }
        return false;
    }

    bool isUnder(const NounPhrase &p, const char *ancestor) const
    {
        if (p.senses.empty() || !m_lex.wordnet())
            return false;
        const auto a = m_lex.nounSenses(ancestor);
        return !a.empty() && m_lex.isA(p.senses.front(), a.front());
    }
    bool isActivity(const NounPhrase &p) const { return isUnder(p, "activity") || isUnder(p, "event"); }
    bool isOrganism(const NounPhrase &p) const { return isUnder(p, "organism"); }

    bool phraseIsVehicleOrAnimal(const NounPhrase &p) const
    {
        if (p.senses.empty() || !m_lex.wordnet())
            return false;
        for (const char *anc : {"vehicle", "animal", "conveyance"}) {
            const auto a = m_lex.nounSenses(anc);
            if (!a.empty() && m_lex.isA(p.senses.front(), a.front()))
                return true;
        }
        // "machine" heads with vehicle-like modifiers ("off-road machine") are ridden too.
        return p.head == "machine" || p.head == "bike" || p.head == "board";
    }

    void mergeReMention(NounPhrase &tp, NounPhrase &p, int ph)
    {
        const bool neg = p.negated;
        for (const auto &c : p.colours) {
            if (neg)
                m_negColours.push_back(c);
            else
                tp.colours.push_back(c);
        }
        if (!neg) {
            for (const auto &m : p.modifiers)
                tp.modifiers.push_back(m);
            if (!p.head.empty() && p.head != "one")
                tp.modifiers.push_back(p.head);
        }
        // What follows a re-mention ("the one on the left", "the ones in green by the door") is said of the target.
        const int after = p.lastToken + 1;
        if (after < size()) {
            const std::string prep = prepositionAfter(after);
            if (!prep.empty()) {
                SpatialCue s;
                s.subject = m_out.targets.empty() ? 0 : m_out.targets.front();
                s.relation = normaliseRelation(prep);
                s.object = -1;
                s.text = std::string(neg ? "not " : "") + p.text + " " + prep;
                if (!neg && (s.relation == "in front of" || s.relation == "behind"))
                    m_out.spatial.push_back(std::move(s));
            }
            // Colours said after a negated re-mention ("not the ones wearing green") are colours to avoid, and what
            // else it says ("by the door") describes the ones to avoid, not the scene.
            if (neg)
                for (int k = after; k < size() && tagAt(k) != Tag::Punct; ++k) {
                    if (tagAt(k) == Tag::Colour)
                        m_out.negatedWords.push_back(canonicalColour(text(k)));
                    if (m_phraseOf[static_cast<size_t>(k)] >= 0)
                        m_merged.insert(m_phraseOf[static_cast<size_t>(k)]);
                }
        }
        m_merged.insert(ph);
    }

    std::string prepositionAfter(int k) const
    {
        std::string s;
        while (k < size() && (tagAt(k) == Tag::Prep || text(k) == "front") && s.size() < 20) {
            s += (s.empty() ? "" : " ") + text(k);
            ++k;
        }
        return s;
    }

    void temporalVerb(int i)
    {
        const std::string &lem = m_words[static_cast<size_t>(i)].lemma;
        if (lem == "appear" || lem == "emerge" || lem == "enter" || lem == "arrive")
            m_out.temporal.push_back({TemporalKind::Appears, {}, {}, text(i)});
        else if (lem == "disappear" || lem == "vanish" || lem == "exit" || lem == "leave")
            m_out.temporal.push_back({TemporalKind::Disappears, {}, {}, text(i)});
        else if (lem == "approach")
            m_out.temporal.push_back({TemporalKind::Approaches, {}, {}, text(i)});
        else if (lem == "recede")
            m_out.temporal.push_back({TemporalKind::Recedes, {}, {}, text(i)});
    }

    std::vector<std::string> contentBetween(int a, int b) const
    {
        std::vector<std::string> out;
        for (int k = std::max(0, a); k < std::min(b, size()); ++k) {
            const Tagged &w = m_words[static_cast<size_t>(k)];
            if ((w.tag == Tag::Noun || w.tag == Tag::Verb || w.tag == Tag::Adj || w.tag == Tag::Colour) &&
                w.token.text.size() > 1)
                out.push_back(w.lemma);
        }
        return out;
    }

    void temporalPatterns()
    {
        const int n = size();
        int start = -1, end = -1, keeps = -1, then = -1;
        for (int i = 0; i < n; ++i) {
            const std::string &s = text(i);
            const std::string &lem = m_words[static_cast<size_t>(i)].lemma;
            if ((lem == "start" || lem == "begin") && start < 0)
                start = i;
            else if (((lem == "end" && tagAt(i) == Tag::Verb) || s == "finally" || s == "eventually") && end < 0 && i > 0)
                end = i;
            else if (lem == "keep" && keeps < 0 && i + 1 < n && endsWith(text(i + 1), "ing"))
                keeps = i;
            else if ((s == "then" || s == "before" || s == "until") && then < 0)
                then = i;
        }
        auto skipFiller = [this, n](int k) {
            while (k < n && (text(k) == "out" || text(k) == "up" || text(k) == "off" || text(k) == "by" ||
                             text(k) == "as" || tagAt(k) == Tag::Aux))
                ++k;
            return k;
        };
        // Phrases that describe a state of the pattern ("the far bank" of "ends up reaching the far bank")
        // are part of the pattern, not things to find.
        auto consume = [this, n](int from, int to) {
            for (int k = std::max(0, from); k < std::min(to, n); ++k)
                if (m_phraseOf[static_cast<size_t>(k)] >= 0 &&
                    m_out.phrases[static_cast<size_t>(m_phraseOf[static_cast<size_t>(k)])].role != PhraseRole::Target)
                    m_merged.insert(m_phraseOf[static_cast<size_t>(k)]);
        };
        if (end >= 0)
            consume(end, n);
        if (start >= 0 && end > start)
            for (int k = start; k < end; ++k)
                if (m_phraseOf[static_cast<size_t>(k)] >= 0)
                    m_descriptionOnly.erase(m_phraseOf[static_cast<size_t>(k)]);
        if (start >= 0 && end > start) {
            TemporalCue c;
            c.kind = TemporalKind::StartEnd;
            c.before = contentBetween(skipFiller(start + 1), end);
            c.after = contentBetween(skipFiller(end + 1), n);
            c.text = "starts: " + join(c.before) + "; ends: " + join(c.after);
            m_out.temporal.push_back(std::move(c));
        } else if (end >= 0) {
            TemporalCue c;
            c.kind = TemporalKind::EndsUp;
            c.after = contentBetween(skipFiller(end + 1), n);
            c.text = "ends: " + join(c.after);
            m_out.temporal.push_back(std::move(c));
        } else if (then >= 0) {
            TemporalCue c;
            c.kind = TemporalKind::StartEnd;
            c.before = contentBetween(0, then);
            c.after = contentBetween(then + 1, n);
            c.text = "first: " + join(c.before) + "; then: " + join(c.after);
            m_out.temporal.push_back(std::move(c));
        }
        if (keeps >= 0) {
            TemporalCue c;
            c.kind = TemporalKind::Keeps;
            int k = keeps + 1;
            while (k < n && tagAt(k) != Tag::Verb && k < keeps + 3)
                ++k;
            if (k < n && tagAt(k) == Tag::Verb)
                c.after.push_back(m_words[static_cast<size_t>(k)].lemma);
            c.text = "keeps " + join(c.after);
            m_out.temporal.push_back(std::move(c));
        }
    }

    static std::string join(const std::vector<std::string> &w)
    {
        std::string s;
        for (const auto &x : w)
            s += (s.empty() ? "" : " ") + x;
        return s;
    }

    void markTarget(int idx)
    {
        NounPhrase &p = m_out.phrases[static_cast<size_t>(idx)];
        p.role = PhraseRole::Target;
        m_out.targets.push_back(idx);
    }

    std::vector<std::string> m_pendingModifiers;
    std::set<int> m_inDescription;
    std::set<int> m_descriptionOnly;
    std::set<int> m_merged;
    std::vector<std::string> m_negColours;

public:
    const std::vector<std::string> &negatedColours() const { return m_negColours; }
};

} // namespace

QueryAnalysis parseQuery(const std::string &query, const Lexicon &lexicon)
{
    Parser p(query, lexicon);
    QueryAnalysis a = p.run();
    for (const auto &c : p.negatedColours())
        a.negatedWords.push_back(c);
    return a;
}

} // namespace ts
