#include "twin.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <type_traits>

namespace ts {

using json = nlohmann::json;

namespace {

// Parse errors carry the JSON path of the offending field; they never leave this file.
struct ParseError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

const json &field(const json &j, const char *name, const std::string &path)
{
    if (!j.is_object())
        throw ParseError(path + ": expected an object");
    auto it = j.find(name);
    if (it == j.end())
        throw ParseError(path + "." + name + ": missing");
    return *it;
}

/// v as T; a number that T cannot hold is an error, not a conversion (a float of 8e28 read as an integer, or 1e300
/// as a float, is undefined behaviour: found by fuzz/fuzz_twin_json.cpp).
template <class T>
T as(const json &v, const std::string &where)
{
    try {
        if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
            if (!v.is_number())
                return v.get<T>(); // throws type_error with the type's name
            bool fits = true;
            if constexpr (std::is_integral_v<T>) {
                if (v.is_number_float()) {
                    const double d = v.get<double>();
                    fits = std::isfinite(d) && d >= static_cast<double>(std::numeric_limits<T>::min()) &&
                           d <= static_cast<double>(std::numeric_limits<T>::max());
                } else if (v.is_number_unsigned()) {
                    fits = v.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<T>::max());
                } else {
                    const int64_t i = v.get<int64_t>();
                    fits = std::is_signed_v<T> ? i >= static_cast<int64_t>(std::numeric_limits<T>::min()) &&
                                                     i <= static_cast<int64_t>(std::numeric_limits<T>::max())
                                               : i >= 0 && static_cast<uint64_t>(i) <= std::numeric_limits<T>::max();
                }
            } else {
                const double d = v.get<double>();
                fits = !std::isfinite(d) || std::abs(d) <= static_cast<double>(std::numeric_limits<T>::max());
            }
            if (!fits)
                throw ParseError(where + ": " + v.dump() + " is out of range");
        }
        return v.get<T>();
    } catch (const json::exception &) {
        throw ParseError(where + ": wrong type (" + v.type_name() + ")");
    }
}

template <class T>
T get(const json &j, const char *name, const std::string &path)
{
    return as<T>(field(j, name, path), path + "." + name);
}

template <class T>
T getOr(const json &j, const char *name, T fallback, const std::string &path)
{
    if (!j.is_object())
        throw ParseError(path + ": expected an object");
    auto it = j.find(name);
    if (it == j.end() || it->is_null())
        return fallback;
    return as<T>(*it, path + "." + name);
}

const json &arrayField(const json &j, const char *name, const std::string &path, bool required = false)
{
    static const json kEmpty = json::array();
    if (!j.is_object())
        throw ParseError(path + ": expected an object");
    auto it = j.find(name);
    if (it == j.end()) {
        if (required)
            throw ParseError(path + "." + name + ": missing");
        return kEmpty;
    }
    if (!it->is_array())
        throw ParseError(path + "." + name + ": expected an array");
    return *it;
}

float finite(float v, const std::string &path)
{
    if (!std::isfinite(v))
        throw ParseError(path + ": not a finite number");
    return v;
}

json boxToJson(const Box &b) { return json::array({b.x, b.y, b.w, b.h}); }

Box boxFrom(const json &j, const std::string &path)
{
    if (!j.is_array() || j.size() != 4)
        throw ParseError(path + ": expected [x, y, w, h]");
    Box b;
    try {
        b = {j[0].get<float>(), j[1].get<float>(), j[2].get<float>(), j[3].get<float>()};
    } catch (const json::exception &) {
        throw ParseError(path + ": box values must be numbers");
    }
    if (!std::isfinite(b.x) || !std::isfinite(b.y) || !std::isfinite(b.w) || !std::isfinite(b.h) || b.w < 0 || b.h < 0)
        throw ParseError(path + ": invalid box");
    return b;
}

Rle rleFrom(const json &j, const std::string &path)
{
    auto r = rleFromJson(j);
    if (!r)
        throw ParseError(path + ": " + r.message());
    return std::move(r).value();
}

