// Class vocabularies of the models, each class tied to a WordNet synset where one is known.
#pragma once

#include "base/result.h"

#include <string>
#include <vector>

namespace ts {

struct ClassLabel {
    std::string name; ///< display name ("brown bear")
    std::string synset; ///< "n02132136", empty when unknown
    std::vector<std::string> synonyms; ///< further names from the label file
};

/// Reads "index<TAB>name<TAB>synset" tables, ImageNet "nXXXXXXXX name, alias" lists or one name per line.
Result<std::vector<ClassLabel>> loadLabels(const std::string &path);

} // namespace ts
