#include "twinbuilder.h"
#include "base/workers.h"

#include "knowledge/wordnet.h"
#include "media/videoreader.h"
#include "twin/maskio.h"
#include "vision/attributes.h"
#include "vision/modelpick.h"
#include "vision/relations.h"
#include "vision/scenelayout.h"
#include "vision/tracker.h"

#include <opencv2/imgproc.hpp>
#include <opencv2/video/tracking.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <functional>
#include <cmath>
#include <map>
#include <numeric>
#include <unordered_map>

namespace ts {

namespace {

using Clock = std::chrono::steady_clock;

double threadCpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
}

// Wall time and this thread's CPU time: the two part when other processes compete for the cores.
class StageTimer {
public:
    StageTimer(BuildStats *stats, const char *stage)
        : m_stats(stats), m_stage(stage), m_start(Clock::now()), m_cpuStart(threadCpuSeconds())
    {
    }
    ~StageTimer()
    {
        if (!m_stats)
            return;
        m_stats->seconds[m_stage] += std::chrono::duration<double>(Clock::now() - m_start).count();
        m_stats->cpuSeconds[m_stage] += threadCpuSeconds() - m_cpuStart;
    }

private:
    BuildStats *m_stats;
    const char *m_stage;
    Clock::time_point m_start;
    double m_cpuStart;
};

constexpr int kSalientClass = -1;

struct FrameDetection {
    Box box; // analysis pixels
    int classId = kSalientClass;
    float score = 0.f;
};

struct TrackAccumulator {
    std::map<int, float> detectorVotes; // class -> summed score
    int detections = 0;
    std::map<int, float> classifierMass; // ImageNet class -> summed probability
    int classified = 0;
    std::map<std::string, float> colourVotes;
    std::map<std::string, float> secondaryVotes;
    std::map<std::string, int> shapeVotes;
    double areaFractionSum = 0.0;
    int observations = 0;
    FrameIndex first = -1, last = -1;
    std::vector<PathPoint> path;
    std::vector<float> areas;
    std::string keyMaskSource;
    AttributeMap lastAttributes;
    FrameIndex lastModelMask = -1; // frame the mask model last segmented this track
    int lastModelDetection = -1; // ... as a count of detection frames
    int remaskInterval = 0; // detection frames between mask-model passes (see RemaskPolicy)
    double modelFit = 0.0; // box IoU of the last model mask with its detection box
};

cv::Rect rectOf(const Box &b, const cv::Size &size)
{
    const Box c = b.clipped(static_cast<float>(size.width), static_cast<float>(size.height));
    cv::Rect r(static_cast<int>(std::floor(c.x)), static_cast<int>(std::floor(c.y)),
               static_cast<int>(std::ceil(c.w)), static_cast<int>(std::ceil(c.h)));
    return r & cv::Rect(0, 0, size.width, size.height);
}

cv::Mat squareCrop(const cv::Mat &img, const Box &box, float margin)
{
    const float side = std::max(box.w, box.h) * (1.f + 2.f * margin);
    Box sq{box.centerX() - side / 2, box.centerY() - side / 2, side, side};
    const cv::Rect r = rectOf(sq, img.size());
    if (r.width < 12 || r.height < 12)
        return {};
    return img(r);
}

// Box IoU of a mask's bounding box with a detection box (0 for an empty mask).
double maskBoxFit(const cv::Mat &mask, const Box &box)
{
    if (mask.empty())
        return 0.0;
    const cv::Rect r = cv::boundingRect(mask);
    if (r.area() == 0)
        return 0.0;
    return boxIou(Box{static_cast<float>(r.x), static_cast<float>(r.y), static_cast<float>(r.width),
                      static_cast<float>(r.height)},
                  box);
}

Label labelFromClass(const ClassLabel &c, float score, const std::string &model)
{
    Label l;
    l.name = c.name;
    l.synset = c.synset;
    l.score = score;
    l.model = model;
    return l;
}

} // namespace

bool RemaskPolicy::due(int lastModel, int interval, int now, double fit, double fitAtModel) const
{
    if (lastModel < 0)
        return true;
    const int since = now - lastModel;
    // The detector's box and a good mask's box differ by a margin of their own (loose boxes, thin parts the
    // model leaves out): drift is the fit falling from what it was when the model drew the mask.
    const bool drifted = fitDrop > 0 && fit < fitAtModel - fitDrop;
    return since >= std::max(interval, minInterval) || (since >= minInterval && drifted);
}

int RemaskPolicy::next(int interval, double agreementIou) const
{
    // A first mask has nothing to agree with: check it once soon, then let agreement stretch the interval.
    if (agreementIou < 0)
        return std::min(2 * minInterval, maxInterval);
    if (agreementIou > agreement)
        return std::min(2 * std::max(interval, minInterval), maxInterval);
    if (agreementIou < agreement - 0.15)
        return minInterval;
    return std::max(interval, minInterval);
}

/// The mask model's input side for a box: the crop (box and margin) at its own resolution rounded up to the
/// model stride, within [min, max]; 0 keeps the manifest's size. Upsampling a small crop to the largest input
/// buys little and costs the square of the side.
int maskInputSideFor(const Box &box, int minSide, int maxSide)
{
    if (maxSide <= 0)
        return 0;
    const double crop = std::max(box.w, box.h) * 1.3; // the segmenter's margin of 0.15 on each side
    const int side = static_cast<int>(std::ceil(crop / 32.0)) * 32;
    return std::clamp(side, std::min(minSide > 0 ? minSide : maxSide, maxSide), maxSide);
}

namespace {

// One table drives both directions of the config's JSON form.
template <class F>
void forEachConfigField(TwinBuilderConfig &c, F &&f)
{
    f("detect_fps", c.detectFps);
    f("mask_fps", c.maskFps);
    f("keyframe_fps", c.keyframeFps);
    f("saliency_fps", c.saliencyFps);
    f("detect_threshold", c.detectThreshold);
    f("max_instances", c.maxInstances);
    f("max_model_masks_per_keyframe", c.maxModelMasksPerKeyframe);
    f("max_masked_instances", c.maxMaskedInstances);
    f("flow_width", c.flowWidth);
    f("mask_input_max", c.maskInputMax);
    f("mask_input_min", c.maskInputMin);
    f("mask_keep_aspect", c.maskKeepAspect);
    f("saliency_input_side", c.saliencyInputSide);
    f("classify_every", c.classifyEvery);
    f("min_keyframe_fps", c.minKeyframeFps);
    f("remask_agreement", c.remaskAgreement);
    f("remask_fit_drop", c.remaskFitDrop);
    f("mask_model_fps", c.maskModelFps);
    f("flow_preset", c.flowPreset);
    f("classify", c.classify);
    f("salient_objects", c.salientObjects);
    f("scene_tiles", c.sceneTiles);
    f("scene_stuff", c.sceneStuff);
    f("masks", c.masks);
    f("detector", c.detectorId);
    f("classifier", c.classifierId);
    f("segmenter", c.segmenterId);
    f("salient", c.saliencyId);
    f("depth", c.depthId);
    f("threads", c.threads);
    f("decoder_threads", c.decoderThreads);
    f("prefetch_frames", c.prefetchFrames);
    f("memory_arena", c.memoryArena);
}

} // namespace

Result<TwinBuilderConfig> builderConfigFromJson(const nlohmann::json &j, TwinBuilderConfig base)
{
    using R = Result<TwinBuilderConfig>;
    if (!j.is_object())
        return R::error("pipeline settings must be a JSON object");
    std::vector<std::string> known;
    std::string error;
    forEachConfigField(base, [&](const char *name, auto &field) {
        known.push_back(name);
        auto it = j.find(name);
        if (it == j.end() || !error.empty())
            return;
        try {
            field = it->template get<std::decay_t<decltype(field)>>();
        } catch (const nlohmann::json::exception &) {
            error = std::string(name) + ": wrong type";
        }
    });
    if (!error.empty())
        return R::error(error);
    for (auto it = j.begin(); it != j.end(); ++it)
        if (std::find(known.begin(), known.end(), it.key()) == known.end())
            return R::error("unknown pipeline setting '" + it.key() + "'");
    if (base.detectFps <= 0 || base.maskFps <= 0 || base.keyframeFps <= 0 || base.saliencyFps < 0 || base.threads < 1 ||
        base.classifyEvery < 1 || base.maskInputMax < 0 || base.maskInputMin < 0 || base.saliencyInputSide < 0 ||
        base.prefetchFrames < 0)
        return R::error("rates and thread counts must be positive");
    return base;
}

