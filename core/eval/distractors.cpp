#include "distractors.h"

#include <algorithm>
#include <random>

namespace ts {

namespace {

const char *const kColours[] = {"black", "white", "grey", "red", "orange", "yellow", "green", "blue",
                                "purple", "pink", "brown", "beige", "navy", "teal"};
const char *const kMotion[] = {"static", "slow", "fast"};
const char *const kDirection[] = {"left", "right", "up", "down", "towards camera", "away from camera", "none"};
const char *const kPredicates[] = {"left of", "above", "near", "overlapping", "in front of", "riding", "carrying"};

} // namespace

bool isSyntheticTwin(const Twin &twin) { return twin.video.key.rfind(kSyntheticKeyPrefix, 0) == 0; }

std::vector<Twin> makeDistractorTwins(int count, const DistractorVocabulary &vocab, uint64_t seed)
{
    std::vector<Twin> out;
    if (vocab.objects.empty())
        return out;
    std::mt19937_64 rng(seed);
    auto pick = [&rng](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
    auto uniform = [&rng](float a, float b) { return std::uniform_real_distribution<float>(a, b)(rng); };
    const int width = 854, height = 480;
    for (int v = 0; v < count; ++v) {
        Twin t;
        char key[32];
        std::snprintf(key, sizeof key, "%s%06d", kSyntheticKeyPrefix, v);
        t.video.key = key;
        t.video.path = std::string("synthetic://") + key;
        t.video.contentHash = std::string("synthetic:") + std::to_string(seed) + ":" + std::to_string(v);
        t.video.width = width;
        t.video.height = height;
        t.video.fps = 24;
        const int frames = 20 + static_cast<int>(pick(41));
        t.video.frameCount = frames * 4;
        t.video.durationMs = static_cast<int64_t>(t.video.frameCount * 1000 / 24);
        t.video.codec = "synthetic";
        t.sampling.detectFps = 6;
        t.sampling.analysedFrames = frames;
        t.sampling.notes = "synthetic distractor: no video behind this twin";
        t.roles.push_back({"synthetic", "distractor-generator", "", "ok"});
        const int nTracks = 1 + static_cast<int>(pick(4));
        struct Motion {
            float x, y, vx, vy, w, h;
        };
        std::vector<Motion> motion;
        for (int k = 0; k < nTracks; ++k) {
            Track tr;
            tr.id = k + 1;
            const Label &main = vocab.objects[pick(vocab.objects.size())];
            tr.category = main;
            tr.category.score = uniform(0.4f, 0.95f);
            tr.category.model = "synthetic";
            for (int a = 0; a < 3; ++a) {
                const Label &alt = vocab.objects[pick(vocab.objects.size())];
                if (alt.name != main.name)
                    tr.category.alternatives.push_back({alt.name, alt.synset, uniform(0.01f, 0.3f)});
            }
            tr.attributes["colour"] = {kColours[pick(std::size(kColours))], "synthetic"};
            tr.attributes["motion"] = {kMotion[pick(std::size(kMotion))], "synthetic"};
            tr.attributes["direction"] = {kDirection[pick(std::size(kDirection))], "synthetic"};
            tr.attributes["size"] = {"medium", "synthetic"};
            tr.attributes["duration_share"] = {std::to_string(50 + static_cast<int>(pick(51))) + "%", "synthetic"};
            tr.firstFrame = 0;
            tr.lastFrame = (frames - 1) * 4;
            tr.observations = frames;
            const float w = uniform(0.1f, 0.45f) * width, h = uniform(0.15f, 0.6f) * height;
            motion.push_back({uniform(0, width - w), uniform(0, height - h), uniform(-4, 4), uniform(-2, 2), w, h});
            tr.meanAreaFraction = w * h / (width * height);
            t.tracks.push_back(tr);
        }
        for (int f = 0; f < frames; ++f) {
            FrameRecord r;
            r.frameIndex = f * 4;
            r.timeMs = r.frameIndex * 1000 / 24;
            for (int k = 0; k < nTracks; ++k) {
                Motion &m = motion[static_cast<size_t>(k)];
                m.x = std::clamp(m.x + m.vx, 0.f, width - m.w);
                m.y = std::clamp(m.y + m.vy, 0.f, height - m.h);
                Instance in;
                in.trackId = k + 1;
                in.category = t.tracks[static_cast<size_t>(k)].category;
                in.box = {m.x, m.y, m.w, m.h};
                in.mask = Rle::fromBox(in.box, height, width);
                in.maskSource = "synthetic box";
                in.areaPx = static_cast<int64_t>(in.mask.area());
                in.centroidX = (m.x + m.w / 2) / width;
                in.centroidY = (m.y + m.h / 2) / height;
                in.depth = {1.f - (m.y + m.h) / height, "proxy"};
                r.instances.push_back(in);
            }
            t.frames.push_back(r);
        }
        for (int k = 0; k < nTracks; ++k) {
            Track &tr = t.tracks[static_cast<size_t>(k)];
            for (const FrameRecord &r : t.frames)
                for (const Instance &in : r.instances)
                    if (in.trackId == tr.id && (tr.path.empty() || r.frameIndex - tr.path.back().frameIndex >= 16))
                        tr.path.push_back({r.frameIndex, in.centroidX, in.centroidY});
        }
        if (!vocab.scenes.empty())
            for (int s = 0; s < 3; ++s) {
                Label l = vocab.scenes[pick(vocab.scenes.size())];
                l.score = uniform(0.05f, 0.6f);
                l.model = "synthetic";
                t.scene.push_back(l);
            }
        for (int k = 1; k < nTracks; ++k) {
            Relationship rel;
            rel.subject = k + 1;
            rel.object = 1;
            rel.predicate = kPredicates[pick(std::size(kPredicates))];
            rel.firstFrame = 0;
            rel.lastFrame = t.tracks.front().lastFrame;
            rel.source = "synthetic";
            t.relationships.push_back(rel);
        }
        out.push_back(std::move(t));
    }
    return out;
}

} // namespace ts