Label labelFrom(const json &j, const std::string &path)
{
    Label l;
    l.name = get<std::string>(j, "name", path);
    l.synset = getOr<std::string>(j, "synset", "", path);
    l.score = finite(getOr<float>(j, "score", 0.f, path), path + ".score");
    l.model = getOr<std::string>(j, "model", "", path);
    const json &alts = arrayField(j, "alternatives", path);
    for (size_t i = 0; i < alts.size(); ++i) {
        const std::string p = path + ".alternatives[" + std::to_string(i) + "]";
        LabelAlternative a;
        a.name = get<std::string>(alts[i], "name", p);
        a.synset = getOr<std::string>(alts[i], "synset", "", p);
        a.score = finite(getOr<float>(alts[i], "score", 0.f, p), p + ".score");
        l.alternatives.push_back(std::move(a));
    }
    return l;
}

AttributeMap attributesFrom(const json &j, const std::string &path)
{
    AttributeMap out;
    if (j.is_null())
        return out;
    if (!j.is_object())
        throw ParseError(path + ": expected an object of attributes");
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string p = path + "." + it.key();
        Attribute a;
        a.value = get<std::string>(it.value(), "value", p);
        a.source = getOr<std::string>(it.value(), "source", "", p);
        a.confidence = finite(getOr<float>(it.value(), "confidence", 1.f, p), p + ".confidence");
        out.emplace(it.key(), std::move(a));
    }
    return out;
}

VideoInfo videoFrom(const json &v)
{
    VideoInfo info;
    info.key = get<std::string>(v, "key", "twin.video");
    if (info.key.empty())
        throw ParseError("twin.video.key: empty");
    info.path = getOr<std::string>(v, "path", "", "twin.video");
    info.contentHash = getOr<std::string>(v, "content_hash", "", "twin.video");
    info.fileSize = getOr<int64_t>(v, "file_size", 0, "twin.video");
    info.durationMs = getOr<int64_t>(v, "duration_ms", 0, "twin.video");
    info.fps = getOr<double>(v, "fps", 0.0, "twin.video");
    info.width = get<int>(v, "width", "twin.video");
    info.height = get<int>(v, "height", "twin.video");
    info.rotation = getOr<int>(v, "rotation", 0, "twin.video");
    info.frameCount = getOr<int64_t>(v, "frame_count", 0, "twin.video");
    info.codec = getOr<std::string>(v, "codec", "", "twin.video");
    if (info.width < 0 || info.height < 0 || !std::isfinite(info.fps) || info.fps < 0)
        throw ParseError("twin.video: invalid size or frame rate");
    return info;
}

/// An instance at path q; its mask must have the video's size.
Instance instanceFrom(const json &ij, const std::string &q, const VideoInfo &video)
{
    Instance in;
    in.trackId = get<int>(ij, "track", q);
    in.category = labelFrom(field(ij, "category", q), q + ".category");
    if (ij.contains("attributes"))
        in.attributes = attributesFrom(ij["attributes"], q + ".attributes");
    if (ij.contains("mask") && !ij["mask"].is_null()) {
        in.mask = rleFrom(ij["mask"], q + ".mask");
        if (in.mask.height() != video.height || in.mask.width() != video.width)
            throw ParseError(q + ".mask: size differs from the video's");
    }
    in.maskSource = getOr<std::string>(ij, "mask_source", "", q);
    in.box = boxFrom(field(ij, "box", q), q + ".box");
    if (ij.contains("centroid")) {
        const json &c = ij["centroid"];
        if (!c.is_array() || c.size() != 2 || !c[0].is_number() || !c[1].is_number())
            throw ParseError(q + ".centroid: expected [x, y]");
        in.centroidX = finite(c[0].get<float>(), q + ".centroid");
        in.centroidY = finite(c[1].get<float>(), q + ".centroid");
    }
    if (ij.contains("depth")) {
        in.depth.value = finite(get<float>(ij["depth"], "value", q + ".depth"), q + ".depth.value");
        in.depth.source = getOr<std::string>(ij["depth"], "source", "", q + ".depth");
    }
    in.areaPx = getOr<int64_t>(ij, "area", 0, q);
    return in;
}

