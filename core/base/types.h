// Small value types shared by every module: boxes, frame positions, scores.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace ts {

using FrameIndex = int64_t;
using TrackId = int32_t;
using VideoId = int64_t;

/// Axis-aligned box in pixels, COCO convention (x, y, width, height).
struct Box {
    float x = 0.f;
    float y = 0.f;
    float w = 0.f;
    float h = 0.f;

    float area() const { return std::max(0.f, w) * std::max(0.f, h); }
    float right() const { return x + w; }
    float bottom() const { return y + h; }
    float centerX() const { return x + w * 0.5f; }
    float centerY() const { return y + h * 0.5f; }
    bool isEmpty() const { return w <= 0.f || h <= 0.f; }
    bool operator==(const Box &o) const { return x == o.x && y == o.y && w == o.w && h == o.h; }

    Box intersected(const Box &o) const
    {
        const float x0 = std::max(x, o.x), y0 = std::max(y, o.y);
        const float x1 = std::min(right(), o.right()), y1 = std::min(bottom(), o.bottom());
        if (x1 <= x0 || y1 <= y0)
            return {};
        return {x0, y0, x1 - x0, y1 - y0};
    }
    Box united(const Box &o) const
    {
        if (isEmpty())
            return o;
        if (o.isEmpty())
            return *this;
        const float x0 = std::min(x, o.x), y0 = std::min(y, o.y);
        return {x0, y0, std::max(right(), o.right()) - x0, std::max(bottom(), o.bottom()) - y0};
    }
    Box clipped(float width, float height) const { return intersected({0.f, 0.f, width, height}); }
    Box expanded(float fraction) const
    {
        return {x - w * fraction, y - h * fraction, w * (1.f + 2.f * fraction), h * (1.f + 2.f * fraction)};
    }
};

inline float boxIou(const Box &a, const Box &b)
{
    const float inter = a.intersected(b).area();
    const float uni = a.area() + b.area() - inter;
    return uni > 0.f ? inter / uni : 0.f;
}

/// Frame index <-> presentation time for a constant-rate stream.
inline int64_t frameToTimeMs(FrameIndex frameIndex, double fps)
{
    return fps > 0 ? static_cast<int64_t>(std::llround(frameIndex * 1000.0 / fps)) : 0;
}
inline FrameIndex timeMsToFrame(int64_t timeMs, double fps)
{
    return fps > 0 ? static_cast<FrameIndex>(std::llround(timeMs * fps / 1000.0)) : 0;
}

} // namespace ts
