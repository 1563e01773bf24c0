#include "tracker.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace ts {

MultiObjectTracker::MultiObjectTracker(TrackerConfig config) : m_config(config) {}

cv::Mat appearanceOf(const cv::Mat &bgr, const Box &box, const cv::Mat &mask)
{
    const Box c = box.clipped(static_cast<float>(bgr.cols), static_cast<float>(bgr.rows));
    cv::Rect r(static_cast<int>(c.x), static_cast<int>(c.y), static_cast<int>(c.w), static_cast<int>(c.h));
    r &= cv::Rect(0, 0, bgr.cols, bgr.rows);
    if (r.area() < 4)
        return {};
    cv::Mat crop = bgr(r), hsv;
    // Subsample large crops: the histogram does not need every pixel.
    if (r.area() > 64 * 64) {
        const double s = 64.0 / std::sqrt(static_cast<double>(r.area()));
        cv::resize(crop, crop, cv::Size(), s, s, cv::INTER_AREA);
    }
    cv::cvtColor(crop, hsv, cv::COLOR_BGR2HSV);
    cv::Mat m;
    if (!mask.empty()) {
        m = mask(r);
        if (m.size() != hsv.size())
            cv::resize(m, m, hsv.size(), 0, 0, cv::INTER_NEAREST);
    }
    const int channels[] = {0, 1};
    const int bins[] = {12, 6};
    const float hr[] = {0, 180}, sr[] = {0, 256};
    const float *ranges[] = {hr, sr};
    cv::Mat hist;
    cv::calcHist(&hsv, 1, channels, m, hist, 2, bins, ranges);
    const double sum = cv::sum(hist)[0];
    if (sum <= 0)
        return {};
    hist /= sum;
    return hist;
}

float appearanceSimilarity(const cv::Mat &a, const cv::Mat &b)
{
    if (a.empty() || b.empty() || a.size() != b.size())
        return 0.5f; // unknown: neither for nor against
    cv::Mat mn;
    cv::min(a, b, mn);
    return static_cast<float>(cv::sum(mn)[0]);
}

void MultiObjectTracker::setPrediction(TrackId id, const Box &box)
{
    for (State &s : m_tracks)
        if (s.id == id && !box.isEmpty()) {
            s.predicted = true;
            s.prediction = box;
        }
}

std::vector<TrackId> MultiObjectTracker::update(const std::vector<TrackObservation> &obs, FrameIndex frameIndex)
{
    struct Pair {
        float cost;
        size_t track;
        size_t obs;
    };
    std::vector<Pair> pairs;
    for (size_t t = 0; t < m_tracks.size(); ++t) {
        const State &s = m_tracks[t];
        const float steps = static_cast<float>(s.missed + 1);
        Box predicted = s.box;
        predicted.x += s.vx * steps;
        predicted.y += s.vy * steps;
        if (s.predicted)
            predicted = s.prediction;
        for (size_t o = 0; o < obs.size(); ++o) {
            if (m_config.classAware && s.classKey != obs[o].classKey)
                continue;
            const float iou = std::max(boxIou(predicted, obs[o].box), boxIou(s.box, obs[o].box));
            const float app = appearanceSimilarity(s.appearance, obs[o].appearance);
            // Centre distance relative to size lets fast movers and re-appearing objects match without overlap.
            const float scale = std::sqrt(std::max(1.f, s.box.area()));
            const float dist = std::hypot(predicted.centerX() - obs[o].box.centerX(),
                                          predicted.centerY() - obs[o].box.centerY()) / scale;
            const float sizeRatio = std::min(s.box.area(), obs[o].box.area()) /
                                    std::max(1.f, std::max(s.box.area(), obs[o].box.area()));
            bool plausible = iou >= m_config.minIou || (dist < 1.5f && app > 0.55f && sizeRatio > 0.25f);
            if (!plausible)
                continue;
            const float w = m_config.appearanceWeight;
            const float cost = 1.f - ((1.f - w) * std::max(iou, std::max(0.f, 1.f - dist / 1.5f) * 0.6f) + w * app);
            pairs.push_back({cost, t, o});
        }
    }
    std::sort(pairs.begin(), pairs.end(), [](const Pair &a, const Pair &b) {
        return a.cost != b.cost ? a.cost < b.cost : (a.track != b.track ? a.track < b.track : a.obs < b.obs);
    });
    std::vector<TrackId> ids(obs.size(), 0);
    std::vector<bool> trackUsed(m_tracks.size(), false);
    for (const Pair &p : pairs) {
        if (trackUsed[p.track] || ids[p.obs] != 0)
            continue;
        trackUsed[p.track] = true;
        State &s = m_tracks[p.track];
        const Box &b = obs[p.obs].box;
        const float steps = static_cast<float>(s.missed + 1);
        // Smoothed velocity per analysed frame.
        s.vx = 0.5f * s.vx + 0.5f * (b.centerX() - s.box.centerX()) / steps;
        s.vy = 0.5f * s.vy + 0.5f * (b.centerY() - s.box.centerY()) / steps;
        s.box = b;
        s.missed = 0;
        s.lastFrame = frameIndex;
        if (!obs[p.obs].appearance.empty()) {
            if (s.appearance.empty())
                s.appearance = obs[p.obs].appearance.clone();
            else
                s.appearance = 0.7 * s.appearance + 0.3 * obs[p.obs].appearance;
        }
        ids[p.obs] = s.id;
    }
    for (size_t t = 0; t < m_tracks.size(); ++t) {
        if (!trackUsed[t])
            ++m_tracks[t].missed;
        m_tracks[t].predicted = false;
    }
    m_tracks.erase(std::remove_if(m_tracks.begin(), m_tracks.end(),
                                  [this](const State &s) { return s.missed > m_config.maxMissedFrames; }),
                   m_tracks.end());
    for (size_t o = 0; o < obs.size(); ++o) {
        if (ids[o] != 0)
            continue;
        State s;
        s.id = m_nextId++;
        s.box = obs[o].box;
        s.classKey = obs[o].classKey;
        s.appearance = obs[o].appearance.empty() ? cv::Mat() : obs[o].appearance.clone();
        s.lastFrame = frameIndex;
        m_tracks.push_back(s);
        ids[o] = s.id;
    }
    return ids;
}

} // namespace ts
