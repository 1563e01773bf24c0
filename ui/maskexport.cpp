#include "maskexport.h"

#include "twin/maskio.h"

#include <QDir>
#include <QFileInfo>
#include <QSaveFile>
#include <QString>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>

namespace ts {

using nlohmann::json;

namespace {

std::vector<TrackId> chosenTracks(const Twin &twin, const std::vector<TrackId> &tracks)
{
    if (!tracks.empty())
        return tracks;
    std::vector<TrackId> all;
    for (const Track &t : twin.tracks)
        all.push_back(t.id);
    return all;
}

bool contains(const std::vector<TrackId> &v, TrackId id) { return std::find(v.begin(), v.end(), id) != v.end(); }

Rle instanceMask(const Instance &in, const Twin &twin)
{
    return in.mask.counts().empty() ? Rle::fromBox(in.box, twin.video.height, twin.video.width) : in.mask;
}

json boxJson(const Box &b) { return json::array({b.x, b.y, b.w, b.h}); }

std::string sizeBucket(double areaPx)
{
    // COCO's size classes, which SA-V uses for its buckets.
    if (areaPx < 32.0 * 32.0)
        return "small";
    if (areaPx < 96.0 * 96.0)
        return "medium";
    return "large";
}

} // namespace

json cocoRleJson(const Twin &twin, const std::vector<TrackId> &requested)
{
    const std::vector<TrackId> tracks = chosenTracks(twin, requested);
    json images = json::array();
    json annotations = json::array();
    std::map<std::string, int> categoryIds;
    json categories = json::array();
    int64_t annotationId = 1;
    for (const FrameRecord &f : twin.frames) {
        const int64_t imageId = f.frameIndex + 1; // COCO ids start at 1
        images.push_back({{"id", imageId},
                          {"file_name", QStringLiteral("%1.jpg").arg(f.frameIndex, 5, 10, QLatin1Char('0')).toStdString()},
                          {"frame_index", f.frameIndex},
                          {"time_ms", f.timeMs},
                          {"width", twin.video.width},
                          {"height", twin.video.height}});
        for (const Instance &in : f.instances) {
            if (!contains(tracks, in.trackId))
                continue;
            auto [it, inserted] = categoryIds.emplace(in.category.name, static_cast<int>(categoryIds.size()) + 1);
            if (inserted)
                categories.push_back({{"id", it->second}, {"name", in.category.name}, {"synset", in.category.synset}});
            const Rle m = instanceMask(in, twin);
            annotations.push_back({{"id", annotationId++},
                                   {"image_id", imageId},
                                   {"category_id", it->second},
                                   {"track_id", in.trackId},
                                   {"segmentation", toJson(m)},
                                   {"area", m.area()},
                                   {"bbox", boxJson(m.boundingBox())},
                                   {"iscrowd", 0},
                                   {"score", in.category.score},
                                   {"mask_source", in.maskSource}});
        }
    }
    return {{"info",
             {{"description", "TwinSeek mask export"},
              {"video", twin.video.key},
              {"video_path", twin.video.path},
              {"fps", twin.video.fps},
              {"frame_count", twin.video.frameCount}}},
            {"images", std::move(images)},
            {"annotations", std::move(annotations)},
            {"categories", std::move(categories)}};
}

json savJson(const Twin &twin, const std::vector<TrackId> &requested)
{
    const std::vector<TrackId> tracks = chosenTracks(twin, requested);
    const double fps = twin.video.fps > 0 ? twin.video.fps : kSavAnnotationFps;
    const int stride = std::max(1, static_cast<int>(std::lround(fps / kSavAnnotationFps)));
    const int64_t frameCount = std::max<int64_t>(1, twin.video.frameCount);
    const int h = twin.video.height, w = twin.video.width;
    json masklet = json::array();
    json frameIndices = json::array();
    const size_t n = tracks.size();
    std::vector<double> areaSum(n, 0.0);
    std::vector<int> visibleCount(n, 0), changes(n, 0), firstSeen(n, -1);
    std::vector<bool> wasVisible(n, false);
    int sampled = 0;
    for (int64_t f = 0; f < frameCount; f += stride, ++sampled) {
        json row = json::array();
        for (size_t k = 0; k < n; ++k) {
            const Rle m = twin.maskOf({tracks[k]}, f);
            row.push_back(toJson(m));
            const bool visible = m.area() > 0;
            if (visible) {
                areaSum[k] += static_cast<double>(m.area());
                ++visibleCount[k];
                if (firstSeen[k] < 0)
                    firstSeen[k] = sampled;
            }
            if (sampled > 0 && visible != wasVisible[k])
                ++changes[k];
            wasVisible[k] = visible;
        }
        masklet.push_back(std::move(row));
        frameIndices.push_back(f);
    }
    json ids = json::array(), trackIds = json::array(), sizeRel = json::array(), sizeAbs = json::array(),
         bucket = json::array(), vis = json::array(), first = json::array(), count = json::array(),
         edited = json::array(), type = json::array(), stability = json::array(), labels = json::array();
    for (size_t k = 0; k < n; ++k) {
        const double meanArea = visibleCount[k] > 0 ? areaSum[k] / visibleCount[k] : 0.0;
        ids.push_back(static_cast<int>(k));
        trackIds.push_back(tracks[k]);
        sizeAbs.push_back(meanArea);
        sizeRel.push_back(h > 0 && w > 0 ? meanArea / (static_cast<double>(h) * w) : 0.0);
        bucket.push_back(sizeBucket(meanArea));
        vis.push_back(changes[k]);
        first.push_back(std::max(0, firstSeen[k]));
        count.push_back(sampled);
        edited.push_back(0);
        type.push_back("auto");
        stability.push_back(nullptr);
        const Track *t = twin.track(tracks[k]);
        labels.push_back(t ? t->category.name : std::string());
    }
    return {{"video_id", twin.video.key},
            {"video_duration", twin.video.durationMs / 1000.0},
            {"video_frame_count", static_cast<double>(frameCount)},
            {"video_height", static_cast<double>(h)},
            {"video_width", static_cast<double>(w)},
            {"video_resolution", static_cast<double>(h) * w},
            {"video_environment", ""},
            {"video_split", ""},
            {"masklet", std::move(masklet)},
            {"masklet_id", std::move(ids)},
            {"masklet_size_rel", std::move(sizeRel)},
            {"masklet_size_abs", std::move(sizeAbs)},
            {"masklet_size_bucket", std::move(bucket)},
            {"masklet_visibility_changes", std::move(vis)},
            {"masklet_first_appeared_frame", std::move(first)},
            {"masklet_frame_count", std::move(count)},
            {"masklet_edited_frame_count", std::move(edited)},
            {"masklet_type", std::move(type)},
            {"masklet_stability_score", std::move(stability)},
            {"masklet_num", static_cast<int>(n)},
            // Not in SA-V: which video frame each masklet row is, and what each masklet is in the twin.
            {"twinseek_frame_indices", std::move(frameIndices)},
            {"twinseek_track_ids", std::move(trackIds)},
            {"twinseek_labels", std::move(labels)}};
}

Status writeFileAtomically(const std::string &path, const std::string &text)
{
    QSaveFile f(QString::fromStdString(path));
    if (!f.open(QIODevice::WriteOnly))
        return Status::error("cannot write " + path + ": " + f.errorString().toStdString());
    if (f.write(text.data(), static_cast<qint64>(text.size())) != static_cast<qint64>(text.size()) || !f.commit())
        return Status::error("cannot write " + path + ": " + f.errorString().toStdString());
    return Status::ok();
}

Status writeDavisPngs(const Twin &twin, const std::vector<TrackId> &requested, const std::string &dir,
                      const CancelToken &cancel, const ProgressFn &progress)
{
    const std::vector<TrackId> tracks = chosenTracks(twin, requested);
    const QString target = QDir::cleanPath(QString::fromStdString(dir));
    if (QFileInfo(target).exists() && !QDir(target).isEmpty())
        return Status::error("the folder " + dir + " exists and is not empty");
    const QString partial = target + QStringLiteral(".partial");
    QDir(partial).removeRecursively();
    if (!QDir().mkpath(partial))
        return Status::error("cannot create the folder " + partial.toStdString());
    const int64_t frameCount = std::max<int64_t>(1, twin.video.frameCount);
    for (int64_t f = 0; f < frameCount; ++f) {
        if (cancel.isCancelled()) {
            QDir(partial).removeRecursively();
            return Status::cancelled();
        }
        const cv::Mat mask = rleToMat(twin.maskOf(tracks, f), 255);
        const QString file = QDir(partial).filePath(QStringLiteral("%1.png").arg(f, 5, 10, QLatin1Char('0')));
        const Status s = writeDavisPng(file.toStdString(), mask);
        if (!s) {
            QDir(partial).removeRecursively();
            return s;
        }
        if (progress)
            progress(static_cast<double>(f + 1) / frameCount, "writing masks");
    }
    QDir().rmdir(target); // empty leftover
    if (!QDir().rename(partial, target)) {
        QDir(partial).removeRecursively();
        return Status::error("cannot move the masks into " + dir);
    }
    return Status::ok();
}

Status exportMasks(const Twin &twin, const std::vector<TrackId> &tracks, MaskFormat format,
                   const std::string &destination, const CancelToken &cancel, const ProgressFn &progress)
{
    switch (format) {
    case MaskFormat::DavisPng: return writeDavisPngs(twin, tracks, destination, cancel, progress);
    case MaskFormat::CocoRle: {
        if (progress)
            progress(0.0, "encoding masks");
        const Status s = writeFileAtomically(destination, cocoRleJson(twin, tracks).dump());
        if (s && progress)
            progress(1.0, "done");
        return s;
    }
    case MaskFormat::SaV: {
        if (progress)
            progress(0.0, "encoding masks");
        const Status s = writeFileAtomically(destination, savJson(twin, tracks).dump());
        if (s && progress)
            progress(1.0, "done");
        return s;
    }
    }
    return Status::error("unknown format");
}

} // namespace ts