nlohmann::json toJson(const TwinBuilderConfig &config)
{
    nlohmann::json j = nlohmann::json::object();
    TwinBuilderConfig c = config;
    forEachConfigField(c, [&](const char *name, auto &field) { j[name] = field; });
    return j;
}

struct TwinBuilder::Impl {
    const ModelRegistry &models;
    SessionCache &sessions; // the mask and saliency roles share one ISNet session, as do the workers
    const WordNet *wordnet;
    bool prepared = false;
    std::unique_ptr<ObjectDetector> detector;
    std::unique_ptr<ImageClassifier> classifier;
    std::unique_ptr<PromptedSegmenter> segmenter;
    std::unique_ptr<PromptedSegmenter> grabcut;
    std::unique_ptr<SaliencyModel> saliency;
    std::unique_ptr<DepthModel> depth;
    std::vector<RoleRecord> roles;

    Impl(const ModelRegistry &m, SessionCache &s, const WordNet *w) : models(m), sessions(s), wordnet(w) {}

    const ModelManifest *pick(const std::string &role, const std::string &id, std::string &why) const
    {
        return pickModel(models, role, id, why);
    }

    template <class T, class Factory>
    void load(const std::string &role, const std::string &id, std::unique_ptr<T> &slot, Factory factory,
              const SessionOptions &options)
    {
        std::string why;
        const ModelManifest *m = pick(role, id, why);
        if (!m) {
            roles.push_back({role, "", "", "disabled: " + why});
            return;
        }
        auto r = factory(*m, models, sessions, options);
        if (!r) {
            roles.push_back({role, m->id, "", "error: " + r.message()});
            return;
        }
        slot = std::move(r).value();
        roles.push_back({role, m->id, slot->runtime(), "ok"});
    }
};

TwinBuilder::TwinBuilder(const ModelRegistry &models, SessionCache &sessions, const WordNet *wordnet,
                         TwinBuilderConfig config)
    : d(std::make_unique<Impl>(models, sessions, wordnet)), m_config(std::move(config))
{
}

TwinBuilder::~TwinBuilder() = default;

void TwinBuilder::prepare()
{
    if (d->prepared)
        return;
    d->prepared = true;
    SessionOptions so;
    so.threads = m_config.threads;
    so.memoryArena = m_config.memoryArena;
    d->load("detector", m_config.detectorId, d->detector, &ObjectDetector::create, so);
    if (m_config.classify)
        d->load("classifier", m_config.classifierId, d->classifier, &ImageClassifier::create, so);
    if (m_config.masks) {
        d->load("segmenter", m_config.segmenterId, d->segmenter, &makeSegmenter, so);
        d->grabcut = makeGrabCutSegmenter();
        if (!d->segmenter)
            d->roles.push_back({"segmenter", "grabcut", "opencv", "ok (fallback: no segmentation model)"});
    }
    if (m_config.salientObjects)
        d->load("salient", m_config.saliencyId, d->saliency, &SaliencyModel::create, so);
    {
        std::string why;
        const ModelManifest *m = d->pick("depth", m_config.depthId, why);
        if (m) {
            auto r = DepthModel::create(*m, d->models, d->sessions, so);
            if (r) {
                d->depth = std::move(r).value();
                d->roles.push_back({"depth", m->id, d->depth->runtime(), "ok"});
            } else {
                d->roles.push_back({"depth", "proxy", "geometry", "proxy: " + r.message()});
            }
        } else {
            d->roles.push_back({"depth", "proxy", "geometry", "proxy: no depth model (" + why + ")"});
        }
    }
    d->roles.push_back({"tracking", "iou-appearance", "geometry", "ok"});
    d->roles.push_back({"attributes", "cielab-names+geometry", "opencv", "ok"});
    if (m_config.sceneStuff)
        d->roles.push_back({"scene-stuff", kSceneLayoutSource, "opencv", "proxy: no scene-parsing model"});
    d->roles.push_back({"relationships", "geometry", "", "ok"});
}

const std::vector<RoleRecord> &TwinBuilder::roles()
{
    prepare();
    return d->roles;
}

namespace {

/// The detector's objects on a frame at analysis resolution; a failure is noted, not fatal.
std::vector<FrameDetection> detectionsOf(ObjectDetector &detector, const cv::Mat &frame, float threshold,
                                         const std::function<void(const std::string &)> &noteError)
{
    std::vector<FrameDetection> dets;
    auto r = detector.detect(frame, threshold);
    if (r) {
        for (const Detection &x : *r)
            dets.push_back({x.box, x.classId, x.score});
    } else {
        noteError("detector: " + r.message());
    }
    return dets;
}

/// The largest and surest objects first, at most max of them.
void keepLargest(std::vector<FrameDetection> &dets, int max)
{
    std::sort(dets.begin(), dets.end(), [](const FrameDetection &a, const FrameDetection &b) {
        return a.box.area() * a.score > b.box.area() * b.score;
    });
    if (static_cast<int>(dets.size()) > max)
        dets.resize(static_cast<size_t>(max));
}

/// The part of a group's mask that belongs to one of its boxes (the components inside it); empty when that covers
/// under 5 % of the box.
cv::Mat maskWithinBox(const cv::Mat &groupMask, const Box &box, const cv::Size &size)
{
    const cv::Rect inside = rectOf(box, size);
    cv::Mat limit(size, CV_8UC1, cv::Scalar(0));
    limit(rectOf(box.expanded(0.05f), size)).setTo(255);
    cv::Mat kept = keepComponentsInside(groupMask & limit, inside, 0.0005);
    return cv::countNonZero(kept) > 0.05 * inside.area() ? kept : cv::Mat();
}

} // namespace

/// One video through the builder: decode, then per frame carry the live masks by optical flow and, on detection
/// frames, detect, track, mask, classify, describe and place the objects; then summarise the tracks and the scene.
/// Lives for one build() on the caller's worker thread.
class TwinBuilder::Run {
public:
    Run(TwinBuilder::Impl &impl, const TwinBuilderConfig &config, const CancelToken &cancel,
        const ProgressFn &progress, BuildStats *stats)
        : d(&impl), cfg(config), cancel(cancel), progress(progress), stats(stats)
    {
    }

    Status open(const std::string &path, const VideoInfo &seed)
    {
        if (Status s = openReader(path); !s)
            return s;
        twin.video = seed;
        twin.video.path = path;
        twin.video.durationMs = mi.durationMs;
        twin.video.fps = mi.fps;
        twin.video.width = mi.width;
        twin.video.height = mi.height;
        twin.video.rotation = mi.rotation;
        twin.video.frameCount = mi.frameCount;
        twin.video.codec = mi.codec;
        twin.roles = d->roles;
        step = std::max(1, static_cast<int>(std::lround(mi.fps / std::max(0.1, cfg.detectFps))));
        keyEvery = std::max(1, static_cast<int>(std::lround(cfg.detectFps / std::max(0.1, cfg.keyframeFps))));
        // Detection frames between mask-model passes for one object: the shortest and the longest (see
        // RemaskPolicy).
        remaskMin = cfg.maskModelFps > 0 ? std::max(1, static_cast<int>(std::lround(cfg.detectFps / cfg.maskModelFps)))
                                         : keyEvery;
        remaskMax =
            std::max(remaskMin, static_cast<int>(std::lround(cfg.detectFps / std::max(0.01, cfg.minKeyframeFps))));
        salEvery = std::max(1, static_cast<int>(std::lround(cfg.detectFps / std::max(0.1, cfg.saliencyFps))));
        twin.sampling.detectFps = mi.fps / step;
        twin.sampling.keyframeFps = mi.fps / (step * keyEvery);
        flow = cv::DISOpticalFlow::create(std::clamp(cfg.flowPreset, 0, 2));
        maskStep = std::max(1, static_cast<int>(std::lround(mi.fps / std::max(0.1, cfg.maskFps))));
        twin.sampling.notes = "detection on every " + std::to_string(step) +
                              "th frame; mask model per object every " + std::to_string(remaskMin) + "th to every " +
                              std::to_string(remaskMax) +
                              "th detection frame (keyframes only) as its flow-carried mask keeps agreeing and "
                              "fitting its box, GrabCut for other objects; masks carried by optical flow to every " +
                              std::to_string(maskStep) + " frame(s) in between";
        return Status::ok();
    }

