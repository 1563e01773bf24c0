#include "maskoverlay.h"

#include <algorithm>
#include <cstdlib>
#include <vector>

namespace ts {

QColor trackColor(TrackId id)
{
    // Golden-angle hue steps keep neighbouring ids far apart on the colour wheel.
    const int hue = static_cast<int>((static_cast<int64_t>(id) * 137 + 20) % 360);
    return QColor::fromHsv(hue < 0 ? hue + 360 : hue, 200, 240);
}

QColor subQueryColor(int index)
{
    static const QColor kColors[] = {QColor(94, 129, 244), QColor(238, 130, 60), QColor(76, 175, 120),
                                     QColor(200, 90, 200), QColor(230, 190, 40), QColor(60, 180, 200),
                                     QColor(220, 80, 90), QColor(140, 140, 220)};
    return kColors[static_cast<size_t>(std::abs(index)) % (sizeof(kColors) / sizeof(kColors[0]))];
}

namespace {

std::vector<uint8_t> decodeMask(const Instance &in, int height, int width)
{
    std::vector<uint8_t> buf(static_cast<size_t>(height) * width, 0);
    if (!in.mask.counts().empty() && in.mask.height() == height && in.mask.width() == width) {
        in.mask.toRowMajor(buf.data(), static_cast<size_t>(width));
        return buf;
    }
    const Rle m = !in.mask.counts().empty() && in.mask.height() > 0 && in.mask.width() > 0
                      ? in.mask
                      : Rle::fromBox(in.box, height, width);
    if (m.height() == height && m.width() == width) {
        m.toRowMajor(buf.data(), static_cast<size_t>(width));
        return buf;
    }
    // A mask stored at another resolution: sample it (nearest neighbour).
    std::vector<uint8_t> src(static_cast<size_t>(m.height()) * m.width(), 0);
    m.toRowMajor(src.data(), static_cast<size_t>(m.width()));
    for (int y = 0; y < height; ++y) {
        const int sy = std::min(m.height() - 1, y * m.height() / height);
        for (int x = 0; x < width; ++x)
            buf[static_cast<size_t>(y) * width + x] =
                src[static_cast<size_t>(sy) * m.width() + std::min(m.width() - 1, x * m.width() / width)];
    }
    return buf;
}

QRgb premultiplied(const QColor &c, int alpha)
{
    return qPremultiply(qRgba(c.red(), c.green(), c.blue(), alpha));
}

} // namespace

QImage renderMaskOverlay(const FrameRecord &frame, int width, int height, const OverlayStyle &style)
{
    QImage out(std::max(1, width), std::max(1, height), QImage::Format_ARGB32_Premultiplied);
    out.fill(Qt::transparent);
    if (width <= 0 || height <= 0)
        return out;
    std::vector<const Instance *> order;
    for (const Instance &in : frame.instances)
        if (!style.hidden.contains(in.trackId))
            order.push_back(&in);
    std::stable_sort(order.begin(), order.end(),
                     [](const Instance *a, const Instance *b) { return a->depth.value > b->depth.value; });
    const double opacity = std::clamp(style.opacity, 0.0, 1.0);
    for (const Instance *in : order) {
        const bool strong = style.highlighted.contains(in->trackId);
        const QColor c = trackColor(in->trackId);
        const QRgb fill = premultiplied(c, qRound(255 * std::min(1.0, opacity * (strong ? 1.5 : 1.0))));
        const QRgb edge = premultiplied(strong ? QColor(Qt::white) : c, 255);
        const std::vector<uint8_t> m = decodeMask(*in, height, width);
        auto at = [&](int x, int y) {
            return x >= 0 && y >= 0 && x < width && y < height && m[static_cast<size_t>(y) * width + x];
        };
        const int edgeWidth = strong ? 2 : 1;
        for (int y = 0; y < height; ++y) {
            auto *line = reinterpret_cast<QRgb *>(out.scanLine(y));
            const uint8_t *row = m.data() + static_cast<size_t>(y) * width;
            for (int x = 0; x < width; ++x) {
                if (!row[x])
                    continue;
                bool border = false;
                for (int d = 1; d <= edgeWidth && !border; ++d)
                    border = !at(x - d, y) || !at(x + d, y) || !at(x, y - d) || !at(x, y + d);
                line[x] = border ? edge : fill;
            }
        }
    }
    return out;
}

bool rleContains(const Rle &mask, int x, int y)
{
    if (x < 0 || y < 0 || x >= mask.width() || y >= mask.height())
        return false;
    // Column-major runs starting with zeros: the pixel is set when it falls in an odd-numbered run.
    const uint64_t target = static_cast<uint64_t>(x) * mask.height() + y;
    uint64_t pos = 0;
    const auto &counts = mask.counts();
    for (size_t i = 0; i < counts.size(); ++i) {
        pos += counts[i];
        if (target < pos)
            return (i % 2) == 1;
    }
    return false;
}

int instanceAt(const FrameRecord &frame, int x, int y)
{
    int best = -1;
    for (size_t i = 0; i < frame.instances.size(); ++i) {
        const Instance &in = frame.instances[i];
        const bool hit = in.mask.counts().empty()
                             ? (x >= in.box.x && y >= in.box.y && x < in.box.right() && y < in.box.bottom())
                             : rleContains(in.mask, x, y);
        if (!hit)
            continue;
        if (best < 0) {
            best = static_cast<int>(i);
            continue;
        }
        const Instance &b = frame.instances[static_cast<size_t>(best)];
        // Nearer first; between equally near objects the smaller one (it sits on top of the larger).
        if (in.depth.value < b.depth.value || (in.depth.value == b.depth.value && in.areaPx < b.areaPx))
            best = static_cast<int>(i);
    }
    return best;
}

QImage matToImage(const cv::Mat &mat)
{
    if (mat.empty())
        return {};
    if (mat.type() == CV_8UC1)
        return QImage(mat.data, mat.cols, mat.rows, static_cast<qsizetype>(mat.step), QImage::Format_Grayscale8)
            .copy();
    if (mat.type() == CV_8UC3)
        return QImage(mat.data, mat.cols, mat.rows, static_cast<qsizetype>(mat.step), QImage::Format_BGR888)
            .convertToFormat(QImage::Format_RGB32);
    return {};
}

void tintMask(QImage &image, const Rle &mask, const QColor &color, double opacity)
{
    if (image.isNull() || mask.height() <= 0 || mask.width() <= 0 || mask.area() == 0)
        return;
    if (image.format() != QImage::Format_RGB32 && image.format() != QImage::Format_ARGB32)
        image = image.convertToFormat(QImage::Format_RGB32);
    const int w = image.width(), h = image.height();
    std::vector<uint8_t> src(static_cast<size_t>(mask.height()) * mask.width(), 0);
    mask.toRowMajor(src.data(), static_cast<size_t>(mask.width()));
    std::vector<uint8_t> m(static_cast<size_t>(w) * h, 0);
    for (int y = 0; y < h; ++y) {
        const int sy = std::min(mask.height() - 1, y * mask.height() / h);
        for (int x = 0; x < w; ++x)
            m[static_cast<size_t>(y) * w + x] =
                src[static_cast<size_t>(sy) * mask.width() + std::min(mask.width() - 1, x * mask.width() / w)];
    }
    auto at = [&](int x, int y) { return x >= 0 && y >= 0 && x < w && y < h && m[static_cast<size_t>(y) * w + x]; };
    const double a = std::clamp(opacity, 0.0, 1.0);
    for (int y = 0; y < h; ++y) {
        auto *line = reinterpret_cast<QRgb *>(image.scanLine(y));
        for (int x = 0; x < w; ++x) {
            if (!m[static_cast<size_t>(y) * w + x])
                continue;
            if (!at(x - 1, y) || !at(x + 1, y) || !at(x, y - 1) || !at(x, y + 1)) {
                line[x] = qRgb(color.red(), color.green(), color.blue());
                continue;
            }
            const QRgb p = line[x];
            line[x] = qRgb(qRound(qRed(p) * (1 - a) + color.red() * a), qRound(qGreen(p) * (1 - a) + color.green() * a),
                           qRound(qBlue(p) * (1 - a) + color.blue() * a));
        }
    }
}

} // namespace ts
