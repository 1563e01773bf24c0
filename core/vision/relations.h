// Relationships between tracks, per frame and over time: left/right/above/below, in front/behind (depth),
// near, overlapping, inside, carrying/riding (containment with joint motion), approaching/moving away, and the
// unary events appearing/disappearing. Frame-level facts are merged into spans.
#pragma once

#include "twin/twin.h"

#include <vector>

namespace ts {

struct RelationConfig {
    int maxTracksPerFrame = 6; ///< the largest tracks of a frame take part (pairs grow quadratically)
    int minSpanObservations = 2;
    int gapTolerance = 2; ///< analysed frames a span may skip and continue
};

std::vector<Relationship> extractRelationships(const Twin &twin, const RelationConfig &config = {});

} // namespace ts