std::vector<FrameRecord> framesFrom(const json &frames, const VideoInfo &video)
{
    std::vector<FrameRecord> out;
    FrameIndex previous = -1;
    for (size_t i = 0; i < frames.size(); ++i) {
        const std::string p = "twin.frames[" + std::to_string(i) + "]";
        FrameRecord f;
        f.frameIndex = get<int64_t>(frames[i], "index", p);
        if (f.frameIndex <= previous)
            throw ParseError(p + ".index: frames must be in increasing order");
        previous = f.frameIndex;
        f.timeMs = getOr<int64_t>(frames[i], "time_ms", 0, p);
        f.keyframe = getOr<bool>(frames[i], "keyframe", false, p);
        f.detected = getOr<bool>(frames[i], "detected", true, p);
        const json &insts = arrayField(frames[i], "instances", p);
        for (size_t k = 0; k < insts.size(); ++k)
            f.instances.push_back(instanceFrom(insts[k], p + ".instances[" + std::to_string(k) + "]", video));
        out.push_back(std::move(f));
    }
    return out;
}

Track trackFrom(const json &tj, const std::string &p)
{
    Track tr;
    tr.id = get<int>(tj, "id", p);
    tr.category = labelFrom(field(tj, "category", p), p + ".category");
    if (tj.contains("attributes"))
        tr.attributes = attributesFrom(tj["attributes"], p + ".attributes");
    tr.firstFrame = get<int64_t>(tj, "first_frame", p);
    tr.lastFrame = get<int64_t>(tj, "last_frame", p);
    if (tr.lastFrame < tr.firstFrame)
        throw ParseError(p + ": last_frame before first_frame");
    tr.observations = getOr<int>(tj, "observations", 0, p);
    tr.meanSpeed = finite(getOr<float>(tj, "mean_speed", 0.f, p), p + ".mean_speed");
    tr.directionDeg = finite(getOr<float>(tj, "direction_deg", 0.f, p), p + ".direction_deg");
    tr.meanAreaFraction = finite(getOr<float>(tj, "mean_area_fraction", 0.f, p), p + ".mean_area_fraction");
    const json &path = arrayField(tj, "path", p);
    for (size_t k = 0; k < path.size(); ++k) {
        const json &pt = path[k];
        if (!pt.is_array() || pt.size() != 3 || !pt[0].is_number() || !pt[1].is_number() || !pt[2].is_number())
            throw ParseError(p + ".path[" + std::to_string(k) + "]: expected [frame, x, y]");
        const std::string at = p + ".path[" + std::to_string(k) + "]";
        tr.path.push_back({as<int64_t>(pt[0], at), as<float>(pt[1], at), as<float>(pt[2], at)});
    }
    return tr;
}

Relationship relationshipFrom(const json &rj, const std::string &p)
{
    Relationship r;
    r.subject = get<int>(rj, "subject", p);
    r.predicate = get<std::string>(rj, "predicate", p);
    r.object = getOr<int>(rj, "object", 0, p);
    r.firstFrame = get<int64_t>(rj, "first_frame", p);
    r.lastFrame = get<int64_t>(rj, "last_frame", p);
    r.confidence = finite(getOr<float>(rj, "confidence", 1.f, p), p + ".confidence");
    r.source = getOr<std::string>(rj, "source", "", p);
    return r;
}

Observation observationFrom(const json &oj, const std::string &p)
{
    Observation o;
    o.kind = get<std::string>(oj, "kind", p);
    o.text = getOr<std::string>(oj, "text", "", p);
    o.trackId = getOr<int>(oj, "track", 0, p);
    o.firstFrame = getOr<int64_t>(oj, "first_frame", 0, p);
    o.lastFrame = getOr<int64_t>(oj, "last_frame", 0, p);
    if (oj.contains("box"))
        o.box = boxFrom(oj["box"], p + ".box");
    o.confidence = finite(getOr<float>(oj, "confidence", 0.f, p), p + ".confidence");
    o.source = getOr<std::string>(oj, "source", "", p);
    return o;
}

