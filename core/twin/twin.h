// The digital twin of one video: what the specialists saw, frame by frame, in a form an LLM can read.
//
// Design note: the twin is a plain value (copyable, no Qt, no OpenCV) so every stage can build, store,
// compact and reason over it on any thread. Every field that a model produced names that model (or "proxy"
// when no model was available for the role), so the reasoning stage can weigh and doubt it.
#pragma once

#include "base/result.h"
#include "base/rle.h"
#include "base/types.h"

#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace ts {

constexpr int kTwinSchemaVersion = 1;

struct LabelAlternative {
    std::string name;
    std::string synset; ///< WordNet 3.0 noun offset id, e.g. "n02132136", empty when unknown
    float score = 0.f;
};

struct Label {
    std::string name;
    std::string synset;
    float score = 0.f;
    std::string model;
    std::vector<LabelAlternative> alternatives; ///< top-k from the model(s), best first
};

struct Attribute {
    std::string value;
    std::string source; ///< model or algorithm that produced it
    float confidence = 1.f;
};
using AttributeMap = std::map<std::string, Attribute>;

struct Depth {
    float value = 0.f; ///< relative depth, 0 = nearest, 1 = farthest in this video
    std::string source; ///< "proxy" when estimated from geometry, else the model id
};

struct Instance {
    TrackId trackId = 0;
    Label category;
    AttributeMap attributes;
    Rle mask;
    std::string maskSource;
    Box box;
    float centroidX = 0.f; ///< normalised 0..1 of the frame width
    float centroidY = 0.f;
    Depth depth;
    int64_t areaPx = 0;
};

struct FrameRecord {
    FrameIndex frameIndex = 0;
    int64_t timeMs = 0;
    bool keyframe = false; ///< the expensive mask model ran on this frame (others are propagated)
    bool detected = true; ///< detectors ran here; false for frames whose masks were only propagated (optical flow)
    std::vector<Instance> instances;
};

struct PathPoint {
    FrameIndex frameIndex = 0;
    float x = 0.f; ///< normalised centroid
    float y = 0.f;
};

struct Track {
    TrackId id = 0;
    Label category;
    AttributeMap attributes; ///< aggregated over the track (dominant colour, size class, motion...)
    FrameIndex firstFrame = 0;
    FrameIndex lastFrame = 0;
    int observations = 0;
    std::vector<PathPoint> path; ///< sampled centroid path
    float meanSpeed = 0.f; ///< frame widths per second
    float directionDeg = 0.f; ///< 0 = right, 90 = down (image coordinates)
    float meanAreaFraction = 0.f;
};

struct Relationship {
    TrackId subject = 0;
    std::string predicate;
    TrackId object = 0; ///< 0 for unary events (appearing, disappearing)
    FrameIndex firstFrame = 0;
    FrameIndex lastFrame = 0;
    float confidence = 1.f;
    std::string source;
};

/// Text or description obtained for a window of the video (OCR, VLM description), from ingest or refinement.
struct Observation {
    std::string kind; ///< "ocr", "description", "face", ...
    std::string text; ///< data from the video: never instructions
    TrackId trackId = 0;
    FrameIndex firstFrame = 0;
    FrameIndex lastFrame = 0;
    Box box;
    float confidence = 0.f;
    std::string source;
};

/// What ran for a role, so gaps are visible ("depth": source "proxy", status "no model").
struct RoleRecord {
    std::string role;
    std::string model;
    std::string runtime;
    std::string status; ///< "ok", "proxy", "disabled" or "error: ..."
};

struct VideoInfo {
    std::string key; ///< file stem, unique in a library
    std::string path;
    std::string contentHash;
    int64_t fileSize = 0;
    int64_t durationMs = 0;
    double fps = 0.0;
    int width = 0;
    int height = 0;
    int rotation = 0;
    int64_t frameCount = 0;
    std::string codec;
};

struct Sampling {
    double detectFps = 0.0;
    double keyframeFps = 0.0;
    int analysedFrames = 0;
    std::string notes;
};

struct Twin {
    int schemaVersion = kTwinSchemaVersion;
    VideoInfo video;
    Sampling sampling;
    std::vector<RoleRecord> roles;
    std::vector<Label> scene; ///< whole-frame labels (places, scene objects)
    std::vector<FrameRecord> frames;
    std::vector<Track> tracks;
    std::vector<Relationship> relationships;
    std::vector<Observation> observations;
    std::vector<std::string> errors; ///< per-role failures that did not stop the rest

    const Track *track(TrackId id) const;
    /// The video's last frame; when its length is unknown, the last frame the twin mentions (frames and tracks).
    FrameIndex lastKnownFrame() const;
    /// Index into frames of the analysed frame nearest to frameIndex (-1 if none).
    int nearestFrame(FrameIndex frameIndex) const;
    /// Union of the masks of the given tracks on the analysed frame nearest to frameIndex.
    Rle maskOf(const std::vector<TrackId> &tracks, FrameIndex frameIndex) const;
};

/// Serialisation. fromJson checks types and sizes and says what is wrong and where.
nlohmann::json toJson(const Twin &twin);
Result<Twin> twinFromJson(const nlohmann::json &j);
Result<Twin> twinFromJsonText(const std::string &text);
std::string toJsonText(const Twin &twin, int indent = -1);

nlohmann::json toJson(const Rle &rle);
Result<Rle> rleFromJson(const nlohmann::json &j);
nlohmann::json toJson(const Label &label);
Result<Label> labelFromJson(const nlohmann::json &j);
nlohmann::json toJson(const AttributeMap &attributes);
Result<AttributeMap> attributesFromJson(const nlohmann::json &j);

} // namespace ts
