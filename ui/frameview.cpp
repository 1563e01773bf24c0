#include "frameview.h"

#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>

namespace ts {

FrameView::FrameView(QWidget *parent) : QWidget(parent)
{
    setMouseTracking(true);
    setMinimumSize(240, 135);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setAttribute(Qt::WA_OpaquePaintEvent);
}

void FrameView::setFrame(const QImage &image, FrameIndex frameIndex, const FrameRecord *record)
{
    m_image = image;
    m_frameIndex = frameIndex;
    if (record)
        m_record = *record;
    else
        m_record.reset();
    m_overlayDirty = true;
    update();
}

void FrameView::setVideoSize(int width, int height)
{
    m_videoWidth = width;
    m_videoHeight = height;
    m_overlayDirty = true;
    update();
}

void FrameView::setOverlayStyle(const OverlayStyle &style)
{
    m_style = style;
    m_overlayDirty = true;
    update();
}

void FrameView::setShowLabels(bool show)
{
    m_showLabels = show;
    update();
}

void FrameView::setMarkedTracks(const QSet<TrackId> &tracks)
{
    m_marked = tracks;
    update();
}

void FrameView::clear()
{
    m_image = QImage();
    m_record.reset();
    m_frameIndex = -1;
    m_overlayDirty = true;
    m_hovered = -1;
    update();
}

QImage FrameView::overlay() const
{
    if (m_overlayDirty) {
        const int w = m_videoWidth > 0 ? m_videoWidth : m_image.width();
        const int h = m_videoHeight > 0 ? m_videoHeight : m_image.height();
        m_overlay = m_record && w > 0 && h > 0 ? renderMaskOverlay(*m_record, w, h, m_style) : QImage();
        m_overlayDirty = false;
    }
    return m_overlay;
}

QRectF FrameView::pictureRect() const
{
    const int w = m_videoWidth > 0 ? m_videoWidth : m_image.width();
    const int h = m_videoHeight > 0 ? m_videoHeight : m_image.height();
    if (w <= 0 || h <= 0)
        return {};
    const QSizeF s = QSizeF(w, h).scaled(QSizeF(size()), Qt::KeepAspectRatio);
    return {(width() - s.width()) / 2.0, (height() - s.height()) / 2.0, s.width(), s.height()};
}

QPoint FrameView::toVideo(const QPointF &widgetPos) const
{
    const QRectF r = pictureRect();
    if (r.isEmpty() || !r.contains(widgetPos))
        return {-1, -1};
    const int w = m_videoWidth > 0 ? m_videoWidth : m_image.width();
    const int h = m_videoHeight > 0 ? m_videoHeight : m_image.height();
    return {std::min(w - 1, static_cast<int>((widgetPos.x() - r.left()) * w / r.width())),
            std::min(h - 1, static_cast<int>((widgetPos.y() - r.top()) * h / r.height()))};
}

QPointF FrameView::toWidget(const QPointF &videoPos) const
{
    const QRectF r = pictureRect();
    const int w = m_videoWidth > 0 ? m_videoWidth : m_image.width();
    const int h = m_videoHeight > 0 ? m_videoHeight : m_image.height();
    if (r.isEmpty() || w <= 0 || h <= 0)
        return {};
    return {r.left() + videoPos.x() * r.width() / w, r.top() + videoPos.y() * r.height() / h};
}

int FrameView::instanceUnder(const QPointF &widgetPos) const
{
    if (!m_record)
        return -1;
    const QPoint p = toVideo(widgetPos);
    if (p.x() < 0)
        return -1;
    // Hidden tracks cannot be picked: what you see is what you click.
    FrameRecord visible;
    std::vector<int> original;
    for (size_t i = 0; i < m_record->instances.size(); ++i)
        if (!m_style.hidden.contains(m_record->instances[i].trackId)) {
            visible.instances.push_back(m_record->instances[i]);
            original.push_back(static_cast<int>(i));
        }
    const int hit = instanceAt(visible, p.x(), p.y());
    return hit < 0 ? -1 : original[static_cast<size_t>(hit)];
}

QString FrameView::describe(const Instance &in)
{
    QStringList lines;
    lines << tr("#%1 %2 (%3, score %4)")
                 .arg(in.trackId)
                 .arg(QString::fromStdString(in.category.name), QString::fromStdString(in.category.model))
                 .arg(QLocale().toString(in.category.score, 'f', 2));
    for (const auto &[name, attr] : in.attributes)
        lines << tr("%1: %2 (%3)").arg(QString::fromStdString(name), QString::fromStdString(attr.value),
                                       QString::fromStdString(attr.source));
    lines << tr("depth: %1 (%2)").arg(QLocale().toString(in.depth.value, 'f', 2), QString::fromStdString(in.depth.source));
    if (!in.maskSource.empty())
        lines << tr("mask: %1").arg(QString::fromStdString(in.maskSource));
    return lines.join(QLatin1Char('\n'));
}

void FrameView::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.fillRect(rect(), QColor(18, 18, 18));
    const QRectF r = pictureRect();
    if (m_image.isNull() || r.isEmpty()) {
        p.setPen(QColor(170, 170, 170));
        p.drawText(rect(), Qt::AlignCenter, tr("Select a result or a video to inspect it"));
        return;
    }
    p.setRenderHint(QPainter::SmoothPixmapTransform);
    p.drawImage(r, m_image);
    const QImage ov = overlay();
    if (!ov.isNull())
        p.drawImage(r, ov);
    if (!m_record)
        return;
    p.setRenderHint(QPainter::Antialiasing);
    QFont f = font();
    f.setBold(true);
    p.setFont(f);
    const QFontMetrics fm(f);
    // Labels in order of importance (grounded, then marked, then larger objects), placed so that none covers another.
    std::vector<size_t> order;
    for (size_t i = 0; i < m_record->instances.size(); ++i)
        if (!m_style.hidden.contains(m_record->instances[i].trackId))
            order.push_back(i);
    auto rankOf = [this](const Instance &in) {
        return (m_style.highlighted.contains(in.trackId) ? 2 : 0) + (m_marked.contains(in.trackId) ? 1 : 0);
    };
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        const Instance &x = m_record->instances[a];
        const Instance &y = m_record->instances[b];
        if (rankOf(x) != rankOf(y))
            return rankOf(x) > rankOf(y);
        return x.box.w * x.box.h > y.box.w * y.box.h;
    });
    std::vector<QRectF> boxes;
    std::vector<QSizeF> sizes;
    std::vector<QString> labels;
    const qreal maxLabelWidth = std::max<qreal>(60.0, r.width() / 3);
    for (size_t i : order) {
        const Instance &in = m_record->instances[i];
        boxes.emplace_back(toWidget({in.box.x, in.box.y}), toWidget({in.box.right(), in.box.bottom()}));
        QString label = QStringLiteral("#%1 %2").arg(in.trackId).arg(QString::fromStdString(in.category.name));
        label = fm.elidedText(label, Qt::ElideRight, static_cast<int>(maxLabelWidth) - 8);
        labels.push_back(label);
        sizes.emplace_back(fm.horizontalAdvance(label) + 8, fm.height() + 2);
    }
    const std::vector<QRectF> tags = m_showLabels ? placeLabels(boxes, sizes, r) : std::vector<QRectF>(order.size());
    for (size_t n = 0; n < order.size(); ++n) {
        const size_t i = order[n];
        const Instance &in = m_record->instances[i];
        const QRectF &box = boxes[n];
        const QColor c = trackColor(in.trackId);
        if (m_marked.contains(in.trackId)) {
            p.setPen(QPen(Qt::white, 2, Qt::DashLine));
            p.setBrush(Qt::NoBrush);
            p.drawRect(box);
        }
        if (static_cast<int>(i) == m_hovered) {
            p.setPen(QPen(c, 2));
            p.setBrush(Qt::NoBrush);
            p.drawRect(box);
        }
        if (tags[n].isNull())
            continue;
        p.fillRect(tags[n], QColor(c.red(), c.green(), c.blue(), 210));
        p.setPen(Qt::black);
        p.drawText(tags[n], Qt::AlignCenter, labels[n]);
    }
}