    Result<Twin> run()
    {
        using R = Result<Twin>;
        Status streamed = analyseStream();
        for (const auto &[k, v] : frontStats.seconds)
            stats->seconds[k] += v;
        for (const auto &[k, v] : frontStats.cpuSeconds)
            stats->cpuSeconds[k] += v;
        if (!streamed)
            return R::error(streamed);
        if (twin.frames.empty())
            return R::error("no frame could be analysed");
        if (decodedCount > 0 && (twin.video.frameCount <= 0 || m_reader->decodeErrors() > 0))
            twin.video.frameCount = decodedCount;
        // Variable-rate files number frames by time: the last index can pass the container's frame count.
        twin.video.frameCount = std::max<int64_t>(twin.video.frameCount, twin.frames.back().frameIndex + 1);
        if (m_reader->decodeErrors() > 0)
            noteError("the file has " + std::to_string(m_reader->decodeErrors()) +
                      " damaged packets that were skipped");
        twin.sampling.analysedFrames = analysed;
        {
            // 8. Track summaries and label fusion.
            StageTimer fuseTimer(stats, "summarise");
            summariseTracks();
            sceneLabels();
            {
                StageTimer t(stats, "relationships");
                twin.relationships = extractRelationships(twin);
            }
        }
        twin.errors = errors;
        if (progress)
            progress(1.0, "twin built");
        return std::move(twin);
    }

    /// Every frame of the video in order: the front stage (decode, optical flow, detection) runs prefetchFrames
    /// frames ahead on a thread of its own; the analysis that depends on what came before (carrying the masks,
    /// tracking, masks, labels) runs here. The front stage computes the same values either way.
    Status analyseStream()
    {
        const int64_t expected = std::max<int64_t>(1, mi.frameCount);
        Prefetcher<Ahead> front(static_cast<size_t>(std::max(0, cfg.prefetchFrames)), [this] { return frontNext(); });
        for (;;) {
            if (cancel.isCancelled())
                return Status::cancelled();
            std::optional<Ahead> ahead = front.next();
            if (!ahead)
                return Status::error("the front stage ended without saying why");
            for (const std::string &e : ahead->errors)
                noteError(e);
            if (!ahead->got) {
                if (decodedCount > 0 && !ahead->got.isCancelled()) {
                    noteError("decoding stopped early: " + ahead->got.message());
                    return Status::ok();
                }
                return ahead->got.status();
            }
            if (!ahead->got.value())
                return Status::ok();
            ++decodedCount;
            ++stats->decodedFrames;
            if (progress)
                progress(std::min(0.99, static_cast<double>(decodedCount) / expected), "analysing frames");
            frame = std::move(ahead->frame);
            if (!ahead->pixels)
                continue;
            A = ahead->A;
            carryMasks(*ahead);
            if (!ahead->detectFrame) {
                if (ahead->maskFrame)
                    emitCarried();
                continue;
            }
            dets = std::move(ahead->dets);
            analyseDetectionFrame();
        }
    }

    /// What the front stage prepares for one frame.
    struct Ahead {
        Result<bool> got{false}; // the reader's answer: false at the end of the video
        DecodedFrame frame;
        cv::Mat A; // analysis resolution (frames with colour)
        bool detectFrame = false;
        bool maskFrame = false;
        bool pixels = false; // false: a frame the decoder gave no pixels for
        cv::Mat flow; // optical flow back to the previous frame at flow resolution; empty without flow
        double flowScale = 1.0; // flow resolution / analysis resolution
        double flowReach = 0.0; // the farthest anything moves along the flow, analysis pixels
        std::vector<FrameDetection> dets; // detection frames: detections and unexplained salient objects
        std::vector<std::string> errors;
    };

    /// The front stage, one frame: decode, scale, optical flow from the previous frame and, on detection
    /// frames, detection and the salient-object search. Touches only the front's own state (reader, flow,
    /// detector, salient model, its counters and stats). May run on a thread of its own.
    std::optional<Ahead> frontNext()
    {
        if (frontEnded)
            return std::nullopt;
        Ahead a;
        a.detectFrame = frontDecoded % step == 0;
        a.maskFrame = cfg.masks && frontDecoded % maskStep == 0;
        // Detection frames need colour; frames masks are only carried through need the luma plane for flow.
        const FramePixels want = a.detectFrame ? FramePixels::Bgr : cfg.masks ? FramePixels::Gray : FramePixels::None;
        if (cancel.isCancelled()) {
            a.got = Result<bool>::cancelled();
        } else {
            StageTimer t(&frontStats, "decode");
            a.got = m_reader->next(a.frame, want);
        }
        if (!a.got || !a.got.value()) {
            frontEnded = true;
            return a;
        }
        ++frontDecoded;
        a.pixels = !a.frame.bgr.empty() || !a.frame.gray.empty();
        if (!a.pixels) {
            prevGray.release();
            return a;
        }
        a.A = a.frame.bgr;
        if (!a.A.empty() && analysisScale < 1.0) {
            StageTimer t(&frontStats, "decode");
            cv::resize(a.frame.bgr, a.A, cv::Size(), analysisScale, analysisScale, cv::INTER_AREA);
        }
        frontFlow(a);
        a.frame.gray.release(); // what the flow needed; frames wait in the queue with their flow only
        if (a.detectFrame) {
            const bool salient = d->saliency && cfg.saliencyFps > 0 && frontAnalysed % salEvery == 0;
            ++frontAnalysed;
            detect(a, salient);
        }
        return a;
    }

    /// The reader and the analysis size: all analyseFrames() needs, and the start of open().
    Status openReader(const std::string &path)
    {
        ReaderOptions ro;
        ro.threads = cfg.decoderThreads;
        auto opened = VideoReader::open(path, ro, cancel);
        if (!opened)
            return opened.status();
        m_reader = std::move(opened).value();
        mi = m_reader->info();
        W = mi.width;
        H = mi.height;
        // Analyse at most 1280 px on the long side; results are mapped back to native pixels.
        analysisScale = std::min(1.0, 1280.0 / std::max(W, H));
        asz = cv::Size(static_cast<int>(std::lround(W * analysisScale)),
                       static_cast<int>(std::lround(H * analysisScale)));
        frameArea = static_cast<double>(asz.area());
        return Status::ok();
    }

    /// Each of the (sorted, distinct) frames analysed on its own, as a keyframe without tracking.
    Result<FrameAnalysis> analyseLoneFrames(const std::vector<FrameIndex> &frames)
    {
        using R = Result<FrameAnalysis>;
        FrameAnalysis result;
        FrameIndex nextIndex = -1; // what the reader returns next; -1 before the first seek
        for (FrameIndex target : frames) {
            if (cancel.isCancelled())
                return R::cancelled();
            auto decoded = decodeLone(target, nextIndex);
            if (!decoded)
                return R::error(decoded);
            if (*decoded == Decoded::End)
                break;
            if (*decoded == Decoded::Missing) {
                noteError("frame " + std::to_string(target) + " could not be decoded");
                continue;
            }
            result.frames.push_back(analyseLone());
        }
        result.errors = errors;
        return result;
    }

private:
    enum class Decoded { Frame, Missing, End };

