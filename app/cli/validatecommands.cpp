// `twinseek-cli validate-twins`: every stored twin loads, survives a JSON round trip and keeps the twin's
// invariants. A check for the library after refinements, migrations and crashes, and for tests.
#include "commands.h"

#include "twin/twin.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <set>

namespace ts::cli {

std::vector<std::string> twinProblems(const Twin &twin)
{
    std::vector<std::string> problems;
    auto note = [&problems](const std::string &p) { problems.push_back(p); };
    const int W = twin.video.width, H = twin.video.height;
    if (W <= 0 || H <= 0)
        note("video size " + std::to_string(W) + "x" + std::to_string(H) + " is not positive");
    if (twin.video.frameCount <= 0)
        note("frame count " + std::to_string(twin.video.frameCount) + " is not positive");

    std::set<TrackId> tracks;
    for (const Track &t : twin.tracks) {
        if (!tracks.insert(t.id).second)
            note("track " + std::to_string(t.id) + " appears twice");
        if (t.firstFrame > t.lastFrame)
            note("track " + std::to_string(t.id) + " ends before it starts");
    }
    FrameIndex previous = -1;
    for (const FrameRecord &f : twin.frames) {
        const std::string where = "frame " + std::to_string(f.frameIndex);
        if (f.frameIndex <= previous)
            note(where + " does not follow frame " + std::to_string(previous));
        if (f.frameIndex < 0 || (twin.video.frameCount > 0 && f.frameIndex >= twin.video.frameCount))
            note(where + " is outside the video's " + std::to_string(twin.video.frameCount) + " frames");
        previous = f.frameIndex;
        std::set<TrackId> onFrame;
        for (const Instance &in : f.instances) {
            const std::string who = where + ", track " + std::to_string(in.trackId);
            if (!tracks.count(in.trackId))
                note(who + ": no such track");
            if (!onFrame.insert(in.trackId).second)
                note(who + ": two instances of one track");
            if (!(in.centroidX >= 0.f && in.centroidX <= 1.f && in.centroidY >= 0.f && in.centroidY <= 1.f))
                note(who + ": centroid (" + std::to_string(in.centroidX) + ", " + std::to_string(in.centroidY) +
                     ") is outside 0..1");
            if (!in.mask.counts().empty()) {
                if (in.mask.height() != H || in.mask.width() != W)
                    note(who + ": mask is " + std::to_string(in.mask.width()) + "x" + std::to_string(in.mask.height()) +
                         ", the video " + std::to_string(W) + "x" + std::to_string(H));
                else if (!in.mask.isValid())
                    note(who + ": mask runs do not cover the frame");
                else if (auto decoded = Rle::fromString(in.mask.toString(), H, W); !decoded || !(*decoded == in.mask))
                    note(who + ": mask does not decode to itself");
            }
        }
    }
    for (const Relationship &r : twin.relationships) {
        const std::string what = "relationship '" + r.predicate + "'";
        if (!tracks.count(r.subject))
            note(what + " has no subject track " + std::to_string(r.subject));
        if (r.object != 0 && !tracks.count(r.object))
            note(what + " has no object track " + std::to_string(r.object));
        if (r.firstFrame > r.lastFrame)
            note(what + " ends before it starts");
    }
    for (const Observation &o : twin.observations)
        if (o.trackId != 0 && !tracks.count(o.trackId))
            note("observation '" + o.kind + "' refers to no track " + std::to_string(o.trackId));

    // The JSON form is the exchange format (LLM prompts, export): it must carry the twin exactly. Checked last,
    // as its reader also rejects some of the defects above, which are then already named.
    const nlohmann::json j = toJson(twin);
    auto back = twinFromJson(j);
    if (!back)
        note("its JSON does not read back: " + back.message());
    else if (toJson(*back) != j)
        note("its JSON changes in a round trip");
    return problems;
}

int validateTwins(Services &, const QStringList &args)
{
    QCommandLineParser p;
    p.addOption(dbOption());
    p.addOption({"all-problems", "List every problem of an invalid twin (default: the first five)."});
    if (!parse(p, args, "validate-twins", ""))
        return 2;
    auto store = openDb(p, LibraryAccess::ReadOnly);
    if (!store)
        return fail(store.message());
    int valid = 0, invalid = 0, failed = 0;
    const size_t shown = p.isSet("all-problems") ? SIZE_MAX : 5;
    for (const VideoRow &row : (*store)->videos()) {
        if (row.status == VideoStatus::Failed) {
            ++failed;
            std::printf("skipped %s: ingest failed, no twin (%s)\n", row.key.c_str(), row.error.c_str());
            continue;
        }
        auto twin = (*store)->loadTwin(row.key);
        std::vector<std::string> problems;
        if (!twin)
            problems.push_back("does not load: " + twin.message());
        else
            problems = twinProblems(*twin);
        if (problems.empty()) {
            ++valid;
            std::printf("ok      %s (%zu frames, %zu tracks, %zu observations)\n", row.key.c_str(),
                        twin->frames.size(), twin->tracks.size(), twin->observations.size());
            continue;
        }
        ++invalid;
        std::string text;
        for (size_t i = 0; i < problems.size() && i < shown; ++i)
            text += (i ? "; " : "") + problems[i];
        if (problems.size() > shown)
            text += "; and " + std::to_string(problems.size() - shown) + " more";
        std::printf("INVALID %s: %s\n", row.key.c_str(), text.c_str());
    }
    std::printf("%d twins valid, %d invalid, %d videos without a twin\n", valid, invalid, failed);
    return invalid == 0 ? 0 : 3;
}

} // namespace ts::cli