/// Each element of the array field name of j, made by from(element, "twin.name[i]").
template <class T, class From>
std::vector<T> listFrom(const json &j, const char *name, From from)
{
    std::vector<T> out;
    const json &items = arrayField(j, name, "twin");
    for (size_t i = 0; i < items.size(); ++i)
        out.push_back(from(items[i], std::string("twin.") + name + "[" + std::to_string(i) + "]"));
    return out;
}

Twin twinFrom(const json &j)
{
    Twin t;
    const std::string root = "twin";
    const int schema = get<int>(j, "schema_version", root);
    if (schema < 1 || schema > kTwinSchemaVersion)
        throw ParseError("twin.schema_version: unsupported version " + std::to_string(schema));
    t.schemaVersion = schema;
    t.video = videoFrom(field(j, "video", root));
    if (j.contains("sampling")) {
        const json &s = j["sampling"];
        t.sampling.detectFps = getOr<double>(s, "detect_fps", 0.0, "twin.sampling");
        t.sampling.keyframeFps = getOr<double>(s, "keyframe_fps", 0.0, "twin.sampling");
        t.sampling.analysedFrames = getOr<int>(s, "analysed_frames", 0, "twin.sampling");
        t.sampling.notes = getOr<std::string>(s, "notes", "", "twin.sampling");
    }
    t.roles = listFrom<RoleRecord>(j, "roles", [](const json &rj, const std::string &p) {
        RoleRecord r;
        r.role = get<std::string>(rj, "role", p);
        r.model = getOr<std::string>(rj, "model", "", p);
        r.runtime = getOr<std::string>(rj, "runtime", "", p);
        r.status = getOr<std::string>(rj, "status", "", p);
        return r;
    });
    t.scene = listFrom<Label>(j, "scene", labelFrom);
    t.frames = framesFrom(arrayField(j, "frames", root, true), t.video);
    t.tracks = listFrom<Track>(j, "tracks", trackFrom);
    t.relationships = listFrom<Relationship>(j, "relationships", relationshipFrom);
    t.observations = listFrom<Observation>(j, "observations", observationFrom);
    t.errors = listFrom<std::string>(j, "errors", [](const json &e, const std::string &p) {
        if (!e.is_string())
            throw ParseError(p + ": expected a string");
        return e.get<std::string>();
    });
    return t;
}

} // namespace

const Track *Twin::track(TrackId id) const
{
    for (const Track &t : tracks)
        if (t.id == id)
            return &t;
    return nullptr;
}

FrameIndex Twin::lastKnownFrame() const
{
    if (video.frameCount > 0)
        return video.frameCount - 1;
    FrameIndex last = 0;
    for (const FrameRecord &f : frames)
        last = std::max(last, f.frameIndex);
    for (const Track &t : tracks)
        last = std::max(last, t.lastFrame);
    return last;
}

int Twin::nearestFrame(FrameIndex frameIndex) const
{
    if (frames.empty())
        return -1;
    auto it = std::lower_bound(frames.begin(), frames.end(), frameIndex,
                               [](const FrameRecord &f, FrameIndex i) { return f.frameIndex < i; });
    if (it == frames.end())
        return static_cast<int>(frames.size()) - 1;
    if (it == frames.begin())
        return 0;
    auto prev = it - 1;
    // Ties go to the earlier frame, which is what a viewer scrubbing forward expects.
    return static_cast<int>((frameIndex - prev->frameIndex <= it->frameIndex - frameIndex ? prev : it) - frames.begin());
}