    /// Decodes up to target: straight through small gaps, seeking across long ones (seeking costs a GOP).
    Result<Decoded> decodeLone(FrameIndex target, FrameIndex &nextIndex)
    {
        if (nextIndex < 0 || target < nextIndex || target - nextIndex > 48) {
            StageTimer t(stats, "decode");
            Status s = m_reader->seekToFrame(target);
            if (!s)
                return Result<Decoded>::error(s);
            nextIndex = target;
        }
        bool have = false;
        while (nextIndex <= target) {
            StageTimer t(stats, "decode");
            auto got = m_reader->next(frame, nextIndex == target ? FramePixels::Bgr : FramePixels::None);
            if (!got)
                return Result<Decoded>::error(got);
            if (!got.value())
                return Decoded::End;
            ++stats->decodedFrames;
            nextIndex = frame.frameIndex + 1;
            have = frame.frameIndex == target && !frame.bgr.empty();
        }
        return have ? Decoded::Frame : Decoded::Missing;
    }

    FrameRecord analyseLone()
    {
        A = frame.bgr;
        if (analysisScale < 1.0)
            cv::resize(frame.bgr, A, asz, 0, 0, cv::INTER_AREA);
        dets.clear();
        if (d->detector) {
            StageTimer t(stats, "detect");
            dets = detectionsOf(*d->detector, A, cfg.detectThreshold, [this](const std::string &e) { noteError(e); });
        }
        keepLargest(dets, cfg.maxInstances);
        rec = FrameRecord();
        rec.frameIndex = frame.frameIndex;
        rec.timeMs = frame.timeMs;
        rec.detected = true;
        masks.assign(dets.size(), cv::Mat());
        maskSources.assign(dets.size(), std::string());
        if (cfg.masks) {
            StageTimer t(stats, "mask");
            // As on a keyframe: the mask model on the largest groups of touching objects, its mask split between
            // their boxes; GrabCut for the others (no flow-carried mask exists for a lone frame).
            if (d->segmenter && !dets.empty())
                loneModelMasks();
            loneGrabCutMasks();
        }
        loneInstances();
        loneDepth();
        ++stats->analysedFrames;
        if (rec.keyframe)
            ++stats->keyframes;
        return std::move(rec);
    }

