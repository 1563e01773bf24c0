// Small reads of a twin that the refinement code shares (internal to core/refine).
#pragma once

#include "refine/specialist.h"

#include <algorithm>
#include <string>
#include <vector>

namespace ts::refine {

inline FrameIndex lastFrameOf(const Twin &twin)
{
    if (twin.video.frameCount > 0)
        return twin.video.frameCount - 1;
    return twin.frames.empty() ? -1 : twin.frames.back().frameIndex;
}

inline std::string windowText(const FrameWindow &w) { return std::to_string(w.first) + "-" + std::to_string(w.last); }

inline const Instance *instanceIn(const FrameRecord &f, TrackId id)
{
    for (const Instance &in : f.instances)
        if (in.trackId == id)
            return &in;
    return nullptr;
}

inline const FrameRecord *recordAt(const Twin &twin, FrameIndex frameIndex)
{
    auto it = std::lower_bound(twin.frames.begin(), twin.frames.end(), frameIndex,
                               [](const FrameRecord &f, FrameIndex x) { return f.frameIndex < x; });
    return it != twin.frames.end() && it->frameIndex == frameIndex ? &*it : nullptr;
}

inline void appendError(std::vector<std::string> &errors, const std::string &e)
{
    if (std::find(errors.begin(), errors.end(), e) == errors.end() && errors.size() < 20)
        errors.push_back(e);
}

} // namespace ts::refine
