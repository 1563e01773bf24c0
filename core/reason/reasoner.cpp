#include "reasoner.h"

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

std::vector<std::string> refinementKindNames(const std::vector<RefinementKind> &kinds)
{
    std::vector<std::string> out;
    for (RefinementKind k : kinds)
        out.push_back(refinementKindName(k));
    return out;
}

std::optional<RefinementKind> parseRefinementKind(const std::string &name)
{
    for (RefinementKind k : allRefinementKinds())
        if (refinementKindName(k) == name)
            return k;
    return std::nullopt;
}

} // namespace ts