Rle Twin::maskOf(const std::vector<TrackId> &trackIds, FrameIndex frameIndex) const
{
    Rle out = Rle::empty(video.height, video.width);
    const int i = nearestFrame(frameIndex);
    if (i < 0)
        return out;
    for (const Instance &in : frames[i].instances) {
        if (std::find(trackIds.begin(), trackIds.end(), in.trackId) == trackIds.end())
            continue;
        const Rle m = in.mask.counts().empty() ? Rle::fromBox(in.box, video.height, video.width) : in.mask;
        out = Rle::merge(out, m, false);
    }
    return out;
}

json toJson(const Rle &rle)
{
    return json{{"size", {rle.height(), rle.width()}}, {"counts", rle.toString()}};
}

Result<Rle> rleFromJson(const json &j)
{
    if (!j.is_object() || !j.contains("size") || !j.contains("counts"))
        return Result<Rle>::error("expected {size: [h, w], counts}");
    const json &size = j["size"];
    if (!size.is_array() || size.size() != 2 || !size[0].is_number_integer() || !size[1].is_number_integer())
        return Result<Rle>::error("size must be [height, width]");
    const int64_t h64 = size[0].get<int64_t>(), w64 = size[1].get<int64_t>();
    if (h64 < 0 || w64 < 0 || h64 > (int64_t(1) << 31) || w64 > (int64_t(1) << 31) || h64 * w64 > (int64_t(1) << 31))
        return Result<Rle>::error("size out of range");
    const int h = static_cast<int>(h64), w = static_cast<int>(w64);
    const json &counts = j["counts"];
    if (counts.is_string())
        return Rle::fromString(counts.get<std::string>(), h, w);
    if (counts.is_array()) {
        // pycocotools' uncompressed form: a list of integers.
        std::vector<uint32_t> c;
        c.reserve(counts.size());
        for (const json &v : counts) {
            if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > 0xffffffffLL)
                return Result<Rle>::error("counts must be non-negative integers");
            c.push_back(v.get<uint32_t>());
        }
        Rle r(h, w, std::move(c));
        if (!r.isValid())
            return Result<Rle>::error("counts do not add up to height*width");
        return r;
    }
    return Result<Rle>::error("counts must be a string or a list");
}

json toJson(const Label &l)
{
    json j{{"name", l.name}, {"score", l.score}};
    if (!l.synset.empty())
        j["synset"] = l.synset;
    if (!l.model.empty())
        j["model"] = l.model;
    if (!l.alternatives.empty()) {
        json alts = json::array();
        for (const auto &a : l.alternatives) {
            json aj{{"name", a.name}, {"score", a.score}};
            if (!a.synset.empty())
                aj["synset"] = a.synset;
            alts.push_back(std::move(aj));
        }
        j["alternatives"] = std::move(alts);
    }
    return j;
}

Result<Label> labelFromJson(const json &j)
{
    try {
        return labelFrom(j, "label");
    } catch (const ParseError &e) {
        return Result<Label>::error(e.what());
    }
}

json toJson(const AttributeMap &attributes)
{
    json j = json::object();
    for (const auto &[k, a] : attributes) {
        json aj{{"value", a.value}, {"source", a.source}};
        if (a.confidence != 1.f)
            aj["confidence"] = a.confidence;
        j[k] = std::move(aj);
    }
    return j;
}

Result<AttributeMap> attributesFromJson(const json &j)
{
    try {
        return attributesFrom(j, "attributes");
    } catch (const ParseError &e) {
        return Result<AttributeMap>::error(e.what());
    }
}

