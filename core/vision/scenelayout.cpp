#include "scenelayout.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <map>

namespace ts {

namespace {

constexpr int kCols = 48, kRows = 27; // cells of the analysis grid

struct Cell {
    float L = 0, a = 0, b = 0; ///< mean CIELab (L 0..100)
    float texture = 0; ///< mean gradient magnitude (0..255 scale)
    bool excluded = false;
};

// Hue in degrees from Lab a/b, chroma.
float hueOf(const Cell &c) { return std::atan2(c.b, c.a) * 180.f / static_cast<float>(CV_PI); }
float chromaOf(const Cell &c) { return std::hypot(c.a, c.b); }

bool greenish(const Cell &c) { const float h = hueOf(c); return chromaOf(c) > 8 && h > 95 && h < 200; }
bool blueish(const Cell &c) { const float h = hueOf(c); return chromaOf(c) > 6 && (h < -70 && h > -160); }
bool brownish(const Cell &c) { const float h = hueOf(c); return chromaOf(c) > 7 && h > 35 && h < 95 && c.L < 62; }
bool sandy(const Cell &c) { const float h = hueOf(c); return chromaOf(c) > 6 && h > 45 && h < 100 && c.L >= 58; }
bool achromatic(const Cell &c) { return chromaOf(c) < 8; }

/// What stuff one cell looks like, given where it sits (0 = top row, 1 = bottom row).
const char *classify(const Cell &c, float y)
{
    const bool smooth = c.texture < 10, rough = c.texture > 18;
    if (y < 0.45f && (blueish(c) || (achromatic(c) && c.L > 70)) && smooth)
        return "sky";
    if (y > 0.35f && blueish(c) && !rough)
        return "water";
    // Still water often reflects the greens around it: green but glassy-smooth is water, not grass.
    if (y > 0.35f && greenish(c) && c.texture < 6)
        return "water";
    if (greenish(c))
        return y < 0.5f || rough ? "tree" : "grass";
    if (y > 0.5f && achromatic(c) && c.L > 80 && smooth)
        return "snow";
    if (y > 0.5f && sandy(c) && !rough)
        return "sand";
    if (y > 0.45f && brownish(c))
        return rough ? "rock" : "soil";
    if (y > 0.55f && achromatic(c) && c.L > 25 && c.L < 75 && !rough)
        return "road";
    if (y > 0.3f && (achromatic(c) || brownish(c)) && rough)
        return "rock";
    return nullptr;
}

} // namespace

std::vector<StuffShare> sceneStuff(const cv::Mat &bgr, const cv::Mat &exclude, float minShare)
{
    if (bgr.empty() || bgr.type() != CV_8UC3)
        return {};
    cv::Mat small, lab, gray, gx, gy, mag;
    cv::resize(bgr, small, cv::Size(kCols * 4, kRows * 4), 0, 0, cv::INTER_AREA);
    small.convertTo(lab, CV_32FC3, 1.0 / 255.0);
    cv::cvtColor(lab, lab, cv::COLOR_BGR2Lab);
    cv::cvtColor(small, gray, cv::COLOR_BGR2GRAY);
    cv::Sobel(gray, gx, CV_32F, 1, 0);
    cv::Sobel(gray, gy, CV_32F, 0, 1);
    cv::magnitude(gx, gy, mag);
    cv::Mat ex;
    if (!exclude.empty())
        cv::resize(exclude, ex, cv::Size(kCols, kRows), 0, 0, cv::INTER_AREA);
    std::map<std::string, int> counts;
    int usable = 0;
    for (int r = 0; r < kRows; ++r)
        for (int c = 0; c < kCols; ++c) {
            if (!ex.empty() && ex.at<uint8_t>(r, c) > 127)
                continue;
            const cv::Rect cell(c * 4, r * 4, 4, 4);
            const cv::Scalar m = cv::mean(lab(cell));
            Cell x;
            x.L = static_cast<float>(m[0]);
            x.a = static_cast<float>(m[1]);
            x.b = static_cast<float>(m[2]);
            x.texture = static_cast<float>(cv::mean(mag(cell))[0]) / 4.f;
            ++usable;
            if (const char *name = classify(x, (r + 0.5f) / kRows))
                ++counts[name];
        }
    std::vector<StuffShare> out;
    const float total = static_cast<float>(kRows * kCols);
    for (const auto &[name, n] : counts) {
        const float share = n / total;
        if (share >= minShare)
            out.push_back({name, share});
    }
    std::sort(out.begin(), out.end(), [](const StuffShare &a, const StuffShare &b) { return a.share > b.share; });
    return out;
}

} // namespace ts