    void loneModelMasks()
    {
        std::vector<std::vector<size_t>> groups;
        std::vector<int> groupOf(dets.size(), -1);
        for (size_t i = 0; i < dets.size(); ++i) {
            if (groupOf[i] < 0) {
                groupOf[i] = static_cast<int>(groups.size());
                groups.push_back({i});
            }
            for (size_t j = i + 1; j < dets.size(); ++j) {
                if (groupOf[j] >= 0 ||
                    dets[i].box.expanded(0.05f).intersected(dets[j].box.expanded(0.05f)).isEmpty())
                    continue;
                groupOf[j] = groupOf[i];
                groups[static_cast<size_t>(groupOf[i])].push_back(j);
            }
        }
        std::vector<std::pair<float, size_t>> order;
        std::vector<Box> unions(groups.size());
        for (size_t g = 0; g < groups.size(); ++g) {
            for (size_t i : groups[g])
                unions[g] = unions[g].united(dets[i].box);
            order.push_back({unions[g].area(), g});
        }
        std::sort(order.begin(), order.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
        int budget = cfg.maxModelMasksPerKeyframe;
        for (const auto &[area, g] : order) {
            if (budget <= 0 || area < 0.01 * frameArea)
                break;
            --budget;
            SegmentPrompt prompt{unions[g], {}, {}};
            prompt.inputSide = maskInputSideFor(unions[g], cfg.maskInputMin, cfg.maskInputMax);
            prompt.shape = cfg.maskKeepAspect ? MaskInputShape::CropAspect : MaskInputShape::Square;
            auto m = d->segmenter->segment(A, prompt);
            if (!m) {
                noteError("segmenter: " + m.message());
                break;
            }
            rec.keyframe = true;
            for (size_t i : groups[g]) {
                cv::Mat inBox = maskWithinBox(*m, dets[i].box, asz);
                if (!inBox.empty()) {
                    masks[i] = inBox;
                    maskSources[i] = d->segmenter->modelId();
                }
            }
        }
    }

    void loneGrabCutMasks()
    {
        int grabcutBudget = cfg.maxMaskedInstances;
        for (size_t i = 0; i < dets.size(); ++i)
            grabCutIfWorthIt(i, grabcutBudget);
    }

    /// GrabCut for an object still without a mask, while the frame's budget lasts; small objects are not worth a
    /// pass (their box stands in until the mask model sees them).
    void grabCutIfWorthIt(size_t i, int &budget)
    {
        if (!masks[i].empty() || budget <= 0 || dets[i].box.area() < 0.02 * frameArea || !d->grabcut)
            return;
        --budget;
        StageTimer gt(stats, "grabcut");
        auto m = d->grabcut->segment(A, {dets[i].box, {}, {}});
        if (m && cv::countNonZero(*m) > 0) {
            masks[i] = *m;
            maskSources[i] = d->grabcut->modelId();
        }
    }

    void loneInstances()
    {
        StageTimer t(stats, "attributes");
        for (size_t i = 0; i < dets.size(); ++i) {
            Instance in;
            if (dets[i].classId >= 0 && d->detector) {
                in.category = labelFromClass(d->detector->labels()[static_cast<size_t>(dets[i].classId)],
                                             dets[i].score, d->detector->modelId());
            } else {
                in.category.name = "object";
                in.category.score = dets[i].score;
            }
            in.attributes = instanceAttributes(A, masks[i], dets[i].box, asz.width, asz.height);
            place(in, masks[i], maskSources[i], dets[i].box, BoxOutside::Clip);
            rec.instances.push_back(std::move(in));
        }
    }

    void loneDepth()
    {
        StageTimer t(stats, "depth");
        bool modelDepth = false;
        if (d->depth && !rec.instances.empty()) {
            auto m = d->depth->depthMap(frame.bgr);
            if (m) {
                d->depth->assign(*m, rec.instances);
                modelDepth = true;
            } else {
                noteError("depth: " + m.message());
            }
        }
        if (!modelDepth)
            proxyDepth(rec.instances, W, H);
    }

    // Objects seen at the last detection frame whose masks are carried from frame to frame by optical flow.
    struct Live {
        cv::Mat mask; // analysis resolution, 0/255
        // The mask as carried: warped with bilinear interpolation and thresholded only to give `mask`, so that
        // rounding does not pile up frame after frame (nearest-neighbour warps erode thin parts within a second).
        cv::Mat soft;
        Label category;
        AttributeMap attributes;
        float score = 0.f;
        int missed = 0; // detection frames since last seen
    };

    void noteError(const std::string &e)
    {
        if (std::find(errors.begin(), errors.end(), e) == errors.end() && errors.size() < 20)
            errors.push_back(e);
    }

    Box toNative(const Box &b) const
    {
        const float s = static_cast<float>(1.0 / analysisScale);
        return Box{b.x * s, b.y * s, b.w * s, b.h * s};
    }

    Rle maskToNative(const cv::Mat &m) const
    {
        if (analysisScale >= 1.0)
            return matToRle(m);
        cv::Mat up;
        cv::resize(m, up, cv::Size(W, H), 0, 0, cv::INTER_NEAREST);
        return matToRle(up);
    }

    Instance emitInstance(TrackId id, const Label &category, const AttributeMap &attributes, const cv::Mat &mask,
                          const std::string &maskSource, const Box &fallbackBox, float score) const
    {
        Instance in;
        in.trackId = id;
        in.category = category;
        in.category.score = score;
        in.attributes = attributes;
        place(in, mask, maskSource, fallbackBox, BoxOutside::Keep);
        return in;
    }

    /// A fallback box reaching past the frame: kept as detected (tracked instances), or clipped to it.
    enum class BoxOutside { Keep, Clip };

    /// An instance's mask at native resolution (or its box when the mask is empty), centroid, size and position.
    void place(Instance &in, const cv::Mat &mask, const std::string &maskSource, const Box &fallbackBox,
               BoxOutside outside) const
    {
        if (!mask.empty() && cv::countNonZero(mask) > 0) {
            in.mask = maskToNative(mask);
            in.maskSource = maskSource;
            in.areaPx = static_cast<int64_t>(in.mask.area());
            in.box = in.mask.boundingBox();
        } else {
            in.box = toNative(fallbackBox);
            if (outside == BoxOutside::Clip)
                in.box = in.box.clipped(static_cast<float>(W), static_cast<float>(H));
            in.areaPx = static_cast<int64_t>(in.box.area());
        }
        in.centroidX = in.box.centerX() / W;
        in.centroidY = in.box.centerY() / H;
        const double af = static_cast<double>(in.areaPx) / (static_cast<double>(W) * H);
        in.attributes["size"] = {sizeClass(af), "geometry"};
        in.attributes["position"] = {positionInFrame(in.centroidX, in.centroidY), "geometry"};
    }

    /// 0. Optical flow from this frame back to the previous one (front stage): where each pixel came from.
    void frontFlow(Ahead &a)
    {
        if (!cfg.masks)
            return;
        StageTimer t(&frontStats, "flow");
        cv::Mat gray;
        const double fs = std::min(1.0, static_cast<double>(cfg.flowWidth) / asz.width);
        const cv::Size flowSize(static_cast<int>(std::lround(asz.width * fs)),
                                static_cast<int>(std::lround(asz.height * fs)));
        if (!a.frame.gray.empty()) {
            cv::resize(a.frame.gray, gray, flowSize, 0, 0, cv::INTER_AREA);
        } else {
            cv::Mat small;
            cv::resize(a.A, small, flowSize, 0, 0, cv::INTER_AREA);
            cv::cvtColor(small, gray, cv::COLOR_BGR2GRAY);
        }
        // Computed whether or not objects are live: the front stage runs ahead and cannot know (the analysis uses
        // the flow only when they are), and a flow left out for a frame that needed it would change the twin.
        if (!prevGray.empty() && prevGray.size() == gray.size()) {
            flow->calc(gray, prevGray, a.flow);
            a.flowScale = fs;
            double lo = 0.0, hi = 0.0;
            cv::minMaxLoc(a.flow.reshape(1), &lo, &hi);
            a.flowReach = std::max(std::abs(lo), std::abs(hi)) / fs + 2.0;
        }
        prevGray = gray;
    }

    /// 0. Carry the live masks from the previous frame along the flow.
    void carryMasks(const Ahead &a)
    {
        if (!cfg.masks || a.flow.empty() || live.empty())
            return;
        StageTimer t(stats, "propagate");
        // Where each analysis pixel was in the previous frame.
        cv::Mat from;
        cv::resize(a.flow, from, asz, 0, 0, cv::INTER_LINEAR);
        from *= 1.0 / a.flowScale;
        if (grid.size() != asz) {
            grid.create(asz, CV_32FC2);
            for (int y = 0; y < asz.height; ++y) {
                auto *g = grid.ptr<cv::Vec2f>(y);
                for (int x = 0; x < asz.width; ++x)
                    g[x] = cv::Vec2f(static_cast<float>(x), static_cast<float>(y));
            }
        }
        from += grid;
        const double reach = a.flowReach;
        // A mask only moves as far as the flow reaches: warp the part of the frame that can receive it.
        const cv::Rect frameRect(0, 0, asz.width, asz.height);
        for (auto &[id, l] : live) {
            if (l.mask.empty())
                continue;
            if (l.soft.size() != l.mask.size())
                l.soft = l.mask.clone();
            const cv::Rect src = cv::boundingRect(l.soft);
            cv::Mat warped(asz, CV_8UC1, cv::Scalar(0));
            if (src.area() > 0) {
                const int m = static_cast<int>(std::ceil(reach));
                const cv::Rect dst =
                    cv::Rect(src.x - m, src.y - m, src.width + 2 * m, src.height + 2 * m) & frameRect;
                cv::remap(l.soft, warped(dst), from(dst), cv::noArray(), cv::INTER_LINEAR, cv::BORDER_CONSTANT,
                          cv::Scalar(0));
            }
            l.soft = warped;
            cv::threshold(l.soft, l.mask, 127, 255, cv::THRESH_BINARY);
        }
    }

    /// A frame between detection frames: the live objects' carried masks.
    void emitCarried()
    {
        StageTimer t(stats, "propagate");
        FrameRecord carried;
        carried.frameIndex = frame.frameIndex;
        carried.timeMs = frame.timeMs;
        carried.detected = false;
        for (const auto &[id, l] : live)
            if (!l.mask.empty() && cv::countNonZero(l.mask) > 0)
                carried.instances.push_back(
                    emitInstance(id, l.category, l.attributes, l.mask, acc[id].keyMaskSource + " (flow)", {}, l.score));
        if (carried.instances.empty())
            return;
        // The last model depth map is at most one detection interval old, as on detection frames between
        // keyframes; the proxy only stands in when there is no depth model.
        if (d->depth && !depthMap.empty())
            d->depth->assign(depthMap, carried.instances);
        else
            proxyDepth(carried.instances, W, H);
        twin.frames.push_back(std::move(carried));
    }

    /// A detection frame: the numbered steps 1-7.
    void analyseDetectionFrame()
    {
        keyframe = analysed % keyEvery == 0;
        ++analysed;
        trackObjects();
        maskObjects();
        classify();
        describeInstances();
        placeInDepth();
        if (rec.keyframe)
            ++stats->keyframes;
        ++stats->analysedFrames;
        twin.frames.push_back(std::move(rec));
    }

    /// 1. Detection, and 2. salient objects that no detection explains (front stage).
    void detect(Ahead &a, bool salientPass)
    {
        // 1. Detection.
        if (d->detector) {
            StageTimer t(&frontStats, "detect");
            a.dets = detectionsOf(*d->detector, a.A, cfg.detectThreshold,
                                  [&a](const std::string &e) { a.errors.push_back(e); });
        }
        // 2. Salient objects that no detection explains (classes the detector does not know).
        if (salientPass) {
            StageTimer t(&frontStats, "saliency");
            auto s = d->saliency->saliency(a.A, cfg.saliencyInputSide);
            if (s) {
                cv::Mat salient;
                cv::compare(*s, 0.5, salient, cv::CMP_GE);
                cv::Mat labels, st, cent;
                const int n = cv::connectedComponentsWithStats(salient, labels, st, cent, 8, CV_32S);
                for (int i = 1; i < n; ++i) {
                    const int area = st.at<int>(i, cv::CC_STAT_AREA);
                    if (area < 0.01 * frameArea)
                        continue;
                    const Box b{static_cast<float>(st.at<int>(i, cv::CC_STAT_LEFT)),
                                static_cast<float>(st.at<int>(i, cv::CC_STAT_TOP)),
                                static_cast<float>(st.at<int>(i, cv::CC_STAT_WIDTH)),
                                static_cast<float>(st.at<int>(i, cv::CC_STAT_HEIGHT))};
                    float explained = 0.f;
                    for (const auto &x : a.dets)
                        explained += b.intersected(x.box).area();
                    if (explained / b.area() < 0.5f) {
                        const float meanSal = static_cast<float>(cv::mean(*s, labels == i)[0]);
                        a.dets.push_back({b, kSalientClass, meanSal});
                    }
                }
            } else {
                a.errors.push_back("salient: " + s.message());
            }
        }
        keepLargest(a.dets, cfg.maxInstances);
    }

    void trackObjects()
    {
        // 3. Tracking. Person stays apart from everything else; other classes may swap (detectors confuse
        // similar animals and vehicles), so they share one key.
        std::vector<TrackObservation> obs;
        {
            StageTimer t(stats, "track");
            for (const auto &x : dets) {
                TrackObservation o;
                o.box = x.box;
                o.classKey = x.classId == 0 ? "person" : "thing";
                o.score = x.score;
                o.appearance = appearanceOf(A, x.box);
                obs.push_back(std::move(o));
            }
        }
        // Objects whose masks optical flow carried here are expected where their masks are now.
        for (const auto &[id, l] : live)
            if (!l.mask.empty()) {
                const cv::Rect r = cv::boundingRect(l.mask);
                if (r.area() > 0)
                    tracker.setPrediction(id, Box{static_cast<float>(r.x), static_cast<float>(r.y),
                                                  static_cast<float>(r.width), static_cast<float>(r.height)});
            }
        ids = tracker.update(obs, frame.frameIndex);
    }

    void maskObjects()
    {
        // 4. Masks: the mask model on keyframes for the largest objects, GrabCut for new objects, and the
        //    flow-carried mask (kept inside the detection box) otherwise.
        rec = FrameRecord();
        rec.frameIndex = frame.frameIndex;
        rec.timeMs = frame.timeMs;
        masks.assign(dets.size(), cv::Mat());
        carriedSoft.assign(dets.size(), cv::Mat()); // the soft form of masks that flow carried here
        maskSources.assign(dets.size(), std::string());
        if (!cfg.masks)
            return;
        StageTimer t(stats, "mask");
        // Keyframes: one mask-model pass per due group of touching objects (a rider and the horse share a crop, and
        // the salient mask of the crop is split between their boxes), largest groups first.
        if (keyframe && d->segmenter && !dets.empty())
            modelMasks();
        carriedOrGrabCutMasks();
    }

    void modelMasks()
    {
        std::vector<int> group(dets.size());
        std::iota(group.begin(), group.end(), 0);
        std::function<int(int)> root = [&](int i) { return group[i] == i ? i : group[i] = root(group[i]); };
        for (size_t i = 0; i < dets.size(); ++i)
            for (size_t j = i + 1; j < dets.size(); ++j)
                if (!dets[i].box.expanded(0.05f).intersected(dets[j].box.expanded(0.05f)).isEmpty())
                    group[root(static_cast<int>(j))] = root(static_cast<int>(i));
        std::map<int, std::vector<size_t>> members;
        for (size_t i = 0; i < dets.size(); ++i)
            members[root(static_cast<int>(i))].push_back(i);
        std::vector<std::pair<float, Box>> groups;
        std::vector<std::vector<size_t>> groupMembers;
        for (const auto &[r, m] : members) {
            Box u;
            for (size_t i : m)
                u = u.united(dets[i].box);
            groups.push_back({u.area(), u});
            groupMembers.push_back(m);
        }
        std::vector<size_t> order(groups.size());
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return groups[a].first > groups[b].first; });
        int budget = cfg.maxModelMasksPerKeyframe;
        RemaskPolicy policy;
        policy.minInterval = remaskMin;
        policy.maxInterval = remaskMax;
        policy.agreement = cfg.remaskAgreement;
        policy.fitDrop = cfg.remaskFitDrop;
        for (size_t k = 0; k < order.size() && budget > 0; ++k) {
            const size_t g = order[k];
            if (groups[g].first < 0.01 * frameArea)
                break; // small objects: flow and GrabCut are good enough, the mask model is not worth it
            // Each object is due for the mask model after its own interval, which doubles while the
            // flow-carried mask keeps agreeing with the model's and drops back when it does not; in
            // between, a carried mask that no longer fits the detector's box calls the model early.
            bool due = false;
            for (size_t i : groupMembers[g]) {
                const TrackAccumulator &a = acc[ids[i]];
                auto it = live.find(ids[i]);
                const double fit = it != live.end() ? maskBoxFit(it->second.mask, dets[i].box) : 0.0;
                if (policy.due(a.lastModelMask < 0 ? -1 : a.lastModelDetection, a.remaskInterval,
                               analysed - 1, fit, a.modelFit))
                    due = true;
            }
            if (!due)
                continue;
            --budget;
            rec.keyframe = true;
            for (size_t i : groupMembers[g]) {
                acc[ids[i]].lastModelMask = frame.frameIndex;
                acc[ids[i]].lastModelDetection = analysed - 1;
            }
            SegmentPrompt prompt{groups[g].second, {}, {}};
            prompt.inputSide = maskInputSideFor(groups[g].second, cfg.maskInputMin, cfg.maskInputMax);
            prompt.shape = cfg.maskKeepAspect ? MaskInputShape::CropAspect : MaskInputShape::Square;
            auto m = d->segmenter->segment(A, prompt);
            if (!m) {
                noteError("segmenter: " + m.message());
                break;
            }
            for (size_t i : groupMembers[g]) {
                cv::Mat inBox = maskWithinBox(*m, dets[i].box, asz);
                if (!inBox.empty()) {
                    TrackAccumulator &a = acc[ids[i]];
                    auto it = live.find(ids[i]);
                    const bool carried = it != live.end() && !it->second.mask.empty();
                    a.modelFit = maskBoxFit(inBox, dets[i].box);
                    a.remaskInterval = policy.next(
                        a.remaskInterval, carried ? Rle::iou(matToRle(it->second.mask), matToRle(inBox)) : -1.0);
                    masks[i] = inBox;
                    maskSources[i] = d->segmenter->modelId();
                }
            }
        }
    }

    void carriedOrGrabCutMasks()
    {
        // Otherwise the flow-carried mask, kept inside the detection box; GrabCut for objects without one.
        int grabcutBudget = cfg.maxMaskedInstances;
        for (size_t i = 0; i < dets.size(); ++i) {
            TrackAccumulator &a = acc[ids[i]];
            if (masks[i].empty()) {
                auto it = live.find(ids[i]);
                const cv::Rect box = rectOf(dets[i].box, asz);
                if (it != live.end() && !it->second.mask.empty() && box.area() > 0) {
                    cv::Mat limit(asz, CV_8UC1, cv::Scalar(0));
                    limit(rectOf(dets[i].box.expanded(0.1f), asz)).setTo(255);
                    cv::Mat carried = it->second.mask & limit;
                    if (cv::countNonZero(carried(box)) > 0.15 * box.area()) {
                        masks[i] = carried;
                        if (!it->second.soft.empty())
                            carriedSoft[i] = it->second.soft & limit;
                        maskSources[i] = a.keyMaskSource.empty() ? std::string("propagated") : a.keyMaskSource;
                    }
                }
            }
            grabCutIfWorthIt(i, grabcutBudget);
            if (!masks[i].empty() && maskSources[i] != a.keyMaskSource && maskSources[i] != "propagated")
                a.keyMaskSource = maskSources[i];
        }
    }

    void classify()
    {
        // 5. Labels from the classifier on object crops and on the whole frame (keyframes).
        if (keyframe && d->classifier && (analysed - 1) / keyEvery % cfg.classifyEvery == 0) {
            StageTimer t(stats, "classify");
            std::vector<cv::Mat> crops;
            std::vector<TrackId> cropTracks;
            for (size_t i = 0; i < dets.size(); ++i) {
                cv::Mat c = squareCrop(A, dets[i].box, 0.1f);
                if (c.empty())
                    continue;
                crops.push_back(c);
                cropTracks.push_back(ids[i]);
            }
            crops.push_back(A);
            cropTracks.push_back(0);
            // Scene stuff (sky, water, grass...) around the objects, by colour layout.
            if (cfg.sceneStuff) {
                StageTimer st(stats, "stuff");
                cv::Mat objects(A.size(), CV_8UC1, cv::Scalar(0));
                for (const auto &x : dets)
                    objects(rectOf(x.box, A.size())).setTo(255);
                for (const StuffShare &sh : sceneStuff(A, objects))
                    stuffShare[sh.name] += sh.share;
                ++stuffSamples;
            }
            // Overlapping quarter tiles: things in the scene that no detector class covers and that are too small
            // to win the whole-frame vote (a fountain behind a dancer, a bench beside a walker).
            if (cfg.sceneTiles) {
                const int tw = static_cast<int>(A.cols * 0.6), th = static_cast<int>(A.rows * 0.6);
                for (int ty = 0; ty < 2; ++ty)
                    for (int tx = 0; tx < 2; ++tx) {
                        crops.push_back(A(cv::Rect(tx * (A.cols - tw), ty * (A.rows - th), tw, th)));
                        cropTracks.push_back(-1);
                    }
            }
            auto r = d->classifier->classify(crops, 5);
            if (r) {
                std::map<int, float> tilePeak; // class -> best tile probability on this keyframe
                for (size_t i = 0; i < r->size(); ++i) {
                    if (cropTracks[i] == -1) {
                        for (const ClassScore &cs : (*r)[i])
                            tilePeak[cs.classId] = std::max(tilePeak[cs.classId], cs.score);
                    } else if (cropTracks[i] == 0) {
                        for (const ClassScore &cs : (*r)[i])
                            sceneMass[cs.classId] += cs.score;
                        ++sceneSamples;
                    } else {
                        TrackAccumulator &a = acc[cropTracks[i]];
                        for (const ClassScore &cs : (*r)[i])
                            a.classifierMass[cs.classId] += cs.score;
                        ++a.classified;
                    }
                }
                for (const auto &[c, p] : tilePeak)
                    tileMass[c] += p;
                if (!tilePeak.empty())
                    ++tileSamples;
            } else {
                noteError("classifier: " + r.message());
            }
        }
    }

    void describeInstances()
    {
        // 6. Instances with attributes; accumulate per track; update the live set.
        {
            StageTimer t(stats, "attributes");
            for (auto &[id, l] : live)
                ++l.missed;
            for (size_t i = 0; i < dets.size(); ++i) {
                TrackAccumulator &a = acc[ids[i]];
                Label category;
                if (dets[i].classId >= 0 && d->detector) {
                    const ClassLabel &cl = d->detector->labels()[static_cast<size_t>(dets[i].classId)];
                    category = labelFromClass(cl, dets[i].score, d->detector->modelId());
                    a.detectorVotes[dets[i].classId] += dets[i].score;
                    ++a.detections;
                } else {
                    category.name = "object";
                    category.model = d->saliency ? d->saliency->modelId() : "salient";
                }
                if (keyframe || a.lastAttributes.empty()) {
                    a.lastAttributes = instanceAttributes(A, masks[i], dets[i].box, asz.width, asz.height);
                    auto c = a.lastAttributes.find("colour");
                    if (c != a.lastAttributes.end())
                        a.colourVotes[c->second.value] += c->second.confidence;
                    auto c2 = a.lastAttributes.find("colour_secondary");
                    if (c2 != a.lastAttributes.end())
                        a.secondaryVotes[c2->second.value] += c2->second.confidence;
                    auto sh = a.lastAttributes.find("shape");
                    if (sh != a.lastAttributes.end())
                        ++a.shapeVotes[sh->second.value];
                }
                Instance in = emitInstance(ids[i], category, a.lastAttributes, masks[i], maskSources[i], dets[i].box,
                                           dets[i].score);
                const double af = static_cast<double>(in.areaPx) / (static_cast<double>(W) * H);
                a.areaFractionSum += af;
                ++a.observations;
                if (a.first < 0)
                    a.first = frame.frameIndex;
                a.last = frame.frameIndex;
                a.path.push_back({frame.frameIndex, in.centroidX, in.centroidY});
                a.areas.push_back(static_cast<float>(af));
                Live &l = live[ids[i]];
                l.mask = masks[i];
                l.soft = carriedSoft[i];
                l.category = category;
                l.attributes = in.attributes;
                l.score = dets[i].score;
                l.missed = 0;
                rec.instances.push_back(std::move(in));
            }
            // Objects the detector lost for a moment (motion blur, occlusion) keep their flow-carried mask for up
            // to about a second, as a video object segmenter would; then they are let go.
            const int maxCarried = std::max(1, static_cast<int>(std::lround(cfg.detectFps)));
            for (auto it = live.begin(); it != live.end();) {
                Live &l = it->second;
                const bool keep = l.missed <= maxCarried && !l.mask.empty() &&
                                  cv::countNonZero(l.mask) > 0.0005 * frameArea;
                if (!keep) {
                    it = live.erase(it);
                    continue;
                }
                if (l.missed > 0)
                    rec.instances.push_back(emitInstance(it->first, l.category, l.attributes, l.mask,
                                                         acc[it->first].keyMaskSource + " (flow)", {}, l.score * 0.5f));
                ++it;
            }
        }
    }

    void placeInDepth()
    {
        // 7. Depth.
        {
            StageTimer t(stats, "depth");
            if (d->depth) {
                if (keyframe || depthMap.empty()) {
                    auto m = d->depth->depthMap(frame.bgr);
                    if (m)
                        depthMap = *m;
                    else
                        noteError("depth: " + m.message());
                }
                if (!depthMap.empty())
                    d->depth->assign(depthMap, rec.instances);
                else
                    proxyDepth(rec.instances, W, H);
            } else {
                proxyDepth(rec.instances, W, H);
            }
        }
    }

    /// Track summaries: the fused label, path, speed, direction and attributes of every track.
    void summariseTracks()
    {
    std::unordered_map<TrackId, Label> fused;
        std::vector<TrackId> trackIds;
        for (const auto &[id, a] : acc)
            trackIds.push_back(id);
        std::sort(trackIds.begin(), trackIds.end());
        for (TrackId id : trackIds) {
            const TrackAccumulator &a = acc[id];
            if (a.observations == 0)
                continue;
            Track t;
            t.id = id;
            t.firstFrame = a.first;
            t.lastFrame = a.last;
            t.observations = a.observations;
            t.meanAreaFraction = static_cast<float>(a.areaFractionSum / a.observations);

            const Label label = fusedLabel(a);
            t.category = label;
            fused[id] = label;

            // Path, speed and direction.
            const size_t stride = std::max<size_t>(1, a.path.size() / 32);
            for (size_t k = 0; k < a.path.size(); k += stride)
                t.path.push_back(a.path[k]);
            if (t.path.back().frameIndex != a.path.back().frameIndex)
                t.path.push_back(a.path.back());
            double length = 0.0;
            for (size_t k = 1; k < a.path.size(); ++k)
                length += std::hypot((a.path[k].x - a.path[k - 1].x), (a.path[k].y - a.path[k - 1].y) * H / W);
            const double seconds = mi.fps > 0 ? (a.last - a.first) / mi.fps : 0.0;
            t.meanSpeed = seconds > 0 ? static_cast<float>(length / seconds) : 0.f;
            const float dx = a.path.back().x - a.path.front().x, dy = (a.path.back().y - a.path.front().y) * H / W;
            t.directionDeg = static_cast<float>(std::atan2(dy, dx) * 180.0 / CV_PI);
            const float growth = a.areas.front() > 0 ? std::log(std::max(1e-6f, a.areas.back()) / a.areas.front()) : 0.f;

            auto majority = [](const std::map<std::string, float> &votes) {
                std::string best;
                float bv = -1.f;
                for (const auto &[k, v] : votes)
                    if (v > bv) {
                        best = k;
                        bv = v;
                    }
                return best;
            };
            if (!a.colourVotes.empty())
                t.attributes["colour"] = {majority(a.colourVotes), "cielab-names"};
            if (!a.secondaryVotes.empty()) {
                const std::string sec = majority(a.secondaryVotes);
                if (sec != t.attributes["colour"].value)
                    t.attributes["colour_secondary"] = {sec, "cielab-names"};
            }
            if (!a.shapeVotes.empty()) {
                std::map<std::string, float> sv;
                for (const auto &[k, v] : a.shapeVotes)
                    sv[k] = static_cast<float>(v);
                t.attributes["shape"] = {majority(sv), "geometry"};
            }
            t.attributes["size"] = {sizeClass(t.meanAreaFraction), "geometry"};
            t.attributes["motion"] = {motionClass(t.meanSpeed), "tracking"};
            t.attributes["direction"] = {directionWord(dx, dy, growth), "tracking"};
            const PathPoint &mid = a.path[a.path.size() / 2];
            t.attributes["position"] = {positionInFrame(mid.x, mid.y), "geometry"};
            t.attributes["duration_share"] = {
                std::to_string(static_cast<int>(std::round(100.0 * a.observations / std::max(1, analysed)))) + "%",
                "tracking"};
            twin.tracks.push_back(std::move(t));
        }
        // Instances carry their track's fused label (their per-frame score stays).
        for (FrameRecord &f : twin.frames)
            for (Instance &in : f.instances) {
                auto it = fused.find(in.trackId);
                if (it == fused.end())
                    continue;
                const float score = in.category.score;
                const std::string frameLabel = in.category.name;
                in.category = it->second;
                in.category.score = score;
                if (frameLabel != it->second.name && frameLabel != "object")
                    in.attributes["detected_as"] = {frameLabel, d->detector ? d->detector->modelId() : ""};
            }
    }

    /// The detector's vote and the classifier's mean probabilities fused into one label with alternatives.
    Label fusedLabel(const TrackAccumulator &a) const
    {
        // Detector vote.
        int detClass = -1;
        float detMean = 0.f;
        for (const auto &[c, s] : a.detectorVotes)
            if (detClass < 0 || s > a.detectorVotes.at(detClass))
                detClass = c;
        if (detClass >= 0)
            detMean = a.detectorVotes.at(detClass) / std::max(1, a.detections);
        // Classifier mean probabilities, best first.
        std::vector<std::pair<int, float>> cls;
        for (const auto &[c, s] : a.classifierMass)
            cls.push_back({c, s / std::max(1, a.classified)});
        std::sort(cls.begin(), cls.end(), [](const auto &x, const auto &y) { return x.second > y.second; });

        Label label;
        const bool haveDet = detClass >= 0 && d->detector;
        const bool haveCls = !cls.empty() && d->classifier;
        const ClassLabel *det = haveDet ? &d->detector->labels()[static_cast<size_t>(detClass)] : nullptr;
        const ClassLabel *top = haveCls ? &d->classifier->labels()[static_cast<size_t>(cls[0].first)] : nullptr;
        auto refines = [&](const ClassLabel *fine, const ClassLabel *coarse) {
            if (!d->wordnet || !fine || !coarse || fine->synset.empty() || coarse->synset.empty())
                return false;
            const SynsetId f = d->wordnet->fromKey(fine->synset), c = d->wordnet->fromKey(coarse->synset);
            return f && c && d->wordnet->isA(f, c);
        };
        // The first classifier candidate that is a kind of the detected class refines it (bear -> brown bear).
        const ClassLabel *refinement = nullptr;
        float refinementScore = 0.f;
        if (haveDet && haveCls)
            for (const auto &[c, p] : cls) {
                const ClassLabel *cand = &d->classifier->labels()[static_cast<size_t>(c)];
                if (p >= 0.15f && refines(cand, det)) {
                    refinement = cand;
                    refinementScore = p;
                    break;
                }
            }
        if (refinement) {
            label = labelFromClass(*refinement, std::max(detMean, refinementScore),
                                   d->detector->modelId() + "+" + d->classifier->modelId());
        } else if (haveDet && (detMean >= 0.5f || !haveCls || cls[0].second < 0.45f || detClass == 0)) {
            label = labelFromClass(*det, detMean, d->detector->modelId());
        } else if (haveCls) {
            label = labelFromClass(*top, cls[0].second, d->classifier->modelId());
        } else if (haveDet) {
            label = labelFromClass(*det, detMean, d->detector->modelId());
        } else {
            label.name = "object";
            label.score = 0.f;
            label.model = d->saliency ? d->saliency->modelId() : "salient";
        }
        // Alternatives: the detector's class and the classifier's top-5, so the reasoner can doubt.
        if (haveDet && label.name != det->name)
            label.alternatives.push_back({det->name, det->synset, detMean});
        for (size_t k = 0; k < cls.size() && k < 5; ++k) {
            const ClassLabel &c = d->classifier->labels()[static_cast<size_t>(cls[k].first)];
            if (c.name != label.name)
                label.alternatives.push_back({c.name, c.synset, cls[k].second});
        }
        return label;
    }

    void sceneLabels()
    {
        // Scene stuff from the colour-layout proxy, named by WordNet synsets so the reasoner can relate them.
        if (stuffSamples > 0) {
            std::vector<std::pair<std::string, float>> st(stuffShare.begin(), stuffShare.end());
            std::sort(st.begin(), st.end(), [](const auto &a, const auto &b) { return a.second > b.second; });
            for (const auto &[name, sum] : st) {
                const float share = sum / stuffSamples;
                if (share < 0.05f)
                    continue;
                Label l;
                l.name = name == "water" ? "body of water" : name;
                if (d->wordnet) {
                    const auto senses = d->wordnet->lookup(l.name, WnPos::Noun);
                    if (!senses.empty())
                        l.synset = WordNet::key(senses.front());
                }
                l.score = std::min(1.f, 2.f * share);
                l.model = kSceneLayoutSource;
                twin.scene.push_back(l);
            }
        }
        // Scene labels.
        if (sceneSamples > 0 && d->classifier) {
            // Whole-frame mean probability, or the tiles' (discounted: a tile sees less context) when higher.
            std::map<int, float> merged;
            for (const auto &[c, s] : sceneMass)
                merged[c] = s / sceneSamples;
            for (const auto &[c, s] : tileMass)
                merged[c] = std::max(merged[c], 0.8f * s / std::max(1, tileSamples));
            std::vector<std::pair<int, float>> sc(merged.begin(), merged.end());
            std::sort(sc.begin(), sc.end(), [](const auto &x, const auto &y) { return x.second > y.second; });
            for (size_t k = 0; k < sc.size() && k < 8; ++k) {
                if (sc[k].second < 0.05f)
                    break;
                twin.scene.push_back(labelFromClass(d->classifier->labels()[static_cast<size_t>(sc[k].first)],
                                                    sc[k].second, d->classifier->modelId()));
            }
        }
    }

    TwinBuilder::Impl *d;
    const TwinBuilderConfig &cfg;
    const CancelToken &cancel;
    ProgressFn progress;
    BuildStats *stats;
    std::unique_ptr<VideoReader> m_reader;
    MediaInfo mi;
    Twin twin;
    int W = 0, H = 0;
    int step = 1, keyEvery = 1, remaskMin = 1, remaskMax = 1, salEvery = 1, maskStep = 1;
    double analysisScale = 1.0;

    MultiObjectTracker tracker;
    std::unordered_map<TrackId, TrackAccumulator> acc;
    std::map<int, float> sceneMass;
    std::map<int, float> tileMass; // class -> summed best-tile probability over keyframes
    std::map<std::string, float> stuffShare; // scene stuff -> summed frame share over keyframes
    int stuffSamples = 0;
    int tileSamples = 0;
    int sceneSamples = 0;
    std::vector<std::string> errors;
    cv::Mat depthMap;
    std::map<TrackId, Live> live;
    int analysed = 0;
    int64_t decodedCount = 0;
    cv::Mat grid; // pixel coordinates at analysis size

    // The front stage's own state (see frontNext).
    cv::Ptr<cv::DISOpticalFlow> flow;
    cv::Mat prevGray;
    int64_t frontDecoded = 0;
    int frontAnalysed = 0;
    bool frontEnded = false;
    BuildStats frontStats;

    // The frame being analysed.
    DecodedFrame frame;
    cv::Mat A; // analysis resolution
    cv::Size asz;
    double frameArea = 0.0;
    bool keyframe = false;
    std::vector<FrameDetection> dets;
    std::vector<TrackId> ids; // parallel to dets
    FrameRecord rec;
    std::vector<cv::Mat> masks;
    std::vector<cv::Mat> carriedSoft;
    std::vector<std::string> maskSources;
};

Result<Twin> TwinBuilder::build(const std::string &path, const VideoInfo &seed, const CancelToken &cancel,
                                const ProgressFn &progress, BuildStats *stats)
{
    prepare();
    BuildStats localStats;
    Run run(*d, m_config, cancel, progress, stats ? stats : &localStats);
    if (Status s = run.open(path, seed); !s)
        return Result<Twin>::error(s);
    return run.run();
}

Result<TwinBuilder::FrameAnalysis> TwinBuilder::analyseFrames(const std::string &path,
                                                              const std::vector<FrameIndex> &wanted,
                                                              const CancelToken &cancel, BuildStats *stats)
{
    prepare();
    std::vector<FrameIndex> frames;
    for (FrameIndex f : wanted)
        if (f >= 0)
            frames.push_back(f);
    std::sort(frames.begin(), frames.end());
    frames.erase(std::unique(frames.begin(), frames.end()), frames.end());
    BuildStats localStats;
    Run run(*d, m_config, cancel, {}, stats ? stats : &localStats);
    if (Status s = run.openReader(path); !s)
        return Result<FrameAnalysis>::error(s);
    return run.analyseLoneFrames(frames);
}

} // namespace ts
