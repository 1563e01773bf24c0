#include "refine/specialist.h"

#include "refine/twinaccess.h"
#include "vision/relations.h"

#include <algorithm>
#include <set>

namespace ts {

using namespace refine;

Status applyRefinement(Twin &twin, const RefinementOutcome &outcome)
{
    const int W = twin.video.width, H = twin.video.height;
    auto maskFits = [W, H](const Instance &in) {
        return in.mask.counts().empty() || (in.mask.height() == H && in.mask.width() == W && in.mask.isValid());
    };
    // Check everything first: a refinement that does not fit changes nothing.
    for (const InstanceUpdate &u : outcome.replacedInstances) {
        const FrameRecord *r = recordAt(twin, u.frameIndex);
        if (!r)
            return Status::error("the twin has no analysed frame " + std::to_string(u.frameIndex));
        if (!instanceIn(*r, u.instance.trackId))
            return Status::error("frame " + std::to_string(u.frameIndex) + " has no instance of track " +
                                 std::to_string(u.instance.trackId));
        if (!maskFits(u.instance))
            return Status::error("a mask on frame " + std::to_string(u.frameIndex) + " is not of the video's size");
    }
    std::set<TrackId> known;
    for (const Track &t : twin.tracks)
        known.insert(t.id);
    for (const Track &t : outcome.newTracks)
        if (!known.insert(t.id).second)
            return Status::error("new track " + std::to_string(t.id) + " already exists");
    const FrameIndex end = lastFrameOf(twin);
    for (const FrameRecord &f : outcome.frames) {
        if (f.frameIndex < 0 || (end >= 0 && f.frameIndex > end))
            return Status::error("frame " + std::to_string(f.frameIndex) + " is outside the video");
        for (const Instance &in : f.instances) {
            if (!known.count(in.trackId))
                return Status::error("frame " + std::to_string(f.frameIndex) + " refers to unknown track " +
                                     std::to_string(in.trackId));
            if (!maskFits(in))
                return Status::error("a mask on frame " + std::to_string(f.frameIndex) + " is not of the video's size");
        }
    }
    for (const Observation &o : outcome.observations)
        if (o.trackId != 0 && !known.count(o.trackId))
            return Status::error("an observation refers to unknown track " + std::to_string(o.trackId));

    for (const InstanceUpdate &u : outcome.replacedInstances) {
        auto it = std::lower_bound(twin.frames.begin(), twin.frames.end(), u.frameIndex,
                                   [](const FrameRecord &f, FrameIndex x) { return f.frameIndex < x; });
        for (Instance &in : it->instances)
            if (in.trackId == u.instance.trackId)
                in = u.instance;
    }

    for (const Track &t : outcome.newTracks)
        twin.tracks.push_back(t);
    std::sort(twin.tracks.begin(), twin.tracks.end(), [](const Track &a, const Track &b) { return a.id < b.id; });
    std::set<TrackId> fresh;
    for (const Track &t : outcome.newTracks)
        fresh.insert(t.id);
    for (const FrameRecord &f : outcome.frames) {
        auto it = std::lower_bound(twin.frames.begin(), twin.frames.end(), f.frameIndex,
                                   [](const FrameRecord &r, FrameIndex x) { return r.frameIndex < x; });
        const bool exists = it != twin.frames.end() && it->frameIndex == f.frameIndex;
        const bool wasDetected = exists && it->detected;
        // Tracks the twin had: the new frame is one more detection where there was none on this frame.
        for (const Instance &in : f.instances) {
            if (fresh.count(in.trackId))
                continue;
            Track *t = nullptr;
            for (Track &c : twin.tracks)
                if (c.id == in.trackId)
                    t = &c;
            const bool counted = wasDetected && instanceIn(*it, in.trackId);
            if (!counted && f.detected)
                ++t->observations;
            t->firstFrame = std::min(t->firstFrame, f.frameIndex);
            t->lastFrame = std::max(t->lastFrame, f.frameIndex);
            auto p = std::lower_bound(t->path.begin(), t->path.end(), f.frameIndex,
                                      [](const PathPoint &q, FrameIndex x) { return q.frameIndex < x; });
            if (p == t->path.end() || p->frameIndex != f.frameIndex)
                t->path.insert(p, {f.frameIndex, in.centroidX, in.centroidY});
        }
        if (f.detected && !wasDetected)
            ++twin.sampling.analysedFrames;
        if (exists)
            *it = f;
        else
            twin.frames.insert(it, f);
    }

    for (const Observation &o : outcome.observations) {
        auto same = [&o](const Observation &x) {
            return x.kind == o.kind && x.text == o.text && x.trackId == o.trackId && x.firstFrame == o.firstFrame &&
                   x.lastFrame == o.lastFrame;
        };
        const bool duplicate = std::any_of(twin.observations.begin(), twin.observations.end(), same);
        if (!duplicate)
            twin.observations.push_back(o);
    }

    if (!outcome.frames.empty() || !outcome.replacedInstances.empty()) {
        // Geometric relationships follow the frames; ones other sources stated stay.
        std::vector<Relationship> kept;
        for (const Relationship &r : twin.relationships)
            if (r.source != "geometry")
                kept.push_back(r);
        for (Relationship &r : extractRelationships(twin))
            kept.push_back(std::move(r));
        twin.relationships = std::move(kept);
    }
    if (!outcome.frames.empty())
        twin.sampling.notes += "; frames " + windowText(outcome.window) + " sampled densely on demand";
    for (const std::string &e : outcome.errors)
        appendError(twin.errors, outcome.specialist + " refinement: " + e);

    const std::string role = "refine:" + outcome.specialist;
    RoleRecord record{role, outcome.model, outcome.runtime, "ok (on demand)"};
    auto r = std::find_if(twin.roles.begin(), twin.roles.end(),
                          [&role](const RoleRecord &x) { return x.role == role; });
    if (r == twin.roles.end())
        twin.roles.push_back(record);
    else
        *r = record;
    return Status::ok();
}

} // namespace ts
