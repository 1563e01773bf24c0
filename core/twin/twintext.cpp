#include "twintext.h"

#include <set>
#include <sstream>

namespace ts {

std::string trackSummaryText(const Track &t)
{
    std::ostringstream s;
    s << t.category.name;
    for (const char *k : {"colour", "colour_secondary", "size", "motion", "direction", "position"}) {
        auto it = t.attributes.find(k);
        if (it == t.attributes.end() || it->second.value.empty() || it->second.value == "none")
            continue;
        if (std::string(k) == "direction")
            s << ", moving " << it->second.value;
        else
            s << ", " << it->second.value;
    }
    return s.str();
}

std::string twinSearchText(const Twin &twin)
{
    std::ostringstream s;
    for (const Track &t : twin.tracks) {
        s << trackSummaryText(t) << ". ";
        for (const auto &a : t.category.alternatives)
            s << a.name << ". ";
    }
    for (const Label &l : twin.scene)
        s << l.name << ". ";
    for (const Relationship &r : twin.relationships) {
        const Track *a = twin.track(r.subject);
        const Track *b = twin.track(r.object);
        s << (a ? a->category.name : "object") << " " << r.predicate;
        if (b)
            s << " " << b->category.name;
        s << ". ";
    }
    for (const Observation &o : twin.observations)
        s << o.text << ". ";
    return s.str();
}

} // namespace ts
