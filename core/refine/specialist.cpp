#include "specialist.h"

namespace ts {

const std::vector<RefinementKind> &allRefinementKinds()
{
    static const std::vector<RefinementKind> kinds = {RefinementKind::Ocr,   RefinementKind::Mask,
                                                      RefinementKind::Dense, RefinementKind::Faces,
                                                      RefinementKind::Depth, RefinementKind::Describe};
    return kinds;
}

std::string refinementKindName(RefinementKind kind)
{
    switch (kind) {
    case RefinementKind::Ocr: return "ocr";
    case RefinementKind::Mask: return "mask";
    case RefinementKind::Dense: return "dense";
    case RefinementKind::Faces: return "faces";
    case RefinementKind::Depth: return "depth";
    case RefinementKind::Describe: return "describe";
    }
    return "unknown";
}

std::optional<RefinementKind> parseRefinementKind(const std::string &name)
{
    for (RefinementKind k : allRefinementKinds())
        if (refinementKindName(k) == name)
            return k;
    return std::nullopt;
}

} // namespace ts
