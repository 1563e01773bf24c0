#include "plots.h"

#include "eval/retrievalmetrics.h"

#include <QSaveFile>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ts {

namespace {

constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;
constexpr double kTickScale = 0.45;
constexpr double kLabelScale = 0.55;
constexpr double kTitleScale = 0.7;
// Coordinates are passed to OpenCV with 4 fractional bits so antialiased lines do not snap to whole pixels.
constexpr int kShift = 4;
constexpr double kSub = 1 << kShift;

const cv::Scalar kWhite(255, 255, 255);
const cv::Scalar kInk(50, 50, 50);
const cv::Scalar kMuted(110, 110, 110);
const cv::Scalar kGrid(232, 232, 232);

cv::Point sub(double x, double y)
{
    return {static_cast<int>(std::lround(x * kSub)), static_cast<int>(std::lround(y * kSub))};
}

cv::Size textSize(const std::string &text, double scale, int thickness = 1)
{
    int baseline = 0;
    return cv::getTextSize(text, kFont, scale, thickness, &baseline);
}

enum class Align { Left, Center, Right };

// Draws text with its vertical centre at y.
void text(cv::Mat &img, const std::string &s, double x, double y, double scale, const cv::Scalar &color,
          Align align = Align::Left, int thickness = 1)
{
    const cv::Size ts = textSize(s, scale, thickness);
    double left = x;
    if (align == Align::Center)
        left = x - ts.width / 2.0;
    else if (align == Align::Right)
        left = x - ts.width;
    const cv::Point origin(static_cast<int>(std::lround(left)), static_cast<int>(std::lround(y + ts.height / 2.0)));
    cv::putText(img, s, origin, kFont, scale, color, thickness, cv::LINE_AA);
}

// Vertical text reading bottom to top, centred on (x, y): drawn upright on a strip and rotated.
void verticalText(cv::Mat &img, const std::string &s, int x, int y, double scale, const cv::Scalar &color)
{
    const cv::Size ts = textSize(s, scale);
    cv::Mat strip(ts.height + 8, ts.width + 4, CV_8UC3, kWhite);
    cv::putText(strip, s, cv::Point(2, ts.height + 3), kFont, scale, color, 1, cv::LINE_AA);
    cv::Mat rotated;
    cv::rotate(strip, rotated, cv::ROTATE_90_COUNTERCLOCKWISE);
    cv::Rect dst(x - rotated.cols / 2, y - rotated.rows / 2, rotated.cols, rotated.rows);
    dst &= cv::Rect(0, 0, img.cols, img.rows);
    if (dst.area() > 0)
        rotated(cv::Rect(0, 0, dst.width, dst.height)).copyTo(img(dst));
}

// A round tick step (1, 2 or 5 times a power of ten) giving about `target` intervals over [0, maxValue].
double niceStep(double maxValue, int target)
{
    if (maxValue <= 0)
        return 1.0;
    const double raw = maxValue / target;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    const double norm = raw / mag;
    const double step = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10;
    return step * mag;
}

std::string number(double v)
{
    char buf[32];
    if (std::fabs(v - std::round(v)) < 1e-9)
        std::snprintf(buf, sizeof buf, "%.0f", v);
    else
        std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

struct Frame {
    cv::Rect plot; // the data area
};

Status checkSize(const PlotOptions &o)
{
    if (o.width < 320 || o.height < 240 || o.width > 8000 || o.height > 8000)
        return Status::error("plot size " + std::to_string(o.width) + "x" + std::to_string(o.height) +
                             " is outside 320x240 .. 8000x8000");
    return Status::ok();
}

Frame layout(cv::Mat &img, const PlotOptions &o, const std::string &xLabel, const std::string &yLabel)
{
    const int top = o.title.empty() ? 24 : 58;
    Frame f;
    f.plot = cv::Rect(cv::Point(84, top), cv::Point(o.width - 28, o.height - 66));
    if (!o.title.empty())
        text(img, o.title, o.width / 2.0, 28, kTitleScale, kInk, Align::Center, 2);
    text(img, xLabel, f.plot.x + f.plot.width / 2.0, o.height - 20, kLabelScale, kInk, Align::Center);
    verticalText(img, yLabel, 22, f.plot.y + f.plot.height / 2, kLabelScale, kInk);
    return f;
}

void yAxis(cv::Mat &img, const Frame &f, double maxValue, double step, const std::string &suffix = {})
{
    for (double v = 0; v <= maxValue + 1e-9; v += step) {
        const double y = f.plot.y + f.plot.height * (1.0 - v / maxValue);
        cv::line(img, sub(f.plot.x, y), sub(f.plot.br().x, y), kGrid, 1, cv::LINE_AA, kShift);
        cv::line(img, sub(f.plot.x - 5, y), sub(f.plot.x, y), kMuted, 1, cv::LINE_AA, kShift);
        text(img, number(v) + suffix, f.plot.x - 9, y, kTickScale, kMuted, Align::Right);
    }
}

void axesBox(cv::Mat &img, const Frame &f)
{
    cv::line(img, f.plot.tl(), cv::Point(f.plot.x, f.plot.br().y), kInk, 1, cv::LINE_AA);
    cv::line(img, cv::Point(f.plot.x, f.plot.br().y), f.plot.br(), kInk, 1, cv::LINE_AA);
}

struct LegendEntry {
    std::string label;
    cv::Scalar color;
};

enum class Corner { TopRight, BottomRight };

void legend(cv::Mat &img, const Frame &f, const std::vector<LegendEntry> &entries, Corner corner, bool bars)
{
    if (entries.empty())
        return;
    int textWidth = 0;
    for (const LegendEntry &e : entries)
        textWidth = std::max(textWidth, textSize(e.label, kTickScale).width);
    const int row = 22, pad = 10, swatch = 26;
    const int w = pad + swatch + 8 + textWidth + pad;
    const int h = pad + row * static_cast<int>(entries.size()) + pad / 2;
    const int x = f.plot.br().x - w - 12;
    const int y = corner == Corner::TopRight ? f.plot.y + 12 : f.plot.br().y - h - 12;
    cv::rectangle(img, cv::Rect(x, y, w, h), kWhite, cv::FILLED);
    cv::rectangle(img, cv::Rect(x, y, w, h), cv::Scalar(200, 200, 200), 1, cv::LINE_AA);
    for (size_t i = 0; i < entries.size(); ++i) {
        const double cy = y + pad + row * (i + 0.5);
        if (bars)
            cv::rectangle(img, cv::Rect(x + pad + 4, static_cast<int>(cy) - 6, swatch - 8, 12), entries[i].color,
                          cv::FILLED);
        else
            cv::line(img, sub(x + pad, cy), sub(x + pad + swatch, cy), entries[i].color, 2, cv::LINE_AA, kShift);
        text(img, entries[i].label, x + pad + swatch + 8, cy, kTickScale, kInk);
    }
}

std::vector<int> validRanks(const RankSeries &s)
{
    std::vector<int> out;
    for (int r : s.ranks)
        if (r > 0)
            out.push_back(r);
    return out;
}

std::string displayName(const RankSeries &s, size_t i)
{
    return s.name.empty() ? "system " + std::to_string(i + 1) : s.name;
}

} // namespace

cv::Scalar seriesColor(size_t index)
{
    // Tableau 10 (colour-blind friendlier than pure hues), as BGR.
    static const cv::Scalar kPalette[] = {
        {180, 119, 31}, {14, 127, 255}, {44, 160, 44}, {40, 39, 214}, {189, 103, 148},
        {75, 86, 140},  {194, 119, 227}, {127, 127, 127}, {34, 189, 188}, {207, 190, 23},
    };
    return kPalette[index % (sizeof kPalette / sizeof kPalette[0])];
}

cv::Mat renderRecallCurves(const std::vector<RankSeries> &systems, const PlotOptions &o)
{
    if (!checkSize(o))
        return {};
    cv::Mat img(o.height, o.width, CV_8UC3, kWhite);
    const int maxK = std::max(2, o.maxK);
    const bool logScale = o.kScale == AxisScale::Log;
    const Frame f = layout(img, o, logScale ? "K (log scale)" : "K", "R@K (%)");
    auto xOf = [&](double k) {
        const double t = logScale ? std::log10(k) / std::log10(maxK) : (k - 1) / (maxK - 1);
        return f.plot.x + t * f.plot.width;
    };
    auto yOf = [&](double share) { return f.plot.y + f.plot.height * (1.0 - share); };

    yAxis(img, f, 100.0, 20.0);
    std::vector<double> ticks;
    if (logScale) {
        for (double decade = 1; decade <= maxK; decade *= 10)
            for (double m : {1.0, 2.0, 5.0})
                if (decade * m <= maxK)
                    ticks.push_back(decade * m);
        if (ticks.back() != maxK)
            ticks.push_back(maxK);
    } else {
        ticks.push_back(1);
        const double step = niceStep(maxK, 10);
        for (double k = step; k <= maxK + 1e-9; k += step)
            ticks.push_back(k);
    }
    for (double k : ticks) {
        const double x = xOf(k);
        cv::line(img, sub(x, f.plot.y), sub(x, f.plot.br().y), kGrid, 1, cv::LINE_AA, kShift);
        cv::line(img, sub(x, f.plot.br().y), sub(x, f.plot.br().y + 5), kMuted, 1, cv::LINE_AA, kShift);
        text(img, number(k), x, f.plot.br().y + 16, kTickScale, kMuted, Align::Center);
    }
    axesBox(img, f);

    std::vector<LegendEntry> entries;
    bool any = false;
    for (size_t i = 0; i < systems.size(); ++i) {
        const std::vector<int> ranks = validRanks(systems[i]);
        const cv::Scalar color = seriesColor(i);
        if (ranks.empty()) {
            entries.push_back({displayName(systems[i], i) + " (no ranked queries)", color});
            continue;
        }
        any = true;
        const std::vector<double> curve = recallCurve(ranks, maxK);
        // R@K exists at whole K only and holds until the next one: a staircase, not a slope between points.
        std::vector<cv::Point> points;
        for (int k = 1; k <= maxK; ++k) {
            const double y = yOf(curve[static_cast<size_t>(k - 1)]);
            if (k > 1)
                points.push_back(sub(xOf(k), yOf(curve[static_cast<size_t>(k - 2)])));
            points.push_back(sub(xOf(k), y));
        }
        cv::polylines(img, points, false, color, 2, cv::LINE_AA, kShift);
        // Marks at the table's cut-offs tie the curve to the numbers in the report.
        for (int k : kMetricKs)
            if (k <= maxK)
                cv::circle(img, sub(xOf(k), yOf(curve[static_cast<size_t>(k - 1)])), static_cast<int>(3.5 * kSub),
                           color, cv::FILLED, cv::LINE_AA, kShift);
        char r1[32];
        std::snprintf(r1, sizeof r1, "  R@1 %.1f%%", 100.0 * curve[0]);
        entries.push_back({displayName(systems[i], i) + r1, color});
    }
    if (!any)
        text(img, "no ranked queries", f.plot.x + f.plot.width / 2.0, f.plot.y + f.plot.height / 2.0, kLabelScale,
             kMuted, Align::Center);
    legend(img, f, entries, Corner::BottomRight, false);
    return img;
}

cv::Mat renderRankHistogram(const std::vector<RankSeries> &systems, const PlotOptions &o)
{
    if (!checkSize(o))
        return {};
    struct Bin {
        int lo, hi;
        const char *label;
    };
    static const Bin kBins[] = {{1, 1, "1"},       {2, 2, "2"},         {3, 3, "3"},           {4, 4, "4"},
                                {5, 5, "5"},       {6, 10, "6-10"},     {11, 20, "11-20"},     {21, 50, "21-50"},
                                {51, 100, "51-100"}, {101, 1 << 30, ">100"}};
    constexpr size_t kBinCount = sizeof kBins / sizeof kBins[0];

    std::vector<std::vector<int>> counts(systems.size(), std::vector<int>(kBinCount, 0));
    int maxCount = 0;
    for (size_t s = 0; s < systems.size(); ++s)
        for (int r : validRanks(systems[s]))
            for (size_t b = 0; b < kBinCount; ++b)
                if (r >= kBins[b].lo && r <= kBins[b].hi) {
                    maxCount = std::max(maxCount, ++counts[s][b]);
                    break;
                }

    cv::Mat img(o.height, o.width, CV_8UC3, kWhite);
    const Frame f = layout(img, o, "rank of the first correct video", "queries");
    const double step = std::max(1.0, niceStep(std::max(1, maxCount), 5));
    // Headroom above the tallest bar for its count label and the legend.
    const double top = step * std::ceil((maxCount * 1.15 + 1e-9) / step);
    yAxis(img, f, std::max(step, top), step);
    const double yMax = std::max(step, top);

    const double group = static_cast<double>(f.plot.width) / kBinCount;
    const size_t n = std::max<size_t>(1, systems.size());
    const double barW = group * 0.78 / n;
    for (size_t b = 0; b < kBinCount; ++b) {
        const double gx = f.plot.x + group * b;
        text(img, kBins[b].label, gx + group / 2, f.plot.br().y + 16, kTickScale, kMuted, Align::Center);
        for (size_t s = 0; s < systems.size(); ++s) {
            const int c = counts[s][b];
            if (c == 0)
                continue;
            const double x0 = gx + group * 0.11 + barW * s;
            const double y0 = f.plot.br().y - f.plot.height * (c / yMax);
            cv::rectangle(img, cv::Point(static_cast<int>(std::lround(x0)), static_cast<int>(std::lround(y0))),
                          cv::Point(static_cast<int>(std::lround(x0 + barW)) - 2, f.plot.br().y), seriesColor(s),
                          cv::FILLED, cv::LINE_AA);
            if (systems.size() <= 3)
                text(img, std::to_string(c), x0 + (barW - 2) / 2, y0 - 10, kTickScale, kInk, Align::Center);
        }
    }
    axesBox(img, f);
    if (maxCount == 0)
        text(img, "no ranked queries", f.plot.x + f.plot.width / 2.0, f.plot.y + f.plot.height / 2.0, kLabelScale,
             kMuted, Align::Center);
    std::vector<LegendEntry> entries;
    for (size_t s = 0; s < systems.size(); ++s)
        entries.push_back({displayName(systems[s], s), seriesColor(s)});
    legend(img, f, entries, Corner::TopRight, true);
    return img;
}

namespace {

Status writePng(const std::string &path, const cv::Mat &img, const PlotOptions &o)
{
    if (img.empty())
        return checkSize(o).isOk() ? Status::error("nothing was drawn") : checkSize(o);
    std::vector<uchar> png;
    try {
        if (!cv::imencode(".png", img, png))
            return Status::error(path + ": could not encode the PNG");
    } catch (const cv::Exception &e) {
        return Status::error(path + ": " + e.what());
    }
    // Through QSaveFile so an interrupted write leaves the previous plot, not half a PNG.
    QSaveFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::WriteOnly))
        return Status::error(path + ": " + file.errorString().toStdString());
    const auto size = static_cast<qint64>(png.size());
    if (file.write(reinterpret_cast<const char *>(png.data()), size) != size || !file.commit())
        return Status::error(path + ": " + file.errorString().toStdString());
    return Status::ok();
}

} // namespace

Status plotRecallCurves(const std::string &pngPath, const std::vector<RankSeries> &systems, const PlotOptions &o)
{
    return writePng(pngPath, renderRecallCurves(systems, o), o);
}

Status plotRankHistogram(const std::string &pngPath, const std::vector<RankSeries> &systems, const PlotOptions &o)
{
    return writePng(pngPath, renderRankHistogram(systems, o), o);
}

} // namespace ts
