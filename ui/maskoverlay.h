// Drawing masks over video frames: per-track colours, overlays of a frame's instances, hit tests and tinted
// thumbnails. Plain functions on images, usable from any thread (QImage is safe off the UI thread).
#pragma once

#include "twin/twin.h"

#include <QColor>
#include <QImage>
#include <QSet>

#include <opencv2/core.hpp>

namespace ts {

/// A stable, well separated colour per track id.
QColor trackColor(TrackId id);
/// Colour of the i-th sub-query's chip (query bar and result cards).
QColor subQueryColor(int index);

struct OverlayStyle {
    double opacity = 0.45; ///< fill opacity 0..1 (outlines stay opaque)
    QSet<TrackId> hidden;
    QSet<TrackId> highlighted; ///< grounded objects: stronger fill and a thick outline
};

/// An ARGB32-premultiplied image of width x height with the frame's visible instance masks painted in their
/// track colours, farthest first so nearer objects cover farther ones. Instances without a mask use their box.
QImage renderMaskOverlay(const FrameRecord &frame, int width, int height, const OverlayStyle &style);

/// True when pixel (x, y) is set in the mask (walks the runs, no decoding).
bool rleContains(const Rle &mask, int x, int y);
/// Index into frame.instances of the nearest instance covering pixel (x, y), or -1.
int instanceAt(const FrameRecord &frame, int x, int y);

/// A deep copy of a BGR (or grey) OpenCV image as a QImage.
QImage matToImage(const cv::Mat &mat);
/// Tints the image where the mask is set (mask scaled to the image with nearest neighbour) and outlines it.
void tintMask(QImage &image, const Rle &mask, const QColor &color, double opacity);

} // namespace ts
