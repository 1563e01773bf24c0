#include "relations.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>
#include <unordered_map>

namespace ts {

namespace {

struct Obs {
    const Instance *in;
    float vx = 0.f, vy = 0.f; // normalised units per second
    bool hasVelocity = false;
};

using Key = std::tuple<TrackId, std::string, TrackId>;

/// What the geometry of the analysed frames says, before it is grouped into spans.
struct Facts {
    std::map<Key, std::vector<size_t>> facts; ///< predicate -> positions among the detected frames
    std::map<std::pair<TrackId, TrackId>, std::vector<std::pair<size_t, float>>> distances;
};

/// The instances of one frame with their velocities since each track was last seen, largest first.
std::vector<Obs> observationsOf(const FrameRecord &f, double fps, int maxTracks,
                                std::unordered_map<TrackId, std::pair<FrameIndex, std::pair<float, float>>> &last)
{
    std::vector<Obs> obs;
    for (const Instance &in : f.instances) {
        Obs o{&in};
        auto it = last.find(in.trackId);
        if (it != last.end() && f.frameIndex > it->second.first) {
            const float dt = static_cast<float>((f.frameIndex - it->second.first) / fps);
            o.vx = (in.centroidX - it->second.second.first) / dt;
            o.vy = (in.centroidY - it->second.second.second) / dt;
            o.hasVelocity = true;
        }
        last[in.trackId] = {f.frameIndex, {in.centroidX, in.centroidY}};
        obs.push_back(o);
    }
    std::sort(obs.begin(), obs.end(), [](const Obs &a, const Obs &b) { return a.in->box.area() > b.in->box.area(); });
    if (static_cast<int>(obs.size()) > maxTracks)
        obs.resize(static_cast<size_t>(maxTracks));
    return obs;
}

/// The relations between two instances of the frame at position fi, a relating to b.
void relatePair(const Obs &oa, const Obs &ob, size_t fi, int W, int H, Facts &out)
{
    auto &facts = out.facts;
    auto &distances = out.distances;
    const Instance &a = *oa.in, &b = *ob.in;
    const TrackId ta = a.trackId, tb = b.trackId;
    const float dx = b.centroidX - a.centroidX, dy = b.centroidY - a.centroidY;
    const Box inter = a.box.intersected(b.box);
    const float vOverlap = std::max(0.f, std::min(a.box.bottom(), b.box.bottom()) - std::max(a.box.y, b.box.y)) /
                           std::max(1.f, std::min(a.box.h, b.box.h));
    const float hOverlap = std::max(0.f, std::min(a.box.right(), b.box.right()) - std::max(a.box.x, b.box.x)) /
                           std::max(1.f, std::min(a.box.w, b.box.w));
    // Directional facts once per unordered pair (their inverses are implied).
    if (ta < tb) {
        if (dx > 0.08f && vOverlap > 0.2f)
            facts[{ta, "left of", tb}].push_back(fi);
        else if (dx < -0.08f && vOverlap > 0.2f)
            facts[{tb, "left of", ta}].push_back(fi);
        if (dy > 0.08f && hOverlap > 0.2f)
            facts[{ta, "above", tb}].push_back(fi);
        else if (dy < -0.08f && hOverlap > 0.2f)
            facts[{tb, "above", ta}].push_back(fi);
        if (inter.area() > 0.f && std::abs(a.depth.value - b.depth.value) > 0.1f) {
            if (a.depth.value < b.depth.value)
                facts[{ta, "in front of", tb}].push_back(fi);
            else
                facts[{tb, "in front of", ta}].push_back(fi);
        }
        const float iou = boxIou(a.box, b.box);
        if (iou > 0.1f)
            facts[{ta, "overlapping", tb}].push_back(fi);
        // Gap between boxes relative to the smaller object's size.
        const float gapX = std::max(0.f, std::max(a.box.x, b.box.x) - std::min(a.box.right(), b.box.right()));
        const float gapY = std::max(0.f, std::max(a.box.y, b.box.y) - std::min(a.box.bottom(), b.box.bottom()));
        const float small = std::sqrt(std::min(a.box.area(), b.box.area()));
        if (std::hypot(gapX, gapY) < 0.5f * small)
            facts[{ta, "near", tb}].push_back(fi);
        distances[{ta, tb}].push_back({fi, std::hypot(dx * W, dy * H) / W});
    }
    // Containment and joint motion (ordered: a relates to b).
    const float containedA = inter.area() / std::max(1.f, a.box.area());
    const bool smaller = a.box.area() < 0.8f * b.box.area();
    const bool joint = oa.hasVelocity && ob.hasVelocity &&
                       std::hypot(oa.vx, oa.vy) > 0.04f && std::hypot(ob.vx, ob.vy) > 0.04f &&
                       std::hypot(oa.vx - ob.vx, oa.vy - ob.vy) <
                           0.5f * std::max(std::hypot(oa.vx, oa.vy), std::hypot(ob.vx, ob.vy));
    if (containedA > 0.9f && smaller && !joint)
        facts[{ta, "inside", tb}].push_back(fi);
    // a rides b: a sits on b's upper part, overlapping horizontally, both moving together.
    const bool onTop = a.box.centerY() < b.box.centerY() && a.box.bottom() > b.box.y &&
                       a.box.bottom() < b.box.y + 0.75f * b.box.h && hOverlap > 0.5f;
    if (onTop && joint)
        facts[{ta, "riding", tb}].push_back(fi);
    // a carries b: a smaller object held within a larger one's extent, moving with it.
    const float containedB = inter.area() / std::max(1.f, b.box.area());
    if (containedB > 0.6f && b.box.area() < 0.5f * a.box.area() && joint)
        facts[{ta, "carrying", tb}].push_back(fi);
}

/// Facts held over runs of detected frames (gaps up to the tolerance bridged) become relationships.
void factsToSpans(const Facts &found, const Twin &twin, const std::vector<size_t> &detected,
                  const RelationConfig &config, std::vector<Relationship> &out)
{
    const size_t n = detected.size();
    const auto &facts = found.facts;
    auto spans = [&](const std::vector<size_t> &positions) {
        std::vector<std::pair<size_t, size_t>> s;
        for (size_t p : positions) {
            if (!s.empty() && p <= s.back().second + static_cast<size_t>(config.gapTolerance) + 1)
                s.back().second = p;
            else
                s.push_back({p, p});
        }
        return s;
    };
    for (const auto &[key, positions] : facts) {
        for (const auto &[a, b] : spans(positions)) {
            const int count = static_cast<int>(std::count_if(positions.begin(), positions.end(),
                                                             [a = a, b = b](size_t p) { return p >= a && p <= b; }));
            if (count < config.minSpanObservations && n > 1)
                continue;
            Relationship r;
            r.subject = std::get<0>(key);
            r.predicate = std::get<1>(key);
            r.object = std::get<2>(key);
            r.firstFrame = twin.frames[detected[a]].frameIndex;
            r.lastFrame = twin.frames[detected[b]].frameIndex;
            r.confidence = std::min(1.f, static_cast<float>(count) / static_cast<float>(b - a + 1));
            r.source = "geometry";
            out.push_back(r);
        }
    }
}

/// Approaching / moving away: the distance trend over windows of about a second.
void distanceTrends(const Facts &found, const Twin &twin, const std::vector<size_t> &detected,
                    std::vector<Relationship> &out)
{
    const size_t n = detected.size();
    const auto &distances = found.distances;
    for (const auto &[pair, series] : distances) {
        if (series.size() < 3)
            continue;
        const size_t win = std::max<size_t>(3, static_cast<size_t>(std::round(n / std::max(1.0, twin.video.durationMs / 1000.0))));
        size_t i = 0;
        while (i + 1 < series.size()) {
            const size_t j = std::min(series.size() - 1, i + win);
            const float change = series[j].second - series[i].second;
            if (std::abs(change) > 0.12f) {
                Relationship r;
                r.subject = pair.first;
                r.object = pair.second;
                r.predicate = change < 0 ? "approaching" : "moving away from";
                r.firstFrame = twin.frames[detected[series[i].first]].frameIndex;
                r.lastFrame = twin.frames[detected[series[j].first]].frameIndex;
                r.confidence = std::min(1.f, std::abs(change) / 0.3f);
                r.source = "geometry";
                if (!out.empty() && out.back().subject == r.subject && out.back().object == r.object &&
                    out.back().predicate == r.predicate && out.back().lastFrame >= r.firstFrame)
                    out.back().lastFrame = r.lastFrame;
                else
                    out.push_back(r);
            }
            i = j;
        }
    }
}

/// Tracks that start after the first or end before the last analysed frame.
void unaryEvents(const Twin &twin, const std::vector<size_t> &detected, std::vector<Relationship> &out)
{
    const size_t n = detected.size();
    const FrameIndex firstAnalysed = twin.frames[detected.front()].frameIndex;
    const FrameIndex lastAnalysed = twin.frames[detected.back()].frameIndex;
    const FrameIndex margin = n > 1 ? (twin.frames[detected[1]].frameIndex - firstAnalysed) * 2 : 1;
    for (const Track &t : twin.tracks) {
        if (t.firstFrame > firstAnalysed + margin)
            out.push_back({t.id, "appears", 0, t.firstFrame, t.firstFrame, 1.f, "tracking"});
        if (t.lastFrame < lastAnalysed - margin)
            out.push_back({t.id, "disappears", 0, t.lastFrame, t.lastFrame, 1.f, "tracking"});
    }
}

} // namespace

std::vector<Relationship> extractRelationships(const Twin &twin, const RelationConfig &config)
{
    std::vector<Relationship> out;
    const int W = std::max(1, twin.video.width), H = std::max(1, twin.video.height);
    const double fps = twin.video.fps > 0 ? twin.video.fps : 25.0;
    // Only frames where detectors ran carry evidence; positions below index this list.
    std::vector<size_t> detected;
    for (size_t i = 0; i < twin.frames.size(); ++i)
        if (twin.frames[i].detected)
            detected.push_back(i);
    if (detected.empty())
        return out;
    // Per track: last centroid seen, to derive velocities.
    std::unordered_map<TrackId, std::pair<FrameIndex, std::pair<float, float>>> last;
    Facts facts;
    for (size_t fi = 0; fi < detected.size(); ++fi) {
        const std::vector<Obs> obs =
            observationsOf(twin.frames[detected[fi]], fps, config.maxTracksPerFrame, last);
        for (size_t i = 0; i < obs.size(); ++i)
            for (size_t j = 0; j < obs.size(); ++j)
                if (i != j)
                    relatePair(obs[i], obs[j], fi, W, H, facts);
    }
    factsToSpans(facts, twin, detected, config, out);
    distanceTrends(facts, twin, detected, out);
    unaryEvents(twin, detected, out);
    return out;
}

} // namespace ts
