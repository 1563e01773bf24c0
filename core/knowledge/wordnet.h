// WordNet 3.0 (Debian's wordnet-base database files) read into memory: synonyms, glosses, hypernyms,
// hyponyms, meronyms and holonyms, with WordNet's own morphology (morphy). Immutable after load, so one
// instance is shared by every thread.
#pragma once

#include "base/result.h"

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace ts {

enum class WnPos : uint8_t { Noun = 0, Verb = 1, Adj = 2, Adv = 3 };

/// (pos, byte offset) packed into 32 bits; 0 is "none".
using SynsetId = uint32_t;

enum class WnRelation : uint8_t {
    Hypernym, InstanceHypernym, Hyponym, InstanceHyponym,
    MemberHolonym, SubstanceHolonym, PartHolonym,
    MemberMeronym, SubstanceMeronym, PartMeronym,
    Attribute, Derivation, SimilarTo, AlsoSee, Entailment, Cause, Pertainym, DomainTopic, Other
};

struct WnPointer {
    WnRelation relation;
    SynsetId target;
};

struct WnSynset {
    SynsetId id = 0;
    WnPos pos = WnPos::Noun;
    int lexFile = 0; ///< lexicographer file (e.g. 5 = noun.animal, 6 = noun.artifact)
    std::vector<std::string> words; ///< lemmas with underscores turned into spaces, lower case
    std::string gloss;
    std::vector<WnPointer> pointers;
};

class WordNet {
public:
    /// Loads data.* and index.* (and *.exc) from dir, e.g. /usr/share/wordnet.
    static Result<std::unique_ptr<WordNet>> load(const std::string &dir);
    /// The directory of the system's WordNet database, or empty.
    static std::string defaultDirectory();

    /// Synsets of a word (any inflection, spaces or underscores), most frequent sense first.
    std::vector<SynsetId> lookup(const std::string &word, WnPos pos) const;
    /// Base forms of a word in WordNet (morphy); the word itself when it is a lemma.
    std::vector<std::string> baseForms(const std::string &word, WnPos pos) const;
    const WnSynset *synset(SynsetId id) const;
    /// "n02132136" <-> id
    SynsetId fromKey(const std::string &key) const;
    static std::string key(SynsetId id);

    std::vector<SynsetId> related(SynsetId id, WnRelation relation) const;
    /// Hypernyms (and instance hypernyms), transitively, nearest first, with their distance.
    std::vector<std::pair<SynsetId, int>> ancestors(SynsetId id, int maxDepth = 20) const;
    /// All hyponyms down to maxDepth.
    std::vector<SynsetId> descendants(SynsetId id, int maxDepth) const;
    bool isA(SynsetId id, SynsetId ancestor) const;
    /// Wu-Palmer similarity over the noun/verb hierarchy (0 when unrelated or different parts of speech).
    double wuPalmer(SynsetId a, SynsetId b) const;
    /// Depth from the root (entity = 0) along the shortest hypernym path.
    int depth(SynsetId id) const;
    size_t synsetCount() const { return m_synsets.size(); }
    /// Calls fn for every synset (unordered), e.g. to index glosses.
    template <class F>
    void forEachSynset(F &&fn) const
    {
        for (const auto &entry : m_synsets)
            fn(entry.second);
    }

    static SynsetId makeId(WnPos pos, uint32_t offset) { return (static_cast<uint32_t>(pos) + 1) << 28 | offset; }
    static WnPos posOf(SynsetId id) { return static_cast<WnPos>((id >> 28) - 1); }

private:
    WordNet() = default;
    std::unordered_map<SynsetId, WnSynset> m_synsets;
    std::unordered_map<std::string, std::vector<SynsetId>> m_index[4];
    std::unordered_map<std::string, std::vector<std::string>> m_exceptions[4];
};

} // namespace ts
