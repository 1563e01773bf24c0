#include "wordnet.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <deque>
#include <fstream>
#include <sstream>
#include <unordered_set>

namespace ts {

namespace {

const char *kPosNames[4] = {"noun", "verb", "adj", "adv"};

WnRelation relationOf(const std::string &symbol, WnPos pos)
{
    if (symbol == "@") return WnRelation::Hypernym;
    if (symbol == "@i") return WnRelation::InstanceHypernym;
    if (symbol == "~") return WnRelation::Hyponym;
    if (symbol == "~i") return WnRelation::InstanceHyponym;
    if (symbol == "#m") return WnRelation::MemberHolonym;
    if (symbol == "#s") return WnRelation::SubstanceHolonym;
    if (symbol == "#p") return WnRelation::PartHolonym;
    if (symbol == "%m") return WnRelation::MemberMeronym;
    if (symbol == "%s") return WnRelation::SubstanceMeronym;
    if (symbol == "%p") return WnRelation::PartMeronym;
    if (symbol == "=") return WnRelation::Attribute;
    if (symbol == "+") return WnRelation::Derivation;
    if (symbol == "&") return WnRelation::SimilarTo;
    if (symbol == "^") return WnRelation::AlsoSee;
    if (symbol == "*") return WnRelation::Entailment;
    if (symbol == ">") return WnRelation::Cause;
    if (symbol == "\\") return pos == WnPos::Adv ? WnRelation::Derivation : WnRelation::Pertainym;
    if (symbol == ";c") return WnRelation::DomainTopic;
    return WnRelation::Other;
}

WnPos posFromChar(char c)
{
    switch (c) {
    case 'n': return WnPos::Noun;
    case 'v': return WnPos::Verb;
    case 'a':
    case 's': return WnPos::Adj;
    default: return WnPos::Adv;
    }
}

std::string normalise(std::string w)
{
    for (char &c : w) {
        if (c == '_')
            c = ' ';
        else
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return w;
}

std::string stripAdjMarker(std::string w)
{
    // Adjective lemmas may carry a syntactic marker: "big(a)", "elect(ip)".
    const size_t p = w.find('(');
    return p == std::string::npos ? w : w.substr(0, p);
}

} // namespace

std::string WordNet::defaultDirectory()
{
    for (const char *dir : {"/usr/share/wordnet", "/usr/local/share/wordnet", "/usr/share/WordNet/dict"}) {
        std::ifstream f(std::string(dir) + "/data.noun");
        if (f)
            return dir;
    }
    return {};
}

Result<std::unique_ptr<WordNet>> WordNet::load(const std::string &dir)
{
    using R = Result<std::unique_ptr<WordNet>>;
    std::unique_ptr<WordNet> wn(new WordNet());
    for (int p = 0; p < 4; ++p) {
        const WnPos pos = static_cast<WnPos>(p);
        const std::string dataPath = dir + "/data." + kPosNames[p];
        std::ifstream data(dataPath);
        if (!data)
            return R::error(dataPath + ": cannot open (install Debian's wordnet-base)");
        std::string line;
        while (std::getline(data, line)) {
            if (line.empty() || line[0] == ' ')
                continue; // licence header
            const size_t bar = line.find(" | ");
            std::istringstream in(line.substr(0, bar));
            WnSynset s;
            uint32_t offset = 0;
            std::string lexFile, ssType, wCntHex;
            in >> offset >> lexFile >> ssType >> wCntHex;
            if (!in)
                return R::error(dataPath + ": malformed line at offset " + std::to_string(offset));
            s.id = makeId(pos, offset);
            s.pos = pos;
            s.lexFile = std::atoi(lexFile.c_str());
            const int wCnt = static_cast<int>(std::strtol(wCntHex.c_str(), nullptr, 16));
            for (int i = 0; i < wCnt; ++i) {
                std::string word, lexId;
                in >> word >> lexId;
                s.words.push_back(normalise(stripAdjMarker(word)));
            }
            int pCnt = 0;
            in >> pCnt;
            for (int i = 0; i < pCnt; ++i) {
                std::string symbol, targetPos, sourceTarget;
                uint32_t target = 0;
                in >> symbol >> target >> targetPos >> sourceTarget;
                if (!in)
                    break;
                s.pointers.push_back({relationOf(symbol, pos), makeId(posFromChar(targetPos[0]), target)});
            }
            if (bar != std::string::npos) {
                s.gloss = line.substr(bar + 3);
                while (!s.gloss.empty() && std::isspace(static_cast<unsigned char>(s.gloss.back())))
                    s.gloss.pop_back();
            }
            wn->m_synsets.emplace(s.id, std::move(s));
        }
        const std::string indexPath = dir + "/index." + kPosNames[p];
        std::ifstream index(indexPath);
        if (!index)
            return R::error(indexPath + ": cannot open");
        while (std::getline(index, line)) {
            if (line.empty() || line[0] == ' ')
                continue;
            std::istringstream in(line);
            std::string lemma, posChar;
            int synsetCnt = 0, pCnt = 0;
            in >> lemma >> posChar >> synsetCnt >> pCnt;
            for (int i = 0; i < pCnt; ++i) {
                std::string sym;
                in >> sym;
            }
            int senseCnt = 0, tagsenseCnt = 0;
            in >> senseCnt >> tagsenseCnt;
            std::vector<SynsetId> ids;
            for (int i = 0; i < synsetCnt; ++i) {
                uint32_t off = 0;
                in >> off;
                if (in)
                    ids.push_back(makeId(pos, off));
            }
            wn->m_index[p][normalise(lemma)] = std::move(ids);
        }
        std::ifstream exc(dir + "/" + kPosNames[p] + ".exc");
        while (exc && std::getline(exc, line)) {
            std::istringstream in(line);
            std::string inflected, base;
            in >> inflected;
            while (in >> base)
                wn->m_exceptions[p][normalise(inflected)].push_back(normalise(base));
        }
    }
    if (wn->m_synsets.empty())
        return R::error(dir + ": no synsets");
    return R(std::move(wn));
}

std::vector<std::string> WordNet::baseForms(const std::string &wordIn, WnPos pos) const
{
    const std::string word = normalise(wordIn);
    const int p = static_cast<int>(pos);
    std::vector<std::string> out;
    auto add = [&](const std::string &w) {
        if (m_index[p].count(w) && std::find(out.begin(), out.end(), w) == out.end())
            out.push_back(w);
    };
    add(word);
    auto ex = m_exceptions[p].find(word);
    if (ex != m_exceptions[p].end())
        for (const auto &b : ex->second)
            add(b);
    static const std::vector<std::pair<std::string, std::string>> kNoun = {
        {"s", ""}, {"ses", "s"}, {"xes", "x"}, {"zes", "z"}, {"ches", "ch"}, {"shes", "sh"}, {"men", "man"}, {"ies", "y"}};
    static const std::vector<std::pair<std::string, std::string>> kVerb = {
        {"s", ""}, {"ies", "y"}, {"es", "e"}, {"es", ""}, {"ed", "e"}, {"ed", ""}, {"ing", "e"}, {"ing", ""}};
    static const std::vector<std::pair<std::string, std::string>> kAdj = {
        {"er", ""}, {"est", ""}, {"er", "e"}, {"est", "e"}};
    const auto &rules = pos == WnPos::Noun ? kNoun : pos == WnPos::Verb ? kVerb : pos == WnPos::Adj ? kAdj
                                                                                                   : std::vector<std::pair<std::string, std::string>>{};
    for (const auto &[suffix, repl] : rules) {
        if (word.size() > suffix.size() && word.compare(word.size() - suffix.size(), suffix.size(), suffix) == 0) {
            std::string b = word.substr(0, word.size() - suffix.size()) + repl;
            add(b);
            // Doubled consonant: "running" -> "run", "stopped" -> "stop".
            if (pos == WnPos::Verb && repl.empty() && b.size() > 2 && b[b.size() - 1] == b[b.size() - 2])
                add(b.substr(0, b.size() - 1));
        }
    }
    return out;
}

std::vector<SynsetId> WordNet::lookup(const std::string &word, WnPos pos) const
{
    std::vector<SynsetId> out;
    const int p = static_cast<int>(pos);
    for (const std::string &b : baseForms(word, pos)) {
        auto it = m_index[p].find(b);
        if (it == m_index[p].end())
            continue;
        for (SynsetId id : it->second)
            if (std::find(out.begin(), out.end(), id) == out.end())
                out.push_back(id);
    }
    return out;
}

const WnSynset *WordNet::synset(SynsetId id) const
{
    auto it = m_synsets.find(id);
    return it == m_synsets.end() ? nullptr : &it->second;
}

SynsetId WordNet::fromKey(const std::string &key) const
{
    if (key.size() < 2)
        return 0;
    const WnPos pos = posFromChar(key[0]);
    char *end = nullptr;
    const unsigned long off = std::strtoul(key.c_str() + 1, &end, 10);
    if (!end || *end != '\0')
        return 0;
    const SynsetId id = makeId(pos, static_cast<uint32_t>(off));
    return m_synsets.count(id) ? id : 0;
}

std::string WordNet::key(SynsetId id)
{
    static const char kChars[4] = {'n', 'v', 'a', 'r'};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%c%08u", kChars[static_cast<int>(posOf(id))], id & 0x0fffffffu);
    return buf;
}

std::vector<SynsetId> WordNet::related(SynsetId id, WnRelation relation) const
{
    std::vector<SynsetId> out;
    if (const WnSynset *s = synset(id))
        for (const WnPointer &p : s->pointers)
            if (p.relation == relation)
                out.push_back(p.target);
    return out;
}

std::vector<std::pair<SynsetId, int>> WordNet::ancestors(SynsetId id, int maxDepth) const
{
    std::vector<std::pair<SynsetId, int>> out;
    std::unordered_set<SynsetId> seen{id};
    std::deque<std::pair<SynsetId, int>> queue{{id, 0}};
    while (!queue.empty()) {
        auto [cur, d] = queue.front();
        queue.pop_front();
        if (d >= maxDepth)
            continue;
        const WnSynset *s = synset(cur);
        if (!s)
            continue;
        for (const WnPointer &p : s->pointers) {
            if (p.relation != WnRelation::Hypernym && p.relation != WnRelation::InstanceHypernym)
                continue;
            if (seen.insert(p.target).second) {
                out.emplace_back(p.target, d + 1);
                queue.emplace_back(p.target, d + 1);
            }
        }
    }
    return out;
}

std::vector<SynsetId> WordNet::descendants(SynsetId id, int maxDepth) const
{
    std::vector<SynsetId> out;
    std::unordered_set<SynsetId> seen{id};
    std::deque<std::pair<SynsetId, int>> queue{{id, 0}};
    while (!queue.empty()) {
        auto [cur, d] = queue.front();
        queue.pop_front();
        if (d >= maxDepth)
            continue;
        const WnSynset *s = synset(cur);
        if (!s)
            continue;
        for (const WnPointer &p : s->pointers) {
            if (p.relation != WnRelation::Hyponym && p.relation != WnRelation::InstanceHyponym)
                continue;
            if (seen.insert(p.target).second) {
                out.push_back(p.target);
                queue.emplace_back(p.target, d + 1);
            }
        }
    }
    return out;
}

bool WordNet::isA(SynsetId id, SynsetId ancestor) const
{
    if (id == ancestor)
        return true;
    for (const auto &[a, d] : ancestors(id))
        if (a == ancestor)
            return true;
    return false;
}

int WordNet::depth(SynsetId id) const
{
    const auto anc = ancestors(id);
    int best = 0;
    bool any = false;
    for (const auto &[a, d] : anc) {
        const WnSynset *s = synset(a);
        bool root = true;
        for (const WnPointer &p : s->pointers)
            if (p.relation == WnRelation::Hypernym || p.relation == WnRelation::InstanceHypernym)
                root = false;
        if (root && (!any || d < best)) {
            best = d;
            any = true;
        }
    }
    return best;
}

double WordNet::wuPalmer(SynsetId a, SynsetId b) const
{
    if (a == 0 || b == 0 || posOf(a) != posOf(b))
        return 0.0;
    if (a == b)
        return 1.0;
    auto ancA = ancestors(a);
    ancA.emplace_back(a, 0);
    auto ancB = ancestors(b);
    ancB.emplace_back(b, 0);
    std::unordered_map<SynsetId, int> distA;
    for (const auto &[s, d] : ancA)
        distA[s] = d;
    double best = 0.0;
    for (const auto &[s, db] : ancB) {
        auto it = distA.find(s);
        if (it == distA.end())
            continue;
        const int dl = depth(s) + 1;
        const double sim = 2.0 * dl / (it->second + db + 2.0 * dl);
        best = std::max(best, sim);
    }
    return best;
}

} // namespace ts
