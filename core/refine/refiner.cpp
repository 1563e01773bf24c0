#include "refiner.h"

#include "refine/twinaccess.h"
#include "vision/modelpick.h"

#include "media/videoreader.h"
#include "twin/maskio.h"
#include "twin/twintext.h"
#include "vision/attributes.h"
#include "vision/depth.h"
#include "vision/facedetector.h"
#include "vision/relations.h"
#include "vision/segmenter.h"

#include <nlohmann/json.hpp>

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <set>

namespace ts {

using namespace refine;

namespace {

using FrameFn = std::function<void(FrameIndex frameIndex, const cv::Mat &bgr)>;

// Up to maxCount frames spread evenly over [first, last], both ends included when there are two or more.
std::vector<FrameIndex> spread(FrameIndex first, FrameIndex last, int maxCount)
{
    std::vector<FrameIndex> out;
    const FrameIndex n = last - first + 1;
    if (n <= 0 || maxCount <= 0)
        return out;
    if (n <= maxCount) {
        for (FrameIndex f = first; f <= last; ++f)
            out.push_back(f);
        return out;
    }
    if (maxCount == 1)
        return {first + n / 2};
    for (int i = 0; i < maxCount; ++i)
        out.push_back(first + static_cast<FrameIndex>(std::llround(static_cast<double>(i) * (n - 1) / (maxCount - 1))));
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

// Up to maxCount items of a list, spread evenly over it.
template <class T>
std::vector<T> spreadList(const std::vector<T> &items, int maxCount)
{
    std::vector<T> out;
    for (FrameIndex i : spread(0, static_cast<FrameIndex>(items.size()) - 1, maxCount))
        out.push_back(items[static_cast<size_t>(i)]);
    return out;
}

Result<FrameWindow> clampWindow(const Twin &twin, FrameWindow w)
{
    using R = Result<FrameWindow>;
    if (w.first > w.last)
        return R::error("the window's first frame " + std::to_string(w.first) + " is after its last " +
                        std::to_string(w.last));
    const FrameIndex end = lastFrameOf(twin);
    const FrameWindow asked = w;
    w.first = std::max<FrameIndex>(0, w.first);
    w.last = std::min(w.last, end);
    if (w.first > w.last)
        return R::error("frames " + std::to_string(asked.first) + "-" + std::to_string(asked.last) +
                        " are outside the video (" + std::to_string(end + 1) + " frames)");
    return w;
}

// Analysed frames of the window on which the track has an instance, in order.
std::vector<FrameIndex> framesWithTrack(const Twin &twin, FrameWindow window, TrackId track)
{
    std::vector<FrameIndex> seen;
    for (const FrameRecord &f : twin.frames)
        if (f.frameIndex >= window.first && f.frameIndex <= window.last && instanceIn(f, track))
            seen.push_back(f.frameIndex);
    return seen;
}

// The track's instance on the analysed frame nearest to frameIndex that has one, within maxGap frames.
const Instance *nearestInstance(const Twin &twin, TrackId id, FrameIndex frameIndex, FrameIndex maxGap)
{
    const Instance *best = nullptr;
    FrameIndex bestGap = maxGap + 1;
    for (const FrameRecord &f : twin.frames) {
        const FrameIndex gap = std::abs(f.frameIndex - frameIndex);
        if (gap >= bestGap)
            continue;
        if (const Instance *in = instanceIn(f, id)) {
            best = in;
            bestGap = gap;
        }
    }
    return best;
}

// The track's box at frameIndex: its own instance there, else interpolated between the nearest frames before
// and after that have it (or the nearer one alone), within maxGap frames.
std::optional<Box> predictedBox(const Twin &twin, TrackId id, FrameIndex frameIndex, FrameIndex maxGap)
{
    const Instance *before = nullptr, *after = nullptr;
    FrameIndex fb = 0, fa = 0;
    for (const FrameRecord &f : twin.frames) {
        if (std::abs(f.frameIndex - frameIndex) > maxGap)
            continue;
        const Instance *in = instanceIn(f, id);
        if (!in || in->box.isEmpty())
            continue;
        if (f.frameIndex == frameIndex)
            return in->box;
        if (f.frameIndex < frameIndex) {
            before = in;
            fb = f.frameIndex;
        } else if (!after) {
            after = in;
            fa = f.frameIndex;
        }
    }
    if (before && after) {
        const float t = static_cast<float>(frameIndex - fb) / static_cast<float>(fa - fb);
        auto mix = [t](float a, float b) { return a + (b - a) * t; };
        return Box{mix(before->box.x, after->box.x), mix(before->box.y, after->box.y), mix(before->box.w, after->box.w),
                   mix(before->box.h, after->box.h)};
    }
    if (before)
        return before->box;
    if (after)
        return after->box;
    return std::nullopt;
}

cv::Rect cropRect(const Box &box, float margin, const cv::Size &size)
{
    const Box c = box.expanded(margin).clipped(static_cast<float>(size.width), static_cast<float>(size.height));
    cv::Rect r(static_cast<int>(std::floor(c.x)), static_cast<int>(std::floor(c.y)), static_cast<int>(std::ceil(c.w)),
               static_cast<int>(std::ceil(c.h)));
    return r & cv::Rect(0, 0, size.width, size.height);
}

// The track whose box on the nearest analysed frame holds most (80%) of `box`; the smallest such box wins
// (a number on a rider belongs to the rider, not to the horse around both).
TrackId ownerOf(const Twin &twin, FrameIndex frameIndex, const Box &box)
{
    const int i = twin.nearestFrame(frameIndex);
    if (i < 0 || box.area() <= 0.f)
        return 0;
    TrackId best = 0;
    float bestArea = 0.f;
    for (const Instance &in : twin.frames[static_cast<size_t>(i)].instances) {
        if (in.box.intersected(box).area() < 0.8f * box.area())
            continue;
        if (best == 0 || in.box.area() < bestArea) {
            best = in.trackId;
            bestArea = in.box.area();
        }
    }
    return best;
}

// Text compared across frames: case and spacing do not make a different text.
std::string textKey(const std::string &text)
{
    std::string out;
    bool space = false;
    for (unsigned char c : text) {
        if (std::isspace(c)) {
            space = !out.empty();
            continue;
        }
        if (space)
            out += ' ';
        space = false;
        out += static_cast<char>(std::tolower(c));
    }
    return out;
}

// Length of the longest common substring over the shorter text: partial reads of one sign as the camera pans
// ("nz.ch/jobs", "ewz.ch/jobs") share most of it, different texts little.
double textOverlap(const std::string &a, const std::string &b)
{
    if (a.empty() || b.empty())
        return 0.0;
    std::vector<int> previous(b.size() + 1, 0), current(b.size() + 1, 0);
    int best = 0;
    for (size_t i = 1; i <= a.size(); ++i) {
        for (size_t j = 1; j <= b.size(); ++j) {
            current[j] = a[i - 1] == b[j - 1] ? previous[j - 1] + 1 : 0;
            best = std::max(best, current[j]);
        }
        std::swap(previous, current);
    }
    return static_cast<double>(best) / std::min(a.size(), b.size());
}

// Text read from a video, quoted and escaped as JSON and shortened: it is shown as data in the trace.
std::string quotedText(const std::string &text)
{
    std::string s = text.size() > 40 ? text.substr(0, 40) + "..." : text;
    return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Instance withMask(const Instance &old, const cv::Mat &mask, const std::string &source, int W, int H)
{
    Instance in = old;
    in.mask = matToRle(mask);
    in.maskSource = source;
    in.areaPx = static_cast<int64_t>(in.mask.area());
    in.box = in.mask.boundingBox();
    in.centroidX = in.box.centerX() / W;
    in.centroidY = in.box.centerY() / H;
    const double af = static_cast<double>(in.areaPx) / (static_cast<double>(W) * H);
    in.attributes["size"] = {sizeClass(af), "geometry"};
    in.attributes["position"] = {positionInFrame(in.centroidX, in.centroidY), "geometry"};
    return in;
}

// Decodes the listed frames (ascending) and hands each to fn; decodes straight through short gaps and seeks
// across long ones. Frames that do not decode are noted in errors and skipped.
Status decodeFrames(const std::string &path, const std::vector<FrameIndex> &frames, const CancelToken &cancel,
                    ProgressThrottle &progress, const std::string &stage, std::vector<std::string> &errors,
                    const FrameFn &fn)
{
    if (cancel.isCancelled())
        return Status::cancelled();
    auto opened = VideoReader::open(path, {}, cancel);
    if (!opened)
        return cancel.isCancelled() ? Status::cancelled() : Status::error(path + ": " + opened.message());
    VideoReader &reader = *opened.value();
    DecodedFrame frame;
    FrameIndex nextIndex = -1;
    for (size_t k = 0; k < frames.size(); ++k) {
        const FrameIndex target = frames[k];
        if (cancel.isCancelled())
            return Status::cancelled();
        progress.report(static_cast<double>(k) / frames.size(), stage);
        if (nextIndex < 0 || target < nextIndex || target - nextIndex > 48) {
            Status s = reader.seekToFrame(target);
            if (!s)
                return cancel.isCancelled() ? Status::cancelled() : Status::error(path + ": " + s.message());
            nextIndex = target;
        }
        bool have = false, atEnd = false;
        while (nextIndex <= target) {
            auto got = reader.next(frame, nextIndex == target ? FramePixels::Bgr : FramePixels::None);
            if (!got) {
                if (cancel.isCancelled())
                    return Status::cancelled();
                errors.push_back("frame " + std::to_string(target) + ": " + got.message());
                break;
            }
            if (!got.value()) {
                atEnd = true;
                break;
            }
            nextIndex = frame.frameIndex + 1;
            have = frame.frameIndex == target && !frame.bgr.empty();
        }
        if (atEnd)
            break;
        if (!have) {
            nextIndex = -1; // seek again for the next frame
            continue;
        }
        fn(target, frame.bgr);
    }
    if (cancel.isCancelled())
        return Status::cancelled();
    progress.report(1.0, stage);
    return Status::ok();
}

} // namespace

struct Refiner::Impl {
    const ModelRegistry &models;
    SessionCache &sessions;
    const WordNet *wordnet;
    RefinerConfig config;
    SessionOptions sessionOptions;

    std::unique_ptr<TextReader> reader;
    std::unique_ptr<FaceDetector> faces;
    std::unique_ptr<PromptedSegmenter> segmenter;
    std::unique_ptr<DepthModel> depth;
    std::unique_ptr<TwinBuilder> builder;
    std::map<std::string, std::string> failures; // role -> why it cannot run (tried once)
    std::string readerNote;

    Impl(const ModelRegistry &m, SessionCache &s, const WordNet *w, RefinerConfig c)
        : models(m), sessions(s), wordnet(w), config(std::move(c))
    {
        sessionOptions.threads = std::max(1, config.threads);
    }

    const ModelManifest *pick(const std::string &role, const std::string &id, std::string &why) const
    {
        return pickModel(models, role, id, why);
    }

    template <class Load>
    Status ensure(const std::string &role, bool loaded, Load load)
    {
        if (loaded)
            return Status::ok();
        auto f = failures.find(role);
        if (f != failures.end())
            return Status::error(f->second);
        std::string why = load();
        if (why.empty())
            return Status::ok();
        failures[role] = why;
        return Status::error(why);
    }

    Status ensureReader()
    {
        return ensure("ocr", reader != nullptr, [this]() -> std::string {
            auto r = makeTextReader(models, sessions, sessionOptions, config.ocr, config.ocrModel, &readerNote);
            if (!r)
                return r.message();
            reader = std::move(r).value();
            return {};
        });
    }
    Status ensureFaces()
    {
        return ensure("face", faces != nullptr, [this]() -> std::string {
            std::string why;
            const ModelManifest *m = pick("face", config.faceModel, why);
            if (!m)
                return "no face model: " + why;
            auto r = FaceDetector::create(*m, models);
            if (!r)
                return r.message();
            faces = std::move(r).value();
            return {};
        });
    }
    Status ensureSegmenter()
    {
        return ensure("segmenter", segmenter != nullptr, [this]() -> std::string {
            std::string why;
            const ModelManifest *m = pick("segmenter", config.segmenterModel, why);
            if (!m)
                return "no segmentation model: " + why;
            auto r = makeSegmenter(*m, models, sessions, sessionOptions);
            if (!r)
                return r.message();
            segmenter = std::move(r).value();
            return {};
        });
    }
    Status ensureDepth()
    {
        return ensure("depth", depth != nullptr, [this]() -> std::string {
            std::string why;
            const ModelManifest *m = pick("depth", config.depthModel, why);
            if (!m)
                return "no depth model is installed (" + why + "); the twin keeps its geometric proxy depth";
            auto r = DepthModel::create(*m, models, sessions, sessionOptions);
            if (!r)
                return r.message();
            depth = std::move(r).value();
            return {};
        });
    }
    TwinBuilder &ensureBuilder()
    {
        if (!builder) {
            TwinBuilderConfig c = config.builder;
            c.threads = sessionOptions.threads;
            builder = std::make_unique<TwinBuilder>(models, sessions, wordnet, c);
            builder->prepare();
        }
        return *builder;
    }
};

Refiner::Refiner(const ModelRegistry &models, SessionCache &sessions, const WordNet *wordnet, RefinerConfig config)
    : d(std::make_unique<Impl>(models, sessions, wordnet, std::move(config)))
{
}

Refiner::~Refiner() = default;

Result<RefinementOutcome> Refiner::ocr(const Twin &twin, FrameWindow window, TrackId track, const CancelToken &cancel,
                                       const ProgressFn &progress)
{
    using R = Result<RefinementOutcome>;
    auto w = clampWindow(twin, window);
    if (!w)
        return R::error(w);
    if (track != 0 && !twin.track(track))
        return R::error("the twin has no track " + std::to_string(track));
    Status s = d->ensureReader();
    if (!s)
        return R::error(s);
    const FrameIndex maxGap = std::max<FrameIndex>(1, static_cast<FrameIndex>(std::lround(twin.video.fps)));
    std::vector<FrameIndex> frames;
    if (track != 0) {
        // Only where the track is: frames of the window with the track's instance.
        const std::vector<FrameIndex> seen = framesWithTrack(twin, *w, track);
        frames = spreadList(seen.empty() ? spread(w->first, w->last, d->config.maxOcrFrames) : seen,
                            d->config.maxOcrFrames);
    } else {
        frames = spread(w->first, w->last, d->config.maxOcrFrames);
    }

    RefinementOutcome out;
    out.specialist = "ocr";
    out.model = d->reader->modelId();
    out.runtime = d->reader->runtime();
    out.window = *w;
    if (!d->readerNote.empty())
        out.errors.push_back("PP-OCR not used: " + d->readerNote);
    std::vector<std::string> keys;
    ProgressThrottle throttle(progress);
    s = decodeFrames(twin.video.path, frames, cancel, throttle, "reading text", out.errors,
                     [&](FrameIndex f, const cv::Mat &bgr) {
                         cv::Rect roi(0, 0, bgr.cols, bgr.rows);
                         if (track != 0) {
                             const Instance *in = nearestInstance(twin, track, f, maxGap);
                             if (!in)
                                 return;
                             roi = cropRect(in->box, d->config.trackMargin, bgr.size());
                             if (roi.width < 8 || roi.height < 8)
                                 return;
                         }
                         auto lines = d->reader->read(bgr(roi));
                         ++out.analysedFrames;
                         if (!lines) {
                             appendError(out.errors, "frame " + std::to_string(f) + ": " + lines.message());
                             return;
                         }
                         for (const TextBox &t : *lines) {
                             const std::string key = textKey(t.text);
                             if (key.empty())
                                 continue;
                             const Box box{t.box.x + roi.x, t.box.y + roi.y, t.box.w, t.box.h};
                             const TrackId owner = track != 0 ? track : ownerOf(twin, f, box);
                             // One text, one observation: the same text, or most of it at about the same place.
                             size_t k = 0;
                             for (; k < keys.size(); ++k) {
                                 const Observation &o = out.observations[k];
                                 if (o.trackId != owner)
                                     continue;
                                 if (keys[k] == key ||
                                     (textOverlap(keys[k], key) >= 0.6 &&
                                      !o.box.expanded(0.5f).intersected(box.expanded(0.5f)).isEmpty()))
                                     break;
                             }
                             if (k == keys.size()) {
                                 Observation o;
                                 o.kind = "ocr";
                                 o.text = t.text;
                                 o.trackId = owner;
                                 o.firstFrame = o.lastFrame = f;
                                 o.box = box;
                                 o.confidence = t.confidence;
                                 o.source = t.source;
                                 keys.push_back(key);
                                 out.observations.push_back(std::move(o));
                                 continue;
                             }
                             Observation &o = out.observations[k];
                             o.firstFrame = std::min(o.firstFrame, f);
                             o.lastFrame = std::max(o.lastFrame, f);
                             if (t.confidence > o.confidence) {
                                 keys[k] = key;
                                 o.text = t.text;
                                 o.box = box;
                                 o.confidence = t.confidence;
                                 o.source = t.source;
                             }
                         }
                     });
    if (!s)
        return R::error(s);
    if (out.analysedFrames == 0)
        return R::error("no frame of " + windowText(*w) + " could be read" +
                        (out.errors.empty() ? std::string() : ": " + out.errors.front()));
    std::string texts;
    for (size_t i = 0; i < out.observations.size() && i < 4; ++i)
        texts += (i ? ", " : "") + quotedText(out.observations[i].text);
    if (out.observations.size() > 4)
        texts += ", ...";
    out.summary = "OCR (" + out.model + ") on " + std::to_string(out.analysedFrames) + " frame(s) of " +
                  windowText(*w) + (track ? " within track " + std::to_string(track) : std::string()) + ": " +
                  (out.observations.empty() ? std::string("no text found") : "read " + texts);
    return out;
}

Result<RefinementOutcome> Refiner::betterMask(const Twin &twin, FrameWindow window, TrackId track,
                                              const CancelToken &cancel, const ProgressFn &progress)
{
    using R = Result<RefinementOutcome>;
    auto w = clampWindow(twin, window);
    if (!w)
        return R::error(w);
    if (!twin.track(track))
        return R::error("the twin has no track " + std::to_string(track));
    const std::vector<FrameIndex> seen = framesWithTrack(twin, *w, track);
    if (seen.empty())
        return R::error("track " + std::to_string(track) + " is not on any analysed frame of " + windowText(*w));
    Status s = d->ensureSegmenter();
    if (!s)
        return R::error(s);

    RefinementOutcome out;
    out.specialist = "mask";
    out.model = d->segmenter->modelId();
    out.runtime = d->segmenter->runtime();
    out.window = *w;
    const int W = twin.video.width, H = twin.video.height;
    double agreement = 0.0;
    ProgressThrottle throttle(progress);
    s = decodeFrames(twin.video.path, spreadList(seen, d->config.maxMaskFrames), cancel, throttle, "segmenting",
                     out.errors, [&](FrameIndex f, const cv::Mat &bgr) {
                         const Instance *old = instanceIn(*recordAt(twin, f), track);
                         ++out.analysedFrames;
                         if (bgr.cols != W || bgr.rows != H) {
                             appendError(out.errors, "frame " + std::to_string(f) + " is not of the twin's size");
                             return;
                         }
                         auto mask = d->segmenter->segment(bgr, {old->box, {}, {}});
                         if (!mask) {
                             appendError(out.errors, "frame " + std::to_string(f) + ": " + mask.message());
                             return;
                         }
                         if (cv::countNonZero(*mask) < 0.05 * std::max(1.f, old->box.area())) {
                             appendError(out.errors, "frame " + std::to_string(f) + ": no object found in the box");
                             return;
                         }
                         Instance in = withMask(*old, *mask, d->segmenter->modelId(), W, H);
                         agreement += old->mask.counts().empty() ? boxIou(old->box, in.box)
                                                                 : Rle::iou(old->mask, in.mask);
                         out.replacedInstances.push_back({f, std::move(in)});
                     });
    if (!s)
        return R::error(s);
    if (out.replacedInstances.empty())
        return R::error("no better mask for track " + std::to_string(track) + " in " + windowText(*w) +
                        (out.errors.empty() ? std::string() : ": " + out.errors.front()));
    char agree[32];
    std::snprintf(agree, sizeof agree, "%.2f", agreement / out.replacedInstances.size());
    out.summary = "mask (" + out.model + ") of track " + std::to_string(track) + " on " +
                  std::to_string(out.replacedInstances.size()) + " of " + std::to_string(seen.size()) +
                  " analysed frame(s) in " + windowText(*w) + "; mean IoU with the previous masks " + agree;
    return out;
}

namespace {

/// Dense-sampled frames joined to a twin's tracks: each track's box predicted at the frame (its own instance there,
/// or interpolated between its neighbours), matched greedily by overlap; people and things never swap (as in the
/// tracker). What matches nothing is a new object; new objects carry on between the new frames.
class DenseAssociation {
public:
    DenseAssociation(const Twin &twin, RefinementOutcome &out, double videoFps)
        : m_twin(twin), m_out(out),
          m_maxGap(std::max<FrameIndex>(1, static_cast<FrameIndex>(std::lround(videoFps))))
    {
        for (const Track &t : twin.tracks)
            m_nextId = std::max(m_nextId, t.id + 1);
    }

    void associate(FrameRecord &rec)
    {
        const FrameIndex f = rec.frameIndex;
        const std::vector<TrackId> assigned = match(rec, candidatesAt(f));
        const FrameRecord *replaced = recordAt(m_twin, f);
        for (size_t i = 0; i < rec.instances.size(); ++i) {
            Instance &in = rec.instances[i];
            if (assigned[i] == 0) {
                startTrack(in, f);
                continue;
            }
            in.trackId = assigned[i];
            ++m_matched;
            if (auto it = m_newTrackIndex.find(in.trackId); it != m_newTrackIndex.end()) {
                Track &t = m_out.newTracks[it->second];
                t.lastFrame = f;
                ++t.observations;
                t.path.push_back({f, in.centroidX, in.centroidY});
                m_fresh[in.trackId] = {f, in.box};
                continue;
            }
            adoptKnownTrack(in, replaced);
        }
        // What the replaced frame knew and the detector did not see again (an object only saliency found, a
        // missed detection) stays: the new frame adds to the twin, it does not forget.
        if (replaced)
            for (const Instance &old : replaced->instances)
                if (std::find(assigned.begin(), assigned.end(), old.trackId) == assigned.end())
                    rec.instances.push_back(old);
    }

    int matched() const { return m_matched; }

private:
    struct Candidate {
        TrackId id;
        Box box;
        bool person;
    };

    std::vector<Candidate> candidatesAt(FrameIndex f)
    {
        std::vector<Candidate> candidates;
        for (const Track &t : m_twin.tracks)
            if (auto b = predictedBox(m_twin, t.id, f, m_maxGap))
                candidates.push_back({t.id, *b, t.category.name == "person"});
        for (const auto &[id, last] : m_fresh)
            if (f - last.first <= m_maxGap)
                candidates.push_back({id, last.second,
                                      m_out.newTracks[m_newTrackIndex[id]].category.name == "person"});
        return candidates;
    }

    /// Per instance of the frame: the candidate track it is, or 0.
    static std::vector<TrackId> match(const FrameRecord &rec, const std::vector<Candidate> &candidates)
    {
        struct Pair {
            float iou;
            size_t det;
            size_t cand;
        };
        std::vector<Pair> pairs;
        for (size_t i = 0; i < rec.instances.size(); ++i)
            for (size_t j = 0; j < candidates.size(); ++j) {
                if ((rec.instances[i].category.name == "person") != candidates[j].person)
                    continue;
                const float iou = boxIou(rec.instances[i].box, candidates[j].box);
                if (iou >= 0.3f)
                    pairs.push_back({iou, i, j});
            }
        std::sort(pairs.begin(), pairs.end(), [](const Pair &a, const Pair &b) { return a.iou > b.iou; });
        std::vector<TrackId> assigned(rec.instances.size(), 0);
        std::set<size_t> usedCandidates;
        for (const Pair &p : pairs) {
            if (assigned[p.det] != 0 || usedCandidates.count(p.cand))
                continue;
            assigned[p.det] = candidates[p.cand].id;
            usedCandidates.insert(p.cand);
        }
        return assigned;
    }

    void startTrack(Instance &in, FrameIndex f)
    {
        const int W = m_twin.video.width, H = m_twin.video.height;
        Track t;
        t.id = m_nextId++;
        t.category = in.category;
        t.firstFrame = t.lastFrame = f;
        t.observations = 1;
        t.path.push_back({f, in.centroidX, in.centroidY});
        t.meanAreaFraction = static_cast<float>(in.areaPx / (static_cast<double>(W) * H));
        for (const char *k : {"colour", "colour_secondary", "shape", "size", "position"})
            if (auto it = in.attributes.find(k); it != in.attributes.end())
                t.attributes[k] = it->second;
        in.trackId = t.id;
        m_newTrackIndex[t.id] = m_out.newTracks.size();
        m_out.newTracks.push_back(std::move(t));
        m_fresh[in.trackId] = {f, in.box};
    }

    /// An instance of a track the twin has: its fused label, and the twin's mask when that came from the mask model.
    void adoptKnownTrack(Instance &in, const FrameRecord *replaced) const
    {
        // Instances carry their track's fused label, as at ingest; the frame's own label stays visible.
        const Track *t = m_twin.track(in.trackId);
        const Label frameLabel = in.category;
        in.category = t->category;
        in.category.score = frameLabel.score;
        if (frameLabel.name != t->category.name && frameLabel.name != "object")
            in.attributes["detected_as"] = {frameLabel.name, frameLabel.model};
        // A mask the mask model made (carried by flow) beats GrabCut or a bare box on this frame.
        const Instance *before = replaced ? instanceIn(*replaced, in.trackId) : nullptr;
        const bool modelMask = !in.maskSource.empty() && in.maskSource != "grabcut";
        if (before && !before->mask.counts().empty() && !modelMask) {
            in.mask = before->mask;
            in.maskSource = before->maskSource;
            in.areaPx = before->areaPx;
            in.box = before->box;
            in.centroidX = before->centroidX;
            in.centroidY = before->centroidY;
            in.attributes["size"] = before->attributes.count("size") ? before->attributes.at("size")
                                                                      : in.attributes["size"];
            in.attributes["position"] = before->attributes.count("position") ? before->attributes.at("position")
                                                                              : in.attributes["position"];
        }
    }

    const Twin &m_twin;
    RefinementOutcome &m_out;
    const FrameIndex m_maxGap;
    TrackId m_nextId = 1;
    std::map<TrackId, std::pair<FrameIndex, Box>> m_fresh; // new tracks: last frame and box
    std::map<TrackId, size_t> m_newTrackIndex;
    int m_matched = 0;
};

} // namespace

Result<RefinementOutcome> Refiner::denseSample(const Twin &twin, FrameWindow window, double fps,
                                               const CancelToken &cancel, const ProgressFn &progress)
{
    using R = Result<RefinementOutcome>;
    auto w = clampWindow(twin, window);
    if (!w)
        return R::error(w);
    if (!(fps > 0.0))
        return R::error("the sampling rate must be positive");
    const double videoFps = twin.video.fps > 0 ? twin.video.fps : 25.0;
    const FrameIndex step = std::max<FrameIndex>(1, static_cast<FrameIndex>(std::lround(videoFps / fps)));
    std::vector<FrameIndex> wanted;
    for (FrameIndex f = w->first; f <= w->last; f += step) {
        const FrameRecord *r = recordAt(twin, f);
        if (!r || !r->detected)
            wanted.push_back(f);
    }
    wanted = spreadList(wanted, d->config.maxDenseFrames);

    RefinementOutcome out;
    out.specialist = "dense";
    out.window = *w;
    if (wanted.empty()) {
        out.model = "none";
        out.summary = "frames " + windowText(*w) + " were already analysed at this rate";
        return out;
    }
    TwinBuilder &builder = d->ensureBuilder();
    for (const RoleRecord &r : builder.roles())
        if (r.role == "detector") {
            out.model = r.model;
            out.runtime = r.runtime;
        }
    if (out.model.empty())
        return R::error("dense sampling needs an object detector and none could be loaded");
    ProgressThrottle throttle(progress);
    throttle.report(0.0, "analysing frames");
    auto analysed = builder.analyseFrames(twin.video.path, wanted, cancel);
    if (!analysed)
        return R::error(analysed);
    for (const std::string &e : analysed->errors)
        appendError(out.errors, e);
    out.analysedFrames = static_cast<int>(analysed->frames.size());

    DenseAssociation association(twin, out, videoFps);
    for (FrameRecord &rec : analysed->frames)
        association.associate(rec);
    out.frames = std::move(analysed->frames);
    out.summary = "dense sampling (" + out.model + ") of " + windowText(*w) + " at " +
                  std::to_string(static_cast<int>(std::lround(videoFps / step))) + " fps: " +
                  std::to_string(out.frames.size()) + " new frame(s), " + std::to_string(association.matched()) +
                  " detection(s) on known tracks, " + std::to_string(out.newTracks.size()) + " new track(s)";
    return out;
}

Result<RefinementOutcome> Refiner::faces(const Twin &twin, FrameWindow window, TrackId track, const CancelToken &cancel,
                                         const ProgressFn &progress)
{
    using R = Result<RefinementOutcome>;
    auto w = clampWindow(twin, window);
    if (!w)
        return R::error(w);
    if (track != 0 && !twin.track(track))
        return R::error("the twin has no track " + std::to_string(track));
    Status s = d->ensureFaces();
    if (!s)
        return R::error(s);
    const FrameIndex maxGap = std::max<FrameIndex>(1, static_cast<FrameIndex>(std::lround(twin.video.fps)));
    std::vector<FrameIndex> frames;
    if (track != 0) {
        const std::vector<FrameIndex> seen = framesWithTrack(twin, *w, track);
        if (seen.empty())
            return R::error("track " + std::to_string(track) + " is not on any analysed frame of " + windowText(*w));
        frames = spreadList(seen, d->config.maxFaceFrames);
    } else {
        frames = spread(w->first, w->last, d->config.maxFaceFrames);
    }

    RefinementOutcome out;
    out.specialist = "face";
    out.model = d->faces->modelId();
    out.runtime = d->faces->runtime();
    out.window = *w;
    // Per observation: the sampled frame it was last extended on, and where the face was then (relative to its
    // owner's box when it has an owner, else in pixels).
    struct Sighting {
        FrameIndex frame = -1;
        cv::Point2f where;
        bool relative = false;
    };
    std::vector<Sighting> last;
    FrameIndex previousSample = -1;
    ProgressThrottle throttle(progress);
    s = decodeFrames(twin.video.path, frames, cancel, throttle, "finding faces", out.errors,
                     [&](FrameIndex f, const cv::Mat &bgr) {
                         cv::Rect roi(0, 0, bgr.cols, bgr.rows);
                         if (track != 0) {
                             const Instance *in = nearestInstance(twin, track, f, maxGap);
                             if (!in)
                                 return;
                             roi = cropRect(in->box, d->config.trackMargin, bgr.size());
                             if (roi.width < 8 || roi.height < 8)
                                 return;
                         }
                         // A person's crop is enlarged so the face is big enough for YuNet; whole frames are
                         // looked at as they are (enlarging them finds few more faces and more false ones).
                         auto found = d->faces->detect(bgr(roi), track != 0 ? 320 : 0);
                         ++out.analysedFrames;
                         if (!found) {
                             appendError(out.errors, "frame " + std::to_string(f) + ": " + found.message());
                             return;
                         }
                         for (const FaceDetection &fd : *found) {
                             const Box box{fd.box.x + roi.x, fd.box.y + roi.y, fd.box.w, fd.box.h};
                             const TrackId owner = track != 0 ? track : ownerOf(twin, f, box);
                             Sighting now{f, {box.centerX(), box.centerY()}, false};
                             if (const Instance *in = owner ? nearestInstance(twin, owner, f, maxGap) : nullptr;
                                 in && !in->box.isEmpty()) {
                                 now.where = {(box.centerX() - in->box.x) / in->box.w,
                                              (box.centerY() - in->box.y) / in->box.h};
                                 now.relative = true;
                             }
                             // The same face on consecutive samples extends one observation. Samples are frames
                             // apart and people move fast: a face of a tracked person keeps its place on the
                             // person's box or moved at most half its size per frame; a face of nobody moved less
                             // than its own size (crowds have many faces close together).
                             size_t k = 0;
                             for (; k < out.observations.size(); ++k) {
                                 const Observation &o = out.observations[k];
                                 if (o.trackId != owner || last[k].frame != previousSample)
                                     continue;
                                 const float size = std::max({o.box.w, o.box.h, box.w, box.h});
                                 const float moved = std::hypot(o.box.centerX() - box.centerX(),
                                                                o.box.centerY() - box.centerY());
                                 bool same = moved < size;
                                 if (owner != 0) {
                                     const cv::Point2f dp = now.where - last[k].where;
                                     same = same || moved < size * 0.5f * static_cast<float>(f - last[k].frame) ||
                                            (now.relative && last[k].relative && std::abs(dp.x) < 0.25f &&
                                             std::abs(dp.y) < 0.25f);
                                 }
                                 if (same)
                                     break;
                             }
                             if (k == out.observations.size()) {
                                 Observation o;
                                 o.kind = "face";
                                 o.trackId = owner;
                                 o.firstFrame = o.lastFrame = f;
                                 o.box = box;
                                 o.confidence = fd.score;
                                 o.source = d->faces->modelId();
                                 out.observations.push_back(o);
                                 last.push_back(now);
                                 continue;
                             }
                             Observation &o = out.observations[k];
                             o.lastFrame = f;
                             o.box = box;
                             o.confidence = std::max(o.confidence, fd.score);
                             last[k] = now;
                         }
                         previousSample = f;
                     });
    if (!s)
        return R::error(s);
    if (out.analysedFrames == 0)
        return R::error("no frame of " + windowText(*w) + " could be looked at" +
                        (out.errors.empty() ? std::string() : ": " + out.errors.front()));
    out.summary = "faces (" + out.model + ") on " + std::to_string(out.analysedFrames) + " frame(s) of " +
                  windowText(*w) + (track ? " within track " + std::to_string(track) : std::string()) + ": " +
                  (out.observations.empty() ? std::string("no face found")
                                            : std::to_string(out.observations.size()) + " face(s)");
    return out;
}

Result<RefinementOutcome> Refiner::depth(const Twin &twin, FrameWindow window, const CancelToken &cancel,
                                         const ProgressFn &progress)
{
    using R = Result<RefinementOutcome>;
    auto w = clampWindow(twin, window);
    if (!w)
        return R::error(w);
    Status s = d->ensureDepth();
    if (!s)
        return R::error(s);
    std::vector<FrameIndex> seen;
    for (const FrameRecord &f : twin.frames)
        if (f.frameIndex >= w->first && f.frameIndex <= w->last && !f.instances.empty())
            seen.push_back(f.frameIndex);

    RefinementOutcome out;
    out.specialist = "depth";
    out.model = d->depth->modelId();
    out.runtime = d->depth->runtime();
    out.window = *w;
    if (seen.empty()) {
        out.summary = "depth: no object on an analysed frame of " + windowText(*w);
        return out;
    }
    ProgressThrottle throttle(progress);
    s = decodeFrames(twin.video.path, spreadList(seen, d->config.maxDepthFrames), cancel, throttle, "depth",
                     out.errors, [&](FrameIndex f, const cv::Mat &bgr) {
                         ++out.analysedFrames;
                         auto map = d->depth->depthMap(bgr);
                         if (!map) {
                             appendError(out.errors, "frame " + std::to_string(f) + ": " + map.message());
                             return;
                         }
                         std::vector<Instance> instances = recordAt(twin, f)->instances;
                         d->depth->assign(*map, instances);
                         for (Instance &in : instances)
                             out.replacedInstances.push_back({f, std::move(in)});
                     });
    if (!s)
        return R::error(s);
    if (out.replacedInstances.empty())
        return R::error("no depth for " + windowText(*w) +
                        (out.errors.empty() ? std::string() : ": " + out.errors.front()));
    out.summary = "depth (" + out.model + ") of " + std::to_string(out.replacedInstances.size()) + " instance(s) on " +
                  std::to_string(out.analysedFrames) + " frame(s) of " + windowText(*w);
    return out;
}

std::vector<RoleRecord> Refiner::capabilities()
{
    std::vector<RoleRecord> out;
    auto add = [&out](const std::string &role, const Status &s, const std::string &model, const std::string &runtime) {
        out.push_back({role, s ? model : "", s ? runtime : "", s ? "ok" : "disabled: " + s.message()});
    };
    Status s = d->ensureReader();
    add("ocr", s, s ? d->reader->modelId() : "", s ? d->reader->runtime() : "");
    s = d->ensureFaces();
    add("face", s, s ? d->faces->modelId() : "", s ? d->faces->runtime() : "");
    s = d->ensureSegmenter();
    add("segmenter", s, s ? d->segmenter->modelId() : "", s ? d->segmenter->runtime() : "");
    s = d->ensureDepth();
    add("depth", s, s ? d->depth->modelId() : "", s ? d->depth->runtime() : "");
    for (const RoleRecord &r : d->ensureBuilder().roles())
        if (r.role == "detector")
            out.push_back({"dense", r.model, r.runtime, r.status});
    return out;
}

} // namespace ts
