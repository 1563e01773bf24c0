// Writing the masks of chosen objects of a twin in the formats other tools read: COCO RLE JSON (one annotation
// per object and analysed frame), DAVIS PNG folders (one 0/255 PNG per video frame, %05d.png, the union of the
// objects; frames that were not analysed take the nearest analysed frame, as the benchmark's grounding does) and
// SA-V style JSON (masklets sampled at 6 fps, COCO RLE per object per sampled frame). Runs on worker threads.
// Every export is written beside its destination first and moved into place at the end, so a cancelled or
// failed export leaves nothing half-written.
#pragma once

#include "base/cancel.h"
#include "base/result.h"
#include "twin/twin.h"

#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <string>
#include <vector>

namespace ts {

enum class MaskFormat { CocoRle, DavisPng, SaV };

/// Frame rate SA-V annotates at; the SA-V export samples the video at this rate.
constexpr double kSavAnnotationFps = 6.0;

/// COCO-style JSON of the tracks' masks on every analysed frame (all tracks when tracks is empty).
nlohmann::json cocoRleJson(const Twin &twin, const std::vector<TrackId> &tracks);
/// SA-V style JSON: one masklet per track, sampled every round(fps / 6) frames.
nlohmann::json savJson(const Twin &twin, const std::vector<TrackId> &tracks);
/// Writes one PNG per video frame (0 .. frameCount-1) with the union of the tracks' masks.
Status writeDavisPngs(const Twin &twin, const std::vector<TrackId> &tracks, const std::string &dir,
                      const CancelToken &cancel, const ProgressFn &progress);

/// Writes the export: a file for COCO RLE and SA-V, a folder for DAVIS PNG.
Status exportMasks(const Twin &twin, const std::vector<TrackId> &tracks, MaskFormat format,
                   const std::string &destination, const CancelToken &cancel, const ProgressFn &progress);

/// Writes text to path atomically (QSaveFile).
Status writeFileAtomically(const std::string &path, const std::string &text);

} // namespace ts
