// Word-level text handling shared by the built-in reasoner and the text encoders: tokenising, closed-class
// English words (determiners, prepositions, negators...), colour and number words. Language data, not rules
// about particular queries.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ts {

enum class WordClass {
    Content, ///< noun, verb, adjective or adverb (decided later with WordNet)
    Determiner,
    Pronoun, ///< someone, something, what, it...
    Preposition,
    Conjunction,
    Negator, ///< no, not, never, without, nobody...
    Relative, ///< that, which, who, where, while...
    Auxiliary, ///< is, are, be, has, would, can...
    Number,
    Punctuation,
};

struct Token {
    std::string text; ///< lower case
    WordClass cls = WordClass::Content;
    int position = 0; ///< index in the token list
    bool hyphenPart = false; ///< split from a hyphenated compound ("red-and-white" -> red, and, white)
    std::string compound; ///< the whole compound for hyphen parts ("off-roader")
};

/// Lower-cases and splits text into words, numbers and punctuation; hyphenated compounds are split into their
/// parts (the parts are marked), since word vectors and WordNet know the parts far more often than the compound.
std::vector<Token> tokenize(std::string_view text);

WordClass classifyWord(std::string_view word);
/// Function words that carry no content (determiners, auxiliaries, pronouns, prepositions, conjunctions...).
bool isStopWord(std::string_view word);
/// Basic colour terms and their usual synonyms mapped to the colour names the attribute specialist uses
/// ("gray" -> "grey", "violet" -> "purple"); empty when the word is not a colour.
std::string canonicalColour(std::string_view word);
/// How alike two canonical colour names look, 0..1 (neighbours of the attribute specialist's colour table count
/// partly: lighting moves colours between them). Word vectors cannot tell colours apart; this can.
float colourSimilarity(const std::string &a, const std::string &b);
/// "two" -> 2, "3" -> 3, "a pair" is handled by callers; -1 when not a number.
int numberValue(std::string_view word);
/// Lower-case ASCII copy.
std::string lowerCopy(std::string_view s);

} // namespace ts
