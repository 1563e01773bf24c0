#include "labels.h"

#include <cctype>
#include <fstream>
#include <sstream>

namespace ts {

namespace {

std::string trim(std::string s)
{
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.pop_back();
    size_t i = 0;
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i])))
        ++i;
    return s.substr(i);
}

bool isSynset(const std::string &s)
{
    if (s.size() != 9 || s[0] != 'n')
        return false;
    for (size_t i = 1; i < 9; ++i)
        if (!std::isdigit(static_cast<unsigned char>(s[i])))
            return false;
    return true;
}

} // namespace

Result<std::vector<ClassLabel>> loadLabels(const std::string &path)
{
    using R = Result<std::vector<ClassLabel>>;
    std::ifstream in(path);
    if (!in)
        return R::error(path + ": cannot open label file");
    std::vector<ClassLabel> out;
    std::string line;
    int lineNo = 0;
    while (std::getline(in, line)) {
        ++lineNo;
        line = trim(line);
        if (line.empty() || line[0] == '#')
            continue;
        ClassLabel label;
        if (line.find('\t') != std::string::npos) {
            std::vector<std::string> cols;
            std::stringstream ss(line);
            std::string c;
            while (std::getline(ss, c, '\t'))
                cols.push_back(trim(c));
            if (cols.size() < 3 || !isSynset(cols[2]))
                return R::error(path + ":" + std::to_string(lineNo) + ": expected index, name, synset");
            if (std::stoi(cols[0]) != static_cast<int>(out.size()))
                return R::error(path + ":" + std::to_string(lineNo) + ": indices must be 0, 1, 2... in order");
            label.name = cols[1];
            label.synset = cols[2];
        } else if (line.size() > 10 && isSynset(line.substr(0, 9)) && line[9] == ' ') {
            label.synset = line.substr(0, 9);
            std::stringstream ss(line.substr(10));
            std::string alias;
            while (std::getline(ss, alias, ','))
                if (!trim(alias).empty())
                    label.synonyms.push_back(trim(alias));
            if (label.synonyms.empty())
                return R::error(path + ":" + std::to_string(lineNo) + ": synset without a name");
            label.name = label.synonyms.front();
        } else {
            label.name = line;
        }
        out.push_back(std::move(label));
    }
    if (out.empty())
        return R::error(path + ": no labels");
    return out;
}

} // namespace ts
