#include "attributes.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <map>

namespace ts {

namespace {

struct ColourEntry {
    const char *name;
    uint8_t r, g, b;
};

// Basic colour terms (Berlin & Kay's eleven plus a few common ones), as sRGB prototypes.
const ColourEntry kColours[] = {
    {"black", 20, 20, 20},     {"white", 245, 245, 245},  {"grey", 128, 128, 128},   {"red", 200, 30, 35},
    {"orange", 240, 130, 30},  {"yellow", 240, 215, 40},  {"green", 50, 150, 60},    {"blue", 40, 80, 200},
    {"purple", 120, 50, 150},  {"pink", 240, 140, 180},   {"brown", 120, 75, 40},    {"beige", 215, 195, 160},
    {"navy", 25, 35, 90},      {"teal", 30, 130, 130},    {"olive", 110, 110, 40},   {"maroon", 110, 20, 30},
    {"lilac", 190, 160, 210},  {"dark green", 25, 70, 35}, {"light blue", 140, 190, 230}, {"tan", 190, 150, 100},
};

struct Lab {
    float L, a, b;
};

Lab toLab(uint8_t r, uint8_t g, uint8_t b)
{
    cv::Mat px(1, 1, CV_32FC3, cv::Scalar(b / 255.f, g / 255.f, r / 255.f));
    cv::Mat lab;
    cv::cvtColor(px, lab, cv::COLOR_BGR2Lab);
    const cv::Vec3f v = lab.at<cv::Vec3f>(0, 0);
    return {v[0], v[1], v[2]};
}

const std::vector<Lab> &colourLabs()
{
    static const std::vector<Lab> labs = [] {
        std::vector<Lab> v;
        for (const auto &c : kColours)
            v.push_back(toLab(c.r, c.g, c.b));
        return v;
    }();
    return labs;
}

std::string nameOfLab(const Lab &x)
{
    const float chroma = std::hypot(x.a, x.b);
    if (chroma < 9.f) {
        // Achromatic: decide by lightness alone so dim scenes do not turn everything "navy" or "olive".
        if (x.L < 22.f)
            return "black";
        if (x.L > 82.f)
            return "white";
        return "grey";
    }
    const auto &labs = colourLabs();
    size_t best = 0;
    float bestD = 1e9f;
    for (size_t i = 0; i < labs.size(); ++i) {
        const std::string name = kColours[i].name;
        if (name == "black" || name == "white" || name == "grey")
            continue;
        // Hue matters more than lightness for naming; weight L down.
        const float d = 0.5f * std::pow(x.L - labs[i].L, 2.f) + std::pow(x.a - labs[i].a, 2.f) +
                        std::pow(x.b - labs[i].b, 2.f);
        if (d < bestD) {
            bestD = d;
            best = i;
        }
    }
    return kColours[best].name;
}

} // namespace

std::string nearestColourName(uint8_t r, uint8_t g, uint8_t b) { return nameOfLab(toLab(r, g, b)); }

std::vector<NamedColour> nameColours(const cv::Mat &bgr, const cv::Mat &mask, const Box &box)
{
    const Box c = box.clipped(static_cast<float>(bgr.cols), static_cast<float>(bgr.rows));
    cv::Rect r(static_cast<int>(c.x), static_cast<int>(c.y), static_cast<int>(c.w), static_cast<int>(c.h));
    r &= cv::Rect(0, 0, bgr.cols, bgr.rows);
    if (r.area() < 4)
        return {};
    // Sample at most ~2000 pixels of the object.
    std::vector<cv::Vec3f> samples;
    const int step = std::max(1, static_cast<int>(std::sqrt(r.area() / 2000.0)));
    for (int y = r.y; y < r.y + r.height; y += step) {
        const cv::Vec3b *row = bgr.ptr<cv::Vec3b>(y);
        const uint8_t *m = mask.empty() ? nullptr : mask.ptr<uint8_t>(y);
        for (int x = r.x; x < r.x + r.width; x += step)
            if (!m || m[x])
                samples.emplace_back(row[x][0] / 255.f, row[x][1] / 255.f, row[x][2] / 255.f);
    }
    if (samples.size() < 8)
        return {};
    cv::Mat px(static_cast<int>(samples.size()), 1, CV_32FC3, samples.data());
    cv::Mat lab;
    cv::cvtColor(px, lab, cv::COLOR_BGR2Lab);
    // Name every sample and count: robust where k-means would split one colour's shading into clusters.
    std::map<std::string, int> counts;
    for (int i = 0; i < lab.rows; ++i) {
        const cv::Vec3f v = lab.at<cv::Vec3f>(i, 0);
        ++counts[nameOfLab({v[0], v[1], v[2]})];
    }
    std::vector<NamedColour> out;
    for (const auto &[name, n] : counts) {
        const float share = static_cast<float>(n) / lab.rows;
        if (share >= 0.1f)
            out.push_back({name, share});
    }
    std::sort(out.begin(), out.end(), [](const NamedColour &a, const NamedColour &b) { return a.share > b.share; });
    if (out.size() > 3)
        out.resize(3);
    return out;
}

std::string sizeClass(double f)
{
    if (f < 0.005)
        return "tiny";
    if (f < 0.03)
        return "small";
    if (f < 0.15)
        return "medium";
    if (f < 0.4)
        return "large";
    return "dominant";
}

std::string positionInFrame(float cx, float cy)
{
    const char *v = cy < 0.33f ? "top" : cy > 0.67f ? "bottom" : "middle";
    const char *h = cx < 0.33f ? "left" : cx > 0.67f ? "right" : "centre";
    if (std::string(v) == "middle")
        return std::string(h) == "centre" ? "centre" : h;
    return std::string(v) + "-" + h;
}

std::string shapeOf(const cv::Mat &mask, const Box &box)
{
    const float aspect = box.h > 0 ? box.w / box.h : 1.f;
    std::string s = aspect > 1.6f ? "wide" : aspect < 0.6f ? "tall" : "compact";
    if (!mask.empty()) {
        std::vector<std::vector<cv::Point>> contours;
        cv::Mat m = mask.clone();
        cv::findContours(m, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
        if (!contours.empty()) {
            auto biggest = std::max_element(contours.begin(), contours.end(), [](const auto &a, const auto &b) {
                return cv::contourArea(a) < cv::contourArea(b);
            });
            std::vector<cv::Point> hull;
            cv::convexHull(*biggest, hull);
            const double area = cv::contourArea(*biggest), hullArea = cv::contourArea(hull);
            if (hullArea > 0) {
                const double solidity = area / hullArea;
                if (solidity > 0.9)
                    s += ", solid";
                else if (solidity < 0.6)
                    s += ", irregular";
            }
            const double perimeter = cv::arcLength(*biggest, true);
            if (perimeter > 0 && 4 * CV_PI * area / (perimeter * perimeter) > 0.8)
                s += ", round";
        }
    }
    return s;
}

std::string motionClass(float speed)
{
    if (speed < 0.03f)
        return "static";
    if (speed < 0.2f)
        return "slow";
    return "fast";
}

std::string directionWord(float dx, float dy, float growth)
{
    const float m = std::hypot(dx, dy);
    if (std::abs(growth) > std::max(0.3f, m * 2.f))
        return growth > 0 ? "towards camera" : "away from camera";
    if (m < 1e-6f)
        return "none";
    if (std::abs(dx) >= std::abs(dy))
        return dx > 0 ? "right" : "left";
    return dy > 0 ? "down" : "up";
}

AttributeMap instanceAttributes(const cv::Mat &bgr, const cv::Mat &mask, const Box &box, int frameWidth,
                                int frameHeight)
{
    AttributeMap a;
    const auto colours = nameColours(bgr, mask, box);
    if (!colours.empty()) {
        a["colour"] = {colours[0].name, "cielab-names", colours[0].share};
        if (colours.size() > 1)
            a["colour_secondary"] = {colours[1].name, "cielab-names", colours[1].share};
    }
    const double frameArea = static_cast<double>(frameWidth) * frameHeight;
    const double area = mask.empty() ? box.area() : cv::countNonZero(mask);
    a["size"] = {sizeClass(area / frameArea), "geometry"};
    a["position"] = {positionInFrame(box.centerX() / frameWidth, box.centerY() / frameHeight), "geometry"};
    a["shape"] = {shapeOf(mask, box), "geometry"};
    return a;
}

} // namespace ts
