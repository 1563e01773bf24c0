// Debian's WordNet for the tests that reason with it: loaded the same way everywhere, skipped (or, under CI,
// failed) with one message when the set-up did not install it.
#pragma once

#include "knowledge/wordnet.h"
#include "testsupport.h"

#include <memory>
#include <string>

namespace ts::test {

/// Loads the installed WordNet into out. Returns "" on success, kWordNetMissing when it is not installed, or why
/// it could not be read.
std::string loadWordNet(std::unique_ptr<WordNet> &out);
inline const char *const kWordNetMissing = "WordNet (Debian's wordnet-base) is not installed";

} // namespace ts::test

/// In a test function: loads WordNet into target (a std::unique_ptr<WordNet>), or skips/fails saying why.
#define TS_LOAD_WORDNET(target)                                                                                        \
    do {                                                                                                               \
        const std::string whyNot = ts::test::loadWordNet(target);                                                      \
        if (whyNot == ts::test::kWordNetMissing)                                                                       \
            TS_MISSING(whyNot.c_str());                                                                                \
        QVERIFY2(whyNot.empty(), whyNot.c_str());                                                                      \
    } while (0)
