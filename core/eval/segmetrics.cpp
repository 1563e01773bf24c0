#include "segmetrics.h"

#include <opencv2/imgproc.hpp>

#include <cmath>

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

} // namespace ts
