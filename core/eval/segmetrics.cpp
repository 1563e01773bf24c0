#include "segmetrics.h"

#include "twin/maskio.h"
#include "twin/twin.h"

#include <QDir>
#include <QFileInfo>

#include <opencv2/imgproc.hpp>

#include <cmath>
#include <numeric>

namespace ts {

namespace {

cv::Mat binary(const cv::Mat &m)
{
    cv::Mat b;
    cv::compare(m, 0, b, cv::CMP_NE);
    return b; // 0 / 255
}

} // namespace

double regionJ(const cv::Mat &prediction, const cv::Mat &groundTruth)
{
    CV_Assert(prediction.size() == groundTruth.size());
    const cv::Mat p = binary(prediction), g = binary(groundTruth);
    const double inter = cv::countNonZero(p & g);
    const double uni = cv::countNonZero(p | g);
    return uni == 0 ? 1.0 : inter / uni;
}

cv::Mat boundaryMap(const cv::Mat &mask)
{
    // b = seg ^ east | seg ^ south | seg ^ south-east, with the last row and column compared along one axis
    // only and the bottom-right pixel cleared, as DAVIS' seg2bmap does.
    const cv::Mat seg = binary(mask);
    const int h = seg.rows, w = seg.cols;
    cv::Mat e = cv::Mat::zeros(h, w, CV_8U), s = cv::Mat::zeros(h, w, CV_8U), se = cv::Mat::zeros(h, w, CV_8U);
    if (w > 1)
        seg(cv::Rect(1, 0, w - 1, h)).copyTo(e(cv::Rect(0, 0, w - 1, h)));
    if (h > 1)
        seg(cv::Rect(0, 1, w, h - 1)).copyTo(s(cv::Rect(0, 0, w, h - 1)));
    if (w > 1 && h > 1)
        seg(cv::Rect(1, 1, w - 1, h - 1)).copyTo(se(cv::Rect(0, 0, w - 1, h - 1)));
    cv::Mat b = (seg ^ e) | (seg ^ s) | (seg ^ se);
    cv::Mat lastRow = seg.row(h - 1) ^ e.row(h - 1);
    lastRow.copyTo(b.row(h - 1));
    cv::Mat lastCol = seg.col(w - 1) ^ s.col(w - 1);
    lastCol.copyTo(b.col(w - 1));
    b.at<uint8_t>(h - 1, w - 1) = 0;
    return b;
}

double contourF(const cv::Mat &prediction, const cv::Mat &groundTruth, double boundTh)
{
    CV_Assert(prediction.size() == groundTruth.size());
    const double diag = std::hypot(static_cast<double>(prediction.rows), static_cast<double>(prediction.cols));
    const int boundPix = static_cast<int>(boundTh >= 1 ? boundTh : std::ceil(boundTh * diag));
    const cv::Mat fg = boundaryMap(prediction), gt = boundaryMap(groundTruth);
    // skimage's disk(r): x^2 + y^2 <= r^2.
    cv::Mat disk(2 * boundPix + 1, 2 * boundPix + 1, CV_8U, cv::Scalar(0));
    for (int y = -boundPix; y <= boundPix; ++y)
        for (int x = -boundPix; x <= boundPix; ++x)
            if (x * x + y * y <= boundPix * boundPix)
                disk.at<uint8_t>(y + boundPix, x + boundPix) = 1;
    cv::Mat fgDil, gtDil;
    cv::dilate(fg, fgDil, disk, cv::Point(-1, -1), 1, cv::BORDER_CONSTANT, cv::Scalar(0));
    cv::dilate(gt, gtDil, disk, cv::Point(-1, -1), 1, cv::BORDER_CONSTANT, cv::Scalar(0));
    const double nFg = cv::countNonZero(fg), nGt = cv::countNonZero(gt);
    double precision, recall;
    if (nFg == 0 && nGt > 0) {
        precision = 1;
        recall = 0;
    } else if (nFg > 0 && nGt == 0) {
        precision = 0;
        recall = 1;
    } else if (nFg == 0 && nGt == 0) {
        precision = recall = 1;
    } else {
        precision = cv::countNonZero(fg & gtDil) / nFg;
        recall = cv::countNonZero(gt & fgDil) / nGt;
    }
    return precision + recall == 0 ? 0.0 : 2 * precision * recall / (precision + recall);
}

namespace {

double meanOver(const std::vector<double> &v, FrameSubset subset)
{
    if (v.empty())
        return 0.0;
    // A sequence of one or two frames has no inner frames; its mean over all is the only meaningful number.
    const bool inner = subset == FrameSubset::Inner && v.size() > 2;
    const auto first = v.begin() + (inner ? 1 : 0);
    const auto last = v.end() - (inner ? 1 : 0);
    return std::accumulate(first, last, 0.0) / static_cast<double>(last - first);
}

} // namespace

double SequenceScores::meanJ(FrameSubset subset) const
{
    return meanOver(j, subset);
}

double SequenceScores::meanF(FrameSubset subset) const
{
    return meanOver(f, subset);
}

Result<SequenceScores> scoreMaskFolders(const std::string &predictedFolder, const std::string &groundTruthFolder,
                                        ContourMeasure contour, const CancelToken &cancel)
{
    using R = Result<SequenceScores>;
    const QDir gtDir(QString::fromStdString(groundTruthFolder));
    const QDir predDir(QString::fromStdString(predictedFolder));
    if (!gtDir.exists())
        return R::error(groundTruthFolder + ": no such folder");
    if (!predDir.exists())
        return R::error(predictedFolder + ": no such folder");
    const QStringList files = gtDir.entryList({"*.png"}, QDir::Files, QDir::Name);
    if (files.isEmpty())
        return R::error(groundTruthFolder + ": no PNG masks");
    SequenceScores scores;
    scores.j.assign(static_cast<size_t>(files.size()), 0.0);
    if (contour == ContourMeasure::Compute)
        scores.f.assign(static_cast<size_t>(files.size()), 0.0);
    std::vector<bool> seen(static_cast<size_t>(files.size()), false);
    for (const QString &name : files) {
        if (cancel.isCancelled())
            return R::cancelled();
        bool ok = false;
        const int index = QFileInfo(name).completeBaseName().toInt(&ok);
        if (!ok || index < 0 || index >= files.size() || seen[static_cast<size_t>(index)])
            return R::error(groundTruthFolder + "/" + name.toStdString() +
                            ": masks must be named by frame number 0..N-1");
        seen[static_cast<size_t>(index)] = true;
        auto gt = readDavisPng(gtDir.filePath(name).toStdString());
        if (!gt)
            return R::error(gt);
        const std::string predPath = predDir.filePath(name).toStdString();
        if (!QFileInfo::exists(QString::fromStdString(predPath)))
            return R::error(predPath + ": missing prediction for a ground-truth frame");
        auto pred = readDavisPng(predPath);
        if (!pred)
            return R::error(pred);
        if (pred->size() != gt->size())
            return R::error(predPath + ": size " + std::to_string(pred->cols) + "x" + std::to_string(pred->rows) +
                            " differs from the ground truth's " + std::to_string(gt->cols) + "x" +
                            std::to_string(gt->rows));
        scores.j[static_cast<size_t>(index)] = regionJ(*pred, *gt);
        if (contour == ContourMeasure::Compute)
            scores.f[static_cast<size_t>(index)] = contourF(*pred, *gt);
    }
    return scores;
}

SequenceScores scoreGrounding(const Twin &twin, const std::vector<TrackId> &tracks,
                              const std::vector<Rle> &groundTruth, ContourMeasure contour)
{
    SequenceScores scores;
    scores.j.reserve(groundTruth.size());
    // Ground-truth frames between two analysed frames share one prediction: build it once per analysed frame.
    int cachedFrame = -2;
    cv::Size cachedSize;
    cv::Mat cachedMat;
    Rle cachedRle;
    for (size_t i = 0; i < groundTruth.size(); ++i) {
        const Rle &gt = groundTruth[i];
        const cv::Size gtSize(gt.width(), gt.height());
        const int nearest = twin.nearestFrame(static_cast<FrameIndex>(i));
        if (nearest != cachedFrame || gtSize != cachedSize) {
            cachedFrame = nearest;
            cachedSize = gtSize;
            const Rle raw = twin.maskOf(tracks, static_cast<FrameIndex>(i));
            if (raw.height() == gt.height() && raw.width() == gt.width()) {
                cachedRle = raw;
            } else if (raw.height() > 0 && raw.width() > 0 && raw.area() > 0) {
                cv::Mat resized;
                cv::resize(rleToMat(raw), resized, gtSize, 0, 0, cv::INTER_NEAREST);
                cachedRle = matToRle(resized);
            } else {
                cachedRle = Rle::empty(gt.height(), gt.width());
            }
            cachedMat = contour == ContourMeasure::Compute ? rleToMat(cachedRle) : cv::Mat();
        }
        scores.j.push_back(Rle::iou(cachedRle, gt));
        if (contour == ContourMeasure::Compute)
            scores.f.push_back(contourF(cachedMat, rleToMat(gt)));
    }
    return scores;
}

GroundingSummary summarizeGrounding(const std::vector<GroundingPair> &pairs)
{
    GroundingSummary s;
    for (const GroundingPair &p : pairs) {
        ++s.pairs;
        s.meanJ += p.j;
        s.meanF += p.f;
        if (p.rank == 1) {
            ++s.firstPairs;
            s.firstJ += p.j;
            s.firstF += p.f;
        }
    }
    if (s.pairs > 0) {
        s.meanJ /= s.pairs;
        s.meanF /= s.pairs;
    }
    if (s.firstPairs > 0) {
        s.firstJ /= s.firstPairs;
        s.firstF /= s.firstPairs;
    }
    return s;
}

} // namespace ts
