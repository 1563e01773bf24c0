// Evaluation plots drawn with OpenCV (no Qt GUI in core): R@K curves and rank histograms, one colour per system,
// written as PNG for the Markdown report.
#pragma once

#include "base/result.h"

#include <opencv2/core.hpp>

#include <string>
#include <vector>

namespace ts {

/// The ranks of one system's queries (QueryMetrics::rank; ranks <= 0, queries without a correct video, are
/// ignored).
struct RankSeries {
    std::string name;
    std::vector<int> ranks;
};

enum class AxisScale { Linear, Log };

struct PlotOptions {
    int width = 960;
    int height = 600;
    std::string title;
    AxisScale kScale = AxisScale::Log; ///< R@K x axis: log spreads out K = 1..10, where systems differ most
    int maxK = 100;
};

/// Colour of the i-th series (BGR), the same in every plot so one system keeps its colour.
cv::Scalar seriesColor(size_t index);

/// R@K for K = 1..maxK, one line per system, with legend, ticks and axis labels. 8-bit BGR image.
cv::Mat renderRecallCurves(const std::vector<RankSeries> &systems, const PlotOptions &options = {});
/// Queries per rank bin (1, 2, 3, 4, 5, 6-10, 11-20, 21-50, 51-100, >100), grouped bars per system.
cv::Mat renderRankHistogram(const std::vector<RankSeries> &systems, const PlotOptions &options = {});

Status plotRecallCurves(const std::string &pngPath, const std::vector<RankSeries> &systems,
                        const PlotOptions &options = {});
Status plotRankHistogram(const std::string &pngPath, const std::vector<RankSeries> &systems,
                         const PlotOptions &options = {});

} // namespace ts
