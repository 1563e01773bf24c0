// Synthetic distractor twins for distractor-scaling runs (like ReasonT2VBench-135 against -1000): twins drawn at
// random from the label vocabulary of the installed detector and classifier, with plausible attributes, tracks,
// scene labels and relationships, and clearly marked synthetic (key prefix "synthetic-", path "synthetic://", a
// "synthetic" role). They are added to a copy of a library, never to the user's.
#pragma once

#include "twin/twin.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ts {

struct DistractorVocabulary {
    std::vector<Label> objects; ///< what tracks may be (name + synset)
    std::vector<Label> scenes; ///< what whole-frame labels may be
};

constexpr const char *kSyntheticKeyPrefix = "synthetic-";

/// `count` synthetic twins, deterministic for a seed. Each has 1-4 tracks over 20-60 analysed frames with box
/// masks, fused labels with alternatives, colours, size, motion, scene labels and a few relationships.
std::vector<Twin> makeDistractorTwins(int count, const DistractorVocabulary &vocabulary, uint64_t seed);

bool isSyntheticTwin(const Twin &twin);

} // namespace ts
