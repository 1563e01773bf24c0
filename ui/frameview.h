// The inspector's canvas: the current frame with the instance masks in track colours, labels, grounded objects
// outlined; hovering names an instance (category, attributes, depth, models), clicking selects it.
#pragma once

#include "maskoverlay.h"

#include <QImage>
#include <QRectF>
#include <QWidget>

#include <optional>
#include <vector>

namespace ts {

class FrameView : public QWidget {
    Q_OBJECT
public:
    explicit FrameView(QWidget *parent);

    /// The decoded frame and the twin's record for it (the analysed frame nearest to it).
    void setFrame(const QImage &image, FrameIndex frameIndex, const FrameRecord *record);
    void setVideoSize(int width, int height);
    void setOverlayStyle(const OverlayStyle &style);
    const OverlayStyle &overlayStyle() const { return m_style; }
    void setShowLabels(bool show);
    /// Tracks chosen as ground truth by the annotator: drawn with a dashed outline.
    void setMarkedTracks(const QSet<TrackId> &tracks);
    void clear();

    /// The overlay as currently drawn (video resolution), for checks and exports.
    QImage overlay() const;
    const std::optional<FrameRecord> &frameRecord() const { return m_record; }
    FrameIndex frameIndex() const { return m_frameIndex; }
    /// Widget position -> video pixel (invalid when outside the picture).
    QPoint toVideo(const QPointF &widgetPos) const;
    QPointF toWidget(const QPointF &videoPos) const;
    /// Text shown when hovering an instance.
    static QString describe(const Instance &instance);
    /// Where the labels of a busy frame go: for each box (in priority order, first = most important) a rectangle of
    /// its label's size near the box (above, inside, below, at either edge), inside bounds and overlapping no label
    /// placed before it; a null rectangle when none is free (the hover tip still names that instance).
    static std::vector<QRectF> placeLabels(const std::vector<QRectF> &boxes, const std::vector<QSizeF> &sizes,
                                           const QRectF &bounds);

    QSize sizeHint() const override { return {640, 360}; }

signals:
    void instanceClicked(int instanceIndex, ts::TrackId trackId);
    void instanceHovered(int instanceIndex, const QString &description);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;

private:
    QRectF pictureRect() const;
    int instanceUnder(const QPointF &widgetPos) const;

    QImage m_image;
    FrameIndex m_frameIndex = -1;
    std::optional<FrameRecord> m_record;
    int m_videoWidth = 0;
    int m_videoHeight = 0;
    OverlayStyle m_style;
    QSet<TrackId> m_marked;
    bool m_showLabels = true;
    mutable QImage m_overlay;
    mutable bool m_overlayDirty = true;
    int m_hovered = -1;
};

} // namespace ts
