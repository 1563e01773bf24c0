// How well a twin's instance masks cover a ground-truth foreground (the twin-construction benchmark): the set
// of tracks whose union best matches the ground truth over the sequence, scored on every ground-truth frame with
// the nearest analysed frame's masks.
#pragma once

#include "base/result.h"
#include "twin/twin.h"

#include <string>
#include <vector>

namespace ts {

struct GroundingScore {
    std::vector<TrackId> tracks;
    double meanJ = 0.0;
    double meanF = 0.0;
    int frames = 0;
    std::vector<float> frameJ; ///< J on every ground-truth frame, in order
};

/// Ground-truth masks of a DAVIS-style folder (%05d.png, 0-based frame numbers), as RLE; all of one size.
Result<std::vector<Rle>> loadGroundTruthFolder(const std::string &folder);
/// Why the masks cannot be compared with the twin's (another size than the video), or empty. Scoring them anyway
/// would report J = 0 for a mistake in the query set.
std::string groundTruthSizeProblem(const Twin &twin, const std::vector<Rle> &groundTruth);

/// J (and F when asked) of the union of `tracks` on every ground-truth frame.
GroundingScore scoreTracks(const Twin &twin, const std::vector<Rle> &groundTruth, const std::vector<TrackId> &tracks,
                           bool withF);
/// Greedily grows the track set that maximises mean J (the "best matching track(s)").
GroundingScore bestTrackSet(const Twin &twin, const std::vector<Rle> &groundTruth, bool withF);

} // namespace ts
