#include "components.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <sstream>

namespace ts {

namespace {

std::string attribute(const Track &t, const char *key)
{
    auto it = t.attributes.find(key);
    if (it == t.attributes.end() || it->second.value == "none")
        return {};
    return it->second.value;
}

std::string dashesToSpaces(std::string s)
{
    std::replace(s.begin(), s.end(), '-', ' ');
    return s;
}

// Text layout: the category first, then one clause per aspect. The encoders read a bag of words per kind of word
// (content, colour, geometry), so the separators only help people who read components in traces.
std::string objectText(const Track &t, const ComponentOptions &o)
{
    std::ostringstream s;
    s << (t.category.name.empty() ? "object" : t.category.name);
    int alternatives = 0;
    for (const LabelAlternative &a : t.category.alternatives) {
        if (alternatives >= o.maxAlternatives || a.score < o.alternativeMinScore)
            break;
        if (a.name.empty() || a.name == t.category.name)
            continue;
        s << (alternatives == 0 ? ", or " : ", ") << a.name;
        ++alternatives;
    }
    const std::string colour = attribute(t, "colour");
    const std::string colour2 = attribute(t, "colour_secondary");
    if (!colour.empty())
        s << "; " << colour << (colour2.empty() || colour2 == colour ? "" : " and " + colour2);
    const std::string size = attribute(t, "size");
    if (!size.empty())
        s << "; " << size;
    const std::string motion = attribute(t, "motion");
    const std::string direction = attribute(t, "direction");
    if (!motion.empty() || !direction.empty()) {
        s << "; " << motion;
        if (!direction.empty() && motion != "static")
            s << (motion.empty() ? "" : ", ") << "moving " << direction;
    }
    const std::string position = attribute(t, "position");
    if (!position.empty())
        s << "; " << dashesToSpaces(position);
    return s.str();
}

float parsePercent(const std::string &s, float fallback)
{
    if (s.empty())
        return fallback;
    char *end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (end == s.c_str() || !std::isfinite(v))
        return fallback;
    const bool percent = end && *end == '%';
    return std::clamp(static_cast<float>(percent ? v / 100.0 : v), 0.f, 1.f);
}

} // namespace

float durationShare(const Track &track, const Twin &twin)
{
    float fallback = 0.5f;
    if (twin.video.frameCount > 0)
        fallback = std::clamp(static_cast<float>(track.lastFrame - track.firstFrame + 1) /
                                  static_cast<float>(twin.video.frameCount),
                              0.f, 1.f);
    auto it = track.attributes.find("duration_share");
    return it == track.attributes.end() ? fallback : parsePercent(it->second.value, fallback);
}

float trackSalience(const Track &track, const Twin &twin)
{
    // Geometric mean of time and area coverage, area saturating at a tenth of the frame: a person crossing the
    // whole clip at 4 % of the frame is salient, a speck seen in two frames is not. The floor keeps every
    // detected object findable; salience only breaks near-ties in the search.
    const float time = durationShare(track, twin);
    const float area = std::min(1.f, std::sqrt(std::max(0.f, track.meanAreaFraction) / 0.1f));
    return std::clamp(0.25f + 0.75f * std::sqrt(time * area), 0.25f, 1.f);
}

std::vector<std::pair<TrackId, TrackId>> relationRefPairs(const std::string &ref)
{
    std::vector<std::pair<TrackId, TrackId>> out;
    std::stringstream ss(ref);
    std::string part;
    while (std::getline(ss, part, ';')) {
        const size_t a = part.find(':');
        const size_t b = part.rfind(':');
        if (a == std::string::npos || b == a)
            continue;
        out.emplace_back(std::atoll(part.substr(0, a).c_str()), std::atoll(part.substr(b + 1).c_str()));
    }
    return out;
}

std::vector<Component> componentsOf(const Twin &twin, const ComponentOptions &options)
{
    std::vector<Component> out;
    std::map<TrackId, float> salience;
    for (const Track &t : twin.tracks) {
        Component c;
        c.kind = "object";
        c.ref = std::to_string(t.id);
        c.text = objectText(t, options);
        c.weight = trackSalience(t, twin);
        salience[t.id] = c.weight;
        out.push_back(std::move(c));
    }

    // Relations with the same labels ("person left of car" for several pairs) are one component: the coarse stage
    // asks whether the video has such a relation, and the ref keeps every pair for grounding.
    std::map<std::string, size_t> relationIndex;
    for (const Relationship &r : twin.relationships) {
        const Track *subject = twin.track(r.subject);
        if (!subject)
            continue;
        const Track *object = r.object ? twin.track(r.object) : nullptr;
        if (r.object && !object)
            continue;
        std::string text = subject->category.name + " " + r.predicate;
        if (object)
            text += " " + object->category.name;
        const float subjectWeight = salience.count(r.subject) ? salience[r.subject] : 0.25f;
        const float objectWeight = object && salience.count(r.object) ? salience[r.object] : subjectWeight;
        // Appearing and disappearing say little about a video; a relation between two objects says more.
        float weight = std::clamp(r.confidence, 0.f, 1.f) * std::sqrt(std::min(subjectWeight, objectWeight)) *
                       (object ? 1.f : 0.5f);
        weight = std::clamp(weight, 0.05f, 1.f);
        const std::string ref = std::to_string(r.subject) + ":" + r.predicate + ":" + std::to_string(r.object);
        auto it = relationIndex.find(text);
        if (it != relationIndex.end()) {
            Component &c = out[it->second];
            c.ref += ";" + ref;
            c.weight = std::max(c.weight, weight);
            continue;
        }
        Component c;
        c.kind = "relation";
        c.ref = ref;
        c.text = std::move(text);
        c.weight = weight;
        relationIndex.emplace(c.text, out.size());
        out.push_back(std::move(c));
    }

    float topScene = 0.f;
    for (const Label &l : twin.scene)
        topScene = std::max(topScene, l.score);
    int scenes = 0;
    for (size_t i = 0; i < twin.scene.size() && scenes < options.maxSceneLabels; ++i) {
        const Label &l = twin.scene[i];
        if (l.name.empty() || l.score < options.sceneMinScore)
            continue;
        Component c;
        c.kind = "scene";
        c.ref = "scene:" + std::to_string(i);
        c.text = l.name;
        c.weight = topScene > 0.f ? std::clamp(l.score / topScene, 0.05f, 1.f) : 1.f;
        out.push_back(std::move(c));
        ++scenes;
    }

    for (size_t i = 0; i < twin.observations.size(); ++i) {
        const Observation &o = twin.observations[i];
        if (o.text.empty() || (o.kind != "ocr" && o.kind != "description"))
            continue;
        Component c;
        c.kind = "text";
        c.ref = "observation:" + std::to_string(i);
        c.text = o.text.substr(0, options.maxTextChars);
        c.weight = std::clamp(o.confidence > 0.f ? o.confidence : 0.5f, 0.05f, 1.f);
        out.push_back(std::move(c));
    }
    return out;
}

} // namespace ts
