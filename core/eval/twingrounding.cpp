#include "twingrounding.h"

#include "eval/segmetrics.h"
#include "twin/maskio.h"

#include <QDir>
#include <QFileInfo>

#include <algorithm>
#include <map>

namespace ts {

Result<std::vector<Rle>> loadGroundTruthFolder(const std::string &folder)
{
    using R = Result<std::vector<Rle>>;
    QDir dir(QString::fromStdString(folder));
    if (!dir.exists())
        return R::error(folder + ": no such folder");
    const QStringList files = dir.entryList({"*.png"}, QDir::Files, QDir::Name);
    if (files.isEmpty())
        return R::error(folder + ": no PNG masks");
    std::vector<Rle> out(static_cast<size_t>(files.size()));
    for (const QString &f : files) {
        bool ok = false;
        const int index = QFileInfo(f).completeBaseName().toInt(&ok);
        if (!ok || index < 0 || index >= files.size())
            return R::error(folder + "/" + f.toStdString() + ": masks must be named by frame number 0..N-1");
        auto m = readDavisPng(dir.filePath(f).toStdString());
        if (!m)
            return R::error(m);
        out[static_cast<size_t>(index)] = matToRle(*m);
    }
    for (size_t i = 1; i < out.size(); ++i)
        if (out[i].height() != out[0].height() || out[i].width() != out[0].width())
            return R::error(folder + ": masks of different sizes (" + std::to_string(out[0].width()) + " x " +
                            std::to_string(out[0].height()) + " and " + std::to_string(out[i].width()) + " x " +
                            std::to_string(out[i].height()) + " at frame " + std::to_string(i) + ")");
    return out;
}

std::string groundTruthSizeProblem(const Twin &twin, const std::vector<Rle> &groundTruth)
{
    if (groundTruth.empty())
        return {};
    const Rle &g = groundTruth.front();
    if (g.height() == twin.video.height && g.width() == twin.video.width)
        return {};
    return "ground-truth masks are " + std::to_string(g.width()) + " x " + std::to_string(g.height()) +
           ", the video is " + std::to_string(twin.video.width) + " x " + std::to_string(twin.video.height) +
           "; grounding not scored";
}

namespace {

Rle predictedMask(const Twin &twin, const std::vector<TrackId> &tracks, FrameIndex frame, int h, int w)
{
    Rle m = twin.maskOf(tracks, frame);
    if (m.height() != h || m.width() != w)
        return Rle::empty(h, w); // a twin of another size cannot match
    return m;
}

} // namespace

GroundingScore scoreTracks(const Twin &twin, const std::vector<Rle> &gt, const std::vector<TrackId> &tracks, bool withF)
{
    GroundingScore s;
    s.tracks = tracks;
    double sumJ = 0.0, sumF = 0.0;
    for (size_t i = 0; i < gt.size(); ++i) {
        const Rle pred = predictedMask(twin, tracks, static_cast<FrameIndex>(i), gt[i].height(), gt[i].width());
        const double j = Rle::iou(pred, gt[i]);
        s.frameJ.push_back(static_cast<float>(j));
        sumJ += j;
        if (withF)
            sumF += contourF(rleToMat(pred), rleToMat(gt[i]));
    }
    s.frames = static_cast<int>(gt.size());
    s.meanJ = gt.empty() ? 0.0 : sumJ / gt.size();
    s.meanF = gt.empty() || !withF ? 0.0 : sumF / gt.size();
    return s;
}

GroundingScore bestTrackSet(const Twin &twin, const std::vector<Rle> &gt, bool withF)
{
    // Candidates: tracks that overlap the ground truth at all, most overlap first.
    std::map<TrackId, double> overlap;
    for (size_t i = 0; i < gt.size(); ++i) {
        const int fi = twin.nearestFrame(static_cast<FrameIndex>(i));
        if (fi < 0)
            continue;
        for (const Instance &in : twin.frames[static_cast<size_t>(fi)].instances)
            if (!in.mask.counts().empty() && in.mask.height() == gt[i].height())
                overlap[in.trackId] += static_cast<double>(Rle::intersectionArea(in.mask, gt[i]));
    }
    std::vector<TrackId> candidates;
    for (const auto &[id, o] : overlap)
        if (o > 0)
            candidates.push_back(id);
    std::sort(candidates.begin(), candidates.end(), [&](TrackId a, TrackId b) { return overlap[a] > overlap[b]; });
    if (candidates.size() > 12)
        candidates.resize(12);
    std::vector<TrackId> chosen;
    double best = scoreTracks(twin, gt, chosen, false).meanJ;
    for (;;) {
        TrackId add = 0;
        double addScore = best;
        for (TrackId c : candidates) {
            if (std::find(chosen.begin(), chosen.end(), c) != chosen.end())
                continue;
            auto trial = chosen;
            trial.push_back(c);
            const double j = scoreTracks(twin, gt, trial, false).meanJ;
            if (j > addScore + 1e-9) {
                addScore = j;
                add = c;
            }
        }
        if (add == 0)
            break;
        chosen.push_back(add);
        best = addScore;
    }
    return scoreTracks(twin, gt, chosen, withF);
}

} // namespace ts
