// The timeline under the inspector: a ruler, one lane per track (first..last frame in the track's colour), the
// spans where grounded objects satisfy the query, and markers for trace steps and refinements (their text as
// tooltips). Clicking the ruler or a marker asks the inspector to seek; dragging on the ruler scrubs.
#pragma once

#include "query/results.h"
#include "twin/twin.h"

#include <QSet>
#include <QWidget>

namespace ts {

struct TimelineMarker {
    FrameIndex frameIndex = 0;
    QString kind; ///< "reason", "refine", "gap", ...
    QString text;
};

class Timeline : public QWidget {
    Q_OBJECT
public:
    explicit Timeline(QWidget *parent);

    void setVideo(const std::vector<Track> &tracks, FrameIndex frameCount, double fps);
    void setGrounding(const std::vector<GroundedObject> &objects);
    void setMarkers(std::vector<TimelineMarker> markers);
    void setHiddenTracks(const QSet<TrackId> &hidden);
    void setCurrentFrame(FrameIndex frameIndex);
    void clear();

    FrameIndex frameCount() const { return m_frameCount; }
    const std::vector<TimelineMarker> &markers() const { return m_markers; }
    /// Geometry, public for tests and tooltips.
    int xOfFrame(FrameIndex frameIndex) const;
    FrameIndex frameAtX(int x) const;
    QRect markerRect(int index) const;
    int markerAt(const QPoint &pos) const;
    QRect rulerRect() const;
    QRect laneRect(int trackRow) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void seekRequested(qint64 frameIndex);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    bool event(QEvent *event) override;

private:
    int trackAtY(int y) const;

    std::vector<Track> m_tracks;
    std::vector<GroundedObject> m_grounding;
    std::vector<TimelineMarker> m_markers;
    QSet<TrackId> m_hidden;
    FrameIndex m_frameCount = 0;
    double m_fps = 0.0;
    FrameIndex m_current = -1;
    bool m_scrubbing = false;
};

} // namespace ts
