// The components of a twin that the coarse stage embeds (paper Sec. 3.2, compositional alignment): one per object
// track, one per distinct subject-predicate-object relationship, one per whole-frame (scene) label and one per
// text observation. Each is a short text for the component encoder plus a salience weight in (0, 1].
#pragma once

#include "store/twinstore.h"
#include "twin/twin.h"

#include <string>
#include <vector>

namespace ts {

struct ComponentOptions {
    float alternativeMinScore = 0.15f; ///< classifier alternatives at least this confident join the object text
    int maxAlternatives = 2;
    float sceneMinScore = 0.05f; ///< scene labels below this are noise of a 1000-way classifier
    int maxSceneLabels = 3;
    size_t maxTextChars = 200; ///< OCR and descriptions are cut here (they are data, not prose to embed whole)
};

/// The components of a twin, in a stable order: objects (track order), relations, scene labels, text.
/// ids and videoId are left 0: the store assigns them.
std::vector<Component> componentsOf(const Twin &twin, const ComponentOptions &options = {});

/// How much of the video a track covers, 0..1 (its "duration_share" attribute, else its frame span).
float durationShare(const Track &track, const Twin &twin);
/// Salience of a track in (0, 1]: long and large tracks matter more than brief specks.
float trackSalience(const Track &track, const Twin &twin);

/// The track ids a relation component's ref names ("3:riding:5;4:riding:5" -> {(3, 5), (4, 5)}).
std::vector<std::pair<TrackId, TrackId>> relationRefPairs(const std::string &ref);

} // namespace ts
