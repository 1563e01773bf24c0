#include "text.h"

#include <algorithm>
#include <map>
#include <cctype>
#include <unordered_map>
#include <unordered_set>

namespace ts {

namespace {

const std::unordered_map<std::string, WordClass> &closedClass()
{
    static const std::unordered_map<std::string, WordClass> table = [] {
        std::unordered_map<std::string, WordClass> t;
        auto add = [&t](WordClass c, std::initializer_list<const char *> words) {
            for (const char *w : words)
                t.emplace(w, c);
        };
        add(WordClass::Relative, {"that", "which", "who", "whom", "where", "when", "while", "whose", "how", "why"});
        add(WordClass::Determiner, {"'s", "a", "an", "the", "this", "that", "these", "those", "its", "his", "her", "their",
                                    "our", "your", "my", "some", "any", "each", "every", "another", "other", "such",
                                    "whose", "either", "neither", "all", "both", "same", "own"});
        add(WordClass::Pronoun, {"someone", "somebody", "something", "anyone", "anybody", "anything", "everyone",
                                 "everybody", "everything", "it", "they", "them", "he", "she", "him", "we", "us",
                                 "you", "i", "me", "one", "ones", "itself", "themselves", "himself", "herself",
                                 "what", "whatever", "whoever", "thing", "things", "stuff", "here", "there"});
        add(WordClass::Preposition, {"in", "on", "at", "by", "over", "under", "behind", "past", "beneath", "above",
                                     "below", "along", "across", "through", "throughout", "around", "round", "into",
                                     "onto", "from", "to", "with", "near", "between", "toward", "towards", "inside",
                                     "outside", "beside", "besides", "of", "for", "off", "up", "down", "out", "about",
                                     "against", "among", "amid", "underneath", "upon", "within", "via", "like",
                                     "than", "as", "until", "till", "during", "after", "before", "beyond", "away",
                                     "next", "atop", "alongside", "per"});
        add(WordClass::Conjunction, {"and", "or", "but", "nor", "so", "yet", "then", "if", "because", "though",
                                     "although", "whether", "once", "either"});
        add(WordClass::Negator, {"no", "not", "never", "without", "nobody", "nothing", "none", "nowhere", "instead",
                                 "neither", "nor", "n't", "cannot", "rather"});
        add(WordClass::Auxiliary, {"is", "are", "was", "were", "be", "been", "being", "am", "has", "have", "had",
                                   "having", "do", "does", "did", "doing", "would", "could", "should", "can", "will",
                                   "shall", "may", "might", "must", "get", "gets", "got", "getting", "let",
                                   "lets", "just", "also", "very", "really", "too", "even", "still", "only", "ever",
                                   "most", "more", "much", "quite", "said", "say", "says"});
        return t;
    }();
    return table;
}

const std::unordered_map<std::string, std::string> &colourTable()
{
    static const std::unordered_map<std::string, std::string> t = {
        {"black", "black"},   {"white", "white"},   {"grey", "grey"},     {"gray", "grey"},     {"silver", "grey"},
        {"red", "red"},       {"crimson", "red"},   {"scarlet", "red"},   {"orange", "orange"}, {"yellow", "yellow"},
        {"golden", "yellow"}, {"gold", "yellow"},   {"green", "green"},   {"blue", "blue"},     {"azure", "blue"},
        {"purple", "purple"}, {"violet", "purple"}, {"pink", "pink"},     {"rose", "pink"},     {"brown", "brown"},
        {"beige", "beige"},   {"cream", "beige"},   {"navy", "navy"},     {"teal", "teal"},     {"turquoise", "teal"},
        {"olive", "olive"},   {"khaki", "olive"},   {"maroon", "maroon"}, {"lilac", "lilac"},   {"lavender", "lilac"},
        {"mauve", "lilac"},   {"tan", "tan"},       {"pale", "white"},    {"dark", "black"},    {"magenta", "pink"},
    };
    return t;
}

} // namespace

std::string lowerCopy(std::string_view s)
{
    std::string out(s);
    for (char &c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

WordClass classifyWord(std::string_view word)
{
    if (word.empty())
        return WordClass::Punctuation;
    if (std::isdigit(static_cast<unsigned char>(word.front())))
        return WordClass::Number;
    if (!std::isalpha(static_cast<unsigned char>(word.front())) && word.front() != '\'')
        return WordClass::Punctuation;
    if (numberValue(word) >= 0)
        return WordClass::Number;
    const auto &t = closedClass();
    auto it = t.find(std::string(word));
    return it == t.end() ? WordClass::Content : it->second;
}

bool isStopWord(std::string_view word)
{
    const WordClass c = classifyWord(word);
    return c != WordClass::Content && c != WordClass::Number && c != WordClass::Negator;
}

std::string canonicalColour(std::string_view word)
{
    auto it = colourTable().find(std::string(word));
    return it == colourTable().end() ? std::string() : it->second;
}

int numberValue(std::string_view word)
{
    static const std::unordered_map<std::string, int> words = {
        {"zero", 0},  {"two", 2},   {"three", 3},  {"four", 4},    {"five", 5},
        {"six", 6},   {"seven", 7}, {"eight", 8}, {"nine", 9},   {"ten", 10},    {"eleven", 11},
        {"twelve", 12}, {"single", 1}, {"lone", 1}, {"pair", 2}, {"couple", 2}, {"dozen", 12}, {"both", 2}};
    if (!word.empty() && std::all_of(word.begin(), word.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
        return word.size() <= 9 ? std::stoi(std::string(word)) : -1;
    auto it = words.find(std::string(word));
    return it == words.end() ? -1 : it->second;
}

std::vector<Token> tokenize(std::string_view text)
{
    std::vector<Token> out;
    auto push = [&out](std::string w, bool part) {
        if (w.empty())
            return;
        Token t;
        t.cls = classifyWord(w);
        t.text = std::move(w);
        t.hyphenPart = part;
        t.position = static_cast<int>(out.size());
        out.push_back(std::move(t));
    };
    size_t i = 0;
    const size_t n = text.size();
    while (i < n) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        if (std::isalnum(c) || c >= 0x80) {
            size_t j = i;
            // A word runs over letters, digits, inner hyphens and apostrophes.
            while (j < n) {
                const unsigned char d = static_cast<unsigned char>(text[j]);
                if (std::isalnum(d) || d >= 0x80)
                    ++j;
                else if ((d == '-' || d == '\'') && j + 1 < n && std::isalnum(static_cast<unsigned char>(text[j + 1])))
                    ++j;
                else
                    break;
            }
            std::string word = lowerCopy(text.substr(i, j - i));
            // Possessive 's and n't become their own tokens.
            if (word.size() > 2 && word.compare(word.size() - 2, 2, "'s") == 0) {
                push(word.substr(0, word.size() - 2), false);
                push("'s", false); // a possessive marks what follows as a noun ("someone's hand")
            } else if (word.size() > 2 && word.compare(word.size() - 2, 2, "'d") == 0) {
                push(word.substr(0, word.size() - 2), false);
                push("would", false);
            } else if (word.size() > 3 && (word.compare(word.size() - 3, 3, "'ll") == 0 ||
                                           word.compare(word.size() - 3, 3, "'re") == 0 ||
                                           word.compare(word.size() - 3, 3, "'ve") == 0)) {
                push(word.substr(0, word.size() - 3), false);
                const std::string tail = word.substr(word.size() - 2);
                push(tail == "ll" ? "will" : tail == "re" ? "are" : "have", false);
            } else if (word.size() > 3 && word.compare(word.size() - 3, 3, "n't") == 0) {
                push(word.substr(0, word.size() - 3), false);
                push("not", false);
            } else if (word.find('-') != std::string::npos) {
                size_t s = 0;
                while (s <= word.size()) {
                    const size_t e = word.find('-', s);
                    push(word.substr(s, e == std::string::npos ? std::string::npos : e - s), true);
                    out.back().compound = word;
                    if (e == std::string::npos)
                        break;
                    s = e + 1;
                }
            } else {
                push(std::move(word), false);
            }
            i = j;
        } else {
            if (c == ',' || c == ';' || c == '.' || c == ':' || c == '!' || c == '?' || c == '(' || c == ')')
                push(std::string(1, static_cast<char>(c)), false);
            ++i;
        }
    }
    return out;
}

float colourSimilarity(const std::string &a, const std::string &b)
{
    if (a.empty() || b.empty())
        return 0.f;
    if (a == b)
        return 1.f;
    // Neighbouring names of the attribute specialist's colour table: lighting moves colours between them.
    static const std::map<std::pair<std::string, std::string>, float> near = {
        {{"grey", "white"}, 0.55f}, {{"grey", "black"}, 0.45f}, {{"grey", "beige"}, 0.4f}, {{"grey", "navy"}, 0.3f},
        {{"white", "beige"}, 0.55f}, {{"pink", "red"}, 0.5f},   {{"pink", "lilac"}, 0.55f}, {{"pink", "purple"}, 0.45f},
        {{"pink", "beige"}, 0.3f},  {{"lilac", "purple"}, 0.7f}, {{"lilac", "white"}, 0.3f}, {{"lilac", "grey"}, 0.3f},
        {{"purple", "navy"}, 0.35f}, {{"blue", "navy"}, 0.75f},  {{"blue", "light blue"}, 0.8f}, {{"blue", "teal"}, 0.5f},
        {{"blue", "purple"}, 0.35f}, {{"navy", "black"}, 0.45f}, {{"brown", "tan"}, 0.7f},  {{"brown", "beige"}, 0.45f},
        {{"brown", "maroon"}, 0.5f}, {{"brown", "olive"}, 0.4f}, {{"brown", "black"}, 0.3f}, {{"brown", "orange"}, 0.35f},
        {{"tan", "beige"}, 0.7f},   {{"tan", "orange"}, 0.4f},   {{"red", "maroon"}, 0.7f}, {{"red", "orange"}, 0.45f},
        {{"orange", "yellow"}, 0.45f}, {{"yellow", "beige"}, 0.35f}, {{"yellow", "olive"}, 0.35f}, {{"yellow", "tan"}, 0.35f},
        {{"green", "dark green"}, 0.8f}, {{"green", "olive"}, 0.55f}, {{"green", "teal"}, 0.5f}, {{"dark green", "black"}, 0.35f},
        {{"light blue", "white"}, 0.4f}, {{"light blue", "teal"}, 0.45f}, {{"light blue", "grey"}, 0.35f},
        {{"maroon", "purple"}, 0.35f}, {{"olive", "dark green"}, 0.55f}, {{"teal", "dark green"}, 0.4f},
    };
    auto it = near.find({a, b});
    if (it != near.end())
        return it->second;
    it = near.find({b, a});
    return it != near.end() ? it->second : 0.f;
}

} // namespace ts
