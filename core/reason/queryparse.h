// A shallow grammar for implicit video queries, the built-in reasoner's reading of a query: noun phrases with
// their heads, modifiers and colours, which phrase is the target (what the query asks for) and which are context,
// the clause that describes the target ("that spins silk to trap its prey"), actions, spatial prepositions,
// temporal patterns ("starts out ... ends up ...", "keeps ... instead of ..."), counts, numbers to read and
// negation ("no passengers", "not the ones wearing green"). Language structure only: nothing here knows any video.
#pragma once

#include "knowledge/lexicon.h"
#include "knowledge/text.h"

#include <string>
#include <vector>

namespace ts {

enum class PhraseRole { Target, Context };

struct NounPhrase {
    PhraseRole role = PhraseRole::Context;
    std::string text; ///< surface words
    std::string head; ///< lemma of the head noun or collocation ("zoo enclosure" -> "enclosure"); empty if vague
    std::vector<SynsetId> senses; ///< noun senses of the head, most frequent first
    std::vector<std::string> modifiers; ///< lemmas of the words before the head (colours excluded)
    std::vector<std::string> colours; ///< canonical colour names said of this phrase
    std::vector<std::string> description; ///< content lemmas of the clause describing it (targets)
    std::vector<std::string> actions; ///< verbs said of it ("pacing", "strolling")
    std::string preposition; ///< the preposition that introduced it ("behind", "in front of")
    bool negated = false;
    bool person = false; ///< someone, a rider, a woman...: a person is meant
    bool vague = false; ///< something, what, the thing: the head says nothing about the category
    bool possessive = false; ///< "its head", "their legs": a part of something already named
    bool fromDescription = false; ///< named in the clause describing the target ("whose scooter has a top box")
    int count = -1; ///< number said of it, -1 when none
    int firstToken = 0;
    int lastToken = 0;
};

enum class TemporalKind { StartEnd, EndsUp, Keeps, Appears, Disappears, Approaches, Recedes };

struct TemporalCue {
    TemporalKind kind = TemporalKind::StartEnd;
    std::vector<std::string> before; ///< words of the earlier state
    std::vector<std::string> after; ///< words of the later state
    std::string text;
};

struct SpatialCue {
    int subject = -1; ///< index into phrases (the target when the query does not say)
    std::string relation; ///< normalised: "left of", "right of", "above", "below", "in front of", "behind", "near",
                          ///< "inside", "on", "carrying", "riding", "under", "past", "between"
    int object = -1; ///< index into phrases, -1 for the frame ("at the edges", "fills the frame")
    std::string text;
};

struct QueryAnalysis {
    std::string query;
    std::vector<Token> tokens;
    std::vector<NounPhrase> phrases;
    std::vector<int> targets; ///< indices of the target phrases (usually one; "X and Y" gives two)
    std::vector<std::string> actions; ///< verb lemmas said of the target
    std::vector<SpatialCue> spatial;
    std::vector<TemporalCue> temporal;
    std::vector<std::string> numbers; ///< numbers to read in the video ("number 205")
    std::vector<std::string> negatedWords; ///< lemmas under negation
    std::vector<std::string> contentWords; ///< every content lemma, in order
};

/// Reads a query; the lexicon supplies parts of speech and lemmas (without WordNet every word is a noun).
QueryAnalysis parseQuery(const std::string &query, const Lexicon &lexicon);

} // namespace ts
