// Lexical knowledge for reasoning without an LLM: WordNet (senses, hypernyms, glosses, meronyms, derivations)
// joined with GloVe word vectors. A concept's profile is the bag of words WordNet relates to it, each weighted by
// how close the relation is; a query word matches a concept by its best word-vector similarity to that bag, which
// lets "the tree that drops acorns in autumn" find oak through its gloss ("... has acorns and lobed leaves").
// Thread-safe: profiles are computed once and cached under a mutex.
#pragma once

#include "knowledge/wordnet.h"
#include "knowledge/wordvectors.h"

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace ts {

struct ProfileWord {
    int vectorIndex = -1; ///< row in WordVectors
    std::string word;
    float weight = 0.f; ///< 1 = the concept's own name ... 0.3 = a distant relation
};

struct ConceptProfile {
    SynsetId id = 0;
    std::vector<ProfileWord> words;
};

enum class PartOfSpeech { Noun, Verb, Adjective, Adverb, Unknown };

class Lexicon {
public:
    /// Either source may be missing (nullptr): the lexicon then works with what is there.
    Lexicon(const WordNet *wordnet, const WordVectors *vectors);

    const WordNet *wordnet() const { return m_wn; }
    const WordVectors *vectors() const { return m_wv; }

    /// The base form of a word for a part of speech (WordNet morphy), or the word itself.
    std::string lemma(const std::string &word, WnPos pos) const;
    /// Noun senses of a word or collocation ("park bench"), most frequent first.
    std::vector<SynsetId> nounSenses(const std::string &phrase) const;
    bool canBe(const std::string &word, WnPos pos) const;

    /// Word similarity in 0..1: 1 for the same lemma, else word-vector cosine mapped so that unrelated words give 0.
    float wordSimilarity(const std::string &a, const std::string &b) const;
    float vectorSimilarity(int a, int b) const;
    /// Row of a word in the vectors, trying its lemmas when the inflected form is unknown; -1 when unknown.
    int vectorIndex(const std::string &word) const;
    /// 0..1, rare words high (see WordVectors::specificity); 0.5 without vectors.
    float specificity(const std::string &word) const;

    /// The words WordNet relates to a synset, weighted (cached).
    const ConceptProfile &profile(SynsetId id) const;
    /// How well a word is explained by a concept: max over the profile of weight x similarity, in 0..1.
    float profileMatch(const std::string &word, SynsetId id) const;
    float profileMatch(int vectorIndex, const std::string &lemma, SynsetId id) const;

    /// How directly the definitions of a word name a concept: "saddle" ("a seat for the rider of a horse") links
    /// to horse, "horn" ("bony outgrowths on the heads of certain ungulates") to every ungulate. 0..1.
    float glossLink(const std::string &word, SynsetId id) const;

    /// Best similarity of a word to the concept's own names only (its lemmas and their words), 0..1: what a
    /// thing is called, without the looser associations of its profile.
    float nameMatch(const std::string &word, SynsetId id) const;
    /// Concepts the definition of `id` mentions (its nouns and two-word names, first senses): what a puck's
    /// definition brings along, "ice hockey", lets "a team sport" reach it (ice hockey is a team sport).
    const std::vector<SynsetId> &definitionConcepts(SynsetId id) const;
    /// A word related to a concept through the concepts its definition mentions: 0.75 when one of them is a kind
    /// of (or is) one of the word's first noun senses, 0.5 when the word is a kind of one of them; 0 otherwise.
    float conceptLink(const std::string &word, SynsetId id) const;
    /// The concept's definition names the word as what it is ("bus: a vehicle carrying many passengers"), which
    /// catches kinds WordNet files elsewhere (a bus is "public transport", not "vehicle", in its hierarchy).
    bool definedAs(SynsetId id, const std::string &noun) const;

    /// What a word that only names groups ("people", "crowd", "herd") shows on screen: the member concepts of its
    /// first senses (WordNet member meronymy). Empty when one of those senses is a physical thing itself ("board"
    /// is a committee but first a plank), so that a group reading never wins over an object reading.
    std::vector<SynsetId> groupMembers(const std::vector<SynsetId> &senses) const;
    /// Depth of a synset from the root (cached WordNet::depth).
    int depth(SynsetId id) const;
    /// id is a kind of ancestor (hypernym closure, instance hypernyms included).
    bool isA(SynsetId id, SynsetId ancestor) const;
    /// True when some sense among the first `senses` of the noun covers the synset.
    bool isKindOf(SynsetId id, const std::string &noun, int senses = 3) const;
    /// Unit mean word vector of a concept's names (all its lemmas' words); empty without vectors.
    std::vector<float> conceptVector(SynsetId id) const;
    /// Unit mean word vector of words (their lemmas where the word itself is unknown); empty when none is known.
    std::vector<float> wordsVector(const std::vector<std::string> &words) const;
    /// Most specific readable name of a synset ("brown bear").
    std::string name(SynsetId id) const;

    /// Cosine of two words mapped to 0..1 the way wordSimilarity does.
    static float mapCosine(float cosine);

private:
    ConceptProfile build(SynsetId id) const;

    const WordNet *m_wn;
    const WordVectors *m_wv;
    mutable std::mutex m_mutex;
    mutable std::unordered_map<SynsetId, std::unique_ptr<ConceptProfile>> m_profiles;
    mutable std::unordered_map<std::string, std::unique_ptr<std::vector<std::string>>> m_glossWords; ///< word -> lemmas
    mutable std::unordered_map<SynsetId, std::unique_ptr<std::vector<SynsetId>>> m_definitionConcepts;
    mutable std::unordered_map<SynsetId, std::unique_ptr<std::vector<SynsetId>>> m_ancestors; ///< sorted closure
    const std::vector<SynsetId> &ancestorsOf(SynsetId id) const;
    mutable std::unordered_map<SynsetId, int> m_depths;
};

} // namespace ts
