// The vision specialists as Specialists: OCR, a better mask, dense sampling, faces and model depth, each a thin
// implementation over one shared Refiner (made on first use; it owns a video reader and detectors that are not
// thread-safe, so the five run one request at a time).
#pragma once

#include "refine/refiner.h"
#include "refine/specialist.h"

#include <memory>
#include <vector>

namespace ts {

/// One specialist per vision kind (Ocr, Mask, Dense, Faces, Depth). models, sessions and wordnet must outlive them.
std::vector<std::unique_ptr<Specialist>> makeVisionSpecialists(const ModelRegistry &models, SessionCache &sessions,
                                                               const WordNet *wordnet, RefinerConfig config = {});

} // namespace ts
