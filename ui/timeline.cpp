#include "timeline.h"

#include "maskoverlay.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>

#include <cmath>

namespace ts {

namespace {
constexpr int kLabelWidth = 118;
constexpr int kRulerHeight = 22;
constexpr int kMarkerLane = 16;
constexpr int kQueryLane = 12;
constexpr int kLaneHeight = 15;
constexpr int kRightMargin = 8;

QColor markerColor(const QString &kind)
{
    if (kind == QLatin1String("refine"))
        return QColor(40, 170, 220);
    if (kind == QLatin1String("gap"))
        return QColor(230, 160, 30);
    if (kind == QLatin1String("error") || kind == QLatin1String("fallback"))
        return QColor(220, 60, 60);
    if (kind == QLatin1String("verdict"))
        return QColor(60, 180, 90);
    return QColor(150, 110, 230);
}
} // namespace

Timeline::Timeline(QWidget *parent) : QWidget(parent)
{
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void Timeline::setVideo(const std::vector<Track> &tracks, FrameIndex frameCount, double fps)
{
    m_tracks = tracks;
    m_frameCount = std::max<FrameIndex>(0, frameCount);
    m_fps = fps;
    m_grounding.clear();
    m_markers.clear();
    m_hidden.clear();
    m_current = -1;
    updateGeometry();
    update();
}

void Timeline::setGrounding(const std::vector<GroundedObject> &objects)
{
    m_grounding = objects;
    update();
}

void Timeline::setMarkers(std::vector<TimelineMarker> markers)
{
    m_markers = std::move(markers);
    update();
}

void Timeline::setHiddenTracks(const QSet<TrackId> &hidden)
{
    m_hidden = hidden;
    update();
}

void Timeline::setCurrentFrame(FrameIndex frameIndex)
{
    if (m_current == frameIndex)
        return;
    m_current = frameIndex;
    update();
}

void Timeline::clear() { setVideo({}, 0, 0.0); }

QSize Timeline::sizeHint() const
{
    return {600, kRulerHeight + kMarkerLane + kQueryLane + static_cast<int>(m_tracks.size()) * kLaneHeight + 6};
}

QSize Timeline::minimumSizeHint() const { return {200, kRulerHeight + kMarkerLane + kQueryLane + 6}; }

int Timeline::xOfFrame(FrameIndex frameIndex) const
{
    const int w = std::max(1, width() - kLabelWidth - kRightMargin);
    if (m_frameCount <= 1)
        return kLabelWidth;
    return kLabelWidth + static_cast<int>(std::lround(static_cast<double>(frameIndex) * w / (m_frameCount - 1)));
}

FrameIndex Timeline::frameAtX(int x) const
{
    const int w = std::max(1, width() - kLabelWidth - kRightMargin);
    if (m_frameCount <= 1)
        return 0;
    const double f = static_cast<double>(x - kLabelWidth) * (m_frameCount - 1) / w;
    return std::clamp<FrameIndex>(static_cast<FrameIndex>(std::lround(f)), 0, m_frameCount - 1);
}

QRect Timeline::rulerRect() const { return {kLabelWidth, 0, width() - kLabelWidth - kRightMargin, kRulerHeight}; }

QRect Timeline::markerRect(int index) const
{
    if (index < 0 || index >= static_cast<int>(m_markers.size()))
        return {};
    const int x = xOfFrame(m_markers[static_cast<size_t>(index)].frameIndex);
    return {x - 5, kRulerHeight + 2, 11, kMarkerLane - 4};
}

QRect Timeline::laneRect(int trackRow) const
{
    return {kLabelWidth, kRulerHeight + kMarkerLane + kQueryLane + trackRow * kLaneHeight + 2,
            width() - kLabelWidth - kRightMargin, kLaneHeight - 3};
}

int Timeline::markerAt(const QPoint &pos) const
{
    // Last drawn is on top: search backwards.
    for (int i = static_cast<int>(m_markers.size()) - 1; i >= 0; --i)
        if (markerRect(i).adjusted(-2, -2, 2, 2).contains(pos))
            return i;
    return -1;
}

int Timeline::trackAtY(int y) const
{
    const int top = kRulerHeight + kMarkerLane + kQueryLane;
    if (y < top)
        return -1;
    const int row = (y - top) / kLaneHeight;
    return row < static_cast<int>(m_tracks.size()) ? row : -1;
}

void Timeline::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    const QPalette &pal = palette();
    p.fillRect(rect(), pal.base());
    if (m_frameCount <= 0) {
        p.setPen(pal.placeholderText().color());
        p.drawText(rect(), Qt::AlignCenter, tr("No video"));
        return;
    }
    QFont small = font();
    small.setPointSizeF(std::max(6.0, font().pointSizeF() * 0.85));
    p.setFont(small);
    const QFontMetrics fm(small);

    // Ruler: ticks every second (or a multiple that keeps labels apart).
    const QRect ruler = rulerRect();
    p.fillRect(QRect(0, 0, width(), kRulerHeight), pal.alternateBase());
    p.setPen(pal.text().color());
    const double fps = m_fps > 0 ? m_fps : 25.0;
    const double seconds = m_frameCount / fps;
    double step = 1.0;
    const double pxPerSecond = ruler.width() / std::max(0.001, seconds);
    while (step * pxPerSecond < fm.horizontalAdvance(QStringLiteral("00:00")) + 12)
        step *= step < 5 ? 5 : 2;
    for (double t = 0; t <= seconds + 1e-6; t += step) {
        const int x = xOfFrame(static_cast<FrameIndex>(std::lround(t * fps)));
        p.drawLine(x, kRulerHeight - 6, x, kRulerHeight - 1);
        const int s = static_cast<int>(std::lround(t));
        p.drawText(QRect(x + 2, 0, 60, kRulerHeight - 6), Qt::AlignLeft | Qt::AlignVCenter,
                   QStringLiteral("%1:%2").arg(s / 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0')));
    }
    p.drawText(QRect(4, 0, kLabelWidth - 8, kRulerHeight), Qt::AlignLeft | Qt::AlignVCenter, tr("time"));

    // Lane labels.
    p.setPen(pal.placeholderText().color());
    p.drawText(QRect(4, kRulerHeight, kLabelWidth - 8, kMarkerLane), Qt::AlignLeft | Qt::AlignVCenter, tr("reasoning"));
    p.drawText(QRect(4, kRulerHeight + kMarkerLane, kLabelWidth - 8, kQueryLane), Qt::AlignLeft | Qt::AlignVCenter,
               tr("query"));

    // Where the query is satisfied (union of the grounded objects' spans).
    for (const GroundedObject &o : m_grounding)
        for (const FrameSpan &s : o.spans) {
            const int x0 = xOfFrame(s.first), x1 = std::max(x0 + 2, xOfFrame(s.last));
            p.fillRect(QRect(x0, kRulerHeight + kMarkerLane + 2, x1 - x0, kQueryLane - 4), QColor(255, 196, 0));
        }

    // Track lanes.
    for (size_t i = 0; i < m_tracks.size(); ++i) {
        const Track &t = m_tracks[i];
        const QRect lane = laneRect(static_cast<int>(i));
        const bool hidden = m_hidden.contains(t.id);
        QColor c = trackColor(t.id);
        if (hidden)
            c.setAlpha(70);
        p.setPen(hidden ? pal.placeholderText().color() : pal.text().color());
        p.drawText(QRect(4, lane.top() - 1, kLabelWidth - 8, lane.height() + 2), Qt::AlignLeft | Qt::AlignVCenter,
                   fm.elidedText(QStringLiteral("#%1 %2").arg(t.id).arg(QString::fromStdString(t.category.name)),
                                 Qt::ElideRight, kLabelWidth - 8));
        const int x0 = xOfFrame(t.firstFrame), x1 = std::max(x0 + 2, xOfFrame(t.lastFrame));
        p.fillRect(QRect(x0, lane.top(), x1 - x0, lane.height()), c);
        for (const GroundedObject &o : m_grounding) {
            if (o.trackId != t.id)
                continue;
            for (const FrameSpan &s : o.spans) {
                const int g0 = xOfFrame(s.first), g1 = std::max(g0 + 2, xOfFrame(s.last));
                p.setPen(QPen(QColor(255, 196, 0), 2));
                p.setBrush(Qt::NoBrush);
                p.drawRect(QRect(g0, lane.top(), g1 - g0, lane.height()));
            }
        }
    }

    // Trace markers: triangles pointing at their frame.
    p.setRenderHint(QPainter::Antialiasing);
    for (int i = 0; i < static_cast<int>(m_markers.size()); ++i) {
        const QRect r = markerRect(i);
        QPainterPath tri;
        tri.moveTo(r.left(), r.top());
        tri.lineTo(r.right() + 1, r.top());
        tri.lineTo(r.center().x() + 0.5, r.bottom() + 1);
        tri.closeSubpath();
        p.fillPath(tri, markerColor(m_markers[static_cast<size_t>(i)].kind));
    }

    // Current frame.
    if (m_current >= 0) {
        const int x = xOfFrame(m_current);
        p.setPen(QPen(QColor(230, 40, 40), 2));
        p.drawLine(x, 0, x, height());
    }
}

void Timeline::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton || m_frameCount <= 0)
        return;
    const QPoint pos = event->position().toPoint();
    const int marker = markerAt(pos);
    if (marker >= 0) {
        emit seekRequested(m_markers[static_cast<size_t>(marker)].frameIndex);
        return;
    }
    if (pos.x() >= kLabelWidth) {
        // The ruler scrubs; a click in a lane seeks too (most people aim for the lane).
        m_scrubbing = pos.y() < kRulerHeight;
        emit seekRequested(frameAtX(pos.x()));
    }
}

void Timeline::mouseMoveEvent(QMouseEvent *event)
{
    const QPoint pos = event->position().toPoint();
    if (m_scrubbing && (event->buttons() & Qt::LeftButton))
        emit seekRequested(frameAtX(pos.x()));
    setCursor(markerAt(pos) >= 0 || (pos.x() >= kLabelWidth && pos.y() < kRulerHeight) ? Qt::PointingHandCursor
                                                                                      : Qt::ArrowCursor);
}

void Timeline::mouseReleaseEvent(QMouseEvent *) { m_scrubbing = false; }

bool Timeline::event(QEvent *event)
{
    if (event->type() != QEvent::ToolTip)
        return QWidget::event(event);
    auto *help = static_cast<QHelpEvent *>(event);
    const int marker = markerAt(help->pos());
    QString text;
    if (marker >= 0) {
        const TimelineMarker &m = m_markers[static_cast<size_t>(marker)];
        text = tr("%1 at frame %2\n%3").arg(m.kind).arg(m.frameIndex).arg(m.text);
    } else if (const int row = trackAtY(help->pos().y()); row >= 0) {
        const Track &t = m_tracks[static_cast<size_t>(row)];
        text = tr("#%1 %2: frames %3–%4").arg(t.id).arg(QString::fromStdString(t.category.name)).arg(t.firstFrame).arg(t.lastFrame);
    } else if (help->pos().x() >= kLabelWidth && m_frameCount > 0) {
        text = tr("frame %1").arg(frameAtX(help->pos().x()));
    }
    if (text.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(help->globalPos(), text, this);
    return true;
}

} // namespace ts