json toJson(const Twin &t)
{
    json j;
    j["schema_version"] = t.schemaVersion;
    j["video"] = {{"key", t.video.key},          {"path", t.video.path},
                  {"content_hash", t.video.contentHash}, {"file_size", t.video.fileSize},
                  {"duration_ms", t.video.durationMs},   {"fps", t.video.fps},
                  {"width", t.video.width},              {"height", t.video.height},
                  {"rotation", t.video.rotation},        {"frame_count", t.video.frameCount},
                  {"codec", t.video.codec}};
    j["sampling"] = {{"detect_fps", t.sampling.detectFps},
                     {"keyframe_fps", t.sampling.keyframeFps},
                     {"analysed_frames", t.sampling.analysedFrames},
                     {"notes", t.sampling.notes}};
    json roles = json::array();
    for (const auto &r : t.roles)
        roles.push_back({{"role", r.role}, {"model", r.model}, {"runtime", r.runtime}, {"status", r.status}});
    j["roles"] = std::move(roles);
    json scene = json::array();
    for (const auto &l : t.scene)
        scene.push_back(toJson(l));
    j["scene"] = std::move(scene);

    json frames = json::array();
    for (const auto &f : t.frames) {
        json fj{{"index", f.frameIndex}, {"time_ms", f.timeMs}};
        if (f.keyframe)
            fj["keyframe"] = true;
        if (!f.detected)
            fj["detected"] = false;
        json insts = json::array();
        for (const auto &in : f.instances) {
            json ij{{"track", in.trackId},
                    {"category", toJson(in.category)},
                    {"box", boxToJson(in.box)},
                    {"centroid", {in.centroidX, in.centroidY}},
                    {"depth", {{"value", in.depth.value}, {"source", in.depth.source}}},
                    {"area", in.areaPx}};
            if (!in.attributes.empty())
                ij["attributes"] = toJson(in.attributes);
            if (!in.mask.counts().empty()) {
                ij["mask"] = toJson(in.mask);
                ij["mask_source"] = in.maskSource;
            }
            insts.push_back(std::move(ij));
        }
        fj["instances"] = std::move(insts);
        frames.push_back(std::move(fj));
    }
    j["frames"] = std::move(frames);

    json tracks = json::array();
    for (const auto &tr : t.tracks) {
        json path = json::array();
        for (const auto &p : tr.path)
            path.push_back({p.frameIndex, p.x, p.y});
        json tj{{"id", tr.id},
                {"category", toJson(tr.category)},
                {"first_frame", tr.firstFrame},
                {"last_frame", tr.lastFrame},
                {"observations", tr.observations},
                {"mean_speed", tr.meanSpeed},
                {"direction_deg", tr.directionDeg},
                {"mean_area_fraction", tr.meanAreaFraction},
                {"path", std::move(path)}};
        if (!tr.attributes.empty())
            tj["attributes"] = toJson(tr.attributes);
        tracks.push_back(std::move(tj));
    }
    j["tracks"] = std::move(tracks);

    json rels = json::array();
    for (const auto &r : t.relationships) {
        json rj{{"subject", r.subject},       {"predicate", r.predicate},   {"object", r.object},
                {"first_frame", r.firstFrame}, {"last_frame", r.lastFrame}, {"confidence", r.confidence}};
        if (!r.source.empty())
            rj["source"] = r.source;
        rels.push_back(std::move(rj));
    }
    j["relationships"] = std::move(rels);

    json obs = json::array();
    for (const auto &o : t.observations) {
        json oj{{"kind", o.kind},           {"text", o.text},          {"track", o.trackId},
                {"first_frame", o.firstFrame}, {"last_frame", o.lastFrame}, {"confidence", o.confidence},
                {"source", o.source}};
        if (!o.box.isEmpty())
            oj["box"] = boxToJson(o.box);
        obs.push_back(std::move(oj));
    }
    j["observations"] = std::move(obs);
    j["errors"] = t.errors;
    return j;
}

Result<Twin> twinFromJson(const json &j)
{
    try {
        return twinFrom(j);
    } catch (const ParseError &e) {
        return Result<Twin>::error(e.what());
    } catch (const json::exception &e) {
        return Result<Twin>::error(std::string("twin: ") + e.what());
    }
}

Result<Twin> twinFromJsonText(const std::string &text)
{
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded())
        return Result<Twin>::error("twin: not valid JSON");
    return twinFromJson(j);
}

std::string toJsonText(const Twin &twin, int indent)
{
    // Replace invalid UTF-8 (e.g. from OCR) instead of throwing.
    return toJson(twin).dump(indent, ' ', false, json::error_handler_t::replace);
}

} // namespace ts