std::vector<QRectF> FrameView::placeLabels(const std::vector<QRectF> &boxes, const std::vector<QSizeF> &sizes,
                                           const QRectF &bounds)
{
    std::vector<QRectF> placed(boxes.size());
    std::vector<QRectF> taken;
    for (size_t i = 0; i < boxes.size() && i < sizes.size(); ++i) {
        const QRectF &b = boxes[i];
        const qreal w = sizes[i].width();
        const qreal h = sizes[i].height();
        if (w > bounds.width() || h > bounds.height())
            continue;
        // Preferred spots first: above the box's left edge, inside it, below it, then at its right edge; each
        // slid down in label-height steps within the box when its spot is taken.
        const std::vector<QPointF> spots{{b.left(), b.top() - h}, {b.left(), b.top()},
                                         {b.left(), b.bottom()},  {b.right() - w, b.top() - h},
                                         {b.right() - w, b.top()}, {b.right() - w, b.bottom()}};
        std::vector<QPointF> tries = spots;
        for (qreal y = b.top() + h; y + h <= b.bottom(); y += h) {
            tries.emplace_back(b.left(), y);
            tries.emplace_back(b.right() - w, y);
        }
        for (const QPointF &at : tries) {
            QRectF tag(at, QSizeF(w, h));
            // Kept inside the picture: moved, not dropped, when the box touches an edge.
            tag.moveLeft(std::clamp(tag.left(), bounds.left(), bounds.right() - w));
            tag.moveTop(std::clamp(tag.top(), bounds.top(), bounds.bottom() - h));
            const bool free = std::none_of(taken.begin(), taken.end(),
                                           [&tag](const QRectF &t) { return t.intersects(tag); });
            if (free) {
                placed[i] = tag;
                taken.push_back(tag);
                break;
            }
        }
    }
    return placed;
}

void FrameView::mouseMoveEvent(QMouseEvent *event)
{
    const int hit = instanceUnder(event->position());
    if (hit != m_hovered) {
        m_hovered = hit;
        update();
        const QString text = hit >= 0 ? describe(m_record->instances[static_cast<size_t>(hit)]) : QString();
        emit instanceHovered(hit, text);
        if (hit >= 0)
            QToolTip::showText(event->globalPosition().toPoint(), text, this);
        else
            QToolTip::hideText();
    }
    setCursor(hit >= 0 ? Qt::PointingHandCursor : Qt::ArrowCursor);
}

void FrameView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton)
        return;
    const int hit = instanceUnder(event->position());
    if (hit >= 0)
        emit instanceClicked(hit, m_record->instances[static_cast<size_t>(hit)].trackId);
}

void FrameView::leaveEvent(QEvent *)
{
    if (m_hovered >= 0) {
        m_hovered = -1;
        update();
        emit instanceHovered(-1, {});
    }
}

} // namespace ts
