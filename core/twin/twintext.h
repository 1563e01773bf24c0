// Plain-text renderings of a twin: for full-text search (BM25 baseline) and for people reading a summary.
#pragma once

#include "twin/twin.h"

#include <string>

namespace ts {

/// Every label, alternative, attribute, relationship and observation of the twin as words.
std::string twinSearchText(const Twin &twin);
/// A one-line summary of a track ("brown bear, brown, large, slow, moving right").
std::string trackSummaryText(const Track &track);

} // namespace ts
