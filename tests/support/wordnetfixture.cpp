#include "wordnetfixture.h"

namespace ts::test {

std::string loadWordNet(std::unique_ptr<WordNet> &out)
{
    const std::string dir = WordNet::defaultDirectory();
    if (dir.empty())
        return kWordNetMissing;
    auto wn = WordNet::load(dir);
    if (!wn)
        return "WordNet in " + dir + " could not be read: " + wn.message();
    out = std::move(wn).value();
    return {};
}

} // namespace ts::test
